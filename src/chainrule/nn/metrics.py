"""Keras' `metrics=` and `weighted_metrics=` of fit and evaluate: which accuracy is logged, under which name.

Keras 3 logs `metrics=["accuracy"]` counting each row once and `weighted_metrics=["accuracy"]` weighing each row by
its sample (or class) weight, both as "accuracy"; given both, the weighted one is "weighted_accuracy". Neither
given: chainrule logs the weighted one as "accuracy" (a classifier's; the same number as the plain one without
weights), where Keras logs the loss alone.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, NamedTuple

import numpy as np

from ..errors import ValidationError


class Metrics(NamedTuple):
    """The log keys of the accuracy counting each row once (`plain`) and of the weighted one (`weighted`)."""

    plain: str | None
    weighted: str | None
    #: a float32 network's logs hold float32 values (as Python floats), as Keras' float32 metrics give them
    single: bool = False

    def logs(self, loss: float, plain: float | None, weighted: float | None = None) -> dict[str, float]:
        """A loss and accuracies as Keras 3 logs them: the names sorted (accuracy, loss, weighted_accuracy);
        `weighted` None: the same as `plain` (no weights)."""
        out = {"loss": loss}
        if self.plain is not None and plain is not None:
            out[self.plain] = plain
        weighted = plain if weighted is None else weighted
        if self.weighted is not None and weighted is not None:
            out[self.weighted] = weighted
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
        return self.plain is not None


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


def as_list(results: dict[str, float]) -> float | list[float]:
    """evaluate(return_dict=False): Keras 3's list, the loss first, then the accuracies (their names sorted); the
    loss alone where it is all. Given both metrics, Keras' list repeats the first accuracy: [loss, accuracy,
    accuracy, weighted_accuracy]; this one names each once (docs/guide.md)."""
    values = [results["loss"], *(value for key, value in results.items() if key != "loss")]
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
KNOWN = "chainrule's metrics are the accuracies " + ", ".join(map(repr, ACCURACIES)) + " (the loss is always logged)"


def _accuracy(metric: Any, what: str, task: str) -> str:
    """The log name of one accuracy of `what` (Keras': the string as given, else the metric object's name),
    checked for `task`."""
    name: str | None
    kind: str | None
    if isinstance(metric, str):
        name, kind = metric, metric.lower()
    elif type(metric).__name__ in CLASSES and isinstance(getattr(metric, "name", None), str):
        name, kind = metric.name, CLASSES[type(metric).__name__]
        if getattr(metric, "threshold", 0.5) != 0.5:
            raise ValidationError(f"{what}: {type(metric).__name__}(threshold={metric.threshold}) is not counted "
                                  "here; the binary accuracy counts each output at 0.5")
    else:
        kind = name = getattr(metric, "__name__", None)     # keras.metrics.binary_accuracy, the function
    if not isinstance(name, str) or kind not in ACCURACIES:
        raise ValidationError(f"{what}: {KNOWN}; got {metric!r}")
    if task != "regression" and task not in ACCURACIES[kind]:      # a regressor's: refused by `metrics`
        fits = [k for k, tasks in ACCURACIES.items() if task in tasks]
        raise ValidationError(f"{what}: {name!r} is the accuracy of a {' or '.join(ACCURACIES[kind])} classifier; "
                              f"this network's task is {task}: give one of {', '.join(map(repr, fits))}")
    return name


def _given(value: Any, what: str, task: str) -> str | None:
    """The log name of the accuracy `value` (fit's `metrics=`, `weighted_metrics=`) asks for; None for none."""
    if value is None:
        return None
    if isinstance(value, (str, bytes, dict)) or not isinstance(value, (list, tuple)):
        raise ValidationError(f"{what} must be a list of metric names, as Keras' ({what}=['accuracy']); got {value!r}")
    names = [_accuracy(metric, what, task) for metric in value]
    if len(names) > 1:
        raise ValidationError(f"{what}: one accuracy a list (they count the same number); got {value!r}")
    return names[0] if names else None


def metrics(metrics: Any, weighted_metrics: Any, task: str) -> Metrics:
    """The checked `metrics=` and `weighted_metrics=` of a network of `task` (module docstring): each logged under
    the name given, as Keras names it ('acc', 'sparse_categorical_accuracy'); the weighted one "weighted_" + its
    name where both are named the same."""
    if metrics is None and weighted_metrics is None:
        return Metrics(None, None if task == "regression" else "accuracy")
    plain, weighted = _given(metrics, "metrics", task), _given(weighted_metrics, "weighted_metrics", task)
    if (plain or weighted) and task == "regression":
        given = " and ".join(f"{what}={value!r}" for what, value, asked in
                             (("metrics", metrics, plain), ("weighted_metrics", weighted_metrics, weighted)) if asked)
        raise ValidationError(f"{given} {'are' if plain and weighted else 'is'} for a classifier; this network "
                              f"regresses (its task is {task}): give metrics=None, weighted_metrics=None")
    return Metrics(plain, f"weighted_{weighted}" if weighted is not None and weighted == plain else weighted)


def evaluate(net: Any, X: Any, Y: np.ndarray, weight: np.ndarray | None, chunk: int, mean: bool,
             spec: Metrics) -> dict[str, float]:
    """`Network.evaluate`'s results under `spec`'s names: with weights, the accuracy counting each row once is
    counted from the same pass (`evaluation.measure`'s "accuracy_once")."""
    from . import evaluation
    result = evaluation.evaluate(net, X, Y, weight, chunk, True, mean)
    return spec.named(result, result.pop("accuracy_once", None))
