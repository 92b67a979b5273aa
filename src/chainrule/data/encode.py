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

from ..errors import ValidationError
from .csvfile import names, short
from .progress import Progress

INT32_MAX = 2**31 - 1


def _first_line(df: Any) -> int:
    """The file line of the table's first row: 2 (after the header), or later for a chunk of a
    file read in pieces (whose RangeIndex continues from the chunks before it)."""
    import pandas as pd
    index = df.index
    return int(index.start) + 2 if isinstance(index, pd.RangeIndex) and index.step == 1 else 2


def _line(mask: np.ndarray, df: Any) -> int:
    """The file line (the header is line 1) of the first True entry."""
    return int(np.flatnonzero(mask)[0]) + _first_line(df)


def _lines(mask: np.ndarray, df: Any) -> str:
    """The file lines of the True entries, the first few."""
    idx = np.flatnonzero(mask) + _first_line(df)
    shown = ", ".join(str(i) for i in idx[:5])
    return shown + (f" and {len(idx) - 5} more" if len(idx) > 5 else "")


def numeric_column(pre: Any, df: Any, c: str) -> np.ndarray:
    """Column `c` as float64 standardised values, gaps filled as in training (or a clear error)."""
    import pandas as pd
    raw = df[c]
    col = pd.to_numeric(raw, errors="coerce")
    missing = col.isna().to_numpy()
    if missing.any():
        bad = missing & raw.notna().to_numpy()
        if bad.any():
            raise ValidationError(f"column {short(c)} must be numeric; line {_line(bad, df)} has "
                                  f"{short(raw.iloc[int(np.flatnonzero(bad)[0])])}")
        if c not in pre.fill:
            raise ValidationError(f"missing values in {short(c)} on lines {_lines(missing, df)}; the model was trained "
                                  "without gaps there (train with --impute to fill them)")
        col = col.fillna(pre.fill[c])
    values = col.to_numpy(dtype=np.float64)
    j = pre.numeric.index(c)
    with np.errstate(invalid="ignore"):
        values = (values - pre.means[j]) / pre.scales[j]
    finite = np.isfinite(values)
    if not finite.all():
        raise ValidationError(f"column {short(c)} has an infinite value on line {_line(~finite, df)}")
    return values


def text_codes(pre: Any, df: Any, c: str, unseen_warning: type[Warning]) -> np.ndarray:
    """Column `c` as category codes 0..k-1 of the training categories, -1 for a value unseen in
    training (encoded as all zeros; warned unless the column was capped, where that is its 'other')."""
    import pandas as pd
    col = df[c].astype("string")
    gaps = col.isna().to_numpy()
    if gaps.any():
        if c not in pre.fill:
            raise ValidationError(f"missing values in {short(c)} on lines {_lines(gaps, df)}; the model was trained "
                                  "without gaps there (train with --impute to fill them)")
        col = col.fillna(pre.fill[c])
    codes = pd.Index(pre.categories[c], dtype=col.dtype).get_indexer(col)
    unseen = codes < 0
    if unseen.any() and c not in pre.other:
        values = sorted(col[unseen].unique().tolist())
        warnings.warn(f"column {short(c)} has {len(values)} values unseen in training, encoded as all zeros: "
                      f"{names(values, 5)}", unseen_warning, stacklevel=3)
    return codes


def encode(pre: Any, df: Any, dtype: Any = np.float64, sparse: bool = True, rows: np.ndarray | None = None,
           unseen_warning: type[Warning] = UserWarning) -> Any:
    """The inputs of the rows `rows` of `df` (all, in file order, when None) for the preprocessing
    `pre`: a CSR matrix when there are text columns and `sparse`, else a dense array of `dtype`."""
    dtype = np.dtype(dtype)
    if dtype.name not in ("float64", "float32"):
        raise ValidationError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    pre.check_columns(df)
    if rows is not None:
        rows = np.asarray(rows)
        if rows.ndim != 1 or rows.dtype.kind not in "iu" or (rows.size and (rows.min() < 0 or rows.max() >= len(df))):
            raise ValidationError(f"rows must be row positions 0..{len(df) - 1} of the table")
    n = len(df) if rows is None else rows.shape[0]
    p, t = len(pre.numeric), len(pre.text)
    if sparse and t:
        try:
            import scipy.sparse as sp
        except ImportError:          # without SciPy the one-hot columns are dense (more memory, same numbers)
            sp = None
        sparse = sp is not None
    with Progress("preprocessing", total=p + t, unit="columns") as progress:
        if not (sparse and t):
            X = np.zeros((n, pre.n_features), dtype=dtype)
            for j, c in enumerate(pre.numeric):
                values = numeric_column(pre, df, c)
                X[:, j] = values if rows is None else values[rows]
                progress.update(j + 1)
            offset = p
            for k, c in enumerate(pre.text):
                codes = text_codes(pre, df, c, unseen_warning)
                codes = codes if rows is None else codes[rows]
                seen = np.flatnonzero(codes >= 0)
                X[seen, offset + codes[seen]] = 1
                offset += len(pre.categories[c])
                progress.update(p + k + 1)
            return X
        # CSR in one pass: the text columns first give each row's count of stored values
        codes_all = []
        counts = np.full(n, p, dtype=np.int64)
        for c in pre.text:
            codes = text_codes(pre, df, c, unseen_warning)
            codes = codes if rows is None else codes[rows]
            codes_all.append(codes)
            counts += codes >= 0
        nnz = int(counts.sum())
        index = np.int32 if max(nnz, pre.n_features) <= INT32_MAX else np.int64
        indptr = np.zeros(n + 1, dtype=index)
        np.cumsum(counts, out=indptr[1:])
        del counts
        data = np.empty(nnz, dtype=dtype)
        indices = np.empty(nnz, dtype=index)
        starts = indptr[:-1]
        for j, c in enumerate(pre.numeric):
            values = numeric_column(pre, df, c)
            at = starts + j
            data[at] = values if rows is None else values[rows]
            indices[at] = j
            progress.update(j + 1)
        filled = starts + p
        offset = p
        for k, (c, codes) in enumerate(zip(pre.text, codes_all)):
            kept = codes >= 0
            pos = filled[kept]
            data[pos] = 1
            indices[pos] = offset + codes[kept]
            filled[kept] += 1
            offset += len(pre.categories[c])
            progress.update(p + k + 1)
        return sp.csr_matrix((data, indices, indptr), shape=(n, pre.n_features), copy=False)
