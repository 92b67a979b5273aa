"""A later table (predict's, evaluate's, a validation file's) checked against the columns a model was trained on.

Its columns are matched by name: a missing one is named with the file's column it likely is (' income' for
'income'), an extra one refused; its numeric columns are read as finite float64 numbers, a text cell or an
infinite value named by its file line and written as the file writes it.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..errors import ValidationError
from .csvfile import likely, names, short
from .lines import earliest, place, places, written
from .oddnumbers import odd_hint
from .refusals import empty_rows_at_end
from .textnumbers import as_numbers


def rows_of(mask, table: Any = None) -> str:
    """'on lines 3, 5 and 9' (file lines; 'on rows ...' of a DataFrame given as it is) of the True entries of
    `table`'s rows, the first few."""
    return places(table, np.flatnonzero(np.asarray(mask)))


def first_of(mask, table: Any) -> str:
    """'line 3' (or 'row 7' of a DataFrame given as it is) of the first True entry of `table`'s rows in the
    file (`earliest`)."""
    return place(table, earliest(table, mask))


def likely_said(missing: Sequence[str], others: Sequence[str]) -> str:
    """' (the file's ' c' is likely 'c'; ...)': the file's columns `others` (those the model does not read) that the
    `missing` names likely are, each file column said for one name only; '' when none is close."""
    left, said = list(others), []
    for m in missing:
        if (c := likely(m, left)) is not None:
            said.append(f"the file's {short(c)} is likely {short(m)}{other_form(c, m)}")
            left.remove(c)
    return f" ({'; '.join(said)})" if said else ""


def other_form(written: str, name: str) -> str:
    """Where a column's name is the model's in another Unicode form (a Mac's file writes 'é' as 'e' and a
    combining accent, NFD), which prints alike: the code points that differ and the renaming that matches them."""
    import unicodedata
    if written == name or unicodedata.normalize("NFC", str(written)) != unicodedata.normalize("NFC", str(name)):
        return ""
    return (f", the same letters in another Unicode form: {ascii(str(written))} for {ascii(str(name))}; rename it to "
            "the composed form (NFC; Python's unicodedata.normalize('NFC', name))")


def check_columns(pre: Any, df, allow_target: bool = True) -> None:
    """Refuse a table without every column of `pre` (a Preprocessing), or with a column it was not trained on."""
    expected = set(pre.columns)
    present = set(df.columns) - ({pre.target} if allow_target else set())
    missing = [c for c in pre.columns if c not in present]
    extra = [c for c in df.columns if c not in expected and c != pre.target]
    if missing:
        raise missing_columns(pre, missing, list(df.columns))
    if extra:
        which = f"column {short(extra[0])} was" if len(extra) == 1 else f"columns {names(extra, 10)} were"
        raise ValidationError(f"{which} not in the training data: the model expects {names(pre.columns, 20)}")


def missing_columns(pre: Any, missing: list[str], present: Sequence[str] = ()) -> ValidationError:
    """The error for the model's columns `missing` in a file: every one named, with the model's columns, and the
    file's `present` columns they likely are (' income' for 'income': a header "age, income" keeps the space)."""
    which = f"column {short(missing[0])} is" if len(missing) == 1 else f"columns {names(missing, 10)} are"
    hint = likely_said(missing[:5], [str(c) for c in present if c not in pre.columns])
    return ValidationError(f"{which} missing{hint}: the model was trained on columns {names(pre.columns, 20)}")


def numeric_columns(pre: Any, df) -> Iterator[np.ndarray]:
    """`pre`'s numeric columns of `df` as float64 arrays, gaps filled, each checked (numbers, finite)."""
    for c in pre.numeric:
        raw = df[c]
        if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "fiu":    # NumPy numbers: checked as one array
            values = raw.to_numpy(dtype=float)
            if np.isfinite(values).all():
                yield values
                continue
        col = as_numbers(raw)
        bad = col.isna() & raw.notna()
        if bad.any():
            cell = raw.iloc[earliest(df, bad)]     # quoted as text: 400 digits are a Python int to pandas
            raise ValidationError(f"column {short(c)} must be numeric; {first_of(bad, df)} has {short(str(cell))}"
                                  f"{odd_hint(c, cell)}")
        if col.isna().any():
            if c not in pre.fill:
                from .encode import gap_message
                raise empty_rows_at_end(df) or ValidationError(
                    gap_message(pre, c, rows_of(col.isna(), df), col.isna().sum()))
            col = col.astype(float).fillna(pre.fill[c])      # a nullable Int64 column holds no fill of 10.05
        values = col.to_numpy(dtype=float)
        if not np.all(np.isfinite(values)):
            at = earliest(df, ~np.isfinite(values))
            raise ValidationError(f"column {short(c)} has an infinite value on {place(df, at)} "
                                  f"({written(df, at, c)})")
        yield values
