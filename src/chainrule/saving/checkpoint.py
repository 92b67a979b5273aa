"""Checkpoints of `fit`: everything needed to continue training exactly where it stopped.

At the end of every epoch `fit(..., checkpoint_dir=DIR)` appends the epoch's metrics to
DIR/history.jsonl and writes DIR/checkpoint.npz: the weights, the optimizer state (with its step
count), the state of the random generator that shuffles and drops out, the epoch reached, the
callbacks' state (EarlyStopping's patience count and best weights, ModelCheckpoint's best value)
and a fingerprint of the run (architecture, optimizer, data shapes and hashes). The checkpoint's
size does not grow with the epochs (the history is appended, never rewritten), it is replaced
atomically, and a lock file keeps a second run out of the folder. `fit(..., resume=True)` checks
the fingerprint, reads the state and goes on; with the same arguments the result equals an
uninterrupted run bit for bit, callbacks included. `BackupAndRestore` (as Keras' callback of that
name) is how the fit loop uses this module.
"""
from __future__ import annotations

import errno
import json
import math
import os
import sys
import warnings
from contextlib import suppress
from pathlib import Path
from typing import Any

import numpy as np

from ..callers import caller_level
from ..data import advice
from ..data.filecontent import kind_of
from ..errors import ModelFileError, TrainingDiverged, ValidationError
from ..nn.divergence import REMEDIES, nonfinite_update
from ..training.callback import stateful
from ..training.callbacks import Callback, EpochLogger, ModelCheckpoint, ProgressBar
from . import runlock
from .checkpoint_folder import (
    FILENAME,
    HISTORY,
    KERNEL_PATH,
    KERNELS,
    PREVIOUS,
    STATE_KEYS,
    checkpoint_path,
    copy_whole,
    cut_short,
    file_of,
    folder,
    kernel_path,
    network_change,
    read_history,
    with_arrays,
)
from .fingerprint import differences, fingerprint
from .modelkind import AGAIN, about, named
from .npz import check_registered, load_all, write
from .npzcheck import FLOAT_VERSION, FORMAT_VERSION, plain_json, uses_float_key


class CheckpointExtra(Callback):
    """JSON that every checkpoint carries besides the run (`chainrule train` gives its CSV
    preprocessing, so that `predict` reads a checkpoint as it reads the final model)."""

    def __init__(self, extra: dict):
        self.extra = dict(extra)


