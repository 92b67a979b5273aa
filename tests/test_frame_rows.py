"""A DataFrame given as it is (Preprocessing.fit, transform) has no file lines: its errors said "on line N"
(its position + 2, a line of no file); they name its row by its index label, a CSV file's rows by their line."""
import numpy as np
import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ValidationError

TRAIN = pd.DataFrame({"x": [1.0, 2, 3, 4, 5, 6], "c": list("ababab"), "y": [0, 1] * 3})


@pytest.mark.parametrize("bad, said", [
    (pd.DataFrame({"x": [1.0, np.nan], "c": ["a", "b"]}, index=["p", "q"]), "a missing value in 'x' on row 'q';"),
    (pd.DataFrame({"x": [1.0, np.inf], "c": ["a", "b"]}, index=[50, 60]), "column 'x' has an infinite value on row 60"),
    (pd.DataFrame({"x": [1.0, 2], "c": [None, "b"]}, index=[50, 60]), "a missing value in 'c' on row 50;"),
    (pd.DataFrame({"x": [1.0, np.nan, np.nan], "c": ["a"] * 3}, index=[7, 8, 9]),
     "missing values in 'x' on rows 8 and 9;"),
])
def test_transform_names_a_frames_row_by_its_label(bad, said):
    pre = Preprocessing.fit(TRAIN, "y")
    with pytest.raises(ValidationError) as info:
        pre.transform(bad)
    assert said in str(info.value) and "line" not in str(info.value)


@pytest.mark.parametrize("train, said", [
    (pd.DataFrame({"x": [1.0, np.nan, 3, 4], "y": [0, 1, 0, 1]}, index=[7, 8, 9, 10]), "in 'x' on row 8"),
    (pd.DataFrame({"x": ["1,5", "2,5", "3", "4"], "y": [0, 1, 0, 1]}, index=[7, 8, 9, 10]), "'1,5' on row 7)"),
    (pd.DataFrame({"x": [1.0, 2, 3, 4], "y": [0, None, 0, 1]}, index=["a", "b", "c", "d"]),
     "target column 'y' has a missing value on row 'b'"),
])
def test_fit_names_a_frames_row_by_its_label(train, said):
    with pytest.raises(ValidationError) as info:
        Preprocessing.fit(train, "y")
    assert said in str(info.value) and "line" not in str(info.value)


def test_a_csv_files_rows_are_still_named_by_their_lines(tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n1,0\n\n,1\n3,0\n")       # a blank line: the gap is on line 4
    with pytest.raises(ValidationError, match="a missing value in 'x' on line 4"):
        Preprocessing.fit(read_csv(str(tmp_path / "t.csv")), "y")
