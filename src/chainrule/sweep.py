"""Hyperparameter sweeps: GridSearchCV's (or RandomizedSearchCV's) search over chainrule's estimators,
on this machine (joblib) or on a Dask cluster.

Nothing here distributes work itself: the search (sweep_search) cuts it into one task per candidate and
fold, which joblib runs here and Dask's workers run on a cluster. What a cluster needs from chainrule is that
each worker's BLAS and Numba use one thread per task (`chainrule.workers`), so that 2 workers
on 2 cores run 2 threads, not 2 x the cores.

Examples
--------
>>> parse_grid("hidden=16,32x16;lr=1e-3,1e-2")
{'hidden': [(16,), (32, 16)], 'lr': [0.001, 0.01]}
"""
from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from chainrule.callers import caller_level
from chainrule.data.advice import give, words
from chainrule.data.columns import MAX_CATEGORIES
from chainrule.errors import ValidationError
from chainrule.sweep_estimators import (
    FoldPreprocessing,
    SweptClassifier,
    SweptRegressor,
    as_public,
    in_target_units,
    per_fold,
)
from chainrule.sweep_files import as_softmax as as_softmax  # where users found it
from chainrule.sweep_files import can_write, finished, save_best
from chainrule.sweep_grid import ALIASES as ALIASES  # where users found it
from chainrule.sweep_grid import (
    by_index,
    by_label,
    check_seed,
    checked_cv,
    estimator_grid,
    fixed_names,
    grid_dict,
    grid_names,
    index_pairs,
    merged,
    parse_grid,
    scoring_name,
    with_preprocessing,
)
from chainrule.sweep_metrics import check_scoring_for, several
from chainrule.sweep_result import SweepResult as SweepResult  # where users found it
from chainrule.sweep_result import scored_class, scorer_of
from chainrule.sweep_rows import csv_source, fits_every_fold, groups_column, spread_scorable, weights_column
from chainrule.sweep_search import enough_rows, search
from chainrule.sweep_table import as_written, cell, positive_matters, say_ran_out
from chainrule.sweep_tasks import SweepStopped, check_scheduler, keep_finished, scheduler_address


