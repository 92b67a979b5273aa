"""The parameters of the estimators, checked as scikit-learn's MLPClassifier takes them: each error
names the parameter, what is allowed and what was given; a name of MLPClassifier's for a parameter
called otherwise here is an error naming ours."""
from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ChainruleError, ChainruleTypeError, ParameterError, UnknownNameError, closest, did_you_mean
from ..nn.activations import ACTIVATIONS, get_activation
from ..nn.checks import as_dtype
from ..nn.losses import get_loss
from ..training.optim import OPTIMIZERS, Optimizer, get_optimizer
from ..training.schedules import SCHEDULES, Schedule, schedule_from_config

#: MLPClassifier's and MLPRegressor's names of parameters that have another name here
MLP_NAMES = {"max_iter": "epochs", "learning_rate_init": "learning_rate", "solver": "optimizer"}
#: their names of hidden activations that have another name here
MLP_ACTIVATIONS = {"logistic": "sigmoid", "identity": "linear"}
#: their optimizer's arguments, which are an optimizer instance's here: (its class, its argument)
OPTIMIZER_ARGUMENTS = {"beta_1": ("Adam", "betas"), "beta_2": ("Adam", "betas"), "epsilon": ("Adam", "eps"),
                       "nesterovs_momentum": ("SGD", "nesterov")}


def hidden_activation(activation: Any) -> Any:
    """The hidden activation as chainrule names it: MLPClassifier's names (in any case, as chainrule's own)
    are its equivalents; None (linear), an Activation or a config dict stay as they are."""
    if isinstance(activation, str):
        return MLP_ACTIVATIONS.get(activation.lower(), activation)
    return activation


def takes_mlp_names(init: Callable) -> Callable:
    """An estimator's `__init__` for which a parameter it does not have is an error naming ours when
    it is MLPClassifier's name for one of them (max_iter: epochs here), else listing ours: Python's
    own TypeError names no alternative. The signature stays `init`'s (get_params and clone read it)."""
    @functools.wraps(init)
    def checked(self: Any, *args: Any, **params: Any) -> None:
        known = type(self)._get_param_names()
        unknown = [name for name in params if name not in known]
        if unknown:
            default = inspect.signature(init).parameters.get("dtype")
            dtype = params.get("dtype", "float64" if default is None else default.default)
            raise ChainruleTypeError(unknown_parameter(type(self), unknown[0], params[unknown[0]], dtype))
        init(self, *args, **params)
    return checked


def as_before_if_refused(fit: Callable | None = None, *, then: str | None = None) -> Any:
    """fit or partial_fit that leaves the estimator as it was when it raises: scikit-learn's checks set
    n_features_in_ before the activation, dtype, optimizer or sample weights are refused, which left
    the old network under new classes_ and feature counts. An interrupt it lets through (Ctrl-C before the
    first epoch began, or in a sweep's fit) too: it left a network of random weights that predicted as if
    fitted. (A warm start's network is trained in place: what training itself changed before an error
    stays.) `then`: a method called once the fit
    is done, outside the guard (fit's ConvergenceWarning: raised as an error, the estimator stays fitted,
    as MLPClassifier's); the warnings of the fit itself point at the caller's line through one frame."""
    if fit is None:
        return functools.partial(as_before_if_refused, then=then)

    @functools.wraps(fit)
    def kept(self: Any, *args: Any, **kwargs: Any) -> Any:
        before = dict(self.__dict__)
        try:
            result = fit(self, *args, **kwargs)
        except (Exception, KeyboardInterrupt):
            self.__dict__.clear()
            self.__dict__.update(before)
            raise
        if then is not None:
            getattr(self, then)()
        return result
    return kept


def estimator_name(est: Any) -> str:
    """The estimator's class name as the user knows it, for messages: a class the user never sees (the
    sweep's candidates, which say why they failed) names the public one it stands for (`shown_as`)."""
    cls = est if isinstance(est, type) else type(est)
    return cls.__dict__.get("shown_as") or cls.__name__


