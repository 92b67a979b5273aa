"""More odd inputs through the Python API (test_api_inputs.py's sequel): one sample's target row given
1-D, dates in a DataFrame, a pandas Categorical of numbers as targets, and the data/ messages' row
counts. The truth each is held to: scikit-learn's behaviour on the same input, NumPy's numbers, the
file's rows. docs/errors.md ("Inputs through the Python API") shows the new messages."""
import re

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import LabelEncoder
from test_api_inputs import Y3, X, _documented, clf, regression_net, softmax_net

import chainrule as cr
from chainrule.data.ondisk import encode_csv
from chainrule.data.stream import CsvStream
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.sklearn import BackpropRegressor

# --- one sample's target row, 1-D -----------------------------------------------------------------------

ONE_ROW = "a single sample's target row must be 2-D"


def test_one_samples_one_hot_row_given_1_d_says_to_make_it_2_d(tmp_path):
    row = [0, 1, 0]
    calls = (lambda net, y: net.loss(X[:1], y), lambda net, y: net.gradients(X[:1], y),
             lambda net, y: net.fit(X[:1], y, verbose=0), lambda net, y: net.evaluate(X[:1], y, verbose=0))
    for call in calls:
        with pytest.raises(ValidationError) as info:
            call(softmax_net(), row)
        msg = str(info.value)
        assert msg.startswith("X and Y have different numbers of samples: 1 and 3") and ONE_ROW in msg, msg
        assert "[[0, 1, 0]]" in msg and "np.reshape(Y, (1, -1))" in msg, msg
    # X on disk (a memmap, read batch by batch; for evaluate, chunk by chunk in another dtype)
    disk = np.lib.format.open_memmap(tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(1, 3))
    disk[:] = X[:1]
    for call in (lambda net: net.fit(disk, row, verbose=0), lambda net: net.evaluate(disk, row, verbose=0)):
        with pytest.raises(ValidationError, match=re.escape(ONE_ROW)):
            call(softmax_net())
    # the advice works: the row made 2-D is the sample's one-hot target (NumPy's one-hot of class 1)
    net = softmax_net()
    assert net.loss(X[:1], np.reshape(row, (1, -1))) == net.loss(X[:1], np.eye(3)[[1]]) == net.loss(X[:1], [1])
    # a regression network of 3 outputs: the same reading, the same advice
    from chainrule import Dense, Network
    reg = Network([Dense(3, 4, "tanh"), Dense(4, 3)], loss="mse", seed=0)
    with pytest.raises(ValidationError, match=re.escape(ONE_ROW)):
        reg.loss(X[:1], np.array([0.5, -1.0, 2.0]))


def test_the_one_row_advice_only_where_that_reading_fits():
    for x, y in ((X[:2], [0, 1, 0]), (X[:1], [0, 1]), (X[:1], [0, 1, 0, 0])):
        with pytest.raises(ValidationError) as info:
            softmax_net().loss(x, y)
        assert ONE_ROW not in str(info.value), str(info.value)
    assert np.isfinite(regression_net().loss(X[:1], [0.5]))       # one output: one value is one sample's row


# --- dates in a DataFrame -------------------------------------------------------------------------------

def frame(kind: str) -> pd.DataFrame:
    df = pd.DataFrame(X[:, :2], columns=["a", "b"])
    when = pd.Series(pd.date_range("2024-01-01", periods=len(df), freq="7D"))
    df["when"] = {"naive": when, "utc": when.dt.tz_localize("UTC"), "span": when - when.iloc[0]}[kind]
    return df


@pytest.mark.parametrize("kind", ["naive", "utc", "span"])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_a_date_column_is_named_as_dates_with_what_to_do(kind):
    df = frame(kind)
    with pytest.raises((TypeError, ValueError)):            # scikit-learn refuses such a frame too
        MLPClassifier(max_iter=2).fit(df, Y3)
    calls = ((lambda: softmax_net().fit(df, Y3, verbose=0), ChainruleTypeError),
             (lambda: clf().fit(df, Y3), ValidationError),
             (lambda: BackpropRegressor(hidden_layer_sizes=(4,), epochs=2).fit(df, X[:, 0]), ValidationError))
    for call, exc in calls:
        with pytest.raises(exc) as info:
            call()
        msg = str(info.value)
        assert msg.startswith("X column 'when' is a ") and ("date/time column" in msg or "time spans" in msg), msg
        assert "OneHotEncoder" not in msg and "drop it" in msg and ".dt." in msg, msg
        assert "DType" not in msg and "Timestamp" not in msg, msg
    # the advice works: the column as numbers fits as the same numbers given as floats
    num = df.assign(when=(df["when"].dt.total_seconds() if kind == "span" else df["when"].dt.day_of_year))
    a, b = clf().fit(num, Y3), clf().fit(num.to_numpy(dtype=float), Y3)
    np.testing.assert_array_equal(a.predict_proba(num), b.predict_proba(num.to_numpy(dtype=float)))


# --- a Categorical of numbers as Y ----------------------------------------------------------------------

