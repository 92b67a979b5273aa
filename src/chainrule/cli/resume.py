"""train --resume: the line saying where a resumed run starts (the engine's BackupAndRestore restores it), a warning
where it has nothing left to train."""
from __future__ import annotations

import sys
import warnings

from ..teach.width import say
from ..training import callbacks


class ResumeNote(callbacks.Callback):
    """Says where a resumed run starts."""

    def __init__(self, folder: str):
        self.folder = folder
        self.nothing_left = False         # the checkpoint had done every epoch: fit trains none (as Keras' fit)

    def on_train_begin(self, params):
        done, total = params.get("initial_epoch", 0), params["epochs"]
        if not done:
            say(f"no checkpoint in {self.folder!r} yet: starting at epoch 1 of {total}", sys.stderr)
        elif done >= total:           # fit trains nothing (as Keras' fit with initial_epoch == epochs): a warning,
            self.nothing_left = True  # said under --quiet too (the run did not do what was asked)
            warnings.warn(f"nothing left to train: the checkpoint in {self.folder!r} has finished epoch {done} and "
                          f"--epochs is {total}; resume with a larger --epochs (e.g. --epochs {2 * done}) to train "
                          "more", stacklevel=2)
        else:
            say(f"resumed from epoch {done} of {total}", sys.stderr)
