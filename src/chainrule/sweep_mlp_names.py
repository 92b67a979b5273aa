"""MLPClassifier's and MLPRegressor's names in a sweep's grid (or given for every candidate), which chainrule's
estimators lack: what each is here (max_iter: epochs; beta_1, epsilon, nesterovs_momentum: an optimizer instance's
arguments, which a grid sets as optimizer__..., as GridSearchCV's set_params does; solver='lbfgs': none), where
difflib's closest spelling would say nothing of use."""
from __future__ import annotations

from typing import Any

from chainrule.errors import unknown_name


def unknown_in_grid(key: str, known: list[str], estimator, shown: str, values: Any = None) -> Exception:
    """A name the estimator lacks: MLPClassifier's for one of ours (max_iter, solver) says ours, as the estimator's own
    refusal does (`MLP_NAMES`), where difflib's closest spelling would not ('max_iter' is far from 'epochs'); its
    optimizer's arguments (beta_1, epsilon, nesterovs_momentum) the optimizer instance's, set by the grid as
    GridSearchCV's set_params does (optimizer__eps); solver='lbfgs' what to give instead. `values`: the grid's list
    (or the value given for every candidate), which the example uses."""
    from chainrule.errors import UnknownNameError
    from chainrule.sklearn.params import MLP_NAMES, OPTIMIZER_ARGUMENTS
    mlp = getattr(estimator, "_mlp", "MLPClassifier")
    listed = list(values) if isinstance(values, (list, tuple)) else [values]
    if key == "solver" and any(isinstance(v, str) and v.lower() == "lbfgs" for v in listed):
        from chainrule.training.optim import OPTIMIZERS
        return UnknownNameError(f"{shown} is not known: {mlp}'s solver is optimizer here, and chainrule has no "
                                f"L-BFGS ({mlp}'s solver='lbfgs', a full-batch quasi-Newton method): its optimizers "
                                f"are {', '.join(sorted(OPTIMIZERS))}; give optimizer='adam' ({mlp}'s default solver), "
                                "or compare several: optimizer=adam,sgd in a text grid, {'optimizer': ['adam', 'sgd']} "
                                "in run_sweep's")
    if key in OPTIMIZER_ARGUMENTS:
        return UnknownNameError(f"{shown} is not known: {_as_optimizer_argument(key, listed, mlp, shown)}")
    if key not in MLP_NAMES:
        from sklearn import neural_network
        theirs = getattr(neural_network, mlp)._get_param_names()
        error = str(unknown_name("name", key, known, shown))
        said = f" is not known ({mlp}'s {key} has no equivalent here)"
        return UnknownNameError(error.replace(" is not known", said, 1) if key in theirs else error)
    ours = MLP_NAMES[key]
    return UnknownNameError(f"{shown} is not known: {mlp}'s {key} is {ours} "
                            f"here; give {ours!r} instead (the names known: {', '.join(known)})")


#: the optimizer instance whose argument each of MLP's optimizer arguments is (`params.OPTIMIZER_ARGUMENTS`)
_INSTANCE = {"Adam": "chainrule.optim.Adam()", "SGD": "chainrule.optim.SGD(momentum=0.9)"}


def _as_optimizer_argument(key: str, values: list, mlp: str, shown: str) -> str:
    """What MLP's optimizer argument `key` (beta_1, epsilon, ...) is here, given `values`: a grid's optimizer instance
    with the argument as optimizer__<its name>, as GridSearchCV sets it; one value for every candidate, the instance
    made with it."""
    from chainrule.sklearn.params import OPTIMIZER_ARGUMENTS
    kind, argument = OPTIMIZER_ARGUMENTS[key]
    ours = [(v, 0.999) if key == "beta_1" else (0.9, v) for v in values] if argument == "betas" else values
    what = (f"{mlp}'s {key} is {'the first' if key == 'beta_1' else 'the second'} of the {kind} optimizer's betas "
            f"here" if argument == "betas" else f"{mlp}'s {key} is the {kind} optimizer's {argument} here")
    if shown.startswith("run_sweep's argument"):      # given for every candidate
        made = _INSTANCE[kind].replace("()", f"({argument}={ours[0]!r})").replace("(momentum", f"({argument}="
                                                                                   f"{ours[0]!r}, momentum")
        return f"{what}: give optimizer={made}"
    if hasattr(values[0], "rvs") and argument == "betas":      # a distribution: a pair is not drawn
        what += ", a pair (beta1, beta2), which no distribution draws: list the pairs"
        ours = [(0.8, 0.999), (0.9, 0.999)] if key == "beta_1" else [(0.9, 0.99), (0.9, 0.999)]
    shown = _drawn(values[0]) if hasattr(values[0], "rvs") and argument != "betas" else repr(ours)
    shown_grid = f"{{'optimizer': [{_INSTANCE[kind]}], 'optimizer__{argument}': {shown}}}"
    return (f"{what}: sweep it with the grid {shown_grid}, run_sweep's (a text grid holds no optimizer instance, "
            "whose arguments GridSearchCV sets as optimizer__...)")


def _drawn(distribution: Any) -> str:
    """A scipy.stats distribution as its call (loguniform(1e-08, 1e-06)), its repr saying only 'object at 0x...'."""
    dist = getattr(distribution, "dist", None)
    if dist is None or not hasattr(distribution, "args"):
        return "the distribution given"
    args = [repr(a) for a in distribution.args] + [f"{k}={v!r}" for k, v in getattr(distribution, "kwds", {}).items()]
    return f"scipy.stats.{dist.name}({', '.join(args)})"