def unknown_parameter(cls: Any, name: str, value: Any, dtype: Any = "float64") -> str:
    """The message for a parameter `name` (given `value`) that the estimator class `cls` does not have:
    ours when it is the MLP's name for one of ours, else our parameters (and the closest); `dtype` the
    estimator's, in which an epsilon may be 0 (1e-50 in float32)."""
    mlp, ours = cls._mlp, cls._get_param_names()
    if name in MLP_NAMES:
        use = (f"; use {MLP_NAMES[name]}={value!r}" if value != "lbfgs" else
               f"; 'lbfgs' has no equivalent here (optimizer is one of {', '.join(sorted(OPTIMIZERS))})")
        why = _refused(lambda: check_params(cls(**{MLP_NAMES[name]: value}))) if value != "lbfgs" else None
        return (f"{estimator_name(cls)} has no parameter {name}: {mlp}'s {name} is {MLP_NAMES[name]} here{use}"
                + (f", but {value!r:.80} is refused there too: {why.split(': ', 1)[-1]}" if why else ""))
    if name in OPTIMIZER_ARGUMENTS:
        kind, argument = OPTIMIZER_ARGUMENTS[name]
        given = {"betas": (value, 0.999) if name == "beta_1" else (0.9, value)} if argument == "betas" else \
            {argument: value, "momentum": 0.9} if argument == "nesterov" else {argument: value}
        shown = ", ".join(f"{k}={v!r:.80}" for k, v in given.items())
        why = _refused(lambda: OPTIMIZERS[kind.lower()](**given)) or (
            zero_eps(cls._mlp, OPTIMIZERS[kind.lower()], value, _dtype(dtype)) if name == "epsilon" else None)
        return (f"{estimator_name(cls)} has no parameter {name}: {mlp}'s {name} ({value!r:.80}) is an argument of "
                f"the {kind} optimizer here: optimizer=chainrule.optim.{kind}(lr=..., {shown})"
                + (f"; but it is refused there too: {why}" if why else ""))
    from sklearn import neural_network
    theirs = getattr(neural_network, mlp)._get_param_names()
    if name == "loss" and name in theirs:       # MLPRegressor's: its default is this regressor's only loss
        same = _is_our_loss(cls, value)
        return (f"{estimator_name(cls)} has no parameter loss: its loss is always the squared error, {mlp}'s "
                "loss='squared_error' (its default); " + ("leave loss out" if same and value == "squared_error" else
                                                          f"loss={value!r:.80} is that loss: leave loss out" if same
                                                          else f"{_whose(mlp, value)}loss={value!r:.80} has no "
                                                          "equivalent here"))
    if name == "loss" and _is_our_loss(cls, value):      # MLPClassifier has none: its loss is this one's
        return (f"{estimator_name(cls)} has no parameter loss; its parameters are: {', '.join(ours)}. "
                f"loss={value!r:.80} is the loss it always trains with, the cross-entropy (log loss, as "
                "MLPClassifier's): leave loss out")
    return (f"{estimator_name(cls)} has no parameter {name}"
            + (f" ({mlp}'s {name} has no equivalent here)" if name in theirs else "")
            + f"; its parameters are: {', '.join(ours)}" + did_you_mean(name, ours, ". Did you mean {!r}?"))


def _whose(mlp: str, value: Any) -> str:
    """"MLPRegressor's " where `value` is one of its losses (its 'poisson'), else nothing: a name it refuses too."""
    from sklearn import neural_network
    constraints = getattr(neural_network, mlp)._parameter_constraints.get("loss", [])
    return f"{mlp}'s " if isinstance(value, str) and any(value in getattr(c, "options", ()) for c in constraints) \
        else ""


def _is_our_loss(cls: Any, value: Any) -> bool:
    """Whether a loss named `value` (scikit-learn's 'squared_error' or 'log_loss', or a name the engine takes: 'mse',
    'mean_squared_error', 'binary_crossentropy', ...) is the one the estimator class `cls` trains with."""
    if not isinstance(value, str):
        return False
    classifier = cls._mlp == "MLPClassifier"
    if value in ("squared_error", "log_loss"):
        return (value == "log_loss") == classifier
    try:
        loss = get_loss(value).name
    except (ChainruleError, TypeError, ValueError):
        return False
    return loss in ("binary_crossentropy", "categorical_crossentropy") if classifier else loss == "mse"


def _refused(make: Callable[[], Any]) -> str | None:
    """Why make() refuses its arguments (its message), or None when it takes them."""
    try:
        make()
    except (ChainruleError, TypeError, ValueError) as exc:
        return str(exc)
    return None


