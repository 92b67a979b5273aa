"""Every activation, loss and optimizer the compiled loop takes (read from its own tables, not listed here) against
the NumPy loop, the reference. Not to the bit: the compiled loop's matrix products are its own loops for networks
this small (`kernels.MAX_EPOCH_WORK`), summing each dot product in another order than NumPy's BLAS, so results differ
in their last bits (measured: at most 1.1e-15 of the largest weight in float64, 2.3e-7 in float32 after 15 steps).
Hence float64 to 1e-12 of the largest weight, float32 to 1e-5; a wrong formula (a derivative, a bias correction,
a momentum term) moves the weights by far more than that after 15 steps."""
import itertools
import warnings

import numpy as np
import pytest
from conftest import random_targets

import chainrule as cr
from chainrule.backend import kernels
from chainrule.nn.activations import ACTIVATIONS
from chainrule.nn.losses import LOSSES
from chainrule.training import compiled
from chainrule.training.optim import OPTIMIZERS

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def names(table, registry):
    """The registry names of a kernel table's classes."""
    return sorted(name for name, cls in registry.items() if cls in table)


ACTS = names(compiled.ACTIVATION_KERNELS, ACTIVATIONS)
LOSS_NAMES = names(compiled.LOSS_KERNELS, LOSSES)
# each optimizer of the table with each option its kernel branches on (momentum, Nesterov, dampening, decay)
VARIANTS = {"sgd": [{}, {"momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
                    {"momentum": 0.8, "dampening": 0.1}],
            "adam": [{}, {"weight_decay": 0.01}], "adamw": [{}]}
OPTS = [(name, kw) for name in names(compiled.OPTIMIZER_KERNELS, OPTIMIZERS) for kw in VARIANTS[name]]


def build(hidden, out, loss, dtype, seed=0):
    rng = np.random.default_rng(seed)
    net = cr.Network([cr.Dense(5, 7, hidden), cr.Dense(7, 6, hidden), cr.Dense(6, 5, out)], loss=loss, dtype=dtype,
                     seed=seed)
    X = rng.normal(size=(37, 5))
    return net, X, random_targets(rng, loss, 37, 5)


def taken(hidden, out, loss):
    """Whether the compiled loop takes this network (it has the cross-entropies only fused with their output)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            net, _, _ = build(hidden, out, loss, "float64")
        except (ValueError, TypeError):
            return False                   # a pairing the engine refuses (softmax with a loss it does not fit)
    return compiled._plan(net, cr.optim.SGD(0.1)) is not None


HIDDEN = [a for a in ACTS if a != "softmax"]          # the loop has the softmax only as the output
# every output activation with every loss the loop takes it with, the hidden activations taken in turn
OUTPUTS = [(o, loss) for o, loss in itertools.product(ACTS, LOSS_NAMES) if taken(HIDDEN[0], o, loss)]
NETS = [(HIDDEN[i % len(HIDDEN)], o, loss) for i, (o, loss) in enumerate(OUTPUTS)]


def test_the_combinations_cover_every_kernel():
    """Every activation, as hidden and as output layer, every loss and every optimizer of the tables is tried."""
    assert all(taken(h, o, loss) for h, o, loss in NETS)
    assert {h for h, _, _ in NETS} == set(ACTS) - {"softmax"} and {o for _, o, _ in NETS} == set(ACTS)
    assert {loss for _, _, loss in NETS} == set(LOSS_NAMES)
    assert {name for name, _ in OPTS} == set(names(compiled.OPTIMIZER_KERNELS, OPTIMIZERS)) == {"sgd", "adam", "adamw"}


def fit(monkeypatch, enabled, hidden, out, loss, opt, dtype):
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    net, X, Y = build(hidden, out, loss, dtype)
    name, kw = opt
    history = net.fit(X, Y, epochs=3, batch_size=8, optimizer=OPTIMIZERS[name](0.01, **kw), seed=1, verbose=0)
    return net, history


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("opt", OPTS, ids=[f"{n}{kw}" for n, kw in OPTS])
@pytest.mark.parametrize("hidden, out, loss", NETS)
def test_every_combination_equals_the_numpy_loop(monkeypatch, hidden, out, loss, opt, dtype):
    a, ha = fit(monkeypatch, False, hidden, out, loss, opt, dtype)
    b, hb = fit(monkeypatch, True, hidden, out, loss, opt, dtype)
    assert compiled.epoch_plan(b, b.optimizer) is not None and b.params.dtype == np.dtype(dtype)
    assert a.optimizer.t == b.optimizer.t == 3 * 5
    rtol = 1e-12 if dtype == "float64" else 1e-5
    np.testing.assert_allclose(b.params, a.params, rtol=rtol, atol=rtol * np.abs(a.params).max())
    assert set(hb.history) == set(ha.history)
    for key in ha.history:
        np.testing.assert_allclose(hb.history[key], ha.history[key], rtol=rtol, atol=rtol)
