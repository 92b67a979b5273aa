"""The whole training loop of a stack of Dense layers, compiled: epochs x batches x (forward,
error, backward, finiteness check, update) in one call.

Every intermediate lives in three flat work arrays (net inputs, outputs, deltas: one slice per
layer) and the parameters in the network's flat vector, addressed by index. A small product (the
seed's 2x2) is a plain loop over those indices, a large one a BLAS call on views. No array is
allocated or sliced per step: on a 2-2-2 network a step is tens of nanoseconds, where views,
reference counts and BLAS calls would cost microseconds. The formulas are those of the NumPy
path (activations.py, losses.py, optim.py), the reference this loop is tested against.
"""
from __future__ import annotations

import math
from typing import Any, cast

import numpy as np

from . import kernels

SMALL_PRODUCT = 4096        # products of fewer multiply-adds run as loops: a BLAS call costs more
SMALL_UPDATE = 4096         # trainable parts this size or smaller are updated inline, larger by the kernels
_f_jit = _df_jit = _train_jit = cast(Any, None)


def _f(v, act, alpha):
    """The activation of one net input (softmax is done per row by the loop)."""
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


def _train(params, grads, layout, acts, alpha, loss_id, fused, X, Y, orders, gather, epochs, batch_size,
           labels, opt_id, hp, h64, nesterov, decoupled, t, s1, s2, losses, correct, bounds):
    """`epochs` passes over the rows of X, in the order orders[e] (gather) or as stored; per-step
    errors into `losses`, per-epoch correct predictions into `correct`. Returns (steps taken,
    index of the step whose loss or gradient was not finite, or -1)."""
    n, d = X.shape
    L = layout.shape[0]
    k = layout[L - 1, 1]
    off = np.zeros(L + 1, np.int64)                 # layer l's slice of Z, O, D starts at off[l]
    for l in range(L):
        off[l + 1] = off[l] + batch_size * layout[l, 1]
    Z = np.zeros(off[L], params.dtype)
    O = np.zeros(off[L], params.dtype)
    D = np.zeros(off[L], params.dtype)
    xbuf = np.zeros((batch_size, d), params.dtype)
    rows = np.zeros(batch_size, np.int64)
    sc = np.zeros(2, params.dtype)
    zero = params[0] * 0
    ko = off[L - 1]
    step = 0
    for e in range(epochs):
        hits = 0.0
        for start in range(0, n, batch_size):
            m = min(batch_size, n - start)
            for r in range(m):
                rows[r] = orders[e, start + r] if gather else start + r
            if gather and m * d * layout[0, 1] > SMALL_PRODUCT:         # BLAS needs the rows together
                for r in range(m):
                    xbuf[r] = X[rows[r]]
            # -- forward: Z = A @ W + b, O = f(Z)
            for l in range(L):
                n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                zo, ao = off[l], off[l - 1] if l > 0 else 0
                if m * n_in * n_out > SMALL_PRODUCT:
                    A = O[ao:ao + m * n_in].reshape((m, n_in)) if l else (xbuf[:m] if gather else X[start:start + m])
                    np.dot(A, params[w0:w0 + n_in * n_out].reshape((n_in, n_out)),
                           Z[zo:zo + m * n_out].reshape((m, n_out)))
                else:
                    for r in range(m):
                        for c in range(n_out):
                            s = zero
                            for q in range(n_in):
                                a = X[rows[r], q] if l == 0 else O[ao + r * n_in + q]
                                s = a * params[w0 + q * n_out + c] if q == 0 else s + a * params[w0 + q * n_out + c]
                            Z[zo + r * n_out + c] = s
                for r in range(m):
                    for c in range(n_out):
                        Z[zo + r * n_out + c] += params[b0 + c]
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
                    for i in range(zo, zo + m * n_out):
                        O[i] = _f_jit(Z[i], acts[l], alpha[l])
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
                        E += Y[rows[r], c] * (lse - (Z[i0 + c] - mx))
                elif loss_id == 2:      # fused sigmoid + binary cross-entropy: from the net input
                    for c in range(k):
                        v = Z[i0 + c]
                        E += max(v, 0) - v * Y[rows[r], c] + math.log1p(math.exp(-abs(v)))
                else:
                    for c in range(k):
                        dv = Y[rows[r], c] - O[i0 + c]
                        E += dv * dv
            if loss_id == 0:
                E *= 0.5
            E /= scale
            for r in range(m):
                for c in range(k):
                    i = ko + r * k + c
                    if fused:
                        D[i] = (O[i] - Y[rows[r], c]) / scale
                    else:
                        D[i] = (O[i] - Y[rows[r], c]) * (2.0 / scale if loss_id == 1 else 1.0 / scale)
                        D[i] = _df_jit(D[i], O[i], Z[i], acts[L - 1], alpha[L - 1])
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
                        if (O[ko + r * k + c] > 0.5) == (Y[rows[r], c] > 0.5):
                            hit += 1
                hits += hit / k
            # -- backward: dW = A.T @ delta, db = delta summed over rows, delta_prev = delta @ W.T * f'
            for l in range(L - 1, -1, -1):
                n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
                do, ao = off[l], off[l - 1] if l > 0 else 0
                big = m * n_in * n_out > SMALL_PRODUCT
                if big:
                    A = O[ao:ao + m * n_in].reshape((m, n_in)) if l else (xbuf[:m] if gather else X[start:start + m])
                    np.dot(A.T, D[do:do + m * n_out].reshape((m, n_out)),
                           grads[w0:w0 + n_in * n_out].reshape((n_in, n_out)))
                else:
                    for q in range(n_in):
                        for c in range(n_out):
                            s = zero
                            for r in range(m):
                                a = X[rows[r], q] if l == 0 else O[ao + r * n_in + q]
                                s = a * D[do + c] if r == 0 else s + a * D[do + r * n_out + c]
                            grads[w0 + q * n_out + c] = s
                for c in range(n_out):
                    grads[b0 + c] = D[do + c]
                for r in range(1, m):
                    for c in range(n_out):
                        grads[b0 + c] += D[do + r * n_out + c]
                if l > 0:
                    if big:
                        np.dot(D[do:do + m * n_out].reshape((m, n_out)),
                               params[w0:w0 + n_in * n_out].reshape((n_in, n_out)).T,
                               D[ao:ao + m * n_in].reshape((m, n_in)))
                    else:
                        for r in range(m):
                            for q in range(n_in):
                                s = D[do + r * n_out] * params[w0 + q * n_out]
                                for c in range(1, n_out):
                                    s += D[do + r * n_out + c] * params[w0 + q * n_out + c]
                                D[ao + r * n_in + q] = s
                    for i in range(ao, ao + m * n_in):
                        D[i] = _df_jit(D[i], O[i], Z[i], acts[l - 1], alpha[l - 1])
            # -- divergence: nothing is updated
            if grads.shape[0] > SMALL_UPDATE:
                ss = kernels._sumsq_jit(grads)
            else:
                ss = zero
                for i in range(grads.shape[0]):
                    ss += grads[i] * grads[i]
            if not (math.isfinite(E) and math.isfinite(ss)):
                return step, step
            losses[step] = E
            step += 1
            # -- the update, with the scalars of step t computed in float64 and rounded once to the
            # parameters' precision (as NumPy does)
            t += 1
            if opt_id == 1:
                sc[0] = h64[7] / (1.0 - h64[8] ** t)        # lr / (1 - beta1^t)
                sc[1] = math.sqrt(1.0 - h64[9] ** t)        # sqrt(1 - beta2^t)
            for q in range(bounds.shape[0]):
                lo, hi = bounds[q, 0], bounds[q, 1]
                if hi - lo > SMALL_UPDATE and opt_id == 0:
                    kernels._sgd_jit(params[lo:hi], grads[lo:hi], s1[lo:hi] if s1.shape[0] else s1, hp[0], hp[1],
                                     hp[2], nesterov, hp[3], t == 1)
                elif hi - lo > SMALL_UPDATE:
                    kernels._adam_jit(params[lo:hi], grads[lo:hi], s1[lo:hi], s2[lo:hi], hp[4], hp[5], hp[10],
                                      hp[11], hp[6], hp[3], hp[12], decoupled, sc[0], sc[1])
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
                            params[i], grads[i], s1[i], s2[i], hp[4], hp[5], hp[10], hp[11], hp[6], hp[3], hp[12],
                            decoupled, sc[0], sc[1])
        correct[e] = hits
    return step, -1


