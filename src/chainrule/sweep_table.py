"""A sweep's results as GridSearchCV's cv_results_ has them (the folds' scores, their means, spreads and ranks, the
fit times) and its table: one row per candidate, best first, the grid's values as the user wrote them (a grid
string's text: 32x16; numbers as numbers; None as none, which reads back as text), the params column a Python
literal that reads back. And what the sweep says once of its fits, where each fit would warn alike
(`say_ran_out`)."""
from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from chainrule.callers import caller_level
from chainrule.training.schedules import ScheduleWarning


def cv_results(candidates: list[dict], out: list, n_folds: int) -> dict:
    """GridSearchCV's cv_results_ (the test scores' part) of the folds' (score, fit seconds, why, ..., score
    seconds): `sweep_fold._fold`'s; several scorers' ({name: score} each fold) under their names, as GridSearchCV's
    multimetric keys (mean_test_<name>, rank_test_<name>, ...)."""
    times = np.array([o[1] for o in out], dtype=np.float64).reshape(len(candidates), n_folds)
    scoring = np.array([o[6] for o in out], dtype=np.float64).reshape(len(candidates), n_folds)
    res: dict[str, Any] = {"params": candidates}
    res["mean_fit_time"], res["std_fit_time"] = times.mean(axis=1), times.std(axis=1)
    res["mean_score_time"], res["std_score_time"] = scoring.mean(axis=1), scoring.std(axis=1)
    metrics = list(out[0][0]) if out and isinstance(out[0][0], dict) else ["score"]
    trained = bool(out) and out[0][7] is not None      # return_train_score's: GridSearchCV's train keys after
    for metric in metrics:
        for kind, at in (("test", 0), *((("train", 7),) if trained else ())):
            scores = np.array([o[at][metric] if isinstance(o[at], dict) else o[at] for o in out],
                              dtype=np.float64).reshape(len(candidates), n_folds)
            means = np.average(scores, axis=1)
            for k in range(n_folds):
                res[f"split{k}_{kind}_{metric}"] = scores[:, k]
            res[f"mean_{kind}_{metric}"] = means
            res[f"std_{kind}_{metric}"] = np.sqrt(np.average((scores - means[:, None]) ** 2, axis=1))
            if kind == "test":
                res[f"rank_test_{metric}"] = _ranks(means)
    return res


def metrics_of(res: dict) -> list[str]:
    """The scorers' names in cv_results_ ('score' for one scorer), in their order."""
    return [k[len("mean_test_"):] for k in res if k.startswith("mean_test_")]


def _ranks(means: np.ndarray) -> np.ndarray:
    """GridSearchCV's ranks: NaN last, ties share the best rank (_format_results)."""
    from scipy.stats import rankdata
    if np.isnan(means).all():
        return np.ones(len(means), dtype=np.int32)
    return rankdata(-np.nan_to_num(means, nan=np.nanmin(means) - 1), method="min").astype(np.int32)


def positive_matters(scoring: Any) -> bool:
    """Whether scikit-learn's scorer (a name or make_scorer's) scores a 2-class target for one of its classes, the
    positive one (f1, precision, recall, jaccard, average_precision, the likelihood ratios): tried on a logistic
    regression of 0/1 labels and of the same labels swapped, which score alike by any other scorer (accuracy,
    roc_auc, f1_macro). A user's own callable is not tried; a scorer object is not cached (it may be unhashable)."""
    if isinstance(scoring, str):
        return _named_positive_matters(scoring)
    return hasattr(scoring, "_score_func") and _tried(scoring)


@functools.cache
def _named_positive_matters(scoring: str) -> bool:
    return _tried(scoring)


def _tried(scoring: Any) -> bool:
    from sklearn.metrics import get_scorer
    scores = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # an undefined ratio's warning
        for model, X, labels in _swapped_fits():
            try:
                scores.append(float(get_scorer(scoring)(model, X, labels)))
            except Exception:       # not a classifier's scorer (r2 would score), one of samples, a user's that fails
                return False
    return not np.isclose(scores[0], scores[1], equal_nan=True)


@functools.lru_cache(maxsize=1)
def _swapped_fits() -> tuple[tuple[Any, np.ndarray, np.ndarray], ...]:
    """`positive_matters`' two logistic regressions, of 0/1 labels and of them swapped: fitted once, not per scorer."""
    from sklearn.linear_model import LogisticRegression
    X, y = np.arange(8.0)[:, None], np.array([0, 0, 0, 0, 1, 0, 1, 1])
    return tuple((LogisticRegression().fit(X, labels), X, labels) for labels in (y, 1 - y))


