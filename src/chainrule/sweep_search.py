"""How `chainrule sweep`'s search runs (`chainrule.sweep` reads the file and writes the results): GridSearchCV's
(or RandomizedSearchCV's) candidates, folds, scores and ranks, here (joblib) or on a Dask cluster (a task per
candidate and fold), a regression scored in the target's units, failed candidates kept (NaN scores, ranked last) and
named, the best one refit, the results table.

Each fold's rows are preprocessed once, by FoldPreprocessing (the file's preprocessing learnt from that
fold's training rows only), for every candidate: the numbers of a Pipeline of it and the estimator, which
learns it again in each candidate's fit (a third of a small sweep's time). The rows held out to score a
candidate have no say in the scaling, fill values and categories it trains with (nor, for a regression, in the
target's mean and scale). The best candidate is refit on every row with the whole file's.

The loop over candidates and folds is this module's, not GridSearchCV.fit's: scikit-learn says why a fit failed only in
warnings, in the process and thread that ran it (catch_warnings is not thread-safe; a Dask worker's are lost). Here each
fold returns its score, fit time and the reason it failed, wherever it ran. Candidates, folds, means, spreads and
ranks are scikit-learn's, as GridSearchCV's cv_results_ has them (tests compare the two on the same folds).
"""
from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.exceptions import FitFailedWarning

from chainrule.callers import caller_level
from chainrule.data.advice import give
from chainrule.errors import ParameterError, ValidationError, plural
from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.sweep_estimators import (  # noqa: F401  (where sweep.py, tests and pickled best models find them)
    FoldPreprocessing,
    SweptClassifier,
    SweptRegressor,
    TargetScaling,
    _scaled,
    _unscaled,
    as_public,
    in_target_units,
    per_fold,
    prepared,
    public,
)
from chainrule.sweep_table import as_written, cv_results, metrics_of, named, table_of, unprefixed, written
from chainrule.sweep_tasks import SweepInterrupted, SweepStopped, clipped, ran_out, run_tasks
from chainrule.sweep_tasks import fit_on_dask as fit_on_dask  # where test_dask and users find it
from chainrule.training.schedules import kept


class FailedCandidateWarning(FitFailedWarning, UserWarning):
    """A sweep's candidate failed in a fold (scored error_score): a FitFailedWarning, as GridSearchCV's failed fits."""


def metric_kind(scoring: str) -> str | None:
    """Whether scikit-learn's scorer of this name is a "regression" metric (r2, neg_mean_squared_error, ...), a
    "classification" one (accuracy, f1_macro, neg_log_loss, roc_auc, ...), or neither (None: clustering's)."""
    from sklearn.metrics import get_scorer
    module = getattr(getattr(get_scorer(scoring), "_score_func", None), "__module__", "")
    return {"sklearn.metrics._regression": "regression", "sklearn.metrics._classification": "classification",
            "sklearn.metrics._ranking": "classification",
            "sklearn.metrics._scorer": "classification"}.get(module)      # the likelihood ratios of classes


def scorer_refusal(scoring: Any, n_classes: int) -> str | None:
    """Why scikit-learn's scorer cannot score n_classes classes at all (roc_auc or f1 of 3 classes, f1_samples of
    any), tried on a constant classifier of that many: every fit would fail at its score, found after them all."""
    if not isinstance(scoring, str) and not hasattr(scoring, "_score_func"):   # a user's callable: its fits say it
        return None
    from sklearn.dummy import DummyClassifier
    from sklearn.metrics import get_scorer
    y = np.arange(n_classes).repeat(2)
    X = np.zeros((len(y), 1))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")           # an undefined metric's warning: it scores, 0 or NaN
        try:
            get_scorer(scoring)(DummyClassifier(strategy="prior").fit(X, y), X, y)
        except ValueError as exc:
            return str(exc)
    return None


