"""The cells read as missing: NA_MARKERS, the user's --na-values, and, column by column, not a cell a
model learnt as a category (the text 'nan' of a DataFrame's categorical): one rule for `read_csv`,
`iter_chunks` and the ONNX graph (onnx_tabular), which reads such a cell as its category too."""
from __future__ import annotations

import shlex
from collections.abc import Collection, Mapping, Sequence
from typing import Any

#: the cells that mean "missing" (besides a user's --na-values): pandas' own list also takes None,
#: null, NULL, n/a, N/A, #N/A, -NaN, ... and so rewrote real categories such as 'None' with --impute
NA_MARKERS = ("", "NA", "NaN", "nan")
#: pandas.read_csv's own missing markers (its default na_values) that chainrule reads as text: named where a
#: column holds them, so that the difference from pandas is said, with the --na-values that reads them as pandas does
PANDAS_ONLY = ("#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "<NA>", "N/A",
               "NULL", "None", "n/a", "null")


def pandas_missing(values: Collection) -> list[str]:
    """The values among `values` (a column's categories) that pandas.read_csv reads as missing by default and
    chainrule reads as text, in PANDAS_ONLY's order."""
    found = {str(v) for v in values}
    return [m for m in PANDAS_ONLY if m in found]


def pandas_note(values: Collection, given: Sequence[str] | None = None) -> str:
    """'' or the note that a column's categories `values` hold cells pandas reads as missing (train's column lines);
    the --na-values it gives keeps those `given` (the option replaces, it does not add)."""
    found = pandas_missing(values)
    if not found:
        return ""
    shown = " and ".join(map(repr, found[:3])) + (f" (and {len(found) - 3} more)" if len(found) > 3 else "")
    return (f"; {shown} kept as {'a category' if len(found) == 1 else 'categories'}, which pandas.read_csv reads as "
            f"missing: give --na-values '{','.join([*(given or []), *found])}' to read "
            f"{'it' if len(found) == 1 else 'them'} so")


def given_markers(na_values) -> list[str]:
    """The user's --na-values (a string or a list) as a list: what a reading records of them (attrs["csv"])."""
    return [na_values] if isinstance(na_values, str) else list(na_values or [])


def na_markers(na_values, pandas_markers: bool = False, kept: Mapping[str, Collection[str]] | None = None,
               columns: Sequence[str] = ()) -> dict:
    """read_csv's arguments for the cells read as missing: NA_MARKERS and the user's `na_values` (a
    string or a list); with `pandas_markers`, pandas' own list instead of NA_MARKERS (a model file
    written before the markers were kept was trained so). `kept`: per column, the categories a model
    learnt (a marker among them is read as that category in that column; `columns`: the file's header)."""
    extra = given_markers(na_values)
    if pandas_markers:
        return {"na_values": extra or None, "keep_default_na": True}
    markers = [*NA_MARKERS, *extra]
    learnt = {c: set(map(str, kept[c])) & set(markers) for c in columns if kept and c in kept}
    if not any(learnt.values()):
        return {"na_values": markers, "keep_default_na": False}
    return {"na_values": {c: [m for m in markers if m not in learnt.get(c, ())] for c in columns},
            "keep_default_na": False}


def learnt(pre) -> dict[str, list[str]]:
    """The categories of a model's text columns, as `na_markers` takes them (`kept`)."""
    return {c: [str(v) for v in pre.categories.get(c, [])] for c in pre.text}


#: the longest marker na_advice advises (a cell longer than this is no marker), and the longest list of them: the
#: advice is pasted as it is, so it is the whole list or none (a column with more text than that is text)
MARKER_CHARS = 60
ADVICE_CHARS = 200


def option_reads(cell: object) -> bool:
    """Whether --na-values can read `cell` as missing: the option splits its text at commas and strips each marker,
    so a cell ',' or 'n/a ' (a spreadsheet's trailing space) it cannot give. One rule for every advice to use it
    (train's refusal of a column of numbers but a few cells, predict's of a marker training never met)."""
    return isinstance(cell, str) and cell != "" and cell == cell.strip() and "," not in cell


def na_advice(cells: Sequence[object], given: Sequence[str] = ()) -> str | None:
    """The advice that reads each of `cells` (as written) as missing, in its reader's words (--na-values '?,n/a';
    na_values=['?', 'n/a']), or None where one of them cannot be given so (`option_reads`) or is itself too long
    to be a marker: following the advice must read them all, pasted as it is. None too past ADVICE_CHARS: a list
    cut short ('a,b,...') cannot be pasted. The markers `given` already lead it: the option replaces them, it does
    not add to them."""
    from .advice import caller, give
    command = caller() in ("command", "sweep command")

    def value(markers: list[str]) -> str:
        if not command:
            return ", ".join(map(repr, markers))
        joined = ",".join(markers)           # in the shell's words: one word, as written ('a b', "it's", '$x')
        return f"'{joined}'" if "'" not in joined else shlex.quote(joined)

    if not cells or not all(option_reads(c) for c in cells) or any(len(value([str(c)])) > MARKER_CHARS for c in cells):
        return None
    text = list(dict.fromkeys([*given, *map(str, cells)]))
    return give("na values", value=value(text)) if len(value(text)) <= ADVICE_CHARS else None


#: cells that mark a missing value in many published data sets (UCI's '?') but that no reader takes as missing by
#: default: learnt as a class, or a category, of their own unless read with --na-values
MISSING_MARKS = ("?",)


def missing_marks(values: Sequence[object]) -> list:
    """The values among `values` (a column's, as written) that are a MISSING_MARKS, spaces around it or not."""
    return [v for v in values if isinstance(v, str) and v.strip().upper() in MISSING_MARKS]


def marks_fix(marks: Sequence[object], given: Any, then: str, otherwise: str) -> str:
    """What reads `marks` (as written: ' ?' is no '?', no --na-values reads it) as missing, the markers `given`
    kept (the option replaces them), and what follows (`then`); else `otherwise`, and why: one remedy for a target's
    labels and for a column's categories."""
    read = na_advice(list(marks), list(given or ()))
    if read:
        return f"{read[0].lower()}{read[1:]} to read {'it' if len(marks) == 1 else 'them'} as missing ({then})"
    return (f"{otherwise} (the spaces around it are kept as written, so no missing-value marker reads it)")


def warn_marks(name: str, marks: Sequence[object], n: int, first: str, given: Any = ()) -> None:
    """Missing-value markers (`marks`: `missing_marks` of a feature column's values, in `n` rows, the first on line
    `first`, or "row 'b'" of a DataFrame) would be learnt as a category of their own: said once for the column,
    with the --na-values that reads them (the markers `given` kept), as a target's label is."""
    import warnings

    from ..callers import caller_level
    from .advice import give
    from .columns import ColumnWarning
    from .csvfile import short
    from .lines import plural
    from .textnumbers import names_of
    fix = marks_fix(marks, given, f"its cells are then gaps, which {give('impute')} fills",
                    "correct those cells in the file")
    warnings.warn(f"column {short(name)} has {names_of(marks)} in {n} {plural(n, 'row')} (first on {first}), a "
                  "common marker of a missing value (as in UCI's data sets), learnt as a category of its own: if it "
                  f"marks an unknown value, {fix}", ColumnWarning, stacklevel=caller_level())
