"""ReduceLROnPlateau: lower the learning rate when the watched value stops improving (Keras' callback,
the same counts: a test drives both with one sequence of values)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from ..nn import checks as check
from .callback import (
    Callback,
    auto_mode_known,
    float32_logs,
    improves,
    monitor_mode,
    monitor_name,
    sets_lr_alone,
    verbose_flag,
    whole_epochs,
)


class ReduceLROnPlateau(Callback):
    """Multiply the optimizer's `lr` by `factor` once `monitor` has not improved by more than
    `min_delta` for `patience` epochs, never below `min_lr`; after a reduction, wait `cooldown`
    epochs before counting again. Each epoch's logs get the rate that epoch trained with, under Keras
    3's name alone ("learning_rate", rounded to float32 as Keras logs its float32 rate; the optimizer's
    own number is `optimizer.lr`). A `monitor` the logs lack is Keras' warning, counting nothing.
    Whether the rate is still above `min_lr` is asked in
    float32, as Keras asks it: a rate that reached min_lr (0.01 * 0.1 is 0.0010000000000000002 in
    float64) is not reduced again. A float32 network's new rate is Keras' (its float32 rate times
    `factor`: "reducing learning rate to 0.0009999999776482583" from 0.01), printed so; a float64
    network's is exact (0.001). Whether the watched value improved by min_delta is asked in float32 too
    for a float32 network, and in float64 for a float64 one.

    For patience >= 1, in torch.optim.lr_scheduler's terms these counts are
    ReduceLROnPlateau(patience=patience - 1, cooldown=max(cooldown - 1, 0), threshold=min_delta,
    threshold_mode="abs", min_lr=min_lr): Keras counts the epoch that ends a cooldown (a cooldown of 1
    waits no epoch), torch does not; torch also stops reducing once a reduction would change the rate
    by less than its eps (1e-8). patience=0 (reduce at every epoch that does not improve) has no torch
    equivalent: torch's patience=-1 reduces after an improving epoch too.

    The changed rate is the optimizer's own, so it is saved with the network and a checkpointed run
    resumes with it (and with this callback's counts). `epsilon`, Keras 2's old name of `min_delta`, is
    read as min_delta with a DeprecationWarning, as Keras 2 read it (Keras 3 takes it and drops it unread).
    An optimizer following a schedule (its lr given as StepLR, ...) is refused: the schedule would set the
    rate back at the next epoch.

        fit(X, Y, validation_split=0.2, callbacks=[ReduceLROnPlateau(factor=0.5, patience=3)])
    """

    def __init__(self, monitor: str = "val_loss", factor: float = 0.1, patience: int = 10, verbose: int = 0,
                 mode: str = "auto", min_delta: float = 1e-4, cooldown: int = 0, min_lr: float = 0.0,
                 epsilon: float | None = None):
        if epsilon is not None:     # Keras 2's name, read as min_delta as Keras 2 read it (Keras 3 drops it unread)
            check.number(epsilon, "ReduceLROnPlateau: epsilon", low=-math.inf)      # named as given
            if min_delta != 1e-4:   # both: Keras 2 dropped min_delta unsaid; which one was meant cannot be told
                raise ValidationError(f"ReduceLROnPlateau: epsilon={epsilon!r} is Keras 2's old name of min_delta, "
                                      f"and min_delta={min_delta!r} is given too; give min_delta alone")
            warnings.warn("ReduceLROnPlateau: epsilon is Keras 2's old name of min_delta; it is read as "
                          f"min_delta={epsilon!r}: write min_delta", DeprecationWarning, stacklevel=2)
            min_delta = epsilon
        self.monitor = monitor_name(monitor, "ReduceLROnPlateau")
        # factor 0 (the rate straight to min_lr) is taken, as Keras' and torch's take it; from 1 on nothing reduces
        self.factor = check.number(factor, "ReduceLROnPlateau: factor", high=1.0, high_inclusive=False)
        self.patience = whole_epochs(patience, "ReduceLROnPlateau: patience")
        self.verbose = verbose_flag(verbose, "ReduceLROnPlateau")
        self.mode = monitor_mode(self.monitor, mode, "ReduceLROnPlateau")
        self.mode_given = mode             # "auto": Keras' error at the first epoch's end where it cannot tell
        self.min_delta = abs(check.number(min_delta, "ReduceLROnPlateau: min_delta", low=-math.inf))
        self.cooldown = whole_epochs(cooldown, "ReduceLROnPlateau: cooldown")
        self.min_lr = check.number(min_lr, "ReduceLROnPlateau: min_lr")
        self.best: float | None = None
        self.wait = self.cooldown_counter = 0
        self.prints = bool(self.verbose)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        sets_lr_alone(self.network, "ReduceLROnPlateau", "changes")
        self.best, self.wait, self.cooldown_counter = None, 0, 0
        self.prints = bool(self.verbose) and params.get("rank", 0) == 0      # under MPI: rank 0 prints

    def _improved(self, current: float) -> bool:
        return improves(current, self.best, self.min_delta, self.mode, float32_logs(self.network))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        optimizer = self.network.optimizer
        logs["learning_rate"] = float(np.float32(optimizer.lr))      # Keras 3's name and float32 value
        auto_mode_known("ReduceLROnPlateau", self.monitor, self.mode_given, logs)
        if self.monitor not in logs:        # Keras warns (its words, the rate among the metrics) and counts nothing
            warnings.warn(f"Learning rate reduction is conditioned on metric `{self.monitor}` which is not available. "
                          f"Available metrics are: {','.join(logs)}.", UserWarning, stacklevel=caller_level())
            return
        current = float(logs[self.monitor])
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.wait = 0
        if self._improved(current):
            self.best, self.wait = current, 0
        elif self.cooldown_counter == 0:
            self.wait += 1
            if self.wait >= self.patience and np.float32(optimizer.lr) > np.float32(self.min_lr):
                # a float32 network's rate as Keras': its float32 rate times factor (printed so), else exact
                lr = float(np.float32(optimizer.lr)) if float32_logs(self.network) else optimizer.lr
                optimizer.lr = max(lr * self.factor, self.min_lr)
                self.cooldown_counter, self.wait = self.cooldown, 0
                if self.prints:
                    print(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing learning rate to {optimizer.lr}.",
                          flush=True)     # Keras' line, after a blank line as Keras'

    def get_state(self) -> dict[str, Any]:
        return {"best": self.best, "wait": self.wait, "cooldown_counter": self.cooldown_counter}

    def set_state(self, state: dict[str, Any]) -> None:
        self.best = None if state["best"] is None else float(state["best"])
        self.wait, self.cooldown_counter = int(state["wait"]), int(state["cooldown_counter"])
