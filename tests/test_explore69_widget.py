"""The notebook widget given what a notebook holds: a fitted BackpropClassifier (refused as "not a cr.Network" though
it holds one), the samples to follow (only one drawn at random was shown, no way to choose the teacher's rows), and a
session with a share code (the share replaced the session's network without a word)."""
import warnings

import numpy as np
import pytest
from conftest import iris_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss, mean_squared_error

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.teach.explore import export
from chainrule.teach.explore.session import Session
from chainrule.teach.explore.widget import Explorer


@pytest.fixture(scope="module")
def iris():
    return iris_classifier(hidden=5, epochs=40)


def test_a_fitted_estimator_opens_its_network_on_its_own_labels(iris):
    """The page's error on the teacher's rows is the estimator's log loss (scikit-learn's, from predict_proba)."""
    est, X, names = iris
    rows = np.r_[0:5, 60:65, 120:125]
    for w in (Explorer(est, X[rows], names[rows]), Explorer(net=est, X=X[rows], y=names[rows])):
        np.testing.assert_array_equal(w.session.net.params, est.network_.params)
        assert w.session.net is not est.network_                   # a copy: the estimator stays as fitted
        state = w.session.state()
        want = log_loss(names[rows], est.predict_proba(X[rows]), labels=est.classes_)
        assert state["E_total"] == pytest.approx(want, rel=1e-9)
        assert state["n_train"] == 15


def test_the_sample_followed_is_numbered_and_chosen_as_the_teachers_rows(iris):
    est, X, names = iris
    w = Explorer(est, X[:20], names[:20])
    said = w.session.state()["sample_from"]
    assert "20 samples" in said and "choose" in said and "X[0] is sample 1" in said
    answer, _ = w.handle({"kind": "act", "action": "set_sample", "body": {"sample": 12}}, [])
    assert "error" not in answer
    assert answer["state"]["explained"]["sample"] == 12
    one = log_loss(names[12:13], est.predict_proba(X[12:13]), labels=est.classes_)
    assert answer["state"]["explained"]["E"] == pytest.approx(one, rel=1e-9)
    np.testing.assert_array_equal(w.session.X, X[:20])
    w.handle({"kind": "act", "action": "set_value", "body": {"what": "input", "sample": 0, "index": 0, "value": 0.5}},
             [])
    said = w.session.state()["sample_from"]
    assert "edited here" in said and "drawn at random" not in said
    assert X[0, 0] != 0.5                                           # the notebook's array stays as it is


def test_a_network_given_with_its_samples_follows_them():
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X, y = np.array([[0.1, -0.2], [0.3, 0.4]]), np.array([0, 1])
    w = Explorer(net, X, y)
    np.testing.assert_array_equal(w.session.X, X)
    np.testing.assert_array_equal(w.session.Y.ravel(), y)
    out = 1 / (1 + np.exp(-(np.tanh(X @ net.layers[0].W + net.layers[0].b) @ net.layers[1].W + net.layers[1].b)))
    want = -np.mean(y[:, None] * np.log(out) + (1 - y[:, None]) * np.log(1 - out))
    assert w.session.state()["E_total"] == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("call, error, words", [
    (lambda est, X, y: Explorer(BackpropClassifier()), TypeError, "not fitted yet; call its fit"),
    (lambda est, X, y: Explorer(est, X[:5], np.array(["rose"] * 5)), ValidationError,
     r"Explorer: y contains labels \[.rose.\] not seen"),
    (lambda est, X, y: Explorer(est, X[:5]), ValidationError, "give X and y together"),
    (lambda est, X, y: Explorer(est, X[:5, :2], y[:5]), ValidationError, "expects 4"),
    (lambda est, X, y: Explorer(est, X, y[:3]), ValidationError, "different numbers of samples"),
    (lambda est, X, y: Explorer(X=X, y=y), TypeError, "the samples of a network given"),
    (lambda est, X, y: Explorer(Session(), share=export.share_code(Session())), TypeError,
     "a session or a share, not both"),
])
def test_what_the_widget_cannot_take_with_an_estimator_is_refused_naming_it(iris, call, error, words):
    est, X, names = iris
    with pytest.raises(error, match=words):
        call(est, X, names)


def fitted(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def test_a_classifier_of_one_class_opens_on_its_own_targets():
    """Fitted on one class, the classifier's network learns that class's probability, 1 (predict_proba's column of
    ones): the page trained it toward 0, the class's index, and said a loss the estimator never had."""
    X = np.random.default_rng(0).normal(size=(12, 3))
    y = np.array(["only"] * 12)
    est = fitted(BackpropClassifier(hidden_layer_sizes=(3,), epochs=3, random_state=0), X, y)
    w = Explorer(est, X, y)
    p = est.network_.predict(X).ravel()                        # the sigmoid's output: the one class's probability
    assert w.session.state()["E_total"] == pytest.approx(-np.mean(np.log(p)), rel=1e-9)
    np.testing.assert_array_equal(w.session.Y.ravel(), np.ones(12))


def test_a_multi_label_classifier_opens_on_its_indicator_matrix():
    X = np.random.default_rng(1).normal(size=(10, 3))
    Y = (X[:, :2] > 0).astype(int)
    est = fitted(BackpropClassifier(hidden_layer_sizes=(3,), epochs=3, random_state=0), X, Y)
    w = Explorer(est, X, Y)
    P = est.predict_proba(X)
    want = -np.mean(Y * np.log(P) + (1 - Y) * np.log(1 - P))
    assert w.session.state()["E_total"] == pytest.approx(want, rel=1e-9)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_regressor_opens_on_its_targets_with_the_loss_scikit_learn_scores(dtype):
    X = np.random.default_rng(2).normal(size=(15, 3))
    y = X[:, 0] - 2 * X[:, 1]
    est = fitted(BackpropRegressor(hidden_layer_sizes=(4,), epochs=3, random_state=0, dtype=dtype), X, y)
    w = Explorer(est, X, y)
    assert w.session.net.dtype == np.dtype(dtype)
    want = mean_squared_error(y, est.predict(X))
    assert w.session.state()["E_total"] == pytest.approx(want, rel=1e-9 if dtype == "float64" else 1e-5)
