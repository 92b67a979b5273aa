"""The first pass over a CSV file read in chunks: per column, what `Preprocessing.fit` needs from
the whole table, accumulated in memory that does not grow with the number of rows.

A numeric column keeps its count, mean and sum of squared deviations (merged chunk by chunk:
Chan, Golub and LeVeque's pairwise update), the lines of its first gaps and what tells an ID
column; a text column keeps each value's count and first line (its categories, its most
frequent value, the first value that is not a number). pandas types each chunk on its own, so a
column is typed from all of its chunks: integers in one chunk and decimals in another are
decimals, as in the whole file; a column that is numbers in one chunk and text in another
raises `Mixed`, and the caller reads the file again with that column as text, as pandas reads it
whole (its cells then keep their own spelling, e.g. '1.50', which a chunk of numbers loses).

Given the training rows of each chunk (`update`'s `train`), the statistics (mean and spread, the
values for a median or mode, the value counts a text column's categories and fill come from)
are the training rows' alone, as `Preprocessing.fit(..., train=...)` learns them; the type, gaps,
ID test, value counts for the checks and a target's classes stay the whole column's.
"""
from __future__ import annotations

from typing import IO, Any

import numpy as np

from ..errors import ValidationError
from .csvfile import short
from .lines import cell_text, on_lines
from .statistics import mean_and_m2

#: beyond this magnitude a column's squares may overflow float64: it is summed in units of its largest value
BIG = 1e100

SHOWN_LINES = 5           # file lines kept per column for error messages (as applying.rows_of shows)
U64 = 1 << 64



def at_lines(col: Any, positions: Any, line0: int) -> np.ndarray:
    """The file lines of a chunk's rows at `positions`: through the chunk's line map where it has one
    (blank lines, cells over several lines), else `line0` (its first row's line) + position."""
    from .lines import file_lines
    if getattr(col, "attrs", {}).get("lines") is not None:
        return file_lines(col, positions)
    return np.asarray(positions, dtype=np.int64) + line0

class Mixed(Exception):
    """A column read as numbers in one chunk and as text in another."""

    def __init__(self, column: str):
        super().__init__(column)
        self.column = column


def chunk_kind(col: Any, empty: bool) -> str | None:
    """'int', 'float', 'bool' or 'text' as pandas typed this chunk of a column; None when the chunk
    holds no value (pandas reads an empty chunk of any column as float)."""
    import pandas as pd
    if empty:
        return None
    if pd.api.types.is_bool_dtype(col.dtype):
        return "bool"
    if pd.api.types.is_numeric_dtype(col.dtype):
        return "int" if pd.api.types.is_integer_dtype(col.dtype) else "float"
    if col.dtype == object and pd.api.types.infer_dtype(col, skipna=True) == "boolean":
        return "bool"                    # True/False with gaps: object dtype, still booleans
    return "text"


def whole_kind(kinds: set[str]) -> str | None:
    """The type pandas gives the whole column whose chunks have `kinds`; None when they mix numbers
    (or booleans) with text, which pandas would have kept as text as spelled in the file."""
    if kinds <= {"int"}:
        return "int" if kinds else "float"
    if kinds <= {"int", "float"}:
        return "float"
    if len(kinds) == 1:
        return next(iter(kinds))
    return None


def as_python(keys: list, kind: str | None) -> list:
    """Values counted from chunks as the whole column holds them (ints of an int chunk become floats
    in a column of decimals), as Python objects (what `Series.tolist()` gives)."""
    import pandas as pd
    dtype = {"int": "int64", "float": "float64"}.get(kind or "", object)
    return pd.Series(keys, dtype=dtype).tolist()


def as_strings(keys: list, kind: str | None) -> list[str]:
    """The values as `Series.astype("string")` spells them for the whole column."""
    import pandas as pd
    dtype = {"int": "int64", "float": "float64"}.get(kind or "", object)
    return [str(s) for s in pd.Series(keys, dtype=dtype).astype("string").tolist()]


