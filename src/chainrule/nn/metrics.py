"""Keras' `metrics=` and `weighted_metrics=` of fit and evaluate: which accuracy is logged, under which name.

Keras 3 logs `metrics=["accuracy"]` counting each row once and `weighted_metrics=["accuracy"]` weighing each row by
its sample (or class) weight, both as "accuracy"; given both, the weighted one is "weighted_accuracy". Several
accuracies in one list are each logged, under Keras' names (a repeated one as "accuracy_1"). Neither given: chainrule
logs the weighted one as "accuracy" (a classifier's; the same number as the plain one without weights), where Keras
logs the loss alone. Names are matched as Keras matches them: "accuracy" and "acc" in any case, the others exactly.
"""
from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import numpy as np

from ..errors import ValidationError


class Metrics(NamedTuple):
    """The log keys of the accuracies counting each row once (`plain`) and of the weighted ones (`weighted`)."""

    plain: tuple[str, ...]
    weighted: tuple[str, ...]
    #: a float32 network's logs hold float32 values (as Python floats), as Keras' float32 metrics give them
    single: bool = False
    #: the accuracies' names as given, metrics=' then weighted_metrics=' (Keras' metric names, before its log keys
    #: make them unique): the order of evaluate's list (`as_list`)
    given: tuple[str, ...] = ()

    def logs(self, loss: float, plain: float | None, weighted: float | None = None) -> dict[str, float]:
        """A loss and accuracies as Keras 3 logs them: the names sorted (accuracy, loss, weighted_accuracy);
        `weighted` None: the same as `plain` (no weights)."""
        out = {"loss": loss}
        if plain is not None:
            out.update(dict.fromkeys(self.plain, plain))
        weighted = plain if weighted is None else weighted
        if weighted is not None:
            out.update(dict.fromkeys(self.weighted, weighted))
        if self.single:         # Keras' 0.15000000596046448, not 0.15: its metrics are float32 variables
            out = {k: float(np.float32(v)) for k, v in out.items()}
        return dict(sorted(out.items()))

    def named(self, result: dict[str, float], plain: float | None = None) -> dict[str, float]:
        """An evaluation's {"loss", "accuracy"} (weighted where it had weights; `plain`: the accuracy counting
        each row once, when it had weights) under these keys, sorted as Keras 3's evaluate(return_dict=True)."""
        accuracy = result.get("accuracy")
        return self.logs(result["loss"], accuracy if plain is None else plain, accuracy)

    @property
    def needs_plain(self) -> bool:
        return bool(self.plain)

    @property
    def keys(self) -> tuple[str, ...]:
        """The accuracies' log keys, in compile's order (metrics=' first)."""
        return self.plain + self.weighted


#: set by `unrounded`: the scikit-learn estimators' fits log float64 values, as MLPClassifier's loss_curve_
_UNROUNDED: ContextVar[bool] = ContextVar("chainrule_unrounded_logs", default=False)


def rounds(net: Any) -> bool:
    """The one rule of the rounding: a float32 network's logged values are float32's, as Keras' float32 metrics give
    them (History, the batch logs, evaluate, a callback's number), unless `unrounded`."""
    return net.dtype == np.float32 and not _UNROUNDED.get()


def for_network(spec: Metrics, net: Any) -> Metrics:
    """`spec` for `net`'s fit and evaluate, rounded by `rounds`."""
    return spec._replace(single=rounds(net))


@contextmanager
def unrounded() -> Iterator[None]:
    """Within it, fit logs its values unrounded: the estimators' (MLPClassifier's loss is a float64 mean even on
    float32 X), not Keras' API."""
    token = _UNROUNDED.set(True)
    try:
        yield
    finally:
        _UNROUNDED.reset(token)


def as_list(results: dict[str, float], spec: Metrics) -> float | list[float]:
    """evaluate(return_dict=False): Keras 3's list (its `_flatten_metrics_in_order`): the value of "loss" and of each
    accuracy's name as given (metrics=' then weighted_metrics='), as often as it is given, where a log holds it; then
    the logs not named so, by their sorted keys: metrics=["accuracy"], weighted_metrics=["accuracy"] give [loss,
    accuracy, accuracy, weighted_accuracy]. The loss alone where it is all."""
    names = ["loss", *spec.given]
    values = [results[name] for name in names if name in results]
    values += [results[key] for key in sorted(results) if key not in names]
    return values[0] if len(values) == 1 else values


