"""One sweep task: one candidate fitted on one fold's training rows and scored on its test rows, as
GridSearchCV's _fit_and_score, wherever it runs (here under joblib, or as a Dask task); what its fit said, and
whether it ran out of epochs, come back with its score for the sweep to say once."""
from __future__ import annotations

import time
from typing import Any

from chainrule.training.schedules import ScheduleWarning, kept


def _fold(estimator, params: dict, fold: tuple, scoring: Any, error_score, train_score: bool = False
          ) -> tuple[float | dict, float, str | dict | None, bool | None, ScheduleWarning | None, tuple | None, float,
                     float | dict | None, str | dict | None]:
    """One candidate on one fold, as GridSearchCV's _fit_and_score: (score, fit seconds, why it failed or
    None, whether its fit ran every epoch without the stopping rule ending it: `ran_out`, None when the fit
    failed, the ScheduleWarning its fit would have shown or None, its (batch_size, training rows) where the size
    was clipped to the rows or None: `clipped`, score seconds: 0 when the fit failed, as GridSearchCV's, its score
    on its own training rows where `train_score`, else None: GridSearchCV's return_train_score, why that score
    failed or None, for the sweep to say as GridSearchCV warns 'Scoring failed'); with
    error_score "raise" a failure raises its own error, else scores error_score (NaN, or GridSearchCV's number).
    `fold`: its preprocessed training rows, their targets and weights (None: unweighted), in the fit, and its test
    rows', in the score."""
    from sklearn.base import clone
    X_train, y_train, w_train, X_test, y_test, w_test = fold
    estimator = clone(estimator).set_params(**clone(params, safe=False))
    fit_params = {} if w_train is None else {"sample_weight": w_train}
    said: list[ScheduleWarning] = []
    start = time.perf_counter()
    try:
        with kept(said):         # the sweep says them once (`say_ran_out`), not a warning per fold
            estimator.fit(X_train, y_train, **fit_params)
    except Exception as exc:
        if error_score == "raise":
            raise
        return _failed(scoring, error_score), time.perf_counter() - start, f"{type(exc).__name__}: {exc}", None, \
            None, None, 0.0, _failed(scoring, error_score) if train_score else None, None
    seconds = time.perf_counter() - start
    out, held = ran_out(estimator), (said[0] if said else None)
    size = clipped(estimator)
    start = time.perf_counter()
    score, why = _scored(estimator, X_test, y_test, w_test, scoring, error_score)
    score_seconds = time.perf_counter() - start          # the test rows' alone, as GridSearchCV's score_time
    train, train_why = _scored(estimator, X_train, y_train, w_train, scoring, error_score) if train_score else \
        (None, None)
    return score, seconds, why, out, held, size, score_seconds, train, train_why


def _scored(estimator, X, y, w, scoring: Any, error_score) -> tuple[float | dict, str | dict | None]:
    """The fitted estimator's score of rows X, y (weighed by w, or None): one, or several scorers' {name: score}
    (GridSearchCV's, a failing one's error_score alone), and why one failed (None: none did)."""
    from sklearn.metrics import check_scoring
    score_params = {} if w is None else {"sample_weight": w}
    if isinstance(scoring, dict):   # several scorers: GridSearchCV's {name: score}, a failing one's error_score alone
        scores, failed = {}, {}
        for name, one in scoring.items():
            try:
                scores[name] = float(check_scoring(estimator, one)(estimator, X, y, **score_params))
            except Exception as exc:
                if error_score == "raise":
                    raise
                scores[name] = float(error_score)
                failed[name] = f"its fits worked, its score {name!r} could not be computed: {type(exc).__name__}: {exc}"
        return scores, failed or None
    try:
        return float(check_scoring(estimator, scoring)(estimator, X, y, **score_params)), None
    except Exception as exc:
        if error_score == "raise":
            raise
        why = f"its fits worked, its score {scoring or 'default'!r} could not be computed: {type(exc).__name__}: {exc}"
        return _failed(scoring, error_score), why


def _failed(scoring: Any, error_score) -> float | dict:
    """A failed fold's score: error_score, for each scorer where several score (GridSearchCV's dict of them)."""
    return {name: float(error_score) for name in scoring} if isinstance(scoring, dict) else float(error_score)


def ran_out(estimator) -> bool:
    """Whether the fitted chainrule estimator (a regression's inside its TransformedTargetRegressor) ran every
    epoch without its stopping rule ending the fit: what its fit warns of, except the sweep's, which count it."""
    return bool(getattr(getattr(estimator, "regressor_", estimator), "_ran_out", False))


def clipped(estimator) -> tuple[int, int] | None:
    """The fitted sweep's estimator's (batch_size, training rows) where the size was clipped to the rows, else
    None (a regression's inside its TransformedTargetRegressor, as `ran_out`)."""
    return getattr(getattr(estimator, "regressor_", estimator), "_clipped", None)
