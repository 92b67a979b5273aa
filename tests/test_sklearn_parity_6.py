"""Parity with scikit-learn's MLPClassifier/MLPRegressor, sixth pass: the ConvergenceWarning of a fit that ran
every epoch (MLP's max_iter) without its stopping rule ending it, in fit and not in partial_fit; the sweep says
it once, not once per fit; every command's help shows no "(default: True)" beside a --no-X flag."""
import argparse
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402


def _data(kind: str, n: int = 40, seed: int = 0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    y = (X[:, 0] > 0).astype(int) if kind == "classifier" else X @ np.array([1.0, -2.0, 0.5])
    return X, y


def _convergence(fit) -> list[str]:
    """The messages of the ConvergenceWarnings `fit()` issues."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit()
    return [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]


PAIRS = [("classifier", MLPClassifier, BackpropClassifier), ("regressor", MLPRegressor, BackpropRegressor)]


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
@pytest.mark.parametrize("early_stopping", [False, True])
def test_a_fit_that_runs_out_of_epochs_warns_as_mlps(kind, mlp, ours, early_stopping):
    """Three epochs, a stopping rule that cannot fire in them: MLP's warning, its class and its words, the
    number being epochs (its max_iter); with or without early stopping."""
    X, y = _data(kind)
    truth = _convergence(lambda: mlp(max_iter=3, early_stopping=early_stopping, random_state=0).fit(X, y))
    got = _convergence(lambda: ours(epochs=3, early_stopping=early_stopping, random_state=0).fit(X, y))
    assert truth and got == truth


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
def test_a_fit_the_stopping_rule_ends_does_not_warn(kind, mlp, ours):
    """tol so large that no epoch improves: the rule ends the fit after n_iter_no_change + 1 epochs, before
    epochs (max_iter) run out: no warning from either; nor when it ends it at the last epoch (as MLP, whose
    rule is checked before its max_iter)."""
    X, y = _data(kind)
    stopped_at = mlp(max_iter=50, tol=1e9, n_iter_no_change=2, random_state=0).fit(X, y).n_iter_
    for max_iter in (50, stopped_at):
        truth = mlp(max_iter=max_iter, tol=1e9, n_iter_no_change=2, random_state=0)
        ran = _convergence(lambda: truth.fit(X, y))
        est = ours(epochs=max_iter, tol=1e9, n_iter_no_change=2, random_state=0)
        assert _convergence(lambda: est.fit(X, y)) == ran == []
        assert est.n_iter_ == truth.n_iter_ == stopped_at < 50


@pytest.mark.parametrize("kind, mlp, ours", PAIRS)
def test_partial_fit_does_not_warn_as_mlps(kind, mlp, ours):
    """partial_fit runs one epoch, never a maximum: no warning (MLP's neither, even with max_iter=1)."""
    X, y = _data(kind)
    extra = {"classes": [0, 1]} if kind == "classifier" else {}
    assert _convergence(lambda: mlp(max_iter=1, random_state=0).partial_fit(X, y, **extra)) == []
    assert _convergence(lambda: ours(epochs=1, random_state=0).partial_fit(X, y, **extra)) == []


def test_a_warm_start_warns_for_its_own_epochs_as_mlps():
    """A warm start's fit counts its own epochs (n_iter_, as MLP's): it warns again when it runs out."""
    X, y = _data("classifier")
    truth, est = MLPClassifier(max_iter=2, warm_start=True, random_state=0), BackpropClassifier(
        epochs=2, warm_start=True, random_state=0)
    for _ in range(2):
        assert _convergence(lambda: est.fit(X, y)) == _convergence(lambda: truth.fit(X, y)) != []


def test_the_warning_points_at_the_callers_fit():
    """The warning's file and line are the caller's (where fit was called), not the estimator's insides."""
    X, y = _data("classifier")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        BackpropClassifier(epochs=2, random_state=0).fit(X, y)
    assert [w.filename for w in caught if w.category is ConvergenceWarning] == [__file__]
