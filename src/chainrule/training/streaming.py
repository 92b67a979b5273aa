"""Inputs larger than memory: a NumPy memmap, or any array-like with `shape`, `dtype` and row
indexing (an HDF5 or Zarr dataset), read one batch at a time.

`fit` never converts or checks such an X whole: each batch is gathered from it, converted to the
network's dtype (a float32 file for a float64 network is converted per batch, not copied whole),
and checked for NaN and infinity. The targets Y are checked in memory; class labels stay labels
(`OneHotRows`: 1 byte a row for up to 127 classes, not n_classes x 8), made one-hot per batch.
Validation data of this kind is evaluated in chunks.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..backend.pages import FileReader, Pages, reader
from ..errors import ChainruleTypeError, ValidationError
from ..nn import checks as check
from ..nn.checks import out_of_core
from ..nn.numeric import whole_file
from ..nn.sparse import is_sparse
from ..nn.target_checks import class_codes, given_as_labels, text_targets


class LazyRows:
    """Rows [start, stop) of an out-of-core array, read and converted to `dtype` per batch."""

    def __init__(self, source: Any, dtype: np.dtype, start: int = 0, stop: int | None = None):
        self.source, self.dtype = source, np.dtype(dtype)
        self.start = start
        self.stop = source.shape[0] if stop is None else stop
        self._pages: Pages | None = None
        self._files: list[FileReader] | None | bool = False       # not looked for yet

    def pages(self) -> Pages:
        """The pages of a file-mapped source this reader holds, handed back as it reads (backend.pages)."""
        if self._pages is None:
            self._pages = Pages(self.source)
        return self._pages

    def files(self, *arrays: Any) -> list[FileReader] | None:
        """Readers of the source's files where shuffled rows are read without mapping them (a file
        larger than the budget of mapped pages: `backend.pages.reader`)."""
        if self._files is False:
            self._files = reader(*arrays)
        return self._files if isinstance(self._files, list) else None

    @property
    def shape(self) -> tuple[int, int]:
        return (self.stop - self.start, int(self.source.shape[1]))

    def __getitem__(self, key: slice) -> LazyRows:
        """A range of rows, still unread (validation_split takes the last rows this way)."""
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ChainruleTypeError("out-of-core X can be cut by contiguous slices only")
        a, b, _ = key.indices(self.shape[0])
        part = LazyRows(self.source, self.dtype, self.start + a, self.start + max(a, b))
        part._pages = self.pages()           # one budget for the parts of one file
        return part

    def read(self, idx: slice | np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """Rows `idx` (a slice, or indices in any order) as a checked array of `dtype`."""
        src, pages = self.source, self.pages()
        if scattered(idx, pages):
            return self.pieces(np.asarray(idx), out)
        if isinstance(idx, slice):
            a, b, _ = idx.indices(self.shape[0])
            block = np.asarray(src[self.start + a:self.start + b])
            rows = np.arange(a, b)
        else:
            rows = np.asarray(idx)
            files = self.files(src) if isinstance(src, np.ndarray) and src.ndim == 2 else None
            if files is not None:                           # a large file: rows read, not mapped
                block = np.empty((rows.shape[0], src.shape[1]), dtype=src.dtype)
                size = src.shape[1] * src.itemsize
                files[0].spans((rows.astype(np.int64) + self.start) * size, np.full(rows.shape[0], size), block)
            elif isinstance(src, np.ndarray):               # memmap: gather rows in the given order
                block = np.take(src, rows + self.start, axis=0)
            else:                                           # h5py and the like want increasing indices
                order = np.argsort(rows, kind="stable")
                got = np.asarray(src[rows[order] + self.start])
                block = np.empty_like(got)
                block[order] = got
        pages.touched(block.shape[0], block.shape[1] * block.itemsize, isinstance(idx, slice))
        if out is None:
            out = np.empty(block.shape, dtype=self.dtype)
        return check.converted(block, self.dtype, out, rows=rows + self.start)     # this batch only

    def pieces(self, rows: np.ndarray, out: np.ndarray | None) -> Any:
        """Rows in shuffled order from a file, a few hundred at a time: one random row can map a
        large part of a page-cache folio, so each read maps little before its pages are handed back."""
        parts = []
        for a in range(0, rows.shape[0], SCATTERED):
            part = self.read(rows[a:a + SCATTERED], None if out is None else out[a:a + SCATTERED])
            parts.append(part.copy() if out is None and not isinstance(part, np.ndarray) else part)
        if out is not None:
            return out
        if isinstance(parts[0], np.ndarray):
            return np.concatenate(parts)
        import scipy.sparse as sp  # a sparse X exists: SciPy is there
        return sp.vstack(parts, format="csr")


SCATTERED = 256          # rows in shuffled order read from a file at once


def scattered(idx: Any, pages: Pages) -> bool:
    """Whether `idx` asks for more rows in any order than one read of a file-mapped source takes."""
    return not isinstance(idx, slice) and len(idx) > SCATTERED and bool(pages)


class Subset(LazyRows):
    """The rows `rows` (an index array, in that order) of out-of-core or sparse data: training
    and validation parts of a file written in its own order, with nothing copied but indices."""

    def __init__(self, inner: LazyRows, rows: np.ndarray):
        self.inner, self.rows, self.dtype = inner, np.asarray(rows), inner.dtype
        self.source, self.start, self.stop = inner.source, 0, len(self.rows)
        inner.pages().adopt(rows)            # rows in a file (`backend.pages.scratch`): read along with the data

    def pages(self) -> Pages:
        return self.inner.pages()

    @property
    def shape(self) -> tuple[int, int]:
        return (len(self.rows), self.inner.shape[1])

    def __getitem__(self, key: slice) -> Subset:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise ChainruleTypeError("out-of-core X can be cut by contiguous slices only")
        return Subset(self.inner, self.rows[key])

    def read(self, idx: slice | np.ndarray, out: np.ndarray | None = None) -> Any:
        return self.inner.read(np.asarray(self.rows[idx]), out)


class OneHotRows:
    """The one-hot targets of class labels, kept as the labels: reads give one-hot rows of `dtype`
    (`Y[rows]`, `np.take(Y, idx, axis=0, out=buffer)`), `argmax(axis=1)` the labels themselves,
    and `part(a, b)` a range of rows without copying (validation_split)."""

    ndim = 2

    def __init__(self, codes: np.ndarray, k: int, dtype: np.dtype):
        self.codes, self.k, self.dtype = codes, k, np.dtype(dtype)
        self._labels64: np.ndarray | None = None

    def labels64(self) -> np.ndarray:
        """The labels as int64, the compiled loop's type: made once (8 bytes a row while it trains)."""
        if self._labels64 is None:
            self._labels64 = self.codes.astype(np.int64)
        return self._labels64

    @property
    def shape(self) -> tuple[int, int]:
        return (self.codes.shape[0], self.k)

    def __len__(self) -> int:
        return self.codes.shape[0]

    def part(self, a: int | None, b: int | None) -> OneHotRows:
        return OneHotRows(self.codes[a:b], self.k, self.dtype)

    def take(self, indices: Any, axis: int = 0, out: np.ndarray | None = None, mode: Any = "raise") -> np.ndarray:
        codes = self.codes.take(indices, mode=mode)
        if out is None:
            out = np.empty((codes.shape[0], self.k), dtype=self.dtype)
        out.fill(0)
        out[np.arange(codes.shape[0]), codes] = 1
        return out

    def __getitem__(self, key: Any) -> np.ndarray:
        if isinstance(key, slice):
            return self.take(np.arange(*key.indices(len(self))))
        return self.take(np.asarray(key))

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        out = self.take(np.arange(len(self)))
        return out if dtype is None else out.astype(dtype)

    def argmax(self, axis: int = 1) -> np.ndarray:
        if axis != 1:
            raise ChainruleTypeError("OneHotRows.argmax is over classes (axis=1) only")
        return self.codes


