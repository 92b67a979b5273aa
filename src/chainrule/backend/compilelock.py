"""The lock of the background compiling (warmup.py): one process compiles into a cache folder at a time.

The lock holds '<machine> <pid>' of the compiling process. It appears whole: its text is written to a
temporary file beside it, which is then linked into place (that fails where the lock exists, so of processes
taking it at once one does); before, it was created and then written, and a process killed
between the two (kill -9) left an empty lock, taken for another machine's, that held every compiling and
`chainrule compile` back for 10 minutes. An empty or unreadable lock (one such, or one created in place
where the file system has no hard links) is stale once EMPTY_SECONDS old; a lock whose process is gone
at once; any after 10 minutes. A stale lock is taken over by `unstale`, which of processes finding it at once
lets one remove it (an flock on it held through the judging and the removal), so that one of them takes
it: before, each removed it and linked its own, and one could remove the lock another had just linked.
saving/runlock.py writes its locks with the same `linked`, and takes over a dead run's with `unstale`. A
process killed between the temporary file's creation and its removal leaves it ('LOCK.<pid>.<hex>.tmp'):
`leftover` tells such a one, which `chainrule compile --force` removes, and runlock as it takes a lock.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from collections.abc import Callable
from pathlib import Path

from .processes import machine, running, wrote

try:
    import fcntl
except ImportError:                 # Windows
    fcntl = None  # type: ignore[assignment]

FRESH_SECONDS = 600.0     # a lock this old (either way: a clock ahead on a shared folder) holds nothing back
EMPTY_SECONDS = 5.0       # an empty or unreadable lock this old was left by a process killed as it wrote it
#: what os.link raises on a file system without hard links: the lock is then created in place
NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS}
TRIES = 5                 # links and takeovers tried before giving up: each lost one is another process's win


def fresh(lock: str) -> bool:
    """Whether `lock` may still be held: written in the last 10 minutes and naming a process that may
    still run (one of this machine whose process is gone, by SIGKILL or a container stopped, holds
    nothing back; another machine's is trusted), or empty or unreadable for less than EMPTY_SECONDS."""
    try:
        age = time.time() - os.path.getmtime(lock)
        where, _, pid = Path(lock).read_text().strip().rpartition(" ")
    except (OSError, UnicodeDecodeError):
        return False
    if not -FRESH_SECONDS < age < FRESH_SECONDS:
        return False
    if not where or not pid.isdigit():                  # empty, or half written
        return -EMPTY_SECONDS < age < EMPTY_SECONDS
    return where != machine() or wrote(int(pid), time.time() - age)     # its process, not a later one of its id


def take(lock: str) -> bool:
    """Create `lock` naming this process unless a fresh one exists: a stale one is taken over (`unstale`)."""
    text = f"{machine()} {os.getpid()}".encode()
    for _ in range(TRIES):
        if linked(lock, text):
            return True
        if not unstale(lock, lambda: not fresh(lock)):
            return False
    return False


def unstale(lock: str, stale: Callable[[], bool]) -> bool:
    """Remove `lock` where `stale()` says so: True where it is gone (removed here or by another process
    meanwhile: the caller links its own again), False where a live process holds it. Atomic among processes
    doing so: each holds an flock on the file it judges and removes it only while `lock` is still that file,
    where before one could remove the lock another had just linked in place of the stale one, and both went
    on as holders. Without flock (Windows: an open file cannot be removed there) or where it is refused, not
    atomic."""
    fd = -1
    if fcntl is not None:
        try:
            fd = _opened(lock)
        except FileNotFoundError:
            return True
        except OSError:                 # unreadable: judged without the flock
            fd = -1
    try:
        if fd >= 0:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX)          # held to the close below
            try:
                if not os.path.samestat(os.fstat(fd), os.stat(lock)):
                    return True                         # removed and linked again meanwhile: look again
            except FileNotFoundError:
                return True
        if not stale():
            return False
        with contextlib.suppress(FileNotFoundError):
            os.unlink(lock)
        return True
    finally:
        if fd >= 0:
            os.close(fd)


def _opened(lock: str) -> int:
    """`lock` opened for the flock: for writing where it can be (NFS takes an exclusive flock only on such a
    one), else for reading (another user's lock, a read-only mount)."""
    cloexec = getattr(os, "O_CLOEXEC", 0)
    try:
        return os.open(lock, os.O_RDWR | cloexec)
    except FileNotFoundError:
        raise
    except OSError:
        return os.open(lock, os.O_RDONLY | cloexec)


def rename(lock: str, pid: int) -> None:
    """Name process `pid` in this process's `lock` (the compiling child it started), replacing the file
    whole: never empty in between, as rewriting it in place was."""
    tmp = _written(lock, f"{machine()} {pid}".encode())
    try:
        os.replace(tmp, lock)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def release(lock: str, pid: int | None = None) -> None:
    """Remove `lock`; with `pid`, only while it names that process of this machine: one taken over (its
    holder older than FRESH_SECONDS) is another process's, which this one's end removed, letting a third
    compile beside it. The look and the removal are one step to other processes (`unstale`): before, a lock
    taken over between them was removed."""
    if pid is None:
        with contextlib.suppress(OSError):
            os.unlink(lock)
        return
    with contextlib.suppress(OSError):
        unstale(lock, lambda: _names(lock, f"{machine()} {pid}"))


def _names(lock: str | Path, text: str) -> bool:
    """Whether `lock` holds `text` (surrounding white space aside)."""
    try:
        return Path(lock).read_text().strip() == text
    except (OSError, UnicodeDecodeError):
        return False


def leftover(name: str, folder: str) -> bool:
    """Whether the file `name` in `folder` is a lock's temporary file (`_written`) left by a process killed
    as it wrote the lock: one whose process is gone, or older than EMPTY_SECONDS (a live one lasts a few
    system calls). One of another machine sharing the folder is told by the pid in its name, as if it were
    this machine's: one whose pid runs here is kept until EMPTY_SECONDS old, one whose pid does not is
    removed at once, even being written (`linked` then writes it again)."""
    found = re.fullmatch(r".+\.(\d+)\.[0-9a-f]+\.tmp", name)
    if found is None:
        return False
    try:
        age = time.time() - os.path.getmtime(os.path.join(folder, name))
    except OSError:
        return False
    return not -EMPTY_SECONDS < age < EMPTY_SECONDS or not running(int(found.group(1)))


def _written(lock: str, text: bytes) -> str:
    """A temporary file beside `lock` holding `text`: its name (none is left where it cannot be written:
    a disk full, a file size limit)."""
    tmp = f"{lock}.{os.getpid()}.{secrets.token_hex(4)}.tmp"
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o644)
    try:
        try:
            os.write(fd, text)
        finally:
            os.close(fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def linked(lock: str | Path, text: bytes) -> bool:
    """Create `lock` holding `text`, whole (False where it exists): a temporary file linked into place,
    or, without hard links, created in place and written at once. The compiling's lock and
    saving/runlock.py's (which holds signals around it, so that a Ctrl-C leaves no temporary file)."""
    lock = str(lock)
    tmp = _written(lock, text)
    try:
        try:
            os.link(tmp, lock)
        except FileNotFoundError:       # removed meanwhile by another machine's process sharing the folder,
            tmp = _written(lock, text)  # which `leftover` tells by the pid in its name, not running there
            os.link(tmp, lock)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in NO_LINKS:
            raise
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o644)
        except FileExistsError:
            return False
        try:
            os.write(fd, text)
        finally:
            os.close(fd)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    return True
