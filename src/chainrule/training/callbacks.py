"""Callbacks of `Network.fit` (Keras' habits): History and progress; the base (callback.py),
EarlyStopping (early_stopping.py), ModelCheckpoint (model_checkpoint.py), ReduceLROnPlateau
(plateau.py), CSVLogger (csv_logger.py), LearningRateScheduler, LambdaCallback, TerminateOnNaN and
BackupAndRestore (backup.py) gathered here."""
from __future__ import annotations

import math
import numbers
import sys
import time
import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from ..nn import checks as check
from ..nn.divergence import REMEDIES
from ..nn.evaluation import format_logs, step_time
from .backup import BackupAndRestore as BackupAndRestore
from .backup import keras_backup as keras_backup  # fit's reading of BackupAndRestore (nn's facade)
from .callback import BATCH_HOOKS, keras_params, overrides
from .callback import Callback as Callback  # the base, re-exported: chainrule.callbacks.Callback
from .csv_logger import CSVLogger as CSVLogger  # Keras' other callbacks, each in its module
from .early_stopping import EarlyStopping as EarlyStopping
from .model_checkpoint import ModelCheckpoint as ModelCheckpoint
from .plateau import ReduceLROnPlateau as ReduceLROnPlateau
from .small_callbacks import LambdaCallback as LambdaCallback
from .small_callbacks import LearningRateScheduler as LearningRateScheduler
from .small_callbacks import TerminateOnNaN as TerminateOnNaN


class GradientWarning(UserWarning):
    """Gradients vanish or explode in a layer."""


class History(Callback):
    """Per-epoch metrics: `history.history["loss"]`, `history.loss`, `history["val_loss"]`.

    It also watches the loss: an epoch whose loss is above the first epoch's and `explode_factor`
    times the lowest so far, though finite, warns once (GradientWarning), naming the epoch and the
    layer whose gradient norm grew most since the first epoch."""

    explode_factor = 100.0
    #: where this fit's losses start in history["loss"] (a History given to several fits keeps the earlier ones)
    _first = 0

    def __init__(self):
        self.history: dict[str, list[float]] = {}
        self.epoch: list[int] = []
        self.first_norms: list[float] | None = None
        self.warned = False
        self._lowest: tuple[list[float] | None, int, float, int] = (None, 0, math.nan, -1)
        #: ||dE/dW|| per layer at the end of the epoch a compiled run replays (`compiled.run_all`),
        #: whose gradient buffer then holds the run's last step's; None: read the buffer
        self.replayed_norms: np.ndarray | None = None
        #: Keras 3's History.params: fit's verbose (as given), epochs and steps
        self.params: dict[str, Any] = {}

    def on_train_begin(self, params: dict[str, Any]) -> None:
        """A History given to several fits keeps its dict and starts `epoch` and the loss watch again at
        each, as Keras' (the second fit's epochs followed the first's: [0, 1, 0, 1, 2], and the watch
        compared with the first fit's losses). A resumed run's epochs are the checkpoint's, set before."""
        self.params = keras_params(params)
        resumed = bool(params.get("resumed"))
        if not resumed:
            self.epoch = []
        self.first_norms, self.warned, self._lowest = None, False, (None, 0, math.nan, -1)
        self._first = 0 if resumed else len(self.history.get("loss", ()))

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        self.epoch.append(epoch)
        for key, value in logs.items():
            self.history.setdefault(key, []).append(logged(value))
        if not self.warned and self.network is not None and isinstance(self.history.get("loss", [None])[-1], float):
            self._watch(epoch, logs)

    def _watch(self, epoch: int, logs: dict[str, float]) -> None:
        losses, first = self.history["loss"], self._first
        if len(losses) == first + 1 or self.first_norms is None:
            self.first_norms = [float(v) for v in self._norms(logs)]
        loss, (best, at) = losses[-1], self.lowest_loss()
        if not (math.isfinite(loss) and loss > losses[first] and best > 0 and loss > self.explode_factor * best):
            return
        self.warned = True
        net = self.network
        assert net is not None
        norms = self._norms(logs)
        growth = norms / np.maximum(np.array(self.first_norms), np.finfo(np.float64).tiny)
        l = int(np.argmax(growth))
        layer = net.dense_layers[l]
        warnings.warn(f"the loss exploded in epoch {epoch + 1}: {loss:.4g}, {loss / best:.3g} times its lowest "
                      f"({best:.4g} in epoch {self.epoch[at - first] + 1}), though still finite; the gradient "
                      f"norm of layer {net.layers.index(layer)} ({layer!r}) grew most, from "
                      f"{self.first_norms[l]:.3g} in the first epoch to {norms[l]:.3g}. Try {REMEDIES} and targets.",
                      GradientWarning, stacklevel=caller_level())      # the user's fit, however it is reached

    def _norms(self, logs: dict[str, float]) -> np.ndarray:
        return self.replayed_norms if self.replayed_norms is not None else layer_grad_norms(self.network, logs)

    def lowest_loss(self) -> tuple[float, int]:
        """The lowest of this fit's losses and its first position in history["loss"], each loss read
        once: the watch runs every epoch, and rescanning the whole list made a fit of n epochs cost
        n^2 / 2 comparisons."""
        losses = self.history["loss"]
        seen, scanned, best, at = self._lowest
        if seen is not losses or scanned > len(losses):
            scanned, best, at = self._first, math.nan, -1
        for i in range(scanned, len(losses)):
            if at < 0 or losses[i] < best:          # min()'s rule: the first, then any smaller
                best, at = losses[i], i
        self._lowest = (losses, len(losses), best, at)
        return best, at

    def get_state(self) -> dict[str, Any]:
        return {"first_norms": self.first_norms, "warned": self.warned}

    def set_state(self, state: dict[str, Any]) -> None:
        self.first_norms, self.warned = state.get("first_norms"), bool(state.get("warned"))

    def __getitem__(self, key: str) -> list[float]:
        return self.history[key]

    def __getattribute__(self, key: str) -> Any:
        """A metric as an attribute (history.loss) where no attribute of that name is. Not a `__getattr__`: Python
        calls that after a property's getter raised AttributeError too, which then hid the getter's own error (or,
        reading the property again, ran its getter twice); here a name the class defines raises its error as is."""
        try:
            return object.__getattribute__(self, key)
        except AttributeError:
            history = object.__getattribute__(self, "__dict__").get("history", {})
            if any(key in vars(cls) for cls in type(self).__mro__):
                raise
            if key in history:
                return history[key]
            raise AttributeError(f"History has no metric {key!r}; it has {sorted(history)}", name=key,
                                 obj=self) from None

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self):
        last = {k: round(v[-1], 6) if isinstance(v[-1], float) else v[-1] for k, v in self.history.items() if v}
        return f"History(epochs={len(self.epoch)}, last={last})"


