"""Compiled kernels (Numba): plain loops over plain arrays and numbers.

This is a leaf module: it imports nothing of chainrule and knows no class of it. The engine
(`chainrule.nn`) and the fit loop (`chainrule.training`) decide, by the exact built-in class of an
activation, loss, layer or optimizer, whether a kernel applies (`chainrule.training.compiled`);
anything else runs its own Python on the NumPy path, which is the reference every kernel is
tested against. Scalars that the NumPy path computes in Python floats (1 - beta, the bias
corrections) are computed the same way here and rounded once to the arrays' precision.

Numba is optional (`pip install '.[fast]'` in chainrule's checkout) and never makes a job wait (`ENABLED`):
CHAINRULE_NUMBA=0 (or `ENABLED = False`): NumPy only; =1 (`ENABLED = True`): the kernels,
compiled on first use if they are not cached; unset ("auto"): a job uses them only when they are
already compiled and cached and the job is long enough to pay for importing Numba; otherwise it
runs on NumPy while a background process compiles and caches them for the next job
(`backend/warmup.py`). The whole training loop of small networks is in `backend/loops.py`.
"""
from __future__ import annotations

import functools
import importlib.util
import math
import os
from typing import Any, cast

import numpy as np

from . import bits, cachedir, signals

# the core needs only NumPy; the kernels need Numba, and SciPy, whose BLAS Numba's np.dot calls
# (without it the compiled loops failed to compile: "scipy 0.16+ is required for linear algebra")
AVAILABLE = importlib.util.find_spec("numba") is not None and importlib.util.find_spec("scipy") is not None
_MODES: dict[str, bool | str] = {"0": False, "1": True, "auto": "auto"}
_MODE = os.environ.get("CHAINRULE_NUMBA", "").strip().lower() or "auto"
# a value not in _MODES leaves ENABLED true, so that the first job to ask for the kernels (load,
# warmup.prepare) raises check_mode's error: `import chainrule`, and commands that train nothing, still work
# (so does CHAINRULE_NUMBA=1 without Numba or SciPy: the job that would use them says what to install)
ENABLED: bool | str = (AVAILABLE and _MODES[_MODE]) if _MODE in _MODES and (_MODE != "1" or AVAILABLE) else "auto"
numba: Any = None
# the compiled kernels, set by load()
_adam_jit = _sgd_jit = _bias_relu_jit = _relu_backward_jit = _adam_one_jit = _sgd_one_jit = cast(Any, None)
_sumsq_jit = _subnormal_jit = _decayed_jit = _quotient_jit = quiet_bound_jit = cast(Any, None)
# Where each per-step kernel beats the NumPy passes it replaces: benchmarks/kernel_costs.py on the
# 2-core development machine, interleaved medians, microseconds NumPy / kernel.
# - Fused bias+ReLU forward and ReLU backward (+ bias gradient): the kernel wins at every shape
#   measured, batch 1..8192 x width 8..4096, float32 and float64, forward 1.2-22x, backward 1.3-9x
#   (1 x 8: 1.6 / 1.2 and 2.6 / 1.2; 128 x 128 float32: 14.7 / 4.5 and 14.3 / 5.3; 8192 x 4096
#   float64: 79 / 49 ms and 198 / 108 ms), so `fused_ok` asks only for a layout the loops fit.
# - Adam and SGD with momentum: the kernel wins from 10 parameters (Adam 7.6 / 3.2, momentum
#   3.1 / 3.0 float32) to 2M (Adam 13.4 / 2.9 ms, momentum 3.0 / 1.6 ms float32).
# - Plain SGD (momentum 0: NumPy's two calls, lr * g and p -= ...): NumPy wins up to about 8k
#   parameters in float32 (4k: 4.5 / 5.2), even at 8k-16k (6.0 / 5.9, 12.3 / 11.7), the kernel
#   from 24k (18.8 / 13.2) to 2M (2.0 / 1.1 ms); in float64 the kernel wins from 2k.
# A fit step (Adam, float32, every BLAS at one thread) with the kernels takes 0.70-0.96 of NumPy's
# time for 784-128-128-10 and 0.65-0.93 for 784-256-128-10 at batch 32-1024 (32: 0.84 vs 1.19 ms).
# The kernels are serial (no parallel=, no prange): Numba starts no thread pool. The 1.73 vs 0.93
# ms once measured at batch 128 does not come back with one BLAS thread; with OpenBLAS's two
# threads on the loaded 2-core machine the same step swings 3-36 ms, with or without the kernels.
MIN_UPDATE_SIZE = 16_000   # plain SGD: below this many parameters NumPy's two calls cost less than the kernel
MAX_EPOCH_PARAMS = 100_000  # above this the matrix products dominate and NumPy's loop is as fast
# batch x parameters above which the compiled loop's plain products lose to BLAS (measured per step:
# 784-64-64-10 at batch 32, 1.8M, 0.22 vs 0.29 ms; at batch 256, 14M, 1.11 vs 0.88 ms)
MAX_EPOCH_WORK = 4_000_000


