"""How `chainrule sweep`'s search runs (`chainrule.sweep` reads the file and writes the results):
scikit-learn's GridSearchCV here or on a Dask cluster, a regression scored in the target's units,
failed candidates kept (NaN scores, ranked last) and named, the best one refit, the results table.

Each fold's candidate is a Pipeline of FoldPreprocessing (the file's preprocessing learnt from that
fold's training rows only, as a scaler in a scikit-learn Pipeline) and the estimator: the rows held out
to score it have no say in the scaling, fill values and categories it trains with (nor, for a regression,
in the target's mean and scale). The best candidate is refit on every row with the whole file's.

A failed fit must not end the sweep (one diverging learning rate lost every other candidate), so the
search runs with error_score=nan unless the user asks for "raise". scikit-learn keeps only a failed
fit's traceback text, in its warning (or in its error when every fit failed); the candidates fit here (SweptClassifier,
SweptRegressor) write their parameters and the reason into that text, one JSON line, which is read
back to name each failed candidate.
"""
from __future__ import annotations

import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from chainrule.data.columns import MAX_CATEGORIES
from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor

MARK = "chainrule-sweep-candidate-failed "
SCORING_FAILED = "Scoring failed."      # how scikit-learn's warning about a score it could not compute begins
_SAID = re.compile(re.escape(MARK) + r"(\{.*\})\s*$", re.MULTILINE)


class FailedCandidateWarning(UserWarning):
    """A candidate of a sweep failed in a fold: its score is NaN and it is ranked last."""


class CandidateFailed(Exception):
    """A candidate's fit failed: MARK and JSON {"params", "reason"} on one line, the text that scikit-learn
    keeps of a failed fit (and brings back from a Dask worker)."""


def _fit_or_say(estimator, fit, X, y, sample_weight):
    try:
        return fit(X, y, sample_weight=sample_weight)
    except Exception as exc:
        said = {"params": estimator.get_params(deep=False), "reason": f"{type(exc).__name__}: {exc}"}
        raise CandidateFailed(MARK + json.dumps(said, default=str)) from None


class SweptClassifier(BackpropClassifier):
    """BackpropClassifier whose failed fit says its parameters and why (CandidateFailed); its messages
    name BackpropClassifier, the class the user asked for."""

    shown_as = "BackpropClassifier"

    def fit(self, X, y, sample_weight=None):
        return _fit_or_say(self, super().fit, X, y, sample_weight)


class SweptRegressor(BackpropRegressor):
    """BackpropRegressor whose failed fit says its parameters and why (CandidateFailed); its messages
    name BackpropRegressor."""

    shown_as = "BackpropRegressor"

    def fit(self, X, y, sample_weight=None):
        return _fit_or_say(self, super().fit, X, y, sample_weight)


class FoldPreprocessing(TransformerMixin, BaseEstimator):
    """`Preprocessing` learnt from the table's rows it is fit on (a fold's training rows: means, scales,
    fill values, categories) and applied to any of its rows; X is the file's table, target included.
    Its warnings about the columns were said once, by the whole file's fit; a category the training
    rows lack is encoded as zeros, as OneHotEncoder(handle_unknown="ignore")."""

    def __init__(self, target: str = "", task: str | None = None, impute: str | None = None, text_columns=(),
                 max_categories: int | None = MAX_CATEGORIES, dtype: Any = np.float64):
        self.target, self.task, self.impute = target, task, impute
        self.text_columns, self.max_categories, self.dtype = text_columns, max_categories, dtype

    def fit(self, X, y=None):
        from chainrule.data.tabular import Preprocessing
        # warn=False, not warnings.catch_warnings: a Dask worker's threads fit folds at once, and one thread's
        # catch_warnings swallowed another's warnings, or left every warning of the process ignored
        self.pre_ = Preprocessing.fit(X, self.target, task=self.task, impute=self.impute, warn=False,
                                      text_columns=tuple(self.text_columns), max_categories=self.max_categories)
        return self

    def transform(self, X):
        return self.pre_.transform(X, dtype=self.dtype, unseen={})


class TargetScaling(TransformerMixin, BaseEstimator):
    """A regression target standardised with the mean and spread of the rows it is fit on (a fold's
    training rows; `Preprocessing`'s formula), and taken back to its units in float64."""

    def fit(self, y, _=None):
        from chainrule.data.tabular import mean_and_spread
        self.mean_, scale = mean_and_spread(np.asarray(y, dtype=np.float64))
        self.scale_ = scale or 1.0
        return self

    def transform(self, y):
        return _scaled(y, self.mean_, self.scale_)

    def inverse_transform(self, y):
        return _unscaled(y, self.mean_, self.scale_)


