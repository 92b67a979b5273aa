"""What a checkpoint folder holds: its files' names, the history file read back, the fields of a
checkpoint's state as the fit loop's component (`checkpoint.BackupAndRestore`), the CLI and the plots read
them, and a file copied whole over another (the double checkpoint's backup)."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, ValidationError, counted
from ..training.callbacks import logged
from . import runlock
from .files import atomic_write
from .modelkind import named
from .npzcheck import as_float

FILENAME = "checkpoint.npz"
HISTORY = "history.jsonl"
PREVIOUS = FILENAME + ".bkp"        # Keras' double_checkpoint: the checkpoint before the last
KERNELS = "compiled_kernels"         # extra's key: whether the run's epochs ran with the compiled kernels (older)
KERNEL_PATH = "kernel_path"          # ... and which path they took: "numpy", "kernels" or "tiny" (compiled.PATHS)
STATE_KEYS = {"epoch", "epochs", "rng", "history_len", "stopped", "fingerprint", "callbacks"}


def checkpoint_path(directory) -> Path:
    return Path(directory) / FILENAME


def folder(directory, name: str = "checkpoint_dir") -> Path:
    """The checkpoint folder `name` (fit's argument, the CLI's option) as a Path; "" is refused:
    Path("") is the current folder, where the checkpoint and history would be written."""
    if os.fspath(directory) == "":
        raise ValidationError(f"{name} is empty: give the name of a folder for {FILENAME} and {HISTORY}")
    return Path(directory)


def file_of(path, directory) -> str | None:
    """Which file of the checkpoint folder (checkpoint, history, lock) `path` is, if any: a model
    written there would replace it."""
    for name in (FILENAME, PREVIOUS, HISTORY, runlock.LOCKNAME):
        if Path(path).resolve() == (Path(directory) / name).resolve():
            return name
    return None


def cut_short(state: Any) -> bool:
    """Whether a checkpoint's state is of a run stopped before its last epoch (not by EarlyStopping)."""
    epoch, epochs = (state.get("epoch"), state.get("epochs")) if isinstance(state, dict) else (None, None)
    return type(epoch) is int and type(epochs) is int and epoch < epochs and not state.get("stopped")


def network_change(saved: Any, now: Any) -> str:
    """What differs between the checkpoint's network and this run's, the first layer that differs named (an edit to
    the net between the runs), or its loss or dtype alone, else both whole."""
    before, after = saved.config(), now.config()
    for key in ("loss", "dtype"):
        if before[key] != after[key] and before["layers"] == after["layers"]:
            return f"the {key} is {before[key]!r} in the checkpoint, {after[key]!r} now"
    if len(saved.layers) != len(now.layers):
        return f"{counted(len(saved.layers), 'layer')} in the checkpoint, {len(now.layers)} now: {saved!r}; now {now!r}"
    for i, (old, new) in enumerate(zip(saved.layers, now.layers)):
        if json.dumps(old.config(), sort_keys=True) != json.dumps(new.config(), sort_keys=True):
            return f"layer {i} is {old!r} in the checkpoint, {new!r} now"
    return f"{saved!r} in the checkpoint; now {now!r}"


def kernel_path(extra: dict) -> str | None:
    """The path a checkpoint's epochs took: its `KERNEL_PATH`, else an older one's yes/no (yes: "compiled", one of
    the compiled loops, which it does not say), else None (it does not say)."""
    path, ran = extra.get(KERNEL_PATH), extra.get(KERNELS)
    if path in ("numpy", "kernels", "tiny"):
        return str(path)
    return None if not isinstance(ran, bool) else "compiled" if ran else "numpy"


def read_history(directory, epochs: int | None = None) -> tuple[dict[str, list[float]], list[int]]:
    """The metrics of the first `epochs` epochs (all complete lines when None) from the folder's
    history file: (History.history, History.epoch)."""
    path = Path(directory) / HISTORY
    history: dict[str, list[float]] = {}
    done: list[int] = []
    lines = path.read_bytes().split(b"\n") if path.exists() else []
    complete = lines[:-1]                       # the last piece is empty, or a line cut by a kill
    if epochs is not None and len(complete) < epochs:
        raise ModelFileError(f"{named(path)} holds {counted(len(complete), 'epoch')} of history; "
                             f"the checkpoint needs {epochs}")
    for line in complete[:epochs]:
        try:
            entry = json.loads(line, object_hook=as_float)
            epoch, logs = entry["epoch"], entry["logs"]
            for key, value in logs.items():
                history.setdefault(key, []).append(logged(value))       # a callback's text or list as it is
        except (ValueError, KeyError, TypeError, AttributeError):
            raise ModelFileError(f"{named(path)}: a line of the history is not valid: {line[:200]!r}") from None
        done.append(int(epoch))
    return history, done


def copy_whole(source: Path, target: Path) -> None:
    """`source` copied over `target` whole (files.atomic_write: beside it, synced, renamed over it)."""
    with open(source, "rb") as f:
        atomic_write(target, lambda out: shutil.copyfileobj(f, out))


def with_arrays(entry: Any, arrays: dict[str, np.ndarray], path: Path) -> dict:
    if not isinstance(entry, dict) or not isinstance(entry.get("state"), dict):
        raise ModelFileError(f"{named(path)}: a callback's saved state is invalid: {entry!r}"[:300])
    state = dict(entry["state"])
    for key, value in state.items():
        if isinstance(value, dict) and set(value) == {"array"}:
            if value["array"] not in arrays:
                raise ModelFileError(f"{named(path)}: the callback state names a missing array {value['array']!r}")
            state[key] = arrays[value["array"]]
    return {"class": entry.get("class"), "state": state}
