"""The `chainrule` command: a thin driver of the library (each subcommand is a module of
`chainrule.cli`): its parser, its run and its exit. One exit code per kind of failure (`EXIT_CODES`,
docs/errors.md, in failures.py); the help's layout in help_format.py; an interruption's line in interrupted.py."""
from __future__ import annotations

import argparse
import functools
import importlib
import sys
import warnings
from typing import Any, NoReturn

from .failures import EXIT_CODES, MAX_MESSAGE, _show_warning, carried, clip, error_line, exit_code
from .help_format import HelpFormatter
from .interrupted import _identity, _resume_advice
from .usage import (
    OptionError,
    Parser,
    fitted_width,
    gone,
    help_words,
    list_taken_as_file,
    same_as,
    spaced_list,
    to_stderr,
    unrecognized,
    usage_error,
)

COMMAND_MODULES = [
    "chainrule.cli.example",
    "chainrule.cli.demo",
    "chainrule.cli.train",
    "chainrule.cli.predict",
    "chainrule.cli.evaluate",
    "chainrule.cli.info",
    "chainrule.cli.data",
    "chainrule.cli.plot",
    "chainrule.cli.explain",
    "chainrule.cli.sweep",
    "chainrule.cli.explore",
    "chainrule.cli.export",
    "chainrule.cli.compile",
]

__all__ = ["EXIT_CODES", "MAX_MESSAGE", "HelpFormatter", "build_parser", "carried", "clip", "command", "error_line",
           "exit_code", "main", "model_argument", "quick_exit"]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__
    parser = Parser(
        prog="chainrule",
        description="Backpropagation from first principles: see every number, train on a CPU.",
        epilog="examples:\n  chainrule example\n  chainrule data iris.csv\n"
               "  chainrule train iris.csv --target species --out iris.npz\n\nexit codes:\n"
               + "\n".join(f"  {code:<4}{text}" for code, text in EXIT_CODES.items()),
        formatter_class=HelpFormatter, allow_abbrev=False)       # `--vers`, `--deb`: refused as a command's are
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    for p in sub.choices.values():        # the same help layout and --debug after every subcommand
        p.formatter_class = HelpFormatter
        p.allow_abbrev = False      # `--ou` was read as --out: whole names only, as the docs write them (a prefix
        # taken today is ambiguous once an option is added, and a script that used it breaks)
        if not any("--debug" in a.option_strings for a in p._actions):
            p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                           help="show the full traceback on errors" + (" and Dask's own log messages"
                                                                         if p.prog.endswith(" sweep") else ""))
    return parser


def model_argument(p, option: str = "--model", parse: Any = None) -> None:
    """`MODEL`, optional, the same as `option` (read by `parse`), for the commands whose model is an option."""
    p.add_argument("model_file", nargs="?", type=parse, metavar="MODEL", help=f"the same as {option} MODEL")


def command() -> NoReturn:
    """The `chainrule` command and `python -m chainrule`: `main`, then `quick_exit`. SIGTERM (a
    kill, a container stopped, a batch system's time limit) is handled as Ctrl-C is: before, it
    ended the process at once, and `train --stream` left its encoded inputs (the size of the file
    or more) in the temporary folder. Both wait for Numba's compiler when it runs (backend/signals.py)."""
    import signal

    from ..backend import signals
    from ..backend.signals import early, interrupt
    signals.holds = True                       # once interrupted, the job is ending: a second signal waits for it
    sys.unraisablehook = signals.redeliver     # a KeyboardInterrupt lost in a weakref callback: raised again
    signal.signal(signal.SIGTERM, interrupt)
    if signal.getsignal(signal.SIGINT) in (signal.default_int_handler, early):  # not ignored (nohup, &)
        signal.signal(signal.SIGINT, interrupt)
    try:
        code = main()
    except KeyboardInterrupt:      # before the command ran (its options read, its modules imported): nothing written
        from ..teach.width import say
        to_stderr(say, "chainrule: interrupted", sys.stderr)
        code = 130
    quick_exit(code)


