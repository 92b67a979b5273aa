"""Early stopping's best score and weights across warm starts, and weights set by hand between fits, against
scikit-learn's MLPClassifier on the same data."""
import warnings

import numpy as np
import pytest
from sklearn.datasets import load_iris, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from chainrule.sklearn import BackpropClassifier, BackpropRegressor


@pytest.fixture(scope="module")
def iris():
    X, y = load_iris(return_X_y=True)
    return StandardScaler().fit_transform(X), y


def _fits(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _stopped_pair(X, y):
    """Ours and MLPClassifier, each fitted with early stopping until the held-out score stopped rising."""
    ours = _fits(BackpropClassifier((8,), early_stopping=True, n_iter_no_change=3, learning_rate=0.01,
                                    batch_size=16, epochs=300, random_state=0), X, y)
    mlp = _fits(MLPClassifier((8,), early_stopping=True, n_iter_no_change=3, learning_rate_init=0.01,
                              batch_size=16, max_iter=300, random_state=0), X, y)
    assert ours.n_iter_ < 300 and mlp.n_iter_ < 300          # the rule ended both
    return ours, mlp


def test_warm_fit_that_does_not_beat_the_best_goes_on_with_its_score_and_count_as_mlp(iris):
    X, y = iris
    ours, mlp = _stopped_pair(X, y)
    before = {"ours": ours.predict_proba(X), "mlp": mlp.predict_proba(X)}
    best = {"ours": ours.best_validation_score_, "mlp": mlp.best_validation_score_}
    lengths = {"ours": len(ours.validation_scores_), "mlp": len(mlp.validation_scores_)}
    # a step size that wrecks the weights: the held-out score cannot beat the best
    ours.set_params(warm_start=True, learning_rate=5.0)
    mlp.set_params(warm_start=True, learning_rate_init=5.0)
    for name, est in (("ours", _fits(ours, X, y)), ("mlp", _fits(mlp, X, y))):
        assert est.n_iter_ == 1, name                      # the count went on: one epoch without improvement stops
        assert est.best_validation_score_ == best[name], name
        assert est.validation_scores_[-1] < best[name], name
        assert len(est.validation_scores_) == len(est.loss_curve_) == lengths[name] + 1, name
    # ours ends with the weights best_validation_score_ is of (the first fit's best); MLPClassifier's coefs_ was
    # its best weights' list itself, which the warm fit trained in place: it ends with the wrecked weights
    np.testing.assert_allclose(ours.predict_proba(X), before["ours"], rtol=0, atol=0)
    assert not np.allclose(mlp.predict_proba(X), before["mlp"])


def _weights_of_another_fit(X, y):
    """Weights of the same layers that score worse than a converged fit: one short epoch from other seeds."""
    other = _fits(BackpropClassifier((8,), epochs=1, batch_size=150, learning_rate=1e-4, random_state=7), X, y)
    return [c.copy() for c in other.coefs_], [b.copy() for b in other.intercepts_]


@pytest.mark.parametrize("how", ["lists", "items", "in place"])
def test_weights_set_by_hand_are_trained_from_and_kept_not_replaced_by_the_old_best(iris, how):
    X, y = iris
    ours, mlp = _stopped_pair(X, y)
    coefs, intercepts = _weights_of_another_fit(X, y)
    old = {"ours": ours.predict_proba(X), "mlp": mlp.predict_proba(X)}
    for est in (ours, mlp):
        if how == "lists":
            est.coefs_, est.intercepts_ = [c.copy() for c in coefs], [b.copy() for b in intercepts]
        elif how == "items":
            for i in range(2):
                est.coefs_[i], est.intercepts_[i] = coefs[i].copy(), intercepts[i].copy()
        else:
            for i in range(2):
                est.coefs_[i][...], est.intercepts_[i][...] = coefs[i], intercepts[i]
    set_proba = ours.predict_proba(X)
    np.testing.assert_allclose(mlp.predict_proba(X), set_proba, rtol=1e-12, atol=1e-12)
    # a step size that leaves the weights as set, for more epochs than the rule's patience
    ours.set_params(warm_start=True, learning_rate=1e-12, epochs=5, n_iter_no_change=10)
    _fits(ours, X, y)
    assert ours.n_iter_ == 5
    # the rule started anew from the weights set: its best is of this fit's epochs, and those weights stay
    assert ours.best_validation_score_ == max(ours.validation_scores_[-5:])
    np.testing.assert_allclose(ours.predict_proba(X), set_proba, rtol=0, atol=1e-8)
    assert not np.allclose(set_proba, old["ours"], atol=1e-3)
    # MLPClassifier's (documented difference): a new list replaces its coefs_, and the end of the fit puts its old
    # best weights back, throwing those set (and the epochs trained from them) away. Its fitted coefs_ is its best
    # weights' list itself: items set, or arrays edited in place, change both, so the weights set stay
    mlp.set_params(warm_start=True, learning_rate_init=1e-12, max_iter=5, n_iter_no_change=10)
    _fits(mlp, X, y)
    np.testing.assert_allclose(mlp.predict_proba(X), old["mlp"] if how == "lists" else set_proba, rtol=0, atol=1e-8)


def test_regressor_weights_set_by_hand_are_kept_by_the_next_warm_fit():
    X, y = make_regression(n_samples=200, n_features=4, noise=1.0, random_state=0)
    y = y / y.std()
    reg = _fits(BackpropRegressor((8,), early_stopping=True, n_iter_no_change=3, learning_rate=0.01, epochs=300,
                                  random_state=0), X, y)
    assert reg.best_validation_score_ > 0.9
    reg.coefs_ = [np.full_like(c, 0.01) for c in reg.coefs_]
    set_pred = reg.predict(X)
    reg.set_params(warm_start=True, learning_rate=1e-12, epochs=3)
    _fits(reg, X, y)
    np.testing.assert_allclose(reg.predict(X), set_pred, rtol=0, atol=1e-8)
    assert reg.best_validation_score_ == max(reg.validation_scores_[-3:]) < 0.9