def enough_rows(counts, classes: list, cv: int) -> None:
    """Every class needs a row in each of the cv folds (StratifiedKFold)."""
    few = [(c, int(n)) for c, n in zip(classes, counts) if n < cv]
    if few:
        listed = ", ".join(f"{c!r} {n}" for c, n in few)
        raise ValidationError(f"{cv} folds need at least {cv} rows of every class; rows of the classes with "
                              f"fewer: {listed} (ask for fewer folds, or give more rows of those classes)")


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
    ran_out: int = 0            # the fits (the refit too) that ran every epoch, the stopping rule not ending them
    fits: int = 0               # the fits that finished (the best's refit too)
    ran_out_in: list[str] = field(default_factory=list)    # the candidates (as the grid wrote them) of those fits
    unreached: int = 0          # the fits (the refit too) that ended before their schedule's rate first changed
    unreached_in: list[str] = field(default_factory=list)     # the candidates of those fits
    schedule_said: Any = None   # the first of those fits' ScheduleWarning (each fit kept its own: `_fold`)
    n_candidates: int = 0
    tied: list[int] = field(default_factory=list)    # the other candidates ranked 1 with the best, in results' order
    clipped: int = 0            # the fits (the refit too) whose batch_size was larger than their training rows
    clipped_in: list[str] = field(default_factory=list)     # the candidates of those fits
    clipped_first: tuple[int, int] | None = None            # the first of those fits' (batch_size, rows)


