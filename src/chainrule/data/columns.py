"""How a column of a training table is typed, and the cases where the obvious typing is wrong.

A numeric column with a placeholder ('?', 'n/a') reads as text and would become one category per
number; a column of row numbers or IDs is a feature that cannot generalise; a text column with
thousands of values would one-hot encode into gigabytes. Each case is found here, named, and
either refused (when training on it would give wrong results) or capped with a warning.
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from .advice import give
from .csvfile import short
from .dates import DATES_OUT, all_dates, is_date  # noqa: F401 (is_date: its old home)
from .lines import earliest, place, plural
from .oddnumbers import odd_cell, odd_classes, odd_error, odd_kind
from .opening import wide
from .selection import column_names, select_columns  # noqa: F401 (their old home)
from .textnumbers import (
    amount_error,
    amounts,
    as_read,
    at_line,
    comma_cells,
    comma_error,
    dot_numbers,
    numbers_except,
    percent_error,
    percentages,
    spans_error,
    stored_as_text,
    time_spans,
)

MAX_CATEGORIES = 1000    # a text column keeps at most this many categories (the most frequent), the rest "other"
MIN_ID_ROWS = 10         # fewer rows than this: uniqueness per row says nothing
LEADING_ZERO = r"\s*[+-]?0\d"                                        # 007, 012: not 0, 0.5


class ColumnWarning(UserWarning):
    """A column is used, but probably not as meant (an ID, a capped text column)."""


def _line(col, mask) -> str:
    """'line 3' (the header is line 1; 'row 7' of a DataFrame given as it is) of the first True entry of `mask`
    over `col`'s rows."""
    return place(col, int(np.flatnonzero(np.asarray(mask))[0]))


def is_numeric(col) -> bool:
    import pandas as pd
    return bool(pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col))


def _distinct(values):
    """(code of each cell, its distinct values in order of first appearance, NA included): the
    checks below parse each distinct value once, not every cell."""
    import pandas as pd
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return codes, pd.Series(uniques, dtype=values.dtype)


def text_reason(col) -> str:
    """Why a column is text: its first value that is not a number, and its line."""
    import pandas as pd
    values = col.astype("string")
    codes, distinct = _distinct(values)
    bad = (distinct.notna() & pd.to_numeric(distinct, errors="coerce").isna()).to_numpy(dtype=bool)
    if not bad.any():
        return "chosen as text"
    first = earliest(col, bad[codes])           # the file's first such cell (of a shuffled table too)
    return f"not numbers, e.g. {short(values.iloc[first])} on {place(col, first)}"


#: the words of a yes/no column (and a spreadsheet's Y/N), by meaning (`boolean_spellings`), in any case, as pandas
#: reads 'true', 'TRUE' and 'tRuE': one rule (`boolean_meaning`) for training, `chainrule predict` (encode.as_typed)
#: and the exported graph (onnx_tabular, which lowers the cell's case to match them)
BOOLEAN_WORDS = {"true": "True", "yes": "True", "y": "True", "false": "False", "no": "False", "n": "False"}


def boolean_meaning(text: Any) -> str | None:
    """'True' or 'False' for a yes/no or true/false word in any case, else None."""
    return BOOLEAN_WORDS.get(str(text).lower())


def boolean_spellings(values: Any) -> dict[str, str] | None:
    """{spelling: 'True' or 'False'} for a text column whose distinct `values` are all yes/no or true/false
    words, written more ways than they mean ('true' and 'yes', 'yes' and 'Yes'): read as the booleans they
    are, two categories, as pandas reads a column of 'true' and 'True'; before, each spelling was a category
    of its own, and 'yes' and 'true' two inputs. None for another column ('yes' and 'no' stay as written)."""
    words = {str(v): boolean_meaning(v) for v in values}
    if not words or None in words.values() or len(words) <= len(set(words.values())):
        return None
    return words  # type: ignore[return-value]


def boolean_column(values: Any) -> bool:
    """Whether the distinct `values` are all yes/no or true/false words: the column's categories then stand
    for their meaning, and `chainrule predict` reads another spelling of it ('true' or 'YES' for 'yes') as
    that category (encode.as_typed), where it was unseen."""
    return len(values) > 0 and all(boolean_meaning(v) is not None for v in values)


