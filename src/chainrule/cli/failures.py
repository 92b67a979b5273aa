"""How the command ends on a failure: its exit code for each kind (`EXIT_CODES`, docs/errors.md), its one
line for an error or a warning, and a rank's error as the MPI ranks' meeting carries it."""
from __future__ import annotations

import errno
import sys

#: exit status of each kind of outcome; the same table is in docs/errors.md and tested
EXIT_CODES = {
    0: "success",
    1: "internal error: a bug in chainrule (rerun with --debug and report the traceback)",
    2: "bad usage or bad input: an option, a CSV or model file, an output path",
    3: "training diverged (the loss or a gradient became NaN or infinite)",
    4: "the system failed: disk full, out of memory, an input/output error",
    5: "an optional part is not installed (the message names the pip extra)",
    130: "interrupted (Ctrl-C, or SIGTERM)",
}
#: characters of an error or warning line; a longer one is cut with '...' (a foreign message holding a whole
#: row); our own shorten their lists of values, and a runnable line of advice, a long path in it, comes whole
MAX_MESSAGE = 1000


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """The first line of `text`, at most `limit` characters: cut at a word, a short last sentence kept (a hint)."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    _, dot, last = line.rpartition(". ")
    tail = f" {last}" if dot and len(last) < limit // 4 else ""
    kept = line[:limit - 4 - len(tail)]
    return f"{(kept[:kept.rfind(' ')] if ' ' in kept else kept).rstrip(',;:')} ...{tail}"     # 'a, b ...'


def exit_code(exc: BaseException) -> int:
    """The documented exit status for an exception (EXIT_CODES)."""
    from ..errors import ChainruleError, TrainingDiverged
    if isinstance(exc, TrainingDiverged):
        return 3
    if isinstance(exc, ImportError):
        return 5
    if isinstance(exc, MemoryError) or (isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EIO,
                                                                                      errno.EDQUOT, errno.ENOMEM)):
        return 4
    return 2 if isinstance(exc, (ChainruleError, ValueError, OSError)) else 1


def carried(exc: Exception) -> Exception:
    """A rank's error as the MPI ranks' meeting carries it to rank 0: its message as the command
    says it, and its kind where the exit code depends on it (a full disk exits 4 as without MPI)."""
    from ..errors import ChainruleError, ValidationError
    if isinstance(exc, ChainruleError):
        return exc
    if isinstance(exc, OSError) and exc.errno is not None:
        return type(exc)(exc.errno, _message(exc))
    if isinstance(exc, MemoryError):
        return exc
    if isinstance(exc, ImportError):
        return ImportError(_message(exc))
    return ValidationError(_message(exc))


def _message(exc: BaseException) -> str:
    from ..extras import MODULES, missing
    module = (getattr(exc, "name", None) or "").split(".")[0]
    if isinstance(exc, ModuleNotFoundError) and module in MODULES:
        return missing(module)
    if isinstance(exc, OSError) and exc.strerror:
        where = f": {exc.filename!r}" if exc.filename else ""     # none for a write to a redirected stdout
        return f"{exc.strerror[:1].lower()}{exc.strerror[1:]}{where}"     # only its first letter: paths in it kept
    if isinstance(exc, MemoryError):
        return "out of memory" + (f": {exc}" if str(exc) else "")
    return str(exc) or type(exc).__name__


def _show_warning(message, category, filename, lineno, file=None, line=None, width: int | None = None):
    """Warnings as one clean line, `chainrule: warning: ...`, fitted as error lines are (`width`: fitted_width's)."""
    from ..teach.width import say
    # chainrule's own say whose they are in Python, once here
    say(f"chainrule: warning: {clip(str(message).removeprefix('chainrule: '))}", sys.stderr, width)


def error_line(exc: BaseException, who: str = "") -> tuple[str, int]:
    """The command's line for an error (`who` before its message: an MPI rank) and its exit code."""
    code = exit_code(exc)
    prefix = "internal error " if code == 1 else ""
    suffix = " (a bug: rerun with --debug and report the traceback)" if code == 1 else ""
    return f"chainrule: error: {prefix}{who}{clip(_message(exc))}{suffix}", code
