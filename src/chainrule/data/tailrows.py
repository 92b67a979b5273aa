"""The last rows of a streamed file's inputs (its validation rows) as views: an array's, a memmap's or a CSR
matrix's, whose arrays mapped from a file are mapped again for those rows alone, never copied."""
from __future__ import annotations

from typing import Any

import numpy as np


def tail(X: Any, n: int) -> Any:
    """The last `n` rows of X (an array, a memmap or a CSR matrix) without copying them."""
    from ..nn.sparse import is_sparse
    m = X.shape[0]
    if not is_sparse(X):
        return X[m - n:]
    a, b = int(X.indptr[m - n]), int(X.indptr[m])
    return type(X)((_file_view(X.data, a, b), _file_view(X.indices, a, b), X.indptr[m - n:] - a),
                   shape=(n, X.shape[1]), copy=False)


def _file_view(arr: np.ndarray, a: int, b: int) -> np.ndarray:
    """arr[a:b]; for a 1-D array mapped from a file, a new mapping of those elements alone: SciPy
    copies a slice of a much larger array when it builds a matrix from it."""
    base: Any = arr
    while base is not None and not (isinstance(base, np.memmap) and getattr(base, "filename", None)):
        base = getattr(base, "base", None)
    if base is None or arr.ndim != 1 or not arr.flags.c_contiguous:
        return arr[a:b]
    start = base.offset + arr.__array_interface__["data"][0] - base.__array_interface__["data"][0]
    return np.memmap(str(base.filename), dtype=arr.dtype, mode="r", offset=start + a * arr.itemsize, shape=(b - a,))
