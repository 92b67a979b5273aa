"""Optional compiled optimizer updates: one pass over the parameters instead of a dozen.

With Numba installed (`pip install chainrule[fast]`) Adam, AdamW and SGD update the flat
parameter vector in a single compiled loop. The formulas, and their order of
operations, are those of the NumPy code in optim.py, which stays the reference: the tests run
every optimizer both ways against torch.optim. Set the environment variable CHAINRULE_NUMBA=0,
or `chainrule._kernels.ENABLED = False`, to use NumPy only.
"""
from __future__ import annotations

import importlib.util
import math
import os

import numpy as np

AVAILABLE = importlib.util.find_spec("numba") is not None   # the core needs only NumPy
ENABLED = AVAILABLE and os.environ.get("CHAINRULE_NUMBA", "1") != "0"
numba = None    # imported, and the kernels compiled, on first use: `import chainrule` stays light
MIN_SIZE = 20_000   # below this many parameters NumPy's few calls cost less than a compiled call


def use(p) -> bool:
    """Whether to update the parameter vector `p` with the compiled loop."""
    return ENABLED and p.shape[0] >= MIN_SIZE and _load()


def _adam(p, g, m, v, lr, b1, b2, eps, wd, decoupled, bc1, bc2_sqrt):
    step = lr / bc1
    one = b1 / b1
    shrink = one - lr * wd if decoupled else one
    coupled = wd * (one - one) if decoupled else wd
    for i in range(p.shape[0]):
        gi = g[i] + coupled * p[i]
        mi = b1 * m[i] + (one - b1) * gi
        vi = b2 * v[i] + (one - b2) * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * shrink - step * (mi / (math.sqrt(vi) / bc2_sqrt + eps))


def _sgd(p, g, buf, lr, momentum, dampening, nesterov, wd, first):
    one = lr / lr
    for i in range(p.shape[0]):
        gi = g[i] + wd * p[i]
        if momentum != 0:
            bi = gi if first else momentum * buf[i] + (one - dampening) * gi
            buf[i] = bi
            gi = gi + momentum * bi if nesterov else bi
        p[i] = p[i] - lr * gi




class _one_thread:
    """The loops run vectorized on the calling thread: Numba's worker threads and the BLAS
    threads of the matrix products, spinning on the same cores, made training 20x slower."""

    def __enter__(self):
        self.n = numba.get_num_threads()
        numba.set_num_threads(1)

    def __exit__(self, *exc):
        numba.set_num_threads(self.n)


def adam(p, g, m, v, lr, b1, b2, eps, wd, decoupled, bc1, bc2_sqrt) -> None:
    """In place: the Adam (decoupled: AdamW) step of optim.Adam._update, in one pass."""
    f = p.dtype.type    # scalars in the arrays' precision, so float32 runs as float32
    _adam_jit(p, g, m, v, f(lr), f(b1), f(b2), f(eps), f(wd), decoupled, f(bc1), f(bc2_sqrt))


def sgd(p, g, buf, lr, momentum, dampening, nesterov, wd, first) -> None:
    """In place: the SGD step of optim.SGD._update (momentum, dampening, Nesterov), in one pass."""
    f = p.dtype.type
    _sgd_jit(p, g, buf, f(lr), f(momentum), f(dampening), nesterov, f(wd), first)


# -- elementwise passes of a Dense layer in training, fused (bigger networks' NumPy loop) ------
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




def fused_ok(a) -> bool:
    """Whether the fused passes apply to `a` (2-D, C-contiguous, at least 8 columns: NumPy's
    reduction over rows then adds row by row, the order the fused loop uses)."""
    return ENABLED and a.ndim == 2 and a.shape[1] >= 8 and a.flags.c_contiguous and _load()


# -- a whole epoch of mini-batch training, compiled: for small networks ------------------------
# Where NumPy's per-call overhead dominates (a few dozen calls of ~0.5 us per step on arrays of a
# few numbers), one compiled loop over the batches does the same math: Network._epoch_numpy is
# the reference, and the tests train both ways and compare weights and histories.
ACT_IDS = {"linear": 0, "sigmoid": 1, "tanh": 2, "relu": 3, "leaky_relu": 4, "softmax": 5}
LOSS_IDS = {"sse": 0, "mse": 1, "binary_crossentropy": 2, "categorical_crossentropy": 3}
MAX_FAST_PARAMS = 100_000     # above this the matrix products dominate and NumPy is as fast


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
           opt_id, lr, momentum, dampening, nesterov, wd, b1, b2, eps, decoupled, t, s1, s2, losses, bounds):
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
            _act(z, outs[l][:m], acts[l], alpha[l])
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
            _dact(zL, out, acts[L - 1], alpha[L - 1], delta)
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
                _dact(zs[l - 1][:m], outs[l - 1][:m], acts[l - 1], alpha[l - 1], delta)
        # divergence: nothing is updated
        ss = E * 0
        for i in range(grads.shape[0]):
            ss += grads[i] * grads[i]
        if not (math.isfinite(E) and math.isfinite(ss)):
            return nb, correct, start // batch_size
        losses[nb] = E
        nb += 1
        # the update: the optimizers' own compiled kernels, on each trainable part
        t += 1
        for q in range(bounds.shape[0]):
            a, z = bounds[q, 0], bounds[q, 1]
            if opt_id == 0:
                _sgd_jit(params[a:z], grads[a:z], s1[a:z] if s1.shape[0] else s1, lr, momentum, dampening,
                         nesterov, wd, t == 1)
            else:
                _adam_jit(params[a:z], grads[a:z], s1[a:z], s2[a:z], lr, b1, b2, eps, wd, decoupled,
                          1.0 - b1 ** t, math.sqrt(1.0 - b2 ** t))
    return nb, correct, -1