def search(estimator, preprocessing: FoldPreprocessing, grid: dict[str, list] | list[dict], names: dict[str, str],
           X, y, *,
           folds, scoring: Any,
           n_jobs: int, scheduler: str | None, refit: Callable[[dict], Any] | None,
           error_score: float | str = np.nan, n_iter: int | None = None, seed: int = 0,
           weights: np.ndarray | None = None, for_fits: Callable[[dict], dict] | None = None,
           verbose: int = 0, primary: str = "score", choose: Callable[[dict], Any] | None = None,
           train_score: bool = False) -> Search:
    """Cross-validate every candidate of `grid` ({chainrule estimator's name: values}; `names`: the
    grid's names as written -> those) fit as `estimator` (per_fold's) on the table X, each fold's rows
    preprocessed once by `preprocessing` (learnt from its training rows), warn for each
    failed one; `n_iter`: that many candidates drawn as RandomizedSearchCV(random_state=seed) draws them
    (None: every one, as GridSearchCV); `refit(best parameters)` fits the best on every row (None: not
    refit, as GridSearchCV's refit=False); `error_score` "raise": the first failed fit raises its error;
    `weights`: every row's sample weight (or None), in the fits and the scores; `for_fits(candidate)`: its
    parameters as the folds' fits take them (class weights by class index; None: as the grid gives them, which
    the table, warnings and best_params show); `verbose`: GridSearchCV's lines on stdout; `primary`: the scorer
    that ranks the table and picks the best where `scoring` is several ({name: scorer}: GridSearchCV's refit name);
    `choose(cv_results_)`: the best candidate's index instead (GridSearchCV's refit callable); `train_score`: each
    fold's score of its training rows too (GridSearchCV's return_train_score).
    Interrupted: SweepInterrupted with the table of the candidates whose folds all finished."""
    from sklearn.model_selection import ParameterGrid, ParameterSampler

    prefix = _prefix(estimator)
    grids = [{prefix + k: v for k, v in one.items()} for one in (grid if isinstance(grid, list) else [grid])]
    drawn = n_iter is not None and any(hasattr(v, "rvs") for one in grids for v in one.values())
    grid = grids if isinstance(grid, list) else grids[0]     # several: GridSearchCV's candidates of each in turn
    size = None if n_iter is None or drawn else len(ParameterGrid(grid))     # counted once, where n_iter needs it
    if size is not None and n_iter is not None and n_iter > size:   # scikit-learn's warning says "use GridSearchCV"
        warnings.warn(f"{give('n_iter given', n_iter=n_iter)} is more than the grid's {size} "
                      f"{plural(size, 'candidate')}: each is run once, in the order RandomizedSearchCV draws them "
                      f"({give('without n_iter')}: the grid's order)",
                      UserWarning, stacklevel=caller_level())
        n_iter = size                          # RandomizedSearchCV's own cut: the same candidates, same order
    candidates = list(ParameterGrid(grid) if n_iter is None else ParameterSampler(grid, n_iter, random_state=seed))
    _made(estimator, candidates, names, drawn)
    splits = folds if isinstance(folds, list) else list(folds.split(X, y))   # (train, test) index pairs, as cut
    tasks = [((for_fits or dict)(params), k) for params in candidates for k in range(len(splits))]   # GridSearchCV's
    n_folds = len(splits)
    if verbose > 0:
        print(f"Fitting {n_folds} folds for each of {len(candidates)} candidates, totalling "
              f"{len(candidates) * n_folds} fits", flush=True)
    try:
        data = prepared(preprocessing, X, y, weights, splits)
        out = run_tasks(tasks, estimator, data, scoring=scoring, error_score=error_score, n_jobs=n_jobs,
                        scheduler=scheduler, finished_one=_fit_line(verbose, candidates, names, n_folds),
                        started=verbose > 9, train_score=train_score)
    except SweepStopped as stop:     # the candidates whose folds all finished, ranked
        whole = [i for i in range(len(candidates)) if all(i * n_folds + k in stop.done for k in range(n_folds))]
        if whole:
            finished = cv_results([candidates[i] for i in whole],
                                 [stop.done[i * n_folds + k] for i in whole for k in range(n_folds)], n_folds)
            stop.table = table_of(finished, names, n_folds, primary)
        stop.n_candidates = len(candidates)
        finished_ones = set(whole)
        stop.lost = [as_written(c, names) for i, c in enumerate(candidates) if i not in finished_ones]
        raise
    res = cv_results(candidates, out, n_folds)
    scores = np.array([res[f"split{k}_test_{primary}"] for k in range(n_folds)])   # the ranking scorer's alone:
    # another's NaN leaves the candidate, as GridSearchCV's (`_say_other_nans`). A fold failed where its fit or the
    # ranking scorer says why (its score is error_score, which may be a number) or that score was NaN
    whys = [_why(o[2], primary) for o in out]
    broken = np.isnan(scores) | np.array([why is not None for why in whys]).reshape(len(candidates), n_folds).T
    failed: dict[int, str] = {}
    for i in map(int, np.flatnonzero(broken.any(axis=0))):
        reasons = [why for why in whys[i * n_folds:(i + 1) * n_folds] if why]
        failed[i] = reasons[0] if reasons else f"its score {_nan_of(scoring, primary)} was NaN"
    if len(failed) == len(candidates):
        raise ValidationError(f"every candidate of the sweep failed; the first, "
                              f"{as_written(candidates[0], names)}: {failed[0]}")
    for i, why in failed.items():
        scored = (f"scored {give('error_score given', error_score=f'{float(error_score):g}')} there"
                  if error_score == error_score else "score NaN, ranked last")     # 0, not np.float64(0.0)
        warnings.warn(f"candidate {as_written(candidates[i], names)} failed in {int(broken[:, i].sum())} of "
                      f"{n_folds} folds ({scored}): {why}", FailedCandidateWarning, stacklevel=caller_level())
    res = named(res, names)          # as the result's cv_results_, which a refit callable reads
    _say_other_nans(res, out, primary, failed, candidates, names, n_folds)
    _say_train_failed(out, error_score, candidates, names, n_folds)
    best = int(np.argmin(res[f"rank_test_{primary}"])) if choose is None else _chosen(choose, res, len(candidates))
    params = candidates[best]
    refit_said: list = []
    try:
        with kept(refit_said):                  # said once with the folds' (`say_ran_out`)
            best_estimator = None if refit is None else refit(unprefixed(params))
    except KeyboardInterrupt as exc:     # every candidate finished: the table is whole, the best model is not
        halted = SweepInterrupted(dict(enumerate(out)), *exc.args)
        halted.table, halted.n_candidates = table_of(res, names, n_folds, primary), len(candidates)
        halted.refitting = True
        raise halted from None
    except Exception as exc:
        raise ValidationError(f"the best candidate, {as_written(params, names)}, failed when refit on every row: "
                              f"{type(exc).__name__}: {exc}") from None
    refits = best_estimator is not None
    short, short_in = _counted([o[3] for o in out], refits and ran_out(best_estimator), candidates, names, best)
    said = [o[4] for o in out]
    unreached, unreached_in = _counted(said, bool(refit_said), candidates, names, best)
    sizes = [o[5] for o in out] + [clipped(best_estimator) if refits else None]
    n_clipped, clipped_in = _counted(sizes[:-1], bool(sizes[-1]), candidates, names, best)
    rank = res[f"rank_test_{primary}"]        # those tied with the best: a refit callable's need not be ranked 1
    done = Search(table_of(res, names, n_folds, primary), unprefixed(params), float(res[f"mean_test_{primary}"][best]),
                  best_estimator, failed, res, best, short, sum(o[3] is not None for o in out) + refits, short_in,
                  unreached, unreached_in, next((w for w in said + refit_said if w is not None), None),
                  len(candidates), [int(i) for i in np.flatnonzero(rank == rank[best]) if i != best])
    done.clipped, done.clipped_in = n_clipped, clipped_in
    done.clipped_first = next((c for c in sizes if c is not None), None)
    return done


