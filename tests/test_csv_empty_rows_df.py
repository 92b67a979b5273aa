"""pandas' empty rows at a sheet's end (',,' lines, read as rows of missing values) named as such in a DataFrame
given straight to Preprocessing, where its gaps would be refused; pandas.read_csv is the truth of what such a file
holds."""
import io

import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def _sheet(tmp_path, end=",,\n,,\n,,\n"):
    path = tmp_path / "sheet.csv"
    path.write_text("x,c,y\n" + "".join(f"{i},{'ab'[i % 2]},{i % 2}\n" for i in range(6)) + end)
    df = pd.read_csv(path)                                   # the truth: rows of missing values at the end
    n = end.count("\n")
    assert len(df) == 6 + n and df.tail(n).isna().all(axis=None) and not df.head(6).isna().any(axis=None)
    return df


@pytest.mark.parametrize("impute", [None, "mean"])
def test_pandas_empty_rows_at_the_end_are_named_by_fit(tmp_path, impute):
    """fit said "target column 'y' has missing values on rows 6, 7 and 8", not that they are empty rows."""
    df = _sheet(tmp_path)
    with pytest.raises(ValidationError, match=r"^the table's last 3 rows \(rows 6, 7 and 8\) are empty rows \(every "
                       r"column missing\), as pandas.read_csv reads the empty rows a spreadsheet saves below its data"):
        Preprocessing.fit(df, "y", impute=impute)


def test_pandas_empty_rows_at_the_end_are_named_by_transform_and_encode_target(tmp_path):
    df = _sheet(tmp_path, ",,\n")
    pre = Preprocessing.fit(df.iloc[:6], "y")
    said = r"^the table's last row \(row 6\) is an empty row \(every column missing\).*drop it \(df.dropna"
    for call in (pre.transform, pre.encode_target):
        with pytest.raises(ValidationError, match=said):
            call(df)


def test_a_gap_that_is_not_an_empty_row_at_the_end_is_named_as_before(tmp_path):
    """Empty rows in the middle, or a last row with a value, are gaps: named by their rows as before."""
    df = pd.read_csv(io.StringIO("x,c,y\n1,a,0\n,,\n2,b,1\n3,a,\n"))
    with pytest.raises(ValidationError, match=r"^target column 'y' has missing values on rows 1 and 3; "):
        Preprocessing.fit(df, "y")
