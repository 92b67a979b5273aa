"""The file line of each data row of a CSV file, for messages that name it.

Row i of a plain file is on line i + 2 (the header is line 1); blank lines and quoted cells over
several lines move the rows after them down. `Lines` keeps only the places where a row is not on
the line after the previous row's, so its memory grows with those, not with the file.
"""
from __future__ import annotations

import csv
import io
import itertools
from typing import Any

import numpy as np

from ..errors import label
from ..errors import plural as plural  # the messages' plurals, kept here for the data readers


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


def on_lines(numbers: Any, total: int | None = None) -> str:
    """'on line 3', 'on lines 3 and 5', 'on lines 3, 5 and 9': file lines as every message names them, in
    ascending order as a reader of the file looks for them (a shuffled table's rows come in another);
    `total`, the count when `numbers` are only the first few, adds 'and 4 more'."""
    shown = [str(n) for n in sorted(int(n) for n in numbers)]
    return f"on {plural(max(len(shown), total or 0), 'line')} {listed(shown, total)}"


def listed(items: list[str], total: int | None = None) -> str:
    """'3', '3 and 5', '3, 5 and 9', '3, 5 and 4 more' (`total`: the count when `items` are only the first few)."""
    shown = list(items)
    more = (len(shown) if total is None else int(total)) - len(shown)
    if more > 0:
        shown.append(f"{more} more")
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


def missing_values(n: int) -> str:
    """'a missing value' or 'missing values' (`n` of them), before `on_lines`' 'on line 3'."""
    return plural(n, "a missing value", "missing values")


def file_lines(table: Any, positions: Any) -> np.ndarray:
    """The file lines (the header is line 1) of the rows at `positions` of `table`, a DataFrame or
    Series read by `read_csv` or `iter_chunks` (a chunk's RangeIndex continues the file's rows), or one
    made from it (reordered, filtered: its labels still number the file's rows): through its attrs' Lines
    when it has them, else row + 2. Labels that are not row numbers (`file_rows`: set_index) no longer say
    where a row is in the file: refused (ValueError), where before their positions were named as lines;
    `place` and `places` name such rows by label."""
    rows = file_rows(table, positions)
    if rows is None:
        raise ValueError(f"file_lines: the table's index labels (e.g. {_label(table.index[0])}) are not its file's "
                         "row numbers (0, 1, ... as read_csv numbers them), so they do not say which lines its rows "
                         "are on; name its rows by label (place, places)")
    lines = getattr(table, "attrs", {}).get("lines")
    return lines(rows) if isinstance(lines, Lines) else rows + 2


def file_rows(table: Any, positions: Any) -> np.ndarray | None:
    """The file's data rows (0: the first) at `positions` of a table read from a CSV file: their index labels,
    which `read_csv` numbers 0, 1, ... and which a sample, sort or mask keeps (its positions then name other
    rows); None where the labels are not row numbers (set_index)."""
    import pandas as pd
    rows = np.asarray(positions, dtype=np.int64)
    index = getattr(table, "index", None)
    if index is None:
        return rows
    if isinstance(index, pd.RangeIndex):
        return index.start + rows * index.step
    labels = np.asarray(index[rows])
    if labels.dtype.kind in "iu" and not (labels < 0).any():
        return labels.astype(np.int64)
    return None


def from_file(table: Any) -> bool:
    """Whether `table` (a DataFrame or Series, or one made from it) was read from a CSV file (`read_csv`,
    `iter_chunks`): its rows are then named by file line, a table given as it is by its index labels."""
    return "csv" in (getattr(table, "attrs", None) or {})


def _by_line(table: Any, positions: Any) -> bool:
    """Whether the rows at `positions` are named by file line: a table read from a file whose labels there
    are its row numbers (else by label, "row 'b'", as a table given as it is)."""
    if getattr(table, "index", None) is None:
        return True
    return from_file(table) and file_rows(table, positions) is not None


