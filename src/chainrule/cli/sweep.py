"""`chainrule sweep`: a grid search over a CSV file, on this machine or on a Dask cluster."""
from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from chainrule.errors import ValidationError

from ..data.advice import words
from ..data.lines import plural
from ..teach.width import say, word
from ..training.rank_warnings import launched_ranks, launcher
from . import numbers
from .reading import column_name, named_text, target_name
from .tabular import add_column_options, add_csv_options, positive_int, reading_marks, said_left_out
from .usage import OptionError
from .weights import class_weight_arg

#: --scoring: empty, it was looked up as a scorer named '' ("--scoring  is not known", and every name)
scorer_name = named_text("--scoring", "a scikit-learn scorer name", "f1_macro", "for accuracy or r2")


def register(sub) -> None:
    p = sub.add_parser(
        "sweep", help="grid-search hyperparameters on a CSV file (locally or on Dask)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Cross-validate every combination of a grid (or, with --n-iter, that many drawn from it) as "
                    "scikit-learn's GridSearchCV (RandomizedSearchCV) over chainrule's estimators, each fold "
                    "preprocessed (scaled, filled, one-hot) from its training rows; write the results table (the "
                    "columns of cv_results_) and the best model (refitted on the whole file, readable by `chainrule "
                    "predict`). With --scheduler each fold runs as a task on a Dask cluster.",
        epilog="examples:\n"
               "  chainrule sweep iris.csv --target species --grid 'hidden=16,64;lr=1e-3,1e-2'\n"
               "  chainrule sweep iris.csv --target species --grid 'hidden=8,32x16' --scheduler tcp://10.0.0.5:8786\n"
               "\ngrid names: hidden (layers joined by x: 32x16), lr, batch, epochs, activation, optimizer, "
               "momentum, alpha, clip_norm or clip_value (as train's --clip-norm, --clip-value: one of them), "
               "class_weight (none, balanced), or any argument of "
               "chainrule.sklearn.BackpropClassifier\n"
               "--epochs, --batch-size and --dtype apply where the grid does not set them; beside a grid that "
               "does, refused")
    p.add_argument("csv", help="the CSV file with a header row")
    p.add_argument("--target", required=True, type=target_name, metavar="COL",
                   help="the column to predict, e.g. species (class labels, or numbers for a regression)")
    p.add_argument("--grid", required=True, metavar="NAME=V,V;...",
                   help="the candidates: each NAME's values after '=', split by ','; names split by ';' (grid "
                        "names: below); every combination is a candidate: 'hidden=16,64;lr=1e-3,1e-2' is 4")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="a Dask scheduler's address, e.g. tcp://10.0.0.5:8786, which needs a worker within "
                        "CHAINRULE_DASK_WAIT seconds (30 unless set) (default: none, every fit runs here)")
    p.add_argument("--out-dir", default="sweep", metavar="DIR",
                   type=named_text("--out-dir", "a folder for the results", "sweep", "for ./sweep"),
                   help="folder for sweep_results.csv and best_model.npz (default: ./sweep; an earlier "
                        "sweep's there are replaced, the wrote line says so); stopped by Ctrl-C, the candidates "
                        "whose folds all finished go to sweep_results.partial.csv there (removed when a later "
                        "sweep there finishes)")
    p.add_argument("--cv", type=numbers.folds, default=3, metavar="K",
                   help="cross-validation folds of the rows shuffled by --seed, a classification's stratified by "
                        "class (with --groups: of whole groups, not stratified) (default: 3)")
    p.add_argument("--n-iter", type=positive_int, metavar="N",
                   help="random search: this many candidates drawn from the grid, as "
                        "RandomizedSearchCV's n_iter (seeded by --seed); default: every one")
    p.add_argument("--scoring", type=scorer_name, metavar="NAME",
                   help="scikit-learn scorer name (default: accuracy or r2; every name: "
                        "sklearn.metrics.get_scorer_names(), or an unknown one, which lists them); a "
                        "regression's scores are in the target's units; f1, precision, recall, jaccard, "
                        "average_precision, positive_likelihood_ratio and neg_negative_likelihood_ratio "
                        "of 2 classes score the second in sorted order as the positive one, which the "
                        "table's line names (f1_macro scores both)")
    # None: not given (the grid may set them; given beside the grid's, refused); 100 applied after
    p.add_argument("--epochs", type=positive_int, default=None, metavar="N",
                   help="the most epochs of every fit, where the grid does not set them (default: 100, as train's: "
                        "the best model is the one train gives with its options; BackpropClassifier's epochs and "
                        "MLPClassifier's max_iter default to 200); the fits that run them all are counted in one "
                        "warning")
    # None: the estimator's 32, clipped without a warning
    p.add_argument("--batch-size", type=positive_int, default=None, metavar="N",
                   help="samples per update, where the grid does not set them (default: 32, or every row of a "
                        "smaller fold)")
    p.add_argument("--jobs", type=numbers.jobs, default=1, metavar="N",
                   help="parallel fits on this machine (default: 1; -1: one per CPU, -2: all CPUs but one, as "
                        "joblib's n_jobs)")
    p.add_argument("--dtype", choices=["float64", "float32"],
                   help="floating-point precision of every fit, where the grid does not set it (default: float64, as "
                        "train's)")
    p.add_argument("--no-refit", dest="refit", action="store_false",
                   help="write the results table only: no best model refit on the whole file (by default the best is "
                        "refit and written)")
    p.add_argument("--return-train-score", action="store_true",
                   help="score each fold's fit on its training rows too: the table's mean_train_score, "
                        "std_train_score and split<k>_train_score, as GridSearchCV's return_train_score (a gap to the "
                        "test scores shows overfitting); default: test scores only")
    p.add_argument("--error-score", type=_error_score, default="nan", metavar="{nan,raise,NUMBER}",
                   help="a fit that fails: nan scores its candidate NaN, ranked last and named (default); a number "
                        "(0) is its fold's score, ranked among the others, as GridSearchCV's error_score=0; raise "
                        "stops the sweep with its error")
    p.add_argument("--seed", type=numbers.random_state, default=0, metavar="N",
                   help="seeds the folds, --n-iter's draws, and the networks' initial weights and shuffling where "
                        "the grid does not set random_state (a grid's random_state seeds its candidates' networks, "
                        "as GridSearchCV's param_grid overrides the estimator's; the folds stay --seed's) "
                        "(default: 0)")
    p.add_argument("--task", choices=["classification", "regression"],
                   help="override the detected task (default: detected; text or small-integer targets are classes)")
    p.add_argument("--impute", choices=["mean", "median", "most_frequent"],
                   help="fill missing feature values, e.g. --impute median (default: none: a missing "
                        "value is refused)")
    add_csv_options(p)
    g = p.add_argument_group("columns (as train's)")
    add_column_options(g)
    g.add_argument("--weight", metavar="COL", type=column_name("--weight", "a column of sample weights"),
                   help="a column of sample weights (numbers >= 0), not an input: each fold's training rows weigh "
                        "in its scaling and its fit, its test rows in its score (the scorer's sample_weight), as "
                        "train's --weight; the best model is refit weighted (default: none, every row weighs 1)")
    g.add_argument("--class-weight", type=class_weight_arg, metavar="balanced|LABEL=W[,LABEL=W]",
                   help="weigh each fold's training rows by their class, as train's (and scikit-learn's class_weight: "
                        "the scores are not weighted): 'balanced' or weights by label, e.g. 'yes=3'; to compare "
                        "with unweighted fits, put it in the grid instead: 'class_weight=none,balanced' (default: "
                        "none, every class weighs 1)")
    g.add_argument("--groups", metavar="COL", type=column_name("--groups", "a column of the rows' groups"),
                   help="a column of the rows' groups, not an input: each group's rows kept in one fold of --cv "
                        "(GroupKFold shuffled by --seed, as GridSearchCV.fit's groups with that splitter), so a "
                        "score is of groups no fit saw, e.g. --groups patient (default: none, rows cut one by one)")
    p.set_defaults(func=sweep)


