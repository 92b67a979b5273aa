"""`chainrule sweep`'s grid: "name=v1,v2;name=..." read into values (hidden sizes as 32x16), and each name
checked against the estimator's arguments (the short names of ALIASES standing for them), the values given for
every candidate as the estimator checks them; cv's folds (`checked_cv`, `index_pairs`); class_weight's labels
checked, and as the class indices the folds' fits see (`by_index`), and the best estimator's by label again
(`by_label`), behind the file's preprocessing (`with_preprocessing`: GridSearchCV's best_estimator_ over a
Pipeline)."""
from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from chainrule.data.advice import give
from chainrule.errors import ValidationError, unknown_name
from chainrule.nn.numeric import as_whole, number_or_text
from chainrule.sweep_estimators import FoldPreprocessing
from chainrule.sweep_mlp_names import unknown_in_grid
from chainrule.sweep_search import refused_as
from chainrule.sweep_table import Names, show

# short names accepted in a grid, and the estimator's argument each stands for
ALIASES = {"hidden": "hidden_layer_sizes", "lr": "learning_rate", "batch": "batch_size",
           "batch_size": "batch_size", "epochs": "epochs", "activation": "activation",
           "optimizer": "optimizer", "momentum": "momentum", "alpha": "alpha", "dtype": "dtype"}
#: the estimator's arguments whose own arguments a grid may set, as GridSearchCV's set_params does (optimizer__lr,
#: learning_rate__gamma): an optimizer instance's and a schedule's (`params.rebuilt_with`)
NESTED = ("optimizer", "learning_rate")


def as_param(key: str) -> str:
    """The estimator's name for a grid's `key`: ALIASES' (lr: learning_rate), on a nested key's first part too
    (lr__gamma: learning_rate__gamma)."""
    head, sep, rest = key.partition("__")
    return ALIASES.get(head, head) + sep + rest


def grid_names(grid: dict, spelled: dict | None = None) -> Names:
    """The grid's names as written -> the estimator's (ALIASES'), with how a text grid spelled each value (its
    `spelled`): what names a candidate as its user wrote it, in the command's lines and run_sweep's alike. Several
    grids spelling one parameter two ways (hidden in one, hidden_layer_sizes in another) search one parameter, as
    GridSearchCV's of the estimator's names: one column of the table, under the first grid's spelling."""
    names: dict[str, str] = {}
    for key in grid:
        if as_param(key) not in names.values():
            names[key] = as_param(key)
    return Names(names, spelled)


#: infinity as a grid may write it: Python's float reads inf and -inf, not NumPy's name, which the estimator's
#: messages give (n_iter_no_change: "a positive int or np.inf")
INFINITY = ("np.inf", "-np.inf", "numpy.inf", "-numpy.inf")


def _value(text: str, key: str) -> Any:
    text = text.strip()
    if not text:
        raise ValidationError(f"{give('grid')}: {key!r} has an empty value; write values separated by commas")
    if ALIASES.get(key, key) == "hidden_layer_sizes":
        parts = text.lower().split("x")
        sizes = tuple(w for w in map(as_whole, parts) if w is not None)      # ASCII digits: int() reads '1_0' too
        if len(sizes) < len(parts):
            raise ValidationError(f"{give('grid')}: hidden widths must be integers, layers joined by 'x' "
                                  f"(e.g. 64 or 32x16); got {text!r}")
        return sizes                 # a width of 0: refused by estimator_grid, in the task's estimator's words
    if text.lower() in INFINITY:             # the estimator's messages say np.inf (n_iter_no_change's)
        return float(text.lower().replace("np.", "").replace("numpy.", ""))
    if ALIASES.get(key, key) == "class_weight" and text.lower() == "none":      # the unweighted candidate
        return None
    if text.lower() in ("true", "false"):           # early_stopping=True: the estimator wants a bool
        return text.lower() == "true"
    return number_or_text(text)


class Grid(dict[str, list]):
    """A grid read from text: {name: [values]}, and `spelled`, {name: [(value, its text)]}, so that its candidates
    are named as the text wrote them (`sweep_table.Names`)."""

    def __init__(self, grid: dict[str, list], spelled: dict[str, list[tuple[Any, str]]]):
        super().__init__(grid)
        self.spelled = spelled