def check_params(est: Any) -> tuple[int, ...]:
    """The arguments checked as scikit-learn's MLP takes them, each error naming its parameter;
    returns the hidden layers' widths."""
    name = estimator_name(est)
    given = est.hidden_layer_sizes
    sizes = (given,) if _count(given) else given
    what = f"(the hidden layers' widths, e.g. (64,) or [64, 32]); got {given!r:.80} ({type(given).__name__})"
    if isinstance(sizes, (str, bytes)) or not isinstance(sizes, (tuple, list, np.ndarray)) \
            or isinstance(sizes, np.ndarray) and sizes.ndim != 1:
        raise ParameterError(f"{name}: hidden_layer_sizes must be an array-like of ints (a tuple, a list or a 1-D "
                             f"NumPy array) or an int, each in the range [1, inf) {what}")
    bad = [k for k, w in enumerate(sizes) if not (_count(w) and w >= 1)]
    if bad:
        raise ParameterError(f"{name}: hidden_layer_sizes must hold positive integers {what}: "
                             f"{_plain(sizes[bad[0]])!r} at index {bad[0]} is not")
    batch = est.batch_size
    checks = [("batch_size", batch is None or batch == "auto" or (_count(batch) and batch >= 1),
               "a positive int, 'auto' (min(200, n_samples)) or None (the default: 32)"),
              ("epochs", _count(est.epochs) and est.epochs >= 1, "a positive int"),
              ("n_iter_no_change", _count(est.n_iter_no_change) and est.n_iter_no_change >= 1
               or _real_or_inf(est.n_iter_no_change) and est.n_iter_no_change == np.inf,
               "a positive int or np.inf (never stop on it, as MLPClassifier's)"),
              ("learning_rate", isinstance(est.learning_rate, Schedule) or _real(est.learning_rate)
               and est.learning_rate > 0, f"a number > 0 as {est._mlp}'s learning_rate_init (at a constant rate 0 "
               "a fit learns nothing) or a chainrule.optim schedule (StepLR(0.01, 10), ...)"),
              ("alpha", _real(est.alpha) and est.alpha >= 0, "a number >= 0"),
              ("tol", _real(est.tol) and est.tol >= 0, "a number >= 0"),
              ("momentum", _real(est.momentum) and 0 <= est.momentum <= 1, "a number in [0, 1]"),
              ("validation_fraction", _real(est.validation_fraction) and 0 <= est.validation_fraction < 1
               and (est.validation_fraction > 0 or est.early_stopping is False),
               "a number in [0, 1), above 0 with early_stopping"),
              ("verbose", isinstance(est.verbose, (bool, np.bool_)) or (_count(est.verbose) and est.verbose >= 0),
               "an int >= 0 or a bool (0 or False: silent; else MLPClassifier's lines, one an epoch)"),
              ("early_stopping", isinstance(est.early_stopping, (bool, np.bool_)), "True or False"),
              ("warm_start", isinstance(est.warm_start, (bool, np.bool_)), "True or False"),
              ("shuffle", isinstance(est.shuffle, (bool, np.bool_)), "True or False")]
    checks.append(("random_state", random_state_ok(est.random_state), "None, an int in [0, 2**32 - 1] or a "
                   "numpy.random.RandomState (as scikit-learn's; not a numpy.random.Generator)"))
    for param, ok, expected in checks:
        if not ok:
            value = getattr(est, param)
            hint = ""
            if param == "learning_rate" and value in ("constant", "invscaling", "adaptive"):    # the MLP's schedules
                hint = _mlp_schedule_hint(est._mlp, value)
            elif param == "learning_rate":
                hint = _rate_hint(value)
            raise ParameterError(f"{name}: {param} must be {expected}; got {value!r:.80} "
                                 f"({type(value).__name__}){hint}")
    _named(est)
    return tuple(int(w) for w in sizes)


def random_state_ok(rs: Any) -> bool:
    """A random_state scikit-learn's check_random_state takes: None, an int in [0, 2**32 - 1] or a RandomState (a
    Generator it refuses); the estimators' and run_sweep's seed read this one rule."""
    return rs is None or isinstance(rs, np.random.RandomState) or (
        isinstance(rs, (int, np.integer)) and bool(0 <= rs < 2**32))


def _mlp_schedule_hint(mlp: str, value: str) -> str:
    """What MLP's learning_rate `value` (its schedule's name) is here: 'constant' is a number, as MLP's default is;
    'invscaling' and 'adaptive' change the rate of its solver='sgd' only (with adam its rate stays constant)."""
    if value == "constant":
        return (f". {mlp}'s learning_rate='constant' (its default) is what a number does here: the rate stays "
                f"learning_rate, {mlp}'s learning_rate_init (e.g. learning_rate=0.001)")
    return (f". {mlp}'s learning_rate (a schedule) has no equivalent here: learning_rate is the step size, {mlp}'s "
            f"learning_rate_init. {mlp} uses learning_rate={value!r} with solver='sgd' only (with 'adam' its rate "
            "stays constant: a number here); for a rate that falls, give a chainrule.optim schedule "
            "(learning_rate=ExponentialLR(0.01, 0.9), StepLR(0.01, 10), ...)")


