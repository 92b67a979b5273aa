"""A sparse (CSR) X in the fit loop: batches gathered by row index into reused buffers.

`fit` reads a CSR matrix the way it reads an out-of-core array (`streaming.LazyRows`): the
validation split is a range of rows (no copy), shuffling permutes indices, and each batch is
gathered from the matrix when it is trained on; the first Dense layer multiplies the sparse batch
itself (`nn.sparse`). Where the compiled loop applies (`compiled.py`) it reads the rows straight
from the matrix's arrays instead, in the same order (the same numbers to rounding, 1e-12).
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ChainruleTypeError
from ..nn.sparse import RowGather, rows
from .streaming import LazyRows, scattered

PREFIX_ROWS = 1 << 16        # rows scanned at a time by `SparseRows.dense_prefix`


class SparseRows(LazyRows):
    """Rows [start, stop) of a checked CSR matrix (of the network's dtype)."""

    def __init__(self, source: Any, dtype: np.dtype, start: int = 0, stop: int | None = None):
        super().__init__(source, dtype, start, stop)
        self._gather = RowGather(source)
        self._loop_arrays: tuple | None = None
        self._prefix: int | None = None

    def loop_arrays(self) -> tuple | None:
        """(row pointers as int64, columns, values) of these rows for the compiled loop, the
        pointers made once per fit; None where the loop would need a copy of the columns or values
        (int64 columns: more than 2**31 values) or a signature of its own (strided or read-only
        arrays): such a matrix trains on the NumPy loop."""
        X = self.source
        ok = X.indices.dtype == np.int32 and X.data.dtype == self.dtype and all(
            a.flags.c_contiguous and a.flags.writeable for a in (X.indices, X.data))
        if not ok:
            return None
        if self._loop_arrays is None:
            self._loop_arrays = (np.asarray(X.indptr[self.start:self.stop + 1], dtype=np.int64), X.indices, X.data)
        return self._loop_arrays

    def dense_prefix(self) -> int:
        """How many leading columns (0, 1, ...) at least half of these rows store, each: the numeric
        block of a table (an encoded one stores every value; scikit-learn's ColumnTransformer drops
        the exact zeros a mean-imputed gap scales to). The compiled loop multiplies that block with
        BLAS (`backend.csr`: any width gives the same numbers, to rounding; this one is the fast
        one). Found once per fit from the columns' counts, a block of rows at a time."""
        if self._prefix is None:
            arrays = self.loop_arrays()
            assert arrays is not None, "dense_prefix is for rows the compiled loop reads"
            indptr, indices, _ = arrays
            pages, n, width = self.pages(), indptr.shape[0] - 1, self.shape[1]
            counts = np.zeros(width, dtype=np.int64)
            for a in range(0, n, PREFIX_ROWS):
                b = min(a + PREFIX_ROWS, n)
                counts += np.bincount(indices[indptr[a]:indptr[b]], minlength=width)[:width]
                # a mapped file's pages are handed back as they are read
                pages.touched(int(indptr[b] - indptr[a]), indices.itemsize, contiguous=True)
            sparse = np.flatnonzero(2 * counts < n)
            self._prefix = int(sparse[0]) if sparse.size else width
        return self._prefix

    def __getitem__(self, key: slice) -> SparseRows:
        """A range of rows, sharing the matrix (validation_split takes the last rows this way)."""
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ChainruleTypeError("a sparse X is cut here by contiguous slices only")
        a, b, _ = key.indices(self.shape[0])
        part = SparseRows(self.source, self.dtype, self.start + a, self.start + max(a, b))
        part._pages = self.pages()           # one budget for the parts of one file
        return part

    def read(self, idx: slice | np.ndarray, out: np.ndarray | None = None) -> Any:
        """Rows `idx` (a slice, or indices in any order) as a CSR batch; `out` is not used (the
        values are already checked and of the network's dtype)."""
        X, pages = self.source, self.pages()
        if scattered(idx, pages):
            return self.pieces(np.asarray(idx), None)
        if isinstance(idx, slice):
            a, b, _ = idx.indices(self.shape[0])
            batch = rows(X, self.start + a, self.start + max(a, b))
        else:
            idx = np.asarray(idx)
            files = self.files(X.data, X.indices)
            batch = self._gather(idx + self.start if self.start else idx) if files is None else \
                read_rows(X, idx.astype(np.int64) + self.start, files)
        if pages:                            # a row is read from two arrays (values, columns): two reads
            row_bytes = (X.data.itemsize + X.indices.itemsize) * X.nnz // max(X.shape[0], 1)
            pages.touched(2 * batch.shape[0], row_bytes // 2 + 1, isinstance(idx, slice))
        return batch


def read_rows(X: Any, rows: np.ndarray, files: list) -> Any:
    """Rows `rows` of a CSR matrix whose values and columns are read from their files (preadv), not
    mapped: the batch `RowGather` would give, for a file larger than the budget of mapped pages."""
    a = np.asarray(X.indptr[rows], dtype=np.int64)
    sizes = np.asarray(X.indptr[rows + 1], dtype=np.int64) - a
    indptr = np.zeros(rows.shape[0] + 1, dtype=X.indptr.dtype)
    np.cumsum(sizes, out=indptr[1:])
    data = np.empty(int(indptr[-1]), dtype=X.data.dtype)
    indices = np.empty(int(indptr[-1]), dtype=X.indices.dtype)
    files[0].spans(a * data.itemsize, sizes * data.itemsize, data)
    files[1].spans(a * indices.itemsize, sizes * indices.itemsize, indices)
    return type(X)((data, indices, indptr), shape=(rows.shape[0], X.shape[1]), copy=False)
