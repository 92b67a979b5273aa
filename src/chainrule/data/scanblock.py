"""The first pass over a chunk (`stream.CsvStream.fit`), its numeric columns many at a time: a column read alone
costs pandas a Series, an isna and a to_numpy, and NumPy a dozen small calls, so that a file of 2,000 columns spent
most of its first pass there, again for each chunk. The chunk's columns of NumPy numbers are read as one float64
array, each column contiguous in it (its sums are those of the column read alone, to the last bit), their gaps,
ranges and whole numbers found for all at once; each `ColumnScan` then takes its own. A column whose values are
counted (the target, a --text column), typed otherwise (text, booleans), or holding an infinite value (for its
message) is read alone, and every column in the order given (the same column is named first)."""
from __future__ import annotations

from typing import Any

import numpy as np

from .scan import ColumnScan, whole_kind

#: values read at a time (rows x a group of columns): a few tens of MB, whatever the width
BLOCK_VALUES = 1 << 22


def scan_chunk(chunk: Any, scans: list[ColumnScan], line0: int, train: np.ndarray | None,
               weight: np.ndarray | None) -> None:
    """`scan.update(chunk[scan.name], line0, train, weight, its field)` for each of `scans`, in order."""
    where: dict[str, int] = {}
    for i, c in enumerate(chunk.columns):             # a cell's field, quoted as written (the first of a name)
        where.setdefault(c, i)
    kinds = dict(zip(chunk.columns, chunk.dtypes))     # (a Series looked up per column costs more than its sums)
    plain = [s for s in scans if not s.count_values and isinstance(kinds[s.name], np.dtype)
             and kinds[s.name].kind in "iuf"] if len(chunk) else []     # (no row: no value, read alone)
    group = max(1, BLOCK_VALUES // max(len(chunk), 1))
    done: set[int] = set()
    for g in range(0, len(plain), group):
        _block(chunk, plain[g:g + group], [kinds[s.name] for s in plain[g:g + group]], line0, train, weight, done)
    for scan in scans:
        if id(scan) not in done:
            scan.update(chunk[scan.name], line0, train, weight, where[scan.name])


def _block(chunk: Any, scans: list[ColumnScan], dtypes: list[np.dtype], line0: int, train: np.ndarray | None,
           weight: np.ndarray | None, done: set[int]) -> None:
    """The columns of `scans` (of `dtypes`) read as one array, each added to its scan (put in `done`), but for those
    that raise (an infinite value, numbers after chunks of text): left to be read alone, in their order."""
    values = np.asfortranarray(chunk[[s.name for s in scans]].to_numpy(dtype=np.float64, na_value=np.nan))
    missing = np.isnan(values)
    gaps = missing.sum(axis=0).tolist()
    infinite = np.isinf(values).any(axis=0).tolist()
    with np.errstate(invalid="ignore"):
        lo = np.fmin.reduce(values, axis=0).tolist()      # (NaN ignored: the values present)
        hi = np.fmax.reduce(values, axis=0).tolist()
        integral = ((np.floor(values) == values) | missing).all(axis=0).tolist()    # (np.mod: ten times slower)
    n = len(chunk)
    for j, scan in enumerate(scans):
        kind = "float" if dtypes[j].kind == "f" else "int"
        if gaps[j] < n and (infinite[j] or whole_kind(scan.kinds | {kind}) is None):
            continue
        done.add(id(scan))
        scan.gaps(chunk, missing[:, j], gaps[j], line0, train, weight)
        if gaps[j] < n:                                   # (no value: a chunk of no type, as `chunk_kind` says)
            scan.typed(kind)
            scan.numbers(values[:, j], missing[:, j], gaps[j], train, weight, lo[j], hi[j], integral[j])
