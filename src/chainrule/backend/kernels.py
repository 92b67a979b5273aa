"""Compiled kernels (Numba): plain loops over plain arrays and numbers.

This is a leaf module: it imports nothing of chainrule and knows no class of it. The engine
(`chainrule.nn`) and the fit loop (`chainrule.training`) decide, by the exact built-in class of an
activation, loss, layer or optimizer, whether a kernel applies (`chainrule.training.compiled`);
anything else runs its own Python on the NumPy path, which is the reference every kernel is
tested against. Scalars that the NumPy path computes in Python floats (1 - beta, the bias
corrections) are computed the same way here and rounded once to the arrays' precision.

Numba is optional (`pip install chainrule[fast]`): it is imported, and the kernels wrapped, on
first use. Set CHAINRULE_NUMBA=0 (or `kernels.ENABLED = False`) to use NumPy only.
"""
from __future__ import annotations

import importlib.util
import math
import os
import warnings

import numpy as np

AVAILABLE = importlib.util.find_spec("numba") is not None   # the core needs only NumPy
ENABLED = AVAILABLE and os.environ.get("CHAINRULE_NUMBA", "1") != "0"
numba = None
MIN_UPDATE_SIZE = 20_000   # below this many parameters NumPy's few calls cost less than a compiled call
MAX_EPOCH_PARAMS = 100_000  # above this the matrix products dominate and NumPy's loop is as fast


# -- optimizer updates: one pass over the flat parameter vector -------------------------------
def _adam(p, g, m, v, b1, b2, omb1, omb2, eps, wd, shrink, decoupled, step, bc2_sqrt):
    """In place, the order of operations of optim.Adam's NumPy update (m*b1 + (1-b1)*g, ...)."""
    for i in range(p.shape[0]):
        gi = g[i]
        if wd != 0 and not decoupled:
            gi = gi + wd * p[i]
        mi = m[i] * b1 + omb1 * gi
        vi = v[i] * b2 + omb2 * (gi * gi)
        m[i] = mi
        v[i] = vi
        pi = p[i] * shrink if (decoupled and wd != 0) else p[i]
        p[i] = pi - step * (mi / (math.sqrt(vi) / bc2_sqrt + eps))


def _sgd(p, g, buf, lr, momentum, one_minus_dampening, nesterov, wd, first):
    """In place, the order of operations of optim.SGD's NumPy update."""
    for i in range(p.shape[0]):
        gi = g[i]
        if wd != 0:
            gi = gi + wd * p[i]
        if momentum != 0:
            bi = gi if first else buf[i] * momentum + one_minus_dampening * gi
            buf[i] = bi
            gi = gi + momentum * bi if nesterov else bi
        p[i] = p[i] - lr * gi


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


def _relu_backward(dout, out, delta, db, zero):
    """delta = dout * (out > 0) and db = delta summed over the rows (in row order, as NumPy's
    reduction over axis 0) in one pass."""
    m, k = dout.shape
    for c in range(k):
        delta[0, c] = dout[0, c] if out[0, c] > zero else dout[0, c] * zero
        db[c] = delta[0, c]
    for r in range(1, m):
        for c in range(k):
            d = dout[r, c] if out[r, c] > zero else dout[r, c] * zero   # dout * (out > 0)
            delta[r, c] = d
            db[c] += d
    return delta


# -- a whole epoch of a small network in one compiled loop -------------------------------------
def _act(z, out, act, alpha):
    n, k = z.shape
    if act == 5:                                   # softmax over each row
        for r in range(n):
            mx = z[r, 0]
            for c in range(1, k):
                mx = max(mx, z[r, c])
            s = z[r, 0] * 0
            for c in range(k):
                e = math.exp(z[r, c] - mx)
                out[r, c] = e
                s += e
            for c in range(k):
                out[r, c] /= s
        return
    for r in range(n):
        for c in range(k):
            v = z[r, c]
            if act == 1:
                out[r, c] = 0.5 * (1.0 + math.tanh(v * 0.5))
            elif act == 2:
                out[r, c] = math.tanh(v)
            elif act == 3:
                out[r, c] = v if v > 0 else v * 0
            elif act == 4:
                out[r, c] = v if v > 0 else v * alpha
            else:
                out[r, c] = v


