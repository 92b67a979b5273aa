"""The `chainrule` command: a thin driver of the library (each subcommand is a module of
`chainrule.cli`). One exit code per kind of failure (`EXIT_CODES`, docs/errors.md)."""
from __future__ import annotations

import argparse
import errno
import functools
import importlib
import re
import sys
import textwrap
import warnings
from typing import Any, NoReturn

from .usage import (
    OptionError,
    Parser,
    fitted_width,
    gone,
    help_words,
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


class HelpFormatter(argparse.RawDescriptionHelpFormatter, argparse.ArgumentDefaultsHelpFormatter):
    """Descriptions and examples as written; every option's default after its help (none for flags: a
    --no-X flag's default is True, its dest's, which "(default: True)" beside --no-X says backwards)."""

    def _fill_text(self, text, width, indent):
        """Each line as written where it fits; a longer one broken at spaces to the terminal's width: prose
        under its own indent (an item's text under its text), an example command with ` \\` continuations,
        its trailing comment on a line of its own above it, so that it still runs when pasted."""
        lines, commands = [], False
        for line in text.splitlines():
            if line and not line[0].isspace():
                commands = line.startswith("example")
            body = line.lstrip()
            lead = indent + line[:len(line) - len(body)]
            if len(indent) + len(line) <= width:
                lines.append(indent + line)
            elif commands:
                lines.extend(_broken_command(body, lead, width))
            else:
                item = re.match(r"\d+ +|\S+\s{2,}", body)     # "130 interrupted": a number is an item too
                hang = lead + " " * (item.end() if item else 0)
                lines.extend(textwrap.wrap(body, width, initial_indent=lead, subsequent_indent=hang,
                                           break_long_words=False, break_on_hyphens=False))
        return "\n".join(lines)

    def _format_usage(self, usage, actions, groups, prefix):
        """argparse's usage, or where a line of it is wider than the terminal (each option under the command's
        name, 'usage: chainrule predict ' 26 columns in, at COLUMNS=40), its options packed under a 4-space indent
        (an option's values, wider, under the option; a mutually exclusive group's choices one a line)."""
        text = super()._format_usage(usage, actions, groups, prefix)
        if all(len(line) <= self._width for line in text.splitlines()):
            return text
        head, _, rest = text.strip().partition(self._prog)
        parts, depth, word = [], 0, ""
        for c in " ".join(rest.split()) + " ":             # split at the spaces outside brackets: one option a part
            depth += (c in "[(") - (c in "])")
            if c == " " and depth == 0:
                parts, word = ([*parts, word] if word else parts), ""
            else:
                word += c
        lines = [head + self._prog]
        for part in parts:
            if len(lines) > 1 and len(lines[-1]) + 1 + len(part) <= self._width:
                lines[-1] += " " + part
            elif len(part) + 4 <= self._width or " " not in part:
                lines.append("    " + part)
            elif " | " in part:          # a mutually exclusive group: one choice a line, each option with its values
                first, *others = part.split(" | ")
                lines += ["    " + first, *("      | " + other for other in others)]
            else:            # an option with its values wider than the line: its values under it
                option, _, values = part.partition(" ")
                lines += ["    " + option, "      " + values]
        return "\n".join(lines) + "\n\n"

    def _format_action_invocation(self, action):
        """argparse's '--option VALUES', or where the two are wider than the terminal (train's '--class-weight
        balanced|LABEL=W[,LABEL=W]', 43 columns), the values on a line of their own under the option."""
        text = super()._format_action_invocation(action)
        if self._current_indent + len(text) <= self._width or len(action.option_strings) != 1 or " " not in text:
            return text
        option, _, values = text.partition(" ")
        return f"{option}\n{' ' * (self._current_indent + 4)}{values}"

    def _get_help_string(self, action):
        help_text = action.help or ""
        default = action.default
        if default is None or default is False or default is argparse.SUPPRESS or default == [] \
                or "default" in help_text or not action.option_strings or action.nargs == 0:
            return help_text
        return f"{help_text} (default: %(default)s)"


def _broken_command(body: str, lead: str, width: int) -> list[str]:
    """A shell command too long for `width`: broken between its words (a quoted word kept whole), each
    line but the last ending in ` \\`; a comment after it goes on the line above."""
    command, _, comment = body.partition("  # ")
    lines = textwrap.wrap(comment.strip(), width, initial_indent=f"{lead}# ", subsequent_indent=f"{lead}# ",
                          break_long_words=False, break_on_hyphens=False)
    words: list[str] = []
    for word in re.findall(r"""(?:'[^']*'|"[^"]*"|\S)+""", command):     # an option kept with its value
        if words and words[-1].startswith("-") and " " not in words[-1] and not word.startswith("-"):
            words[-1] += " " + word
        else:
            words.append(word)
    line = lead + words[0]
    for word in words[1:]:
        if len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = lead + "    " + word
        else:
            line += " " + word
    return [*lines, line]


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


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        words = help_words(parser, sys.argv[1:] if argv is None else argv)
        if isinstance(words, int):        # `chainrule` alone, a wrong first word: said; its exit status
            return words
        args, extra = parser.parse_known_args(words)
        if extra:                     # said by the command's own parser, under its own usage
            commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
            command_parser = commands.choices[args.command]
            command_parser.error(unrecognized(command_parser, extra) + spaced_list(command_parser, words, extra))
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


def _identity(path: Any) -> tuple[int, int, int] | None:
    """The file at `path` as a rename replaces it (device, inode, time), or None where there is none."""
    import os
    try:
        st = os.stat(path)
    except (OSError, TypeError, ValueError):
        return None
    return st.st_dev, st.st_ino, st.st_mtime_ns


def _resume_advice(args) -> str:
    """What --resume would do after the interruption: continue the checkpoint in --checkpoint-dir, if a
    run cut short left one there (before its first epoch's end, none: --resume started at epoch 1)."""
    folder = getattr(args, "checkpoint_dir", None)
    if not folder:
        return ""
    from ..errors import ChainruleError
    from ..saving.checkpoint import checkpoint_path, cut_short
    from ..saving.npz import load_all
    try:      # a run cut short's (a finished run's is not continued; an unreadable file: resume says why)
        state = (load_all(checkpoint_path(folder))[1] or {}).get("checkpoint")
    except (ChainruleError, OSError):
        state = None
    if checkpoint_path(folder).exists() and not (isinstance(state, dict) and cut_short(state)):
        return (f"; no checkpoint of this run was written yet in {str(folder)!r} (the one there is not a run cut "
                "short; the first is written at the end of epoch 1)")
    if not isinstance(state, dict):
        return (f"; no checkpoint was written yet in {str(folder)!r} (the first is written at the end of "
                "epoch 1): --resume would start at epoch 1")
    return (f"; run the same command with --resume to continue from the last checkpoint in {str(folder)!r} "
            f"(epoch {state['epoch']} of {state['epochs']})")


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


def error_line(exc: BaseException, who: str = "") -> tuple[str, int]:
    """The command's line for an error (`who` before its message: an MPI rank) and its exit code."""
    code = exit_code(exc)
    prefix = "internal error " if code == 1 else ""
    suffix = " (a bug: rerun with --debug and report the traceback)" if code == 1 else ""
    return f"chainrule: error: {prefix}{who}{clip(_message(exc))}{suffix}", code
