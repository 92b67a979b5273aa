"""The size of a table's encoded inputs, checked against the memory there is before they are built.

NumPy's own message ("Unable to allocate 16.0 GiB for an array with shape (900000, 2385)") says
neither which columns made the array that wide nor what to do. Here the size is estimated from
the preprocessing (rows x columns x bytes a value; for the CSR form, the stored values and their
column numbers), compared with the memory the system says is available, and an input that does
not fit is refused naming its widest columns and the ways out. A MemoryError that happens anyway
is given the same message.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import numpy as np

from .advice import give
from .csvfile import short
from .lines import plural

GIB = 2**30
#: the share of the available memory a chunk's inputs are advised to take (the reading and the network need the rest)
CHUNK_SHARE = 0.8

#: the option of a reader that builds the inputs a chunk at a time (predict's --chunk-rows), set by `chunked`
_CHUNKED: ContextVar[str | None] = ContextVar("chainrule_chunked_inputs", default=None)


@contextmanager
def chunked(option: str) -> Iterator[None]:
    """Inputs built a chunk at a time (`predict`, `evaluate`): the refusal's way out is fewer rows a chunk
    (`option`), not what a training could change (columns left out, the dtype, a stream), which the model fixes."""
    token = _CHUNKED.set(option)
    try:
        yield
    finally:
        _CHUNKED.reset(token)


def available_bytes() -> int | None:
    """Memory that can be allocated without swapping: psutil's `available` when installed, else
    the kernel's MemAvailable, else the free pages (os.sysconf); None when none can be read."""
    try:
        import psutil
        return int(psutil.virtual_memory().available)
    except ImportError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return None


def input_bytes(pre: Any, n: int, dtype: Any, sparse: bool) -> int:
    """Bytes of the inputs of `n` rows: a dense (n, n_features) array, or a CSR matrix with one
    stored value per numeric column and per text column a row (and the category codes on the way)."""
    itemsize = np.dtype(dtype).itemsize
    if not sparse:
        return n * pre.n_features * itemsize
    per_row = len(pre.numeric) + len(pre.text)
    index = 4 if max(n * per_row, pre.n_features) < 2**31 else 8
    return n * per_row * (itemsize + index) + (n + 1) * index + n * 8 * (len(pre.text) + 1)


def _gib(size: float) -> str:
    if size >= GIB / 10:
        return f"{size / GIB:.1f} GiB"
    return f"{size / 2**20:.1f} MiB" if size >= 2**20 / 10 else f"{int(size):,} {plural(int(size), 'byte')}"


def _rows(n: int) -> str:
    return f"{n:,} {plural(n, 'row')}"


def _chunk_way(pre: Any, n: int, dtype: Any, sparse: bool, available: int | None) -> str:
    """The chunk reader's way out for a chunk of `n` rows: the rows that fit in a share of the memory available
    (`CHUNK_SHARE`; half of `n` where memory ran out although the estimate fit, or none is known), or,
    when not one row does, to free memory."""
    row = input_bytes(pre, 1, dtype, sparse)
    fit = n // 2 if available is None or row * n <= available else int(available * CHUNK_SHARE) // row
    if fit == 0:
        return f"free memory: not even one row's inputs ({_gib(row)}) fit"
    return f"read fewer rows at a time ({_CHUNKED.get()} {fit})"


def _sparse_way(dense_why: tuple[str, ...]) -> str:
    """How to keep the one-hot columns sparse, from why encode built them dense: asked (sparse=False),
    SciPy's import failed (the only way a command builds them dense), or both (both ways needed)."""
    if dense_why == ("sparse=False",):
        return "keep the one-hot columns sparse (the default, sparse=True)"
    if dense_why == ("no SciPy",):
        return "install SciPy (pip install scipy), which keeps the one-hot columns sparse"
    return "keep the one-hot columns sparse: sparse=True (the default) and SciPy installed (pip install scipy)"


def message(pre: Any, n: int, dtype: Any, sparse: bool, available: int | None,
            dense_why: tuple[str, ...] = ()) -> str:
    """What needs the memory (its widest columns) and the ways out. `dense_why`: why one-hot columns are
    dense ("sparse=False" asked, "no SciPy": its import failed), as encode found it."""
    dtype = np.dtype(dtype)
    size = input_bytes(pre, n, dtype, sparse)
    have = f", and {_gib(available)} is available" if available is not None else ""
    if sparse:
        per_row = len(pre.numeric) + len(pre.text)
        shape = f"{_rows(n)} x {per_row:,} stored {plural(per_row, 'value')} a row (CSR) of {dtype.name}"
    else:
        shape = f"{_rows(n)} x {pre.n_features:,} {plural(pre.n_features, 'column')} of {dtype.name}"
    parts = []
    if pre.text and not sparse:
        wide = sorted(pre.text, key=lambda c: -len(pre.categories[c]))
        parts += [f"{short(c)} ({len(pre.categories[c]):,} one-hot {plural(len(pre.categories[c]), 'column')})"
                  for c in wide[:5]]
        if len(wide) > 5:
            parts.append(f"{len(wide) - 5} more text {plural(len(wide) - 5, 'column')}")
    if pre.numeric:
        parts.append(f"{len(pre.numeric):,} numeric {plural(len(pre.numeric), 'column')}")
    if pre.text and sparse:
        parts.append(f"{len(pre.text):,} text {plural(len(pre.text), 'column')} (one stored value a row each)")
    if _CHUNKED.get() is not None:
        return (f"the network's inputs need {_gib(size)} ({shape}){have}; the columns: {', '.join(parts)}. "
                f"To fit: {_chunk_way(pre, n, dtype, sparse, available)}")
    ways = [f"leave columns out ({give('drop column')})"]
    if pre.text and not sparse and dense_why:
        ways.insert(0, _sparse_way(dense_why))
        ways.append(f"keep fewer categories ({give('max categories')}, e.g. 50)")
    if dtype.itemsize > 4:
        ways.append(f"use float32, half the memory ({give('dtype', dtype='float32')})")
    if give("stream"):                                   # run_sweep reads no stream
        ways.append(f"keep the inputs on disk ({give('stream')})")
    ways[-1] = f"or {ways[-1]}" if len(ways) > 1 else ways[-1]
    return (f"the network's inputs need {_gib(size)} ({shape}){have}; the columns: {', '.join(parts)}. "
            f"To fit: {'; '.join(ways)}")


def check_fits(pre: Any, n: int, dtype: Any, sparse: bool, dense_why: tuple[str, ...] = ()) -> None:
    """Raise MemoryError (with `message`) when the inputs of `n` rows need more than is available."""
    available = available_bytes()
    if available is not None and input_bytes(pre, n, dtype, sparse) > available:
        raise MemoryError(message(pre, n, dtype, sparse, available, dense_why))
