"""The second pass over a CSV file read in chunks: the network's inputs written to files on disk,
each row where training will read it.

Without text columns X is a float memmap (n_rows x n_features, in the network's dtype). With
text columns it is a CSR matrix whose three arrays are memmaps, and every row stores the same
number of values, one per numeric column and one per text column: the 1 of its category, or an
explicit 0 where the value is a category left out by --max-categories ('other', all zeros), so
that each row's place in the files is known before the rows are read in shuffled order. A stored
0 adds exactly nothing to X @ W and to X.T @ delta: the products are the ones of the CSR matrix
that `Preprocessing.transform` builds in memory.
"""
from __future__ import annotations

import os
import shutil
from typing import Any

import numpy as np

from ..backend.pages import Pages, scratch
from ..errors import ValidationError
from .csvfile import short
from .encode import INT32_MAX, fill_grid, numeric_column, text_codes, warn_unseen
from .lines import plural
from .numericblock import numeric_values
from .progress import Progress
from .tabular import UnseenCategoryWarning


def _order(rows: np.ndarray | None, n: int) -> np.ndarray | None:
    """Where each file row goes: inv[r] = i for rows[i] = r (rows: a permutation of the file's rows)."""
    if rows is None:
        return None
    rows = np.asarray(rows)
    if rows.shape != (n,) or rows.dtype.kind not in "iu":
        raise ValidationError(f"rows must be an order of the file's {n} {plural(n, 'row')} (a permutation of "
                              f"0..{n - 1}); got shape {rows.shape} of {rows.dtype}")
    index = np.int32 if n <= INT32_MAX else np.int64      # 4 bytes a row where that holds the positions
    inv: np.ndarray = np.full(n, -1, dtype=index)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        at = int(np.flatnonzero((rows < 0) | (rows >= n))[0])
        raise ValidationError(f"rows must be row positions 0..{n - 1} of the file; got {int(rows[at])} at index {at}")
    step = 1 << 20
    for a in range(0, n, step):                           # no whole-length temporary
        inv[rows[a:a + step]] = np.arange(a, min(a + step, n), dtype=index)
    if (inv < 0).any():
        gap = int(np.flatnonzero(inv < 0)[0])
        raise ValidationError(f"rows must name each row of the file once (a permutation of 0..{n - 1}); row {gap} is "
                              "not among them, so another is given twice")
    return inv


def _space(folder: str, need: int) -> None:
    free = shutil.disk_usage(folder).free
    if need > free:
        raise ValidationError(f"the encoded data needs {need / 2**30:.1f} GiB on disk and {short(folder, 200)} has "
                              f"{free / 2**30:.1f} GiB free: set TMPDIR (or the folder) to a disk with more room")


def fixed_width(pre: Any, df: Any, dtype: np.dtype, index: type,
                unseen: dict[str, set] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(values, column indices), each n_rows x (numeric + text columns): the rows of the CSR matrix
    (`encode.fill_grid`: a left-out category is an explicit 0)."""
    w = len(pre.numeric) + len(pre.text)
    values = np.empty((len(df), w), dtype=dtype)
    cols: np.ndarray = np.empty((len(df), w), dtype=index)
    codes_all = [text_codes(pre, df, c, UnseenCategoryWarning, unseen, none_missing=False) for c in pre.text]
    fill_grid(pre, df, None, codes_all, values, cols)
    return values, cols


def dense(pre: Any, df: Any, dtype: np.dtype, unseen: dict[str, set] | None = None) -> np.ndarray:
    """The rows as a dense array (one-hot columns included when SciPy is missing)."""
    X = np.zeros((len(df), pre.n_features), dtype=dtype)
    for j, values in enumerate(numeric_values(pre, df, dtype, None, lambda c, j: numeric_column(pre, df, c, dtype, j))):
        X[:, j] = values                          # a block at a time: a wide file's chunks read as a table's
    offset = len(pre.numeric)
    for c in pre.text:
        codes = text_codes(pre, df, c, UnseenCategoryWarning, unseen, none_missing=False)
        seen = np.flatnonzero(codes >= 0)
        X[seen, offset + codes[seen]] = 1
        offset += len(pre.categories[c])
    return X


def encode_csv(stream: Any, pre: Any, rows: np.ndarray | None, dtype: np.dtype, folder: str,
               unseen_in: str = "") -> tuple[Any, np.ndarray]:
    """(X on disk, y in memory) for the file of `stream`, row i from the file's row rows[i] (`unseen_in`: the rows
    the warning of values unseen in training names); `dtype` float64 or float32, as `checks.as_dtype` gives."""
    n = stream.n_rows
    inv = _order(rows, n)
    sparse = bool(pre.text)
    if sparse:
        try:
            import scipy.sparse as sp
        except ImportError:          # without SciPy the one-hot columns are dense (more disk, same numbers)
            sparse = False
    width = len(pre.numeric) + len(pre.text) if sparse else pre.n_features
    index = np.int32 if max(n * width, pre.n_features) <= INT32_MAX else np.int64
    item = dtype.itemsize + (np.dtype(index).itemsize if sparse else 0)
    _space(folder, n * width * item + (n + 1) * np.dtype(index).itemsize)
    shape = (n, width)
    path = {name: os.path.join(folder, name + ".bin") for name in ("X", "indices", "indptr")}
    X = np.memmap(path["X"], dtype=dtype, mode="w+", shape=shape)
    cols = np.memmap(path["indices"], dtype=index, mode="w+", shape=shape) if sparse else None
    # class codes in the smallest integer type (1 byte a row up to 127 classes): fit keeps them so
    # (in a temporary file, as X: read per batch, they cost no memory a row)
    y = scratch(n, np.int8 if len(pre.classes or ()) <= 127 else np.int32) \
        if pre.task == "classification" else scratch(n, np.float64).reshape(n, 1)
    what = f"encoding {short(str(stream.path), 200)} (pass 2 of 2: the inputs, on disk)"
    # the pages written are handed back as the file grows (often when it is written in order)
    written = Pages(X, cols, y, in_order=inv is None)
    row_bytes = width * item
    unseen: dict[str, set] = {}           # values unseen in the training rows: one warning a column, at the end
    with Progress(what, total=n, unit="rows") as progress:
        for chunk, line0 in stream.chunks():
            a = line0 - 2
            dest: Any = slice(a, a + len(chunk)) if inv is None else inv[a:a + len(chunk)]
            y[dest] = pre.encode_target(chunk)
            if cols is not None:
                X[dest], cols[dest] = fixed_width(pre, chunk, dtype, index, unseen)
            else:
                X[dest] = dense(pre, chunk, dtype, unseen)
            written.touched(len(chunk), row_bytes, inv is None)
            progress.update(a + len(chunk))
    written.release()
    del written
    warn_unseen(pre, unseen, unseen_in)
    X.flush()
    X = np.memmap(path["X"], dtype=dtype, mode="r", shape=shape)
    if cols is None:
        return X, y
    cols.flush()
    indices = np.memmap(path["indices"], dtype=index, mode="r", shape=(n * width,))
    del cols
    indptr = np.memmap(path["indptr"], dtype=index, mode="w+", shape=(n + 1,))
    for a in range(0, n + 1, 1 << 20):
        indptr[a:a + (1 << 20)] = np.arange(a, min(a + (1 << 20), n + 1), dtype=np.int64) * width
    indptr.flush()
    indptr = np.memmap(path["indptr"], dtype=index, mode="r", shape=(n + 1,))
    return sp.csr_matrix((X.reshape(-1), indices, indptr), shape=(n, pre.n_features), copy=False), y
