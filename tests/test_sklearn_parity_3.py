"""The estimators beside scikit-learn's MLPClassifier and MLPRegressor (third round): what a user of
those meets, here: one class, sample weights, labels' types, the fitted attributes."""
import functools
import re

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
import scipy.sparse as scipy_sparse  # noqa: E402
from conftest import three_features  # noqa: E402
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from sklearn.utils.estimator_checks import check_classifiers_one_label  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # the MLPs' few epochs


@pytest.mark.parametrize("label", [3, "spam", 2.0])
def test_one_class_is_fitted_as_mlpclassifier_fits_it(label):
    X, _, _ = three_features()
    y = np.full(40, label)
    mlp = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    ours = BackpropClassifier(epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, mlp.classes_)
    np.testing.assert_array_equal(ours.predict(X), mlp.predict(X))
    # one column per class, as every classifier's but MLPClassifier's (two columns for one class)
    for truth in (DummyClassifier(), DecisionTreeClassifier()):
        np.testing.assert_array_equal(ours.predict_proba(X), truth.fit(X, y).predict_proba(X))
    np.testing.assert_array_equal(ours.predict_log_proba(X), np.zeros((40, 1)))
    assert ours.score(X, y) == 1.0
    assert len(ours.loss_curve_) == 5 and ours.loss_curve_[-1] < ours.loss_curve_[0]   # trained towards p = 1


def test_one_class_passes_scikit_learns_one_label_check_by_fitting():
    check_classifiers_one_label("BackpropClassifier", BackpropClassifier(epochs=3))
    est = BackpropClassifier(epochs=3).fit(np.random.RandomState(0).uniform(size=(10, 3)), np.ones(10))
    assert est.predict(np.zeros((2, 3))).tolist() == [1.0, 1.0]


def test_one_class_then_partial_fit_warm_start_and_early_stopping():
    X, _, _ = three_features()
    y = np.full(40, 7)
    est = BackpropClassifier(epochs=3, random_state=0).partial_fit(X, y, classes=[7])
    est.partial_fit(X, y)
    assert est.predict(X[:3]).tolist() == [7, 7, 7] and len(est.loss_curve_) == 2
    with pytest.raises(ValueError, match=r"labels \[8\] not seen"):      # MLPClassifier refuses it too
        est.partial_fit(X, np.full(40, 8))
    warm = BackpropClassifier(epochs=2, warm_start=True, random_state=0).fit(X, y).fit(X, y)
    assert len(warm.loss_curve_) == 4
    early = BackpropClassifier(epochs=50, early_stopping=True, n_iter_no_change=2, random_state=0).fit(X, y)
    mlp = MLPClassifier(max_iter=50, early_stopping=True, n_iter_no_change=2, random_state=0).fit(X, y)
    assert (early.best_validation_score_, early.n_iter_) == (mlp.best_validation_score_, mlp.n_iter_)  # 1.0 at once


@pytest.mark.parametrize("Est, MLP, y_of", [(BackpropClassifier, MLPClassifier, 1),
                                            (BackpropRegressor, MLPRegressor, 0)])
def test_a_negative_sample_weight_is_refused_naming_it_and_why(Est, MLP, y_of):
    X, y, _ = three_features()
    target = y if y_of else X[:, 1]
    w = np.ones(40)
    w[[5, 9]] = [-0.5, -2.0]
    MLP(max_iter=2).fit(X, target, sample_weight=w)        # scikit-learn's MLP trains on it ...
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0; weight 5 is -0.5 \(2 of 40 are negative\)."
                                         r" A negative weight makes training push"):
        Est(epochs=2).fit(X, target, sample_weight=w)      # ... whose loss then has no minimum: refused
    with pytest.raises(ValueError, match=r"weight 5 is -0.5"):
        Est(epochs=2).partial_fit(X, target, sample_weight=w, **({"classes": [0, 1]} if y_of else {}))


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_all_zero_sample_weight_is_refused_as_by_mlp(Est, MLP):
    X, y, _ = three_features()
    with pytest.raises(ValueError) as theirs:
        MLP(max_iter=2).fit(X, y, sample_weight=np.zeros(40))
    with pytest.raises(ValueError) as ours:
        Est(epochs=2).fit(X, y, sample_weight=np.zeros(40))
    assert str(ours.value) == str(theirs.value)



