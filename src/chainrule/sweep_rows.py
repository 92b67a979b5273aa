"""A sweep's rows: the columns that are not inputs (the weight and groups columns) taken out of the table and
checked, the folds cut once with each fold's preprocessing learnt before any candidate is fit, and the file read
again as often as needed (an open file too)."""
from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np

from chainrule.data.advice import give
from chainrule.errors import ValidationError


def weights_column(df, target: str, column: str, features, drop):
    """(the table without the weight column, its weights checked), or an error naming the column."""
    from chainrule.data.csvfile import not_in_file, short
    from chainrule.data.statistics import column_weights
    if column not in df.columns:
        raise not_in_file(f"{give('weight')}: column", column, list(df.columns), df.attrs.get("csv", {}).get("name"))
    if column == target or column in features or column in drop:
        raise ValidationError(give("weight not input", column=short(column)))
    w = column_weights(df[column], column)
    if not w.any():
        raise ValidationError(f"{give('weight column', column=short(column))} is 0 on every row: at least one must "
                              "weigh more than 0")
    return df.drop(columns=[column]), w


def groups_column(df, column: str, target: str, features, drop, weight: str | None):
    """(the table without the groups column, its values), or an error naming the column and the file's line."""
    from chainrule.data.csvfile import not_in_file
    from chainrule.data.scan import at_lines
    if column not in df.columns and column != weight:      # the weight column is out of the table already
        raise not_in_file(f"{give('groups')}: column", column, list(df.columns), df.attrs.get("csv", {}).get("name"))
    if column in (target, weight) or column in features or column in drop:
        raise ValidationError(give("groups not input", column=repr(column)))
    missing = np.flatnonzero(df[column].isna().to_numpy())
    if len(missing):          # the file's line (at_lines: past blank lines, cells over several lines)
        raise ValidationError(f"{give('groups column', column=repr(column))} is missing on {len(missing)} of "
                              f"{len(df)} rows (first on line {at_lines(df[column], missing, 2)[0]}): each row "
                              "needs a group for the splitter")
    return df.drop(columns=[column]), df[column].to_numpy()


def fits_every_fold(df, y, folds, fold_pre, weights=None, weight: str | None = None, groups=None,
                     column: str | None = None) -> list:
    """The folds' (train, test) index pairs, cut once (the ones searched), each fold's preprocessing,
    learnt from its training rows, failing as `train` would say it (a column whose values are all in
    the held-out rows) before any candidate is fit."""
    from chainrule.data.tabular import Preprocessing
    try:
        splits = list(folds.split(df, y, groups))
    except ValueError as exc:              # GroupKFold without groups, more folds than rows: scikit-learn's words
        if groups is not None and "number of groups" in str(exc):      # the column named, in the caller's words
            raise ValidationError(give("too few groups", cv=folds, folds=folds.get_n_splits(), column=repr(column),
                                       groups=len(set(groups)))) from None
        raise ValidationError(f"cv={folds!r} cannot cut the file's {len(df)} rows: {exc}" + (
            " (give groups='COLUMN', the file's column of the rows' groups)" if groups is None and "'groups'" in
            str(exc) else "")) from None
    for k, (train, test) in enumerate(splits):
        for rows, which in ((train, "training"), (test, "test")):      # a fold whose fit or score weighs nothing
            if weights is not None and not weights[rows].any():
                raise ValidationError(f"{give('weight column', column=repr(weight))} is 0 on every {which} row of "
                                      f"fold {k + 1} of {len(splits)}: each fold's training and test rows must weigh "
                                      "more than 0 (fewer folds, or more rows of weight above 0)")
        mask = np.isin(np.arange(len(df)), train)      # the fold's training rows
        Preprocessing.fit(df, fold_pre.target, task=fold_pre.task, impute=fold_pre.impute, warn=False,  # said once
                          text_columns=fold_pre.text_columns, max_categories=fold_pre.max_categories, train=mask,
                          sample_weight=weights)
    return splits


class Named(io.BytesIO):
    """The bytes of an open file, under its name (for messages)."""

    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name = name


def csv_source(csv) -> Callable[[], Any]:
    """What gives read_csv the CSV file each time it is read: a path as it is; an open file (which
    reads once) read now, each time a new file of its bytes with its name."""
    if not hasattr(csv, "read"):
        return lambda: csv
    data, name = csv.read(), str(getattr(csv, "name", "<data>"))
    return lambda: Named(data, name)



#: the scorers whose denominator is the test target's spread (sum of squared deviations; variance): NaN beyond it
SPREAD_SCORERS = ("r2", "explained_variance")


def spread_scorable(y, splits: list, scoring: Any, target: str, key: str | None = None) -> None:
    """A regression scored by r2 (the default) or explained_variance whose fold's test target spreads beyond float64's
    range (values near -1.7e308 and 1.7e308: their squared deviations overflow) is refused before any fit, in the
    sweep's words, as `train` says such a spread: scikit-learn's score there is NaN, after NumPy's overflow warnings,
    and every candidate failed with 'its score was NaN'. A scorer object of theirs (make_scorer(r2_score),
    get_scorer('r2')) too, and one of several scorers that does not rank (`key`, its name): it was NaN, found late."""
    from sklearn.metrics import explained_variance_score, r2_score
    func = getattr(scoring, "_score_func", None)
    if scoring is not None and not (isinstance(scoring, str) and scoring in SPREAD_SCORERS) and func not in (
            r2_score, explained_variance_score):
        return
    for k, (_, test) in enumerate(splits):
        values = np.asarray(y, dtype=np.float64)[test]
        with np.errstate(all="ignore"):
            spread = np.sum((values - np.mean(values)) ** 2)
        if not np.isfinite(spread):
            name = ("the default scoring, r2," if scoring is None else f"scoring {scoring!r}" if key in (None, scoring)
                    else f"the scorer {key!r} ({scoring!r})")
            raise ValidationError(
                f"{name} cannot score fold {k + 1} of {len(splits)}: its test values of {target!r} (from "
                f"{values.min():.4g} to {values.max():.4g}) spread beyond float64's range (their squared deviations "
                f"from the mean pass its limit, 1.8e+308), where scikit-learn's score is NaN; divide the column by "
                f"{_scorable_power(y, splits):.0e} (the least power of ten whose quotient's spread fits) and sweep "
                "again")


def _scorable_power(y, splits: list) -> float:
    """The least power of ten the target divided by leaves every fold's test spread finite (what r2 divides by)."""
    values = np.asarray(y, dtype=np.float64)
    k = max(int(np.floor(np.log10(np.max(np.abs(values))))) - 160, 0)     # its squares overflow below this, at most
    with np.errstate(all="ignore"):
        while not all(np.isfinite(np.sum((values[test] / 10.0 ** k - np.mean(values[test] / 10.0 ** k)) ** 2))
                      for _, test in splits):
            k += 1
    return 10.0 ** k
