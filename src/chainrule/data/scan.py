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
"""
from __future__ import annotations

from typing import IO, Any

import numpy as np

from ..errors import ValidationError
from .lines import on_lines

#: beyond this magnitude a column's squares may overflow float64: it is summed in units of its largest value
BIG = 1e100

SHOWN_LINES = 5           # file lines kept per column for error messages (as tabular._rows shows)
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
        self.n, self.mean, self.m2 = 0, 0.0, 0.0     # numeric values present
        self.unit, self.mean_u, self.m2_u = 0.0, 0.0, 0.0     # beyond BIG: the mean and m2 in units of `unit`
        self.integral = True
        self.lo, self.hi = np.inf, -np.inf
        self.id_sums: list[int] | None = [0, 0]      # sums of (v - v0) and (v - v0)^2 modulo 2^64
        self.v0: float | None = None
        self.spool = spool                     # the numeric values present, for a median or mode

    @property
    def kind(self) -> str | None:
        return whole_kind(self.kinds)

    def update(self, col: Any, line0: int) -> None:
        """Add a chunk of the column whose first row is file line `line0`."""
        missing = col.isna().to_numpy()
        gaps = int(missing.sum())
        if gaps:
            self.missing += gaps
            if len(self.missing_lines) < SHOWN_LINES:
                self.missing_lines += at_lines(col, np.flatnonzero(missing)[:SHOWN_LINES], line0).tolist()
                del self.missing_lines[SHOWN_LINES:]
        self.rows += len(col)
        kind = chunk_kind(col, gaps == len(col))
        if kind is None:
            return
        self.kinds.add(kind)
        if self.kind is None:
            raise Mixed(self.name)
        if kind in ("int", "float"):
            values = col.to_numpy(dtype=np.float64, na_value=np.nan)
            infinite = np.isinf(values)
            if infinite.any():
                raise ValidationError(f"column {self.name!r} has an infinite value on line "
                                      f"{int(at_lines(col, np.flatnonzero(infinite)[:1], line0)[0])}")
            self._numbers(values[~missing] if gaps else values, gaps)
        if kind in ("text", "bool") or self.count_values:
            self._count(col, line0)

    def _numbers(self, values: np.ndarray, gaps: int) -> None:
        k = values.shape[0]
        lo, hi = float(values.min()), float(values.max())
        total = self.n + k
        if self.unit or max(-lo, hi) > BIG:
            self._in_units(values, k, max(-lo, hi))
        else:
            mean = float(values.mean())
            m2 = float(np.square(values - mean).sum())
            delta = mean - self.mean
            self.mean += delta * k / total
            self.m2 += m2 + delta * delta * self.n * k / total
        self.n = total
        self.integral = self.integral and bool(np.all(np.mod(values, 1) == 0))
        self.lo, self.hi = min(self.lo, lo), max(self.hi, hi)
        if self.spool is not None:
            self.spool.write(values.tobytes())
        if self.id_sums is not None:            # a row number or ID: consecutive integers, each once
            if gaps or self.missing or not self.integral or self.hi - self.lo >= 2**52:
                self.id_sums = None
                return
            if self.v0 is None:
                self.v0 = float(values[0])
            d = (values - self.v0).astype(np.int64).view(np.uint64)
            self.id_sums[0] = (self.id_sums[0] + int(d.sum(dtype=np.uint64))) % U64
            self.id_sums[1] = (self.id_sums[1] + int((d * d).sum(dtype=np.uint64))) % U64

    def _in_units(self, values: np.ndarray, k: int, peak: float) -> None:
        """The same update in units of the largest value so far, for a column with values beyond BIG
        (near 1e300 their squares, or a chunk's sum, overflow float64), as Preprocessing.fit divides
        such a column by its largest value in memory."""
        if not self.unit:                      # the state so far, in those units
            self.unit = peak
            self.mean_u, self.m2_u = self.mean / peak, self.m2 / peak / peak
        elif peak > self.unit:
            r = self.unit / peak
            self.unit, self.mean_u, self.m2_u = peak, self.mean_u * r, self.m2_u * r * r
        v = values / self.unit
        mean = float(v.mean())
        m2 = float(np.square(v - mean).sum())
        total = self.n + k
        delta = mean - self.mean_u
        self.mean_u += delta * k / total
        self.m2_u += m2 + delta * delta * self.n * k / total
        self.mean = self.unit * self.mean_u

    def _count(self, col: Any, line0: int) -> None:
        import pandas as pd
        if self.capped:
            return
        codes, uniques = pd.factorize(col)                  # in order of first appearance; gaps -1
        valid = codes >= 0
        counts = np.bincount(codes[valid], minlength=len(uniques))
        seen, first = np.unique(codes, return_index=True)
        first = at_lines(col, first[seen >= 0], line0)
        for v, c, f in zip(uniques.tolist(), counts.tolist(), first.tolist()):
            if v in self.counts:
                self.counts[v] += c
            else:
                self.counts[v] = c
                self.first[v] = f
        if self.value_cap is not None and len(self.counts) > self.value_cap and self.kind in ("int", "float"):
            self.capped, self.counts, self.first = True, {}, {}

    # -- what the whole column was ---------------------------------------------------------
    def std(self) -> float:
        if self.unit:
            return float(self.unit * np.sqrt(self.m2_u / self.n))
        return float(np.sqrt(self.m2 / self.n)) if self.n else 0.0

    def filled(self, fill: float) -> tuple[float, float]:
        """(mean, standard deviation) of the column with its gaps filled with `fill`."""
        n, gaps = self.n, self.missing
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

    def strings(self, fill: str | None = None, fill_line: int | None = None) -> tuple[list[str], list[int], list[int]]:
        """(values as text, counts, first lines), in order of first appearance, the gaps counted
        as `fill` when given (its first line the earlier of its own and the first gap's)."""
        keys = list(self.counts)
        text = as_strings(keys, self.kind)
        counts = [self.counts[k] for k in keys]
        first = [self.first[k] for k in keys]
        if fill is not None and self.missing:
            i = text.index(fill)
            counts[i] += self.missing
            first[i] = min(first[i], fill_line if fill_line is not None else first[i])
        order = sorted(range(len(text)), key=first.__getitem__)
        return [text[i] for i in order], [counts[i] for i in order], [first[i] for i in order]


def gap_lines(scan: ColumnScan) -> str:
    """The first gaps' lines as `tabular._rows` shows them: 'on lines 3, 5 and 9'."""
    return on_lines(scan.missing_lines, scan.missing)


class Counts:
    """A column's value counts, in the shape `columns.categories` reads (`value_counts()`)."""

    def __init__(self, values: list[str], counts: list[int]):
        import pandas as pd
        self.series = pd.Series(counts, index=pd.Index(values, dtype=object), dtype=np.int64)

    def value_counts(self, dropna: bool = True) -> Any:
        # as pandas' value_counts sorts its counts, kept in order of first appearance (ties keep it)
        return self.series.sort_values(ascending=False, kind="stable")
