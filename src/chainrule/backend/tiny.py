"""The compiled training loop of tiny networks: every layer at most TINY units wide each way, the
sse or mse loss, SGD (the seed's 2-2-2 network, XOR's 2-2-1, ...).

The steps and formulas are those of `loops._train` (and so of the NumPy path, the reference
both are tested against), in the same order of operations. What differs is the shape of the
loops over a layer's units: each has the fixed length TINY and skips the units past the layer's
width. The compiler unrolls such loops, and each skip test, at its own place, goes the same way
at every step; the loops of `loops._train`, two turns long, cost more in loop control than their
arithmetic does. Every loop is written out here rather than called: a helper given the arrays
costs reference counting at each call. The seed's 10,000 updates: ~150 ns each in loops._train,
~100 here (benchmarks/seed_loop.py).

Numba caches `loops._train` with this function compiled into it, keyed by loops.py alone: after
editing this file (or units.py), clear the cache (__pycache__/*.nbi, *.nbc) or touch loops.py.
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import kernels, units

TINY = 4
_train_tiny_jit = _f_jit = _df_jit = cast(Any, None)


def _train_tiny(params, grads, layout, acts, alpha, loss_id, X, Y, orders, gather, epochs, batch_size, hp,
                nesterov, t, s1, losses, bounds):
    """`loops._train` for the tiny networks (its arguments, less those of the other losses and
    optimizers; `loops._train` calls it where it applies): returns (steps taken, index of the step
    whose loss or gradient was not finite, or -1)."""
    n, d = X.shape
    L = layout.shape[0]
    k = layout[L - 1, 1]
    off = np.zeros(L + 1, np.int64)
    off[1] = batch_size * d
    for l in range(1, L):
        off[l + 1] = off[l] + batch_size * layout[l - 1, 1]
    size = off[L] + batch_size * k
    Z = np.zeros(size, params.dtype)
    O = np.zeros(size, params.dtype)
    D = np.zeros(size, params.dtype)
    rows = np.zeros(batch_size, np.int64)
    zero = params[0] * 0
    ko = off[L]
    n_batches = (n + batch_size - 1) // batch_size
    plain = hp[1] == 0 and hp[3] == 0
    buffered = s1.shape[0] > 0
    step = 0
    for e in range(epochs):
        for batch in range(n_batches):
            start = batch * batch_size
            m = min(batch_size, n - start)
            for r in range(m):
                row = orders[e, start + r] if gather else start + r
                rows[r] = row
                for q in range(TINY):
                    if q < d:
                        O[r * d + q] = X[row, q]
            for l in range(L):
                ai, zo, n_in, n_out, w0, b0 = off[l], off[l + 1], layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                act, al = acts[l], alpha[l]
                for r in range(m):
                    a0, z0 = ai + r * n_in, zo + r * n_out
                    for c in range(TINY):
                        if c < n_out:
                            s = O[a0] * params[w0 + c]
                            for q in range(1, TINY):
                                if q < n_in:
                                    s += O[a0 + q] * params[w0 + q * n_out + c]
                            Z[z0 + c] = s + params[b0 + c]
                    for c in range(TINY):
                        if c < n_out:
                            O[z0 + c] = _f_jit(Z[z0 + c], act, al)
            E = zero
            scale = m * k if loss_id == 1 else m
            for r in range(m):
                for c in range(TINY):
                    if c < k:
                        dv = Y[rows[r], c] - O[ko + r * k + c]
                        E += dv * dv
            if loss_id == 0:
                E *= 0.5
            E /= scale
            act, al = acts[L - 1], alpha[L - 1]
            factor = 2.0 / scale if loss_id == 1 else 1.0 / scale
            for r in range(m):
                for c in range(TINY):
                    if c < k:
                        i = ko + r * k + c
                        dv = (O[i] - Y[rows[r], c]) * factor
                        D[i] = _df_jit(dv, O[i], Z[i], act, al)
            for l in range(L - 1, -1, -1):
                ai, do, n_in, n_out, w0, b0 = off[l], off[l + 1], layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                for q in range(TINY):
                    if q < n_in:
                        for c in range(TINY):
                            if c < n_out:
                                s = O[ai + q] * D[do + c]
                                for r in range(1, m):
                                    s += O[ai + r * n_in + q] * D[do + r * n_out + c]
                                grads[w0 + q * n_out + c] = s
                for c in range(TINY):
                    if c < n_out:
                        s = D[do + c]
                        for r in range(1, m):
                            s += D[do + r * n_out + c]
                        grads[b0 + c] = s
                if l > 0:
                    act, al = acts[l - 1], alpha[l - 1]
                    for r in range(m):
                        for q in range(TINY):
                            if q < n_in:
                                s = D[do + r * n_out] * params[w0 + q * n_out]
                                for c in range(1, TINY):
                                    if c < n_out:
                                        s += D[do + r * n_out + c] * params[w0 + q * n_out + c]
                                i = ai + r * n_in + q
                                D[i] = _df_jit(s, O[i], Z[i], act, al)
            ss = zero
            for i in range(grads.shape[0]):
                ss += grads[i] * grads[i]
            if not (math.isfinite(E) and math.isfinite(ss)):
                return step, step
            losses[step] = E
            step += 1
            t += 1
            for q in range(bounds.shape[0]):
                if plain:
                    for i in range(bounds[q, 0], bounds[q, 1]):
                        params[i] -= hp[0] * grads[i]
                else:
                    for i in range(bounds[q, 0], bounds[q, 1]):
                        b = s1[i] if buffered else grads[i]
                        params[i], b = kernels._sgd_one_jit(params[i], grads[i], b, hp[0], hp[1], hp[2], nesterov,
                                                            hp[3], t == 1)
                        if buffered:
                            s1[i] = b
    return step, -1


def load() -> None:
    """Numba's version of `_train_tiny` (after `kernels.load` and `units.load`)."""
    global _train_tiny_jit, _f_jit, _df_jit
    if _train_tiny_jit is None:
        _f_jit, _df_jit = units.f_jit, units.df_jit       # module globals, so that Numba inlines them
        _train_tiny_jit = kernels.numba.njit(cache=kernels.CACHE, error_model="numpy")(_train_tiny)
