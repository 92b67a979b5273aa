"""Error signals too small to matter are zero (`nn.layers.flush_small`, `kernels.flush_below`):
under 2^26 times the smallest normal number of their dtype, kept, they would push the products
they enter below the normal range, where every operation takes the processor's slow path. The
NumPy loop (the reference), the fused ReLU pass, the compiled epoch and the tiny loop flush alike,
the gradients stay PyTorch's, and the finiteness check ignores the tiny gradients it used to square."""
import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.backend import kernels as _kernels
from chainrule.nn.layers import flush_small
from chainrule.training import compiled

TAU32 = 2.0 ** -100


def confident(dtype="float32", hidden=16):
    """A softmax classifier sure of class 0: class 3's net input is 80 below the others', so its
    probability (1.8e-35) over the batch of 4 rows is a delta under float32's threshold (7.9e-31)."""
    rng = np.random.default_rng(0)
    net = cr.Network([cr.Dense(5, hidden, "relu"), cr.Dense(hidden, 4, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    W1, b1 = np.abs(rng.normal(size=(5, hidden))), np.full(hidden, 0.1)
    W2, b2 = rng.normal(size=(hidden, 4)) * 0.1, np.array([2.0, 0.0, 0.0, -80.0])
    net.set_weights([W1, b1, W2, b2])
    X = rng.uniform(0.5, 1.0, size=(4, 5))
    Y = np.eye(4)[[0, 1, 0, 2]]
    return net, X.astype(dtype), Y.astype(dtype)


def test_the_threshold_is_26_binades_above_the_normal_range():
    assert _kernels.flush_below(np.float32) == TAU32 == np.finfo(np.float32).tiny * 2.0 ** 26
    assert _kernels.flush_below(np.float64) == 2.0 ** -996
    d = np.array([TAU32, -TAU32, TAU32 / 2, -TAU32 / 2, 1e-45, 0.0, np.nan, -np.inf, 1.0], np.float32)
    out = flush_small(d.copy())
    np.testing.assert_array_equal(out, [TAU32, -TAU32, 0, 0, 0, 0, np.nan, -np.inf, 1.0])
    assert list(np.signbit(out[2:4])) == [False, True]           # -0 for a negative entry, as d * 0


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_backprop_flushes_the_tiny_delta_and_keeps_torchs_gradient(dtype):
    net, X, Y = confident(dtype)
    net.backprop(X, Y)
    out = net.layers[-1]
    tau = _kernels.flush_below(np.dtype(dtype))
    for layer in net.layers:
        small = (layer.delta != 0) & (np.abs(layer.delta) < tau)
        assert not small.any()
    # torch, float64: the same network's gradient, with class 3's tiny deltas kept
    t = {k: torch.tensor(np.asarray(v, np.float64), requires_grad=True)
         for k, v in zip(["W1", "b1", "W2", "b2"], net.get_weights())}
    z = torch.relu(torch.tensor(X, dtype=torch.float64) @ t["W1"] + t["b1"]) @ t["W2"] + t["b2"]
    loss = torch.nn.functional.cross_entropy(z, torch.tensor(Y.argmax(axis=1)))
    loss.backward()
    p3 = torch.softmax(z, dim=1)[:, 3].detach().numpy() / 4          # class 3's deltas, as torch has them
    if dtype == "float32":
        assert 0 < p3.max() < TAU32                                # under the threshold, so flushed
        np.testing.assert_array_equal(out.delta[:, 3], 0)
        np.testing.assert_array_equal(out.dW[:, 3], 0)              # where torch has about 1e-35
        assert 0 < np.abs(t["W2"].grad.numpy()[:, 3]).max() < 1e-30
    # float32 against float64: rounding, and class 3's 1e-35 lost, not more (gradients of about 1e-2)
    rtol, atol = (1e-5, 1e-7) if dtype == "float32" else (1e-12, 1e-30)
    for name, ours in zip(["W1", "b1", "W2", "b2"], [net.layers[0].dW, net.layers[0].db, out.dW, out.db]):
        np.testing.assert_allclose(ours, t[name].grad.numpy(), rtol=rtol, atol=atol)


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("path", ["numpy", "fused ReLU", "compiled epoch"])
def test_every_path_flushes_alike(monkeypatch, path):
    """One step of each path on the confident classifier: class 3's weight gradient is exactly 0,
    the rest is the NumPy loop's. `hidden` 16 takes the fused ReLU pass (8 columns or more) on the
    NumPy loop when Numba is on; the compiled epoch is the whole loop compiled."""
    monkeypatch.setattr(_kernels, "ENABLED", path != "numpy")
    if path == "fused ReLU":
        monkeypatch.setattr(compiled, "epoch_plan", lambda *a, **k: None)
    net, X, Y = confident()
    opt = cr.optim.SGD(1e-30)
    if path == "compiled epoch":
        assert compiled.epoch_plan(net, opt, X, 4) is not None
    net.train_steps(X, Y, 1, optimizer=opt)
    W2 = net.layers[-1]
    np.testing.assert_array_equal(W2.dW[:, 3], 0)
    assert W2.db[3] == 0
    ref, _, _ = confident()
    ref.backprop(X, Y)
    for a, b in zip(net.layers, ref.layers):
        np.testing.assert_allclose(a.dW, b.dW, rtol=1e-5, atol=1e-7)       # float32, summed in other orders


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed")
def test_the_tiny_loop_flushes_alike(monkeypatch):
    """A linear output unit off its target by 1e-33 (zero weights, that bias): its deltas, 5e-34,
    are under float32's threshold and above its smallest normal number; the tiny loop's gradient
    of that unit is exactly 0, as the NumPy loop's."""
    grads = []
    for enabled in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", enabled)
        net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "linear")], loss="mse", dtype="float32")
        net.set_weights([np.ones((2, 3)), np.zeros(3), np.c_[np.ones(3), np.zeros(3)], np.array([0.0, 1e-33])])
        X, Y = np.array([[0.5, -0.2], [0.1, 0.3]], np.float32), np.array([[1.0, 0.0], [0.0, 0.0]], np.float32)
        if enabled:
            plan = compiled.epoch_plan(net, cr.optim.SGD(1e-30), X, 2)
            assert plan is not None and plan[-1] is not None           # the tiny loop's widths
        net.train_steps(X, Y, 1, optimizer=cr.optim.SGD(1e-30))
        assert net.layers[1].dW[:, 1].tolist() == [0, 0, 0] and net.layers[1].db[1] == 0
        grads.append(net.grads.copy())
    np.testing.assert_allclose(grads[1], grads[0], rtol=1e-5, atol=1e-7)
    assert np.count_nonzero(grads[0]) > 0


@pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed")
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_finiteness_check_agrees_with_the_sum_of_squares(dtype):
    """`kernels.sumsq` counts entries under 1 as 0 (their squares cannot overflow; a tiny one's
    underflows, on the slow path): finite exactly where NumPy's sum of squares is, from Python and
    from inside a compiled function (Numba typed the old sum's start, g[0] * 0, as float64: a float32
    sum of squares then overflowed only where a square did)."""
    import numba

    _kernels.load(force=True)
    inner = numba.njit(lambda g: _kernels._sumsq_jit(g))
    big = np.sqrt(np.finfo(dtype).max)
    rng = np.random.default_rng(1)
    cases = [rng.normal(size=5000), rng.normal(size=5000) * 1e-30, np.full(5000, big / 40),
             np.full(5000, big / 80), np.r_[np.full(10, 1e-20), np.nan], np.r_[np.full(10, 1e-20), -np.inf],
             np.r_[np.nan, np.ones(9)], np.r_[np.inf, np.ones(9)], np.r_[big * 2, np.zeros(9)]]
    for g in cases:
        g = g.astype(dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            want = np.isfinite(np.einsum("i,i->", g, g))
        assert np.isfinite(_kernels.sumsq(g)) == want
        assert np.isfinite(inner(g)) == want