def _targets():
    X, y, y3 = three_features()
    multilabel = np.c_[y, 1 - y, y3 == 2].astype(int)
    return X, [("binary", BackpropClassifier, MLPClassifier, y), ("multiclass", BackpropClassifier, MLPClassifier, y3),
               ("multilabel", BackpropClassifier, MLPClassifier, multilabel),
               ("one class", BackpropClassifier, MLPClassifier, np.full(40, 4)),
               ("1-D", BackpropRegressor, MLPRegressor, X[:, 1]), ("2-D", BackpropRegressor, MLPRegressor, X[:, 1:])]


@pytest.mark.parametrize("case", range(6))
def test_fitted_attributes_are_mlps(case):
    X, targets = _targets()
    _, Est, MLP, y = targets[case]
    ours = Est(hidden_layer_sizes=(5, 4), epochs=3).fit(X, y)
    mlp = MLP(hidden_layer_sizes=(5, 4), max_iter=3).fit(X, y)
    for name in ("n_layers_", "n_outputs_", "out_activation_", "t_", "n_iter_"):
        assert getattr(ours, name) == getattr(mlp, name), name
    assert [c.shape for c in ours.coefs_] == [c.shape for c in mlp.coefs_]
    assert [c.shape for c in ours.intercepts_] == [c.shape for c in mlp.intercepts_]
    assert ours.loss_ == ours.loss_curve_[-1] and ours.best_loss_ == min(ours.loss_curve_)


def test_coefs_and_intercepts_are_the_weights_predict_uses():
    """MLPClassifier's forward pass, in NumPy, on our coefs_ and intercepts_ gives our predict_proba."""
    X, y, y3 = three_features()
    def softmax(z):
        return np.exp(z) / np.exp(z).sum(1, keepdims=True)
    for target, out in ((y, lambda z: 1 / (1 + np.exp(-z))), (y3, softmax)):
        est = BackpropClassifier(hidden_layer_sizes=(6, 5), epochs=5, random_state=0).fit(X, target)
        a = X
        for W, b in zip(est.coefs_[:-1], est.intercepts_[:-1]):
            a = np.maximum(a @ W + b, 0)
        p = out(a @ est.coefs_[-1] + est.intercepts_[-1])
        np.testing.assert_allclose(est.predict_proba(X)[:, -p.shape[1]:], p, rtol=1e-12)
    assert not hasattr(BackpropClassifier(), "coefs_") and not hasattr(BackpropRegressor(), "intercepts_")


def test_t_counts_the_training_rows_as_mlp_across_warm_starts_partial_fit_and_early_stopping():
    X, y, _ = three_features()
    for kw in ({"warm_start": True}, {"warm_start": False}):
        ours = BackpropClassifier(epochs=2, **kw).fit(X, y).fit(X[:30], y[:30])
        mlp = MLPClassifier(max_iter=2, **kw).fit(X, y).fit(X[:30], y[:30])
        assert ours.t_ == mlp.t_, kw                       # 140 with warm_start, else 60
    ours, mlp = BackpropClassifier(), MLPClassifier()
    for part in (slice(0, 25), slice(25, 40), slice(0, 40)):
        ours.partial_fit(X[part], y[part], classes=[0, 1])
        mlp.partial_fit(X[part], y[part], classes=[0, 1])
        assert (ours.t_, ours.n_iter_) == (mlp.t_, mlp.n_iter_)
    ours = BackpropClassifier(epochs=3, early_stopping=True, random_state=0).fit(X, y)
    mlp = MLPClassifier(max_iter=3, early_stopping=True, random_state=0).fit(X, y)
    assert ours.t_ / ours.n_iter_ == mlp.t_ / mlp.n_iter_ == 36       # the rows not held out, each epoch
    assert ours.best_loss_ is None is mlp.best_loss_
    assert ours.loss_ == ours.loss_curve_[-1]


