"""The whole training loop of a stack of Dense layers, compiled: epochs x batches x (forward,
error, backward, finiteness check, update) in one call.

Every intermediate lives in three flat work arrays (net inputs, outputs, deltas: one slice per
layer; the batch's input rows are copied to the head of the outputs, so every layer reads one
array) and the parameters in the network's flat vector, addressed by index. A small product is a
plain loop over those indices, a large one a BLAS call on views made in a helper (views.py). No array is
allocated or sliced per step, so no reference is counted. The formulas are those of the NumPy
path (activations.py, losses.py, optim.py), the reference this loop is tested against. Tiny
networks (training/compiled.py sends them to backend/tiny.py) run a loop compiled for their widths.
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import kernels, units, views

SMALL_PRODUCT = 4096        # products of fewer multiply-adds run as loops: a BLAS call costs more
SMALL_UPDATE = 4096         # trainable parts this size or smaller are updated inline, larger by the kernels
DENSE_PREFIX = 8            # a sparse X's dense block of columns (csr.py) this wide or wider: BLAS products
_train_jit = _target_jit = cast(Any, None)


def _target(Y, labels, from_labels, i, c, one, zero):
    """Y[i, c], or the one-hot entry of class label labels[i] (targets kept as labels)."""
    if from_labels:
        return one if labels[i] == c else zero
    return Y[i, c]


def _train(params, grads, layout, acts, alpha, loss_id, fused, X, Y, orders, gather, epochs, batch_size,
           labels, from_labels, sparse, sp_indptr, sp_indices, sp_data, sp_prefix, opt_id, hp, h64, nesterov,
           decoupled, t, s1, s2, losses, correct, norms, bounds):
    """`epochs` passes over the rows of X, in the order orders[e] (gather) or as stored; per-step
    errors into `losses`, per-epoch correct predictions into `correct`, each layer's ||dE/dW|| at
    each epoch's end into `norms` when it has rows (the History's explosion watch reads them). Returns (steps taken,
    index of the step whose loss or gradient was not finite, or -1). A sparse X is given by its
    CSR arrays (row i's values at sp_indptr[i]:sp_indptr[i + 1]); the first layer multiplies them in
    SciPy's order, as `csr.py` does (X is then a placeholder), its first sp_prefix columns (a
    dense block: `SparseRows.dense_prefix`) by BLAS."""
    d = layout[0, 0]
    n = sp_indptr.shape[0] - 1 if sparse else X.shape[0]
    L = layout.shape[0]
    Xf = X.reshape(X.shape[0] * X.shape[1])         # C-contiguous (compiled.run): row i at i * d
    k = layout[L - 1, 1]
    # O holds the batch's input rows at off[0] (dense X) and layer l's outputs at off[l + 1]; Z and D
    # the net inputs and deltas at the same offsets. Layer l reads O[off[l]:], writes off[l + 1]:
    off = np.zeros(L + 1, np.int64)
    off[1] = 0 if sparse else batch_size * d
    for l in range(1, L):
        off[l + 1] = off[l] + batch_size * layout[l - 1, 1]
    size = off[L] + batch_size * k
    Z = np.zeros(size, params.dtype)
    O = np.zeros(size, params.dtype)
    D = np.zeros(size, params.dtype)
    rows = np.zeros(batch_size, np.int64)
    A = np.zeros(batch_size * sp_prefix, params.dtype)        # the batch's dense block of a sparse X
    skips = np.zeros(batch_size if sp_prefix else 0, np.int64)   # and each row's count of values in it
    sink = np.zeros(1, params.dtype)
    sc = np.zeros(4, params.dtype)
    zero = params[0] * 0
    one = zero + 1
    in_dtype = np.zeros(1, params.dtype)      # a sum rounded to the arrays' precision (Numba sums in float64)
    tau = hp[15]                                # deltas under it are flushed (nn.layers.flush_small)
    ko = off[L]
    plain = hp[1] == 0 and hp[3] == 0          # SGD without momentum nor weight decay: p - lr * g
    n_batches = (n + batch_size - 1) // batch_size
    step = 0
    for e in range(epochs):
        hits = 0.0
        for batch in range(n_batches):
            start = batch * batch_size
            m = min(batch_size, n - start)
            for r in range(m):
                rows[r] = orders[e, start + r] if gather else start + r
            x_in_o = not sparse and (gather or m * d * layout[0, 1] <= SMALL_PRODUCT)  # else BLAS reads X in place
            if x_in_o:
                for r in range(m):
                    for q in range(d):
                        O[r * d + q] = Xf[rows[r] * d + q]
            if sparse:      # the batch's stored values and labels read once first: their cache misses
                touched = 0     # overlap here, where the loop is short, and not one by one in the products
                total = zero
                for r in range(m):
                    s0 = rows[r]
                    for p in range(sp_indptr[s0], sp_indptr[s0 + 1], 8):
                        touched ^= sp_indices[p]
                        total += sp_data[p]
                    if labels.shape[0] > s0:
                        touched ^= labels[s0]
                sink[0] = total + touched
            # -- forward: Z = A @ W + b, O = f(Z)
            for l in range(L):
                n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                ai, zo = off[l], off[l + 1]
                if l == 0 and sparse:
                    views._csr_forward_jit(sp_indptr, sp_indices, sp_data, rows, m, params, w0, n_in, n_out, Z,
                                           zo, sp_prefix, A, skips)
                    for r in range(m):
                        for c in range(n_out):
                            Z[zo + r * n_out + c] += params[b0 + c]
                elif m * n_in * n_out > SMALL_PRODUCT:
                    if l == 0 and not x_in_o:
                        views._dot_forward_jit(Xf, start * d, m, n_in, n_out, params, w0, Z, zo)
                    else:
                        views._dot_forward_jit(O, ai, m, n_in, n_out, params, w0, Z, zo)
                    for r in range(m):
                        for c in range(n_out):
                            Z[zo + r * n_out + c] += params[b0 + c]
                else:
                    for r in range(m):
                        a0, z0 = ai + r * n_in, zo + r * n_out
                        for c in range(n_out):
                            s = O[a0] * params[w0 + c]
                            for q in range(1, n_in):
                                s += O[a0 + q] * params[w0 + q * n_out + c]
                            Z[z0 + c] = s + params[b0 + c]
                if acts[l] == 5:                                    # softmax over each row
                    for r in range(m):
                        i0 = zo + r * n_out
                        mx = Z[i0]
                        for c in range(1, n_out):
                            mx = max(mx, Z[i0 + c])
                        s = zero
                        for c in range(n_out):
                            O[i0 + c] = math.exp(Z[i0 + c] - mx)
                            s += O[i0 + c]
                        for c in range(n_out):
                            O[i0 + c] /= s
                else:
                    units.f_range_jit(Z, O, zo, zo + m * n_out, acts[l], alpha[l])
            # -- the error (as losses.py) and the output delta
            E = zero
            scale = m * k if loss_id == 1 or loss_id == 2 else m
            for r in range(m):
                i0 = ko + r * k
                if loss_id == 3:        # fused softmax + categorical cross-entropy: from the net input
                    mx = Z[i0]
                    for c in range(1, k):
                        mx = max(mx, Z[i0 + c])
                    s = zero
                    for c in range(k):
                        s += math.exp(Z[i0 + c] - mx)
                    lse = math.log(s)
                    for c in range(k):
                        E += _target_jit(Y, labels, from_labels, rows[r], c, one, zero) * (lse - (Z[i0 + c] - mx))
                elif loss_id == 2:      # fused sigmoid + binary cross-entropy: from the net input
                    for c in range(k):
                        v = Z[i0 + c]
                        E += max(v, 0) - v * _target_jit(Y, labels, from_labels, rows[r], c, one, zero) \
                            + math.log1p(math.exp(-abs(v)))
                else:
                    for c in range(k):
                        dv = _target_jit(Y, labels, from_labels, rows[r], c, one, zero) - O[i0 + c]
                        E += dv * dv
            in_dtype[0] = E           # float32's sum overflows where NumPy's does: a divergence at the same step
            E = in_dtype[0]
            if loss_id == 0:
                E *= 0.5
            E /= scale
            act, al = acts[L - 1], alpha[L - 1]
            for r in range(m):
                for c in range(k):
                    i = ko + r * k + c
                    y = _target_jit(Y, labels, from_labels, rows[r], c, one, zero)
                    if fused:
                        D[i] = units.flush_jit((O[i] - y) / scale, tau)
                    else:
                        dv = (O[i] - y) * (2.0 / scale if loss_id == 1 else 1.0 / scale)
                        D[i] = units.flush_jit(units.df_jit(dv, O[i], Z[i], act, al), tau)
            # -- accuracy
            if k > 1 and loss_id == 3:
                for r in range(m):
                    best = 0
                    for c in range(1, k):
                        if O[ko + r * k + c] > O[ko + r * k + best]:
                            best = c
                    if best == labels[rows[r]]:
                        hits += 1
            elif loss_id == 2:
                hit = 0
                for r in range(m):
                    for c in range(k):
                        y = _target_jit(Y, labels, from_labels, rows[r], c, one, zero)
                        if (O[ko + r * k + c] > 0.5) == (y > 0.5):
                            hit += 1
                hits += hit / k
            # -- backward: dW = A.T @ delta, db = delta summed over rows, delta_prev = delta @ W.T * f'
            for l in range(L - 1, -1, -1):
                n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                ai, do = off[l], off[l + 1]
                big = m * n_in * n_out > SMALL_PRODUCT
                if l == 0 and sparse:
                    views._csr_weight_grad_jit(sp_indptr, sp_indices, sp_data, rows, m, D, do, n_in, n_out, grads,
                                               w0, sp_prefix, A, skips)
                elif big and l == 0 and not x_in_o:
                    views._dot_weight_grad_jit(Xf, start * d, m, n_in, n_out, D, do, grads, w0)
                elif big:
                    views._dot_weight_grad_jit(O, ai, m, n_in, n_out, D, do, grads, w0)
                else:
                    for q in range(n_in):
                        for c in range(n_out):
                            s = O[ai + q] * D[do + c]
                            for r in range(1, m):
                                s += O[ai + r * n_in + q] * D[do + r * n_out + c]
                            grads[w0 + q * n_out + c] = s
                for c in range(n_out):
                    grads[b0 + c] = D[do + c]
                for r in range(1, m):
                    for c in range(n_out):
                        grads[b0 + c] += D[do + r * n_out + c]
                if l > 0:
                    if big:
                        views._dot_delta_jit(D, do, m, n_in, n_out, params, w0, ai)
                    else:
                        for r in range(m):
                            for q in range(n_in):
                                s = D[do + r * n_out] * params[w0 + q * n_out]
                                for c in range(1, n_out):
                                    s += D[do + r * n_out + c] * params[w0 + q * n_out + c]
                                D[ai + r * n_in + q] = s
                    units.df_range_jit(D, O, Z, ai, ai + m * n_in, acts[l - 1], alpha[l - 1], tau)
            # -- divergence: nothing is updated
            if grads.shape[0] > SMALL_UPDATE:
                ss = kernels._sumsq_jit(grads)
            else:
                ss = zero
                for i in range(grads.shape[0]):
                    ss += grads[i] * grads[i]
            losses[step] = E              # the failing step's too: its error names the cause
            if not (math.isfinite(E) and math.isfinite(ss)):
                return step, step
            step += 1
            # -- the update, with the scalars of step t computed in float64 and rounded once to the
            # parameters' precision (as NumPy does)
            t += 1
            if opt_id == 1:
                step_size = h64[7] / (1.0 - h64[8] ** t)    # lr / (1 - beta1^t)
                sc[0] = step_size
                sc[1] = math.sqrt(1.0 - h64[9] ** t)        # sqrt(1 - beta2^t)
                sc[2] = kernels.quiet_bound_jit(step_size, h64[13], h64[14])
                sc[3] = one / sc[1]                         # its reciprocal, correctly rounded (kernels._quotient)
            for q in range(bounds.shape[0]):
                lo, hi = bounds[q, 0], bounds[q, 1]
                if hi - lo > SMALL_UPDATE:
                    views._update_part_jit(params, grads, s1, s2, lo, hi, opt_id, hp, nesterov, t == 1, decoupled,
                                           sc[0], sc[1], sc[3], sc[2])
                elif opt_id == 0 and plain:
                    for i in range(lo, hi):
                        params[i] -= hp[0] * grads[i]
                elif opt_id == 0:
                    for i in range(lo, hi):
                        b = s1[i] if s1.shape[0] else grads[i]
                        params[i], b = kernels._sgd_one_jit(params[i], grads[i], b, hp[0], hp[1], hp[2], nesterov,
                                                            hp[3], t == 1)
                        if s1.shape[0]:
                            s1[i] = b
                else:
                    for i in range(lo, hi):
                        params[i], s1[i], s2[i] = kernels._adam_one_jit(
                            params[i], grads[i], s1[i], s2[i], hp[4], hp[5], hp[10], hp[11], hp[6], hp[3] != 0,
                            hp[3], hp[12], decoupled, sc[0], sc[1], sc[3], sc[2])
        correct[e] = hits
        for l in range(L if norms.shape[0] else 0):
            g = grads[layout[l, 2]:layout[l, 3]]
            ss = 0.0
            for i in range(g.shape[0]):
                ss += g[i] * g[i]
            norms[e, l] = math.sqrt(ss)
    return step, -1


def load() -> bool:
    """Numba's versions of the functions above and of views.py's (after `kernels.load`, whose kernels they call)."""
    global _train_jit, _target_jit
    if not kernels.load(force=True):
        return False
    if _train_jit is None:
        units.load()
        views.load()
        njit = kernels.numba.njit
        _target_jit = njit(cache=kernels.CACHE)(_target)
        _train_jit = njit(cache=kernels.CACHE, error_model="numpy")(_train)
    return True


def train(params, grads, layout, acts, alpha, loss_id, fused, X, Y, orders, epochs, batch_size, labels, *,
          opt_id, lr, momentum, dampening, nesterov, wd, b1, b2, eps, decoupled, t, s1, s2, bounds,
          csr=None, dense_prefix=0, from_labels=False, norms=False):
    """`epochs` epochs of mini-batch training of a stack of Dense layers in one compiled call.

    layout: one row per layer (n_in, n_out, offset of W, offset of b) in `params`; acts: activation
    ids (0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky ReLU, 5 softmax); loss_id: 0 sse, 1 mse,
    2 binary cross-entropy, 3 categorical cross-entropy; orders: (epochs, n) sample order of each
    epoch, or None for the stored order; opt_id: 0 SGD, 1 Adam; bounds: the trainable
    [start, stop) parts of `params`; csr: (indptr, indices, data) of a sparse X (X is then not
    read), each of whose first dense_prefix columns most rows store (`SparseRows.dense_prefix`:
    multiplied by BLAS when at least DENSE_PREFIX); from_labels: Y is not read, the targets are
    one-hot rows of `labels` (int64). Returns (per-step errors, per-epoch correct predictions,
    index of the step whose loss or gradient was not finite, or -1, that step's loss, and with
    `norms` each layer's ||dE/dW|| at each epoch's end: an epoch x layers array, 0 rows without)."""
    load()
    hyper = np.array([lr, momentum, 1.0 - dampening, wd, b1, b2, eps, lr, b1, b2, 1.0 - b1, 1.0 - b2,
                      1.0 - lr * wd, *kernels.quiet_constants(params.dtype, eps, b1),
                      kernels.flush_below(params.dtype)], dtype=np.float64)
    # all used rounded once to the parameters' precision, but 7-9 (the bias corrections, per step, in float64)
    # and 13-14 (`kernels.quiet_constants`, for the bound of each step); 15: the deltas' flush threshold
    hyper_p = hyper.astype(params.dtype)
    gather = orders is not None
    sparse = csr is not None
    if sparse:   # one compiled signature for every matrix: int64 row pointers, int32 columns
        indptr, indices, data = (np.asarray(csr[0], np.int64), np.asarray(csr[1], np.int32),
                                 np.asarray(csr[2], params.dtype))
        n = indptr.shape[0] - 1
        X = np.zeros((1, layout[0, 0]), params.dtype)
    else:
        indptr, indices, data, n = np.zeros(1, np.int64), np.zeros(0, np.int32), params[:0], X.shape[0]
    prefix = dense_prefix if sparse and dense_prefix >= DENSE_PREFIX else 0
    if from_labels:
        Y = np.zeros((1, layout[-1, 1]), params.dtype)
    losses = np.zeros(epochs * -(-n // batch_size), dtype=np.float64)
    correct = np.zeros(epochs, dtype=np.float64)
    norms_out = np.zeros((epochs if norms else 0, layout.shape[0]), dtype=np.float64)
    ro = kernels.read_only              # the inputs, read-only whatever the caller's: one signature
    steps, bad = _train_jit(params, grads, layout, acts, alpha, loss_id, fused, ro(X), ro(Y),
                            ro(orders if gather else np.zeros((1, 1), np.int64)), gather, epochs, batch_size,
                            ro(labels), from_labels, sparse, ro(indptr), ro(indices), ro(data), prefix, opt_id, hyper_p,
                            hyper, nesterov, decoupled, t, s1, s2, losses, correct, norms_out, bounds)
    return losses[:steps], correct, bad, failed_loss(losses, bad), norms_out


def failed_loss(losses: np.ndarray, bad: int) -> float | None:
    """The loss of the step that failed (the loops write it before they stop), or None."""
    return float(losses[bad]) if bad >= 0 else None
