"""The tiny networks' compiled loop (backend/tiny.py) against the NumPy training loop, the reference."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels as _kernels
from chainrule.backend import tiny
from chainrule.training import compiled as compiled_run

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


# every shape in float64; float32, whose versions differ only in the element type the same unrolled code
# works on, on two shapes that hold every activation between them and a layer one unit wide (each version
# takes seconds to compile)
CASES = [("float64", shape) for shape in range(len(SHAPES))] + [("float32", 1), ("float32", 2)]


@pytest.mark.parametrize("dtype,shape", CASES)
@pytest.mark.parametrize("opt", range(len(OPTIMIZERS)))
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
    sizes = tuple(widths + [0] * (tiny.MAX_LAYERS + 1 - len(widths)))
    ids = np.array([compiled_run.ACTIVATION_KERNELS[type(layer.activation)] for layer in net.layers])
    for rows in (0, 3):         # fit: batches of 4, the last of 3 (any count); train_steps: always 3 rows
        key = tiny.version(sizes, ids, 11 if rows == 0 else 3, 4 if rows == 0 else 3)
        assert key[len(sizes) + tiny.MAX_LAYERS] == rows and tiny.ready(np.dtype(dtype), key)
    rtol, atol = (1e-12, 1e-13) if dtype == "float64" else (1e-5, 1e-6)
    np.testing.assert_allclose(p1, p0, rtol=rtol, atol=atol)
    np.testing.assert_allclose(h1, h0, rtol=rtol, atol=atol)
    assert E1 == pytest.approx(E0, rel=rtol, abs=atol)


@pytest.mark.parametrize("rows", [3, 0])
def test_tiny_loop_updates_only_the_trainable_parameters(monkeypatch, rows):
    """Frozen layers and biases (the seed network's): one loop over every parameter, masked. rows 3:
    the version with its scratch and a copy of the parameters on the stack; 0: in the arrays."""
    runs = []
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", compiled)
        net, X, Y = build(2, "float64", seed=3)
        net.layers[0].trainable = False
        net.layers[2].trainable = {"W": True, "b": False}
        before = net.params.copy()
        if rows:
            net.train_steps(X[:rows], Y[:rows], 40, optimizer=cr.optim.SGD(0.05, momentum=0.9))
        else:
            net.fit(X, Y, epochs=4, batch_size=4, optimizer=cr.optim.SGD(0.05, momentum=0.9), seed=2, verbose=0)
        runs.append(net.params.copy())
        frozen = np.ones(net.n_params, bool)
        for s in net.trainable_slices():
            frozen[s] = False
        assert frozen.sum() == 4 * 4 + 4 + 2 and np.array_equal(net.params[frozen], before[frozen])
        assert not np.array_equal(net.params[~frozen], before[~frozen])
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("rows", [1, 3, 5])
def test_tiny_loop_divergence_keeps_last_finite_weights(monkeypatch, rows):
    """The weights and gradients left by a diverging step, and the error's words, are those the
    NumPy loop leaves: train_steps on 1 and 3 rows (the versions whose parameters are copied to the
    stack and back), a fit of 5 rows in batches of 2 (the last of 1: the version on arrays)."""
    X = np.array([[1e3, -2e3], [3e2, 1e2], [-1e3, 5e2], [2e2, -7e2], [9e2, 4e2]])[:rows]
    runs = []
    for compiled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", compiled)
        net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)
        with pytest.raises(cr.errors.TrainingDiverged) as caught:
            if rows == 5:
                net.fit(X, X[:, :1], epochs=200, batch_size=2, optimizer=cr.optim.SGD(10.0), seed=0, verbose=0)
            else:
                net.train_steps(X, X[:, :1], 200, optimizer=cr.optim.SGD(10.0))
        assert np.all(np.isfinite(net.params))
        runs.append((net.params.copy(), net.grads.copy(), str(caught.value)))
    (p0, g0, m0), (p1, g1, m1) = runs
    np.testing.assert_allclose(p1, p0, rtol=1e-12)
    np.testing.assert_allclose(g1, g0, rtol=1e-12)
    assert m1 == m0