# delta's entries below 2^FLUSH_BINADES times the smallest normal number of their dtype (float32:
# 2^-100, 7.9e-31; float64: 2^-996) are set to zero. Their products with weights and activations
# (down to 2^-26 = 1.5e-8) could fall below the normal range, where the processor computes every
# operation on a slow path (a 512 x 512 float32 product whose terms all fall there: 359 ms, 1.7
# with them flushed to zero). A confident classifier's softmax outputs reach that range late in training: after 60
# epochs of digits, 64-1024-1024-10 float32, the forward and backward pass of 1,024 rows took 71
# ms with its deltas kept, 52 flushed (benchmarks/RESULTS-subnormal.md). Such an entry is 1e-24
# of a typical one: it cannot change a sum that has one ordinary term. XLA (JAX, TensorFlow)
# flushes every subnormal number to zero instead. nn/layers.py `flush_small` is the rule; the
# kernels and the compiled loops flush with the same test (`_relu_backward`, units.py `_flush`).
FLUSH_BINADES = 26


@functools.cache
def flush_below(dtype: Any) -> float:
    """The magnitude under which a delta entry of this dtype is set to zero (`FLUSH_BINADES`)."""
    return float(np.finfo(dtype).tiny) * 2.0 ** FLUSH_BINADES


# -- optimizer updates: one pass over the flat parameter vector -------------------------------
def _adam_one(p, g, m, v, b1, b2, omb1, omb2, eps, decay, wd, shrink, decoupled, step, bc2_sqrt, bc2_inv,
              quiet_above):
    """One parameter's Adam step, in the order of operations of optim.Adam's NumPy update
    (m*b1 + (1-b1)*g, ...): returns the new (p, m, v). sqrt(v) / bc2_sqrt is the same correctly
    rounded quotient, computed from bc2_inv = 1 / bc2_sqrt (correctly rounded) by `_quotient`
    without a division: the update is bound by the divider (a division and a square root per
    parameter remain), and this took it from 2.2 to 1.6 ns a parameter in float64, 0.71-0.75 to
    0.61-0.65 in float32 (an Intel Xeon with AVX-512).

    A "quiet" parameter (zero gradient, m subnormal, |p| >= quiet_above: `quiet_bound`) gets the
    same numbers without floating-point arithmetic on its subnormal m: its new m from m's bits
    (`bits.intrinsics`), and p as it is, which the update cannot move (under a quarter of p's last
    place). Such m are common (a weight of a pixel that is always blank, of a unit that stays
    off: 21,100 of 784-256-128-10's 235,146 after one Fashion-MNIST epoch) and, on the Zen 5
    development machine, made the whole compiled update 2x slower (0.12 vs 0.055 ms).
    `decay`: whether wd != 0 (a constant where the caller knows it: the loop then has no arithmetic of it)."""
    if decay and not decoupled:
        g = g + wd * p
    if decay and decoupled:
        p = p * shrink
    quiet = _subnormal_jit(m) & (g == 0) & (abs(p) >= quiet_above)     # & not and: no branch, it vectorizes
    m_new = (b2 - b2 if quiet else m) * b1 + omb1 * g                 # a quiet m read as 0: m_new is 0
    v = v * b2 + omb2 * (g * g)
    return (p - step * (m_new / (_quotient_jit(math.sqrt(v), bc2_sqrt, bc2_inv) + eps)),
            _decayed_jit(m, b1, g) if quiet else m_new, v)


