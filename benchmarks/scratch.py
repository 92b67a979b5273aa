"""A benchmark's scratch folder: removed when the benchmark ends, fails, or is stopped (Ctrl-C,
or SIGTERM from `timeout` or `kill`, which would otherwise end the process without cleaning up:
memmap.py's 4 GiB file was left in /tmp that way), unless kept. It is always a new folder,
inside `parent` when one is given: a folder the user names is never removed."""
from __future__ import annotations

import contextlib
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _stop(signum, frame):
    raise SystemExit(128 + signum)          # unwinds the stack: every `finally` runs


@contextlib.contextmanager
def folder(prefix: str, parent: str | None = None, keep: bool = False) -> Iterator[Path]:
    """A new folder (in `parent`, else the system's temporary folder), removed on leaving the
    block unless `keep`; SIGTERM stops the process through the removal."""
    if parent is not None:
        Path(parent).mkdir(parents=True, exist_ok=True)
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        yield path
    finally:
        signal.signal(signal.SIGTERM, previous)
        if not keep:
            shutil.rmtree(path, ignore_errors=True)
