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

Before the command's handler was installed (after its imports: NumPy and the package, 0.2-0.3 s),
SIGTERM ended the process silently with 143. `early` is installed when this module is imported,
which the package does first (5 ms into its import), where the process is the command
(`is_the_command`): nothing is written yet, so it says so and exits 130.
"""
from __future__ import annotations

import os
import signal
import sys
import threading
from contextlib import contextmanager

TYPE_CHECKING = False
if TYPE_CHECKING:            # not imported when the command starts: typing takes 7-10 ms, before the handler
    from collections.abc import Iterator
    from typing import Any

_depth = 0                   # how deep the main thread is in Numba's compiler lock
_pending: int | None = None  # the signal that came meanwhile
_watching = False
_borrowed = False            # whether `interrupt` stands in for Python's SIGINT handler while Numba compiles
holds = False                # set by the command (cli.command): after its KeyboardInterrupt, the job is ending
_ending = 0                  # the command's signals since its KeyboardInterrupt was raised (1: that one)
FINISHING = b"chainrule: finishing the clean-up; Ctrl-C again to end at once\n"   # said to a second signal


def interrupt(signum: int, frame: Any) -> None:
    """The command's handler of SIGINT and SIGTERM: KeyboardInterrupt, now or after the compiling. Once
    it was raised in the command, the job is ending: a second signal (a double tap of Ctrl-C) is held, so
    that its clean-up runs whole (the --out file's and checkpoint folder's locks released, temporary
    files removed; a second KeyboardInterrupt raised in a `finally` cut it short, and could print a
    traceback or the line twice), and said (`FINISHING`: before, the second Ctrl-C seemed lost); a third
    ends the process at once, where the clean-up hangs."""
    global _pending, _ending
    if _depth:
        _pending = signum
        return
    if _ending:
        _ending += 1
        if _ending > 2:
            early(signum, frame)
        try:
            os.write(2, FINISHING)                 # os.write: sys.stderr's buffer may be mid-write (reentrant)
        except OSError:                            # stderr closed, or a reader gone: the clean-up goes on
            pass
        return
    _ending = int(holds)
    raise KeyboardInterrupt(f"signal {signum}")


def redeliver(unraisable: Any) -> None:
    """`sys.unraisablehook` in the command: `interrupt`'s KeyboardInterrupt raised where Python cannot raise it
    (a weakref callback or a finalizer running at that moment: "Exception ignored in") was lost, and the job
    went on (training on, its next Ctrl-C only saying it was finishing). The signal is sent again a moment later,
    to be raised in plain code; any other unraisable exception goes to Python's hook."""
    global _ending
    exc = unraisable.exc_value
    if isinstance(exc, KeyboardInterrupt) and str(exc).startswith("signal "):
        _ending = 0             # sent from a thread: sent here, it would be raised in this hook, and dropped again
        again = threading.Timer(0.01, os.kill, (os.getpid(), int(str(exc).split()[1])))
        again.daemon = True
        again.start()
        return
    sys.__unraisablehook__(unraisable)


def early(signum: int, frame: Any) -> None:
    """SIGINT or SIGTERM while the command is still being imported: nothing to clean up or keep."""
    os.write(2, b"chainrule: interrupted\n")
    os._exit(130)


def is_the_command() -> bool:
    """Whether this process is the `chainrule` command (its script, `python -m chainrule` or
    `python -m chainrule.cli`), read from the arguments before any of it is imported: from the
    interpreter's own command line, since a worker process (multiprocessing's spawn, joblib's loky)
    is given its parent's sys.argv but runs library code."""
    args = getattr(sys, "orig_argv", None) or [sys.executable, *sys.argv]
    i = 1
    while i < len(args) and args[i].startswith("-") and not args[i].startswith(("-m", "-c")):
        i += 2 if args[i] in ("-X", "-W") else 1         # the interpreter's own options
    if i >= len(args) or args[i].startswith("-c"):
        return False
    if args[i].startswith("-m"):
        module = args[i][2:] or (args[i + 1] if i + 1 < len(args) else "")
        return module in ("chainrule", "chainrule.cli")
    return os.path.basename(args[i]).removesuffix(".exe") in ("chainrule", "chainrule-script.py")


def install_early() -> None:
    """`early` for SIGTERM, and for SIGINT unless it is ignored (nohup, `&`), in the command only."""
    if threading.current_thread() is not threading.main_thread() or not is_the_command():
        return
    signal.signal(signal.SIGTERM, early)
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, early)


@contextmanager
def ignored() -> Iterator[None]:
    """SIGINT and SIGTERM ignored meanwhile (in the main thread): a second Ctrl-C while the first one's
    line is written, which raised a KeyboardInterrupt in the handling of the first. The handlers are read
    before either is changed: a signal handled between the two changes (SIGTERM as Ctrl-C was being
    ignored) left SIGINT ignored for good, every later Ctrl-C of the process (a notebook's) silently lost."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before: dict[int, Any] = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        for sig in before:
            signal.signal(sig, signal.SIG_IGN)
        yield
    finally:
        restore(before)


def restore(before: dict[int, Any]) -> None:
    """Put the handlers `before` back (None: not set from Python, the default) with SIGINT and SIGTERM blocked
    meanwhile: signal.signal first runs the handlers of signals come, so a Ctrl-C just after SIGINT's was back
    raised before SIGTERM's was, leaving SIGTERM ignored (or only noted) for good. Those come meanwhile are handled
    once all are back; one that still slips in (delivered to another thread) has the rest put back before it
    is raised."""
    wanted = {sig: signal.SIG_DFL if handler is None else handler for sig, handler in before.items()}
    blocks = hasattr(signal, "pthread_sigmask")                     # not on Windows
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM}) if blocks else set()
    try:
        for sig, handler in wanted.items():
            signal.signal(sig, handler)
    finally:
        try:
            for sig, handler in wanted.items():
                if signal.getsignal(sig) != handler:
                    signal.signal(sig, handler)
        finally:
            if blocks:
                signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def watch() -> None:
    """Follow Numba's compiler lock (once a process; called where Numba is imported). Outside the
    command (a script, a notebook) Python's own SIGINT handler raised KeyboardInterrupt in the
    compiler too: where it is installed, `interrupt` stands in for it while the main thread holds
    the lock, and it is put back when the lock is released."""
    global _watching
    if _watching:
        return
    from numba.core import event

    class CompilerLock(event.Listener):
        def on_start(self, ev: Any) -> None:
            global _depth, _borrowed
            if threading.current_thread() is not threading.main_thread():      # where signal handlers run
                return
            if not _depth and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                signal.signal(signal.SIGINT, interrupt)       # a script's or notebook's Ctrl-C: held too
                _borrowed = True
            _depth += 1

        def on_end(self, ev: Any) -> None:
            global _depth, _pending, _borrowed, _ending
            if threading.current_thread() is not threading.main_thread():
                return
            _depth -= 1
            if not _depth and _borrowed:                       # Python's own handler back, as it was
                _borrowed = False
                if signal.getsignal(signal.SIGINT) is interrupt:
                    signal.signal(signal.SIGINT, signal.default_int_handler)
            if not _depth and _pending is not None:     # the lock released: raised in plain Python code
                signum, _pending, _ending = _pending, None, int(holds)
                raise KeyboardInterrupt(f"signal {signum} (after Numba's compiling)")

    event.register("numba:compiler_lock", CompilerLock())
    _watching = True


install_early()     # on import: the package imports this module before NumPy and the engine
