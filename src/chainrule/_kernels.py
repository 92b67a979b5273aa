"""Optional compiled optimizer updates: one pass over the parameters instead of a dozen.

With Numba installed (`pip install chainrule[fast]`) Adam, AdamW and SGD update the flat
parameter vector in a single compiled parallel loop. The formulas, and their order of
operations, are those of the NumPy code in optim.py, which stays the reference: the tests run
every optimizer both ways against torch.optim. Set the environment variable CHAINRULE_NUMBA=0,
or `chainrule._kernels.ENABLED = False`, to use NumPy only.
"""
from __future__ import annotations

import math
import os

try:  # pragma: no cover - depends on the environment
    import numba
except ImportError:  # the core needs only NumPy
    numba = None

ENABLED = numba is not None and os.environ.get("CHAINRULE_NUMBA", "1") != "0"
MIN_SIZE = 20_000   # below this many parameters NumPy's few calls cost less than a compiled call


def use(p) -> bool:
    """Whether to update the parameter vector `p` with the compiled loop."""
    return ENABLED and p.shape[0] >= MIN_SIZE


def _adam(p, g, m, v, lr, b1, b2, eps, wd, decoupled, bc1, bc2_sqrt):
    step = lr / bc1
    one = b1 / b1
    shrink = one - lr * wd if decoupled else one
    coupled = wd * (one - one) if decoupled else wd
    for i in _range(p.shape[0]):
        gi = g[i] + coupled * p[i]
        mi = b1 * m[i] + (one - b1) * gi
        vi = b2 * v[i] + (one - b2) * (gi * gi)
        m[i] = mi
        v[i] = vi
        p[i] = p[i] * shrink - step * (mi / (math.sqrt(vi) / bc2_sqrt + eps))


def _sgd(p, g, buf, lr, momentum, dampening, nesterov, wd, first):
    one = lr / lr
    for i in _range(p.shape[0]):
        gi = g[i] + wd * p[i]
        if momentum != 0:
            bi = gi if first else momentum * buf[i] + (one - dampening) * gi
            buf[i] = bi
            gi = gi + momentum * bi if nesterov else bi
        p[i] = p[i] - lr * gi


if numba is not None:  # pragma: no cover - depends on the environment
    _range = numba.prange
    _adam_jit = numba.njit(cache=True, parallel=True)(_adam)
    _sgd_jit = numba.njit(cache=True, parallel=True)(_sgd)


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
    with _one_thread():
        _adam_jit(p, g, m, v, f(lr), f(b1), f(b2), f(eps), f(wd), decoupled, f(bc1), f(bc2_sqrt))


def sgd(p, g, buf, lr, momentum, dampening, nesterov, wd, first) -> None:
    """In place: the SGD step of optim.SGD._update (momentum, dampening, Nesterov), in one pass."""
    f = p.dtype.type
    with _one_thread():
        _sgd_jit(p, g, buf, f(lr), f(momentum), f(dampening), nesterov, f(wd), first)
