"""train --resume: the line saying where a resumed run starts (the engine's BackupAndRestore restores it)."""
from __future__ import annotations

import sys

from ..teach.width import say
from ..training import callbacks


class ResumeNote(callbacks.Callback):
    """Says where a resumed run starts."""

    def __init__(self, folder: str):
        self.folder = folder

    def on_train_begin(self, params):
        done, total = params.get("initial_epoch", 0), params["epochs"]
        if not done:
            say(f"no checkpoint in {self.folder!r} yet: starting at epoch 1 of {total}", sys.stderr)
        elif done >= total:
            say(f"resumed from epoch {done} of {total}: training was already complete", sys.stderr)
        else:
            say(f"resumed from epoch {done} of {total}", sys.stderr)
