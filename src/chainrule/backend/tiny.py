"""The compiled training loop of tiny networks: at most MAX_LAYERS Dense layers, each at most
TINY units wide each way, the sse or mse loss, SGD (the seed's 2-2-2 network, XOR's 2-2-1, ...).

The steps and formulas are those of `loops._train` (and so of the NumPy path, the reference
both are tested against), in the same order of operations. What differs: the widths and the
activations are compile-time constants, and so is the batch's row count when every batch has the
same few rows (at most ROWS: the seed's single sample, XOR's four). Numba compiles one version
per such tuple (a literal signature, cached on disk like the others), so the compiler unrolls every
loop over a layer's units and folds every index; with the widths as runtime values the loops of the
seed's two-unit layers cost more in loop control than their arithmetic does. With the rows
constant too, the scratch arrays and a copy of the parameters live on the stack (`_stack`), where
LLVM keeps them in registers: the seed's update took 80-90 ns through arrays in memory, 51-58 ns so.
That version is called directly (its entry point, `_entries`): Numba's dispatcher never matches
literal signatures by itself and would type the function again at every call.

A version takes seconds to compile. A job that would wait for it (CHAINRULE_NUMBA unset, the
version not compiled before) runs on `loops.train` instead, already compiled, and has the version
compiled in the background for the next job (`warmup.tiny_ready`).

Numba keys this cache by this file alone: after editing units.py, clear the cache (__pycache__/*.nbi,
*.nbc) or touch this file.
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import kernels, loops, units

TINY = 4
MAX_LAYERS = 3
ROWS = 4          # batches of at most this many rows, all full, get a version for their row count
_train_tiny_jit = _f_jit = _df_jit = _flush_jit = _forward_jit = _backward_jit = _stack = cast(Any, None)
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


def _backward(A, ZA, DA, D, params, grads, m, n_in, n_out, w0, below, act, al, tau):
    """dW = A.T @ D, db = D summed over rows; when `below`, DA = D @ W.T * f'(ZA) (f the layer
    below's activation), flushed under tau (`units._flush`)."""
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
                DA[i] = _flush_jit(_df_jit(s, A[i], ZA[i], act, al), tau)


