"""The command line's usage errors: argparse's own fitted to the terminal, a typo's likely option or command,
a value starting with '-' (the `--inputs=-1;2` form that gives it), `chainrule` alone, and the words before the
command (--debug, `help COMMAND`). Options are read whole everywhere, before the command word as after it: a
shortened one is refused naming the option it likely meant."""
from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from typing import Any, NoReturn

from ..errors import UnknownNameError, ValidationError, closest, did_you_mean


class Parser(argparse.ArgumentParser):
    """argparse's parser whose usage errors are fitted to the command's --width, else to a terminal's width, as the
    command's other error lines are (whole in a pipe); argparse printed them whole, broken mid-word."""

    words: list[str] = []

    def parse_known_args(self, args=None, namespace=None):
        self.words = list(sys.argv[1:] if args is None else args)    # for a --width among them, if it errs
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        if message.startswith("the following arguments are required"):     # said before the unrecognized ones:
            given = self.words[:self.words.index("--")] if "--" in self.words else self.words   # after it: values
            extra = [w for w in given if w.startswith("-") and w != "-" and not self._negative_number_matcher.match(w)
                     and w.split("=")[0] not in self._option_string_actions]      # `-targ y`, `-o x` too
            message += f"; {unrecognized(self, extra)}" if extra else ""   # `--targ y` said only "required: --target"
        message += dashed_value(self, message, self.words)
        usage_error(self, message, asked_width(self, self.words))
        raise SystemExit(2)


def dashed_value(p: argparse.ArgumentParser, message: str, words: list[str]) -> str:
    """For argparse's "argument --inputs: expected one argument" where the word after the option starts with '-'
    (`--inputs -0.1,0.2`, `--targets "-1;1"`: argparse reads as a value only a plain negative number), the form that
    gives it as a value, quoted for the shell; where that word is an option, or a typo of one (`--inputs --targ 1`),
    that word named (and the option it likely meant): the value itself is missing."""
    said = re.fullmatch(r"argument (\S+): expected one argument", message)
    given = words[:words.index("--")] if "--" in words else words        # after `--`: values already
    if said is None:
        return ""
    options = [o for a in p._actions for o in a.option_strings if o.startswith("--")]
    bare = {o.removeprefix("--"): o for o in options}
    for option, word in zip(given, given[1:]):
        if option not in said.group(1).split("/") or not word.startswith("-") or word == "-":
            continue
        name = word.split("=")[0]
        if name in p._option_string_actions:           # an option, or one misspelt: the value itself is missing
            return f" (the option {name} came in its place: give {option} a value before it)"
        likely = _likely(name.lstrip("-"), bare) if word[1:2] not in "0123456789." else None
        if likely:
            return (f" ({name}, no option, came in its place: did you mean {bare[likely]}? give {option} a value "
                    "before it)")
        return f" (a value starting with '-' is read as an option: give it as {shlex.quote(f'{option}={word}')})"
    return ""


def asked_width(p: argparse.ArgumentParser, words: list[str]) -> int | None:
    """The --width among a command's `words` (explain's, example's: the last one given) that fitted_width would fit
    the command's errors to, where the command has the option and its value is one; else None. argparse's own
    errors come before the options are read, so --format and --formulas are read from the words here too."""
    width, fmt = _last_value(p, words, "--width"), _last_value(p, words, "--format")
    formulas = "--formulas" in p._option_string_actions and "--formulas" in words
    return fitted_width(argparse.Namespace(width=width, format=fmt, formulas=formulas))


def _last_value(p: argparse.ArgumentParser, words: list[str], option: str) -> Any:
    """The value of the last `option` among `words`, read by the option's own type; None where the command has no
    such option, it is not given, or its value is wrong (argparse says why)."""
    action = p._option_string_actions.get(option)
    last = max((k for k, word in enumerate(words) if word == option or word.startswith(f"{option}=")), default=None)
    if action is None or last is None:
        return None
    text = words[last].split("=", 1)[1] if "=" in words[last] else words[last + 1] if last + 1 < len(words) else None
    read: Any = action.type if callable(action.type) else str
    try:
        value = None if text is None else read(text)
    except (argparse.ArgumentTypeError, TypeError, ValueError):     # --width itself wrong: the terminal's
        return None
    return value if action.choices is None or value in action.choices else None


def fitted_width(args: argparse.Namespace) -> int | None:
    """The --width a command's error (and warning) lines are fitted to: explain's, example's, where given for their
    text format; None: a terminal's width, one line in a pipe. A --width beside --format markdown or json fits
    nothing, not even argparse's errors: it is refused there (Markdown and JSON keep each line whole, for a file
    or a program to read), and stderr's lines are then fitted as without it, to the terminal they are read on."""
    width = getattr(args, "width", None)
    text = not getattr(args, "formulas", False) and getattr(args, "format", None) in (None, "text")
    return width if text and isinstance(width, int) else None