def parse_grid(text: str) -> Grid:
    """Parse "name=v1,v2;name=v1,..." into {name: [values]} (numbers, true/false, strings, hidden sizes).

    Names are the short ones of ALIASES (hidden, lr, batch, ...) or any argument of
    BackpropClassifier; hidden layer sizes join layers with "x": "hidden=64,32x16".
    """
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"{give('grid')} must look like 'hidden=16,64;lr=1e-3,1e-2'; got {text!r}")
    grid: dict[str, list] = {}
    spelled: dict[str, list[tuple[Any, str]]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        key, sep, values = part.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ValidationError(f"{give('grid')}: each part must be name=value,value,...; got {part!r}")
        if key in grid:
            raise ValidationError(f"{give('grid')} names {key!r} twice")
        texts = [v.strip() for v in values.split(",")]
        grid[key] = [_value(v, key) for v in texts]
        spelled[key] = list(zip(grid[key], texts))
    return Grid(grid, spelled)


def grid_dict(grid: Any) -> dict | list[dict]:
    """run_sweep's grid given as a dict (or any mapping) as a dict, or a list of them (GridSearchCV's several grids in
    one, param_grid=[{...}, {...}]: their candidates one after the other) as a list of dicts; anything else refused,
    named: it ended in Python's own `dict()` error, naming no argument."""
    from collections.abc import Mapping
    if isinstance(grid, Mapping):
        return dict(grid)
    if isinstance(grid, (list, tuple)) and grid and all(isinstance(g, Mapping) for g in grid):
        return [dict(g) for g in grid]
    raise ValidationError("grid must be a string ('hidden=16,64;lr=1e-3,1e-2'), a dict {name: [values]} or a "
                          "non-empty list of such dicts (GridSearchCV's several grids); got "
                          f"{type(grid).__name__} {grid!r:.80}")


def merged(grids: list[dict]) -> dict:
    """Several grids' names, each with the values of every grid that names it (a distribution stays one): what is
    checked once for them all (class_weight's labels, a distribution without n_iter, a name given beside them)."""
    out: dict = {}
    for g in grids:
        for key, values in g.items():
            if isinstance(values, (list, tuple)) and isinstance(out.get(key, []), list):
                out[key] = [*out.get(key, []), *values]
            else:
                out.setdefault(key, values)
    return out


def checked_cv(cv: Any) -> Any:
    """run_sweep's cv before the file is read: a number of folds (at least 2), a splitter, or GridSearchCV's
    iterable of (train, test) index pairs as a list (a generator is read once), each item a pair."""
    if not isinstance(cv, (int, np.integer)) and not hasattr(cv, "get_n_splits") and hasattr(cv, "__iter__") and \
            not isinstance(cv, (str, bytes, dict)):
        cv = list(cv)
        for k, pair in enumerate(cv):     # a list of numbers was unpacked deep in scikit-learn ('non-iterable int')
            if isinstance(pair, (str, bytes)) or not hasattr(pair, "__len__") or len(pair) != 2:
                raise ValidationError(f"cv: item {k + 1} of {len(cv)} must be a (train, test) pair of row index "
                                      f"arrays, as KFold().split(X) gives; got {repr(pair):.80}")
        if not cv:
            raise ValidationError("cv: no (train, test) index pairs given (an empty list, or a generator read already)")
    if (not isinstance(cv, (int, np.integer, list)) and not hasattr(cv, "get_n_splits")) or isinstance(cv, bool) or (
            isinstance(cv, (int, np.integer)) and cv < 2):
        raise ValidationError(f"cv must be an integer of at least 2 folds, a scikit-learn splitter (KFold(5), ...) or "
                              f"(train, test) index pairs; got {cv!r}")
    return cv


def index_pairs(pairs: list, n: int) -> list:
    """The (train, test) pairs given as cv, as integer indices of the file's `n` rows (a boolean mask of them
    too), or an error naming the fold: an index past the rows was an IndexError deep in a fit."""
    checked = []
    for k, pair in enumerate(pairs):
        sides = []
        for rows, which in zip(pair, ("train", "test")):
            try:
                a = np.asarray(rows)
            except ValueError:
                a = np.asarray(0.5)
            if a.dtype == bool and a.shape == (n,):
                a = np.flatnonzero(a)
            if a.ndim != 1 or not len(a) or not np.issubdtype(a.dtype, np.integer) or a.min() < 0 or a.max() >= n:
                raise ValidationError(f"cv: the {which} rows of fold {k + 1} of {len(pairs)} must be indices of the "
                                      f"file's {n} rows (0 to {n - 1}), at least one; got {repr(rows):.80}")
            sides.append(a)
        checked.append(tuple(sides))
    return checked


def scoring_name(scoring: Any) -> str | None:
    """run_sweep's scoring: None, one scorer's name, or a scorer object (make_scorer(...), or a callable
    scorer(estimator, X, y) as GridSearchCV calls it); its name in the table's line, warnings and model file (a
    scorer's repr, a function's name). Several (GridSearchCV's list or dict) are `sweep_metrics.several`'s."""
    from sklearn.metrics import get_scorer_names
    if callable(scoring):
        return repr(scoring) if hasattr(scoring, "_score_func") else getattr(scoring, "__name__", repr(scoring))
    if scoring is not None and not isinstance(scoring, str):
        raise ValidationError("scoring must be the name of one scikit-learn scorer ('accuracy', 'f1_macro', ...: "
                              "sklearn.metrics.get_scorer_names()), a scorer (make_scorer(...)), or None for the "
                              f"task's default (several: a list or dict of them, as GridSearchCV's); got "
                              f"{type(scoring).__name__} {scoring!r}")
    parts = [part.strip() for part in scoring.split(",")] if isinstance(scoring, str) and "," in scoring else []
    if parts and all(part in get_scorer_names() for part in parts):      # was "not known", suggesting the first
        raise ValidationError(f"{give('scoring given', scoring=scoring)} names {len(parts)} scorers; it takes one "
                              "(several are GridSearchCV's multimetric scoring, swept from Python: run_sweep(..., "
                              f"scoring={parts!r}, refit={parts[0]!r}), refit naming the one that ranks)")
    if scoring is not None and scoring not in get_scorer_names():
        raise unknown_name("scoring", scoring, sorted(get_scorer_names()), give("scoring given", scoring=scoring))
    return scoring


_SEARCH_ONLY = {     # GridSearchCV's and RandomizedSearchCV's own arguments that are not run_sweep's, nor estimators'
    "estimator": "it searches chainrule's BackpropClassifier or BackpropRegressor, as the target's task decides",
    "param_grid": "the candidates are run_sweep's grid argument (run_sweep(csv, target, grid))",
    "param_distributions": "the candidates are run_sweep's grid argument, drawn from with n_iter",
    "return_train_score": "it scores each fold's test rows only (GridSearchCV's default, return_train_score=False)",
    "pre_dispatch": "n_jobs sets the fits run at once",
}


def fixed_names(fixed: Collection[str], estimator) -> None:
    """The names given for every candidate (run_sweep's other keyword arguments) checked as arguments, not called
    grid names: `epoch=3` was 'grid name='epoch' is not known' though no grid named it."""
    known = sorted(set(ALIASES) | set(estimator.get_params()))
    for key in fixed:
        if key in _SEARCH_ONLY:     # was 'not known; expected one of' the estimator's names, as if misspelt
            raise ValidationError(f"run_sweep's argument {key!r} is GridSearchCV's, which the sweep does not take: "
                                  f"{_SEARCH_ONLY[key]}")
        head, nested, _ = as_param(key).partition("__")
        if nested and head in NESTED:       # optimizer__lr=0.1: was 'not known; did you mean optimizer'
            value = fixed[key] if isinstance(fixed, dict) else "..."
            raise ValidationError(f"run_sweep's argument {key}={value!r} sets an argument of the {head} instance, "
                                  f"as GridSearchCV's param_grid does, which the sweep takes in its grid: give the "
                                  f"grid {{{key!r}: [{value!r}]}} (one candidate), or the {head} made with it")
        if key not in known and key != "schedule":      # schedule: estimator_grid says where a schedule goes
            raise unknown_in_grid(key, known, estimator, f"run_sweep's argument {key!r} (given for every candidate, as "
                                                  f"{type(estimator).__name__}'s)",
                                  fixed[key] if isinstance(fixed, dict) else None)


def estimator_grid(grid: dict[str, list], estimator, fixed: Collection[str] = (),
                   check_values: bool = True, spelled: dict | None = None) -> dict[str, list]:
    """The grid with the estimator's own argument names, every name checked against it, and every value (the grid's
    and those of `fixed`, the names given for every candidate) as the estimator checks it when made (`check_params`):
    one it refuses (lr=-1, hidden=0, optimizer=nope) is refused now, before any fit, naming the name and the value.
    A fit that fails (a diverging learning rate) fails its own candidate alone, ranked last (GridSearchCV's
    error_score); the combinations of keys checked together, and drawn candidates, are checked by `search`.
    check_values False: the names alone, and fixed's values (run_sweep gives none before the file is read unless
    its task is given: a refusal names the estimator of the file's task, BackpropRegressor for a regression).
    `spelled`: how a grid read from text wrote its values (`Grid`), as the refusal names them."""
    from sklearn.base import clone

    from chainrule.sklearn.params import check_params
    known = estimator.get_params()
    heads = {as_param(k) for k in grid}
    out = {}
    for key, given in grid.items():
        name = as_param(key)
        head, nested, _ = name.partition("__")
        if (name == "schedule" and name not in known) or (name == "learning_rate" and written_schedule(given)):
            raise schedule_refused(key, given)
        if name not in known and not (nested and head in NESTED and head in known):
            raise unknown_in_grid(key, sorted(set(ALIASES) | set(known)), estimator, give("grid name", name=key), given)
        if not (isinstance(given, (list, tuple)) and given) and not hasattr(given, "rvs"):
            raise ValidationError(f"grid values of {key!r} must be a non-empty list (or, with n_iter, a "
                                  f"scipy.stats distribution); got {given!r}")
        if name in out:                      # lr and learning_rate: one argument, the second silently won
            first = next(k for k in grid if as_param(k) == name)
            raise ValidationError(f"{give('grid names')} {name} twice, as {first!r} and {key!r}: give one")
        out[name] = given if hasattr(given, "rvs") else list(given)
        checked = [] if name == "class_weight" or hasattr(given, "rvs") or not (check_values or key in fixed) or (
            nested and head in heads) else given        # optimizer__lr beside optimizer: with it (`search`'s _made)
        for value in checked:                                                               # class_weight: by_index
            try:
                check_params(clone(estimator).set_params(**{name: value}))
            except ValidationError as exc:
                written = show(value, (spelled or {}).get(key, ()))
                where = f"{key}={value!r:.80}" if key in fixed else f"{give('grid')}: {key}={written!s:.80}"
                raise refused_as(exc)(f"{where}: {exc}") from None
    return out


def written_schedule(given: Any) -> bool:
    """Whether a grid's values hold a schedule as train's --schedule writes it (cosine:T_max=5): text with a ':'."""
    return isinstance(given, (list, tuple)) and any(isinstance(v, str) and ":" in v for v in given)


#: how schedules are swept: the engine's schedules as the rate's values of run_sweep's dict grid
SWEPT = ("run_sweep(csv, target, {'lr': [chainrule.optim.StepLR(0.01, step_size=10), "
         "chainrule.optim.CosineAnnealingLR(0.01, T_max=100)]})")


def schedule_refused(key: str, given: Any) -> ValidationError:
    """A schedule in a grid, as train's --schedule writes it: the grid's commas separate values, a schedule's its keys,
    so no text grid holds one; a dict grid of run_sweep holds the engine's schedules as the rate's values (which
    `schedule`, a name no estimator takes, is told too)."""
    shown = ",".join(map(str, given)) if isinstance(given, (list, tuple)) else repr(given)
    if not written_schedule(given):          # schedule=[StepLR(...)]: the engine's schedules, under a name not taken
        return ValidationError(f"{give('grid')}: {key} is not a grid name (got {key}={shown}): a schedule is the "
                               f"rate's value, {SWEPT}, or sweep the rate alone with lr=...")
    return ValidationError(f"{give('grid')}: {key}={shown} is a schedule as train's --schedule writes it, which a grid "
                           "cannot hold (the grid's commas separate values, a schedule's its keys); sweep schedules "
                           f"from Python, {SWEPT}, or the rate alone with lr=...")


def by_index(parsed: dict, fixed: dict, class_weight, pre, target: str,
             named: str, spelled: dict | None = None) -> tuple[dict, Callable[[dict], dict]]:
    """The fixed arguments with class_weight's labels (as the file writes them) as the class indices the folds'
    fits see (their y is the encoded classes), and what gives a candidate's parameters as its fits see them: the
    grid's class weights stay as given (the table and best_params show them, and take them back), checked
    now (a label that is not a class, a weight below 0: named before any fit); a regression's refused, named (as
    `spelled`, a text grid's words, wrote it)."""
    from chainrule.data.statistics import by_class
    if class_weight is not None:
        fixed = {**fixed, "class_weight": by_class(class_weight, pre, target, named)}
    values = parsed.get("class_weight")
    for value in () if values is None or hasattr(values, "rvs") else values:
        if value is not None or pre.task != "classification":   # a regression's none too: as the grid's others
            try:
                by_class(value, pre, target, "class_weight")
            except ValidationError as exc:
                why = str(exc)
                if pre.task == "classification" and not isinstance(value, (dict, list, tuple)):   # a grid's own None
                    why = f"class_weight must be {give('grid class_weight')}; got {value!r:.80}"
                written = show(value, (spelled or {}).get("class_weight", ())) \
                    if value is None or isinstance(value, str) else repr(value)          # as the grid wrote it
                raise ValidationError(f"{give('grid')}: class_weight={written:.80}: {why}") from None

    def for_fits(params: dict) -> dict:
        return {k: by_class(v, pre, target, "class_weight") if k.rsplit("__", 1)[-1] == "class_weight"
                and v is not None else v for k, v in params.items()}
    return fixed, for_fits


def by_label(best, pre):
    """The best candidate's classifier, fitted on the class indices, as GridSearchCV's best_estimator_ over the
    file's labels: its classes_ the labels (predict gives them), its class_weight {label: weight} (a fixed one
    and a grid's alike), so that it can be fit again on the labels and compared with GridSearchCV's."""
    best.classes_ = np.asarray(pre.classes)
    if isinstance(best.class_weight, dict):
        best.class_weight = {pre.classes[i]: w for i, w in best.class_weight.items()}
    return best


class FilePreprocessing(FoldPreprocessing):
    """The whole file's `Preprocessing` (the refit best's, learnt from every row) as the first step of the sweep's
    best_estimator_: rows of the file's input columns (the target's may be there) to the network's inputs, a
    category the file lacks warned of, as `chainrule predict` does."""

    def transform(self, X):
        from chainrule.data.targets import a_table
        a_table(X, "the sweep's best_estimator_", "pd.DataFrame(X, columns=result.feature_names_in_) names an "
                "array's columns, in the file's order (the sweep's result's; its preprocessing reads them by name)")
        return self.pre_.transform(X, dtype=self.dtype)


def with_preprocessing(fold_pre: FoldPreprocessing, pre, best):
    """GridSearchCV's best_estimator_ over a Pipeline of the preprocessing and the estimator: the best estimator
    behind the file's preprocessing, which takes rows as read (the estimator alone takes them preprocessed: raw
    iris rows scored 0.33), its [-1] the estimator."""
    from sklearn.pipeline import Pipeline
    step = FilePreprocessing(**fold_pre.get_params())
    step.pre_ = pre
    return Pipeline([("preprocessing", step), ("estimator", best)])


def check_seed(seed: Any) -> None:
    """run_sweep's seed as scikit-learn's random_state takes it, refused as the sweep's own argument: it was refused
    as each candidate's random_state, named after a value given for every candidate (`epochs=2: ...`)."""
    from chainrule.sklearn.params import random_state_ok
    if random_state_ok(seed):
        return
    raise ValidationError(f"seed must be None (the folds and each fit's initial weights drawn anew, as scikit-learn's "
                          f"random_state=None), an int in [0, 2**32 - 1] or a numpy.random.RandomState; got {seed!r} "
                          f"({type(seed).__name__})")
