"""The compiled epoch (Numba) against the NumPy training loop, the reference."""
import numpy as np
import pytest
from conftest import random_targets

import chainrule as cr
from chainrule.backend import kernels as _kernels
from chainrule.training import compiled

pytestmark = pytest.mark.skipif(not _kernels.AVAILABLE, reason="numba is not installed")

ARCHS = [
    (["tanh", "softmax"], "categorical_crossentropy"),
    (["relu", "relu", "softmax"], "categorical_crossentropy"),
    (["sigmoid", "sigmoid"], "sse"),
    (["leaky_relu", "linear"], "mse"),
    (["tanh", "sigmoid"], "binary_crossentropy"),
    (["relu", "tanh"], "sse"),
]
OPTIMIZERS = [
    lambda: cr.optim.SGD(0.05),
    lambda: cr.optim.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda: cr.optim.SGD(0.05, momentum=0.8, dampening=0.1),
    lambda: cr.optim.Adam(0.01, weight_decay=0.01),
    lambda: cr.optim.AdamW(0.01),
]


def build(acts, loss, seed, dtype="float64"):
    rng = np.random.default_rng(seed)
    widths = [5] + [int(w) for w in rng.integers(2, 7, size=len(acts))]
    if acts[-1] == "softmax":
        widths[-1] = max(widths[-1], 2)
    net = cr.Network([cr.Dense(a, b, act) for a, b, act in zip(widths, widths[1:], acts)], loss=loss,
                     dtype=dtype, seed=seed)
    X = rng.normal(size=(53, widths[0]))
    return net, X, random_targets(rng, loss, 53, widths[-1])


def train(monkeypatch, compiled, acts, loss, opt, seed, **kw):
    monkeypatch.setattr(_kernels, "ENABLED", compiled)
    net, X, Y = build(acts, loss, seed, kw.pop("dtype", "float64"))
    history = net.fit(X, Y, epochs=4, batch_size=8, optimizer=opt(), seed=seed, verbose=0, **kw)
    return net, history


@pytest.mark.parametrize("arch", range(len(ARCHS)))
@pytest.mark.parametrize("opt", range(len(OPTIMIZERS)))
def test_compiled_epoch_equals_numpy_loop(monkeypatch, arch, opt):
    acts, loss = ARCHS[arch]
    a, ha = train(monkeypatch, False, acts, loss, OPTIMIZERS[opt], seed=arch * 10 + opt)
    b, hb = train(monkeypatch, True, acts, loss, OPTIMIZERS[opt], seed=arch * 10 + opt)
    assert compiled.epoch_plan(b, b.optimizer) is not None      # it did take the compiled path
    np.testing.assert_allclose(b.params, a.params, rtol=1e-10, atol=1e-13)
    for key in ha.history:
        np.testing.assert_allclose(hb.history[key], ha.history[key], rtol=1e-10, atol=1e-13)
    assert a.optimizer.t == b.optimizer.t == 4 * 7


def test_compiled_epoch_float32_and_no_shuffle(monkeypatch):
    a, ha = train(monkeypatch, False, ["relu", "softmax"], "categorical_crossentropy", OPTIMIZERS[3], 1,
                  dtype="float32", shuffle=False)
    b, hb = train(monkeypatch, True, ["relu", "softmax"], "categorical_crossentropy", OPTIMIZERS[3], 1,
                  dtype="float32", shuffle=False)
    assert b.params.dtype == np.float32
    np.testing.assert_allclose(b.params, a.params, rtol=1e-4, atol=1e-6)


def test_paths_that_stay_on_numpy(monkeypatch):
    monkeypatch.setattr(_kernels, "ENABLED", True)
    net, X, Y = build(["tanh", "softmax"], "categorical_crossentropy", 0)
    assert compiled.epoch_plan(net, cr.optim.RMSprop(0.01)) is None             # no compiled RMSprop
    assert compiled.epoch_plan(net, cr.optim.SGD(0.1, clip_norm=1.0)) is None
    dropout = cr.Network([cr.Dense(5, 4, "relu"), cr.Dropout(0.5), cr.Dense(4, 2, "softmax")],
                         loss="categorical_crossentropy")
    assert compiled.epoch_plan(dropout, cr.optim.SGD(0.1)) is None


def test_compiled_epoch_divergence_keeps_last_finite_weights(monkeypatch):
    monkeypatch.setattr(_kernels, "ENABLED", True)
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(64, 3)) * 10, rng.normal(size=(64, 1)) * 10
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dense(8, 1)], loss="mse", seed=0)
    with pytest.raises(cr.errors.TrainingDiverged, match=r"epoch \d+, batch \d+"):
        net.fit(X, Y, epochs=50, batch_size=8, optimizer=cr.optim.SGD(5.0), verbose=0)
    assert np.all(np.isfinite(net.params))


@pytest.mark.parametrize("opt", range(len(OPTIMIZERS)))
def test_compiled_epoch_with_frozen_parameters(monkeypatch, opt):
    runs = []
    for use_kernels in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", use_kernels)
        net, X, Y = build(["tanh", "softmax"], "categorical_crossentropy", 3)
        net.layers[0].freeze("b")
        net.layers[1].freeze()
        before = net.get_weights()
        net.fit(X, Y, epochs=3, batch_size=8, optimizer=OPTIMIZERS[opt](), seed=3, verbose=0)
        after = net.get_weights()
        assert np.array_equal(after[1], before[1]) and np.array_equal(after[2], before[2])
        assert not np.array_equal(after[0], before[0])
        runs.append(net.params.copy())
    np.testing.assert_allclose(runs[1], runs[0], rtol=1e-10, atol=1e-13)


def test_train_steps_compiled_equals_numpy_for_the_seed(monkeypatch):
    results = []
    for use_kernels in (False, True):
        monkeypatch.setattr(_kernels, "ENABLED", use_kernels)
        net, X, Y, lr = cr.examples.seed_network()
        E = net.train_steps(X, Y, 10_000, optimizer=cr.optim.SGD(lr))
        results.append((E, net.loss(X, Y), net.params.copy()))
    (E0, L0, p0), (E1, L1, p1) = results
    assert E1 == pytest.approx(E0, rel=1e-12) and L1 == pytest.approx(L0, rel=1e-12)
    np.testing.assert_allclose(p1, p0, rtol=1e-12)
    assert round(L1, 10) == 0.0000351019 and round(E1, 10) == 0.0000351085     # the seed's two figures
