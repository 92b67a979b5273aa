"""A benchmark's scratch folder: removed when the benchmark ends, fails, or is stopped (Ctrl-C,
or SIGTERM from `timeout` or `kill`, which would otherwise end the process without cleaning up:
memmap.py's 4 GiB file was left in /tmp that way), unless kept. It is always a new folder,
inside `parent` when one is given: a folder the user names is never removed. And the children
a benchmark waits for are not left running when it is stopped (`wait4`)."""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _stop(signum, frame):
    raise SystemExit(128 + signum)          # unwinds the stack: every `finally` runs


@contextlib.contextmanager
def folder(prefix: str, parent: str | None = None, keep: bool = False) -> Iterator[Path]:
    """A new folder (in `parent`, else the system's temporary folder), removed on leaving the
    block unless `keep`; SIGTERM stops the process through the removal (in the main thread: only
    it can set a signal handler)."""
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _stop) if main else None
    try:
        yield path
    finally:
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
        if previous is not None:          # None: a handler set outside Python, which cannot be put back
            signal.signal(signal.SIGTERM, previous)


def files(given: str | None, prefix: str, keep: bool = False) -> contextlib.AbstractContextManager[Path]:
    """The folder a benchmark writes its files in: the user's `given` one (made if missing; the
    files are left there, for later runs to reuse), else a new scratch `folder`."""
    if given:
        Path(given).mkdir(parents=True, exist_ok=True)
        return contextlib.nullcontext(Path(given))
    return folder(prefix, keep=keep)


def wait4(p: subprocess.Popen) -> tuple[int, Any]:
    """(exit code, resource usage) of child `p`, reaped with os.wait4 so that the usage (its peak
    memory) is that child's own; `p` is killed if this process is stopped while waiting, not left
    running on its own."""
    try:
        _, status, usage = os.wait4(p.pid, 0)
    except BaseException:
        p.kill()
        p.wait()
        raise
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage


def save(path: Path | str, write: Any) -> None:
    """Replace `path` with what `write(part)` writes into a file beside it: a benchmark that fails,
    or is stopped, while it saves leaves the file of the run before (Path.write_text empties it first)."""
    path = Path(path)
    part = path.with_name(path.name + ".part")
    try:
        write(part)
        os.replace(part, path)
    finally:
        part.unlink(missing_ok=True)
