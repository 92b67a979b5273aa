"""The file line of each data row of a CSV file, for messages that name it.

Row i of a plain file is on line i + 2 (the header is line 1); blank lines and quoted cells over
several lines move the rows after them down. `Lines` keeps only the places where a row is not on
the line after the previous row's, so its memory grows with those, not with the file.
"""
from __future__ import annotations

from typing import Any

import numpy as np


class Lines:
    """The first file line of each data row (0, 1, ...), built in order with `extend` (or
    `skipping`); called with row numbers, their lines. pandas copies a table's attrs with each
    new table: this is shared, never copied."""

    def __init__(self) -> None:
        self.starts: list[int] = []          # rows where the line is not the previous row's + 1 ...
        self.lines: list[int] = []           # ... and their lines
        self.n = 0
        self.next = -1

    def extend(self, lines: Any) -> None:
        """The next rows are on `lines`."""
        lines = np.asarray(lines, dtype=np.int64)
        if not lines.size:
            return
        jumps = np.flatnonzero(lines != np.concatenate(([self.next], lines[:-1] + 1)))
        self.starts += (jumps + self.n).tolist()
        self.lines += lines[jumps].tolist()
        self.n += int(lines.size)
        self.next = int(lines[-1]) + 1

    @classmethod
    def skipping(cls, first: int, blanks: Any) -> Lines:
        """Rows on every line from `first` on, except the blank lines `blanks` (in order)."""
        out = cls()
        blanks = np.asarray(blanks, dtype=np.int64)
        out.starts = [0, *(blanks - first - np.arange(blanks.size)).tolist()]
        out.lines = [first, *(blanks + 1).tolist()]
        return out

    def __call__(self, rows: Any) -> np.ndarray:
        rows = np.asarray(rows, dtype=np.int64)
        if not self.starts:
            return rows + 2
        at = np.maximum(np.searchsorted(np.asarray(self.starts), rows, side="right") - 1, 0)
        return rows - np.asarray(self.starts)[at] + np.asarray(self.lines)[at]

    def __deepcopy__(self, memo: dict) -> Lines:
        return self


def file_lines(table: Any, positions: Any) -> np.ndarray:
    """The file lines (the header is line 1) of the rows at `positions` of `table`, a DataFrame or
    Series read by `read_csv` or `iter_chunks` (a chunk's RangeIndex continues the file's rows):
    through its attrs' Lines when it has them, else row + 2."""
    import pandas as pd
    index = getattr(table, "index", None)
    rows = np.asarray(positions, dtype=np.int64)
    if isinstance(index, pd.RangeIndex) and index.step == 1:
        rows = rows + int(index.start)
    lines = getattr(table, "attrs", {}).get("lines")
    return lines(rows) if isinstance(lines, Lines) else rows + 2
