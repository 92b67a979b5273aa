"""Tabular data for the command line: a CSV file in, a trained network (and its preprocessing) out.

`Preprocessing` learns from the training table what the network needs (which columns, their means and spreads, the
categories of text columns, the classes of the target) and applies the same to any later table, checking its columns
by name. It is stored as JSON inside the model file (`chainrule.io.save(..., extra=...)`): predicting needs no more.
"""
from __future__ import annotations

import numbers
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from ..errors import ValidationError
from .applying import check_columns, missing_columns, numeric_columns, rows_of
from .columns import (
    MAX_CATEGORIES,
    ColumnWarning,
    boolean_column,
    boolean_spellings,
    categories,
    check_classes,
    check_text_column,
    is_numeric,
    looks_like_id,
    warn_id,
)
from .csvfile import not_in_file, read_csv, short, the_file
from .header import refuse_repeated_header
from .lines import MultilineRowWarning, earliest, place, places, plural
from .markers import missing_marks, warn_marks
from .refusals import empty_in_training, empty_rows_at_end, missing_target, no_values, read_as, unfilled
from .scan import Counts
from .selection import column_names
from .statistics import (
    checked_weights,
    mean_and_spread,
    no_weighed_rows,
    of_rows,
    spread_out,
    standardised,
    unstandardised,
    weighted_mean,
)
from .stored import IMPUTE, check_stored
from .targets import UnseenClasses, a_table, constant_target, decoded, finite_target, pd_numeric, text_target

__all__ = ["Preprocessing", "read_csv", "ColumnWarning", "MultilineRowWarning", "UnseenCategoryWarning", "IMPUTE",
           "MAX_CLASSES"]


class UnseenCategoryWarning(UserWarning):
    """A text column holds a value the model never saw in training."""


MAX_CLASSES = 20      # an integer target with at most this many values is taken as classes


