"""Ctrl-C and SIGTERM while Numba compiles: the interrupt waits for the compiler to be done.

The command turns SIGINT and SIGTERM into KeyboardInterrupt (`interrupt`). Raised inside Numba's
compiler, that exception lands where it cannot be raised: in LLVM's callback that hands Numba
the compiled object (a ctypes callback, where Python prints "Exception ignored" and goes on) or
in a finalizer of a half-built LLVM object. Measured on `chainrule train` with CHAINRULE_NUMBA=1
and an empty cache, SIGTERM at moments of the compiling: a traceback and "internal error: no
compiled object yet", a job that went on to its end and wrote its model (the signal lost), or a
segmentation fault. So while this thread holds Numba's compiler lock (the loading from the cache,
the compiling and the saving into it, watched through Numba's event API), the signal is only
noted, and raised as KeyboardInterrupt once the outermost lock is released: a second or so later,
the cache whole (Numba writes each file beside and renames it).
"""
from __future__ import annotations

import threading
from typing import Any

_depth = 0                   # how deep the main thread is in Numba's compiler lock
_pending: int | None = None  # the signal that came meanwhile
_watching = False


def interrupt(signum: int, frame: Any) -> None:
    """The command's handler of SIGINT and SIGTERM: KeyboardInterrupt, now or after the compiling."""
    global _pending
    if _depth:
        _pending = signum
        return
    raise KeyboardInterrupt(f"signal {signum}")


def watch() -> None:
    """Follow Numba's compiler lock (once a process; called where Numba is imported)."""
    global _watching
    if _watching:
        return
    from numba.core import event

    class CompilerLock(event.Listener):
        def on_start(self, ev: Any) -> None:
            global _depth
            if threading.current_thread() is threading.main_thread():      # where signal handlers run
                _depth += 1

        def on_end(self, ev: Any) -> None:
            global _depth, _pending
            if threading.current_thread() is not threading.main_thread():
                return
            _depth -= 1
            if not _depth and _pending is not None:     # the lock released: raised in plain Python code
                signum, _pending = _pending, None
                raise KeyboardInterrupt(f"signal {signum} (after Numba's compiling)")

    event.register("numba:compiler_lock", CompilerLock())
    _watching = True
