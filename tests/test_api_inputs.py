"""Odd inputs through the Python API as a scikit-learn or Keras user passes them: what scikit-learn
accepts gives the same numbers (NumPy's conversion the truth), what it refuses is refused with a
message that names the value, where it is, and what to do; never NumPy's words from deep inside.
docs/errors.md ("Inputs through the Python API") shows each case's message."""
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_array

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

RNG = np.random.default_rng(0)
X = RNG.normal(size=(12, 3))
Y3 = np.arange(12) % 3


def softmax_net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)


def sigmoid_net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)


def regression_net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


def clf(**kw):
    return BackpropClassifier(**({"hidden_layer_sizes": (4,), "epochs": 2, "random_state": 0} | kw))


# --- what scikit-learn accepts: the same numbers -----------------------------------------------------

def test_an_object_array_of_numbers_is_read_as_its_numbers():
    """check_array converts an object array of numbers to float64; the network then gives what it gives for those."""
    Xo = X.astype(object)
    np.testing.assert_array_equal(check_array(Xo), X)
    net = softmax_net()
    np.testing.assert_array_equal(net.predict(Xo), net.predict(X))
    assert net.loss(Xo, Y3.astype(object)) == net.loss(X, np.eye(3)[Y3])
    for (dw, db), (dw0, db0) in zip(net.gradients(Xo, list(Y3.astype(object))), net.gradients(X, Y3)):
        np.testing.assert_array_equal(dw, dw0)
        np.testing.assert_array_equal(db, db0)
    mixed = np.empty((2, 3), dtype=object)
    mixed[0], mixed[1] = [1, 2.5, True], [np.int8(3), np.float32(0.5), False]
    np.testing.assert_array_equal(net.predict(mixed), net.predict(check_array(mixed)))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_numbers_written_as_text_reach_the_estimators_as_numbers_as_in_scikit_learn():
    """MLPClassifier.fit reads '0.5' as 0.5: so does BackpropClassifier (same fit as on the numbers)."""
    MLPClassifier(max_iter=2).fit(X.astype(str), Y3)        # scikit-learn takes it
    a, b = clf().fit(X.astype(str), Y3), clf().fit(X, Y3)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


# --- text where numbers belong --------------------------------------------------------------------------

@pytest.mark.parametrize("labels", [Y3.astype(str), list(np.array(["cat", "dog", "bird"])[Y3]),
                                    pd.Series(Y3.astype(str), dtype="string"),
                                    pd.Series(pd.Categorical(np.array(["cat", "dog", "bird"])[Y3]))],
                         ids=["numpy", "list", "pandas string", "pandas category"])
@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_text_class_labels_name_themselves_and_the_two_ways_out(labels):
    for call in (lambda net: net.fit(X, labels, verbose=0), lambda net: net.evaluate(X, labels, verbose=0),
                 lambda net: net.loss(X, labels), lambda net: net.gradients(X, labels)):
        with pytest.raises(ChainruleTypeError) as info:
            call(softmax_net())
        msg = str(info.value)
        assert "class labels" in msg and "LabelEncoder" in msg and "BackpropClassifier" in msg, msg
        assert "OneHotEncoder" not in msg and "<U" not in msg, msg
    # both ways out work: LabelEncoder's codes, and the estimator on the labels as they are
    codes = LabelEncoder().fit_transform(np.asarray(labels))
    assert np.isfinite(softmax_net().loss(X, codes))
    est = clf().fit(X, labels)
    assert set(est.predict(X)) <= set(np.asarray(labels))


def test_text_class_labels_beside_an_x_read_batch_by_batch_get_the_same_advice(tmp_path):
    Xm = np.lib.format.open_memmap(tmp_path / "X.npy", mode="w+", dtype=np.float64, shape=X.shape)
    Xm[:] = X
    with pytest.raises(ChainruleTypeError, match=r"it holds text \('cat' at index 0\): a network's class labels "
                                                 r"are integers 0..k-1 .*LabelEncoder"):
        softmax_net().fit(Xm, np.array(["cat", "dog", "bird"])[Y3], verbose=0)


