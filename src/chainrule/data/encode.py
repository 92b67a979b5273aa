"""A table to the network's inputs, column by column (no loop over rows), in the network's dtype.

Numeric columns become standardised values; each text column becomes one-hot columns through
pandas' categorical codes. With text columns the result is a SciPy CSR matrix built in one pass:
each row holds its numeric values and one 1 per text column (none for a category unseen in
training), so a table with a 2,000-category column takes 44 stored values a row instead of 2,400
dense ones. Without text columns, or with sparse=False, it is a dense array.
"""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from .advice import give
from .csvfile import names, short
from .hints import Markers, comma_hint, marker_hint
from .lines import earliest, missing_values, on_lines, place, places, plural, written
from .numericblock import numeric_values
from .oddnumbers import odd_hint
from .progress import Progress
from .refusals import empty_rows_at_end
from .statistics import standardised
from .textnumbers import as_numbers

INT32_MAX = 2**31 - 1
# Python's None and pandas' NA as text (str(None), and what onnxruntime makes of them in a string
# input): a gap where training learned no such category (and the column is not capped), in a CSV cell
# too, so that `chainrule predict`, a DataFrame and the exported graph (which cannot tell the text
# from None) agree
TEXT_MISSING = ("None", "<NA>")


def _line(mask: np.ndarray, df: Any) -> str:
    """'line 3' (the header is line 1; 'row 7' of a DataFrame given as it is) of the first True entry in the
    file (`earliest`)."""
    return place(df, earliest(df, mask))


def _lines(mask: np.ndarray, df: Any) -> str:
    """'on lines 3, 5 and 9' ('on rows ...' of a DataFrame given as it is) of the True entries, the first few."""
    return places(df, np.flatnonzero(mask))


def gap_message(pre: Any, c: str, lines: str, n: int) -> str:
    """The refusal of `n` missing values in column `c` (`lines`: 'on lines 3 and 5') that the model has no
    fill value for: trained without --impute, or (a file written before a fill value was kept for every
    column) with --impute, in a column that had no gaps."""
    return _no_fill(pre, f"{missing_values(n)} in {short(c)} {lines}", n, "this one")


#: the most columns with gaps a message names (then how many more)
NAMED_GAPS = 8


def gaps_message(pre: Any, found: dict[str, tuple[list[int], int]]) -> str:
    """`gap_message` for the gaps of every column that has some: {column: (its first lines, its count)}, the first
    NAMED_GAPS columns named with their lines (predict and evaluate named the first column only)."""
    if len(found) == 1:
        (c, (lines, n)), = found.items()
        return gap_message(pre, c, on_lines(lines, n), n)
    named = [f"{short(c)} {on_lines(lines, n)}" for c, (lines, n) in list(found.items())[:NAMED_GAPS]]
    more = len(found) - len(named)
    where = "; ".join(named) + (f"; and {more} more {plural(more, 'column')}" if more else "")
    return _no_fill(pre, f"missing values in {len(found)} columns: {where}", 2, "these had none")


def _no_fill(pre: Any, what: str, n: int, had: str) -> str:
    """The refusal of the gaps `what` says (`n` of them) for which the model has no fill value, and the way out."""
    if pre.impute is None:
        return f"{what}; the model was trained without gaps there (train with {give('impute')} to fill them)"
    return (f"{what}; the model was trained with {give('impute as', how=pre.impute)}, but "
            "its file, written by an older chainrule, keeps a fill value only for the columns that had gaps in "
            f"training, and {had}: fill {plural(n, 'it', 'them')} in, or train the model again (which "
            "keeps one for every column)")


def warn_unseen(pre: Any, unseen: dict[str, set], where: str = "") -> None:
    """One `unseen_message` warning for each text column with values in `unseen` ({column: values}), collected over
    a file's chunks; `where`: the rows that hold them ('in the validation rows' of train)."""
    from .tabular import UnseenCategoryWarning
    for c in pre.text:
        if unseen.get(c):
            warnings.warn(unseen_message(c, unseen[c], pre.categories[c], where), UnseenCategoryWarning,
                          stacklevel=caller_level())


