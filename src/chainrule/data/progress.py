"""A progress line on stderr for reading and preprocessing that take more than a moment.

Quick work prints nothing. Past `after` seconds a line says what is being done (a timer prints it
even while one long call, such as pandas parsing a file, runs without reporting back); on a
terminal it is rewritten in place with the count done, elsewhere (a log, CI) the start and the end
are two plain lines.
"""
from __future__ import annotations

import sys
import threading
import time
from typing import IO, Any


class Progress:
    """`with Progress("preprocessing", total=n) as p: ... p.update(i) ...`"""

    def __init__(self, what: str, total: int | None = None, unit: str = "", after: float = 2.0,
                 stream: IO[str] | None = None):
        self.what, self.total, self.unit, self.after = what, total, unit, after
        self.stream = sys.stderr if stream is None else stream
        self.start = time.perf_counter()
        self.shown = False
        self.done = 0
        self._last = 0.0
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Progress:
        self._timer = threading.Timer(self.after, self._show)
        self._timer.daemon = True
        self._timer.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer.join()              # returns at once once cancelled: no thread outlives the block
        with self._lock:
            if self.shown and exc[0] is None:
                self._write(f"{self.what}: done in {time.perf_counter() - self.start:.1f} s", final=True)
            elif self.shown:
                self._write("", final=True)

    def update(self, done: int) -> None:
        """`done` units of the total finished (cheap: writes at most twice a second, on a terminal)."""
        self.done = done
        now = time.perf_counter()
        if self.shown and self._tty() and now - self._last > 0.5:
            with self._lock:
                self._write(self._text())

    def _show(self) -> None:
        with self._lock:
            self.shown = True
            self._write(self._text() if self._tty() else f"{self.what} ...", final=not self._tty())

    def _text(self) -> str:
        elapsed = time.perf_counter() - self.start
        if self.total:
            unit = f" {self.unit}" if self.unit else ""
            share = 100 * self.done / self.total
            return f"{self.what}: {self.done:,} of {self.total:,}{unit} ({share:.0f}%), {elapsed:.0f} s"
        return f"{self.what} ... {elapsed:.0f} s"

    def _tty(self) -> bool:
        return bool(getattr(self.stream, "isatty", lambda: False)())

    def _write(self, text: str, final: bool = False) -> None:
        self._last = time.perf_counter()
        if self._tty():
            self.stream.write("\r\x1b[K" + text + ("\n" if final and text else ""))
        elif text:
            self.stream.write(text + "\n")
        self.stream.flush()
