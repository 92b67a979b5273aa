"""Writing files so that a crash never leaves a half-written one, and every failure names the
user's path (never the hidden temporary file beside it).

`atomic_write` writes a temporary file in the target's folder, flushes and fsyncs it, then
renames it over the target: a kill at any moment leaves either the old file or the new one.
`replaceable` refuses, before anything is written, to replace a read-only file or a file that
holds another kind of data than the one written (the user's CSV by a model, any zip by a model),
and a name whose ending says another format: one rule for the API and the command line.
"""
from __future__ import annotations

import csv
import errno
import os
import secrets
import stat
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..errors import ChainruleTypeError, ValidationError
from ..nn.filenames import KINDS, a_file_name, name_ending, not_a_folder  # below the fit loop: its writers'


def check_path(path: Any, name: str = "path") -> str | os.PathLike:
    """A str or os.PathLike, or a ChainruleTypeError naming the argument: every reader's and writer's (save, load,
    to_onnx, load_foreign, save_weights) in one message."""
    if not isinstance(path, (str, os.PathLike)):
        raise not_a_path(path, name)
    return path


def not_a_path(path: Any, name: str, what: str = "a file name (str or os.PathLike)") -> ChainruleTypeError:
    """The refusal of a path of the wrong type, its value shown (b'm.onnx' (bytes), not bytes alone), cut short
    where long (a model's bytes given as its path)."""
    shown = repr(path)
    shown = shown if len(shown) <= 60 else f"{shown[:57]}..."
    return ChainruleTypeError(f"{name} must be {what}; got {shown} ({type(path).__name__})")


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
    a_file_name(path)
    path = Path(path)
    shown = str(path)
    limit, size = name_max(path.parent), len(os.fsencode(path.name))
    if size > limit:
        raise OSError(errno.ENAMETOOLONG, f"File name too long: {size} bytes, the file system allows {limit}", shown)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    not_a_folder(shown)             # (a link to a folder too)
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


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any], kind: str | None = None) -> None:
    """Call `write(file_object)` on a temporary file in the target's folder, fsync, rename; an
    existing file is replaced only if `replaceable` (for `kind`: "model", "onnx" or "csv")."""
    shown = str(path)
    path = writable_target(path)
    replaceable(path, kind, shown)
    folder = path.parent
    tmp = ""     # named before the file exists: an interruption at any moment after (in one try) removes it
    try:
        for _ in range(100):                 # as mkstemp, whose name was known only once it had made the file
            tmp = os.path.join(folder, f"{temp_prefix(path.name)}{secrets.token_hex(4)}.tmp")
            try:
                fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
                break
            except FileExistsError:
                continue
            except OSError as exc:           # a read-only folder, a full disk: about the user's path
                raise _named(exc, shown) from None
        else:
            raise FileExistsError(errno.EEXIST, "No temporary file name was free beside it", shown)
        os.chmod(tmp, _file_mode(path))      # made 0600 as mkstemp does; give the file the mode open() would
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
        except OSError as exc:       # a full disk: say which file, and that the previous one is kept
            if exc.errno is None or exc.filename is not None:
                raise
            raise _named(exc, shown, " (not saved: the previous file, if any, is unchanged)") from None
        try:
            os.replace(tmp, path)
        except OSError as exc:
            raise _named(exc, shown) from None
    except BaseException:
        _remove(tmp)
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _remove(tmp: str) -> None:
    """Remove the temporary file, where it was made (or renamed into place already)."""
    try:
        if tmp:
            os.unlink(tmp)
    except FileNotFoundError:
        pass


def _named(exc: OSError, shown: str, note: str = "") -> OSError:
    """The same kind of OSError (same errno: disk full stays disk full) about the user's path."""
    return type(exc)(exc.errno, (exc.strerror or str(exc)) + note, shown)


