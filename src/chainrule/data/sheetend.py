"""Rows of separators only (",,,") at a CSV file's end: a spreadsheet saved with empty rows below its data writes
them so (a program that quotes every cell, '"","",""'). pandas reads each as a row of missing values, so a reader
would refuse them as "missing values on lines 21 and 22" (or, filling gaps, learn from or predict rows that are not
there). Every reader refuses them here, by what they are, before its check of the rows: truly blank lines are
skipped, as pandas' skip_blank_lines skips them; a quote never closed above them is left to the row check to name.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

from ..errors import ValidationError
from .csvfile import BOMS, short
from .lines import on_lines, plural

TAIL = 1 << 16            # bytes read from a file's end: its last lines


def _tail(source: Any) -> tuple[bytes, bool]:
    """The last TAIL bytes of `source` (bytes, or a seekable binary file, left where it was), after the file's byte
    order mark when they are not its start (a UTF-16 file's tail is read in its byte order), and whether they are
    the whole file."""
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
    return (tail if start == 0 else bom + tail), start == 0


def _ends(text: str) -> int:
    """The line ends in `text`: \n, \r\n or a lone \r (an old Mac file's), as the row check counts lines."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _count_lines(source: Any, codec: str) -> int:
    """The count of line ends in `source` (bytes, or a seekable binary file, left where it was)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="replace")
    if isinstance(source, bytes):
        return _ends(decoder.decode(source, final=True))
    at, n, last = source.tell(), 0, ""
    source.seek(0)
    while block := source.read(1 << 23):
        text = decoder.decode(block)
        n += _ends(text) - (last == "\r" and text[:1] == "\n")     # a \r\n split between two blocks
        last = text[-1:] or last
    source.seek(at)
    return n + _ends(decoder.decode(b"", final=True))


def _empty_rows(lines: list[str], sep: str, whole: bool) -> list[int]:
    """The places of `lines` (from the end: 0 is the last line) that are rows of empty cells alone ending them, read
    as pandas reads them: ',,' and '"","",""' (quoted empty cells are missing values too); blank lines skipped; none
    where a quote opened above them is never closed (the row check names that quote)."""
    first = 0 if whole else 1                              # the first line of a tail may be part of one
    ends: list[tuple[int, list[str]]] = []                 # each row's last line, and its cells
    reader = csv.reader(lines[first:], delimiter=sep, strict=False)
    try:
        for cells in reader:
            ends.append((first + reader.line_num - 1, cells))
    except csv.Error:
        return []
    found: list[int] = []
    for i, (at, cells) in enumerate(reversed(ends)):
        if not cells or (len(cells) == 1 and not cells[0].strip() and not (at < len(lines) and '"' in lines[at])):
            continue                                       # a blank line: pandas skips it (a tab one is a row)
        if any(cells) or len(cells) < 2 or i == len(ends) - 1:     # a row with a value, or the header itself
            break
        found.append(len(lines) - 1 - at)
    return found                         # a quote never closed: the rows after it are one cell, a value


def refuse_separator_rows(name: str, source: Any, sep: str, codec: str) -> None:
    """Refuse the file `name` (its bytes, or the open file: `source`, read in `codec`) when rows of the separator
    `sep` alone end it, naming their lines and the fix: delete them."""
    data, whole = _tail(source)
    lines = re.split("\r\n|\r|\n", data.decode(codec, errors="replace"))
    ended = lines[-1] == ""
    if ended:
        lines.pop()
    found = _empty_rows(lines, sep, whole)
    if not found:
        return
    last = _count_lines(source, codec) + (not ended)       # the file's last line's number
    numbers = [last - back for back in found]
    n = len(numbers)
    shown = short(lines[-1 - found[0]], 20)
    what, who = ("empty quoted cells", "a program that quotes every cell") if '"' in lines[-1 - found[0]] else \
        ("separators", "a spreadsheet")
    raise ValidationError(
        f"CSV file {short(name, 200)}: its last {plural(n, 'row', f'{n} rows')} ({on_lines(numbers)}) "
        f"{plural(n, 'is an empty row', 'are empty rows')} of {what} only ({shown}), as {who} saves "
        f"the empty rows below its data; pandas reads {plural(n, 'it as a row', 'them as rows')} of missing values. "
        f"Delete {plural(n, 'that line', 'those lines')} from "
        "the file (or the empty rows from the sheet before saving it as CSV)")
