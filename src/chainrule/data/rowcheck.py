"""A CSV file checked as `read_csv` checks it, in one pass over blocks of its bytes: memory that
does not grow with the file, so that `predict` can stream a file of any length after the same
checks (and stop before writing anything when a line is wrong).

`read_csv` (csvfile.py) decodes the whole file and runs the csv module over every line. Here each
block of 16 MB is decoded (a byte that is not in the encoding is named with its line, as there),
and while a block holds no quote and no lone carriage return each line's fields are counted with
NumPy (separators between line ends); a file with quotes, or in an encoding that is not ASCII
underneath (UTF-16), is read again through the csv module, line by line. The messages are
`read_csv`'s own.
"""
from __future__ import annotations

import codecs
import csv
import io
from typing import Any

import numpy as np

from ..errors import ValidationError
from .csvfile import check_marks, ragged, short, warn_over_lines
from .fieldcount import field_counts
from .filekind import refuse_excel_line
from .header import as_pandas_names, wrong_header
from .lines import KeptRow, Lines, row_text, unclosed_quote
from .opening import bom_encoding, csv_path, nul_refusal, open_again, undecodable, wide
from .separators import detect_separator, given_separator, other_separator
from .sheetend import refuse_separator_rows

BLOCK = 1 << 24
SNIFF_CHARS = 1 << 18


def _open(name: str) -> Any:
    return open_again(name)


class _Rows:
    """The field count check of `csvfile._check_rows`, fed line by line or block by block."""

    def __init__(self, name: str, other_sep: str | None = None):
        self.name = name
        self.header: list[str] | None = None
        self.header_line = 0
        self.header_start = 0
        self.header_text = ""
        self.rows = 0
        self.bad: list[tuple[int, int, int]] = []  # the first few rows of another count: first line, last, fields
        self.n_bad = 0
        self.other_sep = other_sep                 # the separator to suggest for ragged rows
        self.spans: list[tuple[int, int]] = []     # the first few rows over several lines
        self.n_spans = 0
        self.lines = Lines()                       # the line each data row starts on

    def set_header(self, fields: list[str], line: int, text: str, start: int | None = None) -> None:
        self.header, self.header_line, self.header_text = fields, line, text
        self.header_start = line if start is None else start
        self.over_lines(np.array([self.header_start]), np.array([line]))

    def over_lines(self, starts: np.ndarray, ends: np.ndarray) -> None:
        spans = np.flatnonzero(ends > starts)
        self.spans = (self.spans + [(int(starts[i]), int(ends[i])) for i in spans[:5]])[:5]
        self.n_spans += int(spans.size)

    def add(self, fields: np.ndarray, lines: np.ndarray, starts: np.ndarray | None = None) -> None:
        """Data rows with `fields` fields ending on file `lines` (blank lines already left out),
        starting on `starts` (default: those lines)."""
        assert self.header is not None
        starts = lines if starts is None else starts
        self.rows += fields.size
        self.lines.extend(starts)
        self.over_lines(starts, lines)
        bad = np.flatnonzero(fields != len(self.header))
        self.bad = (self.bad + [(int(starts[i]), int(lines[i]), int(fields[i])) for i in bad[:6]])[:6]
        self.n_bad += int(bad.size)

    def finish(self, used: Any = None) -> list[str]:
        name = short(self.name, 200)
        if self.header is None:
            raise ValidationError(f"CSV file {name} is empty: expected a header row and data rows")
        if self.bad:
            raise ragged(self.name, self.bad[0], [b[0] for b in self.bad[1:]], self.n_bad,
                         (self.header_start, self.header_line, self.header_text, len(self.header)), self.other_sep)
        warn_over_lines(self.name, self.spans, self.n_spans)
        wrong = wrong_header(self.header, used)
        if wrong is not None:
            raise ValidationError(f"CSV file {name}: {wrong}")
        if self.rows == 0:
            raise ValidationError(f"CSV file {name} has a header but no data rows")
        return as_pandas_names(self.header)


