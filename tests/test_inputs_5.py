"""What data goes in, fifth reading: pandas' string columns of numbers (converted by the estimators, as
scikit-learn's check_array converts them; named with the conversion by Network), missing targets named
by row, pyarrow-backed frames (dtype_backend="pyarrow") against the same frames in NumPy dtypes, and the
neighbours: Decimal, sparse, Period, Interval, complex and pyarrow date columns."""
import decimal
import io
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier
from sklearn.utils import check_array

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

N = 24
RNG = np.random.default_rng(5)
A = np.round(RNG.normal(size=N), 3)
B = np.round(RNG.normal(size=N), 3)
Y = (A + B > 0).astype(int)
FLOATS = pd.DataFrame({"a": A, "b": B})


def _net(n_in=2):
    return cr.Network([cr.Dense(n_in, 3, "tanh"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)


def _fit_predict(est, X, y=Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return est.fit(X, y).predict(X)


def _string_dtypes():
    dtypes = ["string[python]", "str", object]
    try:
        import pyarrow  # noqa: F401
        dtypes.append("string[pyarrow]")
    except ImportError:
        pass
    return dtypes


# --- 1. numbers written as text in a pandas column ----------------------------------------------------

@pytest.mark.parametrize("dtype", _string_dtypes(), ids=str)
def test_a_string_column_of_numbers_is_read_as_numbers_by_the_estimators_as_by_scikit_learn(dtype):
    X = FLOATS.assign(a=pd.Series([str(float(v)) for v in A], dtype=dtype))
    np.testing.assert_array_equal(check_array(X, dtype=np.float64), FLOATS.to_numpy())   # scikit-learn's reading
    MLPClassifier(max_iter=2).fit(X, Y)                  # scikit-learn takes it (no error)
    for est in (BackpropClassifier, BackpropRegressor):
        np.testing.assert_array_equal(_fit_predict(est(epochs=3, random_state=0), X),
                                      _fit_predict(est(epochs=3, random_state=0), FLOATS))


def test_a_column_mixing_numbers_and_numbers_as_text_is_read_as_numbers_by_the_estimators():
    X = FLOATS.assign(a=pd.Series([v if k % 2 else str(float(v)) for k, v in enumerate(A)], dtype=object))
    np.testing.assert_array_equal(check_array(X, dtype=np.float64), FLOATS.to_numpy())
    np.testing.assert_array_equal(_fit_predict(BackpropClassifier(epochs=3, random_state=0), X),
                                  _fit_predict(BackpropClassifier(epochs=3, random_state=0), FLOATS))


@pytest.mark.parametrize("dtype", _string_dtypes(), ids=str)
def test_a_string_column_with_text_or_a_gap_is_named_by_the_estimators(dtype):
    cells = [str(float(v)) for v in A]
    text = FLOATS.assign(a=pd.Series(cells[:5] + ["green"] + cells[6:], dtype=dtype))
    with pytest.raises(ValidationError, match=r"^X column 'a' must be numeric; it holds text \('green'\)"):
        BackpropClassifier(epochs=1).fit(text, Y)
    for gap in (None, "nan"):                            # 'nan' is read as NaN by check_array: missing too
        missing = FLOATS.assign(a=pd.Series(cells[:7] + [gap] + cells[8:], dtype=dtype))
        with pytest.raises(ValidationError, match=r"^X column 'a' has 1 missing value \(NaN or NA; first in row 7\)"):
            BackpropRegressor(epochs=1).fit(missing, A)


@pytest.mark.parametrize("dtype", _string_dtypes(), ids=str)
def test_network_names_numbers_written_as_text_with_the_conversion_that_works(dtype):
    X = FLOATS.assign(a=pd.Series([str(float(v)) for v in A], dtype=dtype))
    message = (r"^X column 'a' must be numeric; got pandas dtype .*: it holds numbers written as text "
               r"\('-?[0-9.]+' in row 0\); convert them first: X\['a'\]\.astype\(float\)$")
    with pytest.raises(ChainruleTypeError, match=message):
        _net().predict(X)
    fixed = X.assign(a=X["a"].astype(float))            # the advice, applied
    np.testing.assert_array_equal(_net().predict(fixed), _net().predict(FLOATS.to_numpy()))
    text = FLOATS.assign(a=pd.Series(["x"] * N, dtype=dtype))
    with pytest.raises(ChainruleTypeError, match=r"^X column 'a' must be numeric; got pandas dtype .*: it holds text "
                                                 r"\('x' in row 0\): encode text"):
        _net().predict(text)


# --- 2. missing targets, named by row ---------------------------------------------------------------

def _with_gaps(values, rows, gap):
    return [gap if k in rows else v for k, v in enumerate(values)]


@pytest.mark.parametrize("make_y", [
    lambda: _with_gaps(Y.tolist(), {3, 9}, None),
    lambda: _with_gaps(Y.tolist(), {3, 9}, np.nan),
    lambda: _with_gaps(Y.tolist(), {3, 9}, pd.NA),
    lambda: np.array(_with_gaps(Y.astype(float), {3, 9}, np.nan)),
    lambda: pd.Series(_with_gaps(Y.tolist(), {3, 9}, None), dtype="Int64"),
    lambda: pd.Series(_with_gaps(Y.astype(float).tolist(), {3, 9}, None), dtype="Float64"),
], ids=["None", "nan", "pd.NA", "ndarray", "Int64", "Float64"])
def test_a_missing_target_is_named_with_its_rows_and_count(make_y):
    y = make_y()
    assert int(pd.isna(pd.Series(list(y), dtype=object)).sum()) == 2          # the truth: two gaps, rows 3 and 9
    message = r"^y has 2 missing values \(NaN, None or NA\) in 2 samples, first in rows 3, 9: "
    for est in (BackpropClassifier(epochs=1), BackpropRegressor(epochs=1)):
        with pytest.raises(ValidationError, match=message):
            est.fit(FLOATS, y)
    with pytest.raises(ValidationError, match=message):
        BackpropClassifier(epochs=1).partial_fit(FLOATS, y, classes=[0, 1])


@pytest.mark.parametrize("gap", [None, np.nan, pd.NA], ids=repr)
def test_a_missing_text_label_is_named_not_learned_as_a_class(gap):
    labels = _with_gaps(np.where(Y == 1, "yes", "no").tolist(), {4}, gap)
    y = pd.Series(labels, index=[f"r{k}" for k in range(N)], dtype=object)
    with pytest.raises(ValidationError, match=r"^y has 1 missing value \(NaN, None or NA\) in 1 sample, first in row "
                                              r"'r4': a network cannot learn from a missing target"):
        BackpropClassifier(epochs=1).fit(FLOATS.set_axis(y.index), y)
    if gap is np.nan:                  # the silent result the check prevents: NumPy reads NaN among text as 'nan'
        assert "nan" in np.asarray(labels).tolist()


def test_a_two_column_target_names_the_rows_not_the_cells():
    y = np.column_stack([A, B])
    y[[2, 2, 6], [0, 1, 1]] = np.nan
    with pytest.raises(ValidationError, match=r"^y has 3 missing values \(NaN, None or NA\) in 2 samples, first in "
                                              r"rows 2, 6: "):
        BackpropRegressor(epochs=1).fit(FLOATS, y)


# --- 3. pyarrow-backed frames ---------------------------------------------------------------------------

CSV = "i,f,fna,flag,day,s,y\n" + "".join(
    f"{k},{a},{'' if k == 5 else b},{'true' if a > 0 else 'false'},2024-03-{k + 1:02d},{'uvw'[k % 3]},{y}\n"
    for k, (a, b, y) in enumerate(zip(A, B, Y)))


def _frames():
    pytest.importorskip("pyarrow")      # pyarrow's reader parses the dates (date32); pandas' with parse_dates
    return (pd.read_csv(io.StringIO(CSV), dtype_backend="pyarrow", engine="pyarrow"),
            pd.read_csv(io.StringIO(CSV), parse_dates=["day"]))


@pytest.mark.parametrize("columns", [["i", "f"], ["i", "f", "flag"]])
def test_pyarrow_frames_train_and_predict_as_the_same_frames_in_numpy_dtypes(columns):
    arrow, numpy_frame = _frames()
    assert all(str(arrow[c].dtype).endswith("[pyarrow]") for c in columns)
    Xa, Xn = arrow[columns], numpy_frame[columns]
    np.testing.assert_array_equal(check_array(Xa, dtype=np.float64), check_array(Xn, dtype=np.float64))
    for est in (BackpropClassifier, BackpropRegressor):
        np.testing.assert_array_equal(_fit_predict(est(epochs=3, random_state=0), Xa, arrow["y"]),
                                      _fit_predict(est(epochs=3, random_state=0), Xn, numpy_frame["y"]))
    nets = [_net(len(columns)) for _ in range(2)]
    for net, X, frame in zip(nets, (Xa, Xn), (arrow, numpy_frame)):
        net.fit(X, frame[["y"]], epochs=3, batch_size=8, verbose=0)
    np.testing.assert_array_equal(nets[0].predict(Xa), nets[1].predict(Xn))


def test_pyarrow_columns_with_gaps_text_and_dates_are_refused_as_the_numpy_ones():
    arrow, numpy_frame = _frames()
    assert str(arrow["day"].dtype) == "date32[day][pyarrow]" and str(arrow["s"].dtype) == "string[pyarrow]"
    for column, message in (("fna", r"X column 'fna' has 1 missing value \(.*first in row 5\)"),
                            ("s", r"X column 's' must be numeric; .*holds text \('u'"),
                            ("day", r"X column 'day' is a date/time column \(pandas dtype .*\), not numbers")):
        for frame in (arrow, numpy_frame):
            with pytest.raises(ValidationError, match=message):
                BackpropClassifier(epochs=1).fit(frame[["i", column]], Y)
            with pytest.raises((ValidationError, ChainruleTypeError), match=message):
                _net().predict(frame[["i", column]])


@pytest.mark.parametrize("arrow_type", ["date32", "duration"])
def test_pyarrow_dates_and_durations_are_named_not_a_numpy_type_error(arrow_type):
    pa = pytest.importorskip("pyarrow")
    if arrow_type == "date32":
        column = pd.Series(pd.date_range("2024-01-01", periods=N).date, dtype=pd.ArrowDtype(pa.date32()))
        message = r"^X column 'd' is a date/time column \(pandas dtype date32\[day\]\[pyarrow\]\)"
    else:
        column = pd.Series(pd.to_timedelta(np.arange(N), unit="h")).astype("duration[s][pyarrow]")
        message = r"^X column 'd' is a column of time spans \(pandas dtype duration\[s\]\[pyarrow\]\)"
    X = FLOATS.assign(d=column)
    with pytest.raises(ValidationError, match=message):
        BackpropRegressor(epochs=1).fit(X, A)
    with pytest.raises(ChainruleTypeError, match=message):
        _net(3).predict(X)


# --- 4. neighbours: Decimal, sparse, Period, Interval, complex --------------------------------------------

@pytest.mark.parametrize("arrow", [False, True], ids=["object", "pyarrow"])
def test_a_decimal_column_is_read_as_its_numbers_by_network_as_by_scikit_learn(arrow):
    decimals = pd.Series([decimal.Decimal(str(float(v))) for v in A], dtype=object)
    if arrow:
        pa = pytest.importorskip("pyarrow")
        decimals = decimals.astype(pd.ArrowDtype(pa.decimal128(12, 3)))
    X = FLOATS.assign(a=decimals)
    np.testing.assert_array_equal(check_array(X, dtype=np.float64), FLOATS.to_numpy())
    np.testing.assert_array_equal(_net().predict(X), _net().predict(FLOATS.to_numpy()))
    np.testing.assert_array_equal(_fit_predict(BackpropClassifier(epochs=3, random_state=0), X),
                                  _fit_predict(BackpropClassifier(epochs=3, random_state=0), FLOATS))


def test_a_decimal_nan_is_a_missing_value_for_network():
    X = np.array([[decimal.Decimal("1.5"), 2.0], [decimal.Decimal("NaN"), 1.0]], dtype=object)
    with pytest.raises(ValidationError, match=r"^X has a missing value \(Decimal\('NaN'\) at index \(1, 0\)\)"):
        _net().predict(X)


def test_a_pandas_sparse_column_is_read_as_its_values_by_network():
    X = FLOATS.assign(a=pd.arrays.SparseArray(np.where(A > 0, A, 0.0)))
    dense = FLOATS.assign(a=np.where(A > 0, A, 0.0)).to_numpy()
    np.testing.assert_array_equal(check_array(X), dense)
    np.testing.assert_array_equal(_net().predict(X), _net().predict(dense))


@pytest.mark.parametrize("column, kind", [
    (pd.period_range("2024-01", periods=N, freq="M"), "period"),
    (pd.interval_range(0, N), "interval"),
    (A + 1j, "complex"),
], ids=["period", "interval", "complex"])
def test_columns_of_other_values_than_numbers_are_named_by_column(column, kind):
    X = FLOATS.assign(c=column)
    with pytest.raises(Exception) as theirs:            # scikit-learn names no column
        MLPClassifier(max_iter=1).fit(X, Y)
    assert "'c'" not in str(theirs.value)
    with pytest.raises(ValidationError, match=rf"^X column 'c' must be numeric; got {kind} values \(pandas dtype "):
        BackpropClassifier(epochs=1).fit(X, Y)
    if kind != "complex":                                 # Network: "X must be real", its own words, already
        with pytest.raises(ChainruleTypeError, match=r"^X column 'c' must be numeric; got pandas dtype .*: it holds a "
                                                     r"value of type (Period|Interval) \(.* in row 0\), not a number"):
            _net(3).predict(X)


def test_docs_show_the_missing_target_message_as_raised():
    from test_api_inputs import _documented
    with pytest.raises(ValidationError) as info:
        BackpropClassifier(epochs=1).fit(np.arange(8.0).reshape(4, 2), [0, None, 1, np.nan])
    assert _documented()["estimator y missing"] == ("ValidationError", str(info.value))
