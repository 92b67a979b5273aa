"""How a column of a training table is typed, and the cases where the obvious typing is wrong.

A numeric column with a placeholder ('?', 'n/a') reads as text and would become one category per
number; a column of row numbers or IDs is a feature that cannot generalise; a text column with
thousands of values would one-hot encode into gigabytes. Each case is found here, named, and
either refused (when training on it would give wrong results) or capped with a warning.
"""
from __future__ import annotations

import numpy as np

from ..errors import ValidationError
from .csvfile import short

MAX_CATEGORIES = 1000    # a text column keeps at most this many categories (the most frequent), the rest "other"
MIN_ID_ROWS = 10         # fewer rows than this: uniqueness per row says nothing


class ColumnWarning(UserWarning):
    """A column is used, but probably not as meant (an ID, a capped text column)."""


def _line(col, mask) -> int:
    """The file line (the header is line 1) of the first True entry of `mask`."""
    return int(np.flatnonzero(np.asarray(mask))[0]) + 2


def is_numeric(col) -> bool:
    import pandas as pd
    return bool(pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col))


def text_reason(col) -> str:
    """Why a column is text: its first value that is not a number, and its line."""
    import pandas as pd
    values = col.astype("string")
    bad = values.notna() & pd.to_numeric(values, errors="coerce").isna()
    if not bad.any():
        return "chosen as text"
    return f"not numbers, e.g. {short(values[bad].iloc[0])} on line {_line(col, bad)}"


def check_text_column(col, name: str) -> None:
    """Refuse a column pandas read as text that is really numbers with placeholders, or numbers
    with a decimal comma: one-hot encoding it would learn one category per number."""
    import pandas as pd
    values = col.dropna().astype("string").str.strip()
    if len(values) == 0:
        return
    nums = pd.to_numeric(values, errors="coerce")
    ok = nums.notna()
    if ok.sum() == 0:
        comma = pd.to_numeric(values.str.replace(",", ".", regex=False), errors="coerce").notna()
        if comma.mean() > 0.5:
            first = values[comma].iloc[0]
            raise ValidationError(f"column {short(name)} holds numbers with a decimal comma (e.g. {short(first)} on "
                                  f"line {_line(col, col.index.isin(values[comma].index[:1]))}): give --decimal ','")
        return
    if ok.mean() >= 0.5:
        bad = values[~ok]
        kinds = list(dict.fromkeys(bad.tolist()))
        line = _line(col, col.index.isin(bad.index[:1]))
        listed = ", ".join(short(v) for v in kinds[:3]) + (f" and {len(kinds) - 3} more" if len(kinds) > 3 else "")
        raise ValidationError(
            f"column {short(name)} is numbers except {len(bad)} of {len(values)} cells ({listed}; first on line "
            f"{line}), so it would be read as text with one category per number. Give --na-values "
            f"{short(kinds[0])} to read such cells as missing (and --impute to fill them), or --text {short(name)} "
            "to use the column as text categories")


def looks_like_id(col) -> bool:
    """A different value on every row: text that is unique per row, or consecutive integers (a row number)."""
    n = len(col)
    if n < MIN_ID_ROWS or col.isna().any() or col.nunique() != n:
        return False
    if not is_numeric(col):
        return True
    values = col.to_numpy(dtype=float)
    return bool(np.all(np.mod(values, 1) == 0) and values.max() - values.min() == n - 1)


def warn_id(name: str, n: int) -> None:
    import warnings
    warnings.warn(f"column {short(name)} has a different value on each of the {n} rows (an ID or row number?); "
                  f"it is used as a feature, which cannot generalise: leave it out with --drop {short(name)}",
                  ColumnWarning, stacklevel=3)


def categories(col, name: str, max_categories: int | None) -> tuple[list[str], int]:
    """(kept categories sorted, number of categories left out). Past `max_categories`, the most
    frequent are kept and the others become "other" (encoded as all zeros), with a warning."""
    import warnings
    counts = col.value_counts(dropna=True)
    if max_categories is None or len(counts) <= max_categories:
        return sorted(str(v) for v in counts.index), 0
    kept = counts.index[:max_categories]
    rows = int(counts.iloc[max_categories:].sum())
    warnings.warn(f"column {short(name)} has {len(counts)} different values; the {max_categories} most frequent are "
                  f"kept as categories and the other {len(counts) - max_categories} ({rows} rows) count as 'other' "
                  "(raise the limit with --max-categories, or leave the column out with --drop)",
                  ColumnWarning, stacklevel=3)
    return sorted(str(v) for v in kept), len(counts) - max_categories
