"""A model's numeric columns standardised many at a time, for transform: a column read alone costs pandas a Series
and a to_numeric (half a millisecond each), so a file of 10,000 columns took seconds longer to transform than to
fit. Columns of NumPy numbers are read as one block; a column with a gap, a value whose standardising overflows or
is too large for the dtype, or cells of any other type is read by `numeric_column`, alone, for its fill value and
its messages, in the model's column order (so the same column is named first)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .statistics import standardised

#: values read at a time (n rows x a group of columns): a few MB, whatever the width
BLOCK_VALUES = 1 << 22


def numeric_values(pre: Any, df: Any, dtype: Any, rows: np.ndarray | None,
                   alone: Callable[[str, int], np.ndarray]) -> Iterator[np.ndarray]:
    """Each of `pre.numeric`'s columns of `df` as `alone(c, j)` gives it (`j`: its place among them; standardised
    float64, gaps filled) at the rows `rows` (all when None), in order; `alone` reads the columns the block cannot
    vouch for."""
    kinds = dict(zip(df.columns, df.dtypes))        # (a Series looked up 10,000 times costs half a second)
    top = np.finfo(dtype).max
    n = len(df)
    group = max(1, BLOCK_VALUES // max(n, 1))
    for g in range(0, len(pre.numeric), group):
        names = pre.numeric[g:g + group]
        j = [g + q for q, c in enumerate(names) if isinstance(kinds[c], np.dtype) and kinds[c].kind in "fiub"]
        plain = [pre.numeric[i] for i in j]
        z, good = _standardised(pre, df, plain, j, top)
        at = {c: q for q, c in enumerate(plain) if good[q]}
        for q, c in enumerate(names):
            values = z[:, at[c]] if c in at else alone(c, g + q)
            yield values if rows is None else values[rows]


def _standardised(pre: Any, df: Any, plain: list, j: list, top: float) -> tuple[np.ndarray, np.ndarray]:
    """(the columns `plain`, the model's `j`th numeric ones, standardised; whether each is vouched for: no gap,
    every value finite and within `top`, the dtype's largest)."""
    if not plain:
        return np.empty((len(df), 0)), np.zeros(0, dtype=bool)
    values = df[plain].to_numpy(dtype=np.float64)
    z = standardised(values, np.asarray(pre.means, dtype=np.float64)[j], np.asarray(pre.scales, dtype=np.float64)[j])
    with np.errstate(invalid="ignore"):
        good = (np.isfinite(z) & (np.abs(z) <= top)).all(axis=0)
    return z, good