def check_text_column(col, name: str, read: dict | None = None, target: bool = False) -> None:
    """Refuse a column pandas read as text that is really numbers with placeholders, or numbers
    with a decimal comma or thousands separators: one-hot encoding it would learn one category per number.
    `read`: how the file was read (its name, sep, encoding), which the advice depends on (None: not known).
    `target`: the target of a task not given, whose values would be classes: labels of at most MAX_CLASSES
    values, or that repeat (product codes, years with an 'unknown'), are classes as written ('1,5' and 'N/A' too);
    more, each seen about once, would be a class per number of a regression."""
    values = col.dropna().astype("string")
    if len(values) == 0:
        return
    codes, raw = _distinct(values)

    def first_of(mask: np.ndarray) -> tuple[int, str]:
        i = earliest(values, mask[codes])       # the file's first such cell (of a shuffled table too)
        return int(codes[i]), _line(col, col.index.isin(values.index[i:i + 1]))
    check_text_values(name, raw.tolist(), np.bincount(codes, minlength=len(raw)), first_of, read, target)


def check_text_values(name: str, text: list[str], counts: Any, first_of: Any, read: dict | None = None,
                      target: bool = False) -> None:
    """`check_text_column` from a column's distinct values (`text`, in order of first appearance) and their
    `counts`: one set of checks, and one message, for a column in memory and a streamed column's counts.
    `first_of(mask)`: (which distinct value, its line) of the cell the file shows first among the values in
    `mask`."""
    import pandas as pd

    from .tabular import MAX_CLASSES
    counts = np.asarray(counts, dtype=np.int64)
    total = int(counts.sum())
    if total == 0:
        return
    distinct = pd.Series(text, dtype="string").str.strip()
    ok = as_read(distinct, read).notna().to_numpy(dtype=bool)       # as the file's --decimal, --thousands read them
    if target and (len(text) <= MAX_CLASSES or not one_class_per_value(counts)):
        odd = odd_cell(text, ok)        # classes as written: '−1' one of its own beside '-1', said
        if odd is not None:
            import warnings
            i, line = first_of(odd[0])
            warnings.warn(odd_classes(name, str(odd[1][i]), text[i], at_line(line)), ColumnWarning,
                          stacklevel=caller_level())
        return
    found = comma_cells(distinct.tolist(), ok, counts)
    if found is not None:
        i, line = first_of(found[1])
        raise comma_error(name, found[0], distinct.iloc[i], line, read)
    for find, error in ((time_spans, spans_error), (percentages, percent_error), (amounts, amount_error)):
        at = find(distinct)
        if at is not None:
            i, line = first_of(np.arange(len(text)) == at)
            raise error(name, distinct.iloc[i], line, target)
    odd = odd_cell(text, ok)            # as written: a no-break space is stripped from `distinct`
    if odd is not None:                 # they alone make the column text, among plain numbers
        i, line = first_of(odd[0])
        raise odd_error(name, str(odd[1][i]), text[i], at_line(line), target)
    if not ok.any() and not dot_numbers(distinct):      # text (numbers all with a '.' --decimal ',' reads not: told)
        return
    if ok.all() or not ok.any():
        # the cell shown is one pandas keeps as text as written (' INF', 'inf ': numbers once stripped), read
        # with the file's --decimal and --thousands ('1,5' with --decimal ',' is a number pandas read)
        unread = as_read(text, read, strip=False).isna().to_numpy(dtype=bool)
        i, line = first_of(unread if unread.any() else np.ones(len(text), dtype=bool))
        raise stored_as_text(name, text[i], line, target)
    if counts[ok].sum() / total >= 0.5:
        i, line = first_of(~ok)
        # as written, the first's kind first: 'n/a ' is not what --na-values 'n/a' reads
        kinds = list(dict.fromkeys([text[i], *(text[j] for j in np.flatnonzero(~ok))]))
        given = (read or {}).get("na_values", ())          # the option replaces them: its advice keeps them
        odd_ones = np.array([not k and odd_kind(str(t)) is not None for t, k in zip(text, ok)], dtype=bool)
        if odd_ones.any():      # '−3' beside '?': the odd number named as odd_cell names it, the others after it
            j, at = first_of(odd_ones)
            raise odd_error(name, str(odd_kind(text[j])), text[j], at_line(at), target,
                            [k for k in kinds if odd_kind(str(k)) is None], given)
        raise numbers_except(name, int(counts[~ok].sum()), total, kinds, line, target, given)


def looks_like_id(col) -> bool:
    """A different value on every row: text that is unique per row, or consecutive integers (a row number)."""
    n = len(col)
    if n < MIN_ID_ROWS or col.isna().any():
        return False
    if is_numeric(col):              # the cheap tests first: counting distinct floats costs 60 ms a million rows
        values = col.to_numpy(dtype=float)
        with np.errstate(over="ignore"):             # -1e308 to 1e308: a span of inf, no row number
            span = values.max() - values.min()
        if not (span == n - 1 and np.all(np.mod(values, 1) == 0)):
            return False
    return bool(col.nunique() == n)