@words("sweep")         # its advice names its arguments (drop=, read=), not a DataFrame's or the command's;
# a frame of its own: its warnings find run_sweep's caller by callers.caller_level
def run_sweep(csv, target: str, grid: str | dict, *, scheduler: Any = None, out_dir=None,
              cv: Any = 3, scoring: Any = None, n_jobs: int = 1, seed: Any = 0, n_iter: int | None = None,
              task: str | None = None, impute: str | None = None, na_values: list[str] | None = None,
              text_columns: list[str] | None = None, read: dict | None = None, drop: list[str] | None = None,
              features: list[str] | None = None, max_categories: int | None = MAX_CATEGORIES,
              refit: bool = True, error_score: float | str = np.nan, overwrite: bool = True,
              weight: str | None = None, class_weight: str | dict | list | None = None, groups: str | None = None,
              verbose: int = 0, return_train_score: bool = False, **fixed) -> SweepResult:
    """Grid-search chainrule's estimator for a CSV file's target; write the table and the best model.

    Parameters
    ----------
    csv, target : the data file (a path or an open binary file, read once) and the column to predict
        (preprocessed as `chainrule train` does: numeric columns standardised, text columns one-hot;
        each fold's candidate with the statistics of its training rows, as a scikit-learn Pipeline; the
        best candidate refit on every row, and saved, with the whole file's).
    grid : "hidden=16,64;lr=1e-3,1e-2", a dict {name: [values]}, or a list of such dicts (GridSearchCV's
        param_grid=[{...}, {...}]: each dict's candidates in turn; a name a candidate lacks is masked in its
        cv_results_' param_ column and left out of its table cell). A dict grid sets an optimizer instance's or a
        schedule's own arguments as GridSearchCV's set_params does: {"optimizer": [Adam()], "optimizer__lr": [...]}.
    scheduler : a Dask scheduler address ("tcp://host:8786"), or a distributed Client or cluster (LocalCluster)
        already made, whose scheduler runs the fits; None runs on this machine. A scheduler without a
        worker is refused after CHAINRULE_DASK_WAIT seconds (30 unset; `inf`: wait for ever).
    out_dir : where sweep_results.csv and best_model.npz go (None: write nothing). An earlier sweep's there are
        replaced when this one finishes (as `cr.save`, Keras' save); overwrite=False refuses them before any fit.
    cv : the folds: a number of them (at least 2: the rows shuffled by `seed`, stratified by class), or
        scikit-learn's splitter (KFold(5), ShuffleSplit(...), as GridSearchCV's cv) or (train, test) index pairs
        (a list, or any iterable of them: a generator is read once).
    groups : a column of the rows' groups, not an input, for a splitter that keeps a group's rows in one fold
        (GroupKFold, LeaveOneGroupOut: GridSearchCV.fit's groups); other splitters ignore it, as scikit-learn's.
    n_iter : that many candidates drawn from the grid as RandomizedSearchCV(random_state=seed) draws them
        (lists drawn from evenly, or scipy.stats distributions); None: every candidate, as GridSearchCV.
    scoring : a scikit-learn scorer's name (default: accuracy or R2), or a scorer (make_scorer(...)), called as
        GridSearchCV calls it. A regression is trained on the standardised target and scored in the target's
        units (neg_mean_squared_error in its squared units). A candidate whose fit fails in a fold (a diverging
        learning rate) scores NaN, ranks last and is named in a FailedCandidateWarning; when every candidate fails,
        ValidationError.
    error_score : the score of a fold whose fit (or score) fails: NaN (the default, as above), or a number that
        ranks among the others (0: as a score of 0), the candidate named in a FailedCandidateWarning (a
        FitFailedWarning, as GridSearchCV's error_score=0); or "raise": the first fit that fails raises its own
        error, as GridSearchCV(error_score="raise").
    n_jobs : parallel fits on this machine (joblib's n_jobs: -1 one per CPU, -2 all but one); with a
        scheduler, Dask's workers decide: one fit a worker thread, as -1 with joblib's Dask backend (another
        value than 1 or -1 is refused).
    na_values, text_columns : cells that mean missing besides the empty cell, NA, NaN and nan (a list, or one
        string: one such cell, as pandas'); columns used as text categories (as `chainrule train --na-values`,
        `--text`).
    read : how to read the file, as `read_csv`'s arguments sep, encoding, decimal, thousands (kept in the
        best model, with the separator and encoding detected where not given, for `predict`).
    drop, features, max_categories : columns left out, the only input columns, and the categories a text
        column keeps (as `chainrule train --drop`, `--features`, `--max-categories`); the columns left
        out are in the result's `left_out`.
        Fits that ran every epoch without the stopping rule ending them (each of which MLPClassifier, and
        BackpropClassifier outside a sweep, warns of) are counted and said once, in one ConvergenceWarning; so
        are the fits whose batch_size was larger than their training rows (clipped to them), in one UserWarning.
    refit : refit the best candidate on every row and save it (False: the table alone, best_estimator None
        and no best_model.npz, as GridSearchCV's refit=False leaves no best_estimator_; beside several scorers, no
        best_index_, best_params_ nor best_score_ either, the table ranked by the first scorer). Several scorers: the
        name of the one that ranks and picks the best. A callable: best_index_ = refit(cv_results_), as GridSearchCV's
        (that candidate refit and saved; no best_score_).
    weight : a column of sample weights (numbers >= 0), not an input (as `chainrule train --weight`): each
        fold's training rows weigh in its preprocessing's statistics and its fit (sample_weight), its test rows
        in its score (the scorer's sample_weight), as GridSearchCV.fit(X, y, sample_weight=w) with metadata
        routing requested by the scaler, the estimator and the scorer; the best's refit is weighted too.
    class_weight : "balanced" or {label: weight} (labels as the file writes them; a class left out weighs 1): each
        fold's training rows weighed by their class (times weight's), as GridSearchCV over an estimator with
        scikit-learn's class_weight (BackpropClassifier's); the scores are not (GridSearchCV's are not). The grid
        can search it too ({"class_weight": [None, "balanced"]}; the command's 'class_weight=none,balanced'). The best
        estimator holds it by label, its classes_ the labels (`by_label`), as GridSearchCV's best_estimator_.
    seed : the folds' shuffling (cv a number), n_iter's draws, and every network's random_state (its initial weights
        and shuffling) where the grid does not set random_state: a grid's random_state seeds its candidates'
        networks, as GridSearchCV's param_grid overrides the estimator's, and the folds stay seed's (the seeds
        compared on the same folds). None, as scikit-learn's random_state=None: the folds shuffled anew (cut once,
        the same for every candidate) and each fit's initial weights drawn anew, so candidates differ even where their
        values are equal and a second sweep differs from the first; a numpy.random.RandomState as scikit-learn takes it.
    verbose : the search's lines on stdout, as GridSearchCV's verbose: 1 "Fitting 3 folds for each of 4 candidates,
        totalling 12 fits"; 2 a line per fit as it finishes, its candidate and time; 3 its fold and score too; 10 the
        candidate's number, and a START line as each fit is sent. Each
        fit's own lines (MLPClassifier's verbose) are the grid's: {"verbose": [1]}.
    return_train_score : each fold's candidate scored on its training rows too, as GridSearchCV's: cv_results_' (and
        the table's) split0_train_score, ..., mean_train_score and std_train_score (of each scorer where several
        score); a failed fit's are error_score. Scoring the training rows takes time; a gap between them and the
        test scores is the overfitting it shows.
    fixed : other estimator arguments for every candidate (epochs=50, batch_size=16, ...).

    Interrupted (Ctrl-C: KeyboardInterrupt, as `SweepInterrupted`), a sweep with an out_dir writes the candidates
    whose folds all finished to sweep_results.partial.csv (ranked among themselves; its `partial_path`) and
    leaves sweep_results.csv and best_model.npz as they were; a later sweep finishing there removes that file (the
    result's `removed`), which overwrite=False refuses, as the others.
    """
    from sklearn.base import clone
    from sklearn.model_selection import KFold, StratifiedKFold, check_cv

    from chainrule.data.columns import column_names, labels_as_written
    from chainrule.data.csvfile import as_spelled
    from chainrule.data.tabular import Preprocessing, read_csv
    from chainrule.saving.files import atomic_write
    from chainrule.sklearn import BackpropClassifier, BackpropRegressor

    cv = checked_cv(cv)                   # GridSearchCV's iterable of (train, test) pairs: a generator read once
    splitter = not isinstance(cv, (int, np.integer))
    if n_iter is not None and (not isinstance(n_iter, (int, np.integer)) or isinstance(n_iter, bool) or n_iter < 1):
        raise ValidationError(f"n_iter must be a positive integer (candidates drawn from the grid) or None (every "
                              f"candidate); got {n_iter!r}")
    check_seed(seed)                      # named as the sweep's, not as a candidate's random_state
    if not isinstance(return_train_score, (bool, np.bool_)):
        raise ValidationError(f"return_train_score must be True or False (GridSearchCV's); got {return_train_score!r}")
    if not isinstance(overwrite, bool):
        raise ValidationError(f"overwrite must be True or False; got {overwrite!r}")
    refit = bool(refit) if isinstance(refit, np.bool_) else refit     # NumPy's too, as GridSearchCV's "boolean"
    scorers, primary = several(scoring, refit)      # GridSearchCV's several scorers: refit names the one that ranks
    refit_given = refit                      # GridSearchCV's callable: best_index_ = refit(cv_results_)
    scoring, refit = (scoring, refit is not False) if scorers is None else (scorers[primary], refit is not False)
    if not (isinstance(error_score, str) and error_score == "raise") and (
            not isinstance(error_score, (int, float, np.integer, np.floating)) or isinstance(error_score, bool)):
        raise ValidationError(f"error_score must be a number (a failed fit scores it: NaN, the default, ranks its "
                              f"candidate last; 0 ranks it as a score of 0, as GridSearchCV's) or 'raise' (the first "
                              f"failed fit raises its error); got {error_score!r}")
    if not isinstance(verbose, (int, np.integer, np.bool_)) or verbose < 0:   # True is 1, as GridSearchCV's
        raise ValidationError(f"verbose must be an integer >= 0 (the search's lines, as GridSearchCV's; each fit's "
                              f"are the grid's: {{'verbose': [1]}}); got {verbose!r}")
    if not isinstance(n_jobs, (int, np.integer)) or isinstance(n_jobs, bool) or n_jobs == 0:
        raise ValidationError(f"n_jobs must be a nonzero integer (N fits at once; -1 one per CPU, -2 all CPUs "
                              f"but one, as joblib's); got {n_jobs!r}")
    n_jobs = int(n_jobs)          # NumPy's too, as GridSearchCV's
    scheduler = scheduler_address(scheduler)
    if scheduler is not None and n_jobs not in (1, -1):   # the worker threads run the fits: -1 is "every one"
        raise ValidationError(f"{give('jobs')} is for fits on this machine; with {give('scheduler')} the Dask "
                              f"cluster's workers run the fits, one a worker thread: leave {give('jobs')} out (got "
                              f"{n_jobs!r})")
    for argument, columns in (("drop", drop), ("features", features), ("text_columns", text_columns)):
        column_names(columns, argument)     # a string would be read one character a column (drop='ab': a and b)
    if scheduler is not None:     # Dask, CHAINRULE_DASK_WAIT, the address's form ('' too): before the file is read
        check_scheduler(scheduler)
    out = None
    if out_dir is not None:
        if isinstance(out_dir, (str, os.PathLike)) and not os.fspath(out_dir):    # Path('') is '.', this folder
            raise ValidationError(f"{give('out_dir')} is empty; give a folder name" + (
                "" if give("out_dir") == "--out-dir" else " (None: write nothing)"))
        out = Path(out_dir)
        if out.exists() and not out.is_dir():
            raise ValidationError(f"{give('out_dir')} {str(out)!r} is a file, not a folder")
    if out is not None:
        can_write(out, refit, overwrite)
    if out is not None and not refit and (out / "best_model.npz").exists():
        # kept (the user's file: GridSearchCV(refit=False) deletes nothing), but said before the fits, not after them
        import warnings
        warnings.warn(f"{str(out / 'best_model.npz')!r} is an earlier sweep's best model, left in place: this "
                      "sweep (refit=False, --no-refit) writes no model, so it will not be the best of "
                      f"{str(out / 'sweep_results.csv')!r} (`chainrule info` shows the sweep it came from)",
                      UserWarning, stacklevel=caller_level())
    for one in (scorers or {}).values():       # a name scikit-learn does not know, named
        scoring_name(one)
    scoring_shown = scoring_name(scoring) if scorers is None else primary
    given = parse_grid(grid) if isinstance(grid, str) else grid_dict(grid)
    grid_words = getattr(given if isinstance(grid, str) else grid, "spelled", {})     # a text grid's own words
    grids = given if isinstance(given, list) else [given]    # GridSearchCV's several grids, or one
    parsed = merged(grids)                                   # their names and values, checked once
    drawn = [*dict.fromkeys(key for one in grids for key, values in one.items() if hasattr(values, "rvs"))]
    if drawn and n_iter is None:
        raise ValidationError(f"the grid gives {drawn[0]!r} a distribution to draw from: give n_iter, the number of "
                              "candidates to draw (RandomizedSearchCV's), or a list of values")
    if class_weight is not None and "class_weight" in parsed:
        raise ValidationError("class_weight is given for every candidate and in the grid: give one")
    # the names before reading; the values (the grid's, and those given for every candidate) too where the task is
    # given, else once the file says it: refused before any fit either way, naming the task's estimator
    fixed_names(fixed, BackpropRegressor() if task == "regression" else BackpropClassifier())
    for one in grids:
        estimator_grid({**one, **{k: [v] for k, v in fixed.items()}}, BackpropRegressor() if task == "regression"
                       else BackpropClassifier(), fixed if task is not None else (), check_values=task is not None,
                       spelled=grid_words)
    read = {k: v for k, v in (read or {}).items() if v is not None}
    source = csv_source(csv)                   # an open file is read once: each reading takes a copy
    df = read_csv(source(), na_values=na_values, text_columns=text_columns or (), **read)
    spelled = [as_spelled(c, df.columns) for c in text_columns or ()]
    if spelled != list(text_columns or ()):       # --text named a column spelled otherwise: read it as text
        text_columns = spelled
        df = read_csv(source(), na_values=na_values, text_columns=text_columns, **read)
    how_read = df.attrs["csv"]                # the separator and encoding used (given or detected)
    target = as_spelled(target, df.columns)
    df, said = labels_as_written(df, target, task, text_columns or (), lambda cols: read_csv(
        source(), na_values=na_values, usecols=cols, **read), source)               # 007 stays '007'
    w = None
    if weight is not None:                # the weights, not an input: out of the table before anything is learnt
        weight = as_spelled(weight, df.columns)
        df, w = weights_column(df, target, weight, features or (), drop or ())
    group_of = None
    if groups is not None:                # the splitter's groups, not an input, as the weight column
        groups = as_spelled(groups, df.columns)
        df, group_of = groups_column(df, groups, target, features or (), drop or (), weight)
    left_out: list[str] = []
    if drop or features:                  # as train leaves them out (a second target column, an ID)
        from chainrule.data.columns import select_columns
        df, left_out = select_columns(df, target, [as_spelled(c, df.columns) for c in features or ()],
                                      [as_spelled(c, df.columns) for c in drop or ()], text_columns or ())
    pre = Preprocessing.fit(df, target, task=task, impute=impute, text_columns=text_columns or (),
                            max_categories=max_categories, sample_weight=w)
    pre.na_values = [na_values] if isinstance(na_values, str) else list(na_values or [])    # read_csv's: one marker
    pre.decimal, pre.thousands = read.get("decimal", "."), read.get("thousands")
    pre.sep, pre.encoding = how_read["sep"], how_read["encoding"]      # predict reads other files as this one
    dtype = fixed.get("dtype", np.float64)
    X = pre.transform(df, dtype=dtype)          # every row, the whole file's preprocessing: the best's refit
    classify = pre.task == "classification"
    fixed, for_fits = by_index(parsed, fixed, class_weight, pre, target, give("class_weight"), grid_words)
    if classify:
        y = pre.encode_target(df)           # the classes of every row: each fold's network has every output
        inner: Any = SweptClassifier(random_state=seed)
    else:       # trained on the standardised target, as train, and scored in the target's units
        y = replace(pre, y_mean=0.0, y_scale=1.0).encode_target(df)[:, 0]
        inner = SweptRegressor(random_state=seed)
    fixed_params = estimator_grid({k: [v] for k, v in fixed.items()}, inner, fixed)
    inner.set_params(**{k: v[0] for k, v in fixed_params.items()})
    param_grids = [estimator_grid(one, inner, spelled=grid_words) for one in grids]
    names = grid_names(parsed, grid_words)
    for one in (scorers or {"score": scoring}).values():
        check_scoring_for(one, classify, target, len(pre.classes))
    # scikit-learn refuses f1 of labels other than 0/1 (pos_label); the sweep scores the encoded 1 (or 0, a
    # make_scorer's own pos_label) and says which
    positive = (scored_class(scoring, pre.classes) if classify and len(pre.classes) == 2 and scoring
                and positive_matters(scoring) else None)
    if splitter:                        # as the user cut them (check_cv: index pairs as a splitter)
        folds = check_cv(index_pairs(cv, len(df)) if isinstance(cv, list) else cv, y, classifier=classify)
    else:
        if cv > len(df):                    # KFold's own ValueError, a traceback, named the rows n_samples
            raise ValidationError(f"{cv} folds need at least {cv} rows; the file has {len(df)} (ask for fewer folds)")
        if classify:
            enough_rows(np.bincount(y, minlength=len(pre.classes)), pre.classes, cv)
        # folds of shuffled rows, seeded: GridSearchCV's cv=int cuts the file in order, and a file sorted by
        # date or target then gave folds that extrapolate (R2 -10 where shuffled folds give 0.44)
        folds = (StratifiedKFold if classify else KFold)(n_splits=cv, shuffle=True, random_state=seed)
    fold_pre = FoldPreprocessing(target, pre.task, impute, tuple(text_columns or ()), max_categories, dtype)
    splits = fits_every_fold(df, y, folds, fold_pre, w, weight, group_of, groups)   # cut once (unseeded: anew)
    if not classify:            # each scorer's: one that does not rank would be NaN in every fold
        for key, one in (scorers or {None: scoring}).items():
            spread_scorable(y, splits, one, target, key)

    refit_time: list[float] = []

    def fit_best(params: dict):         # GridSearchCV's refit (and its refit_time_), silent if it runs out of epochs
        best, start = clone(inner).set_params(**clone(for_fits(params), safe=False)), time.perf_counter()
        fitted = by_label(as_public(best.fit(X, y, sample_weight=w)), pre) if classify else as_public(
            in_target_units(best, pre.y_mean, pre.y_scale).fit(X, y, sample_weight=w))
        refit_time.append(time.perf_counter() - start)
        return fitted

    try:
        done = search(per_fold(inner), fold_pre, param_grids if isinstance(given, list) else param_grids[0], names,
                      df, y, folds=splits, scoring=scoring if scorers is None else scorers, primary=primary,
                      n_jobs=n_jobs, scheduler=scheduler, refit=fit_best if refit else None, error_score=error_score,
                      n_iter=n_iter, seed=seed, weights=w, for_fits=for_fits, verbose=int(verbose),
                      choose=refit_given if callable(refit_given) else None, train_score=bool(return_train_score))
    except SweepStopped as stop:      # the finished kept, beside (never over) a finished table
        if out is not None:
            keep_finished(stop, out)
        raise
    epochs = {"epochs": inner.epochs, "more": 2 * inner.epochs}
    swept = any("epochs" in one for one in param_grids)
    say_ran_out(done, *(("epochs in the grid", "try larger ones in the grid") if swept else
                        (give("epochs given", **epochs), give("more epochs", **epochs))),
                "epochs of {} or more in the grid".format if swept else
                lambda needed: f"{give('epochs given', epochs=needed)} or more")
    shown = {key: cell(names, key, done.best_params[name]) for key, name in names.items() if name in done.best_params}
    name = scoring_shown or ("accuracy" if classify else "r2")
    results_path = model_path = None
    removed: list[Path] = []
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        results_path = out / "sweep_results.csv"
        atomic_write(results_path, lambda f: done.table.to_csv(f, index=False))    # an interruption keeps the last
        removed = finished(out)
    if out is not None and done.best_estimator is not None:
        model_path = out / "best_model.npz"
        save_best(model_path, done.best_estimator, pre, classify, (name, done.best_score), weight,
                  {"best_params": shown, "best": as_written(done.best_params, names), "scoring": name,
                   "cv": len(splits),      # LeaveOneGroupOut counts groups
                   **({} if positive is None else {"positive_class": getattr(positive, "item", lambda: positive)()})},
                  class_weight)
    return SweepResult(done.table, done.best_params, done.best_score, name, results_path, model_path,
                       done.best_estimator, left_out, said, done.failed, done.results, done.best_index,
                       None if done.best_estimator is None else with_preprocessing(fold_pre, pre, done.best_estimator),
                       done.tied, positive, refit_time[0] if refit_time else None,
                       scorer_of(as_public(inner), scoring, None if positive is None else pre.classes) if scorers is
                       None else {k: scorer_of(as_public(inner), v, pre.classes if classify and len(pre.classes) == 2
                                               else None) for k, v in scorers.items()}, removed,
                       [*filter(set(pre.columns).__contains__, df.columns)], refit_given)    # the set made once
