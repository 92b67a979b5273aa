"""Cells pandas.read_csv reads as missing by default (None, null, N/A, ...) that chainrule reads as text, as
docs/tabular.md says: train names them where a column holds them, with the --na-values that reads them as pandas
does; a number column's placeholder says pandas reads it as missing; and a 'None' cell met only in train's own
validation rows is an unseen value there, as a sweep's fold reads it, not a gap that stops training."""
import io

import numpy as np
import pandas as pd
import pytest
from conftest import cmd


def _frame(rows=60, seed=0):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"x": rng.normal(size=rows).round(3), "c": rng.choice(["a", "b", "N/A", "None"], rows)})
    frame["y"] = (frame["x"] > 0).astype(int)
    return frame


@pytest.mark.parametrize("stream", [False, True])
def test_text_cells_pandas_reads_as_missing_are_named_with_the_option(tmp_path, stream):
    path = tmp_path / "d.csv"
    _frame().to_csv(path, index=False)
    pandas_missing = sorted(set(pd.read_csv(path, keep_default_na=False)["c"]) - set(pd.read_csv(path)["c"].dropna()))
    assert pandas_missing == ["N/A", "None"]            # the truth: pandas' own reading of the file
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", *["--stream"] * stream)
    assert r.returncode == 0, r.stderr
    assert ("'N/A' and 'None' kept as categories, which pandas.read_csv reads as missing: give --na-values "
            "'N/A,None' to read them so") in r.stderr, r.stderr
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", "--na-values", "N/A,None",
            *["--stream"] * stream)                     # the advice taken: read as pandas reads them
    lines = sorted(int(i) + 2 for i in np.flatnonzero(pd.read_csv(path)["c"].isna()))
    said = f"missing values in 'c' on lines {lines[0]}, {lines[1]},"
    assert r.returncode == 2 and said in r.stderr, r.stderr


def test_a_number_columns_placeholder_says_pandas_reads_it_as_missing(tmp_path):
    frame = _frame()
    frame["x"] = frame["x"].astype(object)
    frame.loc[4, "x"] = "NULL"
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    assert pd.read_csv(path)["x"].isna().sum() == 1
    r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1")
    assert r.returncode == 2 and "('NULL'; first on line 6)" in r.stderr and r.stderr.endswith(
        "to use the column as text categories (it is missing to pandas.read_csv by default, text to chainrule unless "
        "told)\n"), r.stderr


@pytest.mark.parametrize("stream", [False, True])
def test_a_none_cell_only_in_the_validation_rows_does_not_stop_training(tmp_path, stream):
    frame = _frame(seed=1)
    frame["c"] = frame["c"].replace({"None": "a"})
    path = tmp_path / "d.csv"
    for row in range(len(frame)):        # one 'None' on each row in turn until one lands among the validation rows
        frame.loc[row, "c"], previous = "None", frame.loc[row, "c"]
        frame.to_csv(path, index=False)
        r = cmd("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", "--seed", "0",
                *["--stream"] * stream)
        assert r.returncode == 0, r.stderr
        if "unseen in training" in r.stderr:
            break
        frame.loc[row, "c"] = previous
    else:
        pytest.fail("no row's 'None' was among the validation rows")
    info = cmd("info", tmp_path / "m.npz").stdout
    assert "'None'" not in info and "'N/A'" in info       # a category of the training rows only
    assert pd.read_csv(io.StringIO(path.read_text()), keep_default_na=False)["c"].eq("None").sum() == 1


def test_the_na_values_advised_keep_those_given(tmp_path):
    """--na-values replaces the markers given before: the advice named only pandas' ones, so taking it read '?' as a
    category again."""
    frame = _frame()
    frame.loc[7, "c"] = "?"
    path = tmp_path / "d.csv"
    frame.to_csv(path, index=False)
    train = ("train", path, "--target", "y", "--out", tmp_path / "m.npz", "--epochs", "1", "--impute", "most_frequent")
    r = cmd(*train, "--na-values", "?")
    advised = r.stderr.split("give --na-values '")[1].split("'")[0]
    truth = sorted(pd.read_csv(path, na_values=["?"])["c"].dropna().unique())   # pandas' defaults and the '?' given
    assert truth == ["a", "b"]
    r = cmd(*train, "--na-values", advised)
    assert r.returncode == 0 and f"text column 'c': {len(truth)} categories," in r.stderr, r.stderr