def place(table: Any, position: int) -> str:
    """'line 3' (the file line) of a table read from a CSV file, 'row 7' or "row 'b'" (the index label) of
    a DataFrame given as it is: it has no lines, and its position + 2 named a row it does not have."""
    if _by_line(table, [position]):
        return f"line {int(file_lines(table, [position])[0])}"
    return f"row {_label(table.index[int(position)])}"


SHOWN = 5        # the rows `places` names; the others are counted ('and 4 more')


def places(table: Any, positions: Any, total: int | None = None) -> str:
    """`on_lines` of a table read from a CSV file, its first SHOWN lines in the file (those of a shuffled
    table's rows too); 'on row 7', 'on rows 7 and 9' (index labels, the first SHOWN in the table's order) of
    a DataFrame given as it is. `positions`: all the rows to name (or the first few, and `total` the count)."""
    positions = np.asarray(positions, dtype=np.int64)
    total = max(positions.size, total or 0)
    if _by_line(table, positions):
        return on_lines(np.sort(file_lines(table, positions))[:SHOWN], total)
    shown = [_label(table.index[int(i)]) for i in positions[:SHOWN]]
    return f"on {plural(total, 'row')} {listed(shown, total)}"


def earliest(table: Any, mask: Any) -> int:
    """The position of the True entry of `mask` (over `table`'s rows) that a reader of the file meets first:
    the lowest file line, of a shuffled table too; the first in the table's order where rows are named by
    label (a DataFrame given as it is)."""
    at = np.flatnonzero(np.asarray(mask))
    if at.size > 1 and getattr(table, "index", None) is not None and _by_line(table, at):
        return int(at[np.argmin(file_lines(table, at))])
    return int(at[0])


def _label(value: Any) -> str:
    return label(value)


class KeptRow:
    """A csv.reader's input `lines`, keeping the lines of the row read last (set `done` after each
    row): where that row opens a quote it never closes, the csv module reads every line after it,
    to the end of the file, into one cell, and `open_quote` names the line it opened on."""

    def __init__(self, lines: Any):
        self.lines, self.done = lines, False
        self.row: list[str] = []

    def __iter__(self) -> Any:
        for line in self.lines:
            if self.done:
                self.row.clear()
                self.done = False
            self.row.append(line)
            yield line

    def open_quote(self, sep: str, line_num: int) -> int | None:
        """`open_quote` of the last row, which ends on file line `line_num`."""
        return open_quote(self.row, sep, line_num - len(self.row) + 1)


def open_quote(row: list[str], sep: str, first: int) -> int | None:
    """The file line where a row (its lines `row`, from file line `first`) opens a quote that it never
    closes, read as the csv module reads: a quote opens a cell only at its start, "" inside is one quote."""
    state, opened = "start", 0
    for k, line in enumerate(row):
        i = 0
        while i < len(line):
            if state == "quoted":                      # inside a quoted cell: on to its next quote
                i = line.find('"', i) + 1
                if i == 0:
                    break
                state = "quote"
                continue
            ch = line[i]
            if state == "quote" and ch == '"':         # "" inside a quoted cell
                state = "quoted"
            elif ch == sep or ch in "\r\n":
                state = "start"
            elif ch == '"' and state == "start":
                state, opened = "quoted", first + k
            else:
                state = "field"
            i += 1
    return opened if state == "quoted" else None


def quote_left_open(text: str, row: list[str], first: int, sep: str) -> int | None:
    """`open_quote` of the last row `row` of `text` (parsed: from file line `first`), read again only
    where it may hold one: its last cell ends with a line end, or the text does not."""
    if not row or not (row[-1].endswith(("\n", "\r")) or not text.endswith(("\n", "\r"))):
        return None
    return open_quote(list(itertools.islice(io.StringIO(text, newline=""), first - 1, None)), sep, first)


def row_text(row: list[str], sep: str) -> str:
    """A parsed row written back as a CSV line (quoted where a cell needs it), for messages: the
    file's own text can span lines, and str.splitlines also ends lines at form feeds and the like."""
    out = io.StringIO()
    csv.writer(out, delimiter=sep, lineterminator="\r\n").writerow(row)   # cells holding line ends quoted
    return out.getvalue()[:-2]