@dataclass
class Preprocessing:
    """What the training table taught: columns, scaling, categories, target encoding."""

    target: str
    task: str                                   # "classification" or "regression"
    numeric: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    means: list[float] = field(default_factory=list)
    scales: list[float] = field(default_factory=list)
    categories: dict[str, list[str]] = field(default_factory=dict)
    # the value --impute fills a missing cell with, for every feature column (an older file holds only
    # the columns that had gaps in training, and refuses a gap elsewhere)
    fill: dict[str, object] = field(default_factory=dict)
    impute: str | None = None
    classes: list = field(default_factory=list)
    y_mean: float = 0.0
    y_scale: float = 1.0
    other: dict[str, int] = field(default_factory=dict)     # text columns capped: categories counted as 'other'
    # how the file was read, for predict to read the same: the user's extra missing-value markers
    # (--na-values), and the text columns pandas typed (numbers, booleans: categories '10.0', 'True',
    # matched through encode.as_typed); the others are as written. None: a file written before
    # these were kept (pandas' own markers; every text column typed)
    na_values: list[str] | None = None
    typed: list[str] | None = None
    # the decimal mark and thousands separator the file was read with (--decimal, --thousands), which
    # predict and evaluate read with unless told otherwise; None: '.' and none (a file before these)
    decimal: str | None = None
    thousands: str | None = None
    # the separator and encoding the file was read with (given or detected), which predict, evaluate
    # and explain --data read with unless told otherwise; None: detected (a file before these)
    sep: str | None = None
    encoding: str | None = None

    @property
    def text_target(self) -> tuple[str, ...]:
        """(target,) when its classes are text, to read a file's labels as written ('007' is not the
        7 pandas would make of it: train --text TARGET, or labels with leading zeros); else ()."""
        return (self.target,) if self.classes and all(isinstance(c, str) for c in self.classes) else ()

    @property
    def columns(self) -> list[str]:
        return self.numeric + self.text

    @property
    def n_features(self) -> int:
        return len(self.numeric) + sum(len(self.categories[c]) for c in self.text)

    # -- learning from the training table ---------------------------------------------------
    @classmethod
    def fit(cls, df, target: str, task: str | None = None, impute: str | None = None,
            text_columns=(), max_categories: int | None = MAX_CATEGORIES, train: Any = None,
            warn: bool = True, sample_weight: Any = None) -> Preprocessing:
        """Learn the preprocessing from the training table. `text_columns` are used as categories even
        when they hold numbers; a text column keeps its `max_categories` most frequent values.
        `train`: a boolean mask of `df`'s rows (default all) whose values the statistics come from
        (means, scales, fill values, categories, the regression target's mean and scale), as
        scikit-learn fits on the training rows only: rows held out for validation must not shape
        the inputs they are scored on. How each column is read, the checks and the warnings about
        a column (an ID, gaps, numbers as text) and a target's classes come from every row: every
        row is encoded, and a class seen only in validation rows still needs its output. `warn=False`:
        those warnings are not said (a sweep's folds, said once by the whole file's fit); a flag, not
        warnings.catch_warnings, whose global filters threads fitting folds at once would undo.
        `sample_weight`: each row's weight (>= 0; `train --weight`), which the means and scales (of the
        inputs and of a regression target) and --impute mean's fill values weigh, as StandardScaler
        weighs them; a row of weight 0 shapes nothing, as if it were not in the file: the categories,
        and the median and most frequent fill values (which scikit-learn's OneHotEncoder and
        SimpleImputer learn without weights), come from the training rows of weight above 0, so a
        value seen only in rows of weight 0 is no category (its rows encode as all zeros, as
        OneHotEncoder(handle_unknown='ignore') encodes a value it was not fitted on)."""
        a_table(df, "Preprocessing.fit", "pd.read_csv(path) reads one, pd.DataFrame(X, columns=[...]) names an array's")
        import pandas as pd
        named = df.attrs.get("csv", {}).get("name")          # the file's, as CsvStream names it
        if "csv" not in df.attrs:          # read_csv refused a repeated header; a DataFrame built otherwise is asked
            refuse_repeated_header(df, None)
        if target not in df.columns:
            raise not_in_file("target column", target, df.columns, named)
        text_columns = column_names(text_columns, "text_columns")
        unknown = [c for c in text_columns if c not in df.columns]
        if unknown:
            raise not_in_file("text column", unknown[0], df.columns, named)
        if max_categories is not None and (isinstance(max_categories, bool)
                                           or not isinstance(max_categories, numbers.Integral) or max_categories < 1):
            raise ValidationError(f"the category limit must be a positive integer; got {short(max_categories)}")
        max_categories = None if max_categories is None else int(max_categories)    # NumPy's too, kept as Python's
        if impute is not None and impute not in IMPUTE:
            raise ValidationError(f"impute must be one of {', '.join(IMPUTE)}; got {impute!r}")
        rows = _training_rows(train, len(df))
        weights = None
        if sample_weight is not None:          # the statistics' rows: training rows of weight above 0
            weights = checked_weights(sample_weight, len(df))
            rows = (weights > 0) if rows is None else rows & (weights > 0)
            if not rows.any():
                raise no_weighed_rows()
        features = [c for c in df.columns if c != target]
        if not features:
            raise ValidationError(f"{the_file(named)} has no feature columns besides the target {target!r}")
        y = df[target]
        if y.isna().any():
            raise empty_rows_at_end(df) or missing_target(target, int(y.isna().sum()), rows_of(y.isna(), y),
                                                          **read_as(df))
        numeric_target = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
        if task is None and numeric_target and y.nunique() == 1:     # neither task has anything to learn
            raise constant_target(target, float(y.iloc[0]), False, True)
        if task is None and not numeric_target and target not in text_columns and not pd.api.types.is_bool_dtype(y) \
                and not isinstance(y.dtype, pd.CategoricalDtype):    # 1,234.5 or 'N/A' among amounts: no classes
            check_text_column(y, target, df.attrs.get("csv"), target=True)
        if task is None:
            integral = numeric_target and np.all(np.mod(y.to_numpy(dtype=float), 1) == 0)
            task = "classification" if (not numeric_target or (integral and y.nunique() <= MAX_CLASSES)) \
                else "regression"
        if task not in ("classification", "regression"):
            raise ValidationError(f"task must be 'classification' or 'regression'; got {task!r}")
        pre = cls(target=target, task=task, impute=impute, na_values=[])
        typed: list[str] = []
        if task == "regression":
            if not numeric_target:
                raise text_target(target, y.tolist(), [1] * len(y),
                                  lambda mask: (i := earliest(y, mask), place(y, i)), df.attrs.get("csv"), y.iloc[0])
            # every row: the validation rows' are scaled too
            finite_target(y.to_numpy(dtype=float), y, target, list(df.columns).index(target))
            kept, w = y if rows is None else y[rows], of_rows(weights, rows)
            pre.y_mean, pre.y_scale = mean_and_spread(kept, w)
            values = kept.to_numpy(dtype=float)[slice(None) if w is None else w > 0]
            if values.size and values.min() == values.max():      # one value: its std rounding (1e-16), not 0
                raise constant_target(target, float(values[0]), y.nunique() > 1, False)
        else:
            pre.classes = sorted(y.unique().tolist(), key=lambda v: (str(type(v)), v))
            check_classes(target, pre.classes, y.value_counts().to_numpy(), numeric_target, warn=warn,
                          given=df.attrs.get("csv", {}).get("na_values"))
        gap = df[features].isna()
        missing = gap.sum()                          # one pass over the table, not two a column
        empty = [c for c in features if missing[c] == len(df)]
        if empty:
            raise no_values(empty[0], impute)
        gaps = [c for c in features if missing[c]]
        if gaps and impute is None:
            for c in gaps:      # numbers but for gaps and '?': one error, with --na-values and --impute both
                if not is_numeric(df[c]) and c not in text_columns and not isinstance(df[c].dtype, pd.CategoricalDtype):
                    check_text_column(df[c], c, df.attrs.get("csv"))
            detail = "; ".join(f"{c!r} {rows_of(df[c].isna(), df)}" for c in gaps)
            n = int(missing[gaps].sum())
            raise unfilled(n, detail)
        if rows is not None and gaps:                # (with --impute) nothing in the training rows to fill from
            train_missing = gap[rows].sum()
            empty = [c for c in gaps if train_missing[c] == rows.sum()]
            if empty:
                raise empty_in_training(empty[0], weights is not None)
        del gap
        for c in features:
            col = df[c]
            part = col if rows is None else col[rows]      # the training rows' values
            numeric = is_numeric(col) and c not in text_columns
            # a pandas categorical is categories as the table declares them (as --text): its values are no
            # placeholders among numbers ('nan' too is a category), as OneHotEncoder reads them
            declared = isinstance(col.dtype, pd.CategoricalDtype)
            if not numeric and c not in text_columns and not declared:   # numbers as text refused first
                check_text_column(col, c, df.attrs.get("csv"))     # the advice, by how the file was read
            if warn and not missing[c] and looks_like_id(col):     # a column with gaps is never an ID
                warn_id(c, len(col), None if numeric or c in text_columns else col.to_numpy())
            if numeric:
                pre.numeric.append(c)
                if impute is not None:        # every column, as SimpleImputer: predict may meet a gap anywhere
                    pre.fill[c] = (float(part.mean() if weights is None else weighted_mean(part, weights[rows]))
                                   if impute == "mean" else float(part.median() if impute == "median"
                                                                  else part.mode()[0]))
            else:
                pre.text.append(c)
                part = part.astype("string")
                # the training rows' values, counted once: the boolean spellings, the fill value and the
                # categories all come from them, as in train --stream (CsvStream.fit)
                counted = part.value_counts(dropna=True)
                words = None if c in text_columns or declared else boolean_spellings(counted.index)
                if words:
                    part = part.replace(words)
                    counted = part.value_counts(dropna=True)
                every = counted if rows is None or not warn else col.astype("string").value_counts(dropna=True)
                if warn and (marks := missing_marks(every.index.tolist())):   # a '?' (UCI's): with --na-values
                    at = earliest(df, col.isin(marks).to_numpy(dtype=bool, na_value=False))
                    warn_marks(c, marks, int(every[marks].sum()), place(df, at), df.attrs.get("csv", {}).get(
                        "na_values"))
                values = col.dtype.categories if declared else col      # a categorical of numbers: typed
                if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values) or words or \
                        pd.api.types.infer_dtype(values, skipna=True) == "boolean" or \
                        (c not in text_columns and boolean_column(counted.index)):      # yes/no: by meaning
                    typed.append(c)
                if impute is not None:          # the most frequent value, the first in order on a tie (as mode)
                    top = counted.max()
                    pre.fill[c] = min(str(v) for v, k in counted.items() if k == top)
                gapped = impute is not None and part.hasnans
                pre.categories[c], dropped = categories(part.fillna(pre.fill[c]) if gapped else Counts(
                    [str(v) for v in counted.index], counted.tolist()), c, max_categories,
                    training=rows is not None, warn=warn, text=c in text_columns)
                if dropped:
                    pre.other[c] = dropped
        pre.typed = typed
        for column in numeric_columns(pre, df):    # one column at a time: no n x columns block (all checked)
            part, w = column if rows is None else column[rows], of_rows(weights, rows)
            mean, std = mean_and_spread(part, w)
            pre.means.append(mean)              # one value: its std 0 or rounding (2e-16 of 1.1): centred only
            pre.scales.append(std if std > 0 and spread_out(part[slice(None) if w is None else w > 0]) else 1.0)
        return pre

    # -- applying to any table --------------------------------------------------------------
    def check_columns(self, df, allow_target: bool = True) -> None:
        check_columns(self, df, allow_target)

    def missing(self, missing: list[str], present: Sequence[str] = ()) -> ValidationError:
        """The error for the model's columns `missing` in a file (`applying.missing_columns`)."""
        return missing_columns(self, missing, present)

    def raw_value(self, j: int, z: Any) -> Any:
        """The j-th numeric column's value as the file writes it, for its standardised value z: mean + spread * z."""
        return unstandardised(z, self.means[j], self.scales[j])

    def transform(self, df, dtype: Any = np.float64, sparse: bool = True, rows: np.ndarray | None = None,
                  unseen: dict[str, set] | None = None, none_missing: bool = True) -> Any:
        """The network's inputs for a table with the training columns (checked by name), in `dtype`
        (the network's). With text columns and `sparse`, a SciPy CSR matrix (the one-hot columns
        stay sparse); otherwise a dense array. `rows`: the row positions to encode, in that order
        (e.g. a shuffled order whose last rows are the validation split: no copy of the result).
        `unseen`: a dict that collects each text column's values unseen in training instead of an
        UnseenCategoryWarning (chunks of one file warn once). Inputs larger than the available
        memory raise MemoryError naming the widest columns and the ways out. `none_missing`: a cell
        'None' or '<NA>' that training did not learn as a category is missing (else an unseen value)."""
        from .encode import encode
        return encode(self, df, dtype=dtype, sparse=sparse, rows=rows, unseen_warning=UnseenCategoryWarning,
                      unseen=unseen, none_missing=none_missing)

    def losses_of(self, weighted: bool = False) -> str:
        """A regression's training losses are of (target - mean) / std, not in the file's units (its metrics are)."""
        return f"losses of the standardised target: {self.standardisation()}, of the {self.learnt_from(weighted)}"

    def learnt_from(self, weighted: bool = False) -> str:
        """The rows the statistics were learnt from, as train and plot network's note say it: one text."""
        return "weighted training rows" if weighted else "training rows"

    def standardisation(self) -> str:
        """(target - mean) / std as train, info and plot curves write it: one text, a user compares their numbers."""
        return f"({short(self.target)} - mean {self.y_mean:.6g}) / std {self.y_scale:.6g}"

    def encode_target(self, df) -> np.ndarray:
        a_table(df, "encode_target", f"the table with the target column {short(self.target)}, e.g. pd.read_csv(path)")
        if self.target not in df.columns:
            raise ValidationError(f"target column {self.target!r} is not in the file")
        y = df[self.target]
        if y.isna().any():
            raise empty_rows_at_end(df) or missing_target(self.target, int(y.isna().sum()), rows_of(y.isna(), y),
                                                          **read_as(df))
        if self.task == "regression":
            values = pd_numeric(y, self.target, list(df.columns).index(self.target))
            return standardised(values, self.y_mean, self.y_scale).reshape(-1, 1)
        index = {v: i for i, v in enumerate(self.classes)}
        unknown = [v for v in y.unique().tolist() if v not in index]
        codes = None
        if unknown and all(isinstance(c, str) for c in self.classes):
            # text classes, and a file whose labels pandas read as numbers or booleans (it holds no
            # 'unknown' row): matched as predict matches a text column's cells
            import pandas as pd

            from .encode import as_typed
            text = y.astype("string")
            codes = pd.Index(self.classes, dtype="string").get_indexer(text)
            codes[codes < 0] = as_typed(self.classes, text[codes < 0])
            if (codes >= 0).all():
                return codes
            unknown = text[codes < 0].unique().tolist()
        if unknown:
            # each row of a class the model has no output for: named by its lines, as a missing target is
            rows = np.flatnonzero((codes < 0) if codes is not None else y.isin(unknown).to_numpy(dtype=bool))
            raise UnseenClasses(self.target, unknown, rows, places(y, rows[:5], rows.size), self.classes)
        import pandas as pd
        codes = pd.Index(self.classes).get_indexer(y)          # vectorized; the dict where pandas differs
        return codes if (codes >= 0).all() else np.array([index[v] for v in y.tolist()])

    def decode(self, out: np.ndarray) -> np.ndarray:
        """Network outputs to predictions in the target's own units or labels. A regression is
        un-scaled in float64 whatever the network's dtype (as TransformedTargetRegressor): float32
        steps are 8 near 1e8, which a target's mean there would otherwise round every prediction to."""
        return decoded(out, self.task, self.classes, self.y_scale, self.y_mean, self.target)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Preprocessing:
        """The preprocessing stored in a model file, every field checked (ModelFileError otherwise)."""
        return cls(**check_stored(data))


def _training_rows(train: Any, n: int) -> np.ndarray | None:
    """`fit`'s `train` as a boolean mask of the n rows, checked; None for every row."""
    if train is None:
        return None
    rows = np.asarray(train)
    if rows.dtype != np.bool_ or rows.shape != (n,):
        raise ValidationError(f"train must be a boolean mask of the table's {n} {plural(n, 'row')}; got shape "
                              f"{rows.shape} of {rows.dtype}")
    if not rows.any():
        raise ValidationError(f"train marks none of the table's {n} {plural(n, 'row')} as a training row")
    return rows
