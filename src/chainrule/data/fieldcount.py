"""Each line's count of fields, counted on a CSV file's bytes with NumPy: the separators between
line ends, plus one. The fast path of the row check (`csvfile` for a file read whole, `rowcheck`
for one read in blocks) on files without quotes, where no field can hold a separator or a line end;
anything in doubt goes back to the csv module, whose messages are the readers' own.
"""
from __future__ import annotations

import csv

import numpy as np

BLOCK = 1 << 23           # bytes counted at a time


def rows_agree(data: bytes, sep: int, header_line: int, n: int, codec: str, blanks: list[int],
               block: int = BLOCK) -> bool:
    """Whether every line after `header_line` (1-based) has `n` fields or is blank (their lines
    go into `blanks`), counted in blocks of `block` bytes (memory that does not grow with the file)."""
    arr = np.frombuffer(data, dtype=np.uint8)
    lines, carry, prev, limit = 0, 0, -1, csv.field_size_limit()
    for at in range(0, arr.size, block):
        ends, fields, after = field_counts(arr[at:at + block], sep)
        if ends.size:
            fields[0] += carry
            carry = 0
            if np.diff(ends + at, prepend=prev).max() > limit:
                return False                           # a field may pass the csv module's limit: it says so
            prev = int(ends[-1]) + at
        carry += after
        if not lines_agree(data, ends + at, fields, lines, header_line, n, codec, blanks):
            return False
        lines += ends.size
    if data.endswith(b"\n"):
        return True
    if len(data) - prev > limit:
        return False
    return lines_agree(data, np.array([len(data)]), np.array([carry + 1]), lines, header_line, n, codec, blanks)


def field_counts(block: np.ndarray, sep: int) -> tuple[np.ndarray, np.ndarray, int]:
    """For a block of a file's bytes: where its lines end, each of those lines' count of fields
    (the separators since the line end before it, plus one) and how many separators follow the
    last line end (they belong to a line a later block ends)."""
    ends = np.flatnonzero(block == 10)
    seps = np.flatnonzero(block == sep)
    before = np.searchsorted(seps, ends)
    return ends, np.diff(before, prepend=0) + 1, seps.size - (int(before[-1]) if ends.size else 0)


def lines_agree(data: bytes, ends: np.ndarray, fields: np.ndarray, lines_before: int, header_line: int, n: int,
                 codec: str, blanks: list[int]) -> bool:
    """Lines `lines_before` + 1.. end at `ends` with `fields` fields: those after the header must
    have `n`, or be blank (no separator, only white space) as the csv path skips them; the blank
    ones' lines are added to `blanks`."""
    odd = np.flatnonzero(fields != n)
    odd = odd[odd + lines_before + 1 > header_line]
    if odd.size and (fields[odd] != 1).any():
        return False
    if n == 1 and ends.size:            # every line has one field: blank ones hold no ASCII character but space
        first = data.rfind(b"\n", 0, int(ends[0])) + 1
        arr = np.frombuffer(data, dtype=np.uint8, count=min(int(ends[-1]) + 1, len(data)) - first, offset=first)
        solid = np.add.reduceat((arr > 32) & (arr < 128), np.r_[0, ends[:-1] + 1 - first], dtype=np.int64)
        odd = np.flatnonzero(solid == 0)
        odd = odd[odd + lines_before + 1 > header_line]
    for i in odd:
        end = int(ends[i])
        if data[data.rfind(b"\n", 0, end) + 1:end].decode(codec).strip():
            if n == 1:
                continue
            return False
        blanks.append(lines_before + int(i) + 1)
    return True