def targets(net: Any, Y: Any) -> Any:
    """`net.targets(Y)`, except that the class labels of a multiclass network stay labels
    (`OneHotRows`): the targets of data read batch by batch then cost 1-4 bytes a row."""
    if isinstance(Y, OneHotRows):
        return Y
    if net.task == "multiclass" and net.n_outputs > 1:
        arr = check.to_numeric(Y, "Y", text_hint=text_targets(net.task))
        if given_as_labels(arr.shape, net.n_outputs):
            if arr.shape[0] == 0:
                raise ValidationError("Y is empty: expected at least one sample")
            return OneHotRows(class_codes(arr.reshape(-1), net.n_outputs), net.n_outputs, net.dtype)
    return net.targets(Y)


def head_tail(Y: Any, n: int) -> tuple[Any, Any]:
    """(Y without its last n rows, its last n rows): views, for arrays and `OneHotRows` alike."""
    if isinstance(Y, OneHotRows):
        return Y.part(None, -n), Y.part(-n, None)
    return Y[:-n], Y[-n:]


def check_data(net: Any, X: Any, Y: Any) -> tuple[Any, Any]:
    """`net.check_data`, except that an out-of-core or sparse X is checked as `check_inputs` does
    and class labels for it stay labels (`targets`)."""
    if not isinstance(X, LazyRows) and not is_sparse(X) and not out_of_core(X):
        return net.check_data(X, Y)
    X = check_inputs(net, X)
    check.one_sample_row(X.shape[0], Y, net.n_outputs)
    Y = targets(net, Y)
    check.same_length(X, Y)
    return X, Y


