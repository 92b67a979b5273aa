"""Inputs larger than memory: a NumPy memmap, or any array-like with `shape`, `dtype` and row
indexing (an HDF5 or Zarr dataset), read one batch at a time.

`fit` never converts or checks such an X whole: each batch is gathered from it, converted to the
network's dtype (a float32 file for a float64 network is converted per batch, not copied whole),
and checked for NaN and infinity. The targets Y (n_samples x n_outputs, small beside X) are
checked in memory as usual. Validation data of this kind is evaluated in chunks.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn.sparse import is_sparse


def out_of_core(X: Any) -> bool:
    """True for inputs that `fit` reads batch by batch instead of converting whole."""
    if isinstance(X, np.memmap):
        return True
    if is_sparse(X):
        return False                 # a SciPy sparse matrix: checked in memory, batches gathered (sparse_rows.py)
    if isinstance(X, np.ndarray) or hasattr(X, "iloc") or not all(
            hasattr(X, a) for a in ("shape", "dtype", "__getitem__")):
        return False                 # arrays, lists, pandas: converted in memory as before
    try:
        np.dtype(X.dtype)            # a NumPy dtype (h5py, zarr), not e.g. a torch dtype
    except TypeError:
        return False
    return True


class LazyRows:
    """Rows [start, stop) of an out-of-core array, read and converted to `dtype` per batch."""

    def __init__(self, source: Any, dtype: np.dtype, start: int = 0, stop: int | None = None):
        self.source, self.dtype = source, np.dtype(dtype)
        self.start = start
        self.stop = source.shape[0] if stop is None else stop

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stop - self.start, int(self.source.shape[1]))

    def __getitem__(self, key: slice) -> LazyRows:
        """A range of rows, still unread (validation_split takes the last rows this way)."""
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ChainruleTypeError("out-of-core X can be cut by contiguous slices only")
        a, b, _ = key.indices(self.shape[0])
        return LazyRows(self.source, self.dtype, self.start + a, self.start + max(a, b))

    def read(self, idx: slice | np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Rows `idx` (a slice, or indices in any order) as a checked array of `dtype`."""
        src = self.source
        if isinstance(idx, slice):
            a, b, _ = idx.indices(self.shape[0])
            block = np.asarray(src[self.start + a:self.start + b])
            rows = np.arange(a, b)
        else:
            rows = np.asarray(idx)
            if isinstance(src, np.ndarray):                 # memmap: gather rows in the given order
                block = np.take(src, rows + self.start, axis=0)
            else:                                           # h5py and the like want increasing indices
                order = np.argsort(rows, kind="stable")
                got = np.asarray(src[rows[order] + self.start])
                block = np.empty_like(got)
                block[order] = got
        if out is None:
            out = np.empty(block.shape, dtype=self.dtype)
        with np.errstate(over="ignore", invalid="ignore"):
            out[...] = block                                # the conversion of this batch only
        if not np.isfinite(np.add.reduce(out, axis=None)):
            r, c = np.argwhere(~np.isfinite(out))[0]
            raise ValidationError(f"X contains NaN or infinity (row {self.start + int(rows[r])}, column {int(c)})")
        return out


def check_data(net: Any, X: Any, Y: Any) -> tuple[Any, np.ndarray]:
    """`net.check_data`, except that an out-of-core X is checked by its shape and dtype only."""
    if isinstance(X, LazyRows):          # already checked (the rows that validation_split held out)
        return X, net.targets(Y)
    if is_sparse(X):
        from .sparse_rows import SparseRows
        X, Y = net.check_data(X, Y)
        return SparseRows(X, net.dtype), Y
    if not out_of_core(X):
        return net.check_data(X, Y)
    shape, dtype = tuple(X.shape), np.dtype(X.dtype)
    if len(shape) != 2:
        raise ValidationError(f"X must be 2-D (n_samples, n_features); got shape {shape}")
    if dtype.kind not in "biuf":
        raise ChainruleTypeError(f"X must hold real numbers; got dtype {dtype}")
    if shape[0] == 0:
        raise ValidationError(f"X is empty: expected at least one sample, got shape {shape}")
    if shape[1] != net.n_inputs:
        raise ValidationError(f"X has {shape[1]} features per sample; the network expects {net.n_inputs}")
    Y = net.targets(Y)
    if Y.shape[0] != shape[0]:
        raise ValidationError(f"X and Y have different numbers of samples: {shape[0]} and {Y.shape[0]}")
    return LazyRows(X, net.dtype), Y


def evaluate(net: Any, X: LazyRows, Y: np.ndarray, chunk: int = 1024) -> dict[str, float]:
    """`net.evaluate_checked` over chunks of rows: the mean loss and accuracy of the whole set."""
    n = X.shape[0]
    loss, correct = 0.0, 0.0
    for a in range(0, n, chunk):
        out = net.run_forward(X.read(slice(a, a + chunk)))
        yb = Y[a:a + chunk]
        loss += net.loss_value(out, yb) * out.shape[0]
        correct += net.n_correct(out, yb) or 0.0
    result = {"loss": loss / n}
    if net.task != "regression":
        result["accuracy"] = correct / n
    return result