def quick_exit(code: int) -> NoReturn:
    """Exit without Python's teardown, which frees every module and object one by one: about 0.2 s
    after pandas is imported and 0.45 s after a fit on Numba's kernels, a tenth of a short job.
    What the teardown would do for the user still happens: the exit handlers run (atexit:
    temporary folders, logging, MPI) and the output is flushed (every file the commands write is
    closed before they return). It is the normal exit while a non-daemon thread still runs (the
    normal exit waits for it), and in an MPI job: there mpiexec dropped rank 0's last output in 3 of
    10 runs when the rank ended at once (tests/test_mpi.py, the command line's run)."""
    import atexit
    import os
    import threading
    if "mpi4py.MPI" in sys.modules or any(not t.daemon and t is not threading.main_thread()
                                           for t in threading.enumerate()):
        sys.exit(code)
    if threading.current_thread() is threading.main_thread():   # a signal in the exit handlers: one line, 130
        import signal

        from ..backend.signals import early
        signal.signal(signal.SIGTERM, early)     # (it raised KeyboardInterrupt there: a traceback per handler)
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, early)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):      # a reader gone (`| head`) or a stream closed: nothing to flush to
            pass
    os._exit(code)


def _command_parser(parser: argparse.ArgumentParser, name: str) -> argparse.ArgumentParser:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        words = help_words(parser, sys.argv[1:] if argv is None else argv)
        if isinstance(words, int):        # `chainrule` alone, a wrong first word: said; its exit status
            return words
        args, extra = parser.parse_known_args(words)
        if extra:                     # said by the command's own parser, under its own usage
            command_parser = _command_parser(parser, args.command)
            command_parser.error(unrecognized(command_parser, extra) + spaced_list(command_parser, words, extra))
        if getattr(args, "command", None) and (taken := list_taken_as_file(_command_parser(parser, args.command), words,
                                                          getattr(args, "csv", None))):
            _command_parser(parser, args.command).error(taken)
    except SystemExit as stop:        # --help, --version or a usage error: argparse printed it; return its code
        return stop.code if isinstance(stop.code, int) else 0 if stop.code is None else 2
    except BrokenPipeError:           # a usage error's reader gone (argparse's own help and usage pass over it)
        gone(sys.stderr)
        return 2
    from ..data.advice import command_words
    with warnings.catch_warnings(), command_words():     # advice names the options (--text), not Python's arguments
        warnings.showwarning = functools.partial(_show_warning, width=fitted_width(args))   # set inside: leaving
        warnings.simplefilter("default")     # the block gives the caller's back (main in a program, a notebook)
        return _run(args, parser)


def _run(args, parser: argparse.ArgumentParser) -> int:
    writes, before = False, None
    try:
        same_as(args)
        writes = args.command in ("train", "predict", "export") and getattr(args, "out", None) not in (
            None, "-", "/dev/stdout")
        before = _identity(args.out) if writes else None
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        # train, predict and export write their --out file beside and rename it when it is whole: the
        # interruption came before the rename (the file is as it was) or after it (after `train` saved,
        # while it computed the validation metrics: 'was not written' was said of a file just written)
        from ..backend.signals import ignored
        try:               # reads the checkpoint (a large model: seconds); a third Ctrl-C ends it (signals.py)
            advice = _resume_advice(args)
        except KeyboardInterrupt:
            advice = ""
        with ignored():                    # a second Ctrl-C meanwhile: the job is ending already
            out = getattr(args, "out", None)
            done = writes and _identity(out) not in (None, before)
            kept = "" if not writes else (f"; {str(out)!r} was written before it" if done else
                                          f"; {str(out)!r} was not written (a file there before is unchanged)")
            from ..teach.width import say
            to_stderr(say, f"chainrule: interrupted{kept}{advice}", sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`chainrule example | head`): stop quietly
        gone(sys.stdout)
        return 0
    except Exception as exc:  # one readable line unless --debug
        if args.debug:
            raise
        from ..teach.width import say
        asked = fitted_width(args)               # explain's, example's --width; else a terminal's, one line in a pipe
        if isinstance(exc, OptionError):         # as argparse's own usage errors (usage.Parser): usage, exit 2
            commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            to_stderr(usage_error, commands.choices[args.command], str(exc), asked)
            return 2
        line, code = error_line(exc)
        to_stderr(say, line, sys.stderr, asked)
        return code
