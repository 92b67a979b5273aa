"""Writing files so that a crash never leaves a half-written one, and every failure names the
user's path (never the hidden temporary file beside it).

`atomic_write` writes a temporary file in the target's folder, flushes and fsyncs it, then
renames it over the target: a kill at any moment leaves either the old file or the new one.
"""
from __future__ import annotations

import errno
import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import ChainruleTypeError


def check_path(path: Any, name: str = "path") -> str | os.PathLike:
    """A str or os.PathLike, or a ChainruleTypeError naming the argument."""
    if not isinstance(path, (str, os.PathLike)):
        raise ChainruleTypeError(f"{name} must be a file name (str or os.PathLike); got {path!r} "
                                 f"({type(path).__name__})")
    return path


def name_max(folder: Path) -> int:
    """The longest file name (in bytes) the folder's file system takes."""
    try:
        return int(os.pathconf(folder, "PC_NAME_MAX"))
    except (OSError, ValueError, AttributeError):
        return 255


def writable_target(path: str | os.PathLike) -> Path:
    """The file `atomic_write` would replace: a symlink is followed (its target is written), and
    a folder, a missing folder, a name too long or a non-regular file (FIFO, device) is refused
    with an OSError that names the user's path."""
    path = Path(path)
    shown = str(path)
    limit, size = name_max(path.parent), len(os.fsencode(path.name))
    if size > limit:
        raise OSError(errno.ENAMETOOLONG, f"File name too long: {size} bytes, the file system allows {limit}", shown)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "Cannot write a file there: it is a folder (give a file name in it)",
                                shown)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise OSError(errno.EINVAL, "Cannot replace it: it is not a regular file (a FIFO, device or socket)", shown)
    folder = path.parent
    if not folder.exists():
        raise FileNotFoundError(errno.ENOENT, f"Cannot write the file: its folder {str(folder)!r} does not exist",
                                shown)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"Cannot write the file: {str(folder)!r} is not a folder", shown)
    return path


def temp_prefix(name: str) -> str:
    """'.<name>.' cut so that the temporary name (prefix, 8 random characters, '.tmp') fits in 255 bytes."""
    return "." + os.fsdecode(os.fsencode(name)[:200]) + "."


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> None:
    """Call `write(file_object)` on a temporary file in the target's folder, fsync, rename."""
    shown = str(path)
    path = writable_target(path)
    folder = path.parent
    try:
        fd, tmp = tempfile.mkstemp(prefix=temp_prefix(path.name), suffix=".tmp", dir=folder)
    except OSError as exc:
        raise _named(exc, shown) from None
    try:
        os.chmod(tmp, _file_mode(path))      # mkstemp makes 0600; give the file the mode open() would
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _named(exc, shown) from None
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _named(exc: OSError, shown: str) -> OSError:
    """The same kind of OSError (same errno: disk full stays disk full) about the user's path."""
    return type(exc)(exc.errno, exc.strerror or str(exc), shown)


def _file_mode(path: Path) -> int:
    """The existing file's permissions, else those a new file gets (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