#: the printed table's score columns, as the results file names them and as a person reads them: cv_results_' names
#: took 50 of 80 columns, and a grid of 4 names (hidden, lr, batch, activation) no longer fit in a terminal
SCORES = {"mean_test_score": "mean", "std_test_score": "std", "rank_test_score": "rank"}


@words("sweep command")     # its refusals name its options (sweep --drop), not train's, nor a --stream it has not
def sweep(args) -> int:
    from chainrule.sweep import parse_grid
    from chainrule.sweep_grid import grid_names
    from chainrule.sweep_table import as_written, written

    from . import _identity

    if launched_ranks() > 1:                 # first, as train's: each rank would say any other refusal
        raise OptionError(f"started by {launcher()} as {launched_ranks()} processes: each would run the whole "
                          "sweep and write --out-dir; sweep runs its fits in parallel with --jobs N (this machine) or "
                          "--scheduler (a Dask cluster), not MPI: run it as one process")
    grid = parse_grid(args.grid)              # checked before reading the data
    _no_underflow(grid)
    reading_marks(args)
    if args.class_weight is not None and "class_weight" in grid:     # named with both values, as _fixed's
        raise OptionError(f"--class-weight {_classes(args.class_weight)} and the grid's class_weight "
                              f"({_grid_values(grid, 'class_weight')}) both weigh the classes: give one "
                              "(--class-weight for every candidate, or the grid's to compare them)")
    _one_clipping(grid)
    if args.scheduler is not None and args.jobs not in (1, -1):      # (run_sweep's own refusal, said as an option's)
        raise OptionError(f"--jobs {args.jobs} is for fits on this machine; with --scheduler the Dask cluster's "
                          "workers run the fits, one a worker thread: leave --jobs out")
    fixed = _fixed(args, grid)
    from ..sweep_tasks import PARTIAL, dask_logs  # here: every command builds this parser (logging, Dask's hooks)
    files = [Path(args.out_dir) / name for name in ("sweep_results.csv", "best_model.npz", PARTIAL)]
    before = [_identity(f) for f in files]
    try:
        with dask_logs() if getattr(args, "debug", False) else contextlib.nullcontext():   # Dask's own, --debug only
            result = _run(args, grid, fixed)
    except KeyboardInterrupt as stop:   # what the folder holds now: each file is written whole (renamed) or not at all
        from ..backend.signals import ignored
        with ignored():             # a second Ctrl-C meanwhile: the line is being written (as the other commands')
            print(f"chainrule: interrupted{_interrupted(stop, files, before)}", file=sys.stderr)
        return 130
    if result.said:
        say(result.said, sys.stderr)
    said_left_out(result.left_out)
    where = f"Dask scheduler {args.scheduler}" if args.scheduler else "this machine"
    n = len(result.table)
    drawn = f" (drawn at random from {_size(grid)})" if args.n_iter is not None else ""
    weighted = f" (rows weighted by {args.weight!r})" if args.weight else ""       # as train's validation line
    if args.class_weight is not None:
        weighted += f" (classes weighted: {_classes(args.class_weight)})"
    from chainrule.sweep_files import of_class
    of = of_class(result.positive_class)     # f1 of 'yes'
    positive = f"{of}, the positive class" if of else ""
    say(f"{n} {plural(n, 'candidate')}{drawn} x {args.cv} folds on {where}; {result.scoring}{positive}{weighted}, "
        "best first:")
    names = grid_names(grid, grid.spelled)     # the values as --grid spelled them
    shown = result.table[[*grid, *SCORES]].rename(columns=SCORES)
    for key in grid:        # as the best line names them (lr=5e-2 both, not 0.05 here); the CSV keeps the numbers
        shown[key] = [str(written(names, key, None if params[names[key]] is None else value))   # None, not none
                      for value, params in zip(shown[key], result.table["params"])]
    print(shown.to_string(index=False, float_format=lambda v: f"{v:.4f}"))
    say(f"best: {as_written(result.best_params, names)} ({result.scoring}{of} {result.best_score:.4f})"
        f"{_tied(result, names, args)}")
    earlier = [" (replacing an earlier sweep's)" if was is not None else "" for was in before]    # as plot's figure
    say(f"wrote {word(result.results_path)}{earlier[0]}" +
        (f" and {word(result.model_path)}{earlier[1]}" if result.model_path else "") +
        "".join(f"; removed {word(path)} (an earlier interrupted sweep's candidates)" for path in result.removed))
    return 0


