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

    def busy(holder: dict) -> ValidationError:
        return ValidationError(
            f"checkpoint_dir {str(directory)!r} is in use by another training run ({_who(holder)}): two runs "
            "writing one folder overwrite each other's checkpoints. Give this run another checkpoint_dir, "
            f"or wait for that run to end (if it is gone, delete {str(path)!r})")
    try:
        return _take(path, str(directory.resolve()), busy)
    except OSError as exc:
        raise type(exc)(exc.errno, f"checkpoint_dir cannot be written ({exc.strerror})", str(directory)) from None


def output_lock(out: Path) -> Path:
    """The lock file of a model file that a job writes when it ends: '.NAME.lock' beside it."""
    return out.parent / f".{out.name}.lock"


def acquire_output(out: Path, option: str = "--out") -> Path:
    """Take the lock of the model file `out` for this job, before its training: a second job given the
    same file while the first trains is refused at once, naming the first, where before both trained
    and said 'saved', and the file held the model of the one that happened to end last."""
    path = output_lock(out)

    def busy(holder: dict) -> ValidationError:
        return ValidationError(
            f"{option} {str(out)!r} is being written by another training job ({_who(holder)}): the one that ended "
            f"last would replace the other's model. Give this job another {option}, or wait for that one to end "
            f"(if it is gone, delete {str(path)!r})")
    return _take(path, str(path.resolve()), busy)


def release_output(out: Path) -> None:
    """Remove this job's lock of the model file `out` (only if it is still this process's)."""
    _release(output_lock(out), str(output_lock(out).resolve()))


def _who(holder: dict) -> str:
    return f"process {holder.get('pid')} on {holder.get('host')}, since {holder.get('since')}"


def _take(path: Path, key: str, busy) -> Path:
    """Create the lock file `path` (O_EXCL) holding this process's id, taking over a dead holder's;
    `busy(holder)`: the error for a live one. `key`: what this process's own holds are known by."""
    me = {"pid": os.getpid(), "host": socket.gethostname(), "since": time.strftime("%Y-%m-%d %H:%M:%S")}
    with _guard:
        for _ in range(3):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                holder = _read(path)
                if _alive(holder, key):
                    raise busy(holder) from None
                try:
                    path.unlink()             # a dead run's lock: take it over
                except FileNotFoundError:
                    pass
                continue
            with os.fdopen(fd, "w") as f:
                json.dump(me, f)
            _held.add(key)
            return path
    raise ValidationError(f"could not take the lock {str(path)!r}")


def release(directory: Path) -> None:
    """Remove this run's lock (only if it is still this process's)."""
    _release(directory / LOCKNAME, str(directory.resolve()))


def _release(path: Path, key: str) -> None:
    with _guard:
        _held.discard(key)
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
