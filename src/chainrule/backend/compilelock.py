"""The lock of the background compiling (warmup.py): one process compiles into a cache folder at a time.

The lock holds '<machine> <pid>' of the compiling process. It appears whole: its text is written to a
temporary file beside it, which is then linked into place (that fails where the lock exists, so of two
processes taking it at once one does); before, it was created and then written, and a process killed
between the two (kill -9) left an empty lock, taken for another machine's, that held every compiling and
`chainrule compile` back for 10 minutes. An empty or unreadable lock (one such, or one created in place
where the file system has no hard links) is stale once EMPTY_SECONDS old; a lock whose process is gone
at once; any after 10 minutes. saving/runlock.py writes its locks with the same `linked`. A process killed
between the temporary file's creation and its removal leaves it ('LOCK.<pid>.<hex>.tmp'): `leftover` tells
such a one, which `chainrule compile --force` removes.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import time
from pathlib import Path

from .processes import machine, running

FRESH_SECONDS = 600.0     # a lock this old (either way: a clock ahead on a shared folder) holds nothing back
EMPTY_SECONDS = 5.0       # an empty or unreadable lock this old was left by a process killed as it wrote it
#: what os.link raises on a file system without hard links: the lock is then created in place
NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS}


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
    return where != machine() or running(int(pid))


def take(lock: str) -> bool:
    """Create `lock` naming this process unless a fresh one exists: a stale one is taken over."""
    text = f"{machine()} {os.getpid()}".encode()
    for _ in range(2):
        if linked(lock, text):
            return True
        if fresh(lock):
            return False
        release(lock)
    return False


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
    compile beside it."""
    if pid is not None:
        try:
            if Path(lock).read_text().strip() != f"{machine()} {pid}":
                return
        except (OSError, UnicodeDecodeError):
            return
    with contextlib.suppress(OSError):
        os.unlink(lock)


def leftover(name: str, folder: str) -> bool:
    """Whether the file `name` in `folder` is a lock's temporary file (`_written`) left by a process killed
    as it wrote the lock: one whose process is gone, or older than EMPTY_SECONDS (a live one lasts a few
    system calls; one of another machine sharing the folder is judged by its age only, as its pid may be
    taken here)."""
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
