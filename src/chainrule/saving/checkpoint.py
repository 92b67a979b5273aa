"""Checkpoints of `fit`: everything needed to continue training exactly where it stopped.

At the end of every epoch `fit(..., checkpoint_dir=DIR)` writes DIR/checkpoint.npz: the weights,
the optimizer state (with its step count), the state of the random generator that shuffles and
drops out, the epoch reached and the history. The file is replaced atomically (saving.atomic_write),
so a kill at any moment leaves the previous complete checkpoint. `fit(..., resume=True)` reads it
and goes on; with the same arguments the result equals an uninterrupted run bit for bit.
`BackupAndRestore` (as Keras' callback of that name) is how the fit loop uses this module.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from ..errors import ModelFileError, ValidationError
from ..training.callbacks import Callback
from .npz import load, save

FILENAME = "checkpoint.npz"


def checkpoint_path(directory) -> Path:
    return Path(directory) / FILENAME


def write(net, directory, *, epoch: int, epochs: int, rng: np.random.Generator, history) -> Path:
    """Save the state after `epoch` (0-based) of a fit of `epochs` epochs."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = checkpoint_path(directory)
    extra = {"checkpoint": {"epoch": epoch + 1, "epochs": epochs, "rng": rng.bit_generator.state,
                            "history": history.history, "history_epochs": history.epoch}}
    save(net, path, include_optimizer=True, extra=extra)
    return path


def restore(net, directory, rng: np.random.Generator, history) -> int:
    """Load the last complete checkpoint into `net`, `rng` and `history`; return the epochs done
    (0 when there is no checkpoint yet, so a first run with resume=True simply starts).

    Temporary files left by a write that was interrupted (a kill before the rename) are removed:
    the checkpoint they were meant to replace is still complete."""
    directory = Path(directory)
    path = checkpoint_path(directory)
    for stale in directory.glob(f".{FILENAME}.*.tmp") if directory.is_dir() else ():
        try:
            stale.unlink()
        except OSError:
            pass
    if not path.exists():
        return 0
    saved, extra = load(path, with_extra=True)
    state = (extra or {}).get("checkpoint")
    if not isinstance(state, dict):
        raise ModelFileError(f"{path} is a model file, not a training checkpoint")
    if json.dumps(saved.config(), sort_keys=True) != json.dumps(net.config(), sort_keys=True):
        raise ValidationError(f"the checkpoint in {path} is of another network: {saved!r}; this one is {net!r}")
    epoch, hist, hist_epochs = state.get("epoch"), state.get("history"), state.get("history_epochs")
    if (set(state) != {"epoch", "epochs", "rng", "history", "history_epochs"}
            or not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0
            or not isinstance(hist, dict) or not all(isinstance(v, list) for v in hist.values())
            or not isinstance(hist_epochs, list) or not isinstance(state["rng"], dict)):
        raise ModelFileError(f"{path}: the checkpoint's training state is invalid (epoch, history or rng)")
    try:
        rng.bit_generator.state = state["rng"]
    except (TypeError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{path}: the random generator state is invalid: {exc}") from None
    net.params[...] = saved.params
    net.optimizer = saved.optimizer
    net.epochs_trained = saved.epochs_trained
    history.history = {k: list(v) for k, v in hist.items()}
    history.epoch = list(hist_epochs)
    return epoch


class BackupAndRestore(Callback):
    """The fit loop's checkpoint component: restores the last checkpoint of `directory` before the
    first epoch (with resume=True) and writes one after every epoch. It runs after every other
    callback, so the checkpoint holds what they added to the epoch's logs."""

    def __init__(self, directory, resume: bool = False):
        self.directory, self.resume = Path(directory), resume
        self.epochs = 0
        self.trainer = None

    def restore(self, trainer) -> int:
        """The epochs already done by `trainer`'s run (0 without resume or checkpoint), after
        loading their state into its network, random generator and history."""
        self.trainer = trainer
        return restore(trainer.net, self.directory, trainer.rng, trainer.history) if self.resume else 0

    def on_train_begin(self, params):
        self.epochs = params["epochs"]

    def on_epoch_end(self, epoch, logs):
        write(self.network, self.directory, epoch=epoch, epochs=self.epochs, rng=self.trainer.rng,
              history=self.trainer.history)