class Gaps(ValidationError):
    """Missing values in column `column` that the model has no fill value for, at positions `rows` of the table
    (`why`: what more the message says): a file read in chunks counts them over every chunk (`gap_mask`)."""

    def __init__(self, pre: Any, column: str, rows: np.ndarray, df: Any, why: str = "") -> None:
        self.column, self.rows, self.why = column, rows, why
        super().__init__(gap_message(pre, column, places(df, rows[:5], rows.size), rows.size) + why)


def gap_mask(pre: Any, df: Any, c: str) -> np.ndarray:
    """Which rows of `df` miss a value of the model's column `c`, as numeric_column and text_codes read them."""
    col = df[c]
    gaps = np.array(col.isna(), dtype=bool)
    if c in pre.text and c not in pre.other:
        unlearned = [m for m in TEXT_MISSING if m not in pre.categories[c]]
        gaps |= col.astype("string").isin(unlearned).to_numpy(dtype=bool, na_value=False)
    return gaps


def not_numbers(pre: Any, df: Any) -> list:
    """The distinct cells of the model's numeric columns in `df` that are no numbers (nor gaps): markers, which the
    advice of one --na-values must read all of (hints.marker_hint)."""
    read = df.attrs.get("csv")
    return [v for c in pre.numeric if c in df
            for v in df[c][as_numbers(df[c], read).isna().to_numpy() & df[c].notna().to_numpy()].unique()]


def numeric_column(pre: Any, df: Any, c: str, dtype: Any = np.float64, j: int | None = None) -> np.ndarray:
    """Column `c` (the `j`th of the model's numeric columns, found when None) as float64 standardised values, gaps
    filled as in training, that `dtype` (the network's) can hold (or a clear error)."""
    raw = df[c]
    col = as_numbers(raw, df.attrs.get("csv"))
    missing = col.isna().to_numpy()
    if missing.any():
        bad = missing & raw.notna().to_numpy()
        if bad.any():
            cell, read = raw.iloc[earliest(df, bad)], df.attrs.get("csv")
            cells = [cell, *raw[bad].unique(), *not_numbers(pre, df)]   # the first, then the others of any column
            head = f"column {short(c)} must be numeric; {_line(bad, df)} has {short(str(cell))}"  # a big int quoted
            hint = comma_hint(cell, read) or odd_hint(c, cell)
            if not hint and marker_hint(pre, c, cells, read):
                raise Markers(head, pre, c, cells, read)                 # predict adds its later chunks' markers
            raise ValidationError(head + hint)
        if c not in pre.fill:
            raise empty_rows_at_end(df) or Gaps(pre, c, np.flatnonzero(missing), df)
        col = col.astype(float).fillna(pre.fill[c])     # a nullable Int64 column holds no fill of 10.05
    values = col.to_numpy(dtype=np.float64)
    j = pre.numeric.index(c) if j is None else j
    values = standardised(values, pre.means[j], pre.scales[j])
    finite = np.isfinite(values)
    if not finite.all():
        at = earliest(df, ~finite)
        raise ValidationError(f"column {short(c)} has an infinite value on {place(df, at)} ({written(df, at, c)})")
    big = np.abs(values) > np.finfo(dtype).max          # float32 would make it infinite
    if big.any():
        line, at = _line(big, df), earliest(df, big)
        kind = np.dtype(dtype).name
        raise ValidationError(f"column {short(c)} has a value too large for the model's {kind} on {line}: "
                              f"{raw.iloc[at]} (standardised {values[at]:.3g}; {kind} holds up to "
                              f"{np.finfo(dtype).max:.3g}); scale the column, or "
                              f"{give('train float64')}")
    return values


def unseen_message(c: str, values: Any, categories: Any = (), where: str = "") -> str:
    """The warning for the values of text column `c` unseen in training (`where`: the rows that hold them, as
    train says of its validation rows); where one is a training category but for the spaces around it ('Paris' and
    'Paris ' of a spreadsheet's cells), the two, as pandas and the exported graph read cells as written."""
    values = sorted(values)
    count = f"{len(values)} value" if len(values) == 1 else f"{len(values)} values"
    learnt = {str(k).strip(): k for k in categories}         # (an unseen value is none of them as written)
    spaced = [(v, learnt[str(v).strip()]) for v in values if str(v).strip() in learnt]
    said = "" if not spaced else (f"; {short(spaced[0][0])} is the training category {short(spaced[0][1])} but for "
                                  "the spaces around it: write it as the training file does, spaces too")
    where = f" ({'all ' if len(values) > 1 else ''}{where})" if where else ""
    return f"column {short(c)} has {count} unseen in training, encoded as all zeros: {names(values, 5)}{where}{said}"


