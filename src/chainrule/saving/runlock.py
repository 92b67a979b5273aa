"""One training run per checkpoint folder: a lock file holding the live process's id.

Two runs writing one `checkpoint_dir` would overwrite each other's checkpoints (and a resuming
run would delete the other's temporary files). The first run creates DIR/checkpoint.lock with
O_EXCL; a second run finds it, sees that the process it names is alive, and stops with an error
before training. A lock left by a run that died (kill -9) names a dead process and is taken over.
"""
from __future__ import annotations

import errno
import json
import os
import socket
import threading
import time
from pathlib import Path

from ..backend.processes import running
from ..errors import ValidationError

LOCKNAME = "checkpoint.lock"
_held: set[str] = set()           # folders locked by runs of this process
_guard = threading.Lock()


def prepare_folder(directory: Path) -> None:
    """Create `directory` (and its parents) or say, naming it, why it cannot be: before training,
    not after the first epoch."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise type(exc)(exc.errno, f"checkpoint_dir cannot be created ({exc.strerror})", str(directory)) from None
    if not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "checkpoint_dir exists and is not a folder", str(directory))


def acquire(directory: Path) -> Path:
    """Take the folder's lock for this run (the lock file's creation also proves the folder can be
    written), or raise ValidationError naming the live run that holds it."""
    prepare_folder(directory)
    path = directory / LOCKNAME
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    key = str(directory.resolve())
    with _guard:
        for _ in range(3):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = _read(path)
                if _alive(holder, key):
                    raise ValidationError(
                        f"checkpoint_dir {str(directory)!r} is in use by another training run (process "
                        f"{holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}): two runs "
                        "writing one folder overwrite each other's checkpoints. Give this run another checkpoint_dir, "
                        f"or wait for that run to end (if it is gone, delete {str(path)!r})") from None
                try:
                    path.unlink()             # a dead run's lock: take it over
                except FileNotFoundError:
                    pass
                continue
            except OSError as exc:
                raise type(exc)(exc.errno, f"checkpoint_dir cannot be written ({exc.strerror})",
                                str(directory)) from None
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            _held.add(key)
            return path
    raise ValidationError(f"checkpoint_dir {str(directory)!r}: could not take its lock {str(path)!r}")


def release(directory: Path) -> None:
    """Remove this run's lock (only if it is still this process's)."""
    path = directory / LOCKNAME
    with _guard:
        _held.discard(str(directory.resolve()))
        if _read(path).get("pid") == os.getpid():
            try:
                path.unlink()
            except FileNotFoundError:
                pass


def _read(path: Path) -> dict:
    try:
        holder = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return holder if isinstance(holder, dict) else {}


def _alive(holder: dict, key: str) -> bool:
    """Whether the run named by a lock is running: this process's own runs by the folders they
    hold, another host's always (it cannot be checked from here), others by their process id."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False                        # unreadable, or half-written by a run killed at that moment
    # by host name, not PID namespace (as the compiling lock): a container restarted after a crash
    # keeps its name in a new namespace, and its run's lock must be taken over for --resume
    if holder.get("host") != socket.gethostname():
        return True
    if pid == os.getpid():
        return key in _held
    return running(pid)                     # a zombie (killed, never reaped) is a run that ended