def named(res: dict, names: dict[str, str]) -> dict:
    """cv_results_ with the candidates' parameters under the chainrule estimator's names, and a param_ column
    of each, as GridSearchCV's: a masked array (masked where a candidate lacks the parameter), of the values' own
    dtype where NumPy gives them one (numbers, bools), else of objects (strings, tuples, None)."""
    res["params"] = [unprefixed(p) for p in res["params"]]
    for name in dict.fromkeys(names.values()):
        res[f"param_{name}"] = _masked([p.get(name, _LACKS) for p in res["params"]])
    return res


_LACKS = object()       # a candidate without the parameter (None is a value)


def _masked(values: list) -> np.ma.MaskedArray:
    """GridSearchCV's param_ column: the dtype NumPy infers for the values given, unless text (a str dtype) or not
    one value per candidate (sequences of one length, a 2-d array; of several, an error), which are objects."""
    given = [v for v in values if v is not _LACKS]
    try:
        inferred = np.array(given)
        dtype = inferred.dtype if inferred.dtype.kind != "U" and inferred.ndim == 1 else np.dtype(object)
    except ValueError:
        dtype = np.dtype(object)
    column = np.ma.MaskedArray(np.empty(len(values), dtype=dtype), mask=True)
    for i, value in enumerate(values):
        if value is not _LACKS:
            column[i] = value          # unmasks it
    return column


def unprefixed(params: dict) -> dict:
    """A candidate's parameters under the chainrule estimator's names: the wrapper's prefix (regressor__) left off,
    an argument's own argument kept (optimizer__lr)."""
    return {_own(k): v for k, v in params.items()}


@functools.cache
def _own(key: str) -> str:
    """`key` from its first part that names an argument of chainrule's estimators (regressor__optimizer__lr:
    optimizer__lr), or its last part."""
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor
    parts, own = key.split("__"), {*BackpropClassifier._get_param_names(), *BackpropRegressor._get_param_names()}
    return "__".join(parts[next((i for i, part in enumerate(parts) if part in own), len(parts) - 1):])


class Names(dict[str, str]):
    """The grid's names as written -> the estimator's, and `spelled`: how a grid read from text wrote each value
    ({name as written: [(value, its text)]}, `sweep_grid.Grid`'s), so that a candidate is named as its user wrote it:
    the command's class_weight=none, lr=1e-5 and early_stopping=TRUE (not None, 1e-05 and True)."""

    def __init__(self, names: dict[str, str], spelled: dict[str, list[tuple[Any, str]]] | None = None):
        super().__init__(names)
        self.spelled = dict(spelled or {})


def written(names: dict[str, str], key: str, value) -> Any:
    """The value of the grid's name `key` as the grid wrote it (`Names`), else as `show` gives it."""
    return show(value, getattr(names, "spelled", {}).get(key, ()))


def cell(names: dict[str, str], key: str, value) -> Any:
    """A value in the table: a number (a bool too) as itself, so that the column reads back as numbers (the results
    file's lr=1e-2 reads 0.01); None as the grid's none, which pandas reads back as that text and --grid as None
    (pandas reads 'None', as '', as a missing value); another (hidden sizes, a string) as written."""
    import numbers
    if value is None:
        return "none"
    return value if isinstance(value, numbers.Number) else written(names, key, value)


def as_written(params: dict, names: dict[str, str]) -> str:
    """A candidate as the grid wrote it: hidden=32x16, lr=0.01 (a dict grid's None as None, as GridSearchCV's
    verbose lines name it)."""
    params = unprefixed(params)
    return ", ".join(f"{key}={written(names, key, params[name])}" for key, name in names.items()
                     if name in params) or str(params)


def table_of(res: dict, names: dict[str, str], n_folds: int, primary: str = "score"):
    """One row per candidate, best first (failed ones, NaN, last): the grid's values as written, then
    GridSearchCV's cv_results_ columns under its names (the scores, their rank, the fit and score times, params)."""
    import pandas as pd
    params = [unprefixed(p) for p in res["params"]]
    # object columns: a grid of 2 and inf stays 2 and inf (pandas would make the column float, 2 then 2.0)
    table = pd.DataFrame({key: pd.Series([cell(names, key, p[name]) if name in p else None for p in params],
                                         dtype=object) for key, name in names.items()})   # None: several grids'
    trained = [m for m in metrics_of(res) if f"mean_train_{m}" in res]      # return_train_score's
    for column in (*(f"{kind}_test_{m}" for m in metrics_of(res) for kind in ("mean", "std", "rank")),
                   *(f"split{k}_test_{m}" for m in metrics_of(res) for k in range(n_folds)),
                   *(f"{kind}_train_{m}" for m in trained for kind in ("mean", "std")),
                   *(f"split{k}_train_{m}" for m in trained for k in range(n_folds)),
                   "mean_fit_time",
                   "std_fit_time", "mean_score_time", "std_score_time"):
        table[column] = res[column]
    table["params"] = [{k: literal(v) for k, v in p.items()} for p in params]   # read back by ast.literal_eval
    return table.sort_values(f"rank_test_{primary}", kind="stable").reset_index(drop=True)   # the refit's