def as_typed(categories: list[str], values: Any) -> np.ndarray:
    """Codes of `values` (text as spelled in the file) among `categories` learned from a column that
    pandas read as numbers or booleans ('3' as '3.0' when the column had gaps, '1.50' as '1.5',
    'true' and 'yes' as 'True': columns.boolean_spellings; 'true' and 'YES' as 'yes' of a yes/no column,
    by their meaning: columns.boolean_column), or a DataFrame's categorical; -1 where none matches."""
    import pandas as pd
    index = pd.Index(categories, dtype="string")
    codes = np.full(len(values), -1, dtype=np.intp)
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    ok = np.isfinite(numbers)
    if ok.any():
        codes[ok] = index.get_indexer(pd.Series(numbers[ok]).astype("string"))
        whole = ok & (np.mod(np.where(ok, numbers, 0.0), 1) == 0) & (np.abs(np.where(ok, numbers, 0.0)) < 2**63)
        left = whole & (codes < 0)
        if left.any():
            codes[left] = index.get_indexer(pd.Series(numbers[left].astype(np.int64)).astype("string"))
    from .columns import boolean_meaning
    meant: dict[str, list[int]] = {}                      # each meaning's categories ('yes' and 'True': True)
    for k, category in enumerate(categories):
        if boolean_meaning(category) is not None:
            meant.setdefault(boolean_meaning(category), []).append(k)   # type: ignore[arg-type]
    if meant:
        cells = values.to_numpy(dtype=object, na_value=None)
        for at in np.flatnonzero(codes < 0):
            found = meant.get(boolean_meaning(cells[at]) if cells[at] is not None else None, [])  # type: ignore[arg-type]
            if len(found) == 1:                           # one category means it: that one
                codes[at] = found[0]
    return codes


def text_codes(pre: Any, df: Any, c: str, unseen_warning: type[Warning],
               unseen: dict[str, set] | None = None, none_missing: bool = True) -> np.ndarray:
    """Column `c` as category codes 0..k-1 of the training categories, -1 for a value unseen in
    training (encoded as all zeros; warned unless the column was capped, where that is its 'other').
    `unseen`: a dict that collects the unseen values per column instead of a warning (a file
    read in chunks warns once at its end). `none_missing`: a cell 'None' or '<NA>' the training rows did
    not learn is missing (the exported graph's rule), else it is one more unseen value (a sweep's fold)."""
    import pandas as pd
    col = df[c].astype("string")
    # (a column capped by --max-categories counted them among its 'other' values in training: text there)
    unlearned = [m for m in TEXT_MISSING if m not in pre.categories[c]] if c not in pre.other and none_missing else []
    said = col.isin(unlearned).to_numpy(dtype=bool, na_value=False) if unlearned else None
    if said is not None and said.any():
        col = col.mask(said)
    gaps = col.isna().to_numpy()
    if gaps.any():
        if c not in pre.fill:
            why = "" if said is None or not said.any() else \
                f" (a cell {' or '.join(map(repr, unlearned))} is missing where training saw no such category)"
            raise empty_rows_at_end(df) or Gaps(pre, c, np.flatnonzero(gaps), df, why)
        col = col.fillna(pre.fill[c])
    codes = pd.Index(pre.categories[c], dtype=col.dtype).get_indexer(col)
    missed = codes < 0
    # numbers matched as numbers where the categories are pandas' typed spellings ('10.0') or the
    # table's column holds numbers, not text (a DataFrame read without dtype=str); a text column
    # read as written, given as text, matches exact text only (the exported graph's rule)
    typed = pre.typed is None or c in pre.typed or pd.api.types.is_numeric_dtype(df[c]) \
        or pd.api.types.is_bool_dtype(df[c])
    if missed.any() and typed:
        codes[missed] = as_typed(pre.categories[c], col[missed])
        missed = codes < 0
    if missed.any() and c not in pre.other:
        values = col[missed].unique().tolist()
        if unseen is not None:
            unseen.setdefault(c, set()).update(values)
        else:
            warnings.warn(unseen_message(c, values, pre.categories[c]), unseen_warning, stacklevel=caller_level())
    return codes