def check_inputs(net: Any, X: Any) -> LazyRows:
    """An out-of-core X checked by its shape and dtype (its values batch by batch, as they are
    read), a sparse one whole (`nn.sparse.check`); either as the rows `fit` reads."""
    if isinstance(X, LazyRows):          # already checked (the rows that validation_split held out)
        if X.shape[1] != net.n_inputs:
            raise ValidationError(f"X has {X.shape[1]} features per sample; the network expects {net.n_inputs}")
        return X
    if is_sparse(X):
        for part in ("data", "indices", "indptr", "row", "col"):   # CSR/CSC's arrays, COO's (LIL, DOK: none)
            whole_file(getattr(X, part, None), "X")
        from .sparse_rows import SparseRows
        return SparseRows(check.as_2d_array(X, "X", net.dtype, net.n_inputs), net.dtype)
    shape, dtype = tuple(X.shape), np.dtype(X.dtype)
    if len(shape) != 2:
        raise check.not_2d("X", shape, net.n_inputs, X)
    if dtype.kind not in "biuf":
        raise ChainruleTypeError(f"X must hold real numbers; got dtype {dtype}")
    if shape[0] == 0:
        raise ValidationError(f"X is empty: expected at least one sample, got shape {shape}")
    if shape[1] != net.n_inputs:
        raise ValidationError(f"X has {shape[1]} features per sample; the network expects {net.n_inputs}")
    whole_file(X, "X")
    return LazyRows(X, net.dtype)


def validation(net: Any, X: Any, Y: Any, w: Any = None, chunk: int | None = None,
               mean: bool = False) -> dict[str, float]:
    """fit's validation: `Network.evaluate`'s loss and accuracy of the set (weighted by `w`, `mean`: by the
    weights' sum), never refused (`evaluation.evaluate(finite=False)`): an array in chunks of `chunk` rows (default
    CHUNK), a `LazyRows` (Y an array or `OneHotRows`, one-hot a chunk at a time) of 1,024 rows."""
    from ..nn.evaluation import measure
    from ..nn.network import CHUNK
    lazy = isinstance(X, LazyRows)
    size = chunk if chunk is not None else 1024 if lazy else CHUNK
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return measure(net, X, Y, w, size, mean, read=(lambda X, a, b: X.read(slice(a, b))) if lazy else None)


def validation_logs(trainer: Any) -> dict[str, float]:
    """fit's validation results as the epoch's logs name them (before val_). Keras 3's fit evaluates its validation
    set with its own callbacks: where one defines on_test_begin, on_test_batch_begin/_end (logs: the results of the
    rows so far; batches of validation_batch_size, else batch_size, or the sequence's own) or on_test_end (logs:
    the results), evaluate's `StageHooks` calls them, each batch measured between its hooks; a hook's
    stop_evaluating ends the pass, the results then those of the rows before (Keras'; under MPI every rank takes
    the fewest rows any rank's hooks left)."""
    from ..nn.evaluation import Running
    from ..nn.stage_hooks import StageHooks
    net, mean, chunk = trainer.net, trainer.mean, trainer.validation_chunk
    hooks = StageHooks(net, trainer.callbacks, "test")

    X, Y = trainer.validation_data

    def named(result: dict[str, float]) -> dict[str, float]:
        once = result.pop("accuracy_once", None)        # a sequence's own weights: counted whatever fit's
        once = (once if trainer.metrics.needs_plain else None) if Y is None else trainer.validate_once(once)
        return dict(trainer.metrics.named(result, once))
    if Y is None:                               # a sequence of batches: its own batches
        from .sequence import validate_batches
        return named(validate_batches(trainer, X, hooks if hooks else None, named))
    n, w = X.shape[0], trainer.validation_weight

    def whole() -> dict[str, float]:
        return named(trainer.validate())
    batch, ended = Running(net, X, Y, w, 0, mean, lambda X, Y, w: validation(net, X, Y, w, chunk, mean)).logged(
        named, whole)                 # one pass, as evaluate's: the results the last batch's logs

    def results(done: int) -> dict[str, float]:
        if not getattr(trainer, "test_hooks", False):
            return ended(done)
        least = np.array([-float(done)])            # MPI, some rank's hooks may stop: every rank alike
        trainer.allreduce(least, maximum=True)
        done = int(-least[0])
        return whole() if done == n else ended(done)      # all rows: the ranks' shards measured together
    return hooks.run(n, chunk or trainer.batch_size, batch, results) if hooks else results(n)