def _file_mode(path: Path) -> int:
    """The existing file's permissions, else those a new file gets (0666 less the umask)."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


# -- what an existing file holds: replaced only by data of its own kind ---------------------------
#: the member that holds a chainrule model's description (npz.py): no other archive has it
MODEL_MEMBER = b"__format__.npy"
#: the member that holds a weights file's description (weights.py: save_weights)
WEIGHTS_MEMBER = b"__weights__.npy"
#: ModelProto's fields (onnx.proto): number -> wire type (0 varint, 2 bytes)
ONNX_FIELDS = {1: 0, 2: 2, 3: 2, 4: 2, 5: 0, 6: 2, 7: 2, 8: 2, 14: 2, 20: 2, 25: 2}


def replaceable(path: Path, kind: str | None, shown: str) -> None:
    """Refuse to write over a read-only file (as `cp` would for a user other than root), over an
    existing file that holds another kind of data than `kind`, and (for `kind`) under a name
    whose ending says another format, which chainrule and other tools would then misread."""
    exists = path.is_file()
    if exists and not path.stat().st_mode & stat.S_IWUSR:
        raise PermissionError(errno.EACCES, f"Read-only file (mode {path.stat().st_mode & 0o777:04o}): not "
                              "replaced, as cp would refuse; make it writable (chmod u+w) to replace it", shown)
    if kind is None:
        return
    in_the_way(path, kind, KINDS[kind][0], shown)
    name_ending(path, kind, shown)


def in_the_way(path: Path, kind: str, what: str, shown: str) -> None:
    """Refuse to write `what` (of file_kind `kind`) over an existing file that holds another kind of data."""
    found = file_kind(path) if path.is_file() else "empty"
    if found not in ("empty", kind):
        raise ValidationError(f"{shown} exists and holds {HOLDS.get(found, found)}, not {what}: writing there "
                              "would lose it. Give another file name, or remove that file first")


HOLDS = {"model": "a chainrule model", "weights": "chainrule weights (save_weights)",
         "onnx": "an ONNX model", "csv": "chainrule's predictions (CSV)",
         "zip": "a zip archive chainrule did not write (np.savez data, a spreadsheet or document?)",
         "text": "text without a 'prediction' column (a CSV file of data? notes?)", "binary": "binary data"}


def file_kind(path: str | os.PathLike) -> str:
    """What a file holds, by its content: "empty", "model" (an archive naming chainrule's description
    member, also when damaged: a model is replaced by a model), "weights" (save_weights'), "onnx" (a
    ModelProto's fields),
    "csv" (text whose first line names a 'prediction' column, as `chainrule predict` writes), or
    else "zip", "text" or "binary"."""
    with open(path, "rb") as f:
        head = f.read(65536)
        if not head:
            return "empty"
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size - 65536))             # the zip's member list is at its end
        tail = f.read()
        if MODEL_MEMBER in head or MODEL_MEMBER in tail:
            return "model"
        if head.startswith(b"PK") and (WEIGHTS_MEMBER in head or WEIGHTS_MEMBER in tail):
            return "weights"
        if head.startswith(b"PK"):
            return "zip"
        if _is_onnx(f, size):
            return "onnx"
    if b"\0" in head[:4096]:
        return "binary"
    first = head.decode("utf-8-sig", errors="replace").splitlines()[0] if head.strip() else ""
    return "csv" if "prediction" in next(csv.reader([first]), []) else "text"


def _is_onnx(f: IO[bytes], size: int) -> bool:
    """Whether the file's top-level protobuf fields are a ModelProto's, with its ir_version and graph
    (read field by field: a large model is not read whole)."""
    seen, at = set(), 0
    for _ in range(100_000):
        if at >= size:
            break
        f.seek(at)
        chunk = f.read(20)
        key, n = _varint(chunk, 0)
        value, n = _varint(chunk, n)
        if key is None or value is None or ONNX_FIELDS.get(key >> 3) != key & 7:
            return False
        at += n + (value if key & 7 == 2 else 0)
        seen.add(key >> 3)
    return at == size and {1, 7} <= seen


def _varint(data: bytes, at: int) -> tuple[int | None, int]:
    """A protobuf varint at `at`: (value, the position after it), or (None, at) if there is none."""
    value = 0
    for i in range(10):
        if at + i >= len(data):
            return None, at
        value |= (data[at + i] & 0x7F) << (7 * i)
        if data[at + i] < 0x80:
            return value, at + i + 1
    return None, at
