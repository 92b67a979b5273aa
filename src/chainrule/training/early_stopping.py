"""EarlyStopping: end training when the watched value stops improving (Keras 3's callback, its
arguments and counts: a test drives both with one sequence of values)."""
from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..nn import checks as check
from .callback import (
    Callback,
    auto_mode_known,
    best_value,
    float32_logs,
    improves,
    monitor_mode,
    monitor_name,
    optional_number,
    verbose_flag,
    whole_epochs,
)


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by `min_delta` for `patience` epochs, as Keras' callback
    counts them (patience=2: the second epoch without improvement is the last).

    `baseline`: an epoch restarts the count only if it also beats this value, so training stops after
    `patience` epochs unless the run gets past it. `start_from_epoch`: the first epochs (a warm-up) are
    not watched. With `restore_best_weights=True` the network ends with the weights of its best
    watched epoch, baseline or not. `verbose=1` prints Keras' lines at the end ("Epoch 7: early
    stopping", and the epoch whose weights are restored). A float32 network's values are compared with
    min_delta and baseline in float32, as Keras' ops compare them (`callback.improves`)."""

    def __init__(self, monitor: str = "val_loss", min_delta: float = 0.0, patience: int = 0, verbose: int = 0,
                 mode: str = "auto", baseline: float | None = None, restore_best_weights: bool = False,
                 start_from_epoch: int = 0):
        self.monitor = monitor_name(monitor, "EarlyStopping")
        self.min_delta = abs(check.number(min_delta, "EarlyStopping: min_delta", low=-math.inf))
        self.patience = whole_epochs(patience, "EarlyStopping: patience")
        self.verbose = verbose_flag(verbose, "EarlyStopping")
        self.mode = monitor_mode(self.monitor, mode, "EarlyStopping")
        self.mode_given = mode             # "auto": Keras' error at the first epoch's end where it cannot tell
        self.baseline = optional_number(baseline, "EarlyStopping: baseline")
        self.restore_best_weights = check.flag(restore_best_weights, "EarlyStopping: restore_best_weights")
        self.start_from_epoch = whole_epochs(start_from_epoch, "EarlyStopping: start_from_epoch")
        self.prints = bool(self.verbose)
        self._reset()

    def _reset(self) -> None:
        #: as Keras' attributes: the best watched value as logged (None: none yet) and its epoch; the
        #: epoch training stopped at (0: it did not stop; Keras never stops at epoch 0)
        self.best: float | None = None
        self.best_epoch, self.wait, self.stopped_epoch = 0, 0, 0
        self.best_params: np.ndarray | None = None

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self._reset()
        self.prints = bool(self.verbose) and params.get("rank", 0) == 0      # under MPI: rank 0 prints

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        auto_mode_known("EarlyStopping", self.monitor, self.mode_given, logs)
        if self.monitor not in logs:        # Keras warns (its words) and trains on, counting nothing
            warnings.warn(f"Early stopping conditioned on metric `{self.monitor}` which is not available. Available "
                          f"metrics are: {','.join(logs)}", UserWarning, stacklevel=caller_level())
            return
        current = float(logs[self.monitor])
        if epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_params is None:    # Keras: the first watched epoch's,
            self.best_params, self.best_epoch = self.network.params.copy(), epoch     # even if not finite
        self.wait += 1
        float32 = float32_logs(self.network)     # Keras compares in float32 as it logs
        if improves(current, self.best, self.min_delta, self.mode, float32):
            self.best, self.best_epoch = current, epoch
            if self.restore_best_weights:
                self.best_params = self.network.params.copy()
            if self.baseline is None or improves(current, self.baseline, self.min_delta, self.mode, float32):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:    # Keras': a state set before epoch 0 does not stop it
            self.stopped_epoch = epoch
            self.network.stop_training = True

    def on_train_end(self) -> None:
        if self.prints and self.stopped_epoch > 0:
            print(f"Epoch {self.stopped_epoch + 1}: early stopping", flush=True)
        if self.restore_best_weights and self.best_params is not None:
            if self.prints:
                print(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.", flush=True)
            self.network.params[...] = self.best_params

    def get_state(self) -> dict[str, Any]:
        return {"best_value": self.best, "best_epoch": self.best_epoch, "wait": self.wait,
                "stopped_epoch": self.stopped_epoch, "best_params": self.best_params}

    def set_state(self, state: dict[str, Any]) -> None:
        self.best = best_value(state, self.mode)
        self.best_epoch, self.wait = max(int(state["best_epoch"]), 0), int(state["wait"])
        self.stopped_epoch = int(state["stopped_epoch"] or 0)
        best = state.get("best_params")
        self.best_params = None if best is None else np.array(best, dtype=self.network.params.dtype)