def unclosed_quote(name: str, line: int) -> str:
    """The refusal of a quote never closed (`name`: the file as messages show it)."""
    return (f"CSV file {name}: line {line} opens a quote (\") that is never closed, so every line after it was read "
            "as one cell; close it (a quote inside a quoted cell is written twice: \"\"), or remove it")


class MultilineRowWarning(UserWarning):
    """Rows read over several lines: a quoted cell that holds line ends (legal CSV, so not refused),
    or a stray quote that the next quote, lines later, closes (rows merged: said, not silent)."""


def over_lines(name: str, spans: list[tuple[int, int]], total: int) -> str:
    """The warning for `total` rows read over several lines, the first few as (first line, last
    line) `spans` (`name`: the file as messages show it)."""
    fix = (f"if {plural(total, 'that quote is a stray one', 'a quote there is a stray one')}, remove it (a quote "
           "inside a quoted cell is written twice: \"\"), else nothing is wrong")
    if total == 1:
        first, last = spans[0]
        return (f"CSV file {name}: line {first}'s quote closes on line {last}: lines {first}-{last} are read as one "
                f"row (a quoted cell over several lines); {fix}")
    shown = listed([f"{first}-{last}" for first, last in spans], total)
    return (f"CSV file {name}: {total} rows are read over several lines each (quoted cells over several lines), "
            f"on lines {shown}; {fix}")


def cell_text(name: Any, sep: Any, encoding: Any, line: int, index: int) -> str | None:
    """Field `index` of the row that starts on file line `line` of the CSV file `name`, as written: '1e999' where
    pandas read inf, for a refusal that quotes the file. None where the file cannot be read so again (standard
    input, a separator the csv module does not take, a zip or tar archive); a .gz, .bz2 or .xz file read through
    its decompressor, as pandas reads it (its compressed bytes read as text would quote noise). It reads up to that
    line only, once: on a refusal's way out."""
    import os
    try:
        if not isinstance(name, (str, os.PathLike)) or not os.path.isfile(name):
            return None
        opener = _opener(str(name))
        if opener is None:
            return None
        with opener(name, "rt", encoding=encoding or "utf-8-sig", errors="replace", newline="") as f:
            reader = csv.reader(f, delimiter=sep or ",")
            start = 1
            for row in reader:
                if start == line:
                    return row[index] if 0 <= index < len(row) else None
                if start > line:
                    return None
                start = reader.line_num + 1
    except (OSError, csv.Error, TypeError, ValueError):
        return None
    return None


def _opener(name: str) -> Any:
    """How pandas' read_csv opens the file `name` (its compression inferred from the name's end): an `open`-like
    callable, or None for a compression read here no further (zip, tar, zstd)."""
    import bz2
    import gzip
    import lzma
    lower = name.lower()
    if lower.endswith((".tar", ".tar.gz", ".tar.bz2", ".tar.xz", ".zip", ".zst")):
        return None
    return {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open}.get(lower[lower.rfind("."):], open)


def written(table: Any, position: int, column: Any = None, index: int | None = None) -> str:
    """The cell at row `position` of `table`'s `column` (or of a Series, field `index` of the file's rows), quoted
    as the file writes it where `table` was read from a CSV file with its header's columns (read_csv,
    iter_chunks), else its value ('inf' of '1e999')."""
    from .csvfile import short
    value = (table if column is None else table[column]).iloc[position]
    if index is None and column is not None:
        index = list(table.columns).index(column)
    info = getattr(table, "attrs", {}).get("csv") or {}
    text = None
    if index is not None and "sep" in info and _by_line(table, [position]):
        line = int(file_lines(table, [position])[0])
        text = cell_text(info.get("name"), info["sep"], info.get("encoding"), line, index)
    return short(text if text is not None else str(value))