def logged(value: Any) -> Any:
    """A logged value as History keeps it: a number as a Python float (np.float32(0.1) as 0.10000000149011612, as
    Keras' float32 metrics are read), anything else (a callback's None, string or list) as it is, as Keras keeps it."""
    if isinstance(value, (numbers.Real, np.number)) or (isinstance(value, np.ndarray) and value.ndim == 0
                                                         and value.dtype.kind in "biuf"):
        return float(value)
    return value


def progress_logs(logs: dict[str, Any], verbose: int) -> str:
    """The logs of a progress line, in their order: numbers as Keras writes them (format_logs), a callback's text
    (or None, a list) as it is, where Keras' own bar fails (its mean of a string: a TypeError of NumPy's)."""
    return "".join(format_logs({k: v}, verbose) if isinstance(logged(v), float) else f" - {k}: {v}"
                   for k, v in logs.items())


class ProgressBar(Callback):
    """verbose=1: on a terminal, one tqdm progress bar over all the batches of training, showing the
    epoch and its metrics; elsewhere (a pipe, a CI log, or without tqdm) Keras' lines: "Epoch 2/5"
    (when there is more than one) and, once the epoch is done, the last state of Keras' bar
    ("15/15 ━━━━━━━━━━━━━━━━━━━━ 1s 4ms/step - accuracy: 0.9012 - loss: 0.3012"), without its
    colours. On stdout, as Keras prints (and as verbose=2, predict and evaluate print), unless `file`
    names another stream (`chainrule train` draws it on stderr: its stdout holds the results)."""

    def __init__(self, file: Any = None):
        self.file = file            # None: sys.stdout when training begins (a test's capture, a notebook's)

    @property
    def per_batch_optional(self) -> bool:
        """fit may skip the per-batch hook (the compiled epoch; under MPI, the global batch's logs): the bar catches
        up at the epoch's end. Not a subclass's (or an instance's) own batch hook: it may read each batch's logs."""
        return not overrides(self, ProgressBar, *BATCH_HOOKS)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.params = params
        self.clock = EpochClock()
        self.prints = params.get("rank", 0) == 0    # under MPI: rank 0 prints, the others are quiet (Horovod's habit)
        try:
            from tqdm.auto import tqdm
        except ImportError:  # the core needs only NumPy
            tqdm = None
        done = min(params.get("initial_epoch") or 0, params["epochs"])   # a resumed run starts where it was
        self.out = sys.stdout if self.file is None else self.file
        if not _is_terminal(self.out) or not self.prints:  # a pipe or a CI log: plain lines, not redrawn bars
            tqdm = None
        self.bar = None if tqdm is None else tqdm(
            total=params["epochs"] * params["steps"], initial=done * params["steps"], unit="batch", file=self.out,
            dynamic_ncols=True, mininterval=0.2)

    def on_epoch_begin(self, epoch: int) -> None:
        self.clock.start()
        if self.bar is not None:
            self.bar.set_description(f"Epoch {epoch + 1}/{self.params['epochs']}", refresh=False)
        elif self.params["epochs"] > 1 and self.prints:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", file=self.out, flush=True)

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self.bar is not None:
            self.bar.update(1)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.bar is not None:
            self.bar.update((epoch + 1) * self.params["steps"] - self.bar.n)
            self.bar.set_postfix_str(progress_logs(logs, 1).removeprefix(" - "), refresh=False)
        elif self.prints:
            steps = self.params["steps"]
            elapsed = self.clock.seconds()
            print(f"{steps}/{steps} {'━' * 20} {elapsed:.0f}s{step_time(elapsed, steps)}{progress_logs(logs, 1)}",
                  file=self.out, flush=True)

    def on_train_end(self) -> None:
        if self.bar is not None:
            self.bar.refresh()
            self.bar.close()


