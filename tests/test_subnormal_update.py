"""Adam's compiled update on "quiet" parameters (a zero gradient and a subnormal running average m:
`kernels._adam_one`) gives the NumPy update's numbers bit for bit: the new m from m's bits
(`bits.intrinsics`), p unchanged where the update cannot move it (`kernels.quiet_bound`)."""
import itertools

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")

BITS = {np.float32: (np.uint32, 23), np.float64: (np.uint64, 52)}


@pytest.fixture(autouse=True)
def compiled(monkeypatch):
    monkeypatch.setattr(kernels, "ENABLED", True)
    kernels.load(force=True)


def on_arrays(kernel):
    """A jitted loop applying the intrinsic `kernel` (callable from compiled code only) elementwise."""
    import numba

    @numba.njit
    def run(m, b1, g, out):
        for i in range(m.shape[0]):
            out[i] = kernel(m[i], b1, g[i])
    return run


def same_bits(a, b):
    """Bit for bit equal, NaNs included (as IEEE arithmetic gives them)."""
    a, b = np.asarray(a), np.asarray(b)
    uint = BITS[a.dtype.type][0]
    return np.array_equal(a.view(uint), b.view(uint))


def same_bits_each(a, b):
    uint = BITS[a.dtype.type][0]
    return a.view(uint) == b.view(uint)


def subnormals(dtype, n, rng):
    """Subnormal numbers of both signs: the smallest, the largest, those around a power of two,
    and random ones."""
    uint, mantissa = BITS[dtype]
    top = 2 ** mantissa
    k = np.concatenate([[1, 2, 3, top - 1, top - 2], [2 ** j + d for j in range(1, mantissa) for d in (-1, 0, 1)],
                        rng.integers(1, top, n)]).astype(uint)
    k = np.concatenate([k, k | uint(1 << (8 * np.dtype(dtype).itemsize - 1))])   # and the negative ones
    return k.view(dtype)