def _chosen(choose: Callable[[dict], Any], res: dict, n: int) -> int:
    """The index a refit callable gives for cv_results_, checked as GridSearchCV checks its best_index_."""
    import numbers
    best = choose(res)
    if not isinstance(best, numbers.Integral) or isinstance(best, bool):
        raise TypeError(f"best_index_ returned is not an integer: refit's callable gave {best!r}, not the index of "
                        f"one of the {n} candidates in cv_results_")
    best = int(best)
    if not 0 <= best < n:
        raise IndexError(f"best_index_ index out of range: refit's callable gave {best}; cv_results_ has {n} "
                         f"{plural(n, 'candidate')} (0 to {n - 1})")
    return best


def _nan_of(scoring: Any, primary: str) -> str:
    """The scorer whose NaN score failed a candidate: the one scorer, or of several the one that ranks."""
    return repr(primary) if isinstance(scoring, dict) else repr(scoring or "default")


def _why(said: str | dict | None, primary: str) -> str | None:
    """Why a fold failed its candidate: its fit's failure, or the ranking scorer's (of several: `_fold`'s dict)."""
    return said.get(primary) if isinstance(said, dict) else said


def _say_train_failed(out: list, error_score, candidates: list, names, n_folds: int) -> None:
    """return_train_score: a fitted fold whose training rows could not be scored (its split<k>_train_ is error_score)
    said once, as GridSearchCV warns 'Scoring failed', naming how many, the first candidate and why."""
    hit = [i for i, o in enumerate(out) if o[8]]
    if hit:
        why = out[hit[0]][8]
        warnings.warn(f"return_train_score: the training rows' score of {len(hit)} of {len(out)} fits could not be "
                      f"computed (their split<k>_train_ is error_score={float(error_score):g}), first of candidate "
                      f"{as_written(candidates[hit[0] // n_folds], names)}: "
                      f"{next(iter(why.values())) if isinstance(why, dict) else why}", UserWarning,
                      stacklevel=caller_level())


def _say_other_nans(res: dict, out: list, primary: str, failed: dict, candidates: list, names, n_folds: int) -> None:
    """Several scorers: one that does not rank and scored NaN (or failed: error_score) for a candidate that did not
    fail leaves it in the search, as GridSearchCV keeps it (its mean_test_ NaN, ranked last by that scorer): said once
    a scorer, naming it, the candidates and the first reason."""
    for metric in (m for m in metrics_of(res) if m != primary):
        hit = [i for i in range(len(candidates)) if i not in failed and (
            np.isnan(res[f"mean_test_{metric}"][i]) or any(isinstance(o[2], dict) and metric in o[2]
                                                           for o in out[i * n_folds:(i + 1) * n_folds]))]
        if not hit:
            continue
        why = next((o[2][metric] for i in hit for o in out[i * n_folds:(i + 1) * n_folds]
                    if isinstance(o[2], dict) and metric in o[2]), "its score was NaN")
        warnings.warn(f"scorer {metric!r} scored NaN (or error_score) for {len(hit)} of {len(candidates)} "
                      f"{plural(len(candidates), 'candidate')}, first {as_written(candidates[hit[0]], names)}: {why}; "
                      f"they are kept, ranked by {primary!r} (mean_test_{metric} NaN ranks last by {metric!r}, as "
                      "GridSearchCV's)", UserWarning, stacklevel=caller_level())


