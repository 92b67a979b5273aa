"""The tiny networks' compiled loop (backend/tiny.py) against the NumPy training loop, the reference."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels as _kernels
from chainrule.backend import tiny

pytestmark = pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed")

# (widths, activations, loss): at most tiny.MAX_LAYERS layers, each at most tiny.TINY wide, sse or mse, SGD:
# what training/compiled.py hands to tiny.py
SHAPES = [
    ([2, 2, 2], ["sigmoid", "sigmoid"], "sse"),
    ([2, 3, 1], ["tanh", "linear"], "mse"),
    ([4, 4, 3, 2], ["relu", "leaky_relu", "sigmoid"], "mse"),
    ([3, 1, 4], ["leaky_relu", "tanh"], "sse"),
]
OPTIMIZERS = [lambda: cr.optim.SGD(0.1), lambda: cr.optim.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01)]


def build(shape, dtype, seed):
    widths, acts, loss = SHAPES[shape]
    assert max(widths) <= tiny.TINY
    net = cr.Network([cr.Dense(a, b, f) for a, b, f in zip(widths, widths[1:], acts)], loss=loss, dtype=dtype,
                     seed=seed)
    rng = np.random.default_rng(seed)
    return net, rng.normal(size=(11, widths[0])), rng.normal(size=(11, widths[-1]))


@pytest.mark.parametrize("shape", range(len(SHAPES)))
@pytest.mark.parametrize("opt", range(len(OPTIMIZERS)))
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_tiny_loop_equals_numpy(monkeypatch, shape, opt, dtype):
    runs = []
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", compiled)
        net, X, Y = build(shape, dtype, seed=shape)
        hist = net.fit(X, Y, epochs=5, batch_size=4, optimizer=OPTIMIZERS[opt](), seed=1, verbose=0)
        E = net.train_steps(X[:3], Y[:3], 50)
        runs.append((net.params.copy(), hist.history["loss"], E))
    (p0, h0, E0), (p1, h1, E1) = runs
    widths = SHAPES[shape][0]
    assert (np.dtype(dtype).char, tuple(widths + [0] * (tiny.MAX_LAYERS + 1 - len(widths)))) in tiny._entries
    rtol, atol = (1e-12, 1e-13) if dtype == "float64" else (1e-5, 1e-6)
    np.testing.assert_allclose(p1, p0, rtol=rtol, atol=atol)
    np.testing.assert_allclose(h1, h0, rtol=rtol, atol=atol)
    assert E1 == pytest.approx(E0, rel=rtol, abs=atol)


def test_tiny_loop_divergence_keeps_last_finite_weights(monkeypatch):
    monkeypatch.setattr(_kernels, "ENABLED", True)
    net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)
    X, Y = np.array([[1e3, -2e3]]), np.array([[1e3]])
    with pytest.raises(cr.errors.TrainingDiverged):
        net.train_steps(X, Y, 200, optimizer=cr.optim.SGD(10.0))
    assert np.all(np.isfinite(net.params))
