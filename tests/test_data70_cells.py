"""A spreadsheet's error cells among numbers are named as such, for the whole-file reader and the streamed one;
target labels that are one yes/no written several ways ('yes' and 'Y') are said, as 'Yes' and 'yes' are; a
DataFrame joined from frames read with header=None is refused for its repeated header, as read_csv refuses one."""
import warnings

import numpy as np
import pandas as pd
import pytest

from chainrule.data.columns import ColumnWarning
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError


def write(path, cells, n=40):
    """`n` rows of numbers in x and y, but for `cells` ({row: cell}) in x; row r is on line r + 2."""
    x = [f"{i * 0.25:g}" for i in range(n)]
    for r, cell in cells.items():
        x[r] = cell
    path.write_text("x,y\n" + "".join(f"{x[i]},{(i * 7) % 11 - 5}\n" for i in range(n)))
    return path


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"])
@pytest.mark.parametrize("reader", ["file", "stream"])
def test_a_spreadsheet_error_cell_is_named_with_its_exact_text_to_read_as_missing(tmp_path, error, reader):
    path = write(tmp_path / "d.csv", {7: error})
    assert not pd.api.types.is_numeric_dtype(pd.read_csv(path, keep_default_na=False)["x"])    # text to pandas too
    with pytest.raises(ValidationError) as caught:
        if reader == "file":
            Preprocessing.fit(read_csv(path), "y", task="regression")
        else:
            with CsvStream(path) as stream:
                stream.fit("y", task="regression")
    said = str(caught.value)
    assert "a spreadsheet error cell" in said and "Export the sheet again" in said and "line 9" in said
    assert f"na_values=[{error!r}]" in said
    # the advice works: read with that exact text as missing, the column is numbers
    assert pd.api.types.is_numeric_dtype(read_csv(path, na_values=[error])["x"])


def test_several_spreadsheet_errors_beside_another_marker_are_named_apart(tmp_path):
    path = write(tmp_path / "d.csv", {7: "#DIV/0!", 9: "?", 11: "#REF!"})
    with pytest.raises(ValidationError, match=r"'#DIV/0!' and '#REF!' are spreadsheet error cells") as caught:
        Preprocessing.fit(read_csv(path), "y", task="regression")
    assert "na_values=['#DIV/0!', '?', '#REF!']" in str(caught.value)


@pytest.mark.parametrize("labels, said", [
    (["yes", "no", "Y", "N"], r"\['N', 'no'\] and \['Y', 'yes'\]"), (["y", "n", "yes", "no"], r"\['n', 'no'\]"),
    (["TRUE", "FALSE", "y", "n"], r"\['FALSE', 'n'\] and \['TRUE', 'y'\]")])
def test_target_labels_that_are_one_yes_no_written_several_ways_are_said(labels, said):
    df = pd.DataFrame({"x": np.arange(40) % 5 * 1.0, "y": labels * 10})
    with pytest.warns(ColumnWarning, match=f"one yes/no written several ways: {said}"):
        pre = Preprocessing.fit(df, "y")
    assert list(pre.classes) == sorted(set(labels))          # still as many classes, as scikit-learn would learn


def test_a_target_only_of_y_and_n_is_no_warning_and_an_input_of_y_n_is_one_input_per_word():
    df = pd.DataFrame({"x": np.arange(40) % 5 * 1.0, "z": ["Y", "N", "y", "n"] * 10, "y": ["y", "n"] * 20})
    with warnings.catch_warnings():
        warnings.simplefilter("error", ColumnWarning)
        pre = Preprocessing.fit(df, "y")
    assert list(pre.classes) == ["n", "y"]
    assert pre.transform(df).shape[1] == 3                  # x, and z's two meanings (not four spellings)


def joined_without_headers(tmp_path):
    """Two files read with header=None and joined: the second file's header is a row, as with `cat a.csv b.csv`."""
    write(tmp_path / "a.csv", {}, n=6)
    write(tmp_path / "b.csv", {}, n=5)
    both = pd.concat([pd.read_csv(tmp_path / name, header=None) for name in ("a.csv", "b.csv")], ignore_index=True)
    df = both.iloc[1:].reset_index(drop=True)
    df.columns = list(both.iloc[0])
    return df


def test_a_dataframe_joined_with_its_headers_is_refused_naming_the_row(tmp_path):
    df = joined_without_headers(tmp_path)
    assert df.iloc[6].tolist() == ["x", "y"]
    with open(tmp_path / "joined.csv", "w") as f:                   # the same rows as a file: read_csv refuses it
        f.write("x,y\n" + "".join(f"{a},{b}\n" for a, b in df.itertuples(index=False)))
    with pytest.raises(ValidationError, match="repeats its header on line 8"):
        read_csv(tmp_path / "joined.csv")
    with pytest.raises(ValidationError, match=r"the DataFrame repeats its header.*on row 6: .*df\[df\['x'\] != 'x'\]"):
        Preprocessing.fit(df, "y", task="regression")
    kept = df[df["x"] != "x"].apply(pd.to_numeric)                 # the advice's line: numbers again, fit as usual
    assert Preprocessing.fit(kept, "y", task="regression").numeric == ["x"]
