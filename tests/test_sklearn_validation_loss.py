"""validation_loss_curve_ in MLP's units, as loss_curve_: MLPRegressor's and MLPClassifier's loss formulas (half the
squared error averaged over rows and outputs; the log loss summed over a multi-label target's labels), the held-out
loss without alpha's penalty. A regressor's held-out loss was twice MLPRegressor's, a multi-label classifier's the
mean over its labels: a fake gap between the two curves."""
import numpy as np
import pytest
from scipy.special import xlogy

import chainrule.sklearn.fitting as fitting
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")


def _same_rows(est, X, y, Y, sample_weight, seed, scored=None):
    """The held-out rows are the training rows: both curves measure the same network on the same rows."""
    rows = (X, y, Y, sample_weight)
    return rows, rows, scored


def _squared(y, out):                    # MLPRegressor's squared_loss: ((y - out) ** 2).mean() / 2
    return float(((y - out) ** 2).mean() / 2)


def _log_loss(Y, p):                     # MLPClassifier's: binary_log_loss (labels summed) or log_loss
    p = np.clip(p, np.finfo(p.dtype).eps, 1 - np.finfo(p.dtype).eps)
    if Y.shape[1] == 1:
        Y, p = np.hstack([1 - Y, Y]), np.hstack([1 - p, p])
    elif Y.sum(axis=1).max() > 1 or Y.sum(axis=1).min() < 1:          # multi-label: each label's two terms
        return float(-(xlogy(Y, p).sum() + xlogy(1 - Y, 1 - p).sum()) / Y.shape[0])
    return float(-xlogy(Y, p).sum() / Y.shape[0])


def _data(kind):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 4)
    if kind == "regression-1":
        return X, X @ rng.randn(4) + 0.5 * rng.randn(60)
    if kind == "regression-3":
        return X, X @ rng.randn(4, 3) + 0.5 * rng.randn(60, 3)
    if kind == "binary":
        return X, (X[:, 0] > 0).astype(int)
    if kind == "multiclass":
        return X, np.digitize(X[:, 0], [-0.5, 0.5])
    return X, np.column_stack([X[:, 0] > 0, X[:, 1] > 0, X[:, 2] > 0.5]).astype(int)     # multi-label


@pytest.mark.parametrize("kind", ["regression-1", "regression-3", "binary", "multiclass", "multilabel"])
@pytest.mark.parametrize("alpha", [0.0, 0.3])
def test_the_held_out_loss_is_mlps_data_term_as_the_training_loss(kind, alpha, monkeypatch):
    monkeypatch.setattr(fitting, "hold_out", _same_rows)
    X, y = _data(kind)
    cls = BackpropRegressor if kind.startswith("regression") else BackpropClassifier
    # a step too small to move a weight: every epoch's network is the fitted one
    est = cls(hidden_layer_sizes=(8,), early_stopping=True, epochs=3, batch_size=60, learning_rate=1e-300,
              alpha=alpha, random_state=0, shuffle=False).fit(X, y)
    if cls is BackpropRegressor:
        data = _squared(y, est.predict(X))
    else:
        p = est.predict_proba(X)
        Y = y.reshape(-1, 1) if kind == "binary" else (y if kind == "multilabel" else np.eye(3)[y])
        data = _log_loss(Y.astype(float), p[:, 1:] if kind == "binary" else p)
    penalty = 0.5 * alpha * sum(float((W ** 2).sum()) for W in est.coefs_) / X.shape[0]     # MLP's, over the rows
    np.testing.assert_allclose(est.validation_loss_curve_, [data] * 3, rtol=1e-9)
    np.testing.assert_allclose(est.loss_curve_, [data + penalty] * 3, rtol=1e-9)


def test_a_regressors_curves_on_iid_rows_have_no_gap():
    """The reviewer's case: held-out loss 1.014 beside a training loss of 0.512 on rows of one distribution."""
    rng = np.random.RandomState(0)
    X = rng.randn(400, 5)
    y = X @ rng.randn(5) + rng.randn(400)
    est = BackpropRegressor(hidden_layer_sizes=(16,), early_stopping=True, epochs=30, random_state=0).fit(X, y)
    assert 0.7 < est.validation_loss_curve_[-1] / est.loss_curve_[-1] < 1.4
