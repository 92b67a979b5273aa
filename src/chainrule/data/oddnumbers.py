"""Numbers that Python's float() reads but pandas.read_csv keeps as text: a whole number too big for 64 bits
(a 25-digit id), a Unicode minus ('−3'), full-width digits ('１２'), '1_000', hexadecimal '0x1F', a no-break
space around a number. One such cell turns a column of numbers into text; the refusal names that cell (not
the column's first, ordinary one) and how to write it, for the read table and the streamed scan alike.
"""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np

from ..errors import ValidationError
from .advice import give
from .csvfile import short

INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
UNDERSCORED = re.compile(r"[+-]?\d+(?:_\d+)+(?:\.\d+)?(?:[eE][+-]?\d+)?", re.ASCII)
HEX = re.compile(r"[+-]?0[xX][0-9a-fA-F]+")
MINUSES = "\u2212\u2012\u2013\ufe63\uff0d"                 # −, figure dash, en dash, small and full-width minus
SPACES = "\u00a0\u2007\u202f\ufeff"                         # no-break, figure, narrow no-break, zero-width no-break


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def odd_kind(cell: str) -> str | None:
    """Which kind of number pandas keeps as text `cell` is (the keys of KINDS), or None."""
    text = cell.strip(" \t")
    if INTEGER.fullmatch(text):
        return "big" if not -2 ** 63 <= int(text) < 2 ** 64 else None
    if any(c in SPACES for c in text) and _number(text.strip(SPACES + " \t")):
        return "spaces"
    if text[:1] in MINUSES and _number("-" + text[1:].strip()):
        return "minus"
    if UNDERSCORED.fullmatch(text):
        return "underscore"
    if HEX.fullmatch(text):
        return "hex"
    if any(not c.isascii() and c.isdigit() for c in text) and _number(unicodedata.normalize("NFKC", text)):
        return "wide"
    return None


def odd_cells(distinct: Any) -> tuple[np.ndarray, list[str | None]]:
    """(which of a column's distinct text values are such numbers, the kind of each)."""
    kinds = [odd_kind(str(v)) for v in distinct]
    return np.array([k is not None for k in kinds], dtype=bool), kinds


def _float(cell: str) -> str:
    return repr(float(int(cell.strip())))


#: each kind: (what the cell is, how to write it; {example} and {column} filled in)
KINDS = {
    "big": ("a whole number too big for 64-bit integers",
            "if the column is an ID or a code, leave it out with {drop}; if it is a quantity, write it as a float "
            "in the file (e.g. {float})"),
    "spaces": ("a number with a no-break space around it",
               "remove those spaces, e.g. sed 's/\\xc2\\xa0//g' FILE > NEW"),
    "minus": ("a number written with a Unicode minus or dash, not '-'",
              "write its sign as '-', e.g. sed 's/\\xe2\\x88\\x92/-/g' FILE > NEW for U+2212"),
    "underscore": ("a number with '_' between its digits", "write it without them (1_000 as 1000)"),
    "hex": ("a hexadecimal number", "write it in decimal (0x1F as 31), or give {text} if they are codes"),
    "wide": ("a number written with full-width or other non-ASCII digits",
             "write it with the digits 0-9; pandas: df[{column}].str.normalize('NFKC').astype(float)"),
}


def odd_error(name: str, kind: str, cell: str, line: str, target: bool = False) -> ValidationError:
    """The refusal of a column made text by `cell` (its `kind`, as written, on `line`: 'line 14')."""
    what, how = KINDS[kind]
    column = short(name)
    if target and kind == "big":                    # a target is not left out: it is what is learnt
        how = "write it as a float in the file (e.g. {float})"
    how = how.format(drop=give("drop", column=column), text=give("text", column=column), column=column,
                     float=_float(cell) if kind == "big" else "")
    whose = f"target column {column}" if target else f"column {column}"
    becomes = ("a class per number, not a regression" if target else "with one category per number")
    if target:
        from .textnumbers import as_classes
        how = f"{how}, {as_classes()}"
    return ValidationError(f"{whose} holds {what} ({short(cell)} on {line}), which pandas.read_csv reads as text, "
                           f"so the column would be read as text, {becomes}: {how}")