def warn_id(name: str, n: int, values: Any = None) -> None:
    """Warn of an ID column; the nameless first column, 'Unnamed: 0', as what it most often is: the index pandas'
    DataFrame.to_csv writes unless told index=False; one of dates (every one of its text `values`, `all_dates`) as
    dates, each a category of its own, which the network cannot place between the ones it saw."""
    import warnings
    what = ("a row number: it looks like a pandas index, which DataFrame.to_csv writes unless given index=False"
            if name == "Unnamed: 0" else "an ID or row number?")
    out = f"leave it out with {give('drop', column=short(name))}"
    if values is not None and all_dates(values):
        what = f"dates, e.g. {short(str(values[0]))}: each one a category of its own"
        out = DATES_OUT + give('drop', column=short(name)) + not_dates(name)
    warnings.warn(f"column {short(name)} has a different value on each of the {n} {plural(n, 'row')} ({what}); it "
                  f"is used as a feature, which cannot generalise: {out}",
                  ColumnWarning, stacklevel=caller_level())


def warn_dates(name: str, counts: Any) -> None:
    """A text column of dates that repeat (a sale's day): each date a category, which the network cannot place
    between the ones it saw, and every later date unseen (all zeros) at predict time. One date a row is said by
    `warn_id`."""
    import warnings
    if len(counts) < 2 or counts.iloc[0] < 2:
        return
    dates = [str(v) for v in counts.index]
    if not all_dates(dates):
        return
    warnings.warn(f"column {short(name)} holds dates (e.g. {short(dates[0])}), {len(dates)} of them: each one a "
                  f"category of its own, and a date training did not see is unseen (all zeros): {DATES_OUT}"
                  f"{give('drop', column=short(name))}{not_dates(name)}", ColumnWarning, stacklevel=caller_level())


def not_dates(name: str) -> str:
    """The way to keep a column that only looks like dates (versions 1.2.10, codes) as text, without the warning."""
    return (f"; if they are no dates (versions such as 1.2.10, codes), {give('text', column=short(name))} keeps the "
            "column as text categories without this warning")


def one_class_per_value(counts: Any) -> bool:
    """Whether labels seen `counts` times each are a continuous quantity's values, not classes: more of them
    than half the rows, or most seen once (amounts: a product code or a year repeats)."""
    counts = np.asarray(counts)
    n, once = len(counts), int(np.count_nonzero(counts == 1))
    return 2 * n > int(counts.sum()) or 2 * once > n


def check_classes(target: str, classes: list, counts: Any, numeric: bool, warn: bool = True,
                  given: Any = ()) -> None:
    """A classification target needs two classes; one with more classes than half its rows, or with
    most classes seen once (a continuous target given --task classification: one class per row,
    nothing to learn), is said, and so are labels that are one label written several ways ('1' and '1.0',
    'Yes' and 'yes '). For `Preprocessing.fit` and `train --stream` alike; `counts`: the rows of each class;
    `given`: the missing-value markers the file was read with (an advice to add one keeps them)."""
    import warnings
    if len(classes) < 2:
        raise ValidationError(f"target column {target!r} has only one class ({classes[0]!r}); "
                              "a classifier needs at least two")
    if not warn:
        return
    counts = np.asarray(counts)
    n, rows, once = len(counts), int(counts.sum()), int(np.count_nonzero(counts == 1))
    if rows >= MIN_ID_ROWS and one_class_per_value(counts):
        why = (f"a regression target? ({give('task', task='regression')})" if numeric else
               "too few rows of each class to learn them (an ID or free text?)")
        warnings.warn(f"target column {short(target)} has {n} classes for {rows} rows ({once} seen once): {why}",
                      ColumnWarning, stacklevel=caller_level())
    from .targets import warn_equal_numbers, warn_label_spellings, warn_sheet_errors  # (targets imports this module)
    warn_equal_numbers(target, classes)
    warn_label_spellings(target, classes)
    warn_sheet_errors(target, classes, given)


def categories(col, name: str, max_categories: int | None, training: bool = False,
               warn: bool = True, text: bool = False) -> tuple[list[str], int]:
    """(kept categories sorted, number of categories left out). Past `max_categories`, the most
    frequent are kept and the others become "other" (encoded as all zeros), with a warning.
    `training`: `col` holds the training rows only (the validation rows are held out): said so.
    `warn=False`: the cap is not said (Preprocessing.fit's `warn`). `text`: the user named the column as text
    (text_columns, --text): dates or not, no dates warning."""
    import warnings
    counts = col.value_counts(dropna=True)
    if warn and not text:
        warn_dates(name, counts)
    if max_categories is None or len(counts) <= max_categories:
        return sorted(str(v) for v in counts.index), 0
    kept = counts.index[:max_categories]
    rows = int(counts.iloc[max_categories:].sum())
    if not warn:
        return sorted(str(v) for v in kept), len(counts) - max_categories
    where = " in the training rows" if training else ""
    other, k = len(counts) - max_categories, max_categories
    warnings.warn(f"column {short(name)} has {len(counts)} different values{where}; the {k} most frequent "
                  f"{plural(k, 'is', 'are')} kept as {plural(k, 'a category', 'categories')} and the other {other} "
                  f"({rows} {plural(rows, 'row')}) {plural(other, 'counts', 'count')} as 'other' (raise the limit "
                  f"with {give('max categories')}, or leave the column out with {give('drop any')})",
                  ColumnWarning, stacklevel=caller_level())
    return sorted(str(v) for v in kept), len(counts) - max_categories