def usage_error(p: argparse.ArgumentParser, message: str, width: int | None = None) -> None:
    """The command's usage, then its error line, fitted as the command's other lines: to a --width asked for (explain,
    example; 0: never broken), else to a terminal's width; the error line whole in a pipe, one line to grep. Under
    mpiexec or srun, said by rank 0 alone."""
    from ..teach.width import say
    from ..training.rank_warnings import launched_rank
    rank = launched_rank()
    if rank != 0:                   # a launcher's other ranks: the options, and so their error, are alike on each
        # (every rank still exits 2); rank 0 says it once for the job, and a rank's own log (srun --output=%t) says
        # where to look rather than nothing
        say(f"{p.prog}: rank {rank} stopped: rank 0 says why (a usage error, alike on every rank)", sys.stderr, width)
        return
    if width is None:
        p.print_usage(sys.stderr)                   # argparse's: the terminal's width (80 columns in a pipe)
    else:
        make: Any = p.formatter_class               # (argparse's formatters all take a width)
        formatter = make(prog=p.prog, width=width or sys.maxsize)
        formatter.add_usage(p.usage, p._actions, p._mutually_exclusive_groups)
        sys.stderr.write(formatter.format_help())
    say(f"{p.prog}: error: {message}", sys.stderr, width)


def gone(stream: Any) -> None:
    """`stream`'s descriptor pointed at /dev/null: its reader went away (`| head`), and a write or flush after
    (Python's own at exit) would raise BrokenPipeError again."""
    import os
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def to_stderr(write: Any, *args: Any) -> None:
    """`write(*args)`, an error line or usage on stderr, written where its reader is still there: where it went
    away (`chainrule 2>&1 | head -1`) the command still ends quietly with the error's exit status, as it ends when
    stdout's reader goes away; before, a BrokenPipeError traceback and exit status 1."""
    try:
        write(*args)
    except BrokenPipeError:
        gone(sys.stderr)


def as_option(exc: UnknownNameError, *keywords: str) -> ValidationError:
    """The library's `activation='x'` as the command line's `--activation 'x'` (the option the user typed), for the
    first of `keywords` that `exc` names; `exc` as it is where it names none of them."""
    text = str(exc)
    keyword = next((k for k in keywords if text.startswith(f"{k}=")), None)
    if keyword is None:
        return exc
    return ValidationError(text.replace(f"{keyword}=", f"--{keyword.replace('_', '-')} ", 1))


class OptionError(ValidationError):
    """Options the parser took one by one but that cannot go together (sweep's --epochs beside a grid of epochs):
    said as argparse says its usage errors, under the command's usage, exit status 2."""


def unrecognized(p: argparse.ArgumentParser, extra: list[str], taken: tuple[str, ...] | None = None) -> str:
    """The usage error for arguments a command does not take, with the option a typo was likely
    meant to be (argparse says only 'unrecognized arguments', under the top-level usage), among `taken`
    (`p`'s options when None: `help` takes only --help, never guessed --version)."""
    options = [o for a in p._actions for o in a.option_strings if o.startswith("--")] if taken is None else taken
    # compared without their leading dashes, which every option shares: with them, '--id' was 'close' to '--mpi';
    # a word with one dash (`-targ`) is guessed as one with two
    bare = {o.removeprefix("--"): o for o in options if o.startswith("--")}
    guesses = {word.split("=")[0]: bare[close] for word in extra if word.startswith("-")
               for close in [_likely(word.split("=")[0].lstrip("-"), bare)]
               if close and bare[close] != word.split("=")[0]}
    said = [guess if len(guesses) == 1 else f"{guess} for {word}" for word, guess in guesses.items()]
    hint = f" (did you mean {', '.join(said)}?)" if said else ""
    return f"unrecognized arguments: {' '.join(extra)}{hint}"


def _list_values(p: argparse.ArgumentParser, words: list[str]):
    """(option, its value, the words after it up to the next option) of each comma-list option in `words`."""
    import itertools
    lists = {o for a in p._actions if "[," in str(a.metavar or "") for o in a.option_strings}
    for i, word in enumerate(words):
        name, eq, value = word.partition("=")
        if name not in lists or (not eq and i + 1 >= len(words)):
            continue
        value, start = (value, i + 1) if eq else (words[i + 1], i + 2)
        yield name, value, list(itertools.takewhile(lambda w: not w.startswith("-"), words[start:]))


def spaced_list(p: argparse.ArgumentParser, words: list[str], extra: list[str]) -> str:
    """'; --features takes several in one word, separated by commas: --features a,b' where the words left over
    (`extra`) follow a comma-list option's value in `words` (`--features a b`: argparse took a, left b unrecognized;
    `--features a b --target y data.csv`: b was taken for the data file, data.csv left over)."""
    import itertools
    import shlex
    files = [w for w in extra if not w.startswith("-")]
    for name, value, after in _list_values(p, words):
        stray, file = list(itertools.takewhile(lambda w: w in extra, after)), ""
        if not stray and after and len(files) == 1:       # the list's last word was taken for the data file
            stray = list(itertools.takewhile(lambda w: w not in extra, after))
            file = f", then the data file: {shlex.quote(files[0])}"
        if stray:
            return (f"; {name} takes several in one word, separated by commas, not spaces: "
                    f"{name} {shlex.quote(','.join([value, *stray]))}{file}")
    return ""


