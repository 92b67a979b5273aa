"""How `chainrule sweep`'s search runs (`chainrule.sweep` reads the file and writes the results):
GridSearchCV's (or RandomizedSearchCV's) candidates, folds, scores and ranks, here (joblib) or on a
Dask cluster (a task per candidate and fold), a regression scored in the target's units, failed candidates kept (NaN
scores, ranked last) and named, the best one refit, the results table.

Each fold's candidate is a Pipeline of FoldPreprocessing (the file's preprocessing learnt from that
fold's training rows only, as a scaler in a scikit-learn Pipeline) and the estimator: the rows held out
to score it have no say in the scaling, fill values and categories it trains with (nor, for a regression,
in the target's mean and scale). The best candidate is refit on every row with the whole file's.

The loop over candidates and folds is this module's, not GridSearchCV.fit's: scikit-learn says why a fit
or a score failed only in warnings, issued in the process and thread that ran it, so a caller had to
record the warnings of the whole process (warnings.catch_warnings, which is not thread-safe: two sweeps in
threads lost each other's reasons and left the filters changed), and a Dask worker's reasons were lost.
Here each fold returns its score, fit time and the reason it failed, wherever it ran. Candidates
(ParameterGrid, ParameterSampler), folds, means, spreads and ranks are scikit-learn's, as GridSearchCV's
cv_results_ has them (tests compare the two on the same folds).
"""
from __future__ import annotations

import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin

from chainrule.data.columns import MAX_CATEGORIES
from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor


class FailedCandidateWarning(UserWarning):
    """A candidate of a sweep failed in a fold: its score is NaN and it is ranked last."""


class SweptClassifier(BackpropClassifier):
    """BackpropClassifier whose messages name BackpropClassifier, the class the user asked for."""

    shown_as = "BackpropClassifier"


class SweptRegressor(BackpropRegressor):
    """BackpropRegressor whose messages name BackpropRegressor."""

    shown_as = "BackpropRegressor"


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


def metric_kind(scoring: str) -> str | None:
    """Whether scikit-learn's scorer of this name is a "regression" metric (r2, neg_mean_squared_error, ...), a
    "classification" one (accuracy, f1_macro, neg_log_loss, roc_auc, ...), or neither (None: clustering's)."""
    from sklearn.metrics import get_scorer
    module = getattr(getattr(get_scorer(scoring), "_score_func", None), "__module__", "")
    return {"sklearn.metrics._regression": "regression", "sklearn.metrics._classification": "classification",
            "sklearn.metrics._ranking": "classification",
            "sklearn.metrics._scorer": "classification"}.get(module)      # the likelihood ratios of classes


def enough_rows(counts, classes: list, cv: int) -> None:
    """Every class needs a row in each of the cv folds (StratifiedKFold)."""
    few = [(c, int(n)) for c, n in zip(classes, counts) if n < cv]
    if few:
        listed = ", ".join(f"{c!r} {n}" for c, n in few)
        raise ValidationError(f"cv={cv} folds need at least {cv} rows of every class; rows of the classes with "
                              f"fewer: {listed} (fewer folds, or more rows of those classes)")


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
    results: dict = field(default_factory=dict)     # GridSearchCV's cv_results_ (test scores), candidates in order
    best_index: int = 0


