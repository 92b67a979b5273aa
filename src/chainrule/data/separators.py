"""Which character separates a CSV file's fields: the one candidate that splits its first lines
evenly, else the one that splits the header most; and, where one was given and leaves rows ragged,
the candidate to suggest instead."""
from __future__ import annotations

import csv
import re

from ..errors import ValidationError
from .advice import give

SEPARATORS = (",", ";", "\t", "|")
SNIFF_LINES = 50          # lines looked at to detect the separator
SEP_NAMES = {",": "','", ";": "';'", "\t": "tab", "|": "'|'"}


def given_separator(sep: str) -> str:
    """A --sep as the character it names ('tab' and '\\t' for a tab), or a clear refusal of one that is no
    single character."""
    from .csvfile import short
    sep = {"tab": "\t", "\\t": "\t"}.get(sep, sep)
    if len(sep) != 1 or sep in "\"\r\n":
        raise ValidationError(f"the separator must be one character such as , ; | or tab; got {short(sep)}")
    return sep


def _field_counts(lines: list[str], sep: str) -> list[int]:
    return [len(row) for row in csv.reader(lines, delimiter=sep) if row]


def _first_lines(text: str, k: int, start: int = 0) -> list[str]:
    """text[start:].splitlines()[:k] without splitting (nor copying) the whole text (a file's text can be
    gigabytes)."""
    end = start - 1
    for _ in range(k):
        end = text.find("\n", end + 1)
        if end < 0:
            return text[start:].splitlines()[:k]
    return text[start:end + 1].splitlines()[:k]


def _sniffed(text: str) -> list[str]:
    """The first lines that are not blank: from the first of them (pandas skips the blank lines before the header,
    however many)."""
    first = re.search(r"\S", text)
    start = max(text.rfind("\n", 0, first.start()), text.rfind("\r", 0, first.start())) + 1 if first else len(text)
    return [line for line in _first_lines(text, SNIFF_LINES * 2, start) if line.strip()][:SNIFF_LINES]


def _even(lines: list[str]) -> list[str]:
    """The candidates that split every one of `lines` into the same number (> 1) of fields."""
    even = []
    for sep in SEPARATORS:
        counts = _field_counts(lines, sep)
        if counts and counts[0] > 1 and len(set(counts)) == 1:
            even.append(sep)
    return even


def other_separator(text: str, sep: str) -> str | None:
    """The separator to suggest when `sep`, given, leaves rows of `text` with other counts of fields than
    the header: the one candidate that splits the first lines evenly, where `sep` does not (a comma
    file read with --sep ';' whose cells hold a ';'); else None."""
    try:
        lines = _sniffed(text)
        even = _even(lines)
    except csv.Error:
        return None
    return even[0] if len(even) == 1 and even[0] != sep else None


def detect_separator(text: str, name: str = "<data>") -> tuple[str, bool]:
    """(separator, detected?): the one candidate that splits the first lines into the same number
    (> 1) of fields; ',' when no candidate splits anything; an error when two candidates do."""
    from .csvfile import short
    lines = _sniffed(text)
    even = _even(lines)
    if len(even) == 1:
        return even[0], True
    if len(even) > 1:
        raise ValidationError(f"CSV file {short(name, 200)}: the separator is ambiguous ("
                              f"{' and '.join(SEP_NAMES[s] for s in even)} both split every line evenly); "
                              f"{give('sep any')}")
    # no candidate is even: the one that splits the header most (ragged rows are reported later)
    header = lines[0] if lines else ""
    best = max(SEPARATORS, key=lambda s: (_field_counts([header], s) or [0])[0])
    return (best if (_field_counts([header], best) or [0])[0] > 1 else ","), True
