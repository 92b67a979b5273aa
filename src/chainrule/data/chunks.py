"""A CSV file read in pieces of a fixed number of rows: predicting or evaluating on a file of any
length in memory that does not grow with it.

`read_csv` (csvfile.py) reads a whole file to check every line first; here pandas parses one
chunk at a time. The separator is detected the same way (from the first lines), text columns
are kept as text (a chunk of a text column that happens to hold only digits is not read as
numbers), and each chunk's index continues the file's row numbers, so that an error names the
file's line.
"""
from __future__ import annotations

import numbers
import warnings
from collections.abc import Iterator, Sequence
from typing import Any

from ..errors import ValidationError
from .csvfile import check_marks, short
from .filekind import refuse_excel_line
from .header import refuse_repeated_header
from .markers import given_markers, na_markers
from .opening import bom_encoding, csv_path, nul_refusal, open_again, utf16_unmarked
from .separators import detect_separator, given_separator

SNIFF_BYTES = 1 << 18
#: the rows a chunk where none is given (predict, evaluate, `train --stream`): tens of MB of a table's cells
CHUNK_ROWS = 100_000


def iter_chunks(path: Any, *, rows: int | None = None, sep: str | None = None, encoding: str | None = None,
                decimal: str = ".", thousands: str | None = None, na_values: Sequence[str] | str | None = None,
                text_columns: Sequence[str] = (), pandas_markers: bool = False, lines: Any = None,
                kept: Any = None) -> Iterator[Any]:
    """DataFrames of at most `rows` rows (None: CHUNK_ROWS) of the CSV file `path` (a header row, then data), in order.

    sep, encoding, decimal, thousands, na_values, pandas_markers : as `read_csv`. text_columns : columns
    read as text. kept : per column, the categories a model learnt (a missing marker among them is that
    category, as `read_csv` reads it).
    Each DataFrame's attrs["csv"] says how the file was read (as `read_csv`'s); `lines`, the data
    rows' file lines (`rowcheck.check_csv`'s), become its attrs["lines"] (as `read_csv`'s)."""
    name = csv_path(path)
    rows = CHUNK_ROWS if rows is None else rows
    if isinstance(rows, bool) or not isinstance(rows, numbers.Integral) or rows < 1:
        raise ValidationError(f"rows must be a positive integer; got {rows!r}")
    rows = int(rows)                     # a NumPy integer too, as Python's
    with open_again(name) as f:          # opened once: pandas reads the same handle from its start
        yield from _chunks(f, name, rows, sep, encoding, decimal, thousands, na_values, text_columns,
                           pandas_markers, lines, kept)


def _chunks(f: Any, name: str, rows: int, sep: str | None, encoding: str | None, decimal: str,
            thousands: str | None, na_values: Any, text_columns: Sequence[str], pandas_markers: bool, lines: Any,
            kept: Any) -> Iterator[Any]:
    import pandas as pd
    head = first = f.read(SNIFF_BYTES)
    while len(head) == SNIFF_BYTES and not head.strip():   # blank lines only: pandas skips them, and so does the sniff
        head = f.read(SNIFF_BYTES)
    encoding = encoding or bom_encoding(first)
    if encoding is None and utf16_unmarked(first):         # as read_csv says it, not a byte that is not UTF-8
        raise nul_refusal(name, first, first.find(b"\x00"))
    text = head.decode(encoding or "utf-8-sig", errors="ignore")
    if len(head) == SNIFF_BYTES:
        text = text[:text.rfind("\n") + 1] or text         # whole lines only
    if not text.strip():
        raise ValidationError(f"CSV file {short(name, 200)} is empty: expected a header row and data rows")
    refuse_excel_line(name, text, encoding)               # in the encoding given (a UTF-16 file without its mark)
    detected = sep is None
    sep = detect_separator(text, name)[0] if sep is None else given_separator(sep)
    check_marks(sep, decimal, thousands, name, encoding)    # as read_csv and the check of every line refuse them
    info = {"name": name, "sep": sep, "sep_detected": detected, "encoding": encoding or "utf-8", "decimal": decimal,
            "thousands": thousands, "na_values": given_markers(na_values)}
    try:
        header: list[Any] = []
        if kept:
            f.seek(0)
            header = list(pd.read_csv(f, sep=sep, nrows=0, index_col=False, encoding=encoding or "utf-8-sig").columns)
        f.seek(0)
        reader = pd.read_csv(f, sep=sep, encoding=encoding or "utf-8-sig", decimal=decimal,
                             thousands=thousands, **na_markers(na_values, pandas_markers, kept, header),
                             index_col=False,
                             chunksize=rows,
                             dtype={c: "str" for c in text_columns} or None)
        with reader:
            for chunk in quiet(reader):
                chunk.columns = [str(c) for c in chunk.columns]
                chunk.attrs["csv"] = info
                if lines is not None:
                    chunk.attrs["lines"] = lines
                refuse_repeated_header(chunk, name)     # as read_csv: the whole row, not a cell holding its name
                yield chunk
    except UnicodeDecodeError:                             # pandas does not say where: read again to find it
        from .rowcheck import find_undecodable
        raise find_undecodable(name, encoding) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        if isinstance(exc, pd.errors.ParserError):        # pandas names no file line: the check of every line does
            from .rowcheck import check_csv
            try:
                check_csv(name, sep=sep, encoding=encoding, decimal=decimal, thousands=thousands)
            except ValidationError as checked:
                raise checked from None
        raise ValidationError(f"CSV file {short(name, 200)} could not be read: {str(exc).strip()[:200]}") from None


def quiet(reader: Any) -> Iterator[Any]:
    """The reader's chunks without pandas' DtypeWarning (a column of numbers and text, which chainrule's checks
    name in its own words), each read under the filter alone: a generator must not hold it between chunks."""
    import pandas as pd
    while True:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)
            chunk = next(reader, None)
        if chunk is None:
            return
        yield chunk