def _train_tiny(params_in, grads_in, alpha, loss_id, X, Y, orders, gather, epochs, batch_size, hp, nesterov, t,
                s1, losses, norms, bounds, d, w1, w2, w3, f1, f2, f3, rows, n_params):
    """`loops._train` for the tiny networks (its arguments, less those of the other losses and
    optimizers). Compile-time constants at the end (`version`): the widths d-w1-w2-w3 (0 past the
    output layer), the activations' ids, the rows of every batch (0: up to batch_size, the last
    batch fewer) and the parameters' count. Each layer's ||dE/dW|| at each epoch's end goes into
    `norms` when it has rows. Returns (steps taken, index of the step whose loss or gradient was not finite, or -1)."""
    n = X.shape[0]
    if rows > 0:                       # every batch has `rows` rows: the scratch on the stack
        params, grads = _stack(1, n_params, params_in), _stack(1, n_params, params_in)
        params[:] = params_in
        O0 = _stack(rows, d, params_in)
        Z1, O1, D1 = _stack(rows, w1, params_in), _stack(rows, w1, params_in), _stack(rows, w1, params_in)
        Z2, O2, D2 = _stack(rows, w2, params_in), _stack(rows, w2, params_in), _stack(rows, w2, params_in)
        Z3, O3, D3 = _stack(rows, w3, params_in), _stack(rows, w3, params_in), _stack(rows, w3, params_in)
        at = _stack(rows, 1, orders)
    else:
        params, grads, dt = params_in, grads_in, params_in.dtype
        O0 = np.zeros(batch_size * d, dt)
        Z1, O1, D1 = np.zeros(batch_size * w1, dt), np.zeros(batch_size * w1, dt), np.zeros(batch_size * w1, dt)
        Z2, O2, D2 = np.zeros(batch_size * w2, dt), np.zeros(batch_size * w2, dt), np.zeros(batch_size * w2, dt)
        Z3, O3, D3 = np.zeros(batch_size * w3, dt), np.zeros(batch_size * w3, dt), np.zeros(batch_size * w3, dt)
        at = np.zeros(batch_size, np.int64)
    p2 = d * w1 + w1                    # where layer 2's W starts, and layer 3's
    p3 = p2 + w1 * w2 + w2
    k = w3 if w3 > 0 else (w2 if w2 > 0 else w1)
    Zk, Ok, Dk = (Z3, O3, D3) if w3 > 0 else ((Z2, O2, D2) if w2 > 0 else (Z1, O1, D1))
    L = 3 if w3 > 0 else (2 if w2 > 0 else 1)
    w_start, w_stop = (0, p2, p3), (d * w1, p2 + w1 * w2, p3 + w2 * w3)      # each layer's W
    fk = f3 if w3 > 0 else (f2 if w2 > 0 else f1)
    zero = params[0] * 0
    in_dtype = np.zeros(1, params.dtype)
    n_batches = (n + batch_size - 1) // batch_size
    plain = hp[1] == 0 and hp[3] == 0
    buffered = s1.shape[0] > 0
    trainable = np.zeros(n_params, np.bool_)    # one loop over every parameter: constant indices
    for q in range(bounds.shape[0]):
        trainable[bounds[q, 0]:bounds[q, 1]] = True
    lr = hp[0]
    step, bad = 0, -1
    for e in range(epochs):
        for batch in range(n_batches):
            start = batch * batch_size
            m = rows if rows > 0 else min(batch_size, n - start)
            for r in range(m):
                row = orders[e, start + r] if gather else start + r
                at[r] = row
                for q in range(d):
                    O0[r * d + q] = X[row, q]
            _forward_jit(O0, Z1, O1, params, m, d, w1, 0, f1, alpha[0])
            if w2 > 0:
                _forward_jit(O1, Z2, O2, params, m, w1, w2, p2, f2, alpha[1])
            if w3 > 0:
                _forward_jit(O2, Z3, O3, params, m, w2, w3, p3, f3, alpha[2])
            E = zero
            scale = m * k if loss_id == 1 else m
            for r in range(m):
                for c in range(k):
                    dv = Y[at[r], c] - Ok[r * k + c]
                    E += dv * dv
            in_dtype[0] = E           # float32's sum overflows where NumPy's does (loops.py)
            E = in_dtype[0]
            if loss_id == 0:
                E *= 0.5
            E /= scale
            al = alpha[L - 1]
            factor = 2.0 / scale if loss_id == 1 else 1.0 / scale
            for r in range(m):
                for c in range(k):
                    i = r * k + c
                    dv = (Ok[i] - Y[at[r], c]) * factor
                    Dk[i] = _flush_jit(_df_jit(dv, Ok[i], Zk[i], fk, al), hp[4])
            if w3 > 0:
                _backward_jit(O2, Z2, D2, D3, params, grads, m, w2, w3, p3, True, f2, alpha[1], hp[4])
            if w2 > 0:
                _backward_jit(O1, Z1, D1, D2, params, grads, m, w1, w2, p2, True, f1, alpha[0], hp[4])
            _backward_jit(O0, O0, O0, D1, params, grads, m, d, w1, 0, False, f1, alpha[0], hp[4])
            ss = zero
            for i in range(n_params):
                ss += grads[i] * grads[i]
            losses[step] = E              # the failing step's too: its error names the cause
            if not (math.isfinite(E) and math.isfinite(ss)):
                bad = step
                break
            step += 1
            t += 1
            for i in range(n_params):
                if not trainable[i]:
                    continue
                if plain:
                    params[i] -= lr * grads[i]
                else:
                    b = s1[i] if buffered else grads[i]
                    params[i], b = kernels._sgd_one_jit(params[i], grads[i], b, lr, hp[1], hp[2], nesterov, hp[3],
                                                        t == 1)
                    if buffered:
                        s1[i] = b
        if bad >= 0:
            break
        for l in range(L if norms.shape[0] else 0):
            g = grads[w_start[l]:w_stop[l]]
            ss = 0.0
            for i in range(g.shape[0]):
                ss += g[i] * g[i]
            norms[e, l] = math.sqrt(ss)
    if rows > 0:
        params_in[:] = params
        grads_in[:] = grads
    return step, bad


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


def version(sizes: tuple[int, ...], acts: np.ndarray, n: int, batch_size: int) -> tuple[int, ...]:
    """The compile-time constants of `_train_tiny` for a job: the widths (`widths`' answer), the
    activations' ids (0 past the output layer), the rows of every batch (0 unless all batches have
    the same count, at most ROWS) and the parameters' count."""
    d, w1, w2, w3 = sizes
    ids = [int(a) for a in acts] + [0] * (MAX_LAYERS - len(acts))
    rows = batch_size if batch_size <= ROWS and n % batch_size == 0 else 0
    return (*sizes, *ids, rows, d * w1 + w1 + w1 * w2 + w2 + w2 * w3 + w3)


def ready(dtype: Any, key: tuple[int, ...]) -> bool:
    """Whether this version is compiled in this process already."""
    return (np.dtype(dtype).char, key) in _entries