@pytest.mark.parametrize("wrap", [lambda c: c, pd.Series], ids=["Categorical", "Series"])
def test_a_categorical_of_numbers_is_read_as_its_values_as_scikit_learn_reads_it(wrap):
    y = wrap(pd.Categorical(Y3))
    # scikit-learn reads the values: LabelEncoder's codes and MLPClassifier's classes are the numbers
    np.testing.assert_array_equal(LabelEncoder().fit_transform(y), Y3)
    np.testing.assert_array_equal(MLPClassifier(max_iter=2).fit(X, y).classes_, [0, 1, 2])
    net = softmax_net()
    assert net.loss(X, y) == net.loss(X, Y3)
    for (dw, db), (dw0, db0) in zip(net.gradients(X, y), net.gradients(X, Y3)):
        np.testing.assert_array_equal(dw, dw0)
        np.testing.assert_array_equal(db, db0)
    a, b = softmax_net(), softmax_net()
    a.fit(X, y, epochs=2, verbose=0)
    b.fit(X, Y3, epochs=2, verbose=0)
    np.testing.assert_array_equal(a.predict(X), b.predict(X))
    # categories 1..3 are read as 1..3, as the integers are: the same refusal
    with pytest.raises(ValidationError) as plain:
        softmax_net().loss(X, Y3 + 1)
    with pytest.raises(ValidationError) as cat:
        softmax_net().loss(X, wrap(pd.Categorical(Y3 + 1)))
    assert str(cat.value) == str(plain.value)


def test_a_categorical_of_text_or_with_a_missing_value_is_refused_by_name():
    with pytest.raises(ChainruleTypeError, match="^Y must be numeric; got pandas dtype category: .*LabelEncoder"):
        softmax_net().loss(X[:4], pd.Categorical(["a", "b", "a", "b"]))
    with pytest.raises(ValidationError, match=r"^Y has 1 missing value \(first in row 2\)"):
        softmax_net().loss(X[:4], pd.Categorical([0, 1, None, 1]))


# --- data/: one row is "1 row" --------------------------------------------------------------------------

def one_row_file(tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("a,b,y\n1.5,2,3.25\n")
    assert len(pd.read_csv(path)) == 1
    return path


def test_a_table_of_one_row_is_counted_as_one_row(tmp_path):
    path = one_row_file(tmp_path)
    with pytest.raises(ValidationError, match=r"^train must be a boolean mask of the table's 1 row; got shape"):
        Preprocessing.fit(read_csv(path), "y", train=np.ones(2, dtype=bool))
    with pytest.raises(ValidationError, match=r"^train marks none of the table's 1 row as a training row$"):
        Preprocessing.fit(read_csv(path), "y", train=np.zeros(1, dtype=bool))
    with CsvStream(path, rows=7) as stream:
        with pytest.raises(ValidationError, match=r"^train must be a boolean mask of the file's 1 row; got shape"):
            stream.fit("y", train=np.ones(2, dtype=bool))
        with pytest.raises(ValidationError, match=r"^train marks none of the file's 1 row as a training row$"):
            stream.fit("y", train=np.zeros(1, dtype=bool))
        with pytest.raises(ValidationError, match=r"^target column 'y' has one value \(3\.25\) on every row"):
            stream.fit("y")                 # one row is one value: nothing to learn (data/targets.constant_target)
        two = tmp_path / "two.csv"          # the statistics from two rows, then the one-row file encoded with them
        two.write_text("a,b,y\n1.5,2,3.25\n2.5,1,4.5\n")
        with CsvStream(two, rows=7) as fitted:
            pre = fitted.fit("y")
        with pytest.raises(ValidationError, match=r"^rows must be an order of the file's 1 row \(a permutation of"):
            encode_csv(stream, pre, np.arange(2), np.dtype("float64"), str(tmp_path))


# --- docs/errors.md shows each new message as raised ----------------------------------------------------

DATES = np.array([["2020-01-01", "2020-03-01"], ["2020-01-11", "2020-02-01"]], dtype="datetime64[D]")
DOCUMENTED = {
    "NumPy date array": (lambda: cr.Network([cr.Dense(2, 1, "linear")], loss="mse").predict(DATES),
                         ChainruleTypeError),
    "one sample's row given 1-D": (lambda: softmax_net().loss(X[:1], [0, 1, 0]), ValidationError),
    "pandas date column": (lambda: softmax_net().fit(frame("naive"), Y3, verbose=0), ChainruleTypeError),
    "estimator date column": (lambda: clf().fit(frame("naive"), Y3), ValidationError),
}


@pytest.mark.parametrize("case", sorted(DOCUMENTED))
def test_docs_show_each_new_message_as_raised(case):
    call, exc = DOCUMENTED[case]
    with pytest.raises(exc) as info:
        call()
    assert _documented()[case] == (exc.__name__, str(info.value))


def test_a_numpy_array_of_dates_is_named_with_the_conversion_that_works():
    """pandas' date columns are named by column; a NumPy datetime64 array gets the same kind of advice,
    and the conversion it gives is accepted and means days."""
    X, y = DATES, np.array([0.0, 1.0])
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    message = (r"^X is an array of dates \(dtype datetime64\[D\]\), not numbers: convert it to numbers first, e\.g\. "
               r"\(X - X\.min\(\)\) / np\.timedelta64\(1, 'D'\) for days since the earliest")
    for call in (lambda: net.predict(X), lambda: net.fit(X, y, epochs=1, verbose=0)):
        with pytest.raises(ChainruleTypeError, match=message):
            call()
    # the estimators trained on it as days since 1970, silently (scikit-learn's MLP fails inside NumPy)
    with pytest.raises(ValidationError, match=message):
        BackpropRegressor(epochs=1).fit(X, y)
    days = (X - X.min()) / np.timedelta64(1, "D")
    np.testing.assert_array_equal(days, [[0.0, 60.0], [10.0, 31.0]])       # 2020 is a leap year
    assert net.predict(days).shape == (2, 1)
