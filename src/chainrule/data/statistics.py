"""The statistics a preprocessing learns from its training rows: means and spreads, each row
counted as often as its sample weight says (scikit-learn's StandardScaler.fit(X, sample_weight=...)),
and the weights checked; class weights' labels matched to the classes (train's and sweep's --class-weight)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ValidationError
from .advice import give


def mean_and_spread(values: Any, weights: Any = None) -> tuple[float, float]:
    """Mean and (population) standard deviation of a column (an array or a Series), each row counted
    `weights` times when given (as scikit-learn's StandardScaler.fit(X, sample_weight=...)); for values
    near 1e300, whose sum or squares overflow, computed in units of the largest (the target's too: its
    scale was inf)."""
    def moments(x):
        if weights is None:
            return float(x.mean()), float(x.std(ddof=0))
        mean, m2 = mean_and_m2(np.asarray(x, dtype=np.float64), weights)
        return mean, math.sqrt(m2 / float(np.sum(weights)))
    with np.errstate(over="ignore", invalid="ignore"):     # -1e308 and 1e308 in one sum: inf - inf, retried below
        mean, std = moments(values)
    if not math.isfinite(mean + std):
        big = float(np.abs(values).max())
        mean, std = moments(values / big)
        mean, std = big * mean, big * std
    return mean, std


def standardised(values: np.ndarray, mean: Any, scale: Any) -> np.ndarray:
    """(values - mean) / scale without the overflow of the difference: a value near -1.8e308 less a mean near
    +9e307 is beyond float64, its standardised value (-1.7) is not: computed as values / scale - mean / scale there."""
    with np.errstate(over="ignore", invalid="ignore"):
        z = (values - mean) / scale
        over = np.isinf(z) & np.isfinite(values)
        if over.any():          # (means and scales a column each of a block too: numericblock's)
            z = np.where(over, values / scale - mean / scale, z)
    return z


def unstandardised(z: Any, mean: float, scale: float) -> Any:
    """mean + scale * z, the inverse of `standardised`, without the overflow of the product: -1.7 times a spread
    near 1.6e308 is beyond float64, the value it stands for (-1.8e308, the mean added) is not: (z + mean / scale) *
    scale there. A value truly beyond float64 stays inf, for its callers to refuse."""
    with np.errstate(over="ignore", invalid="ignore"):
        v = np.asarray(mean + scale * np.asarray(z, dtype=np.float64))
        over = np.isinf(v) & np.isfinite(z)
        if over.any():
            v[over] = (np.asarray(z, dtype=np.float64)[over] + mean / scale) * scale
    return v if v.ndim else float(v)


def spread_out(values: Any) -> bool:
    """Whether a column holds two different values (np.ptp overflows, with a warning, for -1e308 and 1e308)."""
    return bool(len(values)) and bool(np.min(values) != np.max(values))


def mean_and_m2(values: np.ndarray, w: np.ndarray | None = None) -> tuple[float, float]:
    """Mean and sum of squared deviations of values, each counted `w` times when given (a whole
    column's, or a streamed chunk's, which scan.ColumnScan merges)."""
    mean = float(values.mean() if w is None else np.average(values, weights=w))
    squares = np.square(values - mean)
    return mean, float(squares.sum() if w is None else np.dot(w, squares))


def checked_weights(sample_weight: Any, n: int) -> np.ndarray:
    """`fit`'s `sample_weight` as float64, checked: one finite number >= 0 a row."""
    w = np.asarray(sample_weight, dtype=np.float64)
    if w.shape != (n,):
        raise ValidationError(f"sample_weight must hold one weight per row of the table ({n}); got shape {w.shape}")
    if not np.all(np.isfinite(w) & (w >= 0)):
        bad = int(np.flatnonzero(~(np.isfinite(w) & (w >= 0)))[0])
        raise ValidationError(f"sample_weight must be finite numbers >= 0; weight {bad} is {float(w[bad])!r}")
    return w


def of_rows(weights: np.ndarray | None, rows: np.ndarray | None) -> np.ndarray | None:
    """The weights of the statistics' rows (None: unweighted)."""
    return None if weights is None or rows is None else weights[rows]


def weighted_mean(part: Any, weights: np.ndarray) -> float:
    """The weighted mean of a column's values present (its gaps left out, as pandas' mean leaves them)."""
    present = part.notna().to_numpy()
    return float(np.average(part.to_numpy(dtype=np.float64, na_value=0.0)[present], weights=weights[present]))


def no_weighed_rows(column: str | None = None) -> ValidationError:
    """The refusal of a fit whose training rows all have sample weight 0 (in memory and streamed);
    `column`: the --weight column they came from, named."""
    if column is not None:
        from .csvfile import short
        return ValidationError(f"{give('weight column', column=short(column))} is 0 on every training row: at least "
                               "one must weigh more than 0")
    return ValidationError("every training row has sample weight 0: at least one must weigh more")


def column_weights(values: Any, col: str, first_line: int = 2) -> np.ndarray:
    """The weights of a column's cells (pandas Series) as float64, or an error naming the --weight column and
    the file's line (`train`, `predict` and `sweep --weight`)."""
    import pandas as pd

    from .csvfile import short
    from .scan import at_lines
    numbers = pd.to_numeric(values, errors="coerce")
    w = numbers.to_numpy(dtype=np.float64, na_value=np.nan)
    problems = [(values.isna().to_numpy(), "has no value on line {line}: every row needs one (0 leaves a row out)"),
                (np.isnan(w), "must hold numbers >= 0; line {line} has {value}"),
                (np.isinf(w), "must hold finite numbers; line {line} has {value}"),
                (w < 0, "must hold numbers >= 0; line {line} has {value}")]
    for bad, what in problems:
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ValidationError(f"{give('weight column', column=short(col))} "
                                  + what.format(line=int(at_lines(values, [i], first_line)[0]),
                                                value=short(str(values.iloc[i]))))
    return w


def _class_of(label: Any, pre: Any) -> int | None:
    """The index of the class `label` names: as written, else without the spaces around it, else the
    number it is for a target read as numbers ('01' and '1.50' for the classes 1 and 1.5)."""
    label = str(label)
    written = [str(c) for c in pre.classes]
    for text in (label, label.strip()):
        if text in written:
            return written.index(text)
    try:
        number = float(label)
    except ValueError:
        return None
    found = [i for i, c in enumerate(pre.classes)
             if isinstance(c, (int, float, np.integer, np.floating)) and not isinstance(c, (bool, np.bool_))
             and float(c) == number]
    return found[0] if found else None


def by_class(spec: str | list[tuple[str, float]] | dict, pre: Any, target: str,
             named: str = "--class-weight") -> str | dict[int, float]:
    """fit's class_weight from --class-weight (or a sweep's class_weight, {label: weight}; `named`: how
    errors name it, and the weight column as the caller gives it: an option, --weight COL, else weight=): the
    labels, as the file writes them, matched to the classes (`_class_of`; a class left out weighs 1), each weight
    a number >= 0, or 'balanced'."""
    from .csvfile import names, short
    if pre.task != "classification":
        rows = "--weight COL" if named.startswith("--") else give("weight rows")    # a sweep's grid: its caller's
        raise ValidationError(f"{named} is for classification; {short(target)} is a regression target "
                              f"({rows} weighs its rows)")
    if isinstance(spec, str):
        if spec != "balanced":
            raise ValidationError(f"{named} must be 'balanced' or {{label: weight}}; got {spec!r}")
        return spec
    if not isinstance(spec, (dict, list, tuple)):
        raise ValidationError(f"{named} must be 'balanced' or {{label: weight}}; got {spec!r:.80}")
    table: dict[int, float] = {}
    for label, w in (spec.items() if isinstance(spec, dict) else spec):
        if isinstance(w, (bool, np.bool_)) or not isinstance(w, (int, float, np.integer, np.floating)) or not w >= 0 \
                or not math.isfinite(w):
            raise ValidationError(f"{named}: the weight of {short(label)} must be a number >= 0; got {w!r}")
        i = _class_of(label, pre)
        if i is None:
            raise ValidationError(f"{named}: {short(label)} is not a class of {short(target)}; its classes "
                                  f"are {names(pre.classes, 20)}")
        if i in table:
            raise ValidationError(f"{named} gives the class {short(pre.classes[i])} twice")
        table[i] = float(w)
    return table
