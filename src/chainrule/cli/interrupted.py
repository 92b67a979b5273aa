"""What an interrupted command says it left: its --out file written or not, and what --resume would do."""
from __future__ import annotations

from typing import Any


def _identity(path: Any) -> tuple[int, int, int] | None:
    """The file at `path` as a rename replaces it (device, inode, time), or None where there is none."""
    import os
    try:
        st = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns


def _resume_advice(args) -> str:
    """What --resume would do after the interruption: continue the checkpoint in --checkpoint-dir, if a
    run cut short left one there (before its first epoch's end, none: --resume started at epoch 1)."""
    folder = getattr(args, "checkpoint_dir", None)
    if not folder:
        return ""
    from ..errors import ChainruleError
    from ..saving.checkpoint import checkpoint_path, cut_short
    from ..saving.npz import load_all
    try:      # a run cut short's (a finished run's is not continued; an unreadable file: resume says why)
        state = (load_all(checkpoint_path(folder))[1] or {}).get("checkpoint")
    except (ChainruleError, OSError):
        state = None
    if checkpoint_path(folder).exists() and not (isinstance(state, dict) and cut_short(state)):
        return (f"; no checkpoint of this run was written yet in {str(folder)!r} (the one there is not a run cut "
                "short; the first is written at the end of epoch 1)")
    if not isinstance(state, dict):
        return (f"; no checkpoint was written yet in {str(folder)!r} (the first is written at the end of "
                "epoch 1): --resume would start at epoch 1")
    return (f"; run the same command with --resume to continue from the last checkpoint in {str(folder)!r} "
            f"(epoch {state['epoch']} of {state['epochs']})")
