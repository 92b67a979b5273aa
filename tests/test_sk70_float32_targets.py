"""A float32 regressor's y holding a value float32 cannot hold: named as the user's `y`, at its own index."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from chainrule.sklearn import BackpropRegressor  # noqa: E402


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
@pytest.mark.parametrize("shape", [(20,), (20, 2)])
def test_float32_regressor_names_y_too_large(method, shape):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=shape)
    y[(7, 1)[:len(shape)]] = 1e39                      # finite in float64, beyond float32's 3.4e38
    with np.errstate(over="ignore"):
        assert np.isinf(np.float32(y.max()))          # what makes it a mistake: float32 cannot hold it
    est = BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, dtype="float32")
    with pytest.raises(ValueError, match=r"^y has values too large for float32 \(first 1e\+39 at index "
                                         + ("7;" if len(shape) == 1 else r"\(7, 1\);")) as info:
        getattr(est, method)(X, y)
    assert "Y " not in str(info.value)
    assert not hasattr(est, "network_")               # refused before a network was built


def test_float64_regressor_takes_the_same_y():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(20, 3)), rng.normal(size=20)
    y[7] = 1e39
    est = BackpropRegressor(hidden_layer_sizes=(3,), epochs=1, alpha=0.0).partial_fit(X, y)
    assert np.isfinite(est.loss_curve_[0])            # float64 holds 1e39 and its square (1e78)