def _dact(z, out, act, alpha, d):
    """d *= f'(net), elementwise, from the cached output (and net input)."""
    n, k = z.shape
    for r in range(n):
        for c in range(k):
            o = out[r, c]
            if act == 1:
                d[r, c] *= o * (1.0 - o)
            elif act == 2:
                d[r, c] *= 1.0 - o * o
            elif act == 3:
                if not o > 0:
                    d[r, c] = d[r, c] * 0
            elif act == 4:
                if not z[r, c] > 0:
                    d[r, c] *= alpha


def _epoch(params, grads, layout, acts, alpha, loss_id, fused, X, Y, order, batch_size, labels,
           opt_id, hp, h64, nesterov, decoupled, t, s1, s2, losses, bounds):
    """One epoch; returns (steps taken, correct predictions, index of a diverging batch or -1)."""
    n = order.shape[0]
    L = layout.shape[0]
    k = layout[L - 1, 1]
    correct = 0.0
    nb = 0
    zs = [np.empty((batch_size, layout[l, 1]), dtype=params.dtype) for l in range(L)]
    outs = [np.empty((batch_size, layout[l, 1]), dtype=params.dtype) for l in range(L)]
    xb_full = np.empty((batch_size, X.shape[1]), dtype=params.dtype)
    yb_full = np.empty((batch_size, k), dtype=params.dtype)
    for start in range(0, n, batch_size):
        m = min(batch_size, n - start)
        xb = xb_full[:m]
        yb = yb_full[:m]
        for r in range(m):
            xb[r] = X[order[start + r]]
            yb[r] = Y[order[start + r]]
        # forward
        a = xb
        for l in range(L):
            n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
            W = params[w0:w0 + n_in * n_out].reshape((n_in, n_out))
            b = params[b0:b0 + n_out]
            z = zs[l][:m]
            z[:, :] = np.dot(a, W)
            for r in range(m):
                for c in range(n_out):
                    z[r, c] += b[c]
            _act_jit(z, outs[l][:m], acts[l], alpha[l])
            a = outs[l][:m]
        out = a
        zL = zs[L - 1][:m]
        # the error (as losses.py) and the output delta
        E = out[0, 0] * 0
        delta = np.empty_like(out)
        scale = m * k if loss_id == 1 or loss_id == 2 else m
        if loss_id == 3:          # fused softmax + categorical cross-entropy: from the net input
            for r in range(m):
                mx = zL[r, 0]
                for c in range(1, k):
                    mx = max(mx, zL[r, c])
                s = zL[r, 0] * 0
                for c in range(k):
                    s += math.exp(zL[r, c] - mx)
                lse = math.log(s)
                for c in range(k):
                    E += yb[r, c] * (lse - (zL[r, c] - mx))
        elif loss_id == 2:        # fused sigmoid + binary cross-entropy: from the net input
            for r in range(m):
                for c in range(k):
                    v = zL[r, c]
                    E += max(v, 0) - v * yb[r, c] + math.log1p(math.exp(-abs(v)))
        else:
            for r in range(m):
                for c in range(k):
                    dv = yb[r, c] - out[r, c]
                    E += dv * dv
            if loss_id == 0:
                E *= 0.5
        E /= scale
        for r in range(m):
            for c in range(k):
                if fused:
                    delta[r, c] = (out[r, c] - yb[r, c]) / scale
                else:
                    delta[r, c] = (out[r, c] - yb[r, c]) * (2.0 / scale if loss_id == 1 else 1.0 / scale)
        if not fused:
            _dact_jit(zL, out, acts[L - 1], alpha[L - 1], delta)
        # accuracy
        if k > 1 and loss_id == 3:
            for r in range(m):
                best = 0
                for c in range(1, k):
                    if out[r, c] > out[r, best]:
                        best = c
                if best == labels[order[start + r]]:
                    correct += 1
        elif loss_id == 2:
            hit = 0
            for r in range(m):
                for c in range(k):
                    if (out[r, c] > 0.5) == (yb[r, c] > 0.5):
                        hit += 1
            correct += hit / k
        # backward
        for l in range(L - 1, -1, -1):
            n_in, n_out, w0, b0 = layout[l, 0], layout[l, 1], layout[l, 2], layout[l, 3]
            W = params[w0:w0 + n_in * n_out].reshape((n_in, n_out))
            a_prev = xb if l == 0 else outs[l - 1][:m]
            grads[w0:w0 + n_in * n_out].reshape((n_in, n_out))[:, :] = np.dot(a_prev.T, delta)
            db = grads[b0:b0 + n_out]
            for c in range(n_out):
                db[c] = delta[0, c] * 0
                for r in range(m):
                    db[c] += delta[r, c]
            if l > 0:
                delta = np.dot(delta, W.T)
                _dact_jit(zs[l - 1][:m], outs[l - 1][:m], acts[l - 1], alpha[l - 1], delta)
        # divergence: nothing is updated
        ss = E * 0
        for i in range(grads.shape[0]):
            ss += grads[i] * grads[i]
        if not (math.isfinite(E) and math.isfinite(ss)):
            return nb, correct, start // batch_size
        losses[nb] = E
        nb += 1
        # the update: the optimizers' own compiled kernels, on each trainable part, with the scalars
        # of step t computed in float64 and rounded once to the parameters' precision (as NumPy does)
        t += 1
        sc = np.empty(2, dtype=params.dtype)
        sc[0] = h64[7] / (1.0 - h64[8] ** t)        # lr / (1 - beta1^t), in float64 then rounded
        sc[1] = math.sqrt(1.0 - h64[9] ** t)        # sqrt(1 - beta2^t)
        for q in range(bounds.shape[0]):
            a, z = bounds[q, 0], bounds[q, 1]
            if opt_id == 0:
                _sgd_jit(params[a:z], grads[a:z], s1[a:z] if s1.shape[0] else s1, hp[0], hp[1], hp[2],
                         nesterov, hp[3], t == 1)
            else:
                _adam_jit(params[a:z], grads[a:z], s1[a:z], s2[a:z], hp[4], hp[5], hp[10], hp[11], hp[6], hp[3],
                          hp[12], decoupled, sc[0], sc[1])
    return nb, correct, -1


