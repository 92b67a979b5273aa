"""The compiled training loop of tiny networks: at most MAX_LAYERS Dense layers, each at most
TINY units wide each way, the sse or mse loss, SGD (the seed's 2-2-2 network, XOR's 2-2-1, ...).

The steps and formulas are those of `loops._train` (and so of the NumPy path, the reference
both are tested against), in the same order of operations. What differs: the widths are
compile-time constants. Numba compiles one version per tuple of widths (a literal signature,
cached on disk like the others), so the compiler unrolls every loop over a layer's units and
folds every index; with the widths as runtime values the loops of the seed's two-unit layers
cost more in loop control than their arithmetic does. That version is called directly (its
entry point, `_entry`): Numba's dispatcher never matches literal signatures by itself and would
type the function again at every call.

Numba keys this cache by this file alone: after editing units.py, clear the cache (__pycache__/*.nbi,
*.nbc) or touch this file.
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import kernels, units

TINY = 4
MAX_LAYERS = 3
_train_tiny_jit = _f_jit = _df_jit = _forward_jit = _backward_jit = cast(Any, None)
_entries: dict[tuple[str, tuple[int, ...]], Any] = {}
_NO_ORDERS = np.zeros((1, 1), np.int64)


def _forward(A, Z, O, params, m, n_in, n_out, w0, act, al):
    """Z = A @ W + b, O = f(Z) for m rows (W at params[w0:], b after it)."""
    b0 = w0 + n_in * n_out
    for r in range(m):
        for c in range(n_out):
            s = A[r * n_in] * params[w0 + c]
            for q in range(1, n_in):
                s += A[r * n_in + q] * params[w0 + q * n_out + c]
            Z[r * n_out + c] = s + params[b0 + c]
        for c in range(n_out):
            O[r * n_out + c] = _f_jit(Z[r * n_out + c], act, al)


def _backward(A, ZA, DA, D, params, grads, m, n_in, n_out, w0, below, act, al):
    """dW = A.T @ D, db = D summed over rows; when `below`, DA = D @ W.T * f'(ZA) (f the layer
    below's activation)."""
    b0 = w0 + n_in * n_out
    for q in range(n_in):
        for c in range(n_out):
            s = A[q] * D[c]
            for r in range(1, m):
                s += A[r * n_in + q] * D[r * n_out + c]
            grads[w0 + q * n_out + c] = s
    for c in range(n_out):
        s = D[c]
        for r in range(1, m):
            s += D[r * n_out + c]
        grads[b0 + c] = s
    if below:
        for r in range(m):
            for q in range(n_in):
                s = D[r * n_out] * params[w0 + q * n_out]
                for c in range(1, n_out):
                    s += D[r * n_out + c] * params[w0 + q * n_out + c]
                i = r * n_in + q
                DA[i] = _df_jit(s, A[i], ZA[i], act, al)


def _train_tiny(params, grads, acts, alpha, loss_id, X, Y, orders, gather, epochs, batch_size, hp, nesterov, t,
                s1, losses, bounds, d, w1, w2, w3):
    """`loops._train` for the tiny networks (its arguments, less those of the other losses and
    optimizers; the widths d-w1-w2-w3 at the end, 0 past the output layer, compile-time
    constants): returns (steps taken, index of the step whose loss or gradient was not finite, or -1)."""
    n = X.shape[0]
    dt = params.dtype
    O0 = np.zeros(batch_size * d, dt)
    Z1, O1, D1 = np.zeros(batch_size * w1, dt), np.zeros(batch_size * w1, dt), np.zeros(batch_size * w1, dt)
    Z2, O2, D2 = np.zeros(batch_size * w2, dt), np.zeros(batch_size * w2, dt), np.zeros(batch_size * w2, dt)
    Z3, O3, D3 = np.zeros(batch_size * w3, dt), np.zeros(batch_size * w3, dt), np.zeros(batch_size * w3, dt)
    p2 = d * w1 + w1                    # where layer 2's W starts, and layer 3's
    p3 = p2 + w1 * w2 + w2
    k = w3 if w3 > 0 else (w2 if w2 > 0 else w1)
    Zk, Ok, Dk = (Z3, O3, D3) if w3 > 0 else ((Z2, O2, D2) if w2 > 0 else (Z1, O1, D1))
    L = 3 if w3 > 0 else (2 if w2 > 0 else 1)
    n_params = p3 + w2 * w3 + w3
    rows = np.zeros(batch_size, np.int64)
    zero = params[0] * 0
    n_batches = (n + batch_size - 1) // batch_size
    plain = hp[1] == 0 and hp[3] == 0
    buffered = s1.shape[0] > 0
    whole = bounds.shape[0] == 1 and bounds[0, 0] == 0 and bounds[0, 1] == n_params
    step = 0
    for e in range(epochs):
        for batch in range(n_batches):
            start = batch * batch_size
            m = min(batch_size, n - start)
            for r in range(m):
                row = orders[e, start + r] if gather else start + r
                rows[r] = row
                for q in range(d):
                    O0[r * d + q] = X[row, q]
            _forward_jit(O0, Z1, O1, params, m, d, w1, 0, acts[0], alpha[0])
            if w2 > 0:
                _forward_jit(O1, Z2, O2, params, m, w1, w2, p2, acts[1], alpha[1])
            if w3 > 0:
                _forward_jit(O2, Z3, O3, params, m, w2, w3, p3, acts[2], alpha[2])
            E = zero
            scale = m * k if loss_id == 1 else m
            for r in range(m):
                for c in range(k):
                    dv = Y[rows[r], c] - Ok[r * k + c]
                    E += dv * dv
            if loss_id == 0:
                E *= 0.5
            E /= scale
            act, al = acts[L - 1], alpha[L - 1]
            factor = 2.0 / scale if loss_id == 1 else 1.0 / scale
            for r in range(m):
                for c in range(k):
                    i = r * k + c
                    dv = (Ok[i] - Y[rows[r], c]) * factor
                    Dk[i] = _df_jit(dv, Ok[i], Zk[i], act, al)
            if w3 > 0:
                _backward_jit(O2, Z2, D2, D3, params, grads, m, w2, w3, p3, True, acts[1], alpha[1])
            if w2 > 0:
                _backward_jit(O1, Z1, D1, D2, params, grads, m, w1, w2, p2, True, acts[0], alpha[0])
            _backward_jit(O0, O0, O0, D1, params, grads, m, d, w1, 0, False, acts[0], alpha[0])
            ss = zero
            for i in range(n_params):
                ss += grads[i] * grads[i]
            if not (math.isfinite(E) and math.isfinite(ss)):
                return step, step
            losses[step] = E
            step += 1
            t += 1
            if plain and whole:
                for i in range(n_params):
                    params[i] -= hp[0] * grads[i]
                continue
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