def test_the_first_text_value_is_named_with_its_index():
    with pytest.raises(ChainruleTypeError, match=r"Y must be a numeric array; it holds text \('1' at index 1\)"):
        softmax_net().loss(X[:3], np.array([0, "1", 2], dtype=object))
    with pytest.raises(ChainruleTypeError, match=r"X must be a numeric array; it holds text \('red' at index "
                                                 r"\(1, 2\)\)"):
        softmax_net().predict(np.array([[1, 2, 3], [4, 5, "red"]], dtype=object))


def test_text_targets_of_a_regression_network_say_how_to_read_them_as_numbers():
    with pytest.raises(ChainruleTypeError, match=r"it holds text \('1.5' at index 0\): a regression network's "
                                                 r"targets are numbers .*np.asarray\(Y, dtype=float\)"):
        regression_net().fit(X[:2], ["1.5", "2"], verbose=0)
    assert np.isfinite(regression_net().loss(X[:2], np.asarray(["1.5", "2"], dtype=float)))


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_text_in_the_estimators_X_is_named_not_left_to_numpy():
    """scikit-learn refuses it too (a ValueError: "could not convert string to float"); ours names the place."""
    Xt = np.array([["1", "2", "3"], ["4", "5", "green"]])
    with pytest.raises(ValueError, match="could not convert string to float"):
        MLPClassifier(max_iter=2).fit(Xt, [0, 1])
    for est in (clf(), BackpropRegressor(epochs=2)):
        with pytest.raises(ValidationError, match=r"X must be a numeric array; it holds text \('green' at index "
                                                  r"\(1, 2\)\): encode text and categories as numbers"):
            est.fit(Xt, [0, 1])
        with pytest.raises(ValidationError, match=r"'green' at index \(0, 1\)"):
            est.fit(X[:2, :2], [0, 1]).predict([[1.0, "green"]])


# --- rows of different lengths, missing values, objects ----------------------------------------------

def test_rows_of_different_lengths_are_named():
    ragged = [[1.0, 2.0, 3.0], [4.0, 5.0]]
    with pytest.raises(ValueError, match="inhomogeneous"):
        np.asarray(ragged)                                    # NumPy's words, which the user should not get
    said = r"its rows have different lengths \(row 0 has 3 values, row 1 has 2 values\)"
    with pytest.raises(ChainruleTypeError, match="X must be a numeric array; " + said):
        softmax_net().fit(ragged, [0, 1], verbose=0)
    with pytest.raises(ChainruleTypeError, match=said):
        softmax_net().predict(ragged)
    with pytest.raises(ValidationError, match="X: " + said):
        clf().fit(ragged, [0, 1])


def test_none_in_an_object_array_is_a_missing_value_at_its_index():
    Xn = X[:2].astype(object)
    Xn[1, 0] = None
    with pytest.raises(ValidationError, match=r"X has a missing value \(None at index \(1, 0\)\); impute it"):
        softmax_net().predict(Xn)
    Xd = X[:2].astype(object)
    Xd[0, 2] = {"a": 1}
    with pytest.raises(ChainruleTypeError, match=r"it holds a dict at index \(0, 2\)"):
        softmax_net().predict(Xd)
    with pytest.raises(ChainruleTypeError, match=r"Y must be a numeric array; got a dict"):
        softmax_net().loss(X, {"y": 1})


# --- labels a network cannot take as they are ----------------------------------------------------------

def test_labels_counted_from_one_point_to_label_encoder_which_fixes_them():
    y = Y3 + 1                                       # 1..3 for three outputs
    with pytest.raises(ValidationError, match=r"must lie in 0..2 .* got values from 1 to 3: encode them as 0..k-1 "
                                              r"\(sklearn.preprocessing.LabelEncoder"):
        softmax_net().fit(X, y, verbose=0)
    net = softmax_net()
    assert net.loss(X, LabelEncoder().fit_transform(y)) == net.loss(X, np.eye(3)[y - 1])