def no_nan(total: float, over: float) -> float:
    """total / over, 0 where `over` is 0 (Keras' divide_no_nan: the logs of batches whose weights are all zero)."""
    return total / over if over else 0.0


#: the accuracies chainrule counts, by Keras' names, and the tasks each is that number for: "accuracy" ("acc") is
#: Keras' pick of the three by the targets; "categorical_accuracy" of one-hot targets is the sparse one's of labels
ACCURACIES = {"accuracy": ("multiclass", "binary"), "acc": ("multiclass", "binary"), "binary_accuracy": ("binary",),
              "categorical_accuracy": ("multiclass",), "sparse_categorical_accuracy": ("multiclass",)}
#: Keras' metric classes (keras.metrics.SparseCategoricalAccuracy()) that are one of ACCURACIES
CLASSES = {"BinaryAccuracy": "binary_accuracy", "CategoricalAccuracy": "categorical_accuracy",
           "SparseCategoricalAccuracy": "sparse_categorical_accuracy"}
#: the keys fit logs besides the metrics' (a callback's "learning_rate", Keras 2's "lr"; "val_" each validation's)
RESERVED = ("loss", "lr", "learning_rate")
KNOWN = "chainrule's metrics are the accuracies " + ", ".join(map(repr, ACCURACIES)) + " (the loss is always logged)"


def kind_of(name: str) -> str:
    """The accuracy a metric's name stands for, as Keras' get_metric matches it: "accuracy" and "acc" in any case,
    the others exactly (a class's name too); a name not one of ACCURACIES' is given back as it is."""
    return name.lower() if name.lower() in ("accuracy", "acc") else CLASSES.get(name, name)


def _keras(metric: Any, name: str) -> bool:
    """Whether `metric` is Keras' own keras.metrics.`name` (the function, or an object of the class, not a subclass):
    looked up in the Keras its module belongs to, never imported here."""
    package = sys.modules.get(str(getattr(metric, "__module__", "")).split(".")[0])
    if package is None or package.__name__ not in ("keras", "tf_keras"):
        return False
    return getattr(getattr(package, "metrics", None), name, None) is metric


def _accuracy(metric: Any, what: str, task: str) -> str:
    """The log name of one accuracy of `what` (Keras': the string as given, else the metric object's name),
    checked for `task`. A function or object not Keras' own is refused whatever its name: its code would not run."""
    name: str | None
    kind: str | None
    if isinstance(metric, str):     # as Keras' get_metric: "accuracy" and "acc" in any case, the others exactly
        name, kind = metric, kind_of(metric)
        if kind not in ACCURACIES and metric.lower() in ACCURACIES:
            raise ValidationError(f"{what}: {metric!r} is not a metric name; Keras matches the names exactly "
                                  f"(only 'accuracy' and 'acc' in any case): give {metric.lower()!r}")
    elif type(metric).__name__ in CLASSES and _keras(type(metric), type(metric).__name__):
        name, kind = getattr(metric, "name", None), CLASSES[type(metric).__name__]
        if getattr(metric, "threshold", 0.5) != 0.5:
            raise ValidationError(f"{what}: {type(metric).__name__}(threshold={metric.threshold}) is not counted "
                                  "here; the binary accuracy counts each output at 0.5")
        if not isinstance(name, str) or name in RESERVED or name.startswith("val_") or "/" in name:
            raise ValidationError(f"{what}: {type(metric).__name__}(name={name!r}) would overwrite fit's own key "
                                  f"in the logs ({', '.join(map(repr, RESERVED))}, those starting 'val_' or holding "
                                  "'/'); give it another name")
    elif isinstance(metric, type) and metric.__name__ in CLASSES and _keras(metric, metric.__name__):
        name = kind = CLASSES[metric.__name__]      # the class itself: Keras makes one, named by its default
    elif callable(metric) and _keras(metric, getattr(metric, "__name__", "")):
        kind = name = metric.__name__       # keras.metrics.binary_accuracy, the function
    elif _keras(type(metric), type(metric).__name__) or _keras(metric, getattr(metric, "__name__", "")):
        name = kind = None                  # Keras' own, another metric than an accuracy (AUC, top_k_...)
    elif not callable(metric) and not hasattr(metric, "name"):
        name = kind = None                  # not a metric at all (None, 3, b"acc"): the names are what is taken
    else:
        sort = "class" if isinstance(metric, type) else "function" if hasattr(metric, "__name__") else "object"
        called = f"{sort} {getattr(metric, '__name__', type(metric).__name__)!r}"
        module = getattr(metric, "__module__", None) or type(metric).__module__
        raise ValidationError(f"{what}: the {called} of {module} is not Keras' own, and "
                              "chainrule does not run a metric's code: it computes only its accuracies "
                              f"{', '.join(map(repr, ACCURACIES))} (by name, or Keras' own keras.metrics function "
                              "or class)")
    if name is None or kind not in ACCURACIES:
        raise ValidationError(f"{what}: {KNOWN}; got {metric!r}")
    if task != "regression" and task not in ACCURACIES[kind]:      # a regressor's: refused by `metrics`
        fits = [k for k, tasks in ACCURACIES.items() if task in tasks]
        raise ValidationError(f"{what}: {name!r} is the accuracy of a {' or '.join(ACCURACIES[kind])} classifier; "
                              f"this network's task is {task}: give one of {', '.join(map(repr, fits))}")
    return name


