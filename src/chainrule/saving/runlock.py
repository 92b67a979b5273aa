"""One training run per checkpoint folder: a lock file holding the live process's id.

Two runs writing one `checkpoint_dir` would overwrite each other's checkpoints (and a resuming
run would delete the other's temporary files). The first run creates DIR/checkpoint.lock with
its content whole (written to a temporary file, then linked into place; where the file system has no hard
links, created in place and written with signals held: a Ctrl-C at any moment leaves no empty lock); a
second run finds it, sees that the process it names is alive, and stops with an error before training. A
lock left by a run that died (kill -9) names a dead process and is taken over (`compilelock.unstale`: by one of
the runs finding it at once), as is one whose process id a later process was given (told by the process's start
time), and the lock's temporary files such a run left are removed. The same lock keeps two
jobs (train, predict, export) off one --out file. Its time is ISO 8601 in UTC with its offset; a lock written
before (a local time without offset) is read as well.
"""
from __future__ import annotations

import errno
import glob
import hashlib
import json
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from ..backend.compilelock import TRIES, leftover, linked, unstale
from ..backend.processes import same_process, start_ticks, wrote
from ..backend.signals import restore
from ..data.advice import give
from ..errors import ValidationError

LOCKNAME = "checkpoint.lock"
_held: set[str] = set()           # folders locked by runs of this process
_guard = threading.Lock()


def refuse_unexpanded(directory: Path, argument: str) -> None:
    """A folder to be made whose path starts with a '~' that is no folder here: mkdir would make a folder named
    '~' in the current one, not use the home folder (Python expands no '~'; a shell does, unquoted)."""
    first = directory.parts[0] if directory.parts else ""
    if first.startswith("~") and not Path(first).exists():
        name = give(argument)
        fix = ("write it unquoted, which the shell expands, or your home's path" if name.startswith("--") else
               f"give os.path.expanduser({str(directory)!r}) for your home's")
        raise ValidationError(f"{name} {str(directory)!r} starts with '~', which Python does not expand: it would "
                              f"create a folder named {first!r} in the current one; {fix}")


def prepare_folder(directory: Path) -> None:
    """Create `directory` (and its parents) or say, naming it (fit's checkpoint_dir, the command's
    --checkpoint-dir), why it cannot be: before training, not after the first epoch. A path starting with '~'
    whose first folder is missing is refused: mkdir would make a folder named '~' here, not use the home folder."""
    refuse_unexpanded(directory, "checkpoint_dir")
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise type(exc)(exc.errno, f"{give('checkpoint_dir')} cannot be created ({exc.strerror})",
                        str(directory)) from None
    if not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{give('checkpoint_dir')} exists and is not a folder", str(directory))


def acquire(directory: Path, taken: Callable[[], None] | None = None) -> Path:
    """Take the folder's lock for this run (the lock file's creation also proves the folder can be
    written), or raise ValidationError naming the live run that holds it. `taken()`: the caller records
    the lock as its own, called with signals held as the file appears, so that a Ctrl-C at any moment
    after leaves the caller knowing to release it (recorded after `acquire` returned, one coming before
    left the file behind)."""
    prepare_folder(directory)
    path = directory / LOCKNAME

    def busy(holder: dict) -> ValidationError:
        return ValidationError(
            f"{give('checkpoint_dir')} {str(directory)!r} is in use by another training run ({_who(holder)}): two runs "
            f"writing one folder overwrite each other's checkpoints. Give this run another {give('checkpoint_dir')}, "
            f"or wait for that run to end (if it is gone, delete {str(path)!r})")
    try:
        return _take(path, str(directory.resolve()), busy, taken=taken)
    except OSError as exc:
        raise type(exc)(exc.errno, f"{give('checkpoint_dir')} cannot be written ({exc.strerror})",
                        str(directory)) from None


def output_lock(out: Path) -> Path:
    """The lock file of a model file that a job writes when it ends: '.NAME.lock' beside it. A long NAME is cut
    and its hash added: the lock's temporary file ('.NAME.lock.PID.HEX.tmp') must fit the 255 bytes NAME fits."""
    name = out.name.encode("utf-8", "surrogateescape")
    if len(name) <= 200:
        return out.parent / f".{out.name}.lock"
    cut = name[:180].decode("utf-8", "ignore")          # a character cut in two is left out
    return out.parent / f".{cut}-{hashlib.sha256(name).hexdigest()[:16]}.lock"


def acquire_output(out: Path, option: str = "--out", job: str = "train") -> Path:
    """Take the lock of the file `out` that this job (`chainrule JOB`: train, predict, export) writes when
    it ends, before its work: a second job given the same file meanwhile is refused at once, naming the
    first, where before both worked and said 'saved' or 'wrote', and the file held the output of the one
    that happened to end last. The caller releases it (`release_output`) however the job ends, also when
    a Ctrl-C comes within this call: register `out` for release before calling."""
    path = output_lock(out)

    def busy(holder: dict) -> ValidationError:
        by = f"chainrule {holder['job']}, " if isinstance(holder.get("job"), str) else ""
        other = option if option.startswith("-") else "output file"      # "the output": export's `out` or --out
        return ValidationError(
            f"{option} {str(out)!r} is being written by another job ({by}{_who(holder)}): the one that ended "
            f"last would replace the other's file. Give this job another {other}, or wait for that one to end "
            f"(if it is gone, delete {str(path)!r})")
    try:
        return _take(path, str(path.resolve()), busy, job)
    except OSError as exc:          # a read-only folder, a full disk: about `out`, not the lock's hidden file
        if exc.errno is None or isinstance(exc, FileExistsError):
            raise
        raise type(exc)(exc.errno, f"{exc.strerror} (in the folder of {option}: nothing written)", str(out)) from None