def _sgd_one(p, g, b, lr, momentum, one_minus_dampening, nesterov, wd, first):
    """One parameter's SGD step as optim.SGD's NumPy update: returns the new (p, buffer)."""
    if wd != 0:
        g = g + wd * p
    if momentum != 0:
        b = g if first else b * momentum + one_minus_dampening * g
        g = g + momentum * b if nesterov else b
    return p - lr * g, b


def _adam(p, g, m, v, b1, b2, omb1, omb2, eps, wd, shrink, decoupled, step, bc2_sqrt, bc2_inv, quiet_above):
    if wd == 0:         # the usual case, a loop without weight decay (its selects cost a tenth of the update)
        for i in range(p.shape[0]):
            p[i], m[i], v[i] = _adam_one_jit(p[i], g[i], m[i], v[i], b1, b2, omb1, omb2, eps, False, wd, shrink,
                                             decoupled, step, bc2_sqrt, bc2_inv, quiet_above)
    else:
        for i in range(p.shape[0]):
            p[i], m[i], v[i] = _adam_one_jit(p[i], g[i], m[i], v[i], b1, b2, omb1, omb2, eps, True, wd, shrink,
                                             decoupled, step, bc2_sqrt, bc2_inv, quiet_above)


def _sgd(p, g, buf, lr, momentum, one_minus_dampening, nesterov, wd, first):
    for i in range(p.shape[0]):
        if momentum != 0:
            p[i], buf[i] = _sgd_one_jit(p[i], g[i], buf[i], lr, momentum, one_minus_dampening, nesterov, wd, first)
        else:
            p[i], _ = _sgd_one_jit(p[i], g[i], g[i], lr, momentum, one_minus_dampening, nesterov, wd, first)


# -- elementwise passes of a Dense layer with ReLU in training, fused ------------------------
def _bias_relu(net, b, out, zero):
    """net += b and out = max(net, 0) in one pass: np.add then np.maximum's values (NaN kept)."""
    m, k = net.shape
    for r in range(m):
        for c in range(k):
            v = net[r, c] + b[c]
            net[r, c] = v
            out[r, c] = v if (v > zero or v != v) else zero     # max(-0.0, 0.0) is +0.0, as NumPy's
    return out


def _relu_backward(dout, out, delta, db, zero, tau):
    """delta = dout where out > 0, else 0 (ReLU.backward: an off unit passes no inf), its entries under
    tau set to zero (`nn.layers.flush_small`), and
    db = delta summed over the rows (in row order, as NumPy's reduction over axis 0) in one pass."""
    m, k = dout.shape
    for c in range(k):
        d = zero if out[0, c] <= zero else dout[0, c]
        delta[0, c] = d if abs(d) >= tau else d * zero
        db[c] = delta[0, c]
    for r in range(1, m):
        for c in range(k):
            d = zero if out[r, c] <= zero else dout[r, c]               # ReLU.backward
            d = d if abs(d) >= tau else d * zero                        # flushed
            delta[r, c] = d
            db[c] += d
    return delta


def _sumsq(g):
    """The sum of squares, only to test finiteness (NaN and infinity survive it): reassociated,
    so that it vectorizes, in g's type (NumPy's sum, which the NumPy loop checks, overflows where
    this one does). Entries under 1 in magnitude count as 0: they cannot make the sum overflow, and
    the square of a tiny one (float32: under 2^-63) falls below the normal range, where each
    multiplication takes the processor's slow path: late in a confident classifier's training
    thousands of gradients are that small (2,065 of 64-256-256-10's 85,002 after 100 epochs of
    digits, Adam lr 0.01), and the check took 63 us instead of 8."""
    s = g[0] - g[0]
    for i in range(g.shape[0]):
        a = g[i] if abs(g[i]) >= 1 else g[i] - g[i]       # 0, in g's type; a NaN compares false: NaN - NaN
        s += a * a
    return s


