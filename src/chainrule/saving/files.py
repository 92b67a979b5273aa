"""Writing files so that a crash never leaves a half-written one, and every failure names the
user's path (never the hidden temporary file beside it).

`atomic_write` writes a temporary file in the target's folder, flushes and fsyncs it, then
renames it over the target: a kill at any moment leaves either the old file or the new one, and the
temporary file, which the next save beside it removes (`sweep_temporaries`: its name holds its writer's id).
Another hard link to the replaced file keeps the previous data (the rename gives the name a new file).
`replaceable` refuses, before anything is written, to replace a read-only file or a file that
holds another kind of data than the one written (the user's CSV by a model, any zip by a model),
and a name whose ending says another format: one rule for the API and the command line.
"""
from __future__ import annotations

import errno
import os
import secrets
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from ..backend.processes import sweep_temporaries, temp_prefix, writer
from ..data.filecontent import file_kind
from ..errors import ChainruleTypeError, ValidationError
from ..nn.filenames import KINDS, a_file_name, name_ending, not_a_folder  # below the fit loop: its writers'
from .modelkind import looped, named, not_expanded


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
    return ChainruleTypeError(f"{name} must be {what}; got {shown} ({type(path).__name__}){_a_model(path, name)}")


def _a_model(obj: Any, name: str) -> str:
    """What to do where a model was given for a file's name (from_onnx(model), to_onnx(path, model), load(model)):
    the model is in memory already; '' for anything else (a tensor, a class)."""
    if not _is_model(obj):
        return ""
    network = ", a chainrule estimator's network (once fitted) is model.network_" if hasattr(obj, "get_params") and \
        type(obj).__module__.startswith("chainrule") else ""
    return (f", a model, not a file's name: {name} names the file to read or write. A model in memory needs no "
            f"reading{network}; where a call takes both the model goes first: to_onnx(model, path), "
            "save(net, path)")


def _is_model(obj: Any) -> bool:
    """Whether `obj` is a model: one with a predict (an estimator, a Network, a Keras model), a torch Module or a
    Keras layer; not a tensor of torch's, nor a class. torch and Keras are only looked at where imported already."""
    torch, keras = sys.modules.get("torch"), sys.modules.get("keras")
    return not isinstance(obj, type) and (
        callable(getattr(obj, "predict", None))
        or torch is not None and isinstance(obj, getattr(getattr(torch, "nn", None), "Module", ()))
        or keras is not None and isinstance(obj, getattr(keras, "Layer", ())))


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
        if looped(path):            # realpath would stop inside the loop: the link would be replaced by a file
            raise OSError(errno.ELOOP, f"Cannot write through it: it is a link to {named(os.readlink(path))}, and "
                          "the links lead back to themselves (a loop): no file ends them to replace", shown)
        path = Path(os.path.realpath(path))
    not_a_folder(shown)             # (a link to a folder too)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise OSError(errno.EINVAL, "Cannot replace it: it is not a regular file (a FIFO, device or socket)", shown)
    folder = path.parent
    if not folder.exists():
        raise FileNotFoundError(errno.ENOENT, f"Cannot write the file: its folder {str(folder)!r} does not exist"
                                + not_expanded(Path(shown)), shown)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"Cannot write the file: {str(folder)!r} is not a folder", shown)
    return path


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any], kind: str | None = None) -> None:
    """Call `write(file_object)` on a temporary file in the target's folder, fsync, rename; an
    existing file is replaced only if `replaceable` (for `kind`: "model", "onnx" or "csv").

    The rename gives `path` a new file, as `mv` does: a hard link to the previous one (another name of the same
    file) keeps the previous data whole, never lost nor half overwritten, and no longer follows `path`; a
    symbolic link is followed, its target replaced. A failed write changes neither."""
    shown = str(path)
    path = writable_target(path)
    replaceable(path, kind, shown, named(shown))
    folder = path.parent
    sweep_temporaries(folder, path.name)
    tmp = ""     # named before the file exists: an interruption at any moment after (in one try) removes it
    try:
        for _ in range(100):                 # as mkstemp, whose name was known only once it had made the file
            tmp = os.path.join(folder, f"{temp_prefix(path.name)}{writer()}.{secrets.token_hex(4)}.tmp")
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


# -- what an existing file holds: replaced only by data of its own kind (`data.filecontent.file_kind`) -----
def replaceable(path: Path, kind: str | None, shown: str, said: str | None = None) -> None:
    """Refuse to write over a read-only file (as `cp` would for a user other than root), over an
    existing file that holds another kind of data than `kind`, and (for `kind`) under a name
    whose ending says another format, which chainrule and other tools would then misread. `said`: how the
    messages name the file (`shown`, the OSError's file name, where not given)."""
    exists = path.is_file()
    if exists and not path.stat().st_mode & stat.S_IWUSR:
        raise PermissionError(errno.EACCES, f"Read-only file (mode {path.stat().st_mode & 0o777:04o}): not "
                              "replaced, as cp would refuse; make it writable (chmod u+w) to replace it", shown)
    if kind is None:
        return
    in_the_way(path, kind, KINDS[kind][0], said or shown)
    name_ending(path, kind, said or shown)


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