class ColumnScan:
    """One column's summary over the chunks read so far."""

    def __init__(self, name: str, count_values: bool = False, value_cap: int | None = None,
                 spool: IO[bytes] | None = None):
        self.name = name
        self.kinds: set[str] = set()
        self.rows = 0
        self.missing = 0
        self.missing_lines: list[int] = []
        self.count_values = count_values       # counted whatever their type (a --text column, the target)
        self.value_cap = value_cap             # stop counting past this many numeric values (a regression target)
        self.capped = False
        self.counts: dict[Any, int] = {}       # value -> count, in order of first appearance
        self.first: dict[Any, int] = {}        # value -> its first file line
        self.train_counts: dict[Any, int] = {}     # the same over the training rows
        self.train_first: dict[Any, int] = {}
        self.train_rows, self.train_missing = 0, 0
        self.gap_weight = 0.0                       # the training rows' gaps, weighed (counted without weights)
        self.train_gap_line: int | None = None      # the first gap among the training rows
        self.n, self.mean, self.m2 = 0.0, 0.0, 0.0   # numeric values present in the training rows (their weight)
        self.unit, self.mean_u, self.m2_u = 0.0, 0.0, 0.0     # beyond BIG: the mean and m2 in units of `unit`
        self.integral = True
        self.lo, self.hi = np.inf, -np.inf
        self.train_lo, self.train_hi = np.inf, -np.inf     # the same over the training rows (weight above 0)
        self.id_sums: list[int] | None = [0, 0]      # sums of (v - v0) and (v - v0)^2 modulo 2^64
        self.v0: float | None = None
        self.spool = spool                     # the numeric values present, for a median or mode

    @property
    def kind(self) -> str | None:
        return whole_kind(self.kinds)

    def update(self, col: Any, line0: int, train: np.ndarray | None = None, weight: np.ndarray | None = None,
               index: int | None = None) -> None:
        """Add a chunk of the column whose first row is file line `line0`; `train`: which of its
        rows are training rows (default all), the ones the statistics come from; `index`: its field in the file's
        rows, to quote an infinite cell as written; `weight`: each
        row's sample weight, which the mean and spread weigh (rows of weight 0: not in `train`)."""
        missing = col.isna().to_numpy()
        gaps = int(missing.sum())
        self.gaps(col, missing, gaps, line0, train, weight)
        kind = chunk_kind(col, gaps == len(col))
        if kind is None:
            return
        self.typed(kind)
        if kind in ("int", "float"):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                at = int(np.flatnonzero(infinite)[0])
                line = int(at_lines(col, [at], line0)[0])
                info = getattr(col, "attrs", {}).get("csv") or {}
                text = None if index is None else cell_text(info.get("name"), info.get("sep"), info.get("encoding"),
                                                            line, index)
                raise ValidationError(f"column {self.name!r} has an infinite value on line {line} "
                                      f"({short(str(col.iloc[at]) if text is None else text)})")
            present = values[~missing] if gaps else values
            self.numbers(values, missing, gaps, train, weight, float(present.min()), float(present.max()),
                         bool(np.all(np.floor(present) == present)))
        if kind in ("text", "bool") or self.count_values:
            self._count(col, line0, train)

    def gaps(self, col: Any, missing: np.ndarray, gaps: int, line0: int, train: np.ndarray | None,
             weight: np.ndarray | None) -> None:
        """A chunk's rows and gaps (`missing`, `gaps` of them; `col`: the chunk or its column, for their lines)."""
        self.rows += len(missing)
        self.train_rows += len(missing) if train is None else int(np.count_nonzero(train))
        if not gaps:                         # (most columns: nothing more to count)
            return
        self.missing += gaps
        if len(self.missing_lines) < SHOWN_LINES:
            self.missing_lines += at_lines(col, np.flatnonzero(missing)[:SHOWN_LINES], line0).tolist()
            del self.missing_lines[SHOWN_LINES:]
        train_gaps = missing if train is None else missing & train
        self.train_missing += int(np.count_nonzero(train_gaps))
        self.gap_weight += float(np.count_nonzero(train_gaps) if weight is None else weight[train_gaps].sum())
        if self.train_gap_line is None and train_gaps.any():
            self.train_gap_line = int(at_lines(col, np.flatnonzero(train_gaps)[:1], line0)[0])

    def typed(self, kind: str) -> None:
        """A chunk typed `kind` (`chunk_kind`): `Mixed` where the chunks so far mix numbers and text."""
        self.kinds.add(kind)
        if self.kind is None:
            raise Mixed(self.name)

    def numbers(self, values: np.ndarray, missing: np.ndarray, gaps: int, train: np.ndarray | None,
                weight: np.ndarray | None, lo: float, hi: float, integral: bool) -> None:
        """A numeric chunk's values (float64, finite, NaN at its `gaps` gaps `missing`), with the least and
        largest present and whether they are all whole numbers."""
        present = values[~missing] if gaps else values
        self._numbers(present, gaps, lo, hi, integral)
        trained = present if train is None else values[train & ~missing]
        if trained.size:
            self._moments(trained, None if weight is None else weight[~missing if train is None else
                                                                      train & ~missing],
                          (lo, hi) if train is None else None)

    def _moments(self, values: np.ndarray, w: np.ndarray | None = None,
                 span: tuple[float, float] | None = None) -> None:
        """The training rows' values present: mean and squared deviations merged (each value counted
        its weight `w` times when given: n is then the weights' sum), the spool written; `span`: their least and
        largest where known."""
        k = values.shape[0] if w is None else float(w.sum())
        lo, hi = (float(values.min()), float(values.max())) if span is None else span
        self.train_lo, self.train_hi = min(self.train_lo, lo), max(self.train_hi, hi)
        total = self.n + k
        if self.unit or max(-lo, hi) > BIG:
            self._in_units(values, k, max(-lo, hi), w)
        else:
            mean, m2 = mean_and_m2(values, w)
            delta = mean - self.mean
            self.mean += delta * k / total
            self.m2 += m2 + delta * delta * self.n * k / total
        self.n = total
        if self.spool is not None:
            self.spool.write(values.tobytes())

    def _numbers(self, values: np.ndarray, gaps: int, lo: float, hi: float, integral: bool) -> None:
        """Every row's values present (`lo` the least, `hi` the largest, `integral` all whole numbers or not): whole
        numbers or not, the range, what tells an ID."""
        self.integral = self.integral and integral
        self.lo, self.hi = min(self.lo, lo), max(self.hi, hi)
        if self.id_sums is not None:            # a row number or ID: consecutive integers, each once
            if gaps or self.missing or not self.integral or self.hi - self.lo >= 2**52:
                self.id_sums = None
                return
            if self.v0 is None:
                self.v0 = float(values[0])
            d = (values - self.v0).astype(np.int64).view(np.uint64)
            self.id_sums[0] = (self.id_sums[0] + int(d.sum(dtype=np.uint64))) % U64
            self.id_sums[1] = (self.id_sums[1] + int((d * d).sum(dtype=np.uint64))) % U64

    def _in_units(self, values: np.ndarray, k: float, peak: float, w: np.ndarray | None = None) -> None:
        """The same update in units of the largest value so far, for a column with values beyond BIG
        (near 1e300 their squares, or a chunk's sum, overflow float64), as Preprocessing.fit divides
        such a column by its largest value in memory."""
        if not self.unit:                      # the state so far, in those units
            self.unit = peak
            self.mean_u, self.m2_u = self.mean / peak, self.m2 / peak / peak
        elif peak > self.unit:
            r = self.unit / peak
            self.unit, self.mean_u, self.m2_u = peak, self.mean_u * r, self.m2_u * r * r
        mean, m2 = mean_and_m2(values / self.unit, w)
        total = self.n + k
        delta = mean - self.mean_u
        self.mean_u += delta * k / total
        self.m2_u += m2 + delta * delta * self.n * k / total
        self.mean = self.unit * self.mean_u

    def _count(self, col: Any, line0: int, train: np.ndarray | None) -> None:
        import pandas as pd
        if self.capped:
            return
        codes, uniques = pd.factorize(col)                  # in order of first appearance; gaps -1
        values = uniques.tolist()
        _merge(self.counts, self.first, values, codes, col, line0, None)
        _merge(self.train_counts, self.train_first, values, codes, col, line0, train)
        if self.value_cap is not None and len(self.counts) > self.value_cap and self.kind in ("int", "float"):
            self.capped, self.counts, self.first, self.train_counts, self.train_first = True, {}, {}, {}, {}

    # -- what the whole column was ---------------------------------------------------------
    def std(self) -> float:
        if self.unit:
            return float(self.unit * np.sqrt(self.m2_u / self.n))
        return float(np.sqrt(self.m2 / self.n)) if self.n else 0.0

    def filled(self, fill: float) -> tuple[float, float]:
        """(mean, standard deviation) of the (training rows') column with its gaps filled with `fill`."""
        n, gaps = self.n, self.gap_weight
        total = n + gaps
        if self.unit:                          # in units of the largest value (`_in_units`)
            d = fill / self.unit - self.mean_u
            mean_u = self.mean_u + d * gaps / total
            return self.unit * mean_u, float(self.unit * np.sqrt((self.m2_u + d * d * n * gaps / total) / total))
        delta = fill - self.mean
        mean = self.mean + delta * gaps / total
        m2 = self.m2 + delta * delta * n * gaps / total
        return mean, float(np.sqrt(m2 / total))

    def looks_like_id(self, min_rows: int) -> bool:
        """`columns.looks_like_id` on the whole column: a different value on every row, and for
        numbers consecutive integers (checked by their count, range and first two moments)."""
        if self.rows < min_rows or self.missing:
            return False
        if self.kind not in ("int", "float"):
            return len(self.counts) == self.rows and not self.capped
        if self.id_sums is None or self.hi - self.lo != self.rows - 1 or self.v0 is None:
            return False
        a, b = int(self.lo - self.v0), int(self.hi - self.v0)

        def squares(x: int) -> int:
            return x * (x + 1) * (2 * x + 1) // 6
        return self.id_sums == [((a + b) * (b - a + 1) // 2) % U64, (squares(b) - squares(a - 1)) % U64]

    def strings(self, fill: str | None = None, train: bool = False,
                words: dict[str, str] | None = None) -> tuple[list[str], list[int], list[int]]:
        """(values as text, counts, first lines), in order of first appearance, of every row or
        (`train`) of the training rows; the gaps counted as `fill` when given (its first line the
        earlier of its own and the first gap's). `words`: spellings counted as the value they mean
        (columns.boolean_spellings: 'yes' and 'true' as 'True')."""
        counted, firsts = (self.train_counts, self.train_first) if train else (self.counts, self.first)
        merged: dict[str, list[int]] = {}
        for key, spelled in zip(counted, as_strings(list(counted), self.kind)):
            value = words.get(spelled, spelled) if words else spelled
            was = merged.setdefault(value, [0, firsts[key]])
            was[0], was[1] = was[0] + counted[key], min(was[1], firsts[key])
        text = list(merged)
        counts = [merged[t][0] for t in text]
        first = [merged[t][1] for t in text]
        gaps, gap_line = (self.train_missing, self.train_gap_line) if train else \
            (self.missing, self.missing_lines[0] if self.missing_lines else None)
        if fill is not None and gaps:
            i = text.index(fill)
            counts[i] += gaps
            first[i] = min(first[i], gap_line if gap_line is not None else first[i])
        order = sorted(range(len(text)), key=first.__getitem__)
        return [text[i] for i in order], [counts[i] for i in order], [first[i] for i in order]


def _merge(counts: dict[Any, int], firsts: dict[Any, int], values: list, codes: np.ndarray, col: Any, line0: int,
           train: np.ndarray | None) -> None:
    """Add a chunk's value counts (`codes` into `values`, gaps -1) and each value's first file line,
    over its rows `train` (default all), to `counts` and `firsts`."""
    at = None if train is None else np.flatnonzero(train)
    if at is not None:
        codes = codes[at]
    valid = codes >= 0
    n = np.bincount(codes[valid], minlength=len(values))
    seen, first = np.unique(codes, return_index=True)
    first = first[seen >= 0]
    lines = dict(zip(seen[seen >= 0].tolist(), at_lines(col, first if at is None else at[first], line0).tolist()))
    for i in np.flatnonzero(n).tolist():
        v = values[i]
        if v in counts:
            counts[v] += int(n[i])
        else:
            counts[v] = int(n[i])
            firsts[v] = lines[i]


def gap_lines(scan: ColumnScan) -> str:
    """The first gaps' lines as `applying.rows_of` shows them: 'on lines 3, 5 and 9'."""
    return on_lines(scan.missing_lines, scan.missing)


class Counts:
    """A column's value counts, in the shape `columns.categories` reads (`value_counts()`)."""

    def __init__(self, values: list[str], counts: list[int]):
        import pandas as pd
        self.series = pd.Series(counts, index=pd.Index(values, dtype=object), dtype=np.int64)

    def value_counts(self, dropna: bool = True) -> Any:
        # as pandas' value_counts sorts its counts, kept in order of first appearance (ties keep it)
        return self.series.sort_values(ascending=False, kind="stable")


def as_first(scan: ColumnScan) -> Any:
    """The column's first value in the file."""
    keys = sorted(scan.counts, key=scan.first.__getitem__)
    return as_python(keys[:1], scan.kind)[0] if keys else None


def check_text(name: str, text: list[str], counts: list[int], first: list[int], read: dict | None = None,
               target: bool = False) -> None:
    """`columns.check_text_column` from the column's value counts and each value's first line: the same
    checks and messages (`read`: how the file is read, its sep...; `target`: a target's)."""
    from .columns import check_text_values

    def first_of(mask: np.ndarray) -> tuple[int, int]:
        i = min(np.flatnonzero(mask), key=first.__getitem__)
        return int(i), first[i]
    check_text_values(name, text, counts, first_of, read, target)


def reason(text: list[str], first: list[int]) -> str:
    """`columns.text_reason`: the first value that is not a number, and its line."""
    import pandas as pd
    bad = pd.to_numeric(pd.Series(text, dtype="string"), errors="coerce").isna().to_numpy()
    if not bad.any():
        return "chosen as text"
    i = min(np.flatnonzero(bad), key=first.__getitem__)
    return f"not numbers, e.g. {short(text[i])} on line {first[i]}"