def sumsq(g) -> float:
    """`_sumsq` of the flat array g (a third of np.einsum's time on 235,146 float32 values)."""
    load(force=True)
    return float(_sumsq_jit(g))


# -- entry points: plain arrays and Python numbers in, the kernels' results out ----------------
def adam(p, g, m, v, *, lr, b1, b2, eps, wd, decoupled, t) -> None:
    """In place: Adam's step t (decoupled: AdamW) on the flat arrays, in one pass."""
    f = p.dtype.type
    load(force=True)
    step = lr / (1.0 - b1 ** t)
    bc2_sqrt = f(math.sqrt(1.0 - b2 ** t))
    _adam_jit(p, g, m, v, f(b1), f(b2), f(1.0 - b1), f(1.0 - b2), f(eps), f(wd), f(1.0 - lr * wd), decoupled,
              f(step), bc2_sqrt, f(1) / bc2_sqrt, f(quiet_bound(step, *quiet_constants(p.dtype, eps, b1))))


def quiet_constants(dtype, eps: float, b1: float) -> tuple[float, float]:
    """(factor, least) of `quiet_bound` for arrays of `dtype`: factor is
    2^(mantissa bits + 4) * tiny / eps, tiny the smallest normal number, which is `least`; factor
    is inf (no parameter is quiet) where the argument below does not hold: it needs eps > 0 in
    `dtype` (the update's denominator is then at least eps) and 0 <= b1 < 1 (`bits.intrinsics`).

    A quiet m is subnormal, so the new one is too: |m_new| < tiny, and the update
    |step * m_new / (sqrt(v) / bc2 + eps)| <= |step| * tiny / eps (times (1 + 2^-mantissa)^2 for
    its roundings), under a quarter of p's last place (> |p| / 2^(mantissa bits + 1)) from
    |p| >= |step| * factor, with a factor 2 to spare: p - update rounds back to p."""
    mantissa, tiny = (23, 2.0 ** -126) if dtype.itemsize == 4 else (52, 2.0 ** -1022)
    e = float(dtype.type(eps))
    factor = 2.0 ** (mantissa + 4) * tiny / e if e > 0 and 0 <= b1 < 1 else math.inf
    return factor, tiny


def quiet_bound(step: float, factor: float, least: float) -> float:
    """|p| from which a parameter with a subnormal m and a zero gradient is quiet (`_adam_one`):
    |step| * factor, at least `least` (p = 0 keeps its arithmetic: the sign of a zero result);
    NaN where factor is inf, since no |p| compares at or above NaN (an infinite p would with inf,
    and where eps is 0 its update can be NaN)."""
    return max(abs(step) * factor, least) if factor < math.inf else math.nan


def sgd(p, g, buf, *, lr, momentum, dampening, nesterov, wd, first) -> None:
    """In place: the SGD step (momentum, dampening, Nesterov) on the flat arrays, in one pass."""
    f = p.dtype.type
    load(force=True)
    _sgd_jit(p, g, buf, f(lr), f(momentum), f(1.0 - dampening), nesterov, f(wd), first)


def bias_relu(net, b, out):
    """net += b; out = max(net, 0), in one pass (NaN kept, as np.maximum)."""
    load(force=True)
    return _bias_relu_jit(net, b, out, net.dtype.type(0))


def relu_backward(dout, out, delta, db, tau):
    """delta = dout where out > 0 (else 0), its entries under `tau` set to zero, and db = delta summed over
    rows (in row order), in one pass."""
    load(force=True)
    f = dout.dtype.type
    return _relu_backward_jit(dout, out, delta, db, f(0), f(tau))


def fused_ok(a) -> bool:
    """Whether the fused Dense passes apply to `a` (2-D, C-contiguous, at least 8 columns: NumPy's
    reduction over rows then adds row by row, the order the fused loop uses). No size limit: the
    fused loop beat NumPy's passes at every batch and width measured (the table above
    MIN_UPDATE_SIZE)."""
    return bool(ENABLED) and a.ndim == 2 and a.shape[1] >= 8 and a.flags.c_contiguous and load()


