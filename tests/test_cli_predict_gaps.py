"""predict and evaluate refuse the gaps a model cannot fill by naming every column that has some, each with its
lines (they named the first column only), as pandas finds them; a header-only file is said to have no rows."""
import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _model(tmp_path, columns):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(60, len(columns))), columns=columns)
    frame["y"] = (frame[columns[0]] > 0).astype(int)
    path, model = tmp_path / "train.csv", tmp_path / "m.npz"
    frame.to_csv(path, index=False)
    r = cmd("train", path, "--target", "y", "--out", model, "--epochs", "1", "--quiet")
    assert r.returncode == 0, r.stderr
    return frame, model


def _pandas_gaps(path):
    """{column: its file lines with a gap}, by pandas.read_csv's own reading (the header is line 1)."""
    read = pd.read_csv(path)
    return {c: [int(i) + 2 for i in np.flatnonzero(read[c].isna())] for c in read.columns if read[c].isna().any()}


@pytest.mark.parametrize("command", ["predict", "evaluate"])
@pytest.mark.parametrize("chunk_rows", ["100000", "7"])
def test_every_column_with_gaps_is_named_with_its_lines(tmp_path, command, chunk_rows):
    frame, model = _model(tmp_path, ["a", "b", "c"])
    frame = frame.astype(object)
    frame.loc[[2, 30], "a"] = None
    frame.loc[45, "c"] = None                       # in a later chunk than the first gap
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    truth = _pandas_gaps(path)
    assert truth == {"a": [4, 32], "c": [47]}
    r = cmd(command, model, path, "--chunk-rows", chunk_rows)
    assert r.returncode == 2, r.stderr
    assert "missing values in 2 columns: 'a' on lines 4 and 32; 'c' on line 47; the model was trained without " \
           "gaps there" in r.stderr, r.stderr


def test_many_columns_with_gaps_are_named_up_to_a_cap(tmp_path):
    names = [f"x{i}" for i in range(12)]
    frame, model = _model(tmp_path, names)
    frame = frame.astype(object)
    for i, c in enumerate(names):
        frame.loc[i, c] = None
    path = tmp_path / "gaps.csv"
    frame.to_csv(path, index=False)
    assert len(_pandas_gaps(path)) == 12
    r = cmd("predict", model, path)
    assert r.returncode == 2 and "missing values in 12 columns: 'x0' on line 2; 'x1' on line 3;" in r.stderr, r.stderr
    assert "'x7' on line 9; and 4 more columns; the model" in r.stderr, r.stderr


@pytest.mark.parametrize("command", ["predict", "evaluate"])
def test_a_header_only_file_is_said_to_have_no_rows(tmp_path, command):
    frame, model = _model(tmp_path, ["a", "b"])
    path = tmp_path / "empty.csv"
    frame.head(0).to_csv(path, index=False)
    assert len(pd.read_csv(path)) == 0
    r = cmd(command, model, path)
    assert r.returncode == 2 and r.stderr.endswith(f"CSV file '{path}' has a header but no data rows\n"), r.stderr
