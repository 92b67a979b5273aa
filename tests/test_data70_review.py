"""A spreadsheet error cell in a file to predict or in a regression target is named as in training; a DataFrame's
repeated header is refused with advice whose line of Python fits; a nullable Int64 column with a gap is imputed."""
import re

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ValidationError


def column(cell=None, n=40):
    x = [f"{i * 0.25:g}" for i in range(n)]
    if cell is not None:
        x[7] = cell                       # line 9
    return x


@pytest.mark.parametrize("error", ["#DIV/0!", "#N/A", "#SPILL!", "Err:502"])
def test_predict_names_a_spreadsheet_error_cell(tmp_path, error):
    (tmp_path / "t.csv").write_text("x,y\n" + "".join(f"{v},{i % 3}\n" for i, v in enumerate(column())))
    (tmp_path / "p.csv").write_text("x\n" + "".join(f"{v}\n" for v in column(error)))
    assert cmd("train", "t.csv", "--target", "y", "--task", "regression", "--epochs", "1", "--out", "m.npz",
               cwd=tmp_path).returncode == 0
    out = cmd("predict", "m.npz", "p.csv", cwd=tmp_path)
    assert out.returncode != 0
    assert f"line 9 has {error!r}: a spreadsheet error cell" in out.stderr and "export the sheet again" in out.stderr


def test_a_regression_target_names_a_spreadsheet_error_cell(tmp_path):
    (tmp_path / "t.csv").write_text("x,y\n" + "".join(f"{i},{v}\n" for i, v in enumerate(column("#REF!"))))
    out = cmd("train", "t.csv", "--target", "y", "--task", "regression", "--epochs", "1", "--out", "m.npz",
              cwd=tmp_path)
    assert out.returncode != 0 and "line 9 has '#REF!': a spreadsheet error cell" in out.stderr


def test_the_repeated_header_advice_for_a_dataframe_fits_when_followed(tmp_path):
    rows = [["x", "y"]] + [[f"{i * 0.5}", f"{i % 3}"] for i in range(6)]
    both = pd.concat([pd.DataFrame(rows), pd.DataFrame(rows[:5])], ignore_index=True)   # header=None, joined
    df = both.iloc[1:].reset_index(drop=True)
    df.columns = list(both.iloc[0])
    with pytest.raises(ValidationError) as caught:
        Preprocessing.fit(df, "y", task="regression")
    line = re.search(r"e\.g\. (df = .*?) where every column", str(caught.value))
    assert line is not None, str(caught.value)
    scope = {"df": df, "pd": pd}
    exec(line.group(1), scope)                                   # the message's own line of Python
    pre = Preprocessing.fit(scope["df"], "y", task="regression")
    assert pre.numeric == ["x"] and len(scope["df"]) == 10


@pytest.mark.parametrize("dtype", ["Int64", "Float64"])
def test_a_nullable_column_with_a_gap_is_imputed_as_simple_imputer(dtype):
    from sklearn.impute import SimpleImputer
    from sklearn.preprocessing import StandardScaler
    a = [None, 2, *range(2, 20)]                                  # mean 10.05: no Int64 value
    df = pd.DataFrame({"a": pd.array(a, dtype=dtype), "y": np.arange(20) % 2})
    pre = Preprocessing.fit(df, "y", impute="mean")
    floats = np.array([np.nan if v is None else v for v in a], dtype=float)[:, None]
    expected = StandardScaler().fit_transform(SimpleImputer(strategy="mean").fit_transform(floats))
    np.testing.assert_allclose(np.asarray(pre.transform(df)), expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("reader", ["file", "stream"])
def test_a_spreadsheet_error_cell_among_target_labels_is_warned(tmp_path, reader):
    from chainrule.data.columns import ColumnWarning
    from chainrule.data.stream import CsvStream
    from chainrule.data.tabular import read_csv
    labels = [str(i % 3) for i in range(40)]
    labels[5] = "#DIV/0!"
    path = tmp_path / "t.csv"
    path.write_text("x,y\n" + "".join(f"{i % 7},{v}\n" for i, v in enumerate(labels)))
    with pytest.warns(ColumnWarning, match=r"target column 'y' has a spreadsheet error cell among its labels, "
                                           r"'#DIV/0!'.*leave those rows out"):
        if reader == "file":
            classes = list(Preprocessing.fit(read_csv(path), "y").classes)
        else:
            with CsvStream(path) as stream:
                classes = list(stream.fit("y").classes)
    assert "#DIV/0!" in classes and len(classes) == 4              # still learnt as written, as pandas reads it
