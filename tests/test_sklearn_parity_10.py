"""A batch whose sample weights are all 0 adds nothing to the loss curve (the penalty's share of a multi-output
regressor's loss counted it), as MLP's over the other batches; and an optimizer scikit-learn's MLP refuses (Adam's
epsilon=0, whose 0/0 on a zero gradient gives NaN weights) is refused by the estimators' parameter check."""
import warnings

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

KW = dict(hidden_layer_sizes=(5,), batch_size=4, alpha=0.3, warm_start=True, shuffle=False, random_state=0)


def _same_start(mlp, ours, X, y, w):
    """Both built, given the same weights, then one epoch each: ours on every row with weights w, MLP's on the rows
    of weight 1 (w is 1 or 0, a whole batch of 0: MLP's fit divides by its weight, 0, and raises ZeroDivisionError)."""
    keep = w > 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp.fit(X[keep], y[keep])
        ours.fit(X, y)
        rng = np.random.RandomState(1)
        for k, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
            W0, b0 = rng.uniform(-0.7, 0.7, W.shape), rng.uniform(-0.2, 0.2, b.shape)
            mlp.coefs_[k], mlp.intercepts_[k] = W0.copy(), b0.copy()
            ours.coefs_[k][...], ours.intercepts_[k][...] = W0, b0
        mlp.fit(X[keep], y[keep])
        ours.fit(X, y, sample_weight=w)
    for a, b in zip(mlp.coefs_ + mlp.intercepts_, ours.coefs_ + ours.intercepts_):   # the same steps
        np.testing.assert_allclose(b, a, rtol=0, atol=1e-12)
    return mlp, ours


def _data(seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(12, 3)
    w = np.ones(12)
    w[4:8] = 0.0                    # the second of three batches of 4
    return X, X @ rng.randn(3, 3), w


def test_a_multi_output_regressors_zero_weight_batch_adds_no_penalty_to_the_loss():
    X, y, w = _data()
    mlp = MLPRegressor(solver="sgd", momentum=0.0, learning_rate_init=0.02, max_iter=2, **KW)
    ours = BackpropRegressor(optimizer="sgd", momentum=0.0, learning_rate=0.03, epochs=2, **KW)
    mlp, ours = _same_start(mlp, ours, X, y, w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)
    assert ours.loss_ == pytest.approx(mlp.loss_, rel=1e-12)


def test_a_multi_label_classifiers_zero_weight_batch_adds_nothing_to_the_loss():
    X, y, w = _data(1)
    labels = (y > 0).astype(int)
    mlp = MLPClassifier(solver="sgd", momentum=0.0, learning_rate_init=0.1, max_iter=2, **KW)
    ours = BackpropClassifier(optimizer="sgd", momentum=0.0, learning_rate=0.3, epochs=2, **KW)
    mlp, ours = _same_start(mlp, ours, X, labels, w)
    np.testing.assert_allclose(ours.loss_curve_[2:], mlp.loss_curve_[2:], rtol=1e-12)