def train(key: tuple[int, ...], params, grads, alpha, loss_id, X, Y, orders, epochs, batch_size, *,
          lr, momentum, dampening, nesterov, wd, t, s1, bounds, norms=False):
    """`loops.train` for a network `widths` accepts, in the version `key` (`version`'s answer):
    (per-step errors, index of the step whose loss or gradient was not finite, or -1, that step's
    loss, and with `norms` each layer's ||dE/dW|| at each epoch's end, else 0 rows). Compiles
    the version (or loads it from Numba's cache) if this process has not."""
    # each rounded once, as NumPy's; then the deltas' flush threshold
    hp = np.array([lr, momentum, 1.0 - dampening, wd, kernels.flush_below(params.dtype)], dtype=params.dtype)
    gather = orders is not None
    losses = np.zeros(epochs * -(-X.shape[0] // batch_size), dtype=np.float64)
    layers = sum(1 for w in key[1:MAX_LAYERS + 1] if w > 0)
    norms_out = np.zeros((epochs if norms else 0, layers), dtype=np.float64)
    ro = kernels.read_only              # the inputs, read-only whatever the caller's: one signature
    args = (params, grads, alpha, loss_id, ro(X), ro(Y), ro(orders if gather else _NO_ORDERS), gather,
            epochs, batch_size, hp, bool(nesterov), t, s1, losses, norms_out, bounds)
    entry = _entries.get((params.dtype.char, key))
    if entry is None:
        entry = _compile(key, args)
    steps, bad = entry(*args, *key)
    return losses[:steps], bad, loops.failed_loss(losses, bad), norms_out


def compile_version(dtype: Any, key: tuple[int, ...]) -> None:
    """Compile (or load) the version `key` for `dtype` ahead of a job: the argument types every
    job passes (`train`), on empty arrays."""
    dt = np.dtype(dtype)
    p = np.zeros(key[-1], dt)
    train(key, p, p.copy(), np.zeros(MAX_LAYERS, dt), 0, np.zeros((0, key[0]), dt), np.zeros((0, 1), dt), None, 0, 1,
          lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, wd=0.0, t=0, s1=p[:0],
          bounds=np.zeros((0, 2), np.int64))


def _compile(key: tuple[int, ...], args: tuple) -> Any:
    """Compile (or load from Numba's cache) the version `key`; its entry point."""
    load()
    types = kernels.numba.types
    sig = tuple(kernels.numba.typeof(a) for a in args) + tuple(types.IntegerLiteral(v) for v in key)
    _train_tiny_jit.compile(sig)
    entry = _entries[(args[0].dtype.char, key)] = _train_tiny_jit.overloads[sig].entry_point
    return entry


def _stack_intrinsic() -> Any:
    """`_stack(rows, width, like)`: a 1-d array of rows x width (literals) elements of like's dtype
    on the function's stack, for scratch that never leaves it. Numba allocates every array on the
    heap, where LLVM cannot keep it in registers."""
    from numba import types
    from numba.core import cgutils
    from numba.extending import intrinsic
    from numba.np.arrayobj import make_array, populate_array

    @intrinsic
    def stack(typingctx, rows, width, like):
        if not (isinstance(rows, types.IntegerLiteral) and isinstance(width, types.IntegerLiteral)):
            return None
        size = max(rows.literal_value * width.literal_value, 1)
        array = types.Array(like.dtype, 1, "C")

        def codegen(context, builder, signature, args):
            item = context.get_value_type(like.dtype)
            data = cgutils.alloca_once(builder, item, size=size)     # in the entry block: once a call
            intp = context.get_value_type(types.intp)
            nbytes = intp(context.get_abi_sizeof(item))
            out = make_array(array)(context, builder)
            populate_array(out, data=data, shape=[intp(size)], strides=[nbytes], itemsize=nbytes, meminfo=None)
            return out._getvalue()
        return array(rows, width, like), codegen
    return stack


def load() -> None:
    """Numba's version of `_train_tiny` (after `kernels.load` and `units.load`)."""
    global _train_tiny_jit, _f_jit, _df_jit, _flush_jit, _forward_jit, _backward_jit, _stack
    if _train_tiny_jit is None:
        units.load()
        _f_jit, _df_jit, _flush_jit = units.f_jit, units.df_jit, units.flush_jit   # module globals: Numba inlines them
        _stack = _stack_intrinsic()
        njit = kernels.numba.njit
        _forward_jit = njit(cache=kernels.CACHE, inline="always")(_forward)
        _backward_jit = njit(cache=kernels.CACHE, inline="always")(_backward)
        _train_tiny_jit = njit(cache=kernels.CACHE, error_model="numpy")(_train_tiny)