#: the options every fit takes where the grid does not set them, and the default where neither gives one
GRID_OPTIONS = {"epochs": ("--epochs", 100), "batch_size": ("--batch-size", None), "dtype": ("--dtype", None)}


def _fixed(args, grid: dict) -> dict:
    """The estimator's arguments the options give (their defaults where not given and the grid does not set them).
    An option given beside the grid's values for it is refused naming both: the grid's silently won."""
    from chainrule.sweep_grid import ALIASES
    in_grid = {ALIASES.get(key, key): key for key in grid}          # batch and batch_size are one argument
    fixed = {}
    for name, (option, default) in GRID_OPTIONS.items():
        given = getattr(args, name)
        if given is not None and name in in_grid:
            key = in_grid[name]
            raise OptionError(f"{option} {given} and the grid's {key} ({_grid_values(grid, key)}) both set every "
                                  f"fit's {name.replace('_', ' ')}: give one ({option} for every candidate, or the "
                                  "grid's to compare them)")
        value = given if given is not None else default
        if value is not None and name not in in_grid:
            fixed[name] = value
    return fixed


#: the grid's numbers that must be > 0, with what a fit at 0 would be: named as typed where float64 reads them as 0
ABOVE_ZERO = {"learning_rate": ("a learning rate > 0, e.g. 0.001", "at a rate of 0 a fit learns nothing"),
              "clip_norm": ("a clip norm > 0, e.g. 1.0", "a gradient clipped to 0 learns nothing"),
              "clip_value": ("a clip value > 0, e.g. 0.5", "a gradient clipped to 0 learns nothing")}