def zero_led(data: bytes, sep: str, encoding: str | None = None) -> bool:
    """Whether a field of these bytes may begin with a 0 and a digit (007, which pandas reads as 7):
    a target's labels written so are read again as written (labels_as_written). Counted
    in blocks, with NumPy; True for UTF-16 and UTF-32 text, whose bytes are not counted."""
    if wide(encoding):
        return True
    arr = np.frombuffer(data, dtype=np.uint8)
    for i in range(1, arr.size - 1, 1 << 22):
        block = arr[i - 1:i + (1 << 22) + 1]
        pairs = block[1:-1] == 48                        # a 0 followed by a digit (uint8: '0' - 48 wraps)
        pairs &= (block[2:] - np.uint8(48)) < 10
        before = block[np.flatnonzero(pairs)]             # the byte before each such 0
        if np.any((before == ord(sep)) | (before == 10) | (before == 13) | (before == 34)):
            return True
    return False


ZERO_BLOCK = 1 << 24     # file_zero_led reads a file in blocks of this many bytes


def file_zero_led(source: Any, sep: str, encoding: str | None = None) -> bool:
    """`zero_led` of a whole file (a path, or an open binary file), read in blocks: a field cut
    between two blocks (0|07) is seen too."""
    from .opening import open_csv
    with (source if hasattr(source, "read") else open_csv(source)) as f:
        last = b""
        while block := f.read(ZERO_BLOCK):
            if zero_led(last + block[:2], sep, encoding) or zero_led(block, sep, encoding):
                return True
            last = (last + block[-2:])[-2:]
    return False


def may_be_zero_led(task: str | None, n_values, zero_led) -> bool:
    """Whether a target read as whole numbers is worth reading again as written: the target is
    classes (`task`, or at most MAX_CLASSES values, `n_values()`) and the file has a field such as
    007 (`zero_led()`, a pass over its bytes): each asked only when the one before says yes, so a
    regression target, or a file without such fields, costs nothing more."""
    from .tabular import MAX_CLASSES
    return task != "regression" and (task == "classification" or n_values() <= MAX_CLASSES) and zero_led()


def labels_as_written(df, target: str, task: str | None, text_columns, read_again,
                      source: Any) -> tuple[Any, str | None]:
    """(df, None), or the table with its target's labels as the file writes them and a line that
    says so: a target pandas read as whole numbers, of which the file spells some with leading
    zeros (007, 012: predictions would be written 7 and 12, '007' and '7' one class), is read
    again as text, as --text TARGET reads it. `read_again(columns)` reads those columns of the file
    again, as text (read_csv's usecols: the target alone is parsed) when `may_be_zero_led`, its
    bytes looked at first in `source()` (the file, or an open copy of it). A target pandas read as
    booleans (true/false, TRUE/FALSE) is read again so too, without a line: its classes are the
    words as written, which predict writes back and --class-weight names, not True and False."""
    import pandas as pd
    y = df[target] if target in df.columns else None
    if y is not None and target not in text_columns and task != "regression" and pd.api.types.is_bool_dtype(y):
        df[target] = read_again([target])[target].to_numpy()
        return df, None
    read = df.attrs.get("csv", {})
    if (y is None or target in text_columns or not pd.api.types.is_integer_dtype(y) or not may_be_zero_led(
            task, lambda: y.nunique(), lambda: file_zero_led(source(), read.get("sep", ","), read.get("encoding")))):
        return df, None
    spelled = read_again([target])[target]
    led = spelled.str.match(LEADING_ZERO).to_numpy(dtype=bool, na_value=False)
    if not led.any():
        return df, None
    df[target] = spelled.to_numpy()
    return df, written_label(target, [spelled[led].iloc[0]], _line(df, led))      # df's rows: the file's lines


def written_label(target: str, labels, line: int | str | None = None) -> str | None:
    """The line that says a target's labels are kept as written, if one of `labels` (text) is a
    number with leading zeros; else None."""
    led = next((v for v in labels if re.match(LEADING_ZERO, str(v))), None)
    if led is None:
        return None
    return (f"target column {short(target)}: class labels as the file writes them ({short(led)}"
            f"{f' on {at_line(line)}' if line else ''}: a number with leading zeros, which would be {int(led)})")
