"""onnx_target's inverse scaling (Mul and Add after the network) for targets near the dtype's largest numbers: the
graph's "variable" is the TransformedTargetRegressor's predict, bit for bit in float32 (its overflow to inf too, where
predict's is inf) and to a few ulps in float64 (Gemm and NumPy sum the network's products in other orders)."""
import warnings

import numpy as np
import pytest

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("sklearn")
from sklearn.compose import TransformedTargetRegressor  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.sklearn import BackpropRegressor  # noqa: E402
from chainrule.sweep_search import TargetScaling  # noqa: E402

X = np.random.default_rng(0).normal(size=(40, 2))


@pytest.mark.parametrize("scaler", [StandardScaler, MinMaxScaler, TargetScaling], ids=lambda c: c.__name__)
@pytest.mark.parametrize("dtype, big", [(np.float32, 3e37), (np.float32, 1e8), (np.float64, 1e307), (np.float64, 1e17)])
def test_large_targets_give_predict_through_the_graph(scaler, dtype, big):
    if scaler is StandardScaler and big > 1e150:
        big = 1e150                      # StandardScaler's variance of 1e307s overflows (NaN): scikit-learn's limit
    wrapped = TransformedTargetRegressor(BackpropRegressor(hidden_layer_sizes=(3,), epochs=2, random_state=0,
                                                           dtype=dtype), transformer=scaler())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped.fit(X.astype(dtype), big * (1 + 0.5 * np.tanh(X[:, 0])))
        rows = (50 * X).astype(dtype)                # far out: some predictions beyond the dtype
        expected = wrapped.predict(rows)
    session = ort.InferenceSession(cr.to_onnx(wrapped).SerializeToString(), providers=["CPUExecutionProvider"])
    (got,) = session.run(["variable"], {"input": rows})
    assert got.dtype == expected.dtype and got.shape == expected.shape
    np.testing.assert_array_equal(np.isfinite(got), np.isfinite(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(got[finite], expected[finite], rtol=0 if dtype == np.float32 else 4 * 2.0 ** -52)