# -- entry points: plain arrays and Python numbers in, the kernels' results out ----------------
class _one_thread:
    """The loops run on the calling thread: Numba's worker threads and the BLAS threads of the
    matrix products, spinning on the same cores, made training 20x slower."""

    def __enter__(self):
        self.n = numba.get_num_threads()
        numba.set_num_threads(1)

    def __exit__(self, *exc):
        numba.set_num_threads(self.n)


def adam(p, g, m, v, *, lr, b1, b2, eps, wd, decoupled, t) -> None:
    """In place: Adam's step t (decoupled: AdamW) on the flat arrays, in one pass."""
    f = p.dtype.type
    _adam_jit(p, g, m, v, f(b1), f(b2), f(1.0 - b1), f(1.0 - b2), f(eps), f(wd), f(1.0 - lr * wd), decoupled,
              f(lr / (1.0 - b1 ** t)), f(math.sqrt(1.0 - b2 ** t)))


def sgd(p, g, buf, *, lr, momentum, dampening, nesterov, wd, first) -> None:
    """In place: the SGD step (momentum, dampening, Nesterov) on the flat arrays, in one pass."""
    f = p.dtype.type
    _sgd_jit(p, g, buf, f(lr), f(momentum), f(1.0 - dampening), nesterov, f(wd), first)


def bias_relu(net, b, out):
    """net += b; out = max(net, 0), in one pass (NaN kept, as np.maximum)."""
    return _bias_relu_jit(net, b, out, net.dtype.type(0))


def relu_backward(dout, out, delta, db):
    """delta = dout * (out > 0) and db = delta summed over rows (in row order), in one pass."""
    return _relu_backward_jit(dout, out, delta, db, dout.dtype.type(0))


