"""Numbers that Python's float() reads but pandas.read_csv keeps as text: a whole number too big for 64 bits
(a 25-digit id), a Unicode minus ('−3'), full-width digits ('１２'), '1_000', hexadecimal '0x1F', a no-break
space around a number. One such cell turns a column of numbers into text; the refusal names that cell (not
the column's first, ordinary one) and how to write it, for the read table and the streamed scan alike.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

import numpy as np

from ..errors import ValidationError, plural
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
    if INTEGER.fullmatch(text):          # by its digits first: int() refuses past 4300 of them
        return "big" if len(text.lstrip("+-").lstrip("0")) > 20 or not -2 ** 63 <= int(text) < 2 ** 64 else None
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


def odd_cell(text: list[str], ok: np.ndarray) -> tuple[np.ndarray, list[str | None]] | None:
    """(which of a column's distinct values, as written, to blame, the kind of each) where such numbers alone make
    it text among plain numbers (`ok`: the values read as numbers); else None: a text column, '?' or 'abc' beside
    them (the old advice), or a column of 0x1F alone (codes). Each value is looked at only as far as needed: a
    column of text is its first unread value's question alone."""
    if not ok.any():
        return None
    unread = np.flatnonzero(~ok)
    kinds: list[str | None] = [None] * len(text)
    for j in unread if len(unread) else range(len(text)):   # all read: those pandas kept as text
        kinds[j] = odd_kind(str(text[j]))
        if kinds[j] is None and not ok[j]:
            return None
    if not len(unread) and not any(kinds):      # 2**63 to 2**64 is uint64 to pandas, text beside a negative
        kinds = _unsigned(text)
    odd = np.array([k is not None for k in kinds], dtype=bool)
    if not odd.any() or (len(unread) and all(odd_kind(str(text[j])) is not None for j in np.flatnonzero(ok))):
        return None
    return odd, kinds


def _unsigned(text: list[str]) -> list[str | None]:
    """'unsigned' for the whole numbers past int64 of a column whose whole numbers include a negative one."""
    whole = [int(t) if INTEGER.fullmatch(t := str(v).strip(" \t")) and len(t) < 22 else None for v in text]
    negative = any(w is not None and w < 0 for w in whole)
    return ["unsigned" if negative and w is not None and w >= 2 ** 63 else None for w in whole]


def _float(cell: str) -> str:
    return repr(float(cell.strip()))              # correctly rounded, as float(int(cell)); 'inf' past float64


def _bytes(char: str) -> str:
    """A character as sed's escapes of its UTF-8 bytes ('\\xc2\\xa0' for U+00A0)."""
    return "".join(f"\\x{b:02x}" for b in char.encode("utf-8"))


#: each kind: (what the cell is, how to write it; {cell}, {float}, {replace}, {code}, {drop}, {text}, {column}
#: filled in)
KINDS = {
    "big": ("a whole number too big for 64-bit integers",
            "if the column is an ID or a code, leave it out with {drop}; if it is a quantity, write it as a float "
            "in the file (e.g. {float})"),
    "unsigned": ("a whole number past 2**63 beside negative ones, too big for signed 64-bit integers",
                 "if the column is an ID or a code, leave it out with {drop}; if it is a quantity, write it as a "
                 "float in the file (e.g. {float})"),
    "spaces": ("a number with a no-break space around it",
               "remove those spaces, {replace} for {code}"),
    "minus": ("a number written with a Unicode minus or dash, not '-'",
              "write its sign as '-', {replace} for {code}"),
    "underscore": ("a number with '_' between its digits", "write it without them ({cell} as {plain})"),
    "hex": ("a hexadecimal number", "write it in decimal ({cell} as {decimal})"),
    "wide": ("a number written with full-width or other non-ASCII digits",
             "write it with the digits 0-9; pandas: df[{column}].str.normalize('NFKC').astype(float)"),
}


def _fill(kind: str, cell: str, column: str) -> dict[str, str]:
    """The values KINDS' advice for `cell` names: the character to replace, the number it is."""
    text = cell.strip(" \t")
    char = next((c for c in text if c in SPACES), "") if kind == "spaces" else text[:1]
    new = "-" if kind == "minus" else ""
    replace = give("replace in file", sed=f"s/{_bytes(char)}/{new}/g", py=f".replace({ascii(char)}, {new!r})")
    return dict(cell=text, replace=replace, code=f"U+{ord(char):04X}" if char else "", column=column,
                float=_float(text) if kind in ("big", "unsigned") else "", plain=text.replace("_", ""),
                decimal=str(int(text, 16)) if kind == "hex" else "",
                drop=give("drop", column=column), text=give("text", column=column))


def _said(kind: str, cell: str, column: str, kept: bool) -> tuple[str, str]:
    """What `cell` (of `kind`) is and how to write it; `kept`: the column cannot be left out (a target, or a
    model's numeric column in a later file), so a whole number is written as a float, never dropped."""
    what, how = KINDS[kind]
    fill = _fill(kind, cell, column)
    finite = fill["float"] not in ("inf", "-inf")
    if kind == "big" and not finite:               # past float64 too: no quantity, an ID
        what, how = f"{what} and for float64 (past 1.8e308)", "it is an ID or a code: leave it out with {drop}"
    if kept and kind in ("big", "unsigned"):
        how = "write it as a float in the file (e.g. {float})" if finite else "as a number it is past float64"
    if kind == "hex" and not kept:
        how += ", or give {text} if they are codes"
    return what, how.format(**fill)


def odd_error(name: str, kind: str, cell: str, line: str, target: bool = False, others: Sequence[str] = (),
              given: Sequence[str] = ()) -> ValidationError:
    """The refusal of a column made text by `cell` (its `kind`, as written, on `line`: 'line 14'); `others`: the
    column's cells that are no numbers at all ('?' beside '−3'), said after it with the --na-values that reads them
    (keeping the markers `given`), unless they are values (`textnumbers.not_missing`)."""
    column = short(name)
    what, how = _said(kind, cell, column, target)   # a target is not left out: it is what is learnt
    whose = f"target column {column}" if target else f"column {column}"
    becomes = ("a class per number, not a regression" if target else "with one category per number")
    if target:
        from .textnumbers import as_classes
        how = f"{how}, {as_classes()}"
    return ValidationError(f"{whose} holds {what} ({short(cell)} on {line}), which pandas.read_csv reads as text, "
                           f"so the column would be read as text, {becomes}: {how}{_beside(others, given)}")


def odd_classes(name: str, kind: str, cell: str, line: str) -> str:
    """The warning for a target read as classes as written, no task given, where `cell` (its `kind`, on `line`)
    is a number pandas keeps as text: a class of its own ('−1' beside '-1'), which is most often not meant."""
    what, how = _said(kind, cell, short(name), True)
    return (f"target column {short(name)} holds {what} ({short(cell)} on {line}), which pandas.read_csv reads as "
            f"text: its values are learnt as classes as written, {short(cell)} a class of its own; {how}; give "
            f"{give('task', task='regression')} if its values are amounts, not classes")


def _beside(others: Sequence[str], given: Sequence[str]) -> str:
    """'' or what to do with the cells that are no numbers beside an odd one: read as missing, or corrected."""
    from .markers import na_advice
    from .textnumbers import not_missing
    if not others:
        return ""
    listed = ", ".join(short(v) for v in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
    advice = None if not_missing(others) else na_advice(others, given)
    return (f"; it holds {listed} too, no {plural(len(others), 'number')}: "
            + (f"{advice[:1].lower()}{advice[1:]} to read such cells as missing" if advice
               else "correct such cells in the file"))


def odd_hint(name: str, cell: object) -> str:
    """': a number written with ...: write it ...' for a cell that a later file (predict's, evaluate's) gives a
    model's numeric column and that pandas does not read as a number, in train's words; '' for any other cell."""
    from .textnumbers import SHEET_ERRORS
    if str(cell).strip().upper() in SHEET_ERRORS:       # a formula that failed: no number to write, as in training
        return (": a spreadsheet error cell, a formula that failed where the sheet was saved; export the sheet again "
                "with its formulas fixed, or leave its row out")
    kind = odd_kind(str(cell))
    if kind is None:
        return ""
    what, how = _said(kind, str(cell), short(name), kept=True)      # the model reads the column: never dropped
    if kind == "big" and how.startswith("as a number"):
        how = f"the model reads column {short(name)} as numbers: correct the cell or leave its row out"
    return f": {what}; {how}"
