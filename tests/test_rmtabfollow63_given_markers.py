"""The --na-values train advises for a column of numbers but a few placeholders replaces the one given (the option
does not add to it): it keeps the markers already given, so that following it reads every placeholder, those the
run read as missing already and the ones it still reads as text. Read whole or with --stream alike."""
import shlex

import numpy as np
import pandas as pd
import pytest
from conftest import cmd


@pytest.mark.parametrize("stream", [[], ["--stream"]])
def test_the_advice_keeps_the_markers_already_given(tmp_path, stream):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60).round(3).astype(str), "b": rng.normal(size=60).round(3)})
    df["y"] = df.b * 2 + rng.normal(size=60).round(2)
    df.loc[3, "a"], df.loc[9, "a"] = "?", "n/a"
    df.to_csv(tmp_path / "t.csv", index=False)

    def train(*options):
        out = cmd("train", tmp_path / "t.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
                  "--quiet", "--impute", "median", *stream, *options)
        return out.returncode, " ".join(out.stderr.split())

    code, said = train("--na-values", "?")                     # '?' read as missing, 'n/a' still text
    assert code == 2 and "('n/a'; first on line 11)" in said, said
    option = said.split("Give ")[1].split(" to read")[0]
    code, again = train(*shlex.split(option))
    assert code == 0, f"{option} advised, then: {again}"
    assert (pd.read_csv(tmp_path / "t.csv", na_values=shlex.split(option)[1].split(","), keep_default_na=False)
            ["a"].dtype.kind == "f")                           # pandas too reads the column as numbers so


def test_predicts_advice_keeps_the_markers_given_to_it(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=60).round(3), "b": rng.normal(size=60).round(3)})
    df["y"] = df.b * 2 + rng.normal(size=60).round(2)
    df.to_csv(tmp_path / "clean.csv", index=False)
    new = df.drop(columns="y").head(10).astype(str)
    new.loc[3, "a"], new.loc[6, "a"] = "?", "n/a"
    new.to_csv(tmp_path / "new.csv", index=False)
    trained = cmd("train", tmp_path / "clean.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz",
                  "--quiet", "--impute", "median")
    assert trained.returncode == 0, trained.stderr
    refused = cmd("predict", tmp_path / "m.npz", tmp_path / "new.csv", "--na-values", "?")
    said = " ".join(refused.stderr.split())
    assert refused.returncode == 2 and "line 8 has 'n/a'" in said, said
    option = said.split("give ")[1].split(" (")[0]
    told = cmd("predict", tmp_path / "m.npz", tmp_path / "new.csv", *shlex.split(option))
    assert told.returncode == 0, f"{option} advised, then: {told.stderr}"
