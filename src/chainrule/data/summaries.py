"""The preprocessing `train --stream` learns, from the column summaries its first pass over the file made
(`scan.ColumnScan`): `Preprocessing.fit`'s checks, in its order and with its messages, and its results (types,
means and spreads, categories, fill values, classes), so that the streamed model is the in-memory one."""
from __future__ import annotations

from typing import Any

import numpy as np

from . import columns as column_checks
from .columns import MIN_ID_ROWS, categories, warn_id
from .markers import missing_marks, warn_marks
from .refusals import empty_in_training, missing_target, no_values, read_as, unfilled
from .scan import ColumnScan, Counts, as_first, as_python, check_text, gap_lines, reason
from .tabular import MAX_CLASSES, Preprocessing
from .targets import constant_target, text_target
from .textnumbers import at_line

__all__ = ["learn", "fill_value"]


def learn(target: str, task: str | None, impute: str | None, text_columns: list[str], max_categories: int | None,
          scans: dict[str, ColumnScan], y: ColumnScan, *, info: dict[str, Any], weighed: bool, training: bool,
          reasons: dict[str, str], spools: dict[str, str]) -> Preprocessing:
    """`Preprocessing.fit`'s checks and results, in its order, from the column summaries of the first pass
    (`info`: how the file was read, for the words on text columns; `weighed`: the statistics weigh the rows;
    `training`: they come from the training rows alone; `reasons`: filled with why each text column is text;
    `spools`: each numeric column's values, written for a median or a mode)."""
    if y.missing:
        raise missing_target(target, y.missing, gap_lines(y), **read_as(info))
    numeric_target = y.kind in ("int", "float")
    if task is None and y.kind == "text" and target not in text_columns:   # as Preprocessing.fit's
        check_text(target, *y.strings(), info, target=True)
    if task is None and numeric_target and not y.capped and len(y.counts) == 1:    # nothing to learn
        raise constant_target(target, float(as_python(list(y.counts), y.kind)[0]), False, True)
    if task is None:
        small = not y.capped and len(y.counts) <= MAX_CLASSES
        task = "classification" if not numeric_target or (y.integral and small) else "regression"
    pre = Preprocessing(target=target, task=task, impute=impute, na_values=[])
    typed: list[str] = []
    if task == "regression":
        if not numeric_target:
            text, counts, first = y.strings()
            raise text_target(target, text, counts,
                              lambda mask: (i := min(np.flatnonzero(mask), key=first.__getitem__), at_line(first[i])),
                              info, as_first(y))
        pre.y_mean, pre.y_scale = y.mean, y.std()
        if y.train_lo == y.train_hi:       # one value: its std rounding (1e-16), not 0; other rows' values?
            raise constant_target(target, y.train_lo, y.lo < y.hi, False)
    else:
        pre.classes = sorted(as_python(list(y.counts), y.kind), key=lambda v: (str(type(v)), v))
        column_checks.check_classes(target, pre.classes, list(y.counts.values()), numeric_target,
                                    given=info.get("na_values"))
    empty = [c for c, s in scans.items() if s.missing == s.rows]
    if empty:
        raise no_values(empty[0], impute)
    gaps = [c for c, s in scans.items() if s.missing]
    if gaps and impute is None:
        for c in gaps:          # numbers but for gaps and '?': one error, with --na-values and --impute both
            if scans[c].kind not in ("int", "float") and c not in text_columns:
                check_text(c, *scans[c].strings(), info)
        detail = "; ".join(f"{c!r} {gap_lines(scans[c])}" for c in gaps)
        n = sum(scans[c].missing for c in gaps)
        raise unfilled(n, detail)
    empty = [c for c in gaps if scans[c].train_missing == scans[c].train_rows]
    if empty:                                # (with --impute) nothing in the training rows to fill from
        raise empty_in_training(empty[0], weighed)
    for c, s in scans.items():
        numeric = s.kind in ("int", "float") and c not in text_columns
        if not numeric:                           # numbers written as text refused first: no ID warning
            text, counts, first = s.strings()
            if c not in text_columns:
                check_text(c, text, counts, first, info)
        if s.looks_like_id(MIN_ID_ROWS):
            warn_id(c, s.rows, text if not numeric and text and c not in text_columns else None)
        if numeric:
            pre.numeric.append(c)
            fill = fill_value(spools, c, s, impute) if impute is not None else None    # every column, as in fit
            if fill is not None:
                pre.fill[c] = fill
            mean, std = s.filled(fill) if fill is not None and c in gaps else (s.mean, s.std())
            one = s.train_lo == s.train_hi and (fill is None or c not in gaps or fill == s.train_lo)
            pre.means.append(mean)          # one value: its std 0 or rounding (2e-16 of 1.1): centred only
            pre.scales.append(std if std > 0 and not one else 1.0)
        else:
            reasons[c] = reason(text, first)
            if marks := missing_marks(text):        # a '?' (UCI's) among its values, as Preprocessing.fit
                at = [text.index(v) for v in marks]
                warn_marks(c, marks, sum(counts[i] for i in at), at_line(min(first[i] for i in at)),
                           info.get("na_values"))
            pre.text.append(c)
            text, counts, first = s.strings(train=True)         # the training rows' values
            words = None if c in text_columns else column_checks.boolean_spellings(text)    # booleans
            if words:                                           # (their spellings, as Preprocessing.fit)
                text, counts, first = s.strings(train=True, words=words)
            if s.kind in ("int", "float", "bool") or words or \
                    (c not in text_columns and column_checks.boolean_column(text)):    # yes/no: by meaning
                typed.append(c)
            if impute is not None:
                top = max(counts)
                pre.fill[c] = min(t for t, k in zip(text, counts) if k == top)
                text, counts, first = s.strings(str(pre.fill[c]), train=True, words=words)
            pre.categories[c], dropped = categories(Counts(text, counts), c, max_categories,
                                                    training=training, text=c in text_columns)
            if dropped:
                pre.other[c] = dropped
    pre.typed = typed
    return pre


def fill_value(spools: dict[str, str], c: str, s: ColumnScan, impute: str | None) -> float:
    """The numeric column's fill value: its mean, or its median or mode (read back from the
    file the first pass wrote, one column at a time)."""
    import pandas as pd
    if impute == "mean":
        return float(s.mean)
    values = pd.Series(np.fromfile(spools[c], dtype=np.float64))
    return float(values.median() if impute == "median" else values.mode()[0])