def literal(value):
    """A parameter as a Python literal (a drawn np.float64 as float), so that the CSV's params column, a dict's
    repr, reads back with ast.literal_eval: numpy 2 writes np.float64(0.01), which it cannot read, and Python
    inf (n_iter_no_change=np.inf), which it reads as a name (`Infinite`). A model file's JSON holds the same (a
    tuple as a list, Infinite as {"__float__": "Infinity"})."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, tuple):
        return tuple(literal(v) for v in value)
    if isinstance(value, float) and np.isinf(value):
        return Infinite(value)
    return value if isinstance(value, PLAIN) else described(value)


PLAIN = (str, int, float, bool, type(None), list, dict)


def described(value) -> Any:
    """An instance in the grid (optimizer=SGD(0.1), learning_rate=StepLR(...)) as its config(), as a model file
    stores an optimizer: a dict that a JSON description holds and ast.literal_eval reads back; an object without
    config() as its repr."""
    config = getattr(value, "config", None)
    if callable(config):
        try:
            return config()
        except NotImplementedError:        # a user's schedule that does not say its arguments
            pass
    return repr(value)


class Infinite(float):
    """An infinite parameter (equal to float('inf')), written 1e999, the literal ast.literal_eval reads as inf."""

    def __repr__(self) -> str:
        return "1e999" if self > 0 else "-1e999"


def show(value, spelled: Any = ()):
    """A grid value as the user wrote it: its text in `spelled` ([(value, text)], the first of the same type and
    value), else hidden sizes as 32x16, None as Python (and GridSearchCV's verbose lines) write it. A value written
    two ways ('lr=1e-2,0.01') is named by its first spelling for both candidates: the best line's ties rely on it,
    counting a candidate named as the best is as a repeat of the best's values, not another candidate."""
    for given, text in spelled:
        if type(given) is type(value) and given == value:
            return text
    if value is None:
        return "None"
    if isinstance(value, tuple):
        return "x".join(str(v) for v in value)
    return value


def say_ran_out(done: Any, epochs: str, advice: str,
                reach: Callable[[int], str] = "epochs={} or more".format) -> None:
    """The sweep's one ConvergenceWarning when any of its fits ran every epoch without the stopping rule (tol,
    n_iter_no_change) ending it, where GridSearchCV over MLPClassifier prints one per fit; `epochs`: how the
    caller names the epochs given (the grid's, the command's --epochs 100, epochs=200); `advice`: what to pass
    for more (--epochs 200). Names the candidates whose fits ran out, when not all did: the others stopped.
    Likewise one ScheduleWarning for the fits that ended before their schedule's rate first changed (the first
    fit's words), where each fold's worker showed its own; `reach(epochs)`: the remedy's words for the epochs that
    reach its change (the grid's epochs, --epochs 11 or more)."""
    if done.ran_out:
        warnings.warn(f"{done.ran_out} of the sweep's {done.fits} finished fits ran every epoch ({epochs}) without "
                      f"the stopping rule (tol, n_iter_no_change) ending them{_which(done, done.ran_out_in)}: their "
                      f"scores may rise with more epochs; {advice}", ConvergenceWarning, stacklevel=caller_level())
    if done.clipped and done.clipped_first is not None:      # MLPClassifier's warning, said once for the sweep
        size, rows = done.clipped_first
        warnings.warn(f"{done.clipped} of the sweep's {done.fits} finished fits got `batch_size` larger than sample "
                      f"size{_which(done, done.clipped_in)}: it was clipped to their training rows (the first: "
                      f"batch_size={size}, {rows} training rows)", UserWarning, stacklevel=caller_level())
    first = done.schedule_said
    if done.unreached and first is not None:     # a ScheduleWarning per fit, as the folds' workers showed it: one
        warnings.warn(ScheduleWarning(f"{done.unreached} of the sweep's {done.fits} finished fits ended before their "
                                      f"schedule's rate first changed{_which(done, done.unreached_in)}; the first: "
                                      f"{_remedied(first, reach)}", first.subject, first.epoch, first.epochs),
                      stacklevel=caller_level())


def _remedied(first: ScheduleWarning, reach: Callable[[int], str]) -> str:
    """The first fit's ScheduleWarning, its remedy's epochs in the sweep's words."""
    needed = int(first.reach.removeprefix("epochs=")) if first.reach else 0
    return first.reworded(first.subject, first.epochs, reach(needed)) if needed else str(first)


def _which(done: Any, marked: list[str]) -> str:
    """The candidates of the fits counted, when not all of them: the others did not."""
    n, of = len(marked), done.n_candidates
    return ((" (in every candidate)" if of > 1 else "") if n == of else
            f" (in {n} of the {of} candidates: {'; '.join(marked[:3])}{'; ...' if n > 3 else ''})")
