"""Network.weight_penalty (MLP's alpha, set by from_sklearn and load) is a training term: fit's steps, and the loss
they log, include it, as MLP's loss_curve_ does; loss, gradients and evaluate measure the data alone, as MLP's
predict-time scores do (their docstrings and docs/interop.md say so). A penalised network trains on the NumPy loop."""
import copy
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.saving.interop import SklearnSolver  # noqa: E402

ALPHA = 0.5


def imported():
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(0)) / X.std(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf = MLPClassifier(hidden_layer_sizes=(6,), alpha=ALPHA, max_iter=20, random_state=0).fit(X, y)
    return clf, cr.from_sklearn(clf), X, y


def data_gradients(clf, X, y):
    """dE/dW, dE/db of MLP's mean cross-entropy alone (no alpha), by hand in float64: relu, then softmax."""
    (W1, W2), b1 = clf.coefs_, clf.intercepts_[0]
    Z1 = X @ W1 + b1
    H = np.maximum(Z1, 0)
    P = clf.predict_proba(X)
    d2 = (P - np.eye(3)[y]) / len(X)
    d1 = (d2 @ W2.T) * (Z1 > 0)
    return [(X.T @ d1, d1.sum(0)), (H.T @ d2, d2.sum(0))]


def test_loss_gradients_and_evaluate_exclude_the_penalty_that_fit_includes():
    clf, net, X, y = imported()
    assert net.weight_penalty == ALPHA
    data = log_loss(y, clf.predict_proba(X))              # MLP's predict-time loss: no alpha term
    assert net.loss(X, y) == pytest.approx(data, rel=1e-10)
    assert net.evaluate(X, y)["loss"] == pytest.approx(data, rel=1e-10)
    for (dW, db), (tW, tb) in zip(net.gradients(X, y), data_gradients(clf, X, y)):
        np.testing.assert_allclose(dW, tW, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(db, tb, rtol=1e-9, atol=1e-12)
    before = copy.deepcopy(clf)
    history = net.fit(X, np.eye(3)[y], epochs=1, batch_size=len(X), shuffle=False, verbose=0,
                      optimizer=SklearnSolver(net, before))
    clf.partial_fit(X, y)                                 # its loss_ (loss_curve_'s entry) includes alpha's term
    assert clf.loss_ > data + 1e-3
    assert history.loss[0] == pytest.approx(clf.loss_, rel=1e-10)


def test_a_zero_penalty_turns_it_off():
    _, net, X, y = imported()
    net.weight_penalty = 0.0
    before = net.loss(X, y)
    history = net.fit(X, y, epochs=1, batch_size=len(X), shuffle=False, verbose=0, optimizer=cr.optim.SGD(lr=0.1))
    assert history.loss[0] == pytest.approx(before, rel=1e-12)


def test_a_penalised_network_has_no_compiled_plan(monkeypatch):
    """The compiled loops have no penalty term: the plan is declined before the kernels are even loaded."""
    from chainrule.backend import kernels
    from chainrule.training import compiled

    _, net, X, _ = imported()
    monkeypatch.setattr(kernels, "ENABLED", True)
    monkeypatch.setattr(kernels, "load", lambda: pytest.fail("the kernels were asked for"))
    assert compiled.epoch_plan(net, cr.optim.Adam(), X, 32) is None


def test_the_docs_say_so():
    """The penalty's absence from loss, gradients and evaluate was said nowhere a user reads."""
    from pathlib import Path
    for method in (cr.Network.loss, cr.Network.gradients, cr.Network.evaluate):
        assert "weight_penalty" in (method.__doc__ or ""), method.__name__
    text = " ".join((Path(__file__).parents[1] / "docs" / "interop.md").read_text().split())
    assert "`net.loss`, `net.gradients`, `net.evaluate` and fit's `val_loss` exclude it" in text
    assert "trains on the NumPy loop" in text and "`net.weight_penalty = 0.0`" in text
