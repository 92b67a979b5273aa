"""The fused (Numba) bias+ReLU and ReLU-backward+bias-gradient passes of Dense in training give
the NumPy passes' values bit for bit (NaN and infinities included), and training with them equals
training without them."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels as _kernels
from chainrule.backend.kernels import flush_below
from chainrule.nn.activations import ReLU
from chainrule.nn.layers import flush_small

pytestmark = pytest.mark.skipif(not _kernels.ENABLED, reason="needs Numba (the [fast] extra)")


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,k", [(1, 8), (7, 10), (32, 64), (129, 256)])
def test_fused_passes_equal_numpy(dtype, m, k):
    rng = np.random.default_rng(m * k)
    net = rng.standard_normal((m, k)).astype(dtype)
    net[0, 0], net[-1, -1] = np.nan, -np.inf
    b = rng.standard_normal(k).astype(dtype)
    ref_net = net + b
    ref_out = np.maximum(ref_net, 0.0)
    out = np.empty_like(net)
    _kernels.bias_relu(net, b, out)
    np.testing.assert_array_equal(net, ref_net)
    np.testing.assert_array_equal(out, ref_out)
    dout = rng.standard_normal((m, k)).astype(dtype)
    tau = flush_below(dtype)
    # entries about the flush threshold, and subnormal ones, of both signs
    tiny = rng.choice(np.array([tau, -tau, tau / 2, -tau / 2, tau * 2, np.finfo(dtype).smallest_subnormal]), (m, k))
    dout = np.where(rng.random((m, k)) < 0.3, tiny * rng.choice([1, -1], (m, k)), dout).astype(dtype)
    dout[0, -1] = np.inf
    with np.errstate(invalid="ignore"):
        ref_delta = flush_small(ReLU().backward(dout, ref_out, ref_net))
    ref_db = np.add.reduce(ref_delta, axis=0)
    delta, db = np.empty_like(dout), np.empty(k, dtype)
    _kernels.relu_backward(dout, out, delta, db, tau)
    np.testing.assert_array_equal(delta, ref_delta)
    np.testing.assert_array_equal(np.signbit(delta), np.signbit(ref_delta))     # -0 where the flush's d * 0 gives it
    np.testing.assert_array_equal(db, ref_db)
    kept = np.abs(dout) >= tau
    assert not np.any((np.abs(delta) < tau) & (delta != 0))                      # nothing small left
    np.testing.assert_array_equal(delta[kept & (ref_out > 0)], dout[kept & (ref_out > 0)])   # nothing else changed


@pytest.mark.parametrize("layers", [
    lambda: [cr.Dense(20, 400, "relu"), cr.Dense(400, 300, "relu"), cr.Dense(300, 3, "softmax")],
    lambda: [cr.Dense(20, 400, "relu"), cr.Dropout(0.2), cr.Dense(400, 300, "relu"), cr.Dense(300, 3, "softmax")],
])
def test_training_with_fused_passes_equals_numpy(monkeypatch, layers):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((150, 20)).astype(np.float32)
    y = rng.integers(0, 3, 150)
    results = []
    monkeypatch.setattr(_kernels, "ENABLED", True)     # the kernels even for this short job (no "auto" choice)
    for fused in (True, False):
        if not fused:
            monkeypatch.setattr(_kernels, "fused_ok", lambda a: False)
        net = cr.Network(layers(), loss="categorical_crossentropy", dtype="float32", seed=1)
        hist = net.fit(X, y, epochs=2, batch_size=32, optimizer=cr.optim.Adam(1e-3), seed=2, verbose=0)
        results.append((net.params.copy(), hist.history["loss"]))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    assert results[0][1] == results[1][1]
