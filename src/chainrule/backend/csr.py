"""Compiled kernels for a sparse (CSR) input batch: the first Dense layer's two products and the
gathering of a batch's rows, written into buffers the caller reuses. The compiled fit loop
(loops.py) calls the same two products for its batch's rows.

A table's numeric columns come first, in columns 0, 1, ..., P - 1 (then one value per text
column), and nearly every row stores them: that block is dense. The fit loop multiplies it with
BLAS, a dense product of the batch's values in those columns (`_block_values`, zeros where a row
stores none), and only the rest value by value (the products' `skips`): a batch's two products
with 40 numbers and 4 text columns run 3x faster. BLAS adds in its own order, so those sums agree
with SciPy's to rounding (1e-15), not bit for bit (`SparseRows.dense_prefix` chooses P).

A CSR matrix is three arrays: `data` (the stored values), `indices` (their columns) and `indptr`
(row r's values are data[indptr[r]:indptr[r + 1]]). The loops visit the stored values in the order
SciPy's own `csr @ dense` and `csr.T @ dense` do, so they give SciPy's numbers; SciPy is the
reference (the path taken without Numba). Like `kernels`, a leaf: it imports nothing of chainrule
but its sibling, whose switch (ENABLED) and Numba loading it shares.
"""
from __future__ import annotations

import numpy as np

from . import kernels


def _matmul(indptr, indices, data, rows, skips, W, out):
    """out = X @ W for X in CSR form (row by row: out[r] += x[r, j] * W[j]); with `rows` not
    empty, for the rows rows[0], rows[1], ... of X instead (the compiled fit loop's batch). With
    `skips` not empty, the first skips[r] values of row r are left out and the rest added to
    `out`, which then holds their product already (the dense block: `_block_values`)."""
    k = W.shape[1]
    for r in range(rows.shape[0] if rows.shape[0] else indptr.shape[0] - 1):
        s = rows[r] if rows.shape[0] else r
        start = indptr[s]
        if skips.shape[0]:
            start += skips[r]
        else:
            for c in range(k):
                out[r, c] = 0
        for p in range(start, indptr[s + 1]):
            j = indices[p]
            v = data[p]
            for c in range(k):
                out[r, c] += v * W[j, c]
    return out


def _matmul_t(indptr, indices, data, rows, skips, block, delta, dW):
    """dW = X.T @ delta for X in CSR form (dW[j] += x[r, j] * delta[r]), or for its rows `rows`
    as `_matmul`; rows of dW that no stored value touches are zero. With `skips` not empty, the
    first skips[r] values of row r are left out and dW[:block] is kept (the caller's product of
    the dense block, to which values after it in those columns are added)."""
    dW[block:, :] = 0
    k = delta.shape[1]
    for r in range(rows.shape[0] if rows.shape[0] else indptr.shape[0] - 1):
        s = rows[r] if rows.shape[0] else r
        start = indptr[s] + (skips[r] if skips.shape[0] else 0)
        for p in range(start, indptr[s + 1]):
            j = indices[p]
            v = data[p]
            for c in range(k):
                dW[j, c] += v * delta[r, c]
    return dW


def _block_values(indptr, indices, data, rows, m, width, A, skips):
    """Row r of the m x width block A: the values row rows[r] stores first in columns below
    `width` (0 where it stores none), and skips[r] their count; values in those columns stored
    after a larger column are left to the products' value-by-value loop, which adds them."""
    for r in range(m):
        a, e = indptr[rows[r]], indptr[rows[r] + 1]
        for q in range(width):
            A[r * width + q] = 0
        p = a
        while p < e and indices[p] < width:
            A[r * width + indices[p]] += data[p]
            p += 1
        skips[r] = p - a


def _gather(indptr, indices, data, rows, out_indptr, out_indices, out_data):
    """Rows `rows` (in that order) of a CSR matrix into the out_ arrays; returns their count of values."""
    nnz = 0
    out_indptr[0] = 0
    for i in range(rows.shape[0]):
        r = rows[i]
        for p in range(indptr[r], indptr[r + 1]):
            out_indices[nnz] = indices[p]
            out_data[nnz] = data[p]
            nnz += 1
        out_indptr[i + 1] = nnz
    return nnz


_jit: dict = {}


def _compiled(name: str):
    if not kernels.load():
        return None
    if not _jit:
        numba = kernels.numba
        cache = kernels.CACHE          # decided (and warned about, once) by kernels.load()
        for fn in (_matmul, _matmul_t, _gather, _block_values):
            _jit[fn.__name__] = numba.njit(cache=cache)(fn)
    return _jit[name]


def enabled() -> bool:
    """Whether the compiled kernels run (Numba installed and not switched off)."""
    return bool(kernels.ENABLED) and kernels.load()


ALL_ROWS = np.zeros(0, np.int64)        # the kernels' `rows` for every row in order


def matmul(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, W: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[...] = X @ W, X (out.shape[0] x W.shape[0]) given by its CSR arrays."""
    return _compiled("_matmul")(indptr, indices, data, ALL_ROWS, ALL_ROWS, W, out)


def matmul_t(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, delta: np.ndarray,
             dW: np.ndarray) -> np.ndarray:
    """dW[...] = X.T @ delta, X given by its CSR arrays."""
    return _compiled("_matmul_t")(indptr, indices, data, ALL_ROWS, ALL_ROWS, 0, delta, dW)


def gather(indptr: np.ndarray, indices: np.ndarray, data: np.ndarray, rows: np.ndarray, out_indptr: np.ndarray,
           out_indices: np.ndarray, out_data: np.ndarray) -> int:
    """Copy rows `rows` into the out_ arrays (large enough); returns how many values were copied."""
    return int(_compiled("_gather")(indptr, indices, data, rows, out_indptr, out_indices, out_data))
