"""The products and large updates of the compiled loop (loops.py), each on views of its flat work
arrays: a view made inside the loop would be counted per step, so each is made here, in a
function the loop calls, and handed to BLAS (np.dot), csr.py's products or kernels.py's updates.
"""
from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import csr, kernels

_dot_forward_jit = _dot_weight_grad_jit = _dot_delta_jit = _update_part_jit = cast(Any, None)
_csr_forward_jit = _csr_weight_grad_jit = _csr_matmul_jit = _csr_matmul_t_jit = _csr_block_values_jit = cast(Any, None)


def _dot_forward(src, s0, m, n_in, n_out, params, w0, Z, zo):
    """Z[zo:] = the m x n_in rows at src[s0:] @ W (BLAS; the views made here, not in the loop)."""
    np.dot(src[s0:s0 + m * n_in].reshape((m, n_in)), params[w0:w0 + n_in * n_out].reshape((n_in, n_out)),
           Z[zo:zo + m * n_out].reshape((m, n_out)))


def _dot_weight_grad(src, s0, m, n_in, n_out, D, do, grads, w0):
    """dW = A.T @ delta (BLAS), A the m x n_in rows at src[s0:]."""
    np.dot(src[s0:s0 + m * n_in].reshape((m, n_in)).T, D[do:do + m * n_out].reshape((m, n_out)),
           grads[w0:w0 + n_in * n_out].reshape((n_in, n_out)))


def _dot_delta(D, do, m, n_in, n_out, params, w0, ai):
    """D[ai:] = delta @ W.T (BLAS): the delta the layer below receives, before f'."""
    np.dot(D[do:do + m * n_out].reshape((m, n_out)), params[w0:w0 + n_in * n_out].reshape((n_in, n_out)).T,
           D[ai:ai + m * n_in].reshape((m, n_in)))


def _update_part(params, grads, s1, s2, lo, hi, opt_id, hp, nesterov, first, decoupled, step, bc2_sqrt, bc2_inv,
                 quiet_above):
    """A large trainable part [lo, hi) updated by the optimizer's kernel (views made here)."""
    if opt_id == 0:
        kernels._sgd_jit(params[lo:hi], grads[lo:hi], s1[lo:hi] if s1.shape[0] else s1, hp[0], hp[1], hp[2],
                         nesterov, hp[3], first)
    else:
        kernels._adam_jit(params[lo:hi], grads[lo:hi], s1[lo:hi], s2[lo:hi], hp[4], hp[5], hp[10], hp[11], hp[6],
                          hp[3], hp[12], decoupled, step, bc2_sqrt, bc2_inv, quiet_above)


def _csr_forward(indptr, indices, data, rows, m, params, w0, n_in, n_out, Z, zo, prefix, A, skips):
    """Z[zo:] = the CSR rows `rows[:m]` @ W: csr.py's product, on views made here; each row's
    values in the first `prefix` columns (a dense block: `SparseRows.dense_prefix`) put into A
    and multiplied by BLAS, the rest value by value."""
    W = params[w0:w0 + n_in * n_out].reshape((n_in, n_out))
    out = Z[zo:zo + m * n_out].reshape((m, n_out))
    if prefix:
        _csr_block_values_jit(indptr, indices, data, rows, m, prefix, A, skips)
        np.dot(A[:m * prefix].reshape((m, prefix)), W[:prefix], out)
    _csr_matmul_jit(indptr, indices, data, rows[:m], skips[:m], W, out)


def _csr_weight_grad(indptr, indices, data, rows, m, D, do, n_in, n_out, grads, w0, prefix, A, skips):
    """dW = X.T @ delta for the CSR rows `rows[:m]`: csr.py's product, on views made here; the
    dense block's part by BLAS from A (as `_csr_forward` left it)."""
    delta = D[do:do + m * n_out].reshape((m, n_out))
    dW = grads[w0:w0 + n_in * n_out].reshape((n_in, n_out))
    if prefix:
        np.dot(A[:m * prefix].reshape((m, prefix)).T, delta, dW[:prefix])
    _csr_matmul_t_jit(indptr, indices, data, rows[:m], skips[:m], prefix, delta, dW)


def load() -> None:
    """Numba's versions of the functions above (after `kernels.load`, whose kernels they call)."""
    global _dot_forward_jit, _dot_weight_grad_jit, _dot_delta_jit, _update_part_jit
    global _csr_forward_jit, _csr_weight_grad_jit, _csr_matmul_jit, _csr_matmul_t_jit, _csr_block_values_jit
    if _csr_weight_grad_jit is None:
        njit = kernels.numba.njit
        _dot_forward_jit = njit(cache=kernels.CACHE)(_dot_forward)
        _dot_weight_grad_jit = njit(cache=kernels.CACHE)(_dot_weight_grad)
        _dot_delta_jit = njit(cache=kernels.CACHE)(_dot_delta)
        _update_part_jit = njit(cache=kernels.CACHE)(_update_part)
        _csr_matmul_jit, _csr_matmul_t_jit = csr._compiled("_matmul"), csr._compiled("_matmul_t")
        _csr_block_values_jit = csr._compiled("_block_values")
        _csr_forward_jit = njit(cache=kernels.CACHE)(_csr_forward)
        _csr_weight_grad_jit = njit(cache=kernels.CACHE)(_csr_weight_grad)