@pytest.mark.parametrize("two", [(1, 2), (-1, 1)])
def test_two_labels_other_than_0_and_1_for_a_sigmoid_output_are_named(two):
    y = np.where(Y3 > 0, two[1], two[0])
    with pytest.raises(ValidationError, match=rf"two labels, {two[0]} and {two[1]}: encode them as 0 and 1"):
        sigmoid_net().fit(X, y, verbose=0)
    net = sigmoid_net()
    assert net.loss(X, LabelEncoder().fit_transform(y)) == net.loss(X, (y == two[1]).astype(float))


def test_one_hot_rows_for_a_one_output_sigmoid_network_say_which_column_to_pass():
    y = (Y3 > 0).astype(int)
    with pytest.raises(ValidationError, match=r"^Y must have shape \(n_samples, 1\) for a network with 1 output; "
                                              r"got \(12, 2\): for one-hot rows of two classes, pass their second "
                                              r"column \(Y\[:, 1\]"):
        sigmoid_net().fit(X, np.eye(2)[y], verbose=0)
    net = sigmoid_net()
    assert net.loss(X, np.eye(2)[y][:, 1]) == net.loss(X, y)


def test_labels_of_mixed_types_are_named_not_unknown():
    """MLPClassifier refuses them too (a TypeError comparing str and int); ours says which two."""
    y = np.array([1, "a"] * 6, dtype=object)
    with pytest.raises(TypeError):
        MLPClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValidationError, match=r"y mixes labels of different types: 1 \(int\) and 'a' \(str\)"):
        clf().fit(X, y)


@pytest.mark.parametrize("y", [["a", "b"] * 6, ["1.5", "2"] * 6, np.array([1.5, "a"] * 6, dtype=object),
                               pd.Series(["a", "b"] * 6, dtype="string")], ids=["text", "numbers as text", "object",
                                                                             "pandas string"])
def test_text_targets_of_the_regressor_are_named(y):
    """MLPRegressor refuses them too, in NumPy's words ("ufunc 'subtract'", "could not convert string")."""
    with pytest.raises((TypeError, ValueError)):
        from sklearn.neural_network import MLPRegressor
        MLPRegressor(max_iter=2).fit(X, y)
    first = next(i for i, v in enumerate(np.asarray(y, dtype=object)) if isinstance(v, str))
    with pytest.raises(ValidationError, match=rf"y must be numeric for a regressor; it holds text \('.*' at index "
                                              rf"{first}\): for class labels use BackpropClassifier"):
        BackpropRegressor(epochs=2).fit(X, y)
    with pytest.raises(ValidationError, match="y must be numeric for a regressor"):
        BackpropRegressor(epochs=2).partial_fit(X, y)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_several_columns_of_class_labels_point_to_multioutput_classifier():
    """MLPClassifier refuses them too; its own way out, MultiOutputClassifier, fits them (as on each column)."""
    from sklearn.multioutput import MultiOutputClassifier
    y = np.stack([Y3, (Y3 + 1) % 3], axis=1)
    with pytest.raises(ValueError):
        MLPClassifier(max_iter=2).fit(X, y)
    with pytest.raises(ValidationError, match=r"y has 2 columns of class labels \(multi-output multiclass\).*"
                                              r"MultiOutputClassifier"):
        clf().fit(X, y)
    both = MultiOutputClassifier(clf()).fit(X, y)
    np.testing.assert_array_equal(both.predict(X)[:, 1], clf().fit(X, y[:, 1]).predict(X))


# --- the estimators' arguments ---------------------------------------------------------------------------

@pytest.mark.parametrize("seed", [-1, 2**40, "a", 1.5, np.random.default_rng(0)],
                         ids=["negative", "too large", "text", "float", "Generator"])
def test_random_state_is_checked_and_named_as_scikit_learn_checks_it(seed):
    with pytest.raises(ValueError):
        MLPClassifier(max_iter=2, random_state=seed).fit(X, Y3)
    for est in (clf(), BackpropRegressor(epochs=2)):
        est.set_params(random_state=seed)
        with pytest.raises(ValidationError, match=r"random_state must be None, an int in \[0, 2\*\*32 - 1\] or a "
                                                  r"numpy.random.RandomState"):
            est.fit(X, Y3)
        assert not hasattr(est, "network_")


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: that warning is not the point
def test_random_states_scikit_learn_takes_are_taken():
    for seed in (None, 0, 2**32 - 1, np.int64(3), np.random.RandomState(0)):
        MLPClassifier(max_iter=1, random_state=seed).fit(X, Y3)
        clf(random_state=None).set_params(random_state=seed).fit(X, Y3)