def _no_underflow(grid) -> None:
    """A learning rate or clip typed with a digit 1-9 that float64 reads as 0 (lr=1e-400) named as typed, in train
    --lr's words: the estimator's refusal said "got 0.0", a value the user never wrote."""
    from chainrule.sweep_grid import ALIASES

    from .tabular import read_as_zero
    for key, values in grid.spelled.items():
        said = ABOVE_ZERO.get(ALIASES.get(key, key))
        for value, text in values:
            if said and isinstance(value, float) and read_as_zero(text):
                raise OptionError(f"--grid: {key}={text}: expected {said[0]}; got {text!r}{read_as_zero(text)}: "
                                  f"{said[1]}")


def _one_clipping(grid: dict) -> None:
    """A grid giving both clip_norm and clip_value gives every candidate both, which train refuses as --clip-norm
    with --clip-value (and every fit would fail): refused before the data is read, naming both."""
    if "clip_norm" in grid and "clip_value" in grid:
        raise OptionError(f"the grid's clip_norm ({_grid_values(grid, 'clip_norm')}) and clip_value "
                          f"({_grid_values(grid, 'clip_value')}) both clip every candidate's gradients, which an "
                          "optimizer takes one of (as train's --clip-norm and --clip-value): sweep one, or each in "
                          "its own sweep")


def _grid_values(grid: dict, key: str) -> str:
    """The grid's values for `key` as --grid wrote them (a text grid's own words): '5, 1e1'."""
    spelled = getattr(grid, "spelled", {})
    return ", ".join([text for _, text in spelled[key]] if key in spelled else map(str, grid[key]))


def _interrupted(stop: KeyboardInterrupt, files: list[Path], before: list) -> str:
    """What an interrupted sweep left: the finished candidates it wrote, and the earlier files kept."""
    from . import _identity
    partial = getattr(stop, "partial_path", None)
    table = getattr(stop, "table", None)
    if partial is not None and table is not None and _identity(partial) not in (None, before[2]):
        n, of = len(table), getattr(stop, "n_candidates", len(table))
        said = (f"; wrote every candidate ({n}), its folds all finished, to {str(partial)!r}, but not the best model "
                "(interrupted in its refit on every row)" if getattr(stop, "refitting", False) else
                f"; wrote the {n} of {of} candidates whose folds all finished to {str(partial)!r} (ranked among "
                "themselves; the others' finished folds are lost)")
    else:           # after every fit: the table written, then Ctrl-C while the model was
        written = [str(f) for f, was in zip(files, before) if _identity(f) not in (None, was)]
        said = (f"; wrote {' and '.join(map(repr, written))} before it" if written else
                "; the sweep wrote nothing (no candidate had finished all its folds)")
    kept = [str(f) for f, was in zip(files, before) if was is not None and _identity(f) == was]
    if kept:
        said += f"; {' and '.join(map(repr, kept))}, from before, {'is' if len(kept) == 1 else 'are'} unchanged"
    return said


