"""Cells among numbers that are not missing values: a yes/no word or a date gets no advice to read it as missing
(it would be lost); a number pandas keeps as text ('−3') beside '?' is named as such, not read as missing; a
target of few values with such a number is said to be read as classes; Python's reader is given Python, not sed."""
import io
import re
import warnings

import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.columns import ColumnWarning
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError


def file_text(cells, column="x", n=40):
    """`n` rows of numbers in x and y, but for `cells` ({row: cell}) in `column`; row r is on line r + 2."""
    rows = [{"x": f"{i * 0.25:g}", "y": f"{(i * 7) % 11 - 5}"} for i in range(n)]
    for r, cell in cells.items():
        rows[r][column] = cell
    return "x,y\n" + "".join(f"{row['x']},{row['y']}\n" for row in rows)


@pytest.mark.parametrize("cells, said", [
    ({7: "true"}, "'true' is a yes/no word"), ({7: "2021-03-04"}, "'2021-03-04' is a date"),
    ({7: "Yes", 9: "12/31/2020"}, "'Yes' is a yes/no word and '12/31/2020' a date")])
def test_yes_no_words_and_dates_among_numbers_are_not_advised_as_missing(tmp_path, cells, said):
    text = file_text(cells)
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(text))["x"])     # pandas: text too
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(ValidationError) as info:
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", task="regression")
    assert said in str(info.value) and "na_values" not in str(info.value) and "on line 9" in str(info.value)
    assert "text_columns=['x']" in str(info.value)
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
              "--out", tmp_path / "m.npz")
    assert out.returncode != 0 and said in out.stderr and "--na-values" not in out.stderr, out.stderr
    out = cmd("train", tmp_path / "d.csv", "--target", "x", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert out.returncode != 0 and said in out.stderr and "--task classification" in out.stderr, out.stderr
    assert "--na-values" not in out.stderr


def test_an_odd_number_beside_a_marker_is_named_not_read_as_missing(tmp_path):
    text = file_text({7: "\u22123", 3: "?", 11: "?"})
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", task="regression")
    message = str(info.value)
    assert "Unicode minus" in message and "'\u22123' on line 9" in message and "sed" not in message
    assert "'\u22123'" not in message.split("too")[-1]          # not among the cells to read as missing
    # following the advice, Python's code and the markers, pandas reads the column as the numbers meant
    code = re.search(r"read\(\)(\.replace\([^)]*\))", message).group(1)
    fixed = eval("text" + code, {"text": text})
    na = re.search(r"na_values=(\[[^]]*\])", message).group(1)
    x = pd.read_csv(io.StringIO(fixed), na_values=eval(na))["x"]
    assert pd.api.types.is_float_dtype(x) and x[7] == -3.0 and x[[3, 11]].isna().all()
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
              "--out", tmp_path / "m.npz")
    assert out.returncode != 0 and "'\u22123' on line 9" in out.stderr and "--na-values '?'" in out.stderr
    assert "sed 's/\\xe2\\x88\\x92/-/g'" in out.stderr, out.stderr


def test_a_target_of_few_values_made_classes_by_an_odd_number_is_said(tmp_path):
    text = file_text({7: "\u22121"}, column="y")
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(io.StringIO(text))["y"])      # pandas: text, so classes
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    with pytest.warns(ColumnWarning, match="'\u22121' on line 9.*classes as written") as said:
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y")
    assert not any("sed" in str(w.message) for w in said)
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz")
    assert out.returncode == 0 and "'\u22121' on line 9" in out.stderr and "--task regression" in out.stderr
    with warnings.catch_warnings():                  # a task given: the user chose classes, nothing said
        warnings.simplefilter("error", ColumnWarning)
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", task="classification")


def test_python_readers_get_python_not_sed_for_no_break_spaces(tmp_path):
    text = file_text({7: "\u00a07"})
    (tmp_path / "d.csv").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        Preprocessing.fit(read_csv(tmp_path / "d.csv"), "y", task="regression")
    message = str(info.value)
    assert "sed" not in message and "FILE > NEW" not in message
    code = re.search(r"read\(\)(\.replace\([^)]*\))", message).group(1)
    x = pd.read_csv(io.StringIO(eval("text" + code, {"text": text})))["x"]
    assert pd.api.types.is_float_dtype(x) and x[7] == 7.0


def test_a_header_repeated_mid_file_is_named_as_such(tmp_path):
    """Two files joined with their headers (cat a.csv b.csv): pandas reads the second header as a row of text, so
    every column is text; chainrule names the line as the header again, read whole or streamed."""
    part = "".join(f"{i * 0.5},{i % 7},{i * 1.5 + 1}\n" for i in range(20))
    text = "a,b,y\n" + part + "a,b,y\n" + part
    assert not any(pd.api.types.is_numeric_dtype(t) for t in pd.read_csv(io.StringIO(text)).dtypes)
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(ValidationError, match="repeats its header on line 22 .*cat a.csv b.csv"):
        read_csv(tmp_path / "d.csv")
    for extra in ([], ["--stream"]):
        out = cmd("train", tmp_path / "d.csv", "--target", "y", "--epochs", "1", "--out", tmp_path / "m.npz", *extra)
        assert out.returncode != 0 and "line 22" in out.stderr and "cat a.csv b.csv" in out.stderr, out.stderr
        assert "yes/no" not in out.stderr
    fixed = "a,b,y\n" + part + part                  # without that line: numbers, read as pandas reads them
    (tmp_path / "f.csv").write_text(fixed)
    pd.testing.assert_frame_equal(read_csv(tmp_path / "f.csv"), pd.read_csv(io.StringIO(fixed)), check_dtype=False)


def test_gaps_and_markers_in_one_column_are_said_in_one_error(tmp_path):
    """A column of numbers with empty cells and '?', 'N/A', '-': the error named the gaps alone ("missing values
    ... use --impute"), and after --impute the markers; now one error gives both ways out, whole or streamed."""
    markers = ["N/A", "", "?", "-"]
    text = "a,b,y\n" + "".join(f"{i},{markers[i % 4] if i % 5 == 0 else i * 2},{i * 1.5}\n" for i in range(30))
    (tmp_path / "d.csv").write_text(text)
    for extra in ([], ["--stream"]):
        out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
                  "--out", tmp_path / "m.npz", *extra)
        assert out.returncode != 0 and "--impute" in out.stderr, out.stderr
        given = re.search(r"--na-values '([^']*)'", out.stderr).group(1)
        assert sorted(given.split(",")) == ["-", "?", "N/A"], out.stderr
    b = pd.read_csv(io.StringIO(text), na_values=["", *given.split(",")], keep_default_na=False)["b"]
    assert pd.api.types.is_float_dtype(b) and b.isna().sum() == 6               # pandas' reading of the advice
    out = cmd("train", tmp_path / "d.csv", "--target", "y", "--task", "regression", "--epochs", "1",
              "--out", tmp_path / "m.npz", "--na-values", given, "--impute", "mean")
    assert out.returncode == 0, out.stderr