@pytest.mark.parametrize("classes, said", [
    (3, r"classes must be a 1-D list of all the labels .*got 3"),
    ("abc", r"classes must be a 1-D list of all the labels"),
    ([0, 1, 2, np.nan], r"classes must not hold missing values"),
    ([0, 1, "2"], r"classes mixes labels of different types: 0 \(int\) and '2' \(str\)"),
], ids=["scalar", "string", "NaN", "mixed types"])
def test_partial_fit_classes_are_checked_as_scikit_learn_checks_them(classes, said):
    with pytest.raises((ValueError, TypeError)), np.errstate(invalid="ignore"):   # scikit-learn casts NaN to int
        MLPClassifier(max_iter=2).partial_fit(X, Y3, classes=classes)
    est = clf()
    with pytest.raises(ValidationError, match=said):
        est.partial_fit(X, Y3, classes=classes)
    assert not hasattr(est, "network_")


def test_one_class_given_to_partial_fit_is_fitted_as_by_mlpclassifier():
    """One class is fitted, as MLPClassifier fits it (tests/test_sklearn_parity_3.py); a label of y
    outside it is named."""
    with pytest.raises(ValidationError, match=r"y contains labels \[1\] not in classes=\[0\]"):
        clf().partial_fit(X, np.arange(12) % 2, classes=[0])
    assert clf().partial_fit(X, np.zeros(12, int), classes=[0]).predict(X).tolist() == [0] * 12


# --- docs/errors.md shows each message as raised ------------------------------------------------------

DOCUMENTED = {
    "text class labels": (lambda: softmax_net().fit(X[:3], ["cat", "dog", "bird"], verbose=0), ChainruleTypeError),
    "object array of numbers and text": (lambda: softmax_net().predict(np.array([[1, 2, "red"]], dtype=object)),
                                         ChainruleTypeError),
    "None in an object array": (lambda: softmax_net().predict(np.array([[1, 2, None]], dtype=object)),
                                ValidationError),
    "sigmoid labels 1 and 2": (lambda: sigmoid_net().fit(X[:2], [1, 2], verbose=0), ValidationError),
    "estimator X text": (lambda: clf().fit([[1, 2, "green"], [3, 4, 5]], [0, 1]), ValidationError),
    "estimator labels of mixed types": (lambda: clf().fit(X[:2], np.array([1, "a"], dtype=object)), ValidationError),
    "estimator labels of object bools": (lambda: clf().fit(X[:2], np.array([True, False], dtype=object)),
                                         ValidationError),
    "estimator random_state": (lambda: clf(random_state=None).set_params(random_state=-1).fit(X, Y3), ValidationError),
    "partial_fit classes NaN": (lambda: clf().partial_fit(X, Y3, classes=[0, 1, 2, np.nan]), ValidationError),
    "partial_fit classes infinite": (lambda: clf().partial_fit(X, Y3, classes=[0, 1, 2, np.inf]), ValidationError),
    "partial_fit classes continuous": (lambda: clf().partial_fit(X, Y3, classes=[0, 1, 2, 2.5]), ValidationError),
    "regressor y text": (lambda: BackpropRegressor(epochs=2).fit(X[:2], ["1.5", "2"]), ValidationError),
    "classifier y of several label columns": (lambda: clf().fit(X[:3], [[0, 1], [1, 2], [2, 0]]), ValidationError),
}


def _documented() -> dict[str, tuple[str, str]]:
    doc = (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
    table = doc.split("## Inputs through the Python API", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        if len(cells) == 4 and cells[1].startswith("`"):
            rows[cells[0]] = (cells[1].strip("`"), cells[2])
    return rows


@pytest.mark.parametrize("case", sorted(DOCUMENTED))
def test_docs_show_each_message_as_raised(case):
    call, exc = DOCUMENTED[case]
    with pytest.raises(exc) as info:
        call()
    assert _documented()[case] == (exc.__name__, str(info.value))
