"""Sparse inputs: a SciPy CSR matrix as the network's X (one-hot columns of a table, text counts).

Only the first Dense layer sees the sparse matrix: its net input X @ W and its weight gradient
X.T @ delta are products of a sparse and a dense matrix (`backend.csr` compiled, SciPy without
Numba: the reference); everything after it is dense. The core does not need SciPy: a sparse X
can only exist once SciPy has been imported, so it is looked for in `sys.modules`, never imported.
"""
from __future__ import annotations

import sys
from typing import Any

import numpy as np

from ..backend import csr
from ..backend.pages import Pages
from ..errors import ChainruleTypeError, ValidationError


def is_sparse(X: Any) -> bool:
    """True for a SciPy sparse matrix or array (without importing SciPy)."""
    sp = sys.modules.get("scipy.sparse")
    return sp is not None and bool(sp.issparse(X))


def check(X: Any, name: str, dtype: np.dtype, n_features: int | None = None) -> Any:
    """X as a CSR matrix of `dtype` with valid structure and finite values, or a clear error.
    Another sparse format is converted to CSR (a copy); a CSR matrix of `dtype` is used as it is."""
    if X.ndim != 2:
        raise ValidationError(f"{name} must be 2-D (n_samples, n_features); got a sparse {X.ndim}-D shape {X.shape}")
    if X.dtype.kind not in "biuf":    # by the matrix's dtype: LIL's data holds lists (object), DOK has none
        raise ChainruleTypeError(f"{name} must hold real numbers; got a sparse {type(X).__name__} of dtype {X.dtype}")
    if X.format != "csr":
        X = X.tocsr()
    given = X.data                    # before the cast: a finite value float32 cannot hold is named as such
    if X.dtype != dtype:
        with np.errstate(over="ignore", invalid="ignore"):    # an overflowing cast is reported below
            X = X.astype(dtype)
    if X.shape[0] == 0:
        raise ValidationError(f"{name} is empty: expected at least one sample, got shape {X.shape}")
    if n_features is not None and X.shape[1] != n_features:
        raise ValidationError(f"{name} has {X.shape[1]} features per sample; the network expects {n_features}")
    pages = Pages(X, in_order=True)
    try:   # the compiled loops trust indptr and indices: a broken matrix must not reach them
        if pages:
            _check_mapped(X, pages)
        else:
            X.check_format(full_check=True)
    except ValueError as exc:
        raise ValidationError(f"{name} is not a valid CSR matrix: {exc}") from None
    for a, b in _blocks(X.data.shape[0]):
        data = X.data[a:b]
        with np.errstate(over="ignore", invalid="ignore"):     # large finite values may overflow the sum
            finite = np.isfinite(np.add.reduce(data))
        if not finite:
            bad = np.flatnonzero(~np.isfinite(data))
            if bad.size:
                p = a + int(bad[0])
                row = int(np.searchsorted(X.indptr, p, side="right")) - 1
                if np.isfinite(given[p]):       # (checks imports this module: imported here)
                    from .checks import too_large

                    raise too_large(name, given[p], f"index ({row}, {int(X.indices[p])})", dtype)
                raise ValidationError(f"{name} contains NaN or infinity (first at index ({row}, {int(X.indices[p])}))")
        pages.touched(b - a, data.itemsize, contiguous=True)
    pages.release()
    return X


def _blocks(n: int, step: int = 1 << 22) -> list[tuple[int, int]]:
    return [(a, min(a + step, n)) for a in range(0, n, step)]