@pytest.mark.parametrize("labels", [np.array(["x", "y"], dtype=object), np.array([True, False]), np.array([0.0, 2.0]),
                                    np.array([3, 1], dtype=np.int8), np.array(["no", "yes"])])
def test_classes_and_predictions_have_mlps_dtype(labels):
    X, y, _ = three_features()
    target = labels[y]
    ours = BackpropClassifier(epochs=2).fit(X, target)
    mlp = MLPClassifier(max_iter=2).fit(X, target)
    assert ours.classes_.dtype == mlp.classes_.dtype and ours.classes_.tolist() == mlp.classes_.tolist()
    assert ours.predict(X).dtype == mlp.predict(X).dtype
    assert set(ours.predict(X).tolist()) <= set(labels.tolist())
    assert ours.predict_proba(X).shape == (40, 2)


def test_bytes_labels_are_refused_as_by_mlp():
    X, y, _ = three_features()
    target = np.array([b"a", b"b"])[y]
    with pytest.raises(TypeError) as theirs:
        MLPClassifier(max_iter=2).fit(X, target)
    with pytest.raises(TypeError, match="bytes") as ours:
        BackpropClassifier(epochs=2).fit(X, target)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_sparse_multi_column_y_trains_as_its_dense_array(early_stopping):
    """MLPClassifier takes a sparse multi-label y (MLPRegressor fails on a sparse 2-D y, in NumPy's
    linear algebra); with early stopping ours failed in r2_score, which refuses a sparse y."""
    X, y, y3 = three_features()
    for Est, Y in ((BackpropClassifier, np.c_[y, 1 - y, y3 == 2].astype(int)), (BackpropRegressor, X[:, 1:])):
        kw = {"epochs": 3, "random_state": 0, "early_stopping": early_stopping}
        sparse = Est(**kw).fit(X, scipy_sparse.csr_matrix(Y))
        dense = Est(**kw).fit(X, Y)
        predicted = sparse.predict(X)               # sparse for the classifier, as MLPClassifier's
        if scipy_sparse.issparse(predicted):
            predicted = predicted.toarray()
        np.testing.assert_array_equal(predicted, dense.predict(X))
    MLPClassifier(max_iter=3, early_stopping=early_stopping).fit(X, scipy_sparse.csr_matrix(np.c_[y, 1 - y]))


def test_a_sparse_column_y_is_refused_as_by_mlp():
    X, y, _ = three_features()
    for Est, MLP in ((BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)):
        with pytest.raises(TypeError) as theirs:
            MLP(max_iter=2).fit(X, scipy_sparse.csr_matrix(y.reshape(-1, 1)))
        with pytest.raises(TypeError) as ours:
            Est(epochs=2).fit(X, scipy_sparse.csr_matrix(y.reshape(-1, 1)))
        assert str(ours.value) == str(theirs.value)


MLP_NAME = {"epochs": "max_iter", "learning_rate": "learning_rate_init", "optimizer": "solver"}


@pytest.mark.parametrize("param, value", [("activation", "bogus"), ("optimizer", "nope"), ("alpha", -1.0),
                                          ("batch_size", 0), ("batch_size", "big"), ("epochs", 0),
                                          ("learning_rate", 0.0), ("momentum", 2.0), ("early_stopping", "yes"),
                                          ("validation_fraction", 1.0), ("n_iter_no_change", 0),
                                          ("random_state", "s"), ("warm_start", None), ("hidden_layer_sizes", "64")])
@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_a_parameter_refused_at_fit_is_caught_as_mlps_is(Est, MLP, param, value):
    """scikit-learn's InvalidParameterError is a ValueError and a TypeError: `except TypeError` caught
    MLPClassifier(activation='bogus')'s but not ours, `except ValueError` not our hidden_layer_sizes='64'."""
    from sklearn.utils._param_validation import InvalidParameterError
    X, y, _ = three_features()
    with pytest.raises(InvalidParameterError, match=f"'{MLP_NAME.get(param, param)}' parameter"):
        MLP(max_iter=2).set_params(**{MLP_NAME.get(param, param): value}).fit(X, y)
    est = Est(epochs=2).set_params(**{param: value})
    for caught in (ValueError, TypeError):
        with pytest.raises(caught, match=param):
            est.fit(X, y)
    with pytest.raises((ValueError, TypeError), match=param):
        Est(epochs=2).set_params(**{param: value}).fit(X, X)     # the parameter is named before the data is read


