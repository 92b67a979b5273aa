"""The estimators each fold of `chainrule sweep` fits, and what they learn from the fold's rows: the sweep's own
BackpropClassifier and BackpropRegressor (quiet per fit: the sweep says once what its fits share), the file's
preprocessing learnt from a fold's training rows (FoldPreprocessing), a regression's target standardised
(TargetScaling, which `onnx.to_onnx` reads in a best model) and the refit best as the user's class.

sweep_search drives them; they know nothing of candidates, folds' order or Dask.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from chainrule.data.columns import MAX_CATEGORIES
from chainrule.data.statistics import mean_and_spread, spread_out, standardised, unstandardised
from chainrule.errors import ParameterError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor


class _Clipped:
    """A sweep's fit whose batch_size is larger than its training rows clips it as the estimator's does, silent
    (MLPClassifier's warning, once per fit: 7 lines for 2 candidates of 3 folds): it keeps (batch_size, rows) in
    `_clipped` (`clipped`), which the sweep counts and says once (`say_ran_out`)."""

    def _batch_size(self, n: int) -> int:
        size = getattr(self, "batch_size", None)
        big = isinstance(size, (int, np.integer)) and not isinstance(size, bool) and size > n
        self._clipped = (int(size), n) if big else None        # type: ignore[arg-type]
        return n if big else super()._batch_size(n)           # type: ignore[misc]


class SweptClassifier(_Clipped, BackpropClassifier):
    """BackpropClassifier whose messages name BackpropClassifier, the class the user asked for; its fit does not
    warn when it runs out of epochs, nor of a batch_size clipped (a warning per fit): the sweep counts those fits
    and says it once. A fold whose
    training rows lack a class (a splitter the user cut) leaves its class weight out, which weighs none of them:
    the sweep checked the labels against the whole file, and the weighted candidate fits as the unweighted."""

    shown_as = "BackpropClassifier"
    _warns_unconverged = False
    _keeps_an_interrupted_fit = False       # Ctrl-C ends the sweep (SweepInterrupted), not one fit
    _weighs_classes_y_lacks = True


class SweptRegressor(_Clipped, BackpropRegressor):
    """BackpropRegressor whose messages name BackpropRegressor; silent when it runs out of epochs, as above."""

    shown_as = "BackpropRegressor"
    _warns_unconverged = False
    _keeps_an_interrupted_fit = False


class FoldPreprocessing(TransformerMixin, BaseEstimator):
    """`Preprocessing` learnt from the table's rows it is fit on (a fold's training rows: means, scales,
    fill values, categories) and applied to any of its rows; X is the file's table, target included.
    Its warnings about the columns were said once, by the whole file's fit; a category the training
    rows lack is encoded as zeros, as OneHotEncoder(handle_unknown="ignore")."""

    def __init__(self, target: str = "", task: str | None = None, impute: str | None = None, text_columns=(),
                 max_categories: int | None = MAX_CATEGORIES, dtype: Any = np.float64):
        self.target, self.task, self.impute = target, task, impute
        self.text_columns, self.max_categories, self.dtype = text_columns, max_categories, dtype

    def fit(self, X, y=None, sample_weight=None):
        from chainrule.data.tabular import Preprocessing
        # warn=False, not warnings.catch_warnings: a Dask worker's threads fit folds at once, and one thread's
        # catch_warnings swallowed another's warnings, or left every warning of the process ignored
        self.pre_ = Preprocessing.fit(X, self.target, task=self.task, impute=self.impute, warn=False,
                                      text_columns=tuple(self.text_columns), max_categories=self.max_categories,
                                      sample_weight=sample_weight)     # weighted as StandardScaler's fit
        return self

    def transform(self, X):
        # a fold's test rows' 'None' is a value its training rows lack, not a gap (the whole file learnt it)
        return self.pre_.transform(X, dtype=self.dtype, unseen={}, none_missing=False)


class TargetScaling(TransformerMixin, BaseEstimator):
    """A regression target standardised, and taken back to its units in float64: with the mean and spread of the
    rows it is fit on (a fold's training rows; `Preprocessing`'s formula), or with `mean` and `scale` given (the whole
    file's, as `chainrule train`'s: the best model's). `onnx.to_onnx` writes its inverse after the network."""

    def __init__(self, mean: float | None = None, scale: float | None = None):
        self.mean, self.scale = mean, scale

    def fit(self, y, _=None):
        if self.mean is not None or self.scale is not None:     # given: kept, so they must be a standardisation
            if not all(isinstance(v, (int, float, np.integer, np.floating)) and np.isfinite(v)
                       for v in (self.mean, self.scale)) or not self.scale > 0:
                raise ParameterError(f"TargetScaling: mean and scale are given together, finite, scale > 0 (or neither:"
                                     f" the rows'); got mean={self.mean!r}, scale={self.scale!r}")
            self.mean_, self.scale_ = float(self.mean), float(self.scale)
            return self
        y = np.asarray(y, dtype=np.float64)
        self.mean_, scale = mean_and_spread(y)
        self.scale_ = scale if spread_out(y) else 1.0       # one value: centred (its std is 0, or rounding: 2e-16)
        return self

    def transform(self, y):
        return _scaled(y, self.mean_, self.scale_)

    def inverse_transform(self, y):
        return _unscaled(y, self.mean_, self.scale_)


def per_fold(estimator):
    """The estimator as each fold fits it, on the fold's preprocessed rows: a regression's target standardised
    with the fold's training rows, its predictions, and so its scores, in the target's units."""
    from sklearn.compose import TransformedTargetRegressor
    if isinstance(estimator, BackpropRegressor):
        return TransformedTargetRegressor(estimator, transformer=TargetScaling(), check_inverse=False)
    return estimator


def prepared(preprocessing: FoldPreprocessing, X, y, weights, splits: list) -> list[tuple]:
    """Each fold's rows preprocessed once, for every candidate: (training rows, their targets and weights, test
    rows, theirs), the preprocessing learnt from the training rows, as a Pipeline of it and the estimator learns
    it in each candidate's fit (the same numbers, without fitting it again for every candidate)."""
    from sklearn.base import clone
    folds = []
    for train, test in splits:
        w_train, w_test = (None, None) if weights is None else (weights[train], weights[test])
        pre = clone(preprocessing).fit(X.iloc[train], sample_weight=w_train)
        folds.append((pre.transform(X.iloc[train]), y[train], w_train, pre.transform(X.iloc[test]), y[test], w_test))
    return folds


def _scaled(y, mean: float, scale: float):
    return standardised(np.asarray(y), mean, scale)                 # the engine's: finite near 1.8e308


def _unscaled(y, mean: float, scale: float):     # by this name in best models pickled before TargetScaling held them
    return unstandardised(np.asarray(y, dtype=np.float64), mean, scale)     # in float64 whatever the network's


def in_target_units(regressor, mean: float, scale: float):
    """The regressor trained on the standardised target (the file's mean and scale, as `chainrule train`
    and the model file have them), predicting, and so scored, in the target's own units."""
    from sklearn.compose import TransformedTargetRegressor
    return TransformedTargetRegressor(regressor, transformer=TargetScaling(mean, scale), check_inverse=False)


def public(estimator: SweptClassifier | SweptRegressor) -> BackpropClassifier | BackpropRegressor:
    """The user's estimator with a candidate's parameters: the refit best is a BackpropClassifier or
    BackpropRegressor (its repr, pickle and messages), not the sweep's own class; a fitted one keeps what
    its fit learnt (`as_public`: the refit is the sweep's class, silent when it runs out of epochs)."""
    cls = BackpropClassifier if isinstance(estimator, BackpropClassifier) else BackpropRegressor
    return cls(**estimator.get_params(deep=False))


def as_public(estimator):
    """The fitted sweep's estimator (a regression's inside its TransformedTargetRegressor) as the user's class,
    its fitted state kept (the same arrays, not fit again)."""
    inner = getattr(estimator, "regressor_", None)
    if inner is not None:
        estimator.regressor = public(estimator.regressor)
        estimator.regressor_ = as_public(inner)
        return estimator
    out = public(estimator)
    out.__dict__.update(estimator.__dict__)
    return out
