"""The regression metrics evaluate prints (`cli.weights.regression`, which `tabular.regression_metrics` reads)
on ordinary data are scikit-learn's to the last bit: values far from float64's limit are not rescaled, so no
rounding is added. The truth: sklearn.metrics on the same targets and predictions."""
from types import SimpleNamespace

import numpy as np
import pytest

metrics = pytest.importorskip("sklearn.metrics")
from chainrule.cli.tabular import regression_metrics  # noqa: E402
from chainrule.cli.weights import regression  # noqa: E402


def sklearn_metrics(y, p, w=None) -> dict[str, float]:
    mse = metrics.mean_squared_error(y, p, sample_weight=w)
    return {"mse": mse, "rmse": float(np.sqrt(mse)), "mae": metrics.mean_absolute_error(y, p, sample_weight=w)}


@pytest.mark.parametrize("weighted", [False, True])
def test_ordinary_values_give_sklearns_metrics_exactly(weighted):
    rng = np.random.default_rng(5)
    pre = SimpleNamespace(y_scale=1.0, task="regression")
    for _ in range(20):
        y = rng.normal(size=40) * 3
        p = y + rng.normal(size=40)
        w = rng.uniform(0.5, 2.0, size=40) if weighted else np.ones(40)
        got = regression(pre, p[:, None], y[:, None], w) if weighted else regression_metrics(pre, p[:, None],
                                                                                            y[:, None])
        want = sklearn_metrics(y, p, w if weighted else None)
        assert {k: got[k] for k in want} == want
        assert got["r2"] == pytest.approx(metrics.r2_score(y, p, sample_weight=w if weighted else None), rel=1e-13)


def test_a_constant_target_leaves_r2_undefined_whatever_the_means_rounding():
    y = np.full(10, 0.1)                        # its mean, summed, is 0.09999999999999999
    p = np.linspace(0.0, 0.2, 10)
    pre = SimpleNamespace(y_scale=1.0, task="regression")
    assert regression_metrics(pre, p[:, None], y[:, None])["r2"] is None
    assert regression(pre, p[:, None], y[:, None], np.linspace(0.5, 2.0, 10))["r2"] is None


def test_targets_at_float64s_limit_give_sklearns_metrics_in_scaled_units():
    y = np.array([1.797e308, -1.7e308, 3.0, 1e307, -4.0])
    p = np.array([0.5, -1.0, 2.0, 1e306, 1.0])
    got = regression(SimpleNamespace(y_scale=1.0), p[:, None], y[:, None], np.ones(5))
    unit = 2.0 ** 1000                                  # exact scaling: sklearn's squares then stay finite
    want = sklearn_metrics(y / unit, p / unit)
    assert got["mse"] == np.inf
    np.testing.assert_allclose([got["rmse"], got["mae"], got["r2"]],
                               [want["rmse"] * unit, want["mae"] * unit, metrics.r2_score(y / unit, p / unit)],
                               rtol=1e-12)