def list_taken_as_file(p: argparse.ArgumentParser, words: list[str], csv: object) -> str:
    """The usage error where a comma list written with spaces and no data file after it (`--features a b
    --target y`) gave its last word to the data file argument, a file that does not exist; '' otherwise."""
    import os
    import shlex
    if not isinstance(csv, str) or os.path.exists(csv):
        return ""
    for name, value, after in _list_values(p, words):
        if csv in after:
            joined = shlex.quote(",".join([value, *after[:after.index(csv) + 1]]))
            return (f"{name} takes several in one word, separated by commas, not spaces: {name} {joined}; "
                    f"{csv!r} was read as the data file, and no data file was given")
    return ""


def _likely(word: str, bare: dict[str, str]) -> str | None:
    """The option (less its dashes) `word` likely means: the one option it shortens, as argparse read it before
    options were read whole (`--ep` for --epochs, not the closer --sep; `--he` for --help, too short beside it for
    a typo), else the closest spelling; None where none is close and none or several start so."""
    starting = [b for b in bare if word and b.startswith(word)]
    return starting[0] if len(starting) == 1 else closest(word, bare)


def no_command(parser: argparse.ArgumentParser) -> int:
    """`chainrule` alone: its usage and its commands, one line each (as git and pip list theirs), on stderr
    with exit status 2, as every usage error is; argparse said only that COMMAND is required."""
    from ..teach.width import columns, fit_lines
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    width = max(len(c.dest) for c in commands._choices_actions)
    lines = [parser.format_usage(), "commands:"]
    lines += [f"  {c.dest:<{width}}  {c.help}" for c in commands._choices_actions]
    note = ("`chainrule help COMMAND` (or `chainrule COMMAND --help`) shows a command's options; "
            "`chainrule --help` the exit codes")
    print(fit_lines("\n".join(lines), columns(sys.stderr), " " * (width + 2)), file=sys.stderr)   # under the help
    print("\n" + fit_lines(note, columns(sys.stderr), ""), file=sys.stderr)                    # prose: at column 0
    return 2


#: first words a user of Keras or scikit-learn types for a command that chainrule names otherwise (model.fit,
#: model.evaluate's `eval`, an estimator's score, model.summary), far from any command's spelling
HABITS = {"fit": "train", "eval": "evaluate", "score": "evaluate", "summary": "info"}


def wrong_first_word(parser: argparse.ArgumentParser, words: list[str]) -> str:
    """The usage error for a first word (`words`: the command line without --debug) that is no command nor
    chainrule's own option, with the likely one (argparse said "the following arguments are required: COMMAND"
    of `chainrule --versoin`, no guess of `traim`); after `help`, an option other than --help is refused too."""
    word = words[1] if words[:1] == ["help"] and len(words) > 1 else words[0]
    if word.startswith("-"):
        own = ("-h", "--help") if words[0] == "help" else ("-h", "--help", "--version")
        return "" if word in own else unrecognized(parser, [word], own if words[0] == "help" else None)
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
    habit = HABITS.get(word.lower())
    hint = f"did you mean {habit!r}? " if habit in commands else did_you_mean(word, commands, "did you mean {!r}? ")
    return "" if word in commands or word == "help" else (f"argument COMMAND: invalid choice: {word!r} ({hint}choose "
                                                          f"from {', '.join(map(repr, commands))})")


def help_words(parser: argparse.ArgumentParser, argv: list[str]) -> list[str] | int:
    """`argv` as argparse is to read it: `chainrule help [COMMAND]` (as git's) is `chainrule [COMMAND] --help`,
    --debug kept; a wrong first word, or help of more than one word, refused here (its exit status)."""
    debug = [a for a in argv if a == "--debug"]
    words = [a for a in argv if a != "--debug"]
    if not words:                     # no command word (`chainrule`, `chainrule --debug`): the list
        return no_command(parser)
    wrong = wrong_first_word(parser, words)
    if words[0] != "help" and not wrong:
        return argv
    try:
        if len(words) > 2 or wrong:
            parser.error(wrong or f"help takes one COMMAND; got {len(words) - 1} words: {' '.join(words[1:])}")
    except SystemExit as stop:
        return stop.code if isinstance(stop.code, int) else 2
    return [*debug, *(words[1:2] if words[1:] not in (["help"], ["-h"], ["--help"]) else []), "--help"]


#: positional arguments that stand for an option (`chainrule explain iris.npz` is `--model iris.npz`), as
#: predict, evaluate, info and export take their model: a user's first guess works in every command
SAME_AS = {"model_file": "model", "out_file": "out"}


def same_as(args) -> None:
    """Fill each option from its positional stand-in (SAME_AS); refuse two different values."""
    for positional, option in SAME_AS.items():
        given = getattr(args, positional, None)
        if given is None:
            continue
        other = getattr(args, option, None)       # ./m.npz and m.npz: the same file
        if other is not None and os.path.abspath(other) != os.path.abspath(given):
            raise OptionError(f"--{option} given twice: the {positional.split('_')[0].upper()} argument {given!r} "
                              f"and --{option} {other!r}; give it once")
        setattr(args, option, other or given)
