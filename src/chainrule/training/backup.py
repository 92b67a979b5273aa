"""Keras' BackupAndRestore callback: fit's checkpoint_dir with resume=True, in Keras 3's arguments (the checkpoint
itself is saving/checkpoint.py's)."""
from __future__ import annotations

import os
from collections.abc import Iterable

from ..errors import ValidationError
from ..nn import checks as check
from .callback import Callback


class BackupAndRestore(Callback):
    """Keras' BackupAndRestore: `fit(..., callbacks=[BackupAndRestore(backup_dir)])` is `fit(..., checkpoint_dir=
    backup_dir, resume=True)`: a checkpoint after every epoch, and the same fit run again after an interruption (Ctrl-C,
    a killed process) goes on from the last one, bit for bit. `delete_checkpoint=True` (Keras' default) removes the
    checkpoint and its history once training ends, so that the script run again trains afresh; False keeps them.
    `save_freq` is "epoch" alone (the state is whole only between epochs; Keras' number of batches is refused, saying
    so). The checkpoint is always replaced whole (written beside the old one, then renamed over it);
    `double_checkpoint=True` keeps the one before too (checkpoint.npz.bkp), restored when the last cannot be read.
    Unlike Keras', the History of a resumed fit holds the whole run's epochs (an uninterrupted fit's), and other
    arguments are refused."""

    def __init__(self, backup_dir: str | os.PathLike, save_freq: str = "epoch", double_checkpoint: bool = False,
                 delete_checkpoint: bool = True):
        self.backup_dir = os.fspath(check.path_like(backup_dir, "BackupAndRestore: backup_dir"))
        if not self.backup_dir:         # Path("") would be the current folder, as Keras refuses it
            raise ValidationError("BackupAndRestore: backup_dir is empty: give the name of a folder for its checkpoint")
        if not (isinstance(save_freq, str) and save_freq == "epoch"):
            raise ValidationError(f"BackupAndRestore: save_freq must be 'epoch'; got {save_freq!r}"
                                  f"{keras_freq(save_freq)}"
                                  ": here a backup is taken at each epoch's end alone, and an interrupted epoch is "
                                  "trained again from its start (bit for bit as an uninterrupted run)")
        self.double_checkpoint = check.flag(double_checkpoint, "BackupAndRestore: double_checkpoint")
        self.delete_checkpoint = check.flag(delete_checkpoint, "BackupAndRestore: delete_checkpoint")


def keras_freq(save_freq: object) -> str:
    """What Keras' BackupAndRestore means by a save_freq other than 'epoch', for the refusal."""
    if save_freq is False:
        return " (Keras': no backup but at a preemption, save_before_preemption)"
    if isinstance(save_freq, int):
        return " (Keras': a backup every batch)" if save_freq == 1 else f" (Keras': a backup every {save_freq} batches)"
    return " (Keras' takes 'epoch' or a number of batches)"


def keras_backup(callbacks: Iterable[Callback] | None, checkpoint_dir: str | os.PathLike | None,
                 resume: bool) -> tuple[Iterable[Callback] | None, str | os.PathLike | None, bool,
                                        BackupAndRestore | None]:
    """fit's callbacks without a BackupAndRestore, and what it stands for: fit's checkpoint_dir, resume=True (Keras'
    restores wherever a backup is); and the callback itself (its delete_checkpoint; None: none given)."""
    if callbacks is None or isinstance(callbacks, Callback) or not isinstance(callbacks, Iterable):
        return callbacks, checkpoint_dir, resume, None        # fit's own refusal, as before
    callbacks = list(callbacks)
    given = [cb for cb in callbacks if isinstance(cb, BackupAndRestore)]
    if not given:
        return callbacks, checkpoint_dir, resume, None
    if len(given) > 1 or checkpoint_dir is not None:
        also = f"checkpoint_dir={os.fspath(checkpoint_dir)!r}" if checkpoint_dir is not None else "another one"
        raise ValidationError(f"BackupAndRestore({given[0].backup_dir!r}) is fit's checkpoint_dir with resume=True; "
                              f"got {also} too: give one checkpoint folder")
    rest = [cb for cb in callbacks if not isinstance(cb, BackupAndRestore)]
    return rest, given[0].backup_dir, True, given[0]
