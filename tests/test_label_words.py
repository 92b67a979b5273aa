"""Rows and places named in messages as the user wrote them: an index label 12 (not np.int64(12), NumPy's repr,
which a Series' or DataFrame's Int64 index gave), 'b' (not np.str_('b')), and the place in a 1-D list or array
as its number, 1 (not the tuple (1,)); n-D places stay tuples, (1, 2). The estimators' checks (sklearn/params.py),
the network's (nn/numeric.py, nn/checks.py) and the CSV readers' (data/lines.py) share these words."""
import re

import numpy as np
import pandas as pd
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

INDEX = pd.Index(np.arange(10, 16, dtype=np.int64))      # labels 10..15: NumPy integers, not positions
NUMPY_REPR = re.compile(r"np\.(u?int|float|str_|bytes_|bool)\w*\(|\(\d+,\)")          # np.int64(12), np.str_('b'), (1,)


def frame(**cells):
    X = pd.DataFrame({"a": [0.0, 1, 2, 3, 4, 5], "b": [1.0, 0, 1, 0, 1, 0]}, index=INDEX)
    for column, (label, value) in cells.items():
        X[column] = X[column].astype(object) if isinstance(value, str) else X[column]
        X.loc[label, column] = value
    return X


def net(n_in=2, out="softmax", k=2, loss="categorical_crossentropy"):
    return cr.Network([cr.Dense(n_in, 3, "tanh"), cr.Dense(3, k, out)], loss=loss, seed=0)


Y = np.array([0, 1, 0, 1, 0, 1])
CASES = [
    ("estimator: X NaN at label 12", lambda: BackpropClassifier(epochs=1).fit(frame(a=(12, np.nan)), Y),
     "first in row 12)"),
    ("estimator: y NaN at label 13", lambda: BackpropRegressor(epochs=1).fit(
        frame(), pd.Series([0.0, 1, 2, np.nan, 4, 5], index=INDEX)), "first in row 13:"),
    ("estimator: regressor y text", lambda: BackpropRegressor(epochs=1).fit(np.ones((3, 2)), [1.0, "x", 2.0]),
     "('x' at index 1)"),
    ("estimator: X text", lambda: BackpropClassifier(epochs=1).fit(np.array([[1, 2], [3, "red"]], dtype=object),
                                                                       [0, 1]), "('red' at index (1, 1))"),
    ("network: X NaN at label 14", lambda: net().fit(frame(b=(14, np.nan)), Y, epochs=1, verbose=0),
     "first in row 14)"),
    ("network: Y NaN at label 11", lambda: net(out="linear", k=1, loss="mse").fit(
        frame(), pd.Series([0.0, np.nan, 2, 3, 4, 5], index=INDEX), epochs=1, verbose=0), "first in row 11)"),
    ("network: X text at label 15", lambda: net().fit(frame(a=(15, "red")), Y, epochs=1, verbose=0),
     "('red' in row 15)"),
    ("network: a text label", lambda: net().fit(frame(), pd.Series(["a", "b"] * 3, index=pd.Index(list("pqrstu"))),
                                                epochs=1, verbose=0), "('a' in row 'p')"),
    ("network: Y text", lambda: net().loss(np.ones((3, 2)), np.array([0, "1", 1], dtype=object)), "('1' at index 1)"),
    ("network: masked Y", lambda: net().fit(np.ones((3, 2)), np.ma.masked_array([0, 1, 1], mask=[0, 1, 0]),
                                            verbose=0), "(first at index 1)"),
    ("network: NaN class label", lambda: net().loss(np.ones((3, 2)), [0.0, np.nan, 1.0]), "(first at index 1)"),
]


@pytest.mark.parametrize("make, said", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_rows_and_places_are_named_as_written(make, said):
    with pytest.raises((ValidationError, ChainruleTypeError)) as caught:
        make()
    message = str(caught.value)
    assert said in message, message
    assert not NUMPY_REPR.search(message), message
