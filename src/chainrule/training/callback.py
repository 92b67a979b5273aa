"""The base of every callback, and how a callback reads the value it watches (`monitor`, `mode`).

Kept apart from the callbacks themselves so that each may live in its own module (callbacks.py
gathers them: `chainrule.callbacks`)."""
from __future__ import annotations

import functools
import inspect
import math
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError, did_you_mean, refusal
from ..nn import checks as check
from ..nn.metrics import ACCURACIES, kind_of, rounds


class Callback:
    """Hooks called by `fit`. `self.network` (or `self.model`, Keras' name) is the network being
    trained; setting `self.network.stop_training = True` ends training after the current epoch, or,
    set after a batch, after that batch, as Keras' fit (under MPI too: on every rank, see distributed.py).
    A callback written for Keras works unchanged: an `on_train_begin(self, logs=None)` (its argument
    named logs) gets Keras' logs, {}, where chainrule's `on_train_begin(self, params)` gets fit's params;
    an on_epoch_begin or on_train_end taking logs gets Keras' ({}, and the last epoch's), one without is
    called without.

    The per-batch logs are Keras': the epoch's mean loss (and accuracy) over its batches so far, not
    the batch's own. As Keras' fit, fit calls on_train_batch_begin and on_train_batch_end, and
    these, unless overridden, call on_batch_begin and on_batch_end: a callback defining both names is
    called once, through on_train_batch_*, which reaches on_batch_* only by super(), as in Keras.
    `self.params` is Keras' (verbose, epochs, steps), set before on_train_begin."""

    network: Any = None
    params: dict[str, Any] = {}

    def set_network(self, network: Any) -> None:
        self.network = network

    @property
    def model(self) -> Any:
        """Keras' name of `network`."""
        return self.network

    @model.setter
    def model(self, network: Any) -> None:
        self.network = network

    def on_train_begin(self, params: dict[str, Any]) -> None: ...
    def on_epoch_begin(self, epoch: int) -> None: ...
    def on_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None: ...
    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None: ...
    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None: ...
    def on_train_end(self) -> None: ...

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Keras 3's name, which fit calls before each batch; as Keras' base, it calls on_batch_begin
        (with the logs, {}, where it takes them: chainrule's own hook is on_batch_begin(batch))."""
        if takes_logs(type(self).on_batch_begin):
            self.on_batch_begin(batch, logs={} if logs is None else logs)
        else:
            self.on_batch_begin(batch)

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        """Keras 3's name, which fit calls after each batch; as Keras' base, it calls on_batch_end."""
        self.on_batch_end(batch, logs={} if logs is None else logs)

    def set_params(self, params: dict[str, Any]) -> None:
        """Keras' set_params: fit's parameters as Keras gives them (verbose, epochs, steps)."""
        self.params = params

    def get_state(self) -> dict[str, Any] | None:
        """What a checkpoint must keep for a resumed run to behave as an uninterrupted one (JSON
        values, or arrays shaped like the network's parameters); None: nothing."""
        return None

    def set_state(self, state: dict[str, Any]) -> None:
        """Take back what `get_state` gave (called after on_train_begin when fit resumes)."""


@functools.cache
def _binds(hook: Any, *args: Any, **kwargs: Any) -> bool:
    """Whether `hook` (a class's method, self given as None) takes these arguments: which of Keras' logs a user's
    hook takes, read once per class."""
    try:
        inspect.signature(hook).bind(None, *args, **kwargs)
    except (TypeError, ValueError):
        return False
    return True


def takes_logs(hook: Any) -> bool:
    """Whether an on_batch_begin takes Keras' logs after the batch, by keyword as Keras passes them (chainrule's
    documented one does not take them)."""
    return _binds(hook, 0, logs=None)


@functools.cache
def begins_with_logs(hook: Any) -> bool:
    """Whether an on_train_begin is Keras' `on_train_begin(self, logs=None)`: its argument named logs, as
    Keras names it (chainrule's documented one takes fit's params)."""
    named = list(inspect.signature(hook).parameters)[1:2]
    return named == ["logs"]


def epoch_begins_with_logs(hook: Any) -> bool:
    """Whether an on_epoch_begin takes Keras' logs after the epoch, as Keras' `on_epoch_begin(self, epoch,
    logs=None)` (chainrule's documented one does not)."""
    return _binds(hook, 0, None)


def train_begin(cb: Callback, params: dict[str, Any]) -> None:
    """Keras' set_params, then on_train_begin with Keras' logs ({}) or, chainrule's, fit's params."""
    cb.set_params(keras_params(params))
    cb.on_train_begin({} if begins_with_logs(type(cb).on_train_begin) else params)


def epoch_begin(cb: Callback, epoch: int) -> None:
    """on_epoch_begin, with Keras' logs ({}) where it takes them."""
    if epoch_begins_with_logs(type(cb).on_epoch_begin):
        cb.on_epoch_begin(epoch, {})      # type: ignore[call-arg]
    else:
        cb.on_epoch_begin(epoch)


def ends_with_logs(hook: Any) -> bool:
    """Whether an on_train_end takes Keras' logs (the last epoch's), as Keras' `on_train_end(self, logs=None)`."""
    return _binds(hook, None)


def batch_callbacks(callbacks: list[Callback]) -> tuple[list[Callback], list[Callback]]:
    """The callbacks fit calls before and after each batch (on_train_batch_begin, on_train_batch_end):
    those whose class (or, as LambdaCallback's, the instance) overrides the hook under either of Keras'
    names; the others cost the hot loop nothing."""
    return ([cb for cb in callbacks if overrides(cb, Callback, "on_train_batch_begin", "on_batch_begin")],
            [cb for cb in callbacks if overrides(cb, Callback, "on_train_batch_end", "on_batch_end")])


#: a batch hook under either of Keras' names
BATCH_HOOKS = ("on_batch_begin", "on_train_batch_begin", "on_batch_end", "on_train_batch_end")


def overrides(cb: Any, base: type, *names: str) -> bool:
    """Whether `cb`'s class (or, as LambdaCallback's, the instance) has its own hook of `names` beyond `base`'s:
    a subclass of a callback whose batch hook fit may skip, with batch hooks of its own, reads each batch's logs."""
    return any(name in vars(cb) or getattr(type(cb), name) is not getattr(base, name) for name in names)


def keras_params(params: dict[str, Any]) -> dict[str, Any]:
    """Keras 3's `params` (History.params, Callback.params) of fit's fuller ones: verbose, epochs, steps."""
    return {"verbose": params.get("verbose", 1), "epochs": params["epochs"], "steps": params["steps"]}


def keras_logs(loss: float, accuracy: float | None) -> dict[str, float]:
    """An epoch's or a batch's logs in Keras 3's order (its names sorted: accuracy before loss)."""
    return {"loss": loss} if accuracy is None else {"accuracy": accuracy, "loss": loss}


def float32_logs(network: Any) -> bool:
    """Whether `network`'s fit logs Keras' float32 values (a float32 network's: for_network, the one rule), so that a
    callback's number (ReduceLROnPlateau's new rate) is Keras' too; without a dtype (a stand-in), not."""
    return hasattr(network, "dtype") and rounds(network)


def stateful(callbacks: list[Callback]) -> list[Callback]:
    """The callbacks whose state a checkpoint keeps (those that define get_state), in order: what a
    checkpoint writes and what a resumed run (each MPI rank's too) gives back."""
    return [cb for cb in callbacks if type(cb).get_state is not Callback.get_state]


def monitor_mode(monitor: str, mode: str, owner: str = "") -> str:
    """"min" or "max": how the watched value improves ("auto": down for the loss, up for an accuracy by any of
    Keras' names ('acc', 'sparse_categorical_accuracy'), matched as Keras matches them ('ACC', not
    'SPARSE_CATEGORICAL_ACCURACY'), with or without val_; another name ('weighted_accuracy' too,
    as Keras' metric is named 'accuracy'), a typo too, is Keras 3's error: it cannot tell, so mode must say)."""
    if mode not in ("auto", "min", "max"):
        name = f"{owner}: mode" if owner else "mode"      # the callback named, as its other arguments' refusals
        raise refusal(ValidationError(f"{name} must be 'auto', 'min' or 'max'; got {mode!r}"), name,
                      "'auto', 'min' or 'max'")
    if mode == "auto":
        name = monitor.removeprefix("val_")
        if name != "loss" and kind_of(name) not in ACCURACIES:     # the names as metrics= matches them
            raise ValidationError(f"{owner + ': ' if owner else ''}mode='auto' cannot tell whether monitor="
                                  f"{monitor!r} should be maximized or minimized (it knows loss and the accuracies, "
                                  "and their val_ forms, as Keras'); "
                                  + did_you_mean(monitor, ["loss", "accuracy", "val_loss", "val_accuracy"],
                                                 "did you mean monitor={!r}? Else ")
                                  + "pass mode='max' or mode='min'")
        return "min" if name == "loss" else "max"
    return mode


def auto_mode_known(owner: str, monitor: str, mode_given: str, logs: dict[str, Any]) -> None:
    """Keras 3's error at the first epoch's end for mode='auto' watching a metric no metric of the run is named
    (monitor='val_accuracy' where no accuracy is compiled, or none is logged as 'accuracy'): whether it should rise or
    fall is not known, so mode must say (it was read as 'max' and the monitor warned missing each epoch)."""
    name = monitor.removeprefix("val_")
    if mode_given == "auto" and name != "loss" and name not in logs and monitor not in logs:
        raise ValidationError(f"{owner}: mode='auto' cannot tell whether monitor={monitor!r} should be maximized or "
                              f"minimized: no metric of this fit is named {name!r} (its logs: {', '.join(logs)}); "
                              f"give fit metrics=[{name!r}], or pass mode='max' or mode='min'")


def monitor_name(monitor: Any, owner: str, empty: bool = False) -> str:
    """The name of the logged value `owner` watches, checked (`empty`: '' taken, where `owner` may never read it)."""
    expected = "the name of a logged value, such as 'val_loss'"
    if not isinstance(monitor, str):
        raise refusal(ChainruleTypeError(f"{owner}: monitor must be {expected}; got {monitor!r} "
                                         f"({type(monitor).__name__})"), f"{owner}: monitor", expected)
    if not monitor.strip() and not empty:   # else a mode error about '' (auto), or a warning each epoch (min, max)
        raise refusal(ValidationError(f"{owner}: monitor must be {expected}; got {monitor!r}, an empty name"),
                      f"{owner}: monitor", expected)
    return monitor


def whole_epochs(value: Any, name: str) -> int:
    """A count of epochs (a patience, a cooldown): a whole number, 0 or more, or an error naming `name`."""
    expected = "a whole number of epochs, 0 or more"
    message = f"{name} must be {expected}; got {value!r}"
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise refusal(ChainruleTypeError(message), name, expected)
    if value < 0:
        raise refusal(ValidationError(message), name, expected)
    return int(value)


def improves(current: float, reference: float | None, min_delta: float, mode: str, float32: bool = False) -> bool:
    """Whether the watched value `current` beats `reference` (None: nothing yet) by more than
    `min_delta` in `mode` ("min" or "max"), written as Keras' `monitor_op(current - min_delta,
    reference)` to round alike (negating a value is exact). `float32`: both sides rounded to float32
    before comparing, as Keras' ops compare them (its floatx): 0.7 beats 0.9 by min_delta=0.2 in
    float64 (0.7 + 0.2 is 0.8999999999999999), not in float32, where Keras sees no improvement."""
    if reference is None:
        return True
    sign = 1.0 if mode == "min" else -1.0
    shifted, target = sign * current + min_delta, sign * reference
    if float32:
        with np.errstate(over="ignore"):        # a float32's inf beyond its range, as Keras' cast gives it
            return bool(np.float32(shifted) < np.float32(target))
    return shifted < target


def best_value(state: dict[str, Any], mode: str) -> float | None:
    """The best watched value a checkpoint kept: as logged ("best_value"), or, in a checkpoint written
    before the callbacks kept Keras' `best`, the score ("best": negated in mode "max", inf for none)."""
    if "best_value" in state:
        return None if state["best_value"] is None else float(state["best_value"])
    score = float(state["best"])
    return None if math.isinf(score) else score if mode == "min" else -score


def sets_lr_alone(network: Any, owner: str, does: str) -> None:
    """Refuse a callback that moves the optimizer's lr (`does`: what `owner` does to it) while a
    schedule also sets it each step: the two would fight, and one of them silently lose."""
    schedule = getattr(getattr(network, "optimizer", None), "schedule", None)
    if schedule is not None:
        raise ValidationError(f"{owner} {does} the optimizer's lr, which follows a schedule "
                              f"({type(schedule).__name__}); use one or the other")


def verbose_flag(value: Any, owner: str) -> int:
    """A callback's verbose: 0 (silent) or 1 (a line when it acts), as Keras'."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value not in (0, 1):
        raise ValidationError(f"{owner}: verbose must be 0 or 1; got {value!r}")
    return int(value)


def optional_number(value: Any, name: str) -> float | None:
    """None, or a finite number of any sign (a baseline, a threshold)."""
    return None if value is None else check.number(value, name, low=-math.inf)