def _rate_hint(value: Any) -> str:
    """What a learning_rate that is a class or an optimizer should be, as optimizer's check says of a class."""
    if isinstance(value, type) and issubclass(value, Schedule):
        return f". {value.__name__} is a class: give an instance, learning_rate={value.__name__}(lr, ...)"
    if isinstance(value, Optimizer) or isinstance(value, type) and issubclass(value, Optimizer):
        name = value.__name__ if isinstance(value, type) else type(value).__name__
        return f". {name} is an optimizer: give it as optimizer={name}(lr=...), whose lr is the rate"
    return ""


def clipping(est: Any) -> dict[str, Any]:
    """The estimator's clip_norm and clip_value given (not None), as the optimizer's arguments."""
    return {k: getattr(est, k) for k in ("clip_norm", "clip_value") if getattr(est, k, None) is not None}


def _named(est: Any) -> None:
    """activation, optimizer and dtype checked with the rest (before the data), refused as ParameterError."""
    act, opt = est.activation, est.optimizer
    try:
        get_activation(hidden_activation(act))
    except (UnknownNameError, TypeError):
        raise ParameterError(unknown_activation(est)) from None
    except ChainruleError as exc:
        raise ParameterError(f"{estimator_name(est)}: {exc}") from None
    clips = clipping(est)
    if clips and isinstance(opt, Optimizer):
        given = ", ".join(f"{k}={v!r}" for k, v in clips.items())
        raise ParameterError(f"{estimator_name(est)}: {given} is for an optimizer named (optimizer='adam', ...); "
                             f"optimizer is an instance of {type(opt).__name__}: give it its own, "
                             f"{type(opt).__name__}(..., {given})")
    makers: list[Callable[[], Any]] = [
        lambda: opt if isinstance(opt, Optimizer) else get_optimizer(opt),
        lambda: get_optimizer(opt, **clips) if clips else None,        # checked by the optimizer, as train's
        lambda: as_dtype(est.dtype)]
    hint = " The optimizer may also be a chainrule.optim Optimizer instance."
    if isinstance(opt, Schedule):                   # a rate, not an optimizer: the lr of one
        hint = (f" A schedule is a learning rate: learning_rate={opt!r:.80} with optimizer='adam' (or 'sgd', ...), or "
                "the lr of an optimizer instance, optimizer=chainrule.optim.Adam(lr=...).")
    elif isinstance(opt, type) and issubclass(opt, Optimizer):
        hint = f" {opt.__name__} is a class: give an instance, optimizer={opt.__name__}(lr=...)."
    elif isinstance(opt, type) and issubclass(opt, Schedule):
        hint = (f" {opt.__name__} is a schedule class, a learning rate: give an instance, learning_rate="
                f"{opt.__name__}(lr, ...), with optimizer='adam' (or 'sgd', ...).")
    for make, also in zip(makers, (hint, "", "")):
        try:
            make()
        except (ChainruleError, TypeError) as exc:
            raise ParameterError(f"{estimator_name(est)}: {exc}{also}") from None
    why = zero_eps(est._mlp, type(opt), getattr(opt, "eps", 1.0), as_dtype(est.dtype)) \
        if isinstance(opt, Optimizer) else None
    if why:
        raise ParameterError(f"{estimator_name(est)}: {why}")


def _dtype(given: Any) -> np.dtype:
    """The estimator's dtype for a message; float64 if it is not one (its own refusal comes at fit)."""
    try:
        return as_dtype(given)
    except (ChainruleError, TypeError, ValueError):
        return np.dtype(np.float64)


def zero_eps(mlp: str, kind: type[Optimizer], eps: float, dtype: Any = np.float64) -> str | None:
    """Why an adaptive optimizer's eps is refused (0, or 0 in the network's dtype: 1e-50 in float32), as MLP's
    epsilon > 0 is (Adam's: MLP has no RMSprop or Adagrad): where a gradient and its moments are 0 its update
    divides 0 by 0, NaN weights (torch.optim's too, which takes eps=0); or None. The example is `kind`'s own
    default eps. A Network's fit with such an optimizer stops with TrainingDiverged."""
    if np.dtype(dtype).type(eps) != 0:
        return None
    where = "" if eps == 0 else f" in the network's dtype {np.dtype(dtype)}"
    as_mlp = f", as {mlp}'s epsilon" if issubclass(kind, OPTIMIZERS["adam"]) else ""
    default = inspect.signature(kind).parameters.get("eps")
    name = f"chainrule.optim.{kind.__name__}" if kind in OPTIMIZERS.values() else kind.__name__
    example = "" if default is None or default.default is inspect.Parameter.empty else \
        f" (e.g. {name}(eps={default.default!r}), the default)"
    return (f"the optimizer's eps must be > 0{where}{as_mlp}; got {eps!r}: where a gradient is 0 its update divides "
            f"0 by 0, which makes the weights NaN{example}")