def update_ok(n: int, plain: bool = False) -> bool:
    """Whether the one-pass update of `n` parameters beats the optimizer's NumPy update: Adam's and
    SGD-with-momentum's at any size; plain SGD's (`plain`: no momentum, two NumPy calls) from
    MIN_UPDATE_SIZE."""
    return n >= MIN_UPDATE_SIZE or not plain


# -- loading: Numba is imported, and the kernels wrapped, on first use --------------------------
_PLAIN = ("_adam_one", "_sgd_one", "_adam", "_sgd", "_bias_relu", "_relu_backward", "quiet_bound")
CACHE: bool = False         # whether the kernels are cached on disk (set by load)
BROKEN = ""                  # why Numba, installed, failed to import (set by load: built for another NumPy); "": not


def load(force: bool = False) -> bool:
    """Whether the kernels run in this process: Numba imported and the kernels wrapped (compiled
    on first call, or loaded from the on-disk cache). With ENABLED "auto" this only reports whether
    a job loaded them (`backend.warmup.prepare`) unless `force`; False when Numba is absent or disabled."""
    global numba, CACHE
    if not ENABLED:
        return False
    check_mode()
    if numba is None:
        if ENABLED == "auto" and (not force or BROKEN):
            return False
        try:
            import numba as _numba
        except Exception as exc:        # installed but broken (Numba checks the NumPy it was built for)
            return _broken(exc)
        signals.watch()           # Ctrl-C and SIGTERM wait for the compiler (the command's handler)
        CACHE = cachedir.writable()
        globals()["_subnormal_jit"], globals()["_decayed_jit"], globals()["_quotient_jit"] = bits.intrinsics()
        for name in _PLAIN:      # the one-parameter steps inlined where they are used: no call per element
            inline = "always" if name.endswith("_one") else "never"
            globals()[name + "_jit"] = _numba.njit(cache=CACHE, error_model="numpy",  # type: ignore[call-overload]
                                                   inline=inline)(globals()[name])
        globals()["_sumsq_jit"] = _numba.njit(cache=CACHE, fastmath={"reassoc", "nsz"})(_sumsq)
        numba = _numba
    return True


def _broken(exc: Exception) -> bool:
    """Numba installed but failing to import: CHAINRULE_NUMBA=1 says so with the variable and the way out; the default
    runs on NumPy, as without Numba (not stopped by Numba's bare error once the kernels were cached)."""
    global BROKEN
    BROKEN = f"{type(exc).__name__}: {exc}"
    if ENABLED is True:
        raise ImportError(f"CHAINRULE_NUMBA=1 asks for the compiled kernels, but numba, installed, fails to import "
                          f"({BROKEN}): repair it (pip install --upgrade numba), or unset CHAINRULE_NUMBA to train on "
                          "NumPy", name="numba") from exc
    return False                # the fit warns, at the user's line (`training.compiled`)


def check_mode() -> None:
    """A CHAINRULE_NUMBA this module does not know is an error (=off, =true once silently meant auto), and
    so is CHAINRULE_NUMBA=1 (always the kernels) where they cannot run: Numba or SciPy missing."""
    if _MODE == "1" and not AVAILABLE:
        lacking = "numba" if importlib.util.find_spec("numba") is None else "scipy"
        raise ModuleNotFoundError(f"CHAINRULE_NUMBA=1 asks for the compiled kernels, which need {lacking}: install "
                                  "it, or unset CHAINRULE_NUMBA to train on NumPy", name=lacking)
    if _MODE not in _MODES:
        raise ValueError("CHAINRULE_NUMBA must be 0 (NumPy only), 1 (always the compiled kernels) or auto (the "
                         f"default: the kernels when they are compiled and the job is long enough); got "
                         f"{os.environ.get('CHAINRULE_NUMBA')!r}")


def read_only(a: Any) -> Any:
    """A read-only view of an input array of a compiled loop. Numba types read-only and writable
    arrays apart, so a job handed a read-only X (pandas' copy-on-write `to_numpy()`, a memmap opened
    "r") would compile the loop again, in the job; with every input passed read-only, the versions
    compiled ahead serve every job."""
    view = a.view()
    view.flags.writeable = False
    return view