def epoch_args(net, optimizer, X, Y):
    """The static arguments of the compiled epoch for `net`, or None where it does not apply
    (then Network.fit runs its NumPy loop, the reference)."""
    from .layers import Dense
    from .optim import SGD, Adam
    if not ENABLED or net.n_params > MAX_FAST_PARAMS or not _load():
        return None
    if not all(isinstance(layer, Dense) for layer in net.layers):
        return None
    names = [layer.activation.name for layer in net.layers]
    loss = net.loss_function.name
    if any(a == "softmax" for a in names[:-1]) or loss not in LOSS_IDS:
        return None
    fused = net._fused
    if loss in ("binary_crossentropy", "categorical_crossentropy") and not fused:
        return None
    if names[-1] == "softmax" and not fused:
        return None
    if optimizer.clip_norm is not None:
        return None
    if isinstance(optimizer, Adam):
        if optimizer.amsgrad:
            return None
        opt = (1, 0.0, 0.0, False, optimizer.betas[0], optimizer.betas[1], optimizer.eps, optimizer.decoupled)
    elif isinstance(optimizer, SGD):
        opt = (0, optimizer.momentum, optimizer.dampening, optimizer.nesterov, 0.0, 0.0, 0.0, False)
    else:
        return None
    layout = np.array([[layer.n_in, layer.n_out, a, a + layer.n_in * layer.n_out]
                       for layer, a in zip(net.layers, [s[2] for s in net._segments if s[1] == "W"])], dtype=np.int64)
    acts = np.array([ACT_IDS[a] for a in names], dtype=np.int64)
    alpha = np.array([getattr(layer.activation, "alpha", 0.0) for layer in net.layers], dtype=net.dtype)
    return layout, acts, alpha, LOSS_IDS[loss], fused, opt


def epoch(net, optimizer, static, X, Y, order, batch_size, labels, slices):
    """One compiled epoch over the batches of `order` (updating only inside `slices`):
    returns (per-batch errors, correct predictions, diverging batch or -1)."""
    layout, acts, alpha, loss_id, fused, (opt_id, momentum, dampening, nesterov, b1, b2, eps, decoupled) = static
    optimizer._ensure_state(net.params)
    state = optimizer.state
    s1 = state.get("momentum_buffer", state.get("exp_avg", net.params[:0]))
    s2 = state.get("exp_avg_sq", net.params[:0])
    f = net.dtype.type
    losses = np.zeros(-(-order.shape[0] // batch_size), dtype=np.float64)
    bounds = np.array([s.indices(net.n_params)[:2] for s in slices], dtype=np.int64).reshape(-1, 2)
    with _one_thread():
        steps, correct, bad = _epoch_jit(
            net.params, net.grads, layout, acts, alpha, loss_id, fused, X, Y, order, batch_size, labels, opt_id,
            f(optimizer.lr), f(momentum), f(dampening), nesterov, f(optimizer.weight_decay), f(b1), f(b2), f(eps),
            decoupled, optimizer.t, s1, s2, losses, bounds)
    optimizer.t += steps
    return losses[:steps], correct, bad


_COMPILED = ("_adam_jit", "_sgd_jit", "_bias_relu_jit", "_relu_backward_jit", "_act", "_dact", "_epoch_jit")


def _load() -> bool:
    """Import Numba and wrap the kernels (compiled lazily on their first call, cached on disk)."""
    global numba, _adam_jit, _sgd_jit, _bias_relu_jit, _relu_backward_jit, _act, _dact, _epoch_jit
    if numba is None:
        import numba as _numba
        numba = _numba
        # one thread, vectorized: error_model="numpy" (no ZeroDivisionError branch in the loop) lets LLVM
        # vectorize it, as fast as the parallel loop run on one thread, without the thread pool's launch
        _adam_jit = numba.njit(cache=True, error_model="numpy")(_adam)
        _sgd_jit = numba.njit(cache=True, error_model="numpy")(_sgd)
        _bias_relu_jit = numba.njit(cache=True, error_model="numpy")(_bias_relu)
        _relu_backward_jit = numba.njit(cache=True, error_model="numpy")(_relu_backward)
        _act = numba.njit(cache=True)(_act)  # _epoch calls _adam_jit/_sgd_jit, compiled above
        _dact = numba.njit(cache=True)(_dact)
        _epoch_jit = numba.njit(cache=True)(_epoch)
    return True


def __getattr__(name: str):
    """`_kernels._adam_jit` and the other compiled kernels, loaded on first access."""
    if name in _COMPILED and ENABLED and _load():
        return globals()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