class EpochLogger(Callback):
    """verbose=2, Keras' lines on stdout: "Epoch 2/5" as an epoch starts (when there is more than
    one), and once it is done "15/15 - 1s - 4ms/step - accuracy: 0.9012 - loss: 0.3012 - val_...",
    after the other callbacks have added their logs (ReduceLROnPlateau's learning_rate)."""

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.params = params
        self.clock = EpochClock()
        self.prints = params.get("rank", 0) == 0    # under MPI: rank 0 prints, the others are quiet (Horovod's habit)

    def on_epoch_begin(self, epoch: int) -> None:
        self.clock.start()
        if self.params["epochs"] > 1 and self.prints:
            print(f"Epoch {epoch + 1}/{self.params['epochs']}", flush=True)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if not self.prints:
            return
        steps = self.params["steps"]
        elapsed = self.clock.seconds()
        print(f"{steps}/{steps} - {elapsed:.0f}s -{step_time(elapsed, steps)}{progress_logs(logs, 2)}", flush=True)


class EpochClock:
    """The time since the epoch began."""

    def __init__(self):
        self.began = time.perf_counter()

    def start(self) -> None:
        self.began = time.perf_counter()

    def seconds(self) -> float:
        return time.perf_counter() - self.began


def layer_grad_norms(net, logs: dict[str, float] | None = None) -> np.ndarray:
    """||dE/dW|| per Dense layer: GradientDiagnostics' epoch means when it ran (its grad_norm/<l>
    logs), else those of the epoch's last batch (left in the network's gradient buffer)."""
    dense = net.dense_layers
    if logs is not None and all(f"grad_norm/{l}" in logs for l in range(len(dense))):
        return np.array([logs[f"grad_norm/{l}"] for l in range(len(dense))])
    return np.array([float(np.linalg.norm(layer.dW)) for layer in dense])


def _is_terminal(stream: Any) -> bool:
    """A terminal or a notebook (tqdm draws a widget there): places where a redrawn bar reads well."""
    if "ipykernel" in sys.modules:
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):      # replaced or closed streams (notebooks, test capture)
        return False


def make_progress(verbose: int | str) -> list[Callback]:
    """fit's verbose: 0 silent, 1 (and Keras' 'auto') a bar, 2 a line an epoch."""
    if not check.verbosity(verbose):
        raise ValidationError(f"verbose must be 0, 1, 2 or 'auto'; got {verbose!r} (Keras' fit prints only its "
                              "'Epoch i/n' headers for it, no loss: give 2 for a line an epoch, 0 for none)")
    choices: list[list[Callback]] = [[], [ProgressBar()], [EpochLogger()]]
    return choices[1 if isinstance(verbose, str) else int(verbose or 0)]


__all__ = ["Callback", "History", "EarlyStopping", "ModelCheckpoint", "ReduceLROnPlateau", "CSVLogger", "ProgressBar",
           "EpochLogger", "GradientWarning", "LearningRateScheduler", "LambdaCallback", "TerminateOnNaN",
           "BackupAndRestore"]
