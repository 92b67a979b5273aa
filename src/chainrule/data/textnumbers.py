"""Numbers a CSV file writes as text: with a decimal comma or thousands separators, as time spans or
percentages, or with a few placeholders among them. pandas reads such a column as text, which one-hot
encoding would turn into one category per number; each kind is found here (for the read table,
`columns.check_text_column`, and the streamed scan alike) and refused with the reading that works.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ValidationError
from .advice import give, resave
from .csvfile import short

THOUSANDS = re.compile(r"-?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")      # 1,234 and 12,500.5
EUROPEAN = re.compile(r"-?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?")       # 1.234,5 and 1.234.567
#: 1 234 and 12 500,5 (French and SI numbers): a space, or the no-break spaces a spreadsheet writes
SPACED = re.compile("-?[1-9]\\d{0,2}(?:[ \u00a0\u202f]\\d{3})+(?:[.,]\\d+)?")
NO_BREAK = "\u00a0\u202f"


def at_line(line: int | str) -> str:
    """'line 3' of a file line (a number: the streamed scan's), or `place`'s words as they are."""
    return line if isinstance(line, str) else f"line {int(line)}"


def comma_cells(distinct: list[str], ok: np.ndarray, counts: np.ndarray) -> tuple[str, np.ndarray] | None:
    """Whether a column of text is numbers written with a comma, from its distinct cells (stripped),
    which of them are numbers (`ok`) and how often each occurs: ('thousands', which cells) when the
    others with a comma all are numbers with thousands separators (1,234; 12,500.5); ('decimal', ...)
    when cells read as numbers once their comma is a point (1,5), ('decimal.', ...) when some also
    write '.' between thousands (1.234,5); None when not, or when those cells and the numbers are
    half the column or less."""
    import pandas as pd
    texts = pd.Series(distinct, dtype="string")
    other = ~np.asarray(ok, dtype=bool) & texts.str.contains(",", regex=False).to_numpy(dtype=bool)
    thousands = other & texts.str.fullmatch(THOUSANDS.pattern).to_numpy(dtype=bool)
    european = other & texts.str.fullmatch(EUROPEAN.pattern).to_numpy(dtype=bool)
    pointed = texts.where(~european, texts.str.replace(".", "", regex=False)).str.replace(",", ".", regex=False)
    decimal = other & pd.to_numeric(pointed, errors="coerce").notna().to_numpy(dtype=bool)
    half = counts.sum() / 2
    # first: with --decimal ',' alone, 1 234,5 stays text, and the advice would be --decimal ',' again
    spaced = ~np.asarray(ok, dtype=bool) & texts.str.fullmatch(SPACED.pattern).to_numpy(dtype=bool)
    if spaced.any() and counts[ok | spaced | decimal].sum() > half:
        comma = (spaced | decimal) & texts.str.contains(",", regex=False).to_numpy(dtype=bool)
        return ("decimal spaced" if comma.any() else "spaced"), spaced
    if thousands.any() and not (other & ~thousands).any() and counts[ok | thousands].sum() > half:
        return "thousands", thousands
    if decimal.any() and counts[ok | decimal].sum() > half:
        return ("decimal." if european.any() else "decimal"), decimal
    return None


#: each kind `comma_cells` finds: what the numbers hold (the advice.WORDS that read them: its own key)
COMMA_KINDS = {"thousands": "thousands separators", "decimal.": "a decimal comma and '.' between thousands",
               "decimal": "a decimal comma", "spaced": "spaces between thousands",
               "decimal spaced": "a decimal comma and spaces between thousands"}


def dot_numbers(texts: Any) -> bool:
    """Whether every cell is a number written with a '.' decimal: numbers stored as text where the file's marks
    (--decimal ',') read none of them (a target of 50.123s), to be told so rather than taken as one class each."""
    import pandas as pd
    return bool(pd.to_numeric(pd.Series(texts, dtype="string").str.strip(), errors="coerce").notna().all())


def as_numbers(raw: Any, read: dict | None = None) -> Any:
    """A column's cells as numbers, NaN where one is none, as the file's marks (`read`: decimal, thousands) read:
    the one reading of a number column, for training's table and a later file's (predict, evaluate) alike."""
    import pandas as pd
    numbers = raw.dtype.kind in "fiub" or (read or {}).get("decimal", ".") == "." and not (read or {}).get("thousands")
    if not numbers:
        return as_read(raw, read)                                   # text: as the file's marks read
    try:
        return pd.to_numeric(raw, errors="coerce")
    except OverflowError:       # read_csv keeps a whole number of 400 digits as a Python int, past float64
        return pd.to_numeric(raw.mask(raw.map(_past_float64).astype(bool)), errors="coerce")


def _past_float64(value: Any) -> bool:
    """Whether `value` is a Python int that no float64 holds (pandas.to_numeric raises on one: a cell, not a number)."""
    try:
        float(value) if isinstance(value, int) else None
    except OverflowError:
        return True
    return False


def as_read(texts: Any, read: dict | None, strip: bool = True) -> Any:
    """Text cells as numbers the way the file was read (`read`: read_csv's attrs["csv"], its decimal mark and
    thousands separator), NaN where not: a column pandas left as text for one cell that is no number still has
    its other numbers, which are not to be blamed (nor --decimal ',' advised again where it was given). `strip`
    False: the cells as written (' INF' is no number to read_csv, 'INF' is)."""
    import pandas as pd
    read = read or {}
    decimal, thousands = read.get("decimal", "."), read.get("thousands")
    text = pd.Series(texts).astype("string")
    text = text.str.strip() if strip else text
    # not numbers to read_csv: a dot that is neither mark ('1.500' with --decimal ','), a thousands mark after the
    # decimal one ('1,234.5' with --thousands '.')
    unread = text.str.contains(".", regex=False) if "." not in (decimal, thousands) else text.str.len() < 0
    if thousands:
        unread |= text.str.contains(f"{re.escape(decimal)}.*{re.escape(thousands)}", regex=True)
        text = text.str.replace(thousands, "", regex=False)
    if decimal != ".":
        text = text.str.replace(decimal, ".", regex=False)
    return pd.to_numeric(text.mask(unread.fillna(False).astype(bool)), errors="coerce")


def comma_advice(kind: str, read: dict | None) -> str:
    """How to read numbers of `kind` (a `comma_cells` kind) in a file read as `read` says (read_csv's attrs["csv"]:
    its name, sep and encoding; None: not known): a decimal comma in a comma-separated file ("1,5" quoted) cannot
    be read with decimal=',', which no reader here takes beside the separator ','; the file is saved with ';'."""
    read = read or {}
    if read.get("sep") == "," and kind in ("decimal", "decimal.", "decimal spaced"):
        saved = resave(read.get("name"), read.get("encoding"))
        return f"its fields are separated by ',' too: {give(kind + ' sep', **saved)}"
    if kind in MARKS:                  # one of the two marks read already: only the other is named
        decimal, thousands = MARKS[kind]
        if read.get("decimal") == decimal:
            return give({"decimal.": "thousands.", "decimal spaced": "spaced"}[kind])
        if read.get("thousands") == thousands:
            return give("decimal")
    return give(kind)


#: the decimal mark and thousands separator that numbers of each two-mark kind of `comma_cells` need
MARKS = {"decimal.": (",", "."), "decimal spaced": (",", " ")}


def no_break_note(example: str) -> str:
    """What a number written with no-break spaces between thousands needs besides the thousands option: no
    reader here takes a no-break space (two or three bytes) for it."""
    marks = [f"U+{ord(c):04X}" for c in NO_BREAK if c in str(example)]
    if not marks:
        return ""
    return (f" (its spaces are no-break spaces, {' and '.join(marks)}, which no thousands separator reads: make "
            "them plain spaces first, " + give("replace in file", sed="s/\\xc2\\xa0/ /g; s/\\xe2\\x80\\xaf/ /g",
                                               py=".replace('\\xa0', ' ').replace('\\u202f', ' ')") + ")")


def comma_error(name: str, kind: str, example: str, line: int | str, read: dict | None = None) -> ValidationError:
    """The error for a column `comma_cells` finds of `kind`, with an example cell and its line; `read` how the
    file was read (`comma_advice`)."""
    return ValidationError(f"column {short(name)} holds numbers with {COMMA_KINDS[kind]} (e.g. {short(example)} on "
                           f"{at_line(line)}): {comma_advice(kind, read)}{no_break_note(example)}")


def numbers_except(name: Any, n_bad: int, total: int, kinds: list, line: int | str,
                   target: bool = False, given: Sequence[str] = ()) -> ValidationError:
    """The error for a column of numbers but for a few cells (`kinds`, as written, the first on `line`): read as
    text it would get one category per number (train's read and --stream's scan both say it); a `target`'s,
    one class per number, where its missing values are no rows to learn from. The --na-values that reads them all
    is advised where it can (markers.na_advice: not 'n/a ' with its space, nor ','), with the markers `given`
    (the file was read with) that it replaces."""
    from .markers import PANDAS_ONLY, na_advice
    listed = ", ".join(short(v) for v in kinds[:3]) + (f" and {len(kinds) - 3} more" if len(kinds) > 3 else "")
    found = not_missing(kinds)
    if found:               # values, not missing ones: --na-values would lose them
        whose = f"target column {short(name)}" if target else f"column {short(name)}"
        becomes = "a class per number, not a regression" if target else "with one category per number"
        way = as_classes().removeprefix("or ") if target else f"{give('text', column=short(name))} to use the " \
            "column as text categories"
        return ValidationError(
            f"{whose} is numbers except {n_bad} of {total} cells ({listed}; first on {at_line(line)}), so it would "
            f"be read as text, {becomes}; {found}, values, not missing ones: correct such cells in the file "
            "(a yes/no as 1 or 0; a date where a number belongs is most often a number a spreadsheet turned into a "
            f"date, or a row whose fields are shifted), or {way}")
    pandas = (f" ({'it is' if len(kinds) == 1 else 'they are'} missing to pandas.read_csv by default, text to "
              "chainrule unless told)") if all(str(k) in PANDAS_ONLY for k in kinds) else ""
    advice = na_advice(kinds, given)
    errors = [k for k in kinds if str(k).strip().upper() in SHEET_ERRORS]
    if errors:              # a formula that failed: said as such, its fix first, then the exact text to read as missing
        are = "a spreadsheet error cell" if len(errors) == 1 else "spreadsheet error cells"
        which = "" if len(errors) == len(kinds) else f"{names_of(errors)} {'is' if len(errors) == 1 else 'are'} "
        listed += f"; {which}{are}, a formula that failed where the sheet was saved"
        advice = advice and f"Export the sheet again with its formulas fixed, or {advice[0].lower()}{advice[1:]}"
    if target:
        way = (f"{advice} to read such cells as missing (a row without a target is then refused: delete those "
               "rows), " if advice else "Delete the rows that hold them, ")
        return ValidationError(
            f"target column {short(name)} is numbers except {n_bad} of {total} cells ({listed}; first on "
            f"{at_line(line)}), so it would be read as text, a class per number, not a regression. "
            f"{way}{as_classes()}{pandas}")
    way = f"{advice} to read such cells as missing (and {give('impute')} to fill them), or " if advice else "Give "
    return ValidationError(
        f"column {short(name)} is numbers except {n_bad} of {total} cells ({listed}; first on {at_line(line)}), so "
        f"it would be read as text with one category per number. {way}{give('text', column=short(name))} to use "
        f"the column as text categories{pandas}")


#: the error values a spreadsheet (Excel, LibreOffice, Google Sheets) saves in a cell whose formula failed
SHEET_ERRORS = ("#DIV/0!", "#N/A", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!",
                "#GETTING_DATA", "#ERROR!", "ERR:502", "ERR:504", "ERR:522", "ERR:532")


def names_of(cells: Sequence[object]) -> str:
    """'#N/A' or '#N/A' and '#REF!' (the first three, as written)."""
    said = [short(c) for c in cells[:3]]
    return said[0] if len(said) == 1 else f"{', '.join(said[:-1])} and {said[-1]}"


def not_missing(kinds: Sequence[object]) -> str:
    """What the yes/no words and dates among a column's cells that are not numbers (`kinds`) are ("'true' is a
    yes/no word, '2021-03-04' a date"), or '' where there are none: advice to read them as missing would lose
    values."""
    from .columns import boolean_meaning
    from .dates import is_date
    words = [k for k in kinds if boolean_meaning(str(k).strip()) is not None]
    dates = [k for k in kinds if is_date(str(k))]
    if words and dates:
        return f"{short(words[0])} is a yes/no word and {short(dates[0])} a date"
    return f"{short(words[0])} is a yes/no word" if words else f"{short(dates[0])} is a date" if dates else ""


SPAN_SAMPLE = 50        # distinct values `time_spans` tries before it reads them all


def time_spans(distinct) -> int | None:
    """Where a column's distinct text values (stripped) are all time spans as pandas writes them
    ('1 days 02:00:00', '02:00:00', ISO 8601's 'P1DT2H'), the position of the first written so; else
    None. A CSV has no type for them: read as text, each span would be a category of its own."""
    import pandas as pd
    for part in (distinct[:SPAN_SAMPLE], distinct):       # most text columns fail on their first values
        shaped = part.str.contains(r"\d:\d\d|\bdays?\b|^-?P\d", regex=True).to_numpy(dtype=bool)
        if not shaped.any() or pd.to_timedelta(part, errors="coerce").isna().any():
            return None
        if len(part) == len(distinct):
            return int(np.flatnonzero(shaped)[0])
    return None


def as_classes() -> str:
    """The way out of a target's refusal as numbers written as text: its labels learnt as classes after all."""
    return f"or {give('task', task='classification')} to learn its values as classes"


def stored_as_text(name: str, example: str, line: int | str, target: bool = False) -> ValidationError:
    """The error for a column of numbers that was read as text (train's read and --stream's scan both say it);
    a `target`'s would be a class per number, where --text is no way out."""
    if target:
        return ValidationError(f"target column {short(name)} holds numbers stored as text (e.g. {short(example)} on "
                               f"{at_line(line)}), so it would be read as text, a class per number, not a "
                               f"regression: convert it to numbers, {as_classes()}")
    return ValidationError(f"column {short(name)} holds numbers stored as text (e.g. {short(example)} on "
                           f"{at_line(line)}): convert it to numbers, or give {give('text', column=short(name))} to "
                           "use it as text categories")


def _not_numbers(name: str, holds: str, example: str, line: int | str, how: str,
                 target: bool = False) -> ValidationError:
    """The error for a column of numbers written as text (`holds`: what they are), with `how` to write them as
    numbers in the file (train's read and --stream's scan both say it); a `target`'s, neither dropped nor text."""
    if target:
        return ValidationError(f"target column {short(name)} holds {holds} (e.g. {short(example)} on "
                               f"{at_line(line)}), not numbers: as text each value would be a class of its own, not a "
                               f"regression. Write them as numbers in the file ({how}), {as_classes()}")
    return ValidationError(f"column {short(name)} holds {holds} (e.g. {short(example)} on {at_line(line)}), not "
                           "numbers: as text each value would be a category of its own. Write them as numbers in "
                           f"the file ({how}), or give {give('text', column=short(name))} to use them as categories, "
                           f"or {give('drop', column=short(name))}")


def spans_error(name: str, example: str, line: int | str, target: bool = False) -> ValidationError:
    """The error for a column `time_spans` finds."""
    return _not_numbers(name, "time spans", example, line,
                        f"e.g. hours: pandas' pd.to_timedelta(df[{short(name)}]).dt.total_seconds() / 3600", target)


PERCENT = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*%"      # 12%, 12.5 %, -0.5%


def _written_with(distinct, pattern: str) -> int | None:
    """Where a column's distinct text values (stripped) are numbers, some of them written as `pattern` writes
    them, the position of the first so written; else None."""
    import pandas as pd
    written = distinct.str.fullmatch(pattern).to_numpy(dtype=bool)
    if not written.any() or not (written | pd.to_numeric(distinct, errors="coerce").notna().to_numpy(dtype=bool)).all():
        return None
    return int(np.flatnonzero(written)[0])


def percentages(distinct) -> int | None:
    """Where a column's distinct text values (stripped) are numbers, some of them written with a
    percent sign ('12%'), the position of the first so written; else None."""
    return _written_with(distinct, PERCENT)


def percent_error(name: str, example: str, line: int | str, target: bool = False) -> ValidationError:
    """The error for a column `percentages` finds."""
    return _not_numbers(name, "percentages", example, line,
                        f"12% as 12 or 0.12; pandas: df[{short(name)}].str.rstrip('%').astype(float)", target)


#: an amount of money written with its currency's sign before or after it: $3.50, -$1,234.00, 3.50 €, £12; not
#: 3,50 € nor 1,234 € (a decimal comma or its thousands: the advice's pandas line, dropping commas, misreads it)
AMOUNT = (r"[+-]?[$€£¥]\s*[+-]?(?:\d{1,3}(?:,\d{3})+(?:\.\d*)?|\d+(?:\.\d*)?|\.\d+)"
          r"|[+-]?(?:\d+(?:\.\d*)?|\.\d+)\s*[$€£¥]")


def amounts(distinct) -> int | None:
    """Where a column's distinct text values (stripped) are numbers, some of them written with a currency sign
    ('$3.50', as a spreadsheet's currency format saves them), the position of the first so written; else None.
    Read as text, each amount would be a category of its own, as percentages would."""
    return _written_with(distinct, AMOUNT)


def amount_error(name: str, example: str, line: int | str, target: bool = False) -> ValidationError:
    """The error for a column `amounts` finds."""
    return _not_numbers(name, "amounts with a currency sign", example, line,
                        f"$3.50 as 3.50; pandas: df[{short(name)}].str.replace(r'[$€£¥,\\s]', '', regex=True)"
                        ".astype(float)", target)
