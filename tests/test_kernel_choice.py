"""The rule that picks a per-step compiled kernel or the NumPy passes (`kernels.fused_ok`,
`kernels.update_ok`, measured in benchmarks/kernel_costs.py) takes the path its table says on
each side of its thresholds, and both paths give the NumPy reference's numbers there."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


@pytest.fixture
def calls(monkeypatch):
    """Count the calls of each per-step kernel (still running it), with the kernels on."""
    monkeypatch.setattr(kernels, "ENABLED", True)
    counts = dict.fromkeys(("bias_relu", "relu_backward", "adam", "sgd"), 0)
    for name in counts:
        monkeypatch.setattr(kernels, name, _counting(getattr(kernels, name), name, counts))
    return counts


def _counting(kernel, name, counts):
    def counted(*args, **kwargs):
        counts[name] += 1
        return kernel(*args, **kwargs)
    return counted


def test_the_table():
    n = kernels.MIN_UPDATE_SIZE
    assert not kernels.update_ok(n - 1, plain=True) and kernels.update_ok(n, plain=True)
    assert kernels.update_ok(1) and kernels.update_ok(n - 1)        # Adam, SGD with momentum: any size


def updates(opt_factory, n, slices=None, steps=3):
    """Parameters after `steps` updates with the kernels allowed, and with NumPy alone."""
    rng = np.random.default_rng(n)
    p0 = rng.standard_normal(n)
    grads = [rng.standard_normal(n) for _ in range(steps)]
    results = []
    for enabled in (True, False):
        kernels.ENABLED = enabled
        opt, p = opt_factory(), p0.copy()
        for g in grads:
            opt.step(p, g, slices)
        results.append(p)
    kernels.ENABLED = True
    return results


@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_sgd_takes_the_kernel_where_the_table_says_and_equals_numpy(calls, momentum):
    threshold = kernels.MIN_UPDATE_SIZE
    for n in (threshold - 1, threshold):
        before = calls["sgd"]
        with_rule, numpy_alone = updates(lambda: cr.optim.SGD(0.1, momentum=momentum, weight_decay=1e-3), n)
        took_kernel = calls["sgd"] > before
        assert took_kernel == (momentum != 0 or n >= threshold), (n, momentum)
        np.testing.assert_allclose(with_rule, numpy_alone, rtol=1e-12, atol=0)


@pytest.mark.parametrize("n", [10, 40_000])
def test_adam_takes_the_kernel_at_any_size_and_equals_numpy(calls, n):
    slices = [slice(0, 3), slice(5, n)]               # frozen parameters: one small update per part
    for opt in (lambda: cr.optim.Adam(1e-2, weight_decay=1e-3), lambda: cr.optim.AdamW(1e-2)):
        for parts in (None, slices):
            before = calls["adam"]
            with_rule, numpy_alone = updates(opt, n, parts)
            assert calls["adam"] - before == 3 * (1 if parts is None else 2)
            np.testing.assert_allclose(with_rule, numpy_alone, rtol=1e-12, atol=0)
            if parts is not None:
                np.testing.assert_array_equal(with_rule[3:5], numpy_alone[3:5])


def test_amsgrad_keeps_the_numpy_update(calls):
    with_rule, numpy_alone = updates(lambda: cr.optim.Adam(1e-2, amsgrad=True), 100)
    assert calls["adam"] == 0
    np.testing.assert_allclose(with_rule, numpy_alone, rtol=1e-12, atol=0)


def test_dense_passes_fused_from_eight_columns_and_equal_numpy(calls):
    """A 7-wide ReLU layer runs NumPy's passes, an 8-wide one the fused kernels; the training
    steps equal NumPy alone."""
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((33, 5)), rng.integers(0, 3, 33)
    results = []
    for enabled in (True, False):
        kernels.ENABLED = enabled
        net = cr.Network([cr.Dense(5, 7, "relu"), cr.Dense(7, 8, "relu"), cr.Dense(8, 3, "softmax")],
                         loss="categorical_crossentropy", dtype="float64", seed=3)
        opt = cr.optim.SGD(0.1, momentum=0.9)
        Xc, Y = net.check_data(X, y)
        for _ in range(4):
            net.train_batch(Xc, Y)
            opt.step(net.params, net.grads, net.trainable_slices())
        results.append(net.params.copy())
    kernels.ENABLED = True
    assert calls["bias_relu"] == 4 and calls["relu_backward"] == 4    # the 8-wide layer only, one per step
    assert kernels.fused_ok(np.zeros((33, 8))) and not kernels.fused_ok(np.zeros((33, 7)))
    assert not kernels.fused_ok(np.zeros((8, 33)).T)                  # not C-contiguous
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=0)