def per_fold(estimator, preprocessing: FoldPreprocessing):
    """The estimator as each fold fits it: its inputs (and a regression's target) standardised with
    the fold's training rows; a regression predicting, and so scored, in the target's units."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.pipeline import Pipeline
    fold = Pipeline([("preprocessing", preprocessing), ("estimator", estimator)])
    if isinstance(estimator, BackpropRegressor):
        return TransformedTargetRegressor(fold, transformer=TargetScaling(), check_inverse=False)
    return fold


def _scaled(y, mean: float, scale: float):
    return (y - mean) / scale


def _unscaled(y, mean: float, scale: float):
    return np.asarray(y, dtype=np.float64) * scale + mean       # in float64 whatever the network's, as decode


def in_target_units(regressor, mean: float, scale: float):
    """The regressor trained on the standardised target (the file's mean and scale, as `chainrule train`
    and the model file have them), predicting, and so scored, in the target's own units."""
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import FunctionTransformer
    scaling = FunctionTransformer(_scaled, inverse_func=_unscaled, kw_args={"mean": mean, "scale": scale},
                                  inv_kw_args={"mean": mean, "scale": scale}, check_inverse=False)
    return TransformedTargetRegressor(regressor, transformer=scaling, check_inverse=False)


def public(estimator: SweptClassifier | SweptRegressor) -> BackpropClassifier | BackpropRegressor:
    """The user's estimator with a candidate's parameters: the refit best is a BackpropClassifier or
    BackpropRegressor (its repr, pickle and messages), not the sweep's own class."""
    cls = BackpropClassifier if isinstance(estimator, BackpropClassifier) else BackpropRegressor
    return cls(**estimator.get_params(deep=False))


def fitted(estimator):
    """The chainrule estimator inside (a regression's TransformedTargetRegressor holds it)."""
    return getattr(estimator, "regressor_", estimator)


@dataclass
class Search:
    """A finished search: the table (best first, values as the grid wrote them), the best candidate
    (its parameters under the estimator's names, its mean score, refit on every row) and the failed."""

    table: Any
    best_params: dict
    best_score: float
    best_estimator: Any
    failed: dict[int, str] = field(default_factory=dict)      # candidate -> the first reason it failed


def search(estimator, grid: dict[str, list], names: dict[str, str], X, y, *, folds, scoring: str | None,
           n_jobs: int, scheduler: str | None, refit: Callable[[dict], Any] | None,
           error_score: float | str = np.nan) -> Search:
    """Cross-validate every candidate of `grid` ({chainrule estimator's name: values}; `names`: the
    grid's names as written -> those) fit as `estimator` (per_fold's) on the table X, warn for each
    failed one; `refit(best parameters)` fits the best on every row (None: not refit, as GridSearchCV's
    refit=False); `error_score` "raise": the first failed fit raises its error, as GridSearchCV's."""
    from sklearn.exceptions import FitFailedWarning
    from sklearn.model_selection import GridSearchCV

    prefix = _prefix(estimator)
    grid = {prefix + k: v for k, v in grid.items()}
    gs = GridSearchCV(estimator, grid, cv=folds, scoring=scoring, refit=False, error_score=error_score,
                      n_jobs=-1 if scheduler else n_jobs)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FitFailedWarning)
        warnings.filterwarnings("ignore", "One or more of the test scores are non-finite")  # said below, by name
        try:
            fit_on_dask(gs, X, y, scheduler) if scheduler else gs.fit(X, y)
        except ValueError as exc:              # every fit failed: scikit-learn's error holds their tracebacks
            said = _said(str(exc)) if error_score != "raise" else []
            if not said:
                raise
            raise ValidationError(f"every candidate of the sweep failed; the first, {_shown(said[0][0], names)}: "
                                  f"{said[0][1]}") from None
    said = [s for w in caught if issubclass(w.category, FitFailedWarning) for s in _said(str(w.message))]
    scores_failed = [_last_line(str(w.message)) for w in caught if str(w.message).startswith(SCORING_FAILED)]
    for w in caught:                             # the other warnings, as they would have been shown
        if not issubclass(w.category, FitFailedWarning) and not str(w.message).startswith(SCORING_FAILED):
            warnings.showwarning(w.message, w.category, w.filename, w.lineno, w.file, w.line)
    res = gs.cv_results_
    n_folds = folds.get_n_splits()
    scores = np.array([res[f"split{k}_test_score"] for k in range(n_folds)])
    failed = {}
    for i in np.flatnonzero(np.isnan(scores).any(axis=0)):
        params = res["params"][i]
        unscored = f"its fits worked, its score {scoring or 'default'!r} could not be computed: " + (
            scores_failed[0] if scores_failed else "scikit-learn gave no reason")
        failed[int(i)] = next((why for p, why in said if _same(p, params)), unscored)
        warnings.warn(f"candidate {_shown(params, names)} failed in {int(np.isnan(scores[:, i]).sum())} of {n_folds} "
                      f"folds (score NaN, ranked last): {failed[int(i)]}", FailedCandidateWarning, stacklevel=3)
    if len(failed) == len(res["params"]):
        first = min(failed)
        raise ValidationError(f"every candidate of the sweep failed; the first, "
                              f"{_shown(res['params'][first], names)}: {failed[first]}")
    best = int(np.argmin(res["rank_test_score"]))           # GridSearchCV's best_index_, and its refit:
    params = res["params"][best]
    try:
        best_estimator = None if refit is None else refit(_unprefixed(params))
    except Exception as exc:
        raise ValidationError(f"the best candidate, {_shown(params, names)}, failed when refit on every row: "
                              f"{type(exc).__name__}: {exc}") from None
    return Search(_table(res, names, n_folds), _unprefixed(params),
                  float(res["mean_test_score"][best]), best_estimator, failed)


