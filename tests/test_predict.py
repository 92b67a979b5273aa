"""predict in chunks, in place, in the network's dtype: the same numbers as the whole-array
pass, memory that does not grow with X, and clear errors."""
import tracemalloc

import numpy as np
import pytest

import chainrule as cr
from chainrule.nn.inference import outputs


def net_of(acts, dtype="float32", widths=(30, 40, 20, 5)):
    layers = [cr.Dense(a, b, act) for a, b, act in zip(widths, widths[1:], acts)]
    loss = "categorical_crossentropy" if acts[-1] == "softmax" else "mse"
    return cr.Network(layers, loss=loss, dtype=dtype, seed=1)


@pytest.mark.parametrize("acts", [["relu", "sigmoid", "softmax"], ["tanh", "leaky_relu", "linear"],
                                  ["relu", "relu", "sigmoid"]])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_chunked_in_place_equals_the_whole_array_pass(acts, dtype):
    net = net_of(acts, dtype)
    X = np.random.default_rng(0).normal(size=(1000, 30)).astype(dtype)
    whole = outputs(net, X)                       # the layers' own infer, all rows at once
    for batch_size in (None, 1000, 333, 64, 1):
        got = net.predict(X, batch_size=batch_size)
        assert got.dtype == np.dtype(dtype) and got.shape == (1000, 5)
        tol = 1e-5 if dtype == "float32" else 1e-12          # BLAS sums a chunk's products in its own order
        np.testing.assert_allclose(got, whole, rtol=tol, atol=tol * np.abs(whole).max())
    np.testing.assert_allclose(net.predict(X[:1]), outputs(net, X[:1]), rtol=1e-5)
    np.testing.assert_array_equal(net.predict(X.tolist()), net.predict(X))


def peak_of(fn):
    tracemalloc.start()
    out = fn()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return out, peak


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_memory_does_not_grow_with_X_but_by_the_result(dtype):
    """A float64 X for a float32 network is converted chunk by chunk, a float32 X used as it is:
    twice the rows cost only the larger result (not a converted copy, not whole hidden layers)."""
    net = net_of(["relu", "relu", "softmax"], "float32", widths=(200, 64, 32, 10))
    X = np.random.default_rng(0).random((80_000, 200)).astype(dtype)      # as float32: 64 MB
    half, peak_half = peak_of(lambda: net.predict(X[:40_000], batch_size=2048))
    full, peak_full = peak_of(lambda: net.predict(X, batch_size=2048))
    np.testing.assert_allclose(full, outputs(net, X.astype(np.float32)), rtol=1e-5, atol=1e-6)
    result = 40_000 * 10 * 4
    assert peak_full - peak_half < result + 256_000, (peak_half, peak_full)
    assert peak_full < 8e6            # the result (3.2 MB) and 2,048-row buffers


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_default_chunks_add_at_most_3_mb_beside_the_result(dtype):
    """The benchmark's 784-256-128-10 float32 network on 30,000 rows: the chunk's buffers (hidden
    layers) stay within 3 MB together, where JAX's jitted forward pass adds 3 MB beside its result
    (benchmarks/RESULTS.md); with a float64 X, converted a chunk of 1,024 rows at a time, 5 MB."""
    net = net_of(["relu", "relu", "softmax"], "float32", widths=(784, 256, 128, 10))
    X = np.random.default_rng(0).random((30_000, 784)).astype(dtype)
    out, peak = peak_of(lambda: net.predict(X))
    assert peak - out.nbytes <= (3 if dtype == "float32" else 5) * 2**20 + 64_000, (peak - out.nbytes) / 2**20
    np.testing.assert_allclose(out, outputs(net, X.astype(np.float32)), rtol=1e-5, atol=1e-6)


def test_bad_values_are_named_by_their_index_in_X():
    net = net_of(["relu", "relu", "softmax"], "float32")
    X = np.zeros((2000, 30))
    X[1500, 7] = np.nan
    with pytest.raises(cr.errors.ValidationError, match=r"X contains NaN or infinity \(first at index \(1500, 7\)\)"):
        net.predict(X, batch_size=256)
    X[1500, 7] = 1e300                              # finite in float64, infinite in float32
    with pytest.raises(cr.errors.ValidationError, match=r"index \(1500, 7\)"):
        net.predict(X, batch_size=256)
    with pytest.raises(cr.errors.ValidationError, match="29 features per sample; the network expects 30"):
        net.predict(np.zeros((4, 29), dtype=np.float32))


def test_a_dense_subclass_with_its_own_infer_is_used():
    class Doubled(cr.Dense):
        def infer(self, x, with_net=False):
            out = super().infer(x, with_net)
            return out if with_net else out * 2.0

    net = cr.Network([Doubled(3, 4, "relu"), cr.Dense(4, 2)], loss="mse", seed=0)
    X = np.random.default_rng(1).normal(size=(50, 3))
    plain = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 2)], loss="mse", seed=0)
    plain.layers[1].W[...] *= 2.0                   # the same function, written another way
    np.testing.assert_allclose(net.predict(X, batch_size=7), plain.predict(X), rtol=1e-12)