def _check_mapped(X: Any, pages: Pages) -> None:
    """SciPy's `check_format(full_check=True)` (the same checks, in its order, with its messages)
    for a matrix mapped from files: a block of each array at a time, its pages handed back as it
    goes, where SciPy would read the whole arrays into this process (and np.diff(indptr) copy one)."""
    X.check_format(full_check=False)        # shapes and the ends of indptr
    ind, ptr, n = X.indices, X.indptr, X.indices.shape[0]

    def scan(arr: np.ndarray, n: int, reduce: Any, overlap: int = 0) -> list:
        found = []
        for a, b in _blocks(n):
            found.append(reduce(arr[a:b + overlap]))
            pages.touched(b - a, arr.itemsize, contiguous=True)
        return found

    if X.nnz > 0:
        if max(scan(ind, n, np.max)) >= X.shape[1]:
            raise ValueError(f"indices must be < {X.shape[1]}")
        if min(scan(ind, n, np.min)) < 0:
            raise ValueError("indices must be >= 0")
        if min(scan(ptr, ptr.shape[0] - 1, lambda p: np.diff(p).min(), overlap=1)) < 0:
            raise ValueError("indptr must be a non-decreasing sequence")
    pages.release()
    index = X._get_index_dtype((ptr, ind))       # what SciPy's full check makes them (no copy when they are)
    X.indptr, X.indices = np.asarray(ptr, dtype=index), np.asarray(ind, dtype=index)


def rows(X: Any, start: int, stop: int) -> Any:
    """Rows [start, stop) of a dense array or a CSR matrix, without copying the values."""
    if not is_sparse(X):
        return X[start:stop]
    stop = min(stop, X.shape[0])
    a, b = int(X.indptr[start]), int(X.indptr[stop])
    return type(X)((X.data[a:b], X.indices[a:b], X.indptr[start:stop + 1] - a), shape=(stop - start, X.shape[1]),
                   copy=False)


def matmul(x: Any, W: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """x @ W for a CSR x, a dense result (into `out` when given)."""
    if csr.enabled():
        if out is None:
            out = np.empty((x.shape[0], W.shape[1]), dtype=np.result_type(x.dtype, W.dtype))
        return csr.matmul(x.indptr, x.indices, x.data, W, out)
    net = np.asarray(x @ W)
    if out is None:
        return net
    out[...] = net
    return out


def matmul_t(x: Any, delta: np.ndarray, out: np.ndarray) -> np.ndarray:
    """out[...] = x.T @ delta for a CSR x: the weight gradient of the layer x feeds."""
    if csr.enabled():
        return csr.matmul_t(x.indptr, x.indices, x.data, delta, out)
    out[...] = x.T @ delta
    return out


def multiply(x: Any, mask: np.ndarray) -> Any:
    """x * mask elementwise for a CSR x and a dense mask (dropout on a sparse input), as CSR."""
    return type(x)(x.multiply(mask)).tocsr()


class RowGather:
    """Batches of rows of a CSR matrix, in any order, gathered into buffers reused from batch to
    batch (compiled; SciPy's row indexing without Numba)."""

    def __init__(self, X: Any):
        self.X = X
        self.indptr = np.empty(0, dtype=X.indptr.dtype)
        self.indices = np.empty(0, dtype=X.indices.dtype)
        self.data = np.empty(0, dtype=X.dtype)

    def __call__(self, idx: np.ndarray) -> Any:
        X = self.X
        if not csr.enabled():
            return X[idx]
        idx = idx.astype(np.int64, copy=False)     # the index type the kernel is compiled (and cached) for
        m = idx.shape[0]
        nnz = int(np.sum(X.indptr[idx + 1] - X.indptr[idx]))
        if self.indptr.shape[0] < m + 1:
            self.indptr = np.empty(m + 1, dtype=X.indptr.dtype)
        if self.data.shape[0] < nnz:
            self.indices = np.empty(nnz, dtype=X.indices.dtype)
            self.data = np.empty(nnz, dtype=X.dtype)
        csr.gather(X.indptr, X.indices, X.data, idx, self.indptr, self.indices, self.data)
        return type(X)((self.data[:nnz], self.indices[:nnz], self.indptr[:m + 1]), shape=(m, X.shape[1]), copy=False)