def unknown_activation(est: Any) -> str:
    """The message for an activation that is not known: every name taken (MLPClassifier's too), and the
    closest to the one given."""
    act = est.activation
    names = sorted({*ACTIVATIONS, *MLP_ACTIVATIONS})
    same = ", ".join(f"{theirs!r} is {ours!r}" for theirs, ours in sorted(MLP_ACTIVATIONS.items()))
    return (f"{estimator_name(est)}: activation={act!r:.80} is not known; expected one of "
            f"{', '.join(map(repr, names))} ({est._mlp}'s names: {same}), None (linear) or a chainrule "
            "Activation" + did_you_mean(act, names, ". Did you mean {!r}?"))


def _count(v) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


def _plain(v: Any) -> Any:
    """A NumPy scalar as the Python number it holds (0, not np.int64(0), in messages)."""
    return v.item() if isinstance(v, np.generic) else v


def _real_or_inf(v) -> bool:
    """A real number (infinite too), not a bool."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _real(v) -> bool:
    """A finite real number, not a bool."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_)) \
        and bool(np.isfinite(v))


def rebuilt_with(est: Any, param: str, obj: Any, changes: dict[str, Any]) -> Any:
    """The estimator `est`'s optimizer instance or learning-rate schedule `obj` (`param`: "optimizer" or
    "learning_rate") rebuilt with `changes` to its arguments (set_params' optimizer__lr=0.1, a schedule's
    optimizer__lr__gamma=0.5 or learning_rate__gamma=0.5; a list's item by its index, optimizer__lr__schedules__0__lr),
    from its config(), so that GridSearchCV can search them: the object given stays as it is (clone's copy, a sweep's
    candidates). scikit-learn's own set_params would call the optimizer's set_params, which sets it in place (the
    instance the user gave changed); a schedule has none (AttributeError)."""
    name, first = estimator_name(est), next(iter(changes))
    kinds: tuple[type, ...]
    build: Callable[[dict], Any]
    if param == "optimizer":
        kinds, build, what = tuple(OPTIMIZERS.values()), get_optimizer, "optimizers"
        if not isinstance(obj, Optimizer):
            raise ParameterError(f"{name}: optimizer__{first} sets an argument of an optimizer instance; optimizer is "
                                 f"{obj!r:.80}, a name, whose arguments are the estimator's learning_rate and momentum "
                                 "(or give optimizer=chainrule.optim.Adam(lr=...), say)")
    else:
        kinds, build, what = tuple(SCHEDULES.values()), schedule_from_config, "schedules"
        if not isinstance(obj, Schedule):
            raise ParameterError(f"{name}: learning_rate__{first} sets an argument of a schedule; learning_rate is "
                                 f"{obj!r:.80}, a number (or give learning_rate=chainrule.optim.StepLR(...), say)")
    if type(obj) not in kinds:
        raise ParameterError(f"{name}: {param}__{first} reaches the arguments of chainrule.optim's {what} "
                             f"({', '.join(c.__name__ for c in kinds)}); {param} is an instance of "
                             f"{type(obj).__name__}: give {param}={type(obj).__name__}(...) whole")
    cfg = obj.config()
    for path, value in changes.items():
        keys, where = path.split("__"), cfg
        for depth, key in enumerate(keys):
            known = list(range(len(where))) if isinstance(where, list) else [k for k in where if k != "name"]
            index: Any = int(key) if isinstance(where, list) and key.isdigit() else key
            if index not in known:
                shown = f"{param}__" + "__".join(keys[:depth]) + "__" * bool(depth)
                close = closest(key, known)
                raise ParameterError(f"{name}: set_params got {param}__{path}, but {shown.rstrip('_')} has no "
                                     f"{key!r}; its arguments are: {', '.join(f'{shown}{k}' for k in known)}"
                                     + (f". Did you mean {shown + close!r}?" if close else ""))
            if depth == len(keys) - 1:
                where[index] = value
            elif isinstance(where[index], (dict, list)):
                where = where[index]
            else:
                raise ParameterError(f"{name}: set_params got {param}__{path}, but {param}__"
                                     f"{'__'.join(keys[:depth + 1])} is {where[index]!r:.80}, which has no arguments")
    try:
        return build(cfg)
    except (ChainruleError, TypeError, ValueError) as exc:
        raise ParameterError(f"{name}: set_params({', '.join(f'{param}__{k}={v!r:.40}' for k, v in changes.items())}"
                             f"): {exc}") from None