def search(estimator, grid: dict[str, list], names: dict[str, str], X, y, *, folds, scoring: str | None,
           n_jobs: int, scheduler: str | None, refit: Callable[[dict], Any] | None,
           error_score: float | str = np.nan, n_iter: int | None = None, seed: int = 0) -> Search:
    """Cross-validate every candidate of `grid` ({chainrule estimator's name: values}; `names`: the
    grid's names as written -> those) fit as `estimator` (per_fold's) on the table X, warn for each
    failed one; `n_iter`: that many candidates drawn as RandomizedSearchCV(random_state=seed) draws them
    (None: every one, as GridSearchCV); `refit(best parameters)` fits the best on every row (None: not
    refit, as GridSearchCV's refit=False); `error_score` "raise": the first failed fit raises its error."""
    from joblib import Parallel, delayed
    from sklearn.model_selection import ParameterGrid, ParameterSampler

    prefix = _prefix(estimator)
    grid = {prefix + k: v for k, v in grid.items()}
    drawn = n_iter is not None and any(hasattr(v, "rvs") for v in grid.values())
    size = None if n_iter is None or drawn else len(ParameterGrid(grid))     # counted once, where n_iter needs it
    if size is not None and n_iter is not None and n_iter > size:   # scikit-learn's warning says "use GridSearchCV"
        warnings.warn(f"n_iter={n_iter} is more than the grid's {size} candidates: each is run once (without "
                      "n_iter, --n-iter, the grid runs in its own order)", UserWarning, stacklevel=3)
        n_iter = size                          # RandomizedSearchCV's own cut: the same candidates, same order
    candidates = list(ParameterGrid(grid) if n_iter is None else ParameterSampler(grid, n_iter, random_state=seed))
    splits = folds if isinstance(folds, list) else list(folds.split(X, y))   # (train, test) index pairs, as cut
    tasks = [(params, train, test) for params in candidates for train, test in splits]      # GridSearchCV's order

    def on_cluster(client):     # each task a Dask task: joblib runs those of a 1-thread cluster in this process
        data = client.scatter([X, y], broadcast=True)
        return client.gather([client.submit(_fold, estimator, params, *data, train, test, scoring, error_score,
                                            pure=False) for params, train, test in tasks])
    out = on_dask(on_cluster, scheduler) if scheduler else Parallel(n_jobs=n_jobs)(
        delayed(_fold)(estimator, params, X, y, train, test, scoring, error_score) for params, train, test in tasks)
    n_folds = len(splits)
    res = _results(candidates, out, n_folds)
    scores = np.array([res[f"split{k}_test_score"] for k in range(n_folds)])
    failed: dict[int, str] = {}
    for i in map(int, np.flatnonzero(np.isnan(scores).any(axis=0))):
        reasons = [why for _, _, why in out[i * n_folds:(i + 1) * n_folds] if why]
        failed[i] = reasons[0] if reasons else f"its score {scoring or 'default'!r} was NaN"
    if len(failed) == len(candidates):
        raise ValidationError(f"every candidate of the sweep failed; the first, "
                              f"{_shown(candidates[0], names)}: {failed[0]}")
    for i, why in failed.items():
        warnings.warn(f"candidate {_shown(candidates[i], names)} failed in {int(np.isnan(scores[:, i]).sum())} of "
                      f"{n_folds} folds (score NaN, ranked last): {why}", FailedCandidateWarning, stacklevel=3)
    best = int(np.argmin(res["rank_test_score"]))           # GridSearchCV's best_index_, and its refit:
    params = candidates[best]
    try:
        best_estimator = None if refit is None else refit(_unprefixed(params))
    except Exception as exc:
        raise ValidationError(f"the best candidate, {_shown(params, names)}, failed when refit on every row: "
                              f"{type(exc).__name__}: {exc}") from None
    res["params"] = [_unprefixed(p) for p in candidates]
    for name in dict.fromkeys(names.values()):
        res[f"param_{name}"] = [p.get(name) for p in res["params"]]
    return Search(_table(res, names, n_folds), _unprefixed(params), float(res["mean_test_score"][best]),
                  best_estimator, failed, res, best)


def _fold(estimator, params: dict, X, y, train, test, scoring: str | None,
          error_score) -> tuple[float, float, str | None]:
    """One candidate on one fold, as GridSearchCV's _fit_and_score: (score, fit seconds, why it failed or
    None); with error_score "raise" a failure raises its own error."""
    from sklearn.base import clone
    from sklearn.metrics import check_scoring
    estimator = clone(estimator).set_params(**clone(params, safe=False))
    start = time.perf_counter()
    try:
        estimator.fit(X.iloc[train], y[train])
    except Exception as exc:
        if error_score == "raise":
            raise
        return np.nan, time.perf_counter() - start, f"{type(exc).__name__}: {exc}"
    seconds = time.perf_counter() - start
    try:
        return float(check_scoring(estimator, scoring)(estimator, X.iloc[test], y[test])), seconds, None
    except Exception as exc:
        if error_score == "raise":
            raise
        return np.nan, seconds, (f"its fits worked, its score {scoring or 'default'!r} could not be computed: "
                                 f"{type(exc).__name__}: {exc}")