def encode(pre: Any, df: Any, dtype: Any = np.float64, sparse: bool = True, rows: np.ndarray | None = None,
           unseen_warning: type[Warning] = UserWarning, unseen: dict[str, set] | None = None,
           none_missing: bool = True) -> Any:
    """The inputs of the rows `rows` of `df` (all, in file order, when None) for the preprocessing
    `pre`: a CSR matrix when there are text columns and `sparse`, else a dense array of `dtype`.
    Inputs larger than the available memory are refused before they are built (MemoryError naming
    the widest columns and the ways out: memory.message)."""
    from .memory import check_fits, message
    dtype = np.dtype(dtype)
    if dtype.name not in ("float64", "float32"):
        raise ValidationError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    from .targets import a_table
    a_table(df, "transform", "pd.DataFrame(X, columns=pre.columns) names an array's columns, in the model's order")
    pre.check_columns(df)
    if rows is not None:
        rows = np.asarray(rows)
        if rows.ndim != 1 or rows.dtype.kind not in "iu" or (rows.size and (rows.min() < 0 or rows.max() >= len(df))):
            raise ValidationError(f"rows must be row positions 0..{len(df) - 1} of the table")
    n = len(df) if rows is None else rows.shape[0]
    sp: Any = None
    dense_why: tuple[str, ...] = ()        # why one-hot columns are dense: the memory refusal's advice
    if pre.text:
        try:
            import scipy.sparse
            sp = scipy.sparse if sparse else None
        except ImportError:          # without SciPy the one-hot columns are dense (more memory, same numbers)
            dense_why = ("no SciPy",)
        if not sparse:
            dense_why = ("sparse=False", *dense_why)
    check_fits(pre, n, dtype, sp is not None, dense_why)
    try:
        if sp is None:
            return _dense(pre, df, dtype, rows, n, unseen_warning, unseen, none_missing)
        return _csr(sp, pre, df, dtype, rows, n, unseen_warning, unseen, none_missing)
    except MemoryError:
        from .memory import available_bytes
        said = message(pre, n, dtype, sp is not None, available_bytes(), dense_why)
        raise MemoryError(f"ran out of memory: {said}") from None


def _dense(pre: Any, df: Any, dtype: np.dtype, rows: np.ndarray | None, n: int, unseen_warning: type[Warning],
           unseen: dict[str, set] | None, none_missing: bool) -> np.ndarray:
    p, t = len(pre.numeric), len(pre.text)
    with Progress("preprocessing", total=p + t, unit="columns") as progress:
        X = np.zeros((n, pre.n_features), dtype=dtype)
        for j, values in enumerate(numeric_values(pre, df, dtype, rows, lambda c, j: numeric_column(pre, df, c, dtype,
                                                                                                  j))):
            X[:, j] = values
            progress.update(j + 1)
        offset = p
        for k, c in enumerate(pre.text):
            codes = text_codes(pre, df, c, unseen_warning, unseen, none_missing)
            codes = codes if rows is None else codes[rows]
            seen = np.flatnonzero(codes >= 0)
            X[seen, offset + codes[seen]] = 1
            offset += len(pre.categories[c])
            progress.update(p + k + 1)
        return X