def load() -> bool:
    """Numba's versions of the functions above (after `kernels.load`, whose kernels they call)."""
    global _f_jit, _df_jit, _train_jit
    if not kernels.load(force=True):
        return False
    if _train_jit is None:
        njit = kernels.numba.njit
        _f_jit = njit(cache=kernels.CACHE, inline="always")(_f)       # no call per element
        _df_jit = njit(cache=kernels.CACHE, inline="always")(_df)
        _train_jit = njit(cache=kernels.CACHE)(_train)
    return True


def train(params, grads, layout, acts, alpha, loss_id, fused, X, Y, orders, epochs, batch_size, labels, *,
          opt_id, lr, momentum, dampening, nesterov, wd, b1, b2, eps, decoupled, t, s1, s2, bounds):
    """`epochs` epochs of mini-batch training of a stack of Dense layers in one compiled call.

    layout: one row per layer (n_in, n_out, offset of W, offset of b) in `params`; acts: activation
    ids (0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky ReLU, 5 softmax); loss_id: 0 sse, 1 mse,
    2 binary cross-entropy, 3 categorical cross-entropy; orders: (epochs, n) sample order of each
    epoch, or None for the stored order; opt_id: 0 SGD, 1 Adam; bounds: the trainable
    [start, stop) parts of `params`. Returns (per-step errors, per-epoch correct predictions,
    index of the step whose loss or gradient was not finite, or -1)."""
    load()
    hyper = np.array([lr, momentum, 1.0 - dampening, wd, b1, b2, eps, lr, b1, b2, 1.0 - b1, 1.0 - b2,
                      1.0 - lr * wd], dtype=np.float64)
    # all used rounded once to the parameters' precision, but 7-9 (the bias corrections, per step, in float64)
    hyper_p = hyper.astype(params.dtype)
    gather = orders is not None
    losses = np.zeros(epochs * -(-X.shape[0] // batch_size), dtype=np.float64)
    correct = np.zeros(epochs, dtype=np.float64)
    steps, bad = _train_jit(params, grads, layout, acts, alpha, loss_id, fused, X, Y,
                            orders if gather else np.zeros((1, 1), np.int64), gather, epochs, batch_size, labels,
                            opt_id, hyper_p, hyper, nesterov, decoupled, t, s1, s2, losses, correct, bounds)
    return losses[:steps], correct, bad
