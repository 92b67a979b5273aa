"""A predict file whose numeric column holds a missing-value marker ('?', 'n/a') that training never met: the error
says which option reads it as missing, and that option then gives the predictions of the same row with the cell
left empty (what the model fills), or, for a model that cannot fill gaps, says so."""
import shlex

import numpy as np
import pandas as pd
from conftest import cmd


def _train(tmp_path, *impute):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=80).round(3), "b": rng.normal(size=80).round(3)})
    df["y"] = np.where(df.a + df.b > 0, "up", "down")
    df.loc[3, "a"] = np.nan if impute else df.loc[3, "a"]
    df.to_csv(tmp_path / "train.csv", index=False)
    out = cmd("train", tmp_path / "train.csv", "--target", "y", "--epochs", "2", *impute,
              "--out", tmp_path / "m.npz", "--quiet")
    assert out.returncode == 0, out.stderr
    new = df.head(6).astype(str)
    new.loc[:, "a"] = df["a"].head(6).map("{:.3f}".format)
    return new


def test_a_marker_in_a_numeric_column_is_said_with_the_option_that_reads_it(tmp_path):
    new = _train(tmp_path, "--impute", "median")
    new.loc[2, "a"] = "n/a"
    new.to_csv(tmp_path / "marked.csv", index=False)
    new.loc[2, "a"] = ""
    new.to_csv(tmp_path / "blank.csv", index=False)
    refused = cmd("predict", tmp_path / "m.npz", tmp_path / "marked.csv", "--proba")
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "line 4 has 'n/a'" in said, said
    option = said.split("give ")[1].split(" (")[0]
    assert option == "--na-values 'n/a'" and "the model fills it with" in said, said
    told = cmd("predict", tmp_path / "m.npz", tmp_path / "marked.csv", "--proba", *shlex.split(option))
    blank = cmd("predict", tmp_path / "m.npz", tmp_path / "blank.csv", "--proba")
    assert told.returncode == 0 and blank.returncode == 0, told.stderr + blank.stderr
    assert told.stdout == blank.stdout


def test_a_marker_for_a_model_without_impute_says_it_cannot_be_filled(tmp_path):
    new = _train(tmp_path)
    new.loc[1, "b"] = "?"
    new.to_csv(tmp_path / "marked.csv", index=False)
    refused = cmd("evaluate", tmp_path / "m.npz", tmp_path / "marked.csv")
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "line 3 has '?'" in said and "trained without --impute" in said, said


def test_a_number_with_text_gets_no_marker_advice(tmp_path):
    new = _train(tmp_path, "--impute", "mean")
    new.loc[1, "b"] = "3 kg"
    new.to_csv(tmp_path / "marked.csv", index=False)
    refused = cmd("predict", tmp_path / "m.npz", tmp_path / "marked.csv")
    assert refused.returncode == 2 and "3 kg" in refused.stderr and "na-values" not in refused.stderr


def test_the_advised_option_reads_the_marker_or_none_is_advised(tmp_path):
    # --na-values splits at commas and strips spaces: a spreadsheet's 'n/a ' or a cell ',' it cannot read
    new = _train(tmp_path, "--impute", "median")
    for cell in ("n/a ", " - ", ","):
        new.loc[2, "a"] = cell
        new.to_csv(tmp_path / "marked.csv", index=False)
        refused = cmd("predict", tmp_path / "m.npz", tmp_path / "marked.csv")
        said = " ".join(refused.stderr.split())
        assert refused.returncode == 2 and "line 4 has" in said, said
        if "give --na-values" in said:
            option = said.split("give ")[1].split(" (")[0]
            told = cmd("predict", tmp_path / "m.npz", tmp_path / "marked.csv", *shlex.split(option))
            assert told.returncode == 0, f"{cell!r}: {option} advised, then: {told.stderr}"
