"""A training column of numbers but for a few placeholder cells: the --na-values train advises reads every one of
them, so that training with it (and --impute) then succeeds; where the option cannot read a cell as written ('n/a '
with a spreadsheet's trailing space, ',' which it splits at), none is advised. Read whole or with --stream alike."""
import shlex

import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _file(tmp_path, cells, column="a"):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(size=60).round(3).astype(str), "b": rng.normal(size=60).round(3)})
    df["y"] = np.where(df.b > 0, 1.5, -0.5) + rng.normal(size=60).round(2)
    df[column] = df[column].astype(str)
    for row, cell in zip((3, 9, 17), cells):
        df.loc[row, column] = cell
    df.to_csv(tmp_path / "t.csv", index=False)
    return tmp_path / "t.csv"


def _train(path, *options):
    out = cmd("train", path, "--target", "y", "--epochs", "1", "--out", path.parent / "m.npz", "--quiet", *options)
    return out.returncode, " ".join(out.stderr.split())


@pytest.mark.parametrize("stream", [[], ["--stream"]])
@pytest.mark.parametrize("cells", [["n/a ", "n/a "], [",", ","], [" - ", "-"], ["?", "n/a", "?"],
                                   ["NULL", "missing"]])
def test_the_advised_na_values_reads_every_placeholder_or_none_is_advised(tmp_path, cells, stream):
    path = _file(tmp_path, cells)
    code, said = _train(path, *stream)
    assert code == 2 and "column 'a' is numbers except" in said, said
    readable = all(c == c.strip() and "," not in c for c in cells)     # --na-values strips and splits at commas
    assert ("--na-values" in said) == readable, said
    if readable:
        option = said.split("Give ")[1].split(" to read")[0]
        code, again = _train(path, *stream, *shlex.split(option), "--impute", "median")
        assert code == 0, f"{cells}: {option} advised, then: {again}"


def test_a_target_placeholder_the_option_cannot_read_is_not_advised(tmp_path):
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"a": rng.normal(size=80).round(3)})
    df["y"] = (rng.normal(size=80) * 1000).round(2).astype(str)     # a continuous target, one value a row
    df.loc[5, "y"] = "n/a "
    df.to_csv(tmp_path / "t.csv", index=False)
    code, said = _train(tmp_path / "t.csv")
    assert code == 2 and "target column 'y' is numbers except 1 of 80 cells ('n/a '" in said, said
    assert "na-values" not in said, said
    df.loc[5, "y"] = "n/a"
    df.to_csv(tmp_path / "t.csv", index=False)
    code, said = _train(tmp_path / "t.csv")
    assert code == 2 and "Give --na-values 'n/a' to read such cells as missing" in said, said