def fused_ok(a) -> bool:
    """Whether the fused Dense passes apply to `a` (2-D, C-contiguous, at least 8 columns: NumPy's
    reduction over rows then adds row by row, the order the fused loop uses)."""
    return ENABLED and a.ndim == 2 and a.shape[1] >= 8 and a.flags.c_contiguous and load()


def epoch(params, grads, layout, acts, alpha, loss_id, fused, X, Y, order, batch_size, labels, *,
          opt_id, lr, momentum, dampening, nesterov, wd, b1, b2, eps, decoupled, t, s1, s2, bounds):
    """One epoch of mini-batch training of a stack of Dense layers, compiled.

    layout: one row per layer (n_in, n_out, offset of W, offset of b) in `params`; acts: activation
    ids (0 linear, 1 sigmoid, 2 tanh, 3 relu, 4 leaky ReLU, 5 softmax); loss_id: 0 sse, 1 mse,
    2 binary cross-entropy, 3 categorical cross-entropy; opt_id: 0 SGD, 1 Adam; bounds: the
    trainable [start, stop) parts of `params`. Returns (per-batch errors, correct predictions,
    index of the batch whose loss or gradient was not finite, or -1)."""
    hyper = np.array([lr, momentum, 1.0 - dampening, wd, b1, b2, eps, lr, b1, b2, 1.0 - b1, 1.0 - b2,
                      1.0 - lr * wd], dtype=np.float64)
    # all used rounded once to the parameters' precision, but 7-9 (the bias corrections, per step, in float64)
    hyper_p = hyper.astype(params.dtype)
    losses = np.zeros(-(-order.shape[0] // batch_size), dtype=np.float64)
    with _one_thread():
        steps, correct, bad = _epoch_jit(params, grads, layout, acts, alpha, loss_id, fused, X, Y, order,
                                         batch_size, labels, opt_id, hyper_p, hyper, nesterov, decoupled, t,
                                         s1, s2, losses, bounds)
    return losses[:steps], correct, bad


_COMPILED = ("_adam_jit", "_sgd_jit", "_bias_relu_jit", "_relu_backward_jit", "_act_jit", "_dact_jit", "_epoch_jit")
_failed = False


def load() -> bool:
    """Import Numba and wrap the kernels (compiled on first call, cached on disk when the cache
    folder can be written, in memory otherwise). False when Numba is absent or disabled."""
    global numba, _adam_jit, _sgd_jit, _bias_relu_jit, _relu_backward_jit, _act_jit, _dact_jit, _epoch_jit
    if not ENABLED:
        return False
    if numba is None:
        import numba as _numba
        numba = _numba
        cache = _cache_writable()
        opts = dict(cache=cache, error_model="numpy")
        _adam_jit = numba.njit(**opts)(_adam)
        _sgd_jit = numba.njit(**opts)(_sgd)
        _bias_relu_jit = numba.njit(**opts)(_bias_relu)
        _relu_backward_jit = numba.njit(**opts)(_relu_backward)
        _act_jit = numba.njit(cache=cache)(_act)
        _dact_jit = numba.njit(cache=cache)(_dact)
        _epoch_jit = numba.njit(cache=cache)(_epoch)
    return True


def _cache_writable() -> bool:
    """Whether Numba can write its on-disk cache beside this file (or in NUMBA_CACHE_DIR); a
    read-only install compiles in memory instead, with one warning."""
    folder = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(os.path.dirname(__file__), "__pycache__")
    try:
        os.makedirs(folder, exist_ok=True)
        probe = os.path.join(folder, f".chainrule-write-test-{os.getpid()}")
        with open(probe, "w"):
            pass
        os.unlink(probe)
        return True
    except OSError:
        warnings.warn(f"chainrule: Numba's cache folder {folder} cannot be written; the compiled kernels are "
                      "compiled in memory for this process (set NUMBA_CACHE_DIR to a writable folder to keep them)",
                      RuntimeWarning, stacklevel=3)
        return False


def __getattr__(name: str):
    """The compiled kernels (`kernels._adam_jit`, ...), loaded on first access."""
    if name in _COMPILED and load():
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