@contextmanager
def output_held(out: Path | None, option: str = "--out", job: str = "train") -> Iterator[None]:
    """`out`'s lock (`acquire_output`) for the job's life, released however it ends; none for standard
    output (None)."""
    if out is None:
        yield
        return
    try:
        acquire_output(out, option, job)
        yield
    finally:
        release_output(out)


def release_output(out: Path) -> None:
    """Remove this job's lock of the model file `out` (only if it is still this process's)."""
    _release(output_lock(out), str(output_lock(out).resolve()))


def _who(holder: dict) -> str:
    return f"process {holder.get('pid')} on {holder.get('host')}, since {since(holder.get('since'))}"


def since(written: object) -> str:
    """A lock's time as shown: ISO 8601 with its offset; one written before offsets were (local time,
    '2026-01-01 10:00:00') is said to be the holder's local time."""
    if not isinstance(written, str):
        return str(written)
    try:
        moment = datetime.fromisoformat(written)
    except ValueError:
        return written
    return written if moment.tzinfo is not None else f"{written} (its local time)"


def _take(path: Path, key: str, busy: Callable[[dict], ValidationError], job: str | None = None,
          taken: Callable[[], None] | None = None) -> Path:
    """Create the lock file `path` holding this process's id, taking over a dead holder's; `busy(holder)`:
    the error for a live one. `key`: what this process's own holds are known by. The lock appears whole
    (a temporary file linked into place, which fails where it exists), or, without hard links, is written
    at once where it is created: never left empty, or half written. It is recorded as held (and
    `taken()` called) with signals held, as it appears: none comes between the file and its record."""
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "since": datetime.now(UTC).isoformat(timespec="seconds")}
    if job is not None:
        me["job"] = job
    started = start_ticks(os.getpid())
    if started is not None:                  # told from a later process given the same id (`_alive`)
        me["started"] = started
    text = json.dumps(me).encode()

    def record() -> None:
        _held.add(key)
        if taken is not None:
            taken()
    holder: dict = {}

    def dead() -> bool:
        holder.clear()
        holder.update(_holder(path))
        return not _alive(holder, key, path)
    with _guard:
        _sweep(path)
        for _ in range(TRIES):
            try:
                linked = _linked(path, text, record)
            except BaseException:             # a Ctrl-C held through the taking, raised after: not taken
                if _read(path) == me:
                    _held.discard(key)
                    path.unlink(missing_ok=True)
                raise
            if linked:
                return path
            if not unstale(str(path), dead):      # a dead run's lock is taken over, by one of those finding it
                raise busy(holder) from None
    raise ValidationError(f"could not take the lock {str(path)!r}")


def _sweep(path: Path) -> None:
    """Remove the temporary files of `path` ('LOCK.PID.HEX.tmp', `linked`) left by processes killed as they
    wrote it (`compilelock.leftover`): before, they stayed beside the checkpoints or the model file for good."""
    with suppress(OSError):                   # a folder that cannot be listed: its lock is still taken
        for left in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
            if leftover(left.name, str(path.parent)):
                left.unlink(missing_ok=True)


def _linked(path: Path, text: bytes, record: Callable[[], None]) -> bool:
    """Create `path` holding `text`, whole, and `record()` it: False where `path` exists (the compiling's
    `compilelock.linked`: a temporary file linked into place, or, without hard links, created in place and
    written at once). A signal meanwhile is held to the end (the lock is then whole, and `_take` removes
    it), so that the temporary file is always removed and closed: before, a Ctrl-C between the lock's
    creation and its write left it empty, and its file unclosed."""
    with _signals_held():
        if not linked(path, text):
            return False
        record()
        return True


@contextmanager
def _signals_held() -> Iterator[None]:
    """SIGINT and SIGTERM noted meanwhile, and sent again to their handlers after (in the main thread,
    where Python runs them): a few system calls that must run whole."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    came: list[int] = []
    before: dict[int, object] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            before[sig] = signal.signal(sig, lambda signum, frame: came.append(signum))
        yield
    finally:
        restore(before)                 # both back before a signal come meanwhile is handled
        for signum in came[:1]:
            signal.raise_signal(signum)


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


def _holder(path: Path) -> dict:
    """The lock's content; one found empty or unreadable is read again for half a second, as one created in
    place (`compilelock.linked`) is empty until its write: only then is it a lock left by a run killed at that
    moment."""
    holder = _read(path)
    for _ in range(10):
        if holder or not path.exists():
            break
        time.sleep(0.05)
        holder = _read(path)
    return holder


def _alive(holder: dict, key: str, path: Path) -> bool:
    """Whether the run named by a lock is running: this process's own runs by the folders they
    hold, another host's always (it cannot be checked from here), others by their process id and when
    that process started: the lock's `started`, or, in a lock written before it held one, the lock file's
    time. A process given the id of a run killed (kill -9, a reboot) is not that run: its lock is taken over,
    where before it was held for good, and the run refused until the lock was deleted by hand."""
    pid = holder.get("pid")
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:
        return False                        # unreadable, or half-written by a run killed at that moment
    # by host name, not PID namespace (as the compiling lock): a container restarted after a crash
    # keeps its name in a new namespace, and its run's lock must be taken over for --resume
    if holder.get("host") != socket.gethostname():
        return True
    if pid == os.getpid():
        return key in _held
    started = holder.get("started")         # a zombie (killed, never reaped) is a run that ended (`running`)
    if isinstance(started, int) and not isinstance(started, bool):
        return same_process(pid, started)
    try:
        return wrote(pid, path.stat().st_mtime)
    except OSError:                         # removed meanwhile: its run ended
        return False
