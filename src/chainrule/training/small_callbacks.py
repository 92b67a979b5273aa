"""Keras' smaller callbacks: LearningRateScheduler, LambdaCallback and TerminateOnNaN, with Keras 3's
arguments and the calls Keras' fit makes to them (gathered in callbacks.py)."""
from __future__ import annotations

import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, TrainingDiverged, ValidationError, did_you_mean
from ..nn import checks as check
from .backup import BackupAndRestore as BackupAndRestore  # its home before backup.py
from .backup import keras_backup as keras_backup
from .callback import Callback, float32_logs, sets_lr_alone, verbose_flag
from .diverged import invalid_loss


class LearningRateScheduler(Callback):
    """Set the optimizer's `lr` at each epoch's start to `schedule(epoch, lr)` (or `schedule(epoch)`),
    `epoch` counted from 0 and `lr` the rate now, as Keras' (a float32 network's in float32, as Keras' rate
    variable gives it: lr * 0.5 goes on as Keras', and verbose=1 prints its numbers); each epoch's logs get
    the rate under Keras' name "learning_rate" (rounded to float32, as Keras logs its float32 rate), as Keras' alone.
    A rate that is not a finite number >= 0 is refused, naming the epoch (0 is taken, as Keras and torch take it;
    Keras takes a negative float too, torch.optim refuses it); an
    optimizer whose lr follows a schedule of its own (StepLR, ...) is refused, as by ReduceLROnPlateau."""

    def __init__(self, schedule: Callable[..., float], verbose: int = 0):
        if not callable(schedule):
            raise ChainruleTypeError(f"LearningRateScheduler: schedule must be a function of (epoch, lr) or of "
                                     f"(epoch); got {schedule!r} ({type(schedule).__name__})")
        self.schedule = schedule
        self.verbose = verbose_flag(verbose, "LearningRateScheduler")
        self.prints = bool(self.verbose)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        sets_lr_alone(self.network, "LearningRateScheduler", "sets")
        self.prints = bool(self.verbose) and params.get("rank", 0) == 0      # under MPI: rank 0 prints

    def on_epoch_begin(self, epoch: int) -> None:
        optimizer = self.network.optimizer
        try:        # Keras' order: (epoch, lr), else (epoch); asked of the signature, not by a TypeError
            inspect.signature(self.schedule).bind(epoch, optimizer.lr)
            two = True
        except TypeError:
            two = False
        except ValueError:      # no signature (some builtins): as Keras, try both
            two = True
        # a float32 network's rate as Keras' float32 variable reads (0.07500000298023224), as ReduceLROnPlateau's
        now = float(np.float32(optimizer.lr)) if float32_logs(self.network) else float(optimizer.lr)
        lr = self.schedule(epoch, now) if two else self.schedule(epoch)
        if isinstance(lr, (bool, np.bool_)) or not isinstance(lr, (int, float, np.integer, np.floating)) \
                or not math.isfinite(lr) or lr < 0:
            raise ValidationError(f"LearningRateScheduler: the schedule gave {lr!r} for epoch {epoch}; expected a "
                                  "learning rate, a number >= 0")
        optimizer.lr = float(lr)
        if self.prints:
            print(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {lr}.", flush=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        lr = self.network.optimizer.lr
        logs["learning_rate"] = float(np.float32(lr))


_LAMBDA_HOOKS = ("on_epoch_begin", "on_epoch_end", "on_train_begin", "on_train_end", "on_train_batch_begin",
                 "on_train_batch_end", "on_batch_begin", "on_batch_end")
#: Keras' test and predict hooks: kept as the callback's own, called by evaluate, predict and fit's validation
#: (`StageHooks`), as Keras calls them
_STAGE_HOOKS = tuple(f"on_{stage}_{when}" for stage in ("test", "predict")
                     for when in ("begin", "end", "batch_begin", "batch_end"))


class LambdaCallback(Callback):
    """A callback of functions called with Keras' arguments: on_epoch_begin(epoch, logs) and
    on_epoch_end(epoch, logs), on_train_begin(logs) and on_train_end(logs) (the last epoch's, as
    Keras), on_train_batch_begin(batch, logs=logs) and on_train_batch_end(batch, logs=logs) (Keras'
    on_batch_* too; the logs by keyword, as Keras' fit passes them). Keras' test and predict hooks
    (on_test_begin(logs), on_test_batch_end(batch, logs=logs), on_predict_end(logs), ...) are called by evaluate,
    predict and fit's validation, as Keras calls them. Other keywords are kept as attributes, as Keras does,
    except an on_ name no one calls (a misspelt hook): refused, not ignored."""

    def __init__(self, on_epoch_begin: Callable | None = None, on_epoch_end: Callable | None = None,
                 on_train_begin: Callable | None = None, on_train_end: Callable | None = None,
                 on_train_batch_begin: Callable | None = None, on_train_batch_end: Callable | None = None,
                 **kwargs: Any):
        given = {"on_epoch_begin": on_epoch_begin, "on_epoch_end": on_epoch_end, "on_train_begin": on_train_begin,
                 "on_train_end": on_train_end, "on_train_batch_begin": on_train_batch_begin,
                 "on_train_batch_end": on_train_batch_end}
        for name in [k for k in kwargs if k.startswith("on_")]:
            if name not in _LAMBDA_HOOKS + _STAGE_HOOKS:
                raise ValidationError(f"LambdaCallback: {name} is not a hook chainrule calls"
                                      + did_you_mean(name, _LAMBDA_HOOKS + _STAGE_HOOKS, " (did you mean {}?)")
                                      + f"; fit calls {', '.join(_LAMBDA_HOOKS)}; evaluate, predict and fit's "
                                      f"validation call {', '.join(_STAGE_HOOKS)}")
            given[name] = kwargs.pop(name)
        self.__dict__.update(kwargs)
        self.functions = {name: f for name, f in given.items() if f is not None}
        for name, f in self.functions.items():
            if not callable(f):
                raise ChainruleTypeError(f"LambdaCallback: {name} must be a function; got {f!r} ({type(f).__name__})")
        for name in ("on_train_batch_begin", "on_train_batch_end", "on_batch_begin", "on_batch_end"):
            if name in self.functions:          # per batch only when given (fit skips the others' hooks)
                setattr(self, name, _by_keyword(self.functions[name]))
        for name in _STAGE_HOOKS:
            if name in self.functions:          # found by StageHooks as the callback's own, as Keras' are
                setattr(self, name, self.functions[name])

    def on_train_begin(self, params: dict[str, Any]) -> None:
        if "on_train_begin" in self.functions:
            self.functions["on_train_begin"]({})

    def on_epoch_begin(self, epoch: int) -> None:
        if "on_epoch_begin" in self.functions:
            self.functions["on_epoch_begin"](epoch, {})

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if "on_epoch_end" in self.functions:
            self.functions["on_epoch_end"](epoch, logs)

    def on_train_end(self, logs: dict[str, float] | None = None) -> None:    # fit gives the last epoch's
        if "on_train_end" in self.functions:
            self.functions["on_train_end"]({} if logs is None else logs)


def _by_keyword(f: Callable) -> Callable:
    """A batch hook called as Keras' fit calls it: f(batch, logs=logs), so that `lambda batch, logs: ...`,
    `lambda batch, **kw: ...` and `def f(batch, *, logs)` each work as in Keras."""
    def hook(batch: int, logs: dict[str, float] | None = None) -> Any:
        return f(batch, logs=logs)
    return hook


class TerminateOnNaN(Callback):
    """Keras' stop at a NaN or infinite loss. chainrule's fit checks every batch's loss before the
    update and raises TrainingDiverged; with this callback it stops instead, as Keras' fit, printing
    Keras' line ("Batch 3: Invalid loss, terminating training"): the epoch's logs hold the NaN loss and
    the weights are those of the last finite step (Keras' are those of the NaN update). A batch whose loss is finite
    but whose gradient is not is updated and logged as Keras' fit does, which stops at the next batch (its loss is
    then not finite); where it does, its weights too are put back to those of the last finite step (where a later
    batch's loss is finite, the run goes on from that update, as Keras'). With
    `raise_error=True` the TrainingDiverged (a RuntimeError, as Keras raises) is raised."""

    def __init__(self, raise_error: bool = False):
        self.raise_error = check.flag(raise_error, "TerminateOnNaN: raise_error")
        self.prints = True
        self.finite: np.ndarray | None = None       # the weights before an update Keras makes and chainrule would not
        self.pending = False                        # that update's own batch not yet logged
        self.stopped = False                        # an invalid loss stopped the run (else the update stands)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.prints = params.get("rank", 0) == 0                # under MPI: rank 0 prints
        self.finite, self.pending, self.stopped = None, False, False

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        loss = (logs or {}).get("loss")
        if self.finite is not None and loss is not None and math.isfinite(loss):
            if not self.pending:            # a later batch trained on from that update, as Keras': it stands
                self.finite = None
            self.pending = False
        if loss is not None and not math.isfinite(loss) and not self.raise_error:
            if self.prints:
                print(f"Batch {batch}: Invalid loss, terminating training", flush=True)
            self.network.stop_training = self.stopped = True


def terminates(callbacks: list[Callback]) -> bool:
    """Whether a diverged batch stops the run (a TerminateOnNaN without raise_error) instead of raising."""
    return any(isinstance(cb, TerminateOnNaN) and not cb.raise_error for cb in callbacks)


def keras_step(callbacks: list[Callback], exc: Exception, params: np.ndarray) -> bool:
    """Whether a diverged batch whose loss is finite (its gradient overflowed) is updated as Keras' fit updates it
    under TerminateOnNaN, which stops only at the next batch; the weights before it are kept aside (`last_finite`) until
    a later batch's finite loss shows the run went on from them, as Keras' does."""
    cb = next((cb for cb in callbacks if isinstance(cb, TerminateOnNaN) and not cb.raise_error), None)
    if cb is None or not math.isfinite(getattr(exc, "loss", math.nan)):
        return False
    if cb.finite is None:
        cb.finite = params.copy()
    cb.pending = True
    return True


def diverged_batch(callbacks: list[Callback], exc: TrainingDiverged, params: np.ndarray, end: list[Callback], step: int,
                   logs: Callable[[float], dict]) -> tuple[bool, float]:
    """TerminateOnNaN's reading of a diverged batch, for each fit loop: (True, the finite loss Keras logs) where Keras
    updates and stops only at the next batch; else (False, the invalid loss) once the batch-end callbacks have been
    given Keras' invalid batch logs, and the run stops."""
    if keras_step(callbacks, exc, params):
        return True, float(getattr(exc, "loss", math.nan))
    bad = invalid_loss(exc)
    for cb in end:
        cb.on_train_batch_end(step, logs=logs(bad))
    return False, bad


def last_finite(callbacks: list[Callback], params: np.ndarray) -> None:
    """TerminateOnNaN's weights of the last finite step put back where `keras_step` updated past them."""
    for cb in callbacks:
        if isinstance(cb, TerminateOnNaN) and cb.finite is not None:
            if cb.stopped:          # a run that went on to its end, no loss invalid, keeps its weights, as Keras'
                params[...] = cb.finite
            cb.finite = None