def _last_line(text: str) -> str:
    """The error at the end of the traceback scikit-learn puts in its warning about a score it could not compute."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text


def _prefix(estimator) -> str:
    """How GridSearchCV names the chainrule estimator's parameters inside per_fold's (estimator__, ...)."""
    for name, value in estimator.get_params().items():
        if isinstance(value, (BackpropClassifier, BackpropRegressor)):
            return name + "__"
    return ""


def _unprefixed(params: dict) -> dict:
    """A candidate's parameters under the chainrule estimator's names (its own have no '__')."""
    return {k.rsplit("__", 1)[-1]: v for k, v in params.items()}


def _said(text: str) -> list[tuple[dict, str]]:
    """(parameters, reason) of each failed fit named in scikit-learn's text about them."""
    out = []
    for found in _SAID.findall(text):
        said = json.loads(found)
        out.append((said["params"], said["reason"]))
    return out


def _same(said: dict, params: dict) -> bool:
    """Whether a failed fit's parameters (JSON) are the candidate's."""
    return all(said.get(k) == json.loads(json.dumps(v, default=str)) for k, v in _unprefixed(params).items())


def _shown(params: dict, names: dict[str, str]) -> str:
    """A candidate as the grid wrote it: hidden=32x16, lr=0.01."""
    params = _unprefixed(params)
    return ", ".join(f"{key}={show(params[name])}" for key, name in names.items() if name in params) or str(params)


def _table(res: dict, names: dict[str, str], n_folds: int):
    """One row per candidate, best first (failed ones, NaN, last): the grid's values, the scores, the fit time."""
    import pandas as pd
    params = [_unprefixed(p) for p in res["params"]]
    table = pd.DataFrame({key: [show(p[name]) for p in params] for key, name in names.items()})
    table["mean_score"] = res["mean_test_score"]
    table["std_score"] = res["std_test_score"]
    table["rank"] = res["rank_test_score"]
    for k in range(n_folds):
        table[f"fold{k}_score"] = res[f"split{k}_test_score"]
    table["mean_fit_seconds"] = res["mean_fit_time"]
    return table.sort_values("rank", kind="stable").reset_index(drop=True)


def show(value):
    """A grid value as the user wrote it: hidden sizes as 32x16."""
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return value


def fit_on_dask(search, X, y, scheduler: str) -> None:
    """search.fit through joblib's Dask backend on the cluster of `scheduler`; every future settled
    (cancelled where the search stopped early) before the client closes."""
    import joblib
    try:
        from distributed import Client

        from chainrule.workers import ThreadLimits
    except ImportError:
        raise ValidationError("--scheduler needs Dask: pip install 'chainrule[dask]'") from None
    _listening(scheduler)
    try:
        client = Client(scheduler, timeout="10s")
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValidationError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    with client:
        try:
            client.wait_for_workers(1, timeout=30)
        except TimeoutError:
            raise ValidationError(f"the Dask scheduler at {scheduler!r} has no workers (waited 30 s)") from None
        client.register_plugin(ThreadLimits(1))
        try:
            with joblib.parallel_backend("dask"):
                search.fit(X, y)
        finally:
            _settle(client)


def _listening(scheduler: str, seconds: float = 5.0) -> None:
    """Refuse at once a scheduler address where nothing listens (a mistyped host or port): Dask's Client
    retries a refused connection until its timeout, and then names no reason."""
    import socket

    from distributed.comm.addressing import parse_address, parse_host_port
    try:
        kind, where = parse_address(scheduler)
        host, port = parse_host_port(where) if kind in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"the Dask scheduler address {scheduler!r} is not one such as tcp://host:8786: "
                              f"{exc}") from None
    if host is None:
        return
    try:
        socket.create_connection((host, port), timeout=seconds).close()
    except OSError as exc:
        why = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise ValidationError(f"cannot reach the Dask scheduler at {scheduler!r}: connecting to {host} port {port}: "
                              f"{why} (is the scheduler running, and the address right?)") from None


def _settle(client) -> None:
    """Cancel what the client still holds (the batches joblib sent before a fit failed or the user
    stopped it, the data it scattered), so that closing the client finds nothing pending: cancel
    returns once the scheduler has released them."""
    from distributed import Future
    held: list[Any] = [Future(key, client) for key in list(client.futures)]
    if held:
        client.cancel(held)