def _results(candidates: list[dict], out: list, n_folds: int) -> dict:
    """GridSearchCV's cv_results_ (the test scores' part) of the folds' (score, seconds, why)."""
    from scipy.stats import rankdata
    scores = np.array([s for s, _, _ in out], dtype=np.float64).reshape(len(candidates), n_folds)
    times = np.array([t for _, t, _ in out], dtype=np.float64).reshape(len(candidates), n_folds)
    res: dict[str, Any] = {"params": candidates}
    means = np.average(scores, axis=1)
    res["mean_fit_time"], res["std_fit_time"] = times.mean(axis=1), times.std(axis=1)
    for k in range(n_folds):
        res[f"split{k}_test_score"] = scores[:, k]
    res["mean_test_score"] = means
    res["std_test_score"] = np.sqrt(np.average((scores - means[:, None]) ** 2, axis=1))
    if np.isnan(means).all():                 # NaN ranks last, ties share the best rank: _format_results
        res["rank_test_score"] = np.ones(len(means), dtype=np.int32)
    else:
        res["rank_test_score"] = rankdata(-np.nan_to_num(means, nan=np.nanmin(means) - 1), method="min").astype(
            np.int32)
    return res


def _prefix(estimator) -> str:
    """How GridSearchCV names the chainrule estimator's parameters inside per_fold's (estimator__, ...)."""
    for name, value in estimator.get_params().items():
        if isinstance(value, (BackpropClassifier, BackpropRegressor)):
            return name + "__"
    return ""


def _unprefixed(params: dict) -> dict:
    """A candidate's parameters under the chainrule estimator's names (its own have no '__')."""
    return {k.rsplit("__", 1)[-1]: v for k, v in params.items()}


def _shown(params: dict, names: dict[str, str]) -> str:
    """A candidate as the grid wrote it: hidden=32x16, lr=0.01."""
    params = _unprefixed(params)
    return ", ".join(f"{key}={show(params[name])}" for key, name in names.items() if name in params) or str(params)


def _table(res: dict, names: dict[str, str], n_folds: int):
    """One row per candidate, best first (failed ones, NaN, last): the grid's values as written, then
    GridSearchCV's cv_results_ columns under its names (the scores, their rank, the fit times, params)."""
    import pandas as pd
    params = [_unprefixed(p) for p in res["params"]]
    table = pd.DataFrame({key: [show(p[name]) for p in params] for key, name in names.items()})
    for column in ("mean_test_score", "std_test_score", "rank_test_score",
                   *(f"split{k}_test_score" for k in range(n_folds)), "mean_fit_time", "std_fit_time"):
        table[column] = res[column]
    table["params"] = params
    return table.sort_values("rank_test_score", kind="stable").reset_index(drop=True)


def show(value):
    """A grid value as the user wrote it: hidden sizes as 32x16."""
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return value


def fit_on_dask(search, X, y, scheduler: str) -> None:
    """search.fit(X, y) (a scikit-learn search) through joblib's Dask backend on the cluster of `scheduler`."""
    import joblib

    def fit(_):
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    on_dask(fit, scheduler)


def on_dask(run: Callable[[Any], Any], scheduler: str) -> Any:
    """run(client) with a client of the cluster of `scheduler`, its workers' threads limited; every future
    settled (cancelled where the work stopped early) before the client closes."""
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
            return run(client)
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
    """Cancel what the client still holds (the tasks sent before a fit failed or the user
    stopped it, the data it scattered), so that closing the client finds nothing pending: cancel
    returns once the scheduler has released them."""
    from distributed import Future
    held: list[Any] = [Future(key, client) for key in list(client.futures)]
    if held:
        client.cancel(held)