def _csr(sp: Any, pre: Any, df: Any, dtype: np.dtype, rows: np.ndarray | None, n: int,
         unseen_warning: type[Warning], unseen: dict[str, set] | None, none_missing: bool) -> Any:
    """CSR in one pass. The values are first written as an n x (numeric + text) grid (`fill_grid`:
    4x faster than scattering each column by position); a text column's value is left out where
    its category is (unseen, or 'other' past the cap), and the rows are then closed up in place, a
    block of rows at a time, so the arrays never hold more than the grid."""
    p, t = len(pre.numeric), len(pre.text)
    width = p + t
    with Progress("preprocessing", total=p + t, unit="columns") as progress:
        codes_all = []
        counts = np.full(n, p, dtype=np.int64)
        for c in pre.text:
            codes = text_codes(pre, df, c, unseen_warning, unseen, none_missing)
            codes = codes if rows is None else codes[rows]
            codes_all.append(codes)
            counts += codes >= 0
        nnz = int(counts.sum())
        index = np.int32 if max(nnz, pre.n_features) <= INT32_MAX else np.int64
        indptr = np.zeros(n + 1, dtype=index)
        np.cumsum(counts, out=indptr[1:])
        del counts
        data = np.empty(n * width, dtype=dtype)
        indices = np.empty(n * width, dtype=index)
        grid, cols = data.reshape(n, width), indices.reshape(n, width)
        fill_grid(pre, df, rows, codes_all, grid, cols, progress)
        if nnz < n * width:
            _close_up(grid, cols, codes_all, indptr, p)
        return sp.csr_matrix((data[:nnz], indices[:nnz], indptr), shape=(n, pre.n_features), copy=False)


CLOSE_UP_ROWS = 1 << 16
GRID_ROWS = 4096            # rows of the grid written at a time (a few hundred kB: they stay in the cache)
NUMERIC_AT_ONCE = 4         # numeric columns standardised at a time for the grid (8 bytes a row each)


def fill_grid(pre: Any, df: Any, rows: np.ndarray | None, codes_all: list, grid: np.ndarray, cols: np.ndarray,
              progress: Any = None) -> None:
    """The rows of a CSR matrix as a grid, one value per numeric column and one per text column
    (the 1 of its category, or 0 where its category is left out: unseen, or 'other' past the cap),
    with their columns, for the rows `rows` of `df` (all, in order, when None) and the text columns'
    category codes `codes_all` (already in that order). A block of rows gets every column while it
    is in the cache: a whole column at a time, each row (44 columns: 528 bytes) would pass through
    the cache once per column, and a million rows took 0.75-0.8 s to write instead of 0.25-0.3 s."""
    p, t, n = len(pre.numeric), len(pre.text), grid.shape[0]
    starts = np.cumsum([p] + [len(pre.categories[c]) for c in pre.text])
    numeric_cols = np.arange(p, dtype=cols.dtype)
    blocks = [(a, min(a + GRID_ROWS, n)) for a in range(0, n, GRID_ROWS)]
    for a, b in blocks:
        cols[a:b, :p] = numeric_cols
        for k, codes in enumerate(codes_all):
            part = codes[a:b]
            grid[a:b, p + k] = part >= 0
            cols[a:b, p + k] = starts[k] + np.maximum(part, 0)
    if progress is not None:
        progress.update(t)
    columns = numeric_values(pre, df, grid.dtype, rows, lambda c, j: numeric_column(pre, df, c, grid.dtype, j))
    for g in range(0, p, NUMERIC_AT_ONCE):
        group = [next(columns) for _ in pre.numeric[g:g + NUMERIC_AT_ONCE]]
        for a, b in blocks:
            for q, values in enumerate(group):
                grid[a:b, g + q] = values[a:b]
        if progress is not None:
            progress.update(t + g + len(group))


def _close_up(grid: np.ndarray, cols: np.ndarray, codes_all: list, indptr: np.ndarray, p: int) -> None:
    """Move each row's kept values to its place in the CSR arrays (the grid's own memory, read
    row-major): block by block from the top, a block's values land at or before where it starts,
    so no block overwrites one not yet read."""
    data, indices = grid.reshape(-1), cols.reshape(-1)
    n = grid.shape[0]
    for a in range(0, n, CLOSE_UP_ROWS):
        b = min(a + CLOSE_UP_ROWS, n)
        keep = np.ones((b - a, grid.shape[1]), dtype=bool)
        for k, codes in enumerate(codes_all):
            keep[:, p + k] = codes[a:b] >= 0
        lo, hi = int(indptr[a]), int(indptr[b])
        data[lo:hi] = grid[a:b][keep]        # the right sides are copies: the overlap is safe
        indices[lo:hi] = cols[a:b][keep]