def widths(layout: np.ndarray, acts: np.ndarray, loss_id: int, fused: bool, opt_id: int) -> tuple[int, ...] | None:
    """The widths (inputs, then each layer's units, 0 up to MAX_LAYERS) where this loop applies:
    sse or mse, SGD, no softmax, every layer tiny, parameters packed W, b layer after layer."""
    if loss_id > 1 or fused or opt_id != 0 or not 0 < len(layout) <= MAX_LAYERS or 5 in acts:
        return None
    sizes, start = [int(layout[0, 0])], 0
    for n_in, n_out, w0, b0 in layout.tolist():
        if n_in != sizes[-1] or w0 != start or b0 != start + n_in * n_out or max(n_in, n_out) > TINY:
            return None
        sizes.append(n_out)
        start = b0 + n_out
    return tuple(sizes + [0] * (MAX_LAYERS + 1 - len(sizes)))


def train(sizes: tuple[int, ...], params, grads, acts, alpha, loss_id, X, Y, orders, epochs, batch_size, *,
          lr, momentum, dampening, nesterov, wd, t, s1, bounds):
    """`loops.train` for a network `widths` accepts (`sizes`, its answer): (per-step errors, index of
    the step whose loss or gradient was not finite, or -1)."""
    hp = np.array([lr, momentum, 1.0 - dampening, wd], dtype=params.dtype)    # each rounded once, as NumPy's
    gather = orders is not None
    losses = np.zeros(epochs * -(-X.shape[0] // batch_size), dtype=np.float64)
    args = (params, grads, acts, alpha, loss_id, X, Y, orders if gather else _NO_ORDERS, gather,
            epochs, batch_size, hp, bool(nesterov), t, s1, losses, bounds)
    entry = _entries.get((params.dtype.char, sizes))
    if entry is None:
        entry = _compile(sizes, args)
    steps, bad = entry(*args, *sizes)
    return losses[:steps], bad


def _compile(sizes: tuple[int, ...], args: tuple) -> Any:
    """Compile (or load from Numba's cache) the version for these widths; its entry point."""
    load()
    types = kernels.numba.types
    sig = tuple(kernels.numba.typeof(a) for a in args) + tuple(types.IntegerLiteral(w) for w in sizes)
    _train_tiny_jit.compile(sig)
    entry = _entries[(args[0].dtype.char, sizes)] = _train_tiny_jit.overloads[sig].entry_point
    return entry


def load() -> None:
    """Numba's version of `_train_tiny` (after `kernels.load` and `units.load`)."""
    global _train_tiny_jit, _f_jit, _df_jit, _forward_jit, _backward_jit
    if _train_tiny_jit is None:
        units.load()
        _f_jit, _df_jit = units.f_jit, units.df_jit       # module globals, so that Numba inlines them
        njit = kernels.numba.njit
        _forward_jit = njit(cache=kernels.CACHE, inline="always")(_forward)
        _backward_jit = njit(cache=kernels.CACHE, inline="always")(_backward)
        _train_tiny_jit = njit(cache=kernels.CACHE, error_model="numpy")(_train_tiny)
