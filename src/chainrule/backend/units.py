"""One unit's activation and its derivative, for the compiled loops (loops.py and tiny.py): the
formulas of nn/activations.py, chosen by id (0 linear, 1 sigmoid, 2 tanh, 3 ReLU, 4 leaky ReLU;
the softmax, a whole row's, is the loops' own)."""
from __future__ import annotations

import math
from typing import Any, cast

from . import kernels

f_jit = df_jit = f_range_jit = df_range_jit = cast(Any, None)


def _f(v, act, alpha):
    """The activation of one net input."""
    if act == 1:
        return 1.0 / (1.0 + math.exp(-v))
    if act == 2:
        return math.tanh(v)
    if act == 3:
        return v if v > 0 else v * 0
    if act == 4:
        return v if v > 0 else v * alpha
    return v + 0 * v


def _df(d, o, z, act, alpha):
    """d * f'(net), from the output o (and net input z), as the activations' backward."""
    if act == 1:
        return d * (o * (1.0 - o))
    if act == 2:
        return d * (1.0 - o * o)
    if act == 3:
        return d if o > 0 else d * 0
    if act == 4:
        return d if z > 0 else d * alpha
    return d


def _f_range(Z, O, lo, hi, act, alpha):
    """O[lo:hi] = f(Z[lo:hi]). The activation is chosen once, outside the loop over the units (a
    constant id inlined in each branch), and the loops run over views from 0: each is then
    branch-free and vectorizes (5x faster for ReLU than a loop over lo..hi choosing per unit)."""
    z, o = Z[lo:hi], O[lo:hi]
    if act == 3:
        for i in range(hi - lo):
            o[i] = f_jit(z[i], 3, alpha)
    elif act == 1:
        for i in range(hi - lo):
            o[i] = f_jit(z[i], 1, alpha)
    elif act == 2:
        for i in range(hi - lo):
            o[i] = f_jit(z[i], 2, alpha)
    elif act == 4:
        for i in range(hi - lo):
            o[i] = f_jit(z[i], 4, alpha)
    else:
        for i in range(hi - lo):
            o[i] = f_jit(z[i], 0, alpha)


def _df_range(D, O, Z, lo, hi, act, alpha):
    """D[lo:hi] = D * f'(net) for the units lo..hi, the loops made as in `_f_range`."""
    d, o, z = D[lo:hi], O[lo:hi], Z[lo:hi]
    if act == 3:
        for i in range(hi - lo):
            d[i] = df_jit(d[i], o[i], z[i], 3, alpha)
    elif act == 1:
        for i in range(hi - lo):
            d[i] = df_jit(d[i], o[i], z[i], 1, alpha)
    elif act == 2:
        for i in range(hi - lo):
            d[i] = df_jit(d[i], o[i], z[i], 2, alpha)
    elif act == 4:
        for i in range(hi - lo):
            d[i] = df_jit(d[i], o[i], z[i], 4, alpha)
    else:
        for i in range(hi - lo):
            d[i] = df_jit(d[i], o[i], z[i], 0, alpha)


def load() -> None:
    """Numba's versions, inlined where they are called: no call per element (after `kernels.load`)."""
    global f_jit, df_jit, f_range_jit, df_range_jit
    if f_jit is None:
        f_jit = kernels.numba.njit(cache=kernels.CACHE, inline="always")(_f)
        df_jit = kernels.numba.njit(cache=kernels.CACHE, inline="always")(_df)
        f_range_jit = kernels.numba.njit(cache=kernels.CACHE)(_f_range)
        df_range_jit = kernels.numba.njit(cache=kernels.CACHE)(_df_range)