def _decode_error(exc: UnicodeDecodeError, name: str, encoding: str | None, lines_before: int,
                  codec: str) -> ValidationError:
    data = exc.object
    line = lines_before + bytes(data[:exc.start]).decode(codec, errors="ignore").count("\n") + 1
    return undecodable(name, encoding, data[exc.start], line)


def find_undecodable(path: Any, encoding: str | None) -> ValidationError:
    """The refusal of the file's first byte that is not in `encoding` (a reader that found one but
    not where: pandas), with its line, read in blocks as `check_csv` reads."""
    name = csv_path(path)
    with _open(name) as f:
        head = f.read(BLOCK)
        encoding = encoding or bom_encoding(head)
        codec = encoding or "utf-8-sig"
        decoder, lines_before, block = codecs.getincrementaldecoder(codec)(), 0, head
        while True:
            final = len(block) < BLOCK
            try:
                lines_before += decoder.decode(block, final=final).count("\n")
            except UnicodeDecodeError as exc:
                return _decode_error(exc, name, encoding, lines_before, codec)
            if final:
                return ValidationError(f"CSV file {short(name, 200)} is not {encoding or 'UTF-8'} text")
            block = f.read(BLOCK)


def _count_block(rows: _Rows, buf: bytes, end: int, sep: int, first_line: int, sep_char: str, codec: str) -> int:
    """Count the fields of the complete lines of `buf[:end]` (which ends with a line end); returns
    the number of lines."""
    ends, fields, _ = field_counts(np.frombuffer(buf, dtype=np.uint8, count=end), sep)
    starts = np.concatenate(([0], ends[:-1] + 1))
    lines = np.arange(first_line, first_line + ends.size)
    keep = np.ones(ends.size, dtype=bool)
    for i in np.flatnonzero(fields == 1):          # lines without a separator: blank lines are skipped
        keep[i] = bool(buf[starts[i]:ends[i]].strip())
    if rows.header is None:                        # the header is the first line that is not blank
        if not keep.any():
            return int(ends.size)
        first = int(np.flatnonzero(keep)[0])
        decoded = buf[starts[first]:ends[first]].decode(codec)
        rows.set_header(next(csv.reader([decoded], delimiter=sep_char)), int(lines[first]), decoded.rstrip("\r"))
        keep[:first + 1] = False
    rows.add(fields[keep], lines[keep])
    return int(ends.size)


def _csv_rows(f: Any, rows: _Rows, encoding: str, sep: str) -> None:
    """`_check_rows` through the csv module, line by line (quoted fields may hold line ends)."""
    f.seek(0)
    text = io.TextIOWrapper(f, encoding=encoding, newline="")    # lines end at \n, \r\n or \r, as in read_csv
    kept = KeptRow(text)
    reader = csv.reader(kept, delimiter=sep)
    batch: list[int] = []
    lines: list[int] = []
    starts: list[int] = []
    after = 0                                      # the line the previous row ended on
    try:
        for row in reader:
            kept.done = True
            if not row or (len(row) == 1 and not row[0].strip()):
                after = reader.line_num
                continue
            if rows.header is None:
                rows.set_header(row, reader.line_num, row_text(row, sep), after + 1)
                after = reader.line_num
                continue
            batch.append(len(row))
            lines.append(reader.line_num)
            starts.append(after + 1)
            after = reader.line_num
            if len(batch) >= 65536:
                rows.add(np.array(batch), np.array(lines), np.array(starts))
                batch, lines, starts = [], [], []
    except csv.Error as exc:
        raise ValidationError(f"CSV file {short(rows.name, 200)} could not be read near line {reader.line_num}: "
                              f"{exc}") from None
    if (quote := kept.open_quote(sep, reader.line_num)) is not None:
        raise ValidationError(unclosed_quote(short(rows.name, 200), quote))
    rows.add(np.array(batch, dtype=np.int64), np.array(lines, dtype=np.int64), np.array(starts, dtype=np.int64))
    text.detach()