def _tied(result, names: dict[str, str], args) -> str:
    """The candidates tied with the best (`tied_indices_`), and which one was kept: the first, in the grid's order
    (or the drawn order), as GridSearchCV's best_index_ keeps it; those of the best's own values (a grid repeating
    0.01 as 0.010) counted, not listed. `names`: the grid's keys as the estimator's parameters (the best line's)."""
    from chainrule.sweep_table import as_written
    if not result.tied_indices_:
        return ""
    params = result.cv_results_["params"]
    best = as_written(params[result.best_index_], names)
    others = [t for t in (as_written(params[i], names) for i in result.tied_indices_) if t != best]
    same = len(result.tied_indices_) - len(others)
    repeats = f"{same} {plural(same, 'repeat')} of the best's values in the grid" if same else ""
    if len(others) == 1:
        with_ = others[0] + (f" (and {repeats})" if same else "")
    elif others:
        listed = "; ".join(others[:3]) + ("; ..." if len(others) > 3 else "")
        with_ = f"{len(others)} others ({listed}{f'; and {repeats}' if same else ''})"
    else:
        with_ = repeats
    order = "drawn first (--n-iter)" if args.n_iter is not None else "first in the grid's order"
    return f"; tied at rank 1 with {with_}: the one {order} is kept, as GridSearchCV's best_index_ keeps it"


def _classes(spec) -> str:
    """--class-weight as given: 'balanced', or virginica=4, setosa=0.5."""
    return spec if isinstance(spec, str) else ", ".join(f"{label}={w:g}" for label, w in spec)


def _size(grid: dict) -> str:
    """How many candidates the whole grid holds: '12 in the grid'."""
    import math
    return f"{math.prod(len(v) for v in grid.values())} in the grid"


#: what to try after a fit whose loss exploded or diverged, in the sweep's words: its grid gives the rate and the
#: clipping, and it scales the inputs and a regression's target itself
REMEDIES = "a lower lr or gradient clipping, compared in the grid (e.g. --grid 'lr=0.0001,0.001' or 'clip_norm=1,10')"


def _run(args, grid: dict, fixed: dict):
    """run_sweep with the command's options, the engine's advice after a loss that exploded or diverged (in a
    warning, a failed candidate's reason, an error) in the sweep's words."""
    from chainrule.errors import TrainingDiverged

    from .optimizer import reworded, warned_in
    try:
        with warned_in(lambda text: reworded(text, REMEDIES)):
            return _sweep(args, grid, fixed)
    except (TrainingDiverged, ValidationError) as exc:
        said = reworded(str(exc), REMEDIES)
        if said == str(exc):
            raise
        exc.args = (said,)       # the same exception, its class and attributes kept: not rebuilt, as a class whose
        raise exc from None      # constructor takes other arguments (OutputMismatch's reason, activation) is not


def _group_folds(splitter, folds: int, seed):
    """--groups' folds: GroupKFold's groups shuffled by --seed, which scikit-learn's GroupKFold takes since 1.6
    (before, a TypeError naming shuffle); an older one is named, with the version needed."""
    import inspect

    import sklearn
    if "shuffle" not in inspect.signature(splitter).parameters:
        raise ValidationError(f"--groups needs scikit-learn 1.6 or later (its GroupKFold shuffles the groups, seeded "
                              f"by --seed); this one is {sklearn.__version__}: pip install 'scikit-learn>=1.6'")
    return splitter(folds, shuffle=True, random_state=seed)


def _sweep(args, grid: dict, fixed: dict):
    from sklearn.model_selection import GroupKFold

    from chainrule.sweep import run_sweep
    cv = args.cv if args.groups is None else _group_folds(GroupKFold, args.cv, args.seed)
    return run_sweep(args.csv, args.target, grid, scheduler=args.scheduler, out_dir=args.out_dir, cv=cv,
                     n_iter=args.n_iter, scoring=args.scoring, n_jobs=args.jobs, seed=args.seed, task=args.task,
                     impute=args.impute, na_values=args.na_values, text_columns=args.text, drop=args.drop,
                     features=args.features, max_categories=args.max_categories,
                     refit=args.refit, error_score=args.error_score, return_train_score=args.return_train_score,
                     **fixed,
                     weight=args.weight, class_weight=args.class_weight, groups=args.groups,
                     read={"sep": args.sep, "encoding": args.encoding, "decimal": args.decimal,
                           "thousands": args.thousands})


def _error_score(text: str) -> float | str:
    """--error-score: raise, nan, or a number (GridSearchCV's error_score), as a float."""
    if text.strip().lower() == "raise":
        return "raise"
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected nan, raise or a number (0); got {text!r}") from None
