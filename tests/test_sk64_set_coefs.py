"""coefs_ and intercepts_ set as a scikit-learn user sets MLPClassifier's (`est.coefs_ = other.coefs_`): copied into
the network, so that predict is the MLP's whose weights they are; refused arrays named, nothing set."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_breast_cancer, load_iris, make_multilabel_classification, make_regression  # noqa
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point


def _data(kind):
    if kind == "multiclass":
        X, y = load_iris(return_X_y=True)
    elif kind == "binary":
        X, y = load_breast_cancer(return_X_y=True)
    elif kind == "multilabel":
        X, y = make_multilabel_classification(120, 6, n_classes=3, random_state=0)
    else:
        X, y = make_regression(120, 6, n_targets=2, noise=1.0, random_state=0)
        y = y / np.abs(y).max()
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("kind", ["multiclass", "binary", "multilabel", "regression"])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_weights_set_from_a_fitted_mlp_predict_as_that_mlp(kind, dtype):
    X, y = _data(kind)
    MLP, Ours = (MLPRegressor, BackpropRegressor) if kind == "regression" else (MLPClassifier, BackpropClassifier)
    mlp = MLP(hidden_layer_sizes=(7, 5), activation="tanh", max_iter=30, random_state=1).fit(X, y)
    ours = Ours(hidden_layer_sizes=(7, 5), activation="tanh", epochs=2, random_state=0, dtype=dtype).fit(X, y)
    ours.coefs_ = mlp.coefs_
    ours.intercepts_ = mlp.intercepts_
    tol = 1e-12 if dtype == "float64" else 1e-5
    for a, b in zip(ours.coefs_ + ours.intercepts_, mlp.coefs_ + mlp.intercepts_, strict=True):
        assert a is not b and a.dtype == np.dtype(dtype) and np.allclose(a, b, rtol=tol, atol=tol)
    if kind == "regression":
        np.testing.assert_allclose(ours.predict(X), mlp.predict(X), rtol=tol * 10, atol=tol * 10)
    else:
        np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=tol * 10, atol=tol * 10)
        assert (np.asarray(ours.predict(X)) == np.asarray(mlp.predict(X))).mean() > 0.99
    mlp.coefs_[0][0, 0] += 1.0                                # copied: the MLP's arrays are not ours
    assert not np.isclose(ours.coefs_[0][0, 0], mlp.coefs_[0][0, 0])


def test_weights_set_go_on_training_with_partial_fit():
    """The arrays set are the network's: partial_fit starts from them (its one epoch, from the MLP's weights, keeps
    the MLP's accuracy where a fresh network's epoch does not reach it)."""
    X, y = _data("multiclass")
    mlp = MLPClassifier(hidden_layer_sizes=(8,), max_iter=300, random_state=0).fit(X, y)
    ours = BackpropClassifier(hidden_layer_sizes=(8,), learning_rate=1e-4, random_state=0)
    ours.partial_fit(X[:3], y[:3], classes=[0, 1, 2])
    fresh = ours.score(X, y)
    ours.coefs_, ours.intercepts_ = mlp.coefs_, mlp.intercepts_
    ours.partial_fit(X, y)
    assert ours.score(X, y) >= mlp.score(X, y) - 0.02 > fresh


def test_refused_weights_are_named_and_nothing_is_set():
    X, y = _data("multiclass")
    est = BackpropClassifier(hidden_layer_sizes=(5,), epochs=2, random_state=0).fit(X, y)
    before = [w.copy() for w in est.coefs_ + est.intercepts_]
    good = [np.ones((4, 5)), np.ones((5, 3))]
    cases = [("coefs_", good[:1], ValueError, r"BackpropClassifier\.coefs_ takes one array per layer: expected 2 "
                                              r"arrays, got 1"),
             ("coefs_", [good[0], good[1].T], ValueError, r"BackpropClassifier\.coefs_\[1\] \(layer 2 of 2\): "
                                                          r"expected shape \(5, 3\), got shape \(3, 5\)"),
             ("coefs_", [good[0], good[1] * np.nan], ValueError, r"BackpropClassifier\.coefs_\[1\] \(layer 2 of 2\) "
                                                                 r"contains NaN or infinity"),
             ("coefs_", [good[0], np.full((5, 3), "a")], TypeError, r"coefs_\[1\] \(layer 2 of 2\) must be a real "
                                                                    r"numeric array"),
             ("intercepts_", np.zeros(5), TypeError, r"BackpropClassifier\.intercepts_ must be a list of 2 arrays, "
                                                     r"one per layer, as intercepts_ reads; got ndarray"),
             ("intercepts_", 0.0, TypeError, r"intercepts_ must be a list of 2 arrays")]
    for attribute, value, kind, words in cases:
        with pytest.raises(kind, match=words):
            setattr(est, attribute, value)
        assert all(np.array_equal(a, b) for a, b in zip(est.coefs_ + est.intercepts_, before, strict=True))
    with pytest.raises(ValueError, match=r"BackpropRegressor\.coefs_ sets the fitted network's arrays: fit \(or "
                                         r"partial_fit\) first"):
        BackpropRegressor().coefs_ = good
    with pytest.raises(AttributeError, match="has no attribute 'intercepts_'"):     # read unfitted, as MLP's
        BackpropRegressor().intercepts_  # noqa: B018


def test_one_layers_array_set_by_its_index_as_in_mlps_list():
    """`est.coefs_[1] = W` sets MLPClassifier's layer (its coefs_ is a plain list); here it changed a list that
    nothing reads, silently: predict went on with the old weights."""
    import copy
    import pickle
    X, y = _data("multiclass")
    mlp = MLPClassifier(hidden_layer_sizes=(6,), max_iter=40, random_state=1).fit(X, y)
    ours = BackpropClassifier(hidden_layer_sizes=(6,), epochs=2, random_state=0).fit(X, y)
    for i in range(2):
        ours.coefs_[i] = mlp.coefs_[i]
    ours.intercepts_[:] = mlp.intercepts_                       # a slice of every layer too
    np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match=r"BackpropClassifier\.coefs_\[0\] \(layer 1 of 2\): expected shape \(4, 6\), "
                                         r"got shape \(6, 3\)"):
        ours.coefs_[0] = mlp.coefs_[1]
    with pytest.raises(ValueError, match=r"intercepts_ takes one array per layer: expected 2 arrays, got 1"):
        ours.intercepts_[1:] = []
    np.testing.assert_allclose(ours.predict_proba(X), mlp.predict_proba(X), rtol=1e-12, atol=1e-12)
    for kept in (pickle.loads(pickle.dumps(ours.coefs_)), copy.deepcopy(ours.coefs_), copy.copy(ours.coefs_)):
        assert type(kept) is list and all(np.array_equal(a, b) for a, b in zip(kept, mlp.coefs_, strict=True))