BETAS = [0.0, 0.5, 0.9, 0.99, 0.999, 0.3, "below one"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("b1", BETAS)
def test_the_decay_from_the_bits_is_ieee_arithmetic(dtype, b1):
    b1 = np.nextafter(dtype(1), dtype(0)) if b1 == "below one" else dtype(b1)
    m = subnormals(dtype, 200_000, np.random.default_rng(0))
    run = on_arrays(kernels._decayed_jit)
    for zero in (dtype(0.0), dtype(-0.0)):
        g = np.full_like(m, zero)
        out = np.empty_like(m)
        run(m, b1, g, out)
        with np.errstate(all="ignore"):
            expected = m * b1 + dtype(1.0 - float(b1)) * g      # as optim.Adam's NumPy update computes it
        assert same_bits(out, expected), (b1, zero)


def test_every_float32_subnormal_decays_as_ieee_arithmetic():
    """All 2 * (2^23 - 1) subnormal float32 numbers, at Adam's default beta1 and one just below 1."""
    k = np.arange(1, 2 ** 23, dtype=np.uint32)
    m = np.concatenate([k, k | np.uint32(1 << 31)]).view(np.float32)
    run = on_arrays(kernels._decayed_jit)
    for b1 in (np.float32(0.9), np.nextafter(np.float32(1), np.float32(0))):
        g, out = np.zeros_like(m), np.empty_like(m)
        run(m, b1, g, out)
        assert same_bits(out, m * b1 + np.float32(1.0 - float(b1)) * g), b1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_subnormal_means_nonzero_and_below_the_smallest_normal_number(dtype):
    import numba
    tiny = np.finfo(dtype).tiny
    x = np.array([0.0, -0.0, tiny, -tiny, np.nextafter(tiny, 0), -np.nextafter(tiny, 0), np.nextafter(0, 1),
                  1.0, -2.5, np.inf, -np.inf, np.nan, np.finfo(dtype).max], dtype=dtype)
    subnormal = kernels._subnormal_jit

    @numba.njit
    def run(a, out):
        for i in range(a.shape[0]):
            out[i] = subnormal(a[i])
    out = np.zeros(x.shape, np.bool_)
    run(x, out)
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(out, (x != 0) & (np.abs(x) < tiny))


def adversarial_state(dtype):
    """Every combination of the cases that matter for a quiet parameter and its neighbours: m
    subnormal (either sign, the largest), zero or normal; g a signed zero, subnormal or normal;
    v zero, subnormal or normal; p from far above the quiet bound down through it (where the
    update does move p), a signed zero, subnormal, infinite or NaN."""
    tiny = np.finfo(dtype).tiny
    largest_sub = np.nextafter(dtype(tiny), dtype(0))
    ms = [largest_sub, -largest_sub, dtype(tiny / 3), -dtype(tiny / 1000), dtype(0.0), dtype(-0.0), dtype(1e-3)]
    gs = [dtype(0.0), dtype(-0.0), largest_sub, dtype(1e-20), dtype(-0.5)]
    vs = [dtype(0.0), largest_sub, dtype(1e-30), dtype(0.04)]
    mantissa = BITS[dtype][1]
    # the largest possible update of a quiet p, with lr 1e-2 and eps 1e-8 (below): step * tiny / eps
    u = 1e-2 / (1 - 0.9) * tiny / 1e-8
    scales = [u * 2.0 ** j for j in range(mantissa - 4, mantissa + 8)] + [1.0, 1e30]
    ps = [dtype(s) * sign for s in scales for sign in (1, -1)]
    ps += [dtype(0.0), dtype(-0.0), largest_sub, dtype(np.inf), dtype(-np.inf), dtype(np.nan)]
    rows = list(itertools.product(ps, gs, ms, vs))
    p, g, m, v = (np.array(c, dtype=dtype) for c in zip(*rows))
    return p, g, m, v


OPTIMIZERS = {
    "adam": lambda: cr.optim.Adam(1e-2, eps=1e-8),
    "adam, weight decay": lambda: cr.optim.Adam(1e-2, eps=1e-8, weight_decay=1e-3),
    "adamw": lambda: cr.optim.AdamW(1e-2, eps=1e-8, weight_decay=1e-2),
    "eps 0": lambda: cr.optim.Adam(1e-2, eps=0.0),
    "beta1 0": lambda: cr.optim.Adam(1e-2, betas=(0.0, 0.999), eps=1e-8),
    "beta1 0.5, large lr": lambda: cr.optim.Adam(10.0, betas=(0.5, 0.9), eps=1e-12),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
@pytest.mark.parametrize("t", [0, 1000])
def test_the_kernel_equals_numpy_on_quiet_parameters_and_their_neighbours(dtype, name, t):
    p0, g, m0, v0 = adversarial_state(dtype)
    results = []
    for enabled in (True, False):
        kernels.ENABLED = enabled
        opt = OPTIMIZERS[name]()
        opt.t = t                              # the step's bias corrections: the first, and a late one
        p = p0.copy()
        opt.state = {"exp_avg": m0.copy(), "exp_avg_sq": v0.copy()}
        with np.errstate(all="ignore"):
            opt.step(p, g)
        results.append((p, opt.state["exp_avg"], opt.state["exp_avg_sq"]))
    kernels.ENABLED = True
    for got, expected, what in zip(results[0], results[1], ("p", "m", "v")):
        nan = np.isnan(expected)
        np.testing.assert_array_equal(np.isnan(got), nan, err_msg=what)
        bad = ~nan & ~same_bits_each(got, expected)       # NaNs: a NaN either way (their bits are not IEEE's)
        assert not bad.any(), (what, np.flatnonzero(bad)[:5], got[bad][:5], expected[bad][:5])
    # the shortcut's case is there (not for coupled weight decay: the gradient is then g + wd * p)
    opt = OPTIMIZERS[name]()
    b1 = opt.betas[0]
    bound = kernels.quiet_bound(opt.lr / (1 - b1 ** (t + 1)), *kernels.quiet_constants(np.dtype(dtype), opt.eps, b1))
    if name == "eps 0":
        assert np.isnan(bound)                # no parameter is quiet: the update's denominator can be 0
    elif name != "adam, weight decay":
        with np.errstate(invalid="ignore"):
            quiet = (m0 != 0) & (np.abs(m0) < np.finfo(dtype).tiny) & (g == 0) & (np.abs(p0) >= dtype(bound))
        assert quiet.sum() > 100, quiet.sum()


def test_training_with_quiet_parameters_is_the_numpy_training(monkeypatch):
    """A first-layer weight whose input is zero after the first rows of each epoch (no shuffling)
    gets zero gradients: its m decays through the subnormal numbers in every epoch. The per-step
    kernels train as NumPy does, bit for bit, the compiled epoch to float32's rounding, and each
    end state holds subnormal m."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 6)).astype(np.float32)
    X[20:, :3] = 0.0                                  # columns 0-2 speak only in the first 20 rows
    y = (X[:, 3] + X[:, 4] > 0).astype(int)
    results = {}
    for name, enabled, epoch_limit in (("numpy", False, None), ("per-step kernels", True, 0),
                                       ("compiled epoch", True, None)):
        monkeypatch.setattr(kernels, "ENABLED", enabled)
        if epoch_limit is not None:
            monkeypatch.setattr(kernels, "MAX_EPOCH_PARAMS", epoch_limit)
        net = cr.Network([cr.Dense(6, 16, "relu"), cr.Dense(16, 2, "softmax")],
                         loss="categorical_crossentropy", dtype="float32", seed=0)
        monkeypatch.setattr(kernels, "MIN_UPDATE_SIZE", 0)
        opt = cr.optim.Adam(1e-3)
        net.fit(X[:900], y[:900], epochs=2, batch_size=1, optimizer=opt, shuffle=False, verbose=0)
        monkeypatch.undo()
        results[name] = (net.params.copy(), opt.state["exp_avg"].copy())
    p, m = results["numpy"]
    tiny = np.finfo(np.float32).tiny
    for name, (_, state) in results.items():
        assert ((state != 0) & (np.abs(state) < tiny)).sum() >= 16, name     # a third of the silent weights
    assert same_bits(results["per-step kernels"][0], p) and same_bits(results["per-step kernels"][1], m)
    # the compiled epoch's products add in their own order: float32's tolerance (test_compiled_epoch.py)
    np.testing.assert_allclose(results["compiled epoch"][0], p, rtol=1e-4, atol=1e-6)


def quotients():
    """A jitted loop dividing x by c through `kernels._quotient` (c's reciprocal given), and
    counting where it differs from x / c, bit for bit (NaN equals NaN)."""
    import numba
    quotient = kernels._quotient_jit

    @numba.njit
    def run(x, c, r):
        differ = 0
        for i in range(x.shape[0]):
            a, b = quotient(x[i], c, r), x[i] / c
            differ += not ((a == b and (a != 0 or np.signbit(a) == np.signbit(b))) or (a != a and b != b))
        return differ
    return run


def adam_bias_corrections(dtype):
    """sqrt(1 - b2^t) rounded to `dtype`, as optim.Adam divides by it: usual b2, early and late t."""
    import math
    return sorted({dtype(math.sqrt(1.0 - b2 ** t)) for b2 in (0.9, 0.99, 0.999, 0.9999, 1 - 1e-12)
                   for t in (1, 2, 3, 7, 50, 400, 3000, 10 ** 6)})


def test_the_quotient_from_the_reciprocal_is_division_for_every_float32_significand():
    """Every float32 x in [1, 2) (scaling by a power of two changes nothing, short of underflow)
    divided by the bias corrections of Adam's usual betas: the kernel's update divides sqrt(v) by
    sqrt(1 - b2^t) this way (`kernels._quotient`), and must round as the division does."""
    run, uint = quotients(), BITS[np.float32][0]
    x = np.arange(np.float32(1).view(uint), np.float32(2).view(uint), dtype=uint).view(np.float32)
    for c in adam_bias_corrections(np.float32):
        assert run(x, c, np.float32(1) / c) == 0, c
    # on these x the correction has work to do: the product x * (1 / c) alone misses in 16% of them
    c = np.float32(0.0316)
    assert np.count_nonzero(x * (np.float32(1) / c) != x / c) > 10 ** 6


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_quotient_keeps_zeros_infinities_nan_and_the_range_of_square_roots(dtype):
    """The values sqrt(v) can take at its ends: ±0 (sign kept), the square root of the least
    subnormal number, of the largest number, infinity, NaN; and random significands."""
    run = quotients()
    least = np.sqrt(np.nextafter(dtype(0), dtype(1)))
    ends = np.array([0.0, -0.0, least, np.nextafter(least, dtype(1)), np.sqrt(np.finfo(dtype).tiny),
                     np.sqrt(np.finfo(dtype).max), np.inf, np.nan], dtype=dtype)
    rng = np.random.default_rng(0)
    x = np.concatenate([ends, ((1 + rng.random(200_000)) * 2.0 ** rng.integers(-60, 60, 200_000)).astype(dtype)])
    for c in adam_bias_corrections(dtype):
        assert run(x, c, dtype(1) / c) == 0, c