def _given(value: Any, what: str, task: str) -> list[str]:
    """The names of the accuracies `value` (fit's `metrics=`, `weighted_metrics=`) asks for, as given."""
    if value is None:
        return []
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise ValidationError(f"{what} must be a list of metric names, as Keras' ({what}=['accuracy']); got {value!r}")
    return [_accuracy(metric, what, task) for metric in value]


def _unique(plain: list[str], weighted: list[str]) -> Metrics:
    """Keras' log keys (CompileMetrics.result): a name repeated in metrics= gets _1, _2, ...; a weighted one
    already taken gets "weighted_" before it (and then _1, ... too)."""
    counts: dict[str, int] = {}

    def key(name: str, prefix: str) -> str:
        if name in counts and prefix:
            name = prefix + name
        if name in counts:
            counts[name] += 1
            return f"{name}_{counts[name] - 1}"
        counts[name] = 1
        return name
    return Metrics(tuple(key(name, "") for name in plain), tuple(key(name, "weighted_") for name in weighted),
                   given=(*plain, *weighted))


def metrics(metrics: Any, weighted_metrics: Any, task: str) -> Metrics:
    """The checked `metrics=` and `weighted_metrics=` of a network of `task` (module docstring): each logged under
    the name given, as Keras names it ('acc', 'sparse_categorical_accuracy'), made unique as Keras makes it
    (`_unique`)."""
    if metrics is None and weighted_metrics is None:
        return Metrics((), () if task == "regression" else ("accuracy",))
    plain, weighted = _given(metrics, "metrics", task), _given(weighted_metrics, "weighted_metrics", task)
    if (plain or weighted) and task == "regression":
        given = " and ".join(f"{what}={value!r}" for what, value, asked in
                             (("metrics", metrics, plain), ("weighted_metrics", weighted_metrics, weighted)) if asked)
        raise ValidationError(f"{given} {'are' if plain and weighted else 'is'} for a classifier; this network "
                              f"regresses (its task is {task}): give metrics=None, weighted_metrics=None")
    return _unique(plain, weighted)


def evaluate(net: Any, X: Any, Y: np.ndarray, weight: np.ndarray | None, chunk: int, mean: bool,
             spec: Metrics) -> dict[str, float]:
    """`Network.evaluate`'s results under `spec`'s names: with weights, the accuracy counting each row once is
    counted from the same pass (`evaluation.measure`'s "accuracy_once")."""
    from . import evaluation
    result = evaluation.evaluate(net, X, Y, weight, chunk, True, mean)
    return spec.named(result, result.pop("accuracy_once", None))
