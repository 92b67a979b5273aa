"""`Preprocessing` from Python (docs/tabular.md's "From Python"), given what a user has at hand: an array where a
DataFrame goes, column names as one string, outputs of the wrong width or NaN. Each said, naming what was given."""
import numpy as np
import pandas as pd
import pytest

from chainrule.data.tabular import Preprocessing
from chainrule.errors import ChainruleTypeError, ValidationError


def table() -> pd.DataFrame:
    return pd.DataFrame({"age": [20.0, 30, 40, 50, 60, 70], "city": ["x", "y", "x", "y", "z", "x"],
                         "y": ["no", "yes", "no", "yes", "yes", "no"]})


def test_fit_and_transform_refuse_an_array_naming_it():
    """An array failed with "'numpy.ndarray' object has no attribute 'columns'", from deep inside."""
    with pytest.raises(ChainruleTypeError, match="Preprocessing.fit takes a pandas DataFrame.*got ndarray"):
        Preprocessing.fit(table().to_numpy(), "y")
    pre = Preprocessing.fit(table(), "y")
    with pytest.raises(ChainruleTypeError, match=r"transform takes a pandas DataFrame.*got ndarray.*pre\.columns"):
        pre.transform(table()[pre.columns].to_numpy())


def test_encode_target_refuses_an_array_naming_it():
    """fit and transform said an array; encode_target, their neighbour, still failed with "'numpy.ndarray' object
    has no attribute 'columns'"."""
    pre = Preprocessing.fit(table(), "y")
    with pytest.raises(ChainruleTypeError, match="encode_target takes a pandas DataFrame.*got ndarray.*'y'"):
        pre.encode_target(table().to_numpy())


def test_text_columns_given_as_one_string_is_refused():
    """text_columns='city' was read a character a column: "text column 'c' is not in the file"."""
    with pytest.raises(ChainruleTypeError, match=r"text_columns must be a list of column names, e.g. \['city'\]"):
        Preprocessing.fit(table(), "y", text_columns="city")


def test_decode_refuses_outputs_that_are_not_one_per_class():
    """Outputs of 5 columns for 2 classes were decoded (argmax over columns the model has no class for), a 1-D
    array failed as NumPy's AxisError, and a NaN row became the first class, silently."""
    pre = Preprocessing.fit(table(), "y")
    assert list(pre.decode(np.array([[0.9, 0.1], [0.2, 0.8]]))) == ["no", "yes"]
    for wrong in (np.zeros((2, 5)), np.zeros(2)):
        with pytest.raises(ValidationError, match=r"shape \(n_rows, 2\).*got shape"):
            pre.decode(wrong)
    with pytest.raises(ValidationError, match="decode: 1 row's outputs are NaN or infinite.*row 1"):
        pre.decode(np.array([[0.9, 0.1], [np.nan, np.nan]]))
    with pytest.raises(ValidationError, match="decode: 2 rows' outputs are NaN or infinite.*row 0"):
        pre.decode(np.array([[np.inf, 0.1], [np.nan, np.nan]]))


def test_read_csv_refuses_text_columns_given_as_one_string(tmp_path):
    """read_csv(path, text_columns='zip') read the column as numbers, without a word: 'z', 'i', 'p' name no
    column, so the codes 0001 and 1 became one number (with ['zip'], pandas keeps them as written)."""
    from chainrule.data.tabular import read_csv
    path = tmp_path / "codes.csv"
    path.write_text("zip,age,y\n0001,3,a\n1,4,b\n0001,5,a\n")
    assert read_csv(path, text_columns=["zip"])["zip"].tolist() == pd.read_csv(path, dtype={"zip": str})["zip"].tolist()
    with pytest.raises(ChainruleTypeError, match=r"text_columns must be a list of column names, e.g. \['zip'\]"):
        read_csv(path, text_columns="zip")


def test_text_columns_none_means_none_as_run_sweep_reads_it(tmp_path):
    """text_columns=None (run_sweep's "none") failed with "'NoneType' object is not iterable"; it is the default's
    preprocessing, and read_csv reads the file as without it."""
    from chainrule.data.csvfile import read_csv
    default, given = Preprocessing.fit(table(), "y"), Preprocessing.fit(table(), "y", text_columns=None)
    dense = [x.toarray() if hasattr(x, "toarray") else x for x in (given.transform(table()),
                                                                    default.transform(table()))]
    np.testing.assert_array_equal(*dense)
    table().to_csv(tmp_path / "t.csv", index=False)
    pd.testing.assert_frame_equal(read_csv(tmp_path / "t.csv", text_columns=None), read_csv(tmp_path / "t.csv"))