class BackupAndRestore(Callback):
    """The fit loop's checkpoint component: takes the folder's lock and restores the last
    checkpoint (with resume=True) before the first epoch, the callbacks' state after their
    on_train_begin, and writes a checkpoint after every epoch. It runs after every other
    callback, so the checkpoint holds what they added to the epoch's logs."""

    def __init__(self, directory, resume: bool = False, delete_at_end: bool = False, keras: bool = False,
                 double: bool = False):
        self.directory, self.resume = folder(directory), resume
        #: Keras' double_checkpoint: the checkpoint before the last kept too, restored when the last cannot be read
        self.double = double
        self.from_previous: str | None = None      # why the last could not be read, where the one before was
        #: Keras' delete_checkpoint: the checkpoint and history removed once training ends (the folder too, if empty)
        self.delete_at_end, self.deleted = delete_at_end, False
        #: given as Keras' BackupAndRestore(backup_dir): messages name that, and a fresh run starts silently (Keras')
        self.keras = keras
        self.epochs = 0
        self.trainer: Any = None
        self.saved_callbacks: list | None = None
        self.stopped, self.saved, self.fresh = False, 0, False
        #: the history holds infinity or NaN, as {"__float__": ...}: the checkpoint then says format version 2
        self.float_logs = False
        self.locked = False
        #: the path the run's epochs took (training.compiled.PATHS): as its checkpoint says (None: it does not;
        #: "compiled": an older one's yes), and as this run's do (the fit loop sets it; None: a sequence of batches)
        self.compiled: str | None = None
        self.ran: str | None = None

    # -- before training ------------------------------------------------------------------------
    def restore(self, trainer, epochs: int | None = None) -> int:
        """Lock the folder; with resume, load the last checkpoint into `trainer`'s network, random
        generator and history and return the epochs it had done (0 without one); the epochs of
        this run when that run had already stopped early (EarlyStopping)."""
        self.trainer = trainer
        with advice.words("backup" if self.keras else "fit"):
            return self._restore(trainer, epochs)

    def _restore(self, trainer, epochs: int | None) -> int:
        check_registered(trainer.net)       # what the checkpoint could not save is refused before the first epoch
        for cb in trainer.callbacks:        # the model would replace the checkpoint (resume then fails)
            if isinstance(cb, ModelCheckpoint) and file_of(cb.filepath, self.directory):
                raise ValidationError(f"ModelCheckpoint: filepath {cb.filepath!r} is a file of "
                                      f"{advice.give('checkpoint_dir')} {str(self.directory)!r}, which fit writes; "
                                      "give ModelCheckpoint another file")
        if self.directory.exists() and not self.directory.is_dir():    # not mkdir's "File exists"
            raise NotADirectoryError(errno.ENOTDIR, f"{advice.give('checkpoint_dir')} is a file, not a folder: give "
                                     "a folder for the checkpoint", str(self.directory))
        runlock.acquire(self.directory, taken=self._locked)      # recorded as the file appears
        self.fingerprint = fingerprint(trainer)
        done = self._load(trainer) if self.resume else self._keep_unfinished()
        self.saved = done                                           # the epoch of the checkpoint there (0: none)
        self.fresh = not done         # a new run: it replaces the folder's checkpoint and history at its first epoch
        self._announce(trainer, done, epochs)
        return max(done, epochs or 0) if self.stopped else done

    def _keep_unfinished(self) -> int:
        """A new run (resume=False) would replace the checkpoint and the history: refused where they
        are those of a run cut short (a crash, a kill), which resume=True continues, and where the
        file cannot be read (a newer format) or is not a checkpoint: what it holds is unknown."""
        path = checkpoint_path(self.directory)
        afresh = (f"to start afresh, delete {named(path)} and {HISTORY} beside it, or use another "
                  f"{advice.give('checkpoint_dir')}")
        if not path.exists():
            return 0
        try:
            state = (load_all(path)[1] or {}).get("checkpoint")
        except (ModelFileError, ValidationError, OSError) as exc:     # perhaps a run's, of a newer chainrule
            raise self._not_ours(path, exc) or ModelFileError(
                f"{named(path)} cannot be read, so a new run would replace what may be an unfinished run: "
                f"{about(str(exc), path).removesuffix(AGAIN)}; {afresh}") from None
        if not isinstance(state, dict):
            raise ModelFileError(f"{named(path)} is a model file, not a training checkpoint: a new run would "
                                 f"overwrite it; move it elsewhere, or use another {advice.give('checkpoint_dir')}")
        epoch, epochs = state.get("epoch"), state.get("epochs")
        if cut_short(state):
            raise ValidationError(f"{named(path)} holds a run stopped at epoch {epoch} of {epochs}; a new run would "
                                  "replace "
                                  f"it: {advice.give('resume')} continues it; to start over, delete the file or use "
                                  f"another {advice.give('checkpoint_dir')}")
        return 0

    def _load(self, trainer) -> int:
        path = checkpoint_path(self.directory)
        for stale in self.directory.glob(f".{FILENAME}.*.tmp"):   # a write cut by a kill; the lock is ours
            try:
                stale.unlink()
            except OSError:
                pass
        if not path.exists():
            return 0
        saved, extra, arrays = self._read(path)
        state = (extra or {}).get("checkpoint")
        if not isinstance(state, dict):
            raise ModelFileError(f"{named(path)} is a model file, not a training checkpoint")
        net = trainer.net
        if json.dumps(saved.config(), sort_keys=True) != json.dumps(net.config(), sort_keys=True):
            raise ValidationError(f"the checkpoint in {named(path)} is of another network: "
                                  f"{network_change(saved, net)}. Resume with the network it was written by, or use "
                                  f"another {advice.give('checkpoint_dir')}, or delete the checkpoint to start over")
        epoch = state.get("epoch")
        if (set(state) != STATE_KEYS or type(epoch) is not int or epoch < 0    # True == 1, but is no count
                or not isinstance(state["rng"], dict) or type(state["history_len"]) is not int
                or not 0 <= state["history_len"] <= epoch or not isinstance(state["stopped"], bool)
                or not isinstance(state["callbacks"], list) or not isinstance(state["fingerprint"], dict)):
            raise ModelFileError(f"{named(path)}: the checkpoint's training state is invalid (epoch, history, rng, "
                                 "stopped, callbacks or fingerprint)")
        found = differences(state["fingerprint"], self.fingerprint)
        if found:
            raise ValidationError(f"cannot resume from {named(path)}: it was written by another run; what differs: "
                                  f"{'; '.join(found)}. Resume with the same {advice.give('same arguments')}, or "
                                  f"use another {advice.give('checkpoint_dir')}, or delete the checkpoint to start "
                                  "over")
        kept = state["history_len"]            # epoch - initial_epoch: fit's history of this run
        history, hist_epochs = read_history(self.directory, kept)
        self.float_logs = not all(math.isfinite(v) for values in history.values() for v in values
                                  if isinstance(v, float))
        try:
            trainer.rng.bit_generator.state = state["rng"]
        except (TypeError, ValueError, KeyError) as exc:
            raise ModelFileError(f"{named(path)}: the random generator state is invalid: {exc}") from None
        with open(self.directory / HISTORY, "r+b") as f:           # drop lines written after the checkpoint
            f.truncate(sum(len(line) + 1 for line in f.read().split(b"\n")[:kept]))
        self.compiled = kernel_path(extra or {})
        net.params[...] = saved.params
        net.optimizer = saved.optimizer
        net.epochs_trained = saved.epochs_trained
        trainer.history.history, trainer.history.epoch = history, hist_epochs
        self.saved_callbacks = [with_arrays(entry, arrays, path) for entry in state["callbacks"]]
        self.stopped = state["stopped"]
        return epoch

    def _read(self, path: Path) -> tuple:
        """The checkpoint's network, JSON and arrays; a damaged one is refused naming the folder and what to do, or
        with double_checkpoint replaced by the one before (as Keras' restores it) once that one reads whole."""
        previous = self.directory / PREVIOUS
        try:
            return load_all(path)
        except ModelFileError as exc:
            foreign = self._not_ours(path, exc)        # never replaced by the one before: the user's
            if foreign or not (self.double and previous.exists()):
                raise foreign or self._damaged(exc) from None
            last = exc
        try:
            found = load_all(previous)
        except ModelFileError as exc:       # both left as they are, for the user to look at
            raise self._damaged(last, f"; the one before is damaged too: {str(exc).removesuffix(AGAIN)}",
                                "both") from None
        self.from_previous = str(last).removesuffix(AGAIN)      # copied over it and said once the run goes on
        return found

    def _not_ours(self, path: Path, exc: Exception) -> ModelFileError | None:
        """A file of another kind under the checkpoint's name (another library's, np.savez data, a CSV file): the
        user's, said as what it is, never as a damaged checkpoint to delete; None for chainrule's own (cut short
        too)."""
        try:
            if kind_of(path)[0] in ("model", "empty"):
                return None
        except OSError:
            return None
        return ModelFileError(f"{advice.give('checkpoint_dir')} {str(self.directory)!r} holds a file chainrule did not "
                              f"write under the checkpoint's name: {str(exc).removesuffix(AGAIN)}. It is no "
                              f"checkpoint: move it elsewhere, or use another {advice.give('checkpoint_dir')}")

    def _damaged(self, exc: ModelFileError, before: str = "", files: str = "it") -> ModelFileError:
        more = ", or give double_checkpoint=True to keep the one before too" if self.keras and not self.double else ""
        why = str(exc).removesuffix(AGAIN)              # a checkpoint is not copied again: it is started over
        return ModelFileError(f"{advice.give('checkpoint_dir')} {str(self.directory)!r} holds a damaged checkpoint: "
                              f"{why}{before}. To start over, delete {files} and {HISTORY} beside {files}{more}")

    def _announce(self, trainer, done: int, epochs: int | None) -> None:
        """'resumed from epoch N of M' where fit's progress prints (stdout, as Keras' callbacks print their lines,
        or the ProgressBar's own `file`), unless fit runs silently (verbose=0)."""
        shown = [cb for cb in trainer.callbacks if isinstance(cb, (ProgressBar, EpochLogger))]
        if not self.resume or not shown or (self.keras and not done):
            return
        total = epochs if epochs is not None else "?"
        if not done:
            text = (f"no checkpoint in {str(self.directory)!r} yet: starting at epoch "
                    f"{getattr(trainer, 'initial_epoch', 0) + 1} of {total}")
        elif self.stopped:
            text = f"resumed from epoch {done} of {total}: training had stopped early there; nothing left to do"
        elif epochs is not None and done >= epochs:
            text = f"resumed from epoch {done} of {total}: training was already complete"
        else:
            text = f"resumed from epoch {done} of {total} ({checkpoint_path(self.directory)})"
        print(f"chainrule: {text}", file=getattr(shown[0], "file", None) or sys.stdout, flush=True)

    def restore_callbacks(self, trainer) -> None:
        """After the callbacks' on_train_begin (which resets them): give each its saved state."""
        if self.saved_callbacks is None:
            return
        current = stateful(trainer.callbacks)
        names = [type(cb).__name__ for cb in current]
        saved = [entry.get("class") for entry in self.saved_callbacks]
        if names != saved:
            shown = [[n for n in found if n != "History"] for found in (saved, names)]     # History: always there
            raise ValidationError(f"cannot resume: the checkpoint was written with the callbacks {shown[0]}, this "
                                  f"run has {shown[1]}; pass the same callbacks (their state, such as EarlyStopping's "
                                  "patience count, is part of the run)")
        for cb, entry in zip(current, self.saved_callbacks):
            cb.set_state(entry["state"])
        if self.stopped:
            trainer.net.stop_training = True
        self._went_on_from_previous()

    def _went_on_from_previous(self) -> None:
        """The backup before a damaged one (`_read`) replaces it, said in a warning (Keras' is silent), once the run
        goes on from it: a resume refused after the read (other arguments, callbacks) leaves both files, unsaid."""
        if self.from_previous is None:
            return
        why, self.from_previous = self.from_previous, None
        copy_whole(self.directory / PREVIOUS, checkpoint_path(self.directory))  # the next epoch's copy must not take it
        with advice.words("backup" if self.keras else "fit"):
            warnings.warn(f"{advice.give('checkpoint_dir')} {str(self.directory)!r}: the last checkpoint was damaged "
                          f"({why}); resumed from the one before ({PREVIOUS}), epoch {self.saved}, so the epochs "
                          "after it are trained again", UserWarning, stacklevel=caller_level())

    # -- during training -------------------------------------------------------------------------
    def on_train_begin(self, params):
        if self.trainer is None:        # given among fit's callbacks: restore() never ran, its first save failed
            raise ValidationError("chainrule.saving.checkpoint.BackupAndRestore is fit's own part: give "
                                  "cr.callbacks.BackupAndRestore(backup_dir) among the callbacks, or fit's "
                                  "checkpoint_dir (with resume=True)")
        self.epochs = params["epochs"]

    def kept(self) -> str:
        """What a divergence leaves in the folder, for its message."""
        return (f"the checkpoint of epoch {self.saved} in {str(self.directory)!r} is kept" if self.saved
                else "no checkpoint")

    def on_epoch_end(self, epoch, logs):
        trainer, net = self.trainer, self.network
        if not np.isfinite(net.params).all():     # the epoch's last update: said as fit says it, not "cannot save"
            raise TrainingDiverged(f"training diverged in its last update (epoch {epoch + 1}): "
                                   f"{nonfinite_update(net)}; {self.kept()}. Try {REMEDIES}")
        history = trainer.history
        entry = {"epoch": history.epoch[-1], "logs": {k: v[-1] for k, v in history.history.items()}}
        plain = plain_json(entry, "the history")
        line = json.dumps(plain, allow_nan=False)   # standard JSON: NaN as npzcheck has it
        self.float_logs = self.float_logs or uses_float_key(plain)
        if self.fresh:      # a new run replaces the folder's (finished) run only now: one failing earlier leaves it
            checkpoint_path(self.directory).unlink(missing_ok=True)   # first: a kill now leaves no checkpoint
            (self.directory / PREVIOUS).unlink(missing_ok=True)
        elif self.double and checkpoint_path(self.directory).exists():
            copy_whole(checkpoint_path(self.directory), self.directory / PREVIOUS)
        with open(self.directory / HISTORY, "wb" if self.fresh else "ab") as f:   # appended: constant time per epoch
            f.write(line.encode() + b"\n")
            f.flush()
            os.fsync(f.fileno())
        entries, arrays = [], {}
        for i, cb in enumerate(stateful(trainer.callbacks)):
            state = dict(cb.get_state() or {})
            for key, value in list(state.items()):
                if isinstance(value, np.ndarray):                  # a vector like the parameters
                    arrays[f"cb{i}_{key}"] = value
                    state[key] = {"array": f"cb{i}_{key}"}
            entries.append({"class": type(cb).__name__, "state": state})
        extra = {k: v for cb in trainer.callbacks if isinstance(cb, CheckpointExtra) for k, v in cb.extra.items()}
        if self.ran is not None:             # a resumed run takes the same path (training.compiled.prepare_run)
            extra[KERNEL_PATH], extra[KERNELS] = self.ran, self.ran != "numpy"     # the yes/no: older chainrule's
        extra["checkpoint"] = {"epoch": epoch + 1, "epochs": self.epochs, "rng": trainer.rng.bit_generator.state,
                               "history_len": len(history.epoch), "stopped": bool(net.stop_training),
                               "fingerprint": self.fingerprint, "callbacks": entries}
        # a history of {"__float__": ...}: version 2, which a chainrule reading version 1 alone refuses by name
        write(net, checkpoint_path(self.directory), include_optimizer=True, extra=extra, extra_arrays=arrays,
              version=FLOAT_VERSION if self.float_logs else FORMAT_VERSION)
        self.saved, self.fresh = epoch + 1, False

    def on_train_end(self):
        if self.delete_at_end and self.locked:     # a fit run again then trains afresh, as after Keras' own
            for name in (FILENAME, PREVIOUS, HISTORY):
                (self.directory / name).unlink(missing_ok=True)
            self.deleted = True

    def _locked(self) -> None:
        self.locked = True

    def release(self) -> None:
        if self.locked:
            runlock.release(self.directory)
            self.locked = False
            if self.deleted:
                with suppress(OSError):        # not empty (the user's files), or the current folder: kept
                    self.directory.rmdir()