def check_csv(path: Any, *, sep: str | None = None, encoding: str | None = None, decimal: str = ".",
              thousands: str | None = None, used: Any = None) -> dict:
    """Check the CSV file `path` as `read_csv` does (encoding, separator, one field per column on
    every line, unique column names, at least one data row) without holding it in memory. `used`: the columns a
    model reads, the only ones whose names must be unique (`header.twice_named`); None: every column's.

    Returns {"name", "sep", "sep_detected", "encoding", "header", "rows", "lines"}; raises ValidationError
    with `read_csv`'s message otherwise."""
    csv.field_size_limit(2**31 - 1)
    name = csv_path(path)
    try:
        codecs.lookup(encoding or "utf-8")
    except LookupError:
        raise ValidationError(f"encoding {short(encoding)} is not known (e.g. utf-8, latin-1, cp1252)") from None
    with _open(name) as f:
        block = f.read(BLOCK)
        encoding = encoding or bom_encoding(block)
        codec = encoding or "utf-8-sig"
        if 0 <= (at := block.find(b"\x00")) < 65536 and not wide(codec):
            # named first, as read_csv does
            refuse_excel_line(name, block[:at].decode(codec, errors="replace"), codec, cut=True)
            raise nul_refusal(name, block, at)
        decoder = codecs.getincrementaldecoder(codec)()
        rows = _Rows(name)
        fast = "\n,".encode(codec.replace("-sig", "")) == b"\n,"      # ASCII underneath: count bytes
        sep_used, detected, sep_byte = ",", False, 0
        lines_before, line_no, tail, first, looking = 0, 0, b"", True, True
        while True:
            final = len(block) < BLOCK
            try:
                text = decoder.decode(block, final=final)
            except UnicodeDecodeError as exc:
                if looking:
                    refuse_excel_line(name, block[:exc.start].decode(codec, errors="replace"), codec, cut=True)
                raise _decode_error(exc, name, encoding, lines_before, codec) from None
            if looking:                   # the one look, before the separator is detected: past blank blocks too
                looking = not refuse_excel_line(name, text, codec)
            if not wide(codec) and (at := block.find(b"\x00")) >= 0:
                raise nul_refusal(name, block, at, lines_before)
            if first:
                if not text.strip() and final:
                    raise ValidationError(f"CSV file {short(name, 200)} is empty: expected a header row and data "
                                          "rows")
                sep_used, detected = _separator(sep, text[:SNIFF_CHARS], name, decimal, thousands, codec)
                other = None if detected else other_separator(text[:SNIFF_CHARS], sep_used)
                rows.other_sep = other
                sep_byte = ord(sep_used)
                # before the rows are counted: named as they are (a file of one block: its bytes, not read again)
                refuse_separator_rows(name, block if final else f, sep_used, codec)
                fast = fast and sep_byte < 128
                first = False
            if fast and (b'"' in block or (b"\r" in block and block.count(b"\r") != block.count(b"\r\n")) or
                         (tail.endswith(b"\r") and block[:1] != b"\n")):
                fast = False                      # quotes or lone carriage returns: the csv module decides
            if not fast:
                lines_before += text.count("\n")
            if fast:
                buf = tail + block
                if final and buf and not buf.endswith(b"\n"):
                    buf += b"\n"
                end = buf.rfind(b"\n") + 1
                line_no += _count_block(rows, buf, end, sep_byte, line_no + 1, sep_used, codec)
                lines_before = line_no
                tail = buf[end:]
            if final:
                break
            block = f.read(BLOCK)
        if not fast:
            rows = _Rows(name, other)
            _csv_rows(f, rows, codec, sep_used)
    header = rows.finish(used)
    return {"name": name, "sep": sep_used, "sep_detected": detected, "encoding": encoding or "utf-8", "header": header,
            "rows": rows.rows, "lines": rows.lines}


def _separator(sep: str | None, text: str, name: str, decimal: str, thousands: str | None,
               encoding: str) -> tuple[str, bool]:
    if sep is not None:
        sep = given_separator(sep)
        detected = False
    else:
        sep, detected = detect_separator(text[:text.rfind("\n") + 1] or text, name)
    check_marks(sep, decimal, thousands, name, encoding)
    return sep, detected
