"""ModelCheckpoint: save the network as it trains (Keras 3's callback, its arguments; the file is
chainrule's .npz, written by `Network.save`)."""
from __future__ import annotations

import errno
import os
import string
import warnings
from typing import Any

import numpy as np

from ..backend.processes import sweep_temporaries
from ..callers import caller_level
from ..errors import ValidationError
from ..nn import checks as check
from ..nn.filenames import not_a_folder, regular_or_absent
from ..nn.keras_methods import checkpoint_target
from .callback import (
    BATCH_HOOKS,
    Callback,
    auto_mode_known,
    best_value,
    float32_logs,
    improves,
    monitor_mode,
    monitor_name,
    optional_number,
    overrides,
    verbose_flag,
)


class ModelCheckpoint(Callback):
    """Save the network after each epoch, or every `save_freq` batches (or only when `monitor`
    improves on the best so far, or on `initial_value_threshold`: `save_best_only`).

    `filepath` may contain fields of the epoch's logs: "model-{epoch:03d}-{val_loss:.4f}.npz" (and
    {batch} with save_freq a number). `verbose=1` prints Keras' lines as it saves. The file is the
    whole network, which `chainrule.load` reads; `include_optimizer=False` leaves out the optimizer's
    state; `save_weights_only=True` writes the weights alone, as `Network.save_weights`, which
    `Network.load_weights` reads. Under MPI (`comm`), rank 0 alone saves: give it on every rank or on rank 0
    alone (as Keras scripts under Horovod do); given to other ranks alone it saves nothing, and rank 0 warns."""

    def __init__(self, filepath: str | os.PathLike, monitor: str = "val_loss", verbose: int = 0,
                 save_best_only: bool = False, save_weights_only: bool = False, mode: str = "auto",
                 save_freq: str | int = "epoch", initial_value_threshold: float | None = None,
                 include_optimizer: bool = True):
        self.filepath = os.fspath(check.path_like(filepath, "ModelCheckpoint: filepath"))
        if not self.filepath:       # refused here, not when fit starts; in open()'s class, as save refuses ''
            raise FileNotFoundError(errno.ENOENT, "ModelCheckpoint: filepath is empty (give a file name, such as "
                                    "'model-{epoch:02d}.npz')", self.filepath)
        try:
            list(string.Formatter().parse(self.filepath))        # its braces, checked before the first epoch
        except ValueError as exc:
            raise ValidationError(f"ModelCheckpoint: filepath {self.filepath!r} is not a valid format string "
                                  f"({exc}); write a brace as {{{{ or }}}}") from None
        self.save_best_only = check.flag(save_best_only, "ModelCheckpoint: save_best_only")
        # the monitor is read only with save_best_only: without it an empty one is taken, as Keras takes it
        # (mode='auto' still refuses it below, as Keras' fit does: it cannot tell min from max)
        self.monitor = monitor_name(monitor, "ModelCheckpoint", empty=not self.save_best_only)
        self.verbose = verbose_flag(verbose, "ModelCheckpoint")
        self.save_weights_only = check.flag(save_weights_only, "ModelCheckpoint: save_weights_only")
        self.mode = monitor_mode(self.monitor, mode, "ModelCheckpoint")
        self.mode_given = mode             # "auto": Keras' error at the first epoch's end where it cannot tell
        if isinstance(save_freq, str) and save_freq == "epoch":
            self.save_freq: str | int = "epoch"
        elif isinstance(save_freq, (int, np.integer)) and not isinstance(save_freq, bool) and save_freq > 0:
            self.save_freq = int(save_freq)
        else:
            raise ValidationError(f"ModelCheckpoint: save_freq must be 'epoch' or a number of batches (an integer "
                                  f"> 0); got {save_freq!r}")
        threshold = optional_number(initial_value_threshold, "ModelCheckpoint: initial_value_threshold")
        if threshold is not None and not self.save_best_only:
            raise ValidationError(f"ModelCheckpoint: initial_value_threshold={threshold!r} applies only with "
                                  "save_best_only=True (it is the best value to beat)")
        self.include_optimizer = check.flag(include_optimizer, "ModelCheckpoint: include_optimizer")
        #: Keras' attribute: the best watched value as logged (None: none yet, or initial_value_threshold),
        #: kept across fits as in Keras
        self.best: float | None = threshold
        self.writes, self.prints = True, bool(self.verbose)
        self.epoch = self.batches = 0            # the epoch running; batches since the last save

    @property
    def per_batch_optional(self) -> bool:
        """fit may skip the per-batch hook (the compiled epoch; under MPI, the global batch's logs) unless it saves
        every save_freq batches, or a subclass (or the instance) has batch hooks of its own: they may read the logs."""
        return self.save_freq == "epoch" and not overrides(self, ModelCheckpoint, *BATCH_HOOKS)

    def on_train_begin(self, params: dict[str, Any]) -> None:
        self.writes = params.get("rank", 0) == 0         # under MPI every rank runs the callbacks; rank 0 saves
        self.prints = bool(self.verbose) and self.writes
        self.epoch = 0     # the batches since the last save count on across fits, as Keras' (a fit an epoch at a time)
        self._check_path()

    def _check_path(self) -> None:
        """The file name filled with sample values, and its folder, checked before any training: a
        bad format or a missing folder used to stop the run after its first epoch."""
        fields = {name.split(".")[0].split("[")[0] for _, name, _, _ in string.Formatter().parse(self.filepath) if name}
        if "batch" in fields and self.save_freq == "epoch":
            raise ValidationError(f"ModelCheckpoint: filepath {self.filepath!r} has the field {{batch}}, which is "
                                  "filled only when save_freq is a number of batches; got save_freq='epoch'")
        try:
            path = self.filepath.format(**{name: 0.5 for name in fields - {"epoch", "batch"}}, epoch=1, batch=1)
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise ValidationError(f"ModelCheckpoint: filepath {self.filepath!r} cannot be filled with the epoch and "
                                  f"the logs' numbers ({type(exc).__name__}: {exc}); write fields like {{epoch:03d}} "
                                  "or {val_loss:.4f}") from None
        folder = os.path.dirname(path) or "."
        if not self.writes:
            return
        existing = folder          # Keras creates a missing folder as it saves: its nearest existing one is checked
        while not os.path.exists(existing) and os.path.dirname(os.path.abspath(existing)) != os.path.abspath(existing):
            existing = os.path.dirname(os.path.abspath(existing))
        if not os.path.isdir(existing):
            where = "is a file" if existing == folder else f"cannot be made: {existing!r} is a file"
            raise NotADirectoryError(errno.ENOTDIR, f"ModelCheckpoint: the folder of filepath, {folder!r}, {where}",
                                     self.filepath)
        if not os.access(existing, os.W_OK):
            raise PermissionError(errno.EACCES, f"ModelCheckpoint: the folder of filepath, {folder!r}, cannot be "
                                  "written" + ("" if existing == folder else f" ({existing!r} cannot)"), self.filepath)
        not_a_folder(path, "ModelCheckpoint: ")     # save's words and open's error: 'ck/' as 'ck.npz/', a folder
        if not fields:                              # a named pipe, a device: save's refusal, before the first epoch
            regular_or_absent(path, "ModelCheckpoint: ")
        # the name's rules (save_weights' first, with save_weights_only), and for a fixed name a file of another
        # kind in the way: found before training, not when the first epoch's save fails
        checkpoint_target(path, self.save_weights_only, f"ModelCheckpoint: filepath {self.filepath!r}", not fields)
        if not self.save_weights_only and self.network is not None:    # save's check of the classes, before any epoch
            self.network._check_saveable()
        sweep_temporaries(folder)   # saves of a run killed as it saved ({epoch}'s names: not this run's to replace)

    def on_epoch_begin(self, epoch: int) -> None:
        self.epoch = epoch

    def on_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if isinstance(self.save_freq, str):          # "epoch"
            return
        self.batches += 1
        if self.batches >= self.save_freq:           # Keras' count: batches seen, across epochs
            self.batches = 0
            self._save(self.epoch, batch, logs or {})

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        if self.save_freq == "epoch":
            self._save(epoch, None, logs)

    def _save(self, epoch: int, batch: int | None, logs: dict[str, float]) -> None:
        """Keras' `_save_model`: the file name, whether to save (save_best_only), the lines it prints."""
        fields = dict(logs) if batch is None or "batch" in logs else {**logs, "batch": batch + 1}
        try:
            path = self.filepath.format(epoch=epoch + 1, **{k: v for k, v in fields.items() if k != "epoch"})
        except (KeyError, IndexError, ValueError) as exc:
            raise ValidationError(f"ModelCheckpoint: filepath {self.filepath!r} cannot be filled from the epoch's "
                                  f"logs ({type(exc).__name__}: {exc}); its fields may be epoch and {sorted(logs)} "
                                  "(val_ metrics need validation data)") from None
        if self.save_best_only:
            auto_mode_known("ModelCheckpoint", self.monitor, self.mode_given, logs)
        if self.save_best_only and self.monitor not in logs:    # Keras warns (its words) and saves, as without
            warnings.warn(f"Can save best model only with {self.monitor} available.", UserWarning,
                          stacklevel=caller_level())
        elif self.save_best_only:                   # save_best_only, without its "saving model to" line
            current = float(logs[self.monitor])
            shown = "None" if self.best is None else f"{self.best:.5f}"
            if not improves(current, self.best, 0.0, self.mode, float32_logs(self.network)):
                self._say(f"Epoch {epoch + 1}: {self.monitor} did not improve from {shown}")
                return
            self._say(f"Epoch {epoch + 1}: {self.monitor} improved from {shown} to {current:.5f}, saving model to "
                      f"{path}")
            self.best = current
        else:
            self._say(f"Epoch {epoch + 1}: saving model to {path}")
        if self.writes:
            os.makedirs(os.path.dirname(path) or ".", exist_ok=True)     # as Keras: a missing folder is made
            regular_or_absent(path, "ModelCheckpoint: ")     # a filled name ({epoch}): a pipe found only now
            if self.save_weights_only:          # Keras' habit: the weights alone, which load_weights reads
                self.network.save_weights(path, overwrite=True)
            else:
                self.network.save(path, include_optimizer=self.include_optimizer)
        self._say(f"Epoch {epoch + 1}: finished saving model to {path}")

    def _say(self, line: str) -> None:
        if self.prints:         # after a blank line, as Keras' (its line after the progress bar's)
            print("\n" + line, flush=True)

    def get_state(self) -> dict[str, Any]:
        return {"best_value": self.best, "batches": self.batches}

    def set_state(self, state: dict[str, Any]) -> None:
        self.best, self.batches = best_value(state, self.mode), int(state.get("batches", 0))
