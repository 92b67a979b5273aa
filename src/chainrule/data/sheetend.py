"""Rows of separators only (",,,") at a CSV file's end: a spreadsheet saved with empty rows below its data writes
them so (a program that quotes every cell, '"","",""'). pandas reads each as a row of missing values, so a reader
would refuse them as "missing values on lines 21 and 22" (or, filling gaps, learn from or predict rows that are not
there). Every reader refuses them here, by what they are, before its check of the rows: truly blank lines are
skipped, as pandas' skip_blank_lines skips them; a row longer than the header is left to the row check (pandas
refuses it), as is a quote never closed above them. A file whose last line looks so is read from its start: only
there are its quotes and the run's first line known.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

from ..errors import ValidationError
from .csvfile import short
from .lines import on_lines, plural
from .opening import BOMS

TAIL = 1 << 16            # bytes read from a file's end: its last lines


def _tail(source: Any) -> bytes:
    """The last TAIL bytes of `source` (bytes, or a seekable binary file, left where it was), after the file's byte
    order mark when they are not its start (a UTF-16 file's tail is read in its byte order)."""
    if isinstance(source, bytes):
        head, tail, start = source[:4], source[-TAIL:], max(0, len(source) - TAIL)
    else:
        at = source.tell()
        size = source.seek(0, io.SEEK_END)
        start = max(0, size - TAIL) // 4 * 4             # a whole character of UTF-16 and UTF-32 too
        source.seek(0)
        head = source.read(4)
        source.seek(start)
        tail = source.read()
        source.seek(at)
    bom = next((bom for bom, _ in BOMS if head.startswith(bom)), codecs.BOM_UTF8 if head.startswith(codecs.BOM_UTF8)
               else b"")
    return tail if start == 0 else bom + tail


def _looks_empty(line: str, sep: str) -> bool:
    """Whether `line` is cells with nothing in them, at least two: ',,' or '"","",""' (a quick look at the file's
    last line before the rows are read from the start)."""
    cells = line.split(sep)
    return len(cells) >= 2 and all(c in ("", '""') for c in cells)


def _rows(text: Any, sep: str) -> tuple[int, int, list[int], str]:
    """The run of rows of empty cells alone that ends `text` (a text file read with newline=''), read as pandas
    reads them, from the first row: (its count, its last line, its first three rows' lines, its first row as
    written). Blank lines are skipped, as pandas skips them; a row with more fields than the header is not an
    empty row (pandas refuses it: the row check names it); the header is never one."""
    raw: list[str] = []

    def lines() -> Any:
        for line in text:
            raw.append(line)
            yield line
    reader = csv.reader(lines(), delimiter=sep, strict=False)
    header, count, last, shown, before = -1, 0, 0, "", 0
    first: list[int] = []
    for cells in reader:
        written, start = "".join(raw), before + 1
        raw.clear()
        before = reader.line_num
        if not cells or (len(cells) == 1 and not cells[0].strip() and '"' not in written):
            continue                                      # a blank line: pandas skips it (a tab one is a row)
        if header < 0:
            header = len(cells)
        elif 2 <= len(cells) <= header and not any(cells):
            if count == 0:
                first, shown = [], written.rstrip("\r\n")
            count, last = count + 1, reader.line_num
            if len(first) < 3:
                first.append(start)
        else:
            count = 0
    return count, last, first, shown


def refuse_separator_rows(name: str, source: Any, sep: str, codec: str) -> None:
    """Refuse the file `name` (its bytes, or the open file: `source`, read in `codec`) when rows of the separator
    `sep` alone end it, naming their lines and the fix: delete them. Only a file whose last line looks so is read
    again, from its start: a run of such rows may be longer than any tail, and a tail may begin inside a quoted
    cell, whose lines it would read the wrong way round."""
    data = _tail(source)
    blank = " \t".replace(sep, "")
    tail = [line for line in re.split("\r\n|\r|\n", data.decode(codec, errors="replace")) if line.strip(blank)]
    if not tail or not _looks_empty(tail[-1], sep):
        return
    binary = io.BytesIO(source) if isinstance(source, bytes) else source
    at = binary.tell()
    binary.seek(0)
    text = io.TextIOWrapper(binary, encoding=codec, errors="replace", newline="")
    try:
        n, last, first, shown = _rows(text, sep)
    finally:
        text.detach()
        binary.seek(at)
    if not n:
        return
    where = on_lines(first) if n <= 3 else f"on lines {first[0]}-{last}"
    quoted = re.fullmatch(f'""({re.escape(sep)}"")*', shown) is not None
    what, who = (("empty quoted cells", "a program that quotes every cell") if quoted else
                 ("separators", "a spreadsheet") if '"' not in shown else ("empty cells", "a program"))
    raise ValidationError(
        f"CSV file {short(name, 200)}: its last {plural(n, 'row', f'{n} rows')} ({where}) "
        f"{plural(n, 'is an empty row', 'are empty rows')} of {what} only ({short(shown, 20)}), as {who} saves "
        f"the empty rows below its data; pandas reads {plural(n, 'it as a row', 'them as rows')} of missing values. "
        f"Delete {plural(n, 'that line', 'those lines')} from "
        "the file (or the empty rows from the sheet before saving it as CSV)")