def _fit_line(verbose: int, candidates: list[dict], names: dict[str, str], n_folds: int):
    """What prints each finished fit's line as GridSearchCV's verbose prints it (2: the candidate and its time; 3: its
    fold and score too; 10: the candidate's number, and a START line as each fit is sent: called with None), the
    candidate as the grid wrote it; None below 2."""
    if verbose < 2:
        return None
    from joblib.logger import short_format_time

    def said(i: int, result: tuple | None) -> None:
        params, (candidate, k) = unprefixed(candidates[i // n_folds]), divmod(i, n_folds)
        where = (f" {k + 1}/{n_folds}" if verbose > 2 else "") + (
            f"; {candidate + 1}/{len(candidates)}" if verbose > 9 else "")
        shown = ", ".join(f"{key}={written(names, key, params[names[key]])}" for key in sorted(names)
                          if names[key] in params)
        if result is None:             # verbose 10: GridSearchCV's line as the fit starts
            start = f"[CV{where}] START {shown}"
            print(start + "." * (80 - len(start)), flush=True)
            return
        end, tail = f"[CV{where}] END ", shown + (";" if shown else "")
        if verbose > 2:        # several scorers: GridSearchCV's ' name: (test=0.900)', names sorted
            test, train = result[0], result[7]    # return_train_score's: GridSearchCV's '(train=0.950, test=0.900)'
            tail += "".join(f" {m}: ({'' if train is None else f'train={train[m]:.3f}, '}test={test[m]:.3f})"
                            for m in sorted(test)) if isinstance(test, dict) else (
                f", score={test:.3f}" if train is None else f", score=(train={train:.3f}, test={test:.3f})")
        tail += f" total time={short_format_time(result[1] + result[6])}"
        print(end + "." * (80 - len(end) - len(tail)) + tail, flush=True)
    return said


def _counted(flags: list, refit_flag: bool, candidates: list[dict], names, best: int) -> tuple[int, list[str]]:
    """How many of the sweep's fits (each fold's, in the tasks' order, and the best's refit) a flag marks, and the
    candidates (as the grid wrote them) of those fits: what `say_ran_out` says once for the whole sweep."""
    n_folds = len(flags) // max(len(candidates), 1)
    marked = [i for i in range(len(candidates)) if any(flags[i * n_folds:(i + 1) * n_folds]) or
              (i == best and refit_flag)]
    return sum(map(bool, flags)) + bool(refit_flag), [as_written(candidates[i], names) for i in marked]


#: the estimator's arguments checked together (`check_params`): validation_fraction 0 only with early_stopping, an
#: optimizer's eps 0 in the dtype
JOINT = ({"early_stopping", "validation_fraction"}, {"optimizer", "dtype", "learning_rate"})


def refused_as(exc: ValidationError) -> type[ValidationError]:
    """The refusal's own class where it is the estimator's ParameterError (a ValueError and a TypeError, as
    scikit-learn's InvalidParameterError, which GridSearchCV(error_score="raise") raises): `except TypeError`
    still catches it when the sweep says it in its words."""
    return ParameterError if isinstance(exc, ParameterError) else ValidationError


def _joint(keys) -> set[str]:
    """The keys of a grid (unprefixed) whose values are checked together: those sharing a JOINT group with another
    of the grid's keys; each other value was checked alone."""
    heads = [k.split("__")[0] for k in keys]         # optimizer__lr goes with optimizer (an instance's argument)
    groups = [next((min(g) for g in JOINT if head in g), head) for head in heads]
    return {k for k, g in zip(keys, groups) if groups.count(g) > 1}


def _made(estimator, candidates: list[dict], names: dict[str, str], drawn: bool = False) -> None:
    """The candidates as the estimator checks them when made (`check_params`), before any fit: a combination it
    refuses (early_stopping=True with validation_fraction=0) or a drawn value (a learning rate below 0) is refused now,
    naming the candidate, as each value alone was (`estimator_grid`); only what fails in a fit fails its candidate
    alone. Only the combinations of the keys checked together (`_joint`) are, each once, and drawn candidates
    (`drawn`): a grid of 2000 candidates took 7 s checking each whole."""
    from sklearn.base import clone

    from chainrule.data.advice import give
    from chainrule.sklearn.params import check_params
    inner = getattr(estimator, "regressor", estimator)         # per_fold's TransformedTargetRegressor holds it
    keys = list(dict.fromkeys(k for params in candidates for k in unprefixed(params)))     # several grids' too
    joint = set(keys) if drawn else _joint(keys)
    seen: set[str] = set()
    for params in candidates:
        values = {k: v for k, v in unprefixed(params).items() if k in joint and k != "class_weight"}   # by_index's
        if not values or repr(values) in seen:
            continue
        seen.add(repr(values))
        try:
            check_params(clone(inner).set_params(**values))
        except ValidationError as exc:
            raise refused_as(exc)(f"{give('grid')}: the candidate {as_written(params, names)}: {exc}") from None


def _prefix(estimator) -> str:
    """How GridSearchCV names the chainrule estimator's parameters inside per_fold's (estimator__, ...)."""
    for name, value in estimator.get_params().items():
        if isinstance(value, (BackpropClassifier, BackpropRegressor)):
            return name + "__"
    return ""


