"""Where the compiled loops and the NumPy reference once parted: the sigmoid's formula (the
reference's tanh form lost small outputs, the loops' 1 / (1 + e^-net) did not), and a float32
loss that overflows (the loops summed it in float64 and took one more step before diverging)."""
import numpy as np
import pytest
import sympy

import chainrule as cr
from chainrule.backend import kernels
from chainrule.errors import TrainingDiverged
from chainrule.nn.activations import Sigmoid
from chainrule.training import compiled

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


@pytest.mark.parametrize("dtype, ulps", [(np.float64, 2), (np.float32, 3)])
def test_the_sigmoid_is_accurate_to_the_last_bits(dtype, ulps):
    """Against the exact value: 0.5 * (1 + tanh(net / 2)) was off by 9e-9 of it at net = -20,
    1.7e-4 at -30 and 35% at -37 in float64, and gave 0 from -20 on in float32 (2.1e-9)."""
    nets = np.r_[np.linspace(-100, 40, 561), -700.0, -20.0, -37.0].astype(dtype)
    got = Sigmoid()(nets)
    tiny = np.finfo(dtype).tiny
    for z, s in zip(nets, got):
        exact = float(1 / (1 + sympy.exp(-sympy.Float(float(z), 60))))
        if exact < tiny:                                    # below the normal range: 0 or a subnormal
            assert s <= tiny
            continue
        assert abs(float(s) - exact) <= ulps * float(np.spacing(dtype(exact))), (z, s, exact)
    with np.errstate(over="raise"):                        # e^-net overflows below -709 (float32: -88): output 0
        assert Sigmoid()(np.array([-1000.0, -750.0], dtype=dtype)).tolist() == [0.0, 0.0]
    for one, kind in ((dtype(-3.0), dtype), (np.array(dtype(-3.0)), dtype), (-3.0, np.float64)):   # one number
        assert Sigmoid()(one) == Sigmoid()(np.array([-3.0], dtype=kind))[0]


@needs_numba
def test_saturated_sigmoids_train_alike_in_the_compiled_loop(monkeypatch):
    """Raw digits pixels (0..16) saturate the sigmoids; Adam turns a tiny gradient into a whole
    step, so the two formulas' difference grew to 1.75e-11 of the weights in float64 (the
    documented tolerance is 1e-12)."""
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    X, Y = X[:300], np.eye(10)[y[:300]]
    params = []
    for enabled in (False, True):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        net = cr.Network([cr.Dense(64, 32, "sigmoid"), cr.Dense(32, 10, "sigmoid")], loss="sse", seed=0)
        net.fit(X, Y, epochs=20, batch_size=32, optimizer=cr.optim.Adam(1e-2), seed=1, verbose=0)
        params.append(net.params.copy())
    np.testing.assert_allclose(params[1], params[0], rtol=1e-12, atol=1e-12 * np.abs(params[0]).max())


class PerBatch(cr.callbacks.Callback):
    """A per-batch callback: the fit runs the NumPy loop."""

    def on_batch_end(self, batch, logs):
        pass


@needs_numba
@pytest.mark.parametrize("shuffle", [True, False])
def test_a_float32_loss_that_overflows_stops_both_loops_at_the_same_step(shuffle, monkeypatch):
    """The squares' float32 sum overflows (NumPy's loss: inf) while each square is finite: the
    compiled loop summed in float64, found a finite loss and applied one more update."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3)) * 3
    Y = np.tanh(X @ rng.normal(size=(3, 2))) * 0.8
    monkeypatch.setattr(kernels, "ENABLED", True)
    ends = []
    for callbacks in ([PerBatch()], []):
        net = cr.Network([cr.Dense(3, 16, "tanh"), cr.Dense(16, 2, "linear")], loss="mse", dtype="float32", seed=0)
        with pytest.raises(TrainingDiverged) as info:
            net.fit(X, Y, epochs=30, batch_size=8, optimizer=cr.optim.SGD(5.0), seed=3, shuffle=shuffle, verbose=0,
                    callbacks=callbacks)
        ends.append((str(info.value).split(":")[0], net.optimizer.t))      # "... in epoch 2, batch 6", the steps
    assert ends[1] == ends[0]


def odd_batch_fit(monkeypatch, enabled, dtype, batch_size, sparse, opt, epochs=3, callbacks=()):
    import scipy.sparse as sp
    monkeypatch.setattr(kernels, "ENABLED", enabled)
    rng = np.random.default_rng(7)
    X = rng.normal(size=(13, 5))
    X[np.abs(X) < 0.6] = 0.0
    y = rng.integers(0, 3, 13)
    net = cr.Network([cr.Dense(5, 6, "tanh"), cr.Dense(6, 3, "softmax")], loss="categorical_crossentropy",
                     dtype=dtype, seed=2)
    history = net.fit(sp.csr_matrix(X) if sparse else X, y, epochs=epochs, batch_size=batch_size, optimizer=opt(),
                      seed=4, verbose=0, callbacks=list(callbacks))
    return net, history


ODD_OPTIMIZERS = [lambda: cr.optim.SGD(0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
                  lambda: cr.optim.Adam(0.02)]


@needs_numba
@pytest.mark.parametrize("dtype, rtol", [("float64", 1e-12), ("float32", 1e-5)])
@pytest.mark.parametrize("batch_size", [1, 4, 13, 50])          # one row, a short last batch, all rows, more than all
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("opt", range(len(ODD_OPTIMIZERS)))
def test_odd_batch_sizes_give_the_numpy_loops_numbers(monkeypatch, dtype, rtol, batch_size, sparse, opt):
    a, ha = odd_batch_fit(monkeypatch, False, dtype, batch_size, sparse, ODD_OPTIMIZERS[opt])
    b, hb = odd_batch_fit(monkeypatch, True, dtype, batch_size, sparse, ODD_OPTIMIZERS[opt])
    assert compiled.epoch_plan(b, b.optimizer) is not None        # the compiled loop ran
    assert b.params.dtype == np.dtype(dtype) and a.optimizer.t == b.optimizer.t == 3 * -(-13 // batch_size)
    np.testing.assert_allclose(b.params, a.params, rtol=rtol, atol=rtol * np.abs(a.params).max())
    np.testing.assert_allclose(hb.history["loss"], ha.history["loss"], rtol=rtol)


class EveryEpoch(cr.callbacks.Callback):
    """A callback between epochs: the compiled loop runs one call an epoch instead of one for the run."""

    def on_epoch_end(self, epoch, logs=None):
        pass


@needs_numba
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("sparse", [False, True])
def test_the_whole_run_in_one_call_equals_the_run_epoch_by_epoch_bit_for_bit(monkeypatch, dtype, sparse):
    """Both run the same compiled epochs, so a checkpointed run (epoch by epoch) and a plain one
    (one call) give the same bits, in float32 too."""
    whole, _ = odd_batch_fit(monkeypatch, True, dtype, 4, sparse, ODD_OPTIMIZERS[1], epochs=5)
    by_epoch, _ = odd_batch_fit(monkeypatch, True, dtype, 4, sparse, ODD_OPTIMIZERS[1], epochs=5,
                                callbacks=[EveryEpoch()])
    assert np.array_equal(whole.params, by_epoch.params) and whole.optimizer.t == by_epoch.optimizer.t