def test_dtype_is_refused_as_a_parameter():
    X, y, _ = three_features()
    with pytest.raises(TypeError, match=r"BackpropClassifier: dtype must be 'float64' or 'float32'; got 'float16'"):
        BackpropClassifier(dtype="float16").fit(X, y)


def _raised(call):
    try:
        call()
    except Exception as exc:                  # noqa: BLE001 - the message is what is compared
        return type(exc).__mro__[1:], str(exc)
    return None


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_inputs_scikit_learn_refuses_are_refused_in_its_words(Est, MLP):
    """Guards (held before this round): NaN, inf, no rows, no columns, a wrong column count, in fit
    and predict, with MLP's message but for the estimator's name (and, for NaN and inf, the cell it names)."""
    X, y, _ = three_features()
    nan, inf = X.copy(), X.copy()
    nan[3, 1], inf[2, 2] = np.nan, np.inf
    fitted = Est(epochs=2).fit(X, y), MLP(max_iter=2).fit(X, y)
    calls = [lambda e: clone_of(e).fit(nan, y), lambda e: clone_of(e).fit(inf, y),
             lambda e: clone_of(e).fit(np.empty((0, 3)), np.empty(0)), lambda e: clone_of(e).fit(np.empty((40, 0)), y),
             lambda e: e.predict(nan), lambda e: e.predict(np.empty((0, 3))), lambda e: e.predict(X[:, :2])]
    for call in calls:
        ours, theirs = _raised(functools.partial(call, fitted[0])), _raised(functools.partial(call, fitted[1]))
        assert ours is not None and theirs is not None
        cell = r" \(first at row \d+, column \d+\)"       # NaN and inf: the first cell, named
        assert re.sub(cell, "", ours[1]) == theirs[1].replace(MLP.__name__, Est.__name__)
    assert "Input X contains NaN (first at row 3, column 1)." in _raised(lambda: fitted[0].predict(nan))[1]
    assert "Input X contains infinity (first at row 2, column 2)" in _raised(lambda: clone_of(fitted[0]).fit(inf, y))[1]


def clone_of(est):
    from sklearn.base import clone
    return clone(est)


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_warnings_pickling_and_scores_as_mlps(Est, MLP):
    """Guards: the feature-names warnings both ways, the column-vector y warning, no set_output,
    predictions after unpickling, score with sample_weight as the metric computes it."""
    import pickle
    import warnings

    import pandas as pd
    from sklearn.metrics import accuracy_score, r2_score
    X, y, _ = three_features()
    df = pd.DataFrame(X, columns=["a", "b", "c"])

    def warned(call):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            call()
        return sorted(str(m.message).replace(MLP.__name__, "EST").replace(Est.__name__, "EST") for m in w
                      if not issubclass(m.category, ConvergenceWarning))
    for call in (lambda e: e.fit(df, y).predict(X), lambda e: e.fit(X, y).predict(df),
                 lambda e: e.fit(X, y.reshape(-1, 1))):
        assert warned(functools.partial(call, Est(epochs=2))) == warned(functools.partial(call, MLP(max_iter=2)))
    assert not hasattr(Est(), "set_output") and not hasattr(MLP(), "set_output")
    est = Est(epochs=3, random_state=0).fit(df, y)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(again.predict(df), est.predict(df))
    assert list(again.feature_names_in_) == ["a", "b", "c"]
    w = np.random.RandomState(1).rand(40)
    metric = accuracy_score if Est is BackpropClassifier else r2_score
    assert est.score(df, y, sample_weight=w) == metric(y, est.predict(df), sample_weight=w)
