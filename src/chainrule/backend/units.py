"""One unit's activation and its derivative, for the compiled loops (loops.py and tiny.py): the
formulas of nn/activations.py, chosen by id (0 linear, 1 sigmoid, 2 tanh, 3 ReLU, 4 leaky ReLU;
the softmax, a whole row's, is the loops' own)."""
from __future__ import annotations

import math
from typing import Any, cast

from . import kernels

f_jit = df_jit = flush_jit = f_range_jit = df_range_jit = cast(Any, None)


def _f(v, act, alpha):
    """The activation of one net input."""
    if act == 1:
        return 1.0 / (1.0 + math.exp(-v))
    if act == 2:
        return math.tanh(v)
    if act == 3:
        return v if (v > 0 or v != v) else 0.0      # np.maximum(v, 0): NaN kept, -inf gives 0 (v * 0 was NaN)
    if act == 4:
        return v if v > 0 else v * alpha
    return v                                        # (v + 0 * v, before, made an infinite net input NaN)


def _df(d, o, z, act, alpha):
    """d * f'(net), from the output o (and net input z), as the activations' backward."""
    if act == 1:
        return d * (o * (1.0 - o))
    if act == 2:
        return d * (1.0 - o * o)
    if act == 3:
        return 0.0 if o <= 0 else d                 # ReLU.backward: an off unit passes no inf (d * 0 was NaN)
    if act == 4:
        return d if z > 0 else d * alpha
    return d


def _flush(d, tau):
    """d, or d * 0 where |d| < tau: a delta entry too small to matter (`nn.layers.flush_small`)."""
    return d if abs(d) >= tau else d * 0


def _f_range(Z, O, lo, hi, act, alpha):
    """O[lo:hi] = f(Z[lo:hi]), over views from 0: the loop then vectorizes, the activation's choice
    hoisted out of it (ReLU on 256 x 64: 2.7 us; a loop over lo..hi indexing Z and O took 13.8)."""
    z, o = Z[lo:hi], O[lo:hi]
    for i in range(hi - lo):
        o[i] = f_jit(z[i], act, alpha)


def _df_range(D, O, Z, lo, hi, act, alpha, tau):
    """D[lo:hi] = D * f'(net) for the units lo..hi, flushed under tau, over views as `_f_range`
    (ReLU: 3.0 us, 15.7 before)."""
    d, o, z = D[lo:hi], O[lo:hi], Z[lo:hi]
    for i in range(hi - lo):
        d[i] = flush_jit(df_jit(d[i], o[i], z[i], act, alpha), tau)


def load() -> None:
    """Numba's versions, inlined where they are called: no call per element (after `kernels.load`)."""
    global f_jit, df_jit, flush_jit, f_range_jit, df_range_jit
    if f_jit is None:
        f_jit = kernels.numba.njit(cache=kernels.CACHE, inline="always")(_f)
        df_jit = kernels.numba.njit(cache=kernels.CACHE, inline="always")(_df)
        flush_jit = kernels.numba.njit(cache=kernels.CACHE, inline="always")(_flush)
        f_range_jit = kernels.numba.njit(cache=kernels.CACHE)(_f_range)
        df_range_jit = kernels.numba.njit(cache=kernels.CACHE)(_df_range)
