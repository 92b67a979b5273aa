"""How the commands read a CSV file (train, predict, evaluate, explain --data, sweep): the reading
options and the column options (--drop, --features, --text; an empty list refused), the marks, encoding
and separator a trained model's file is read with (train's own), the column options spelled as the file
spells them, and the reading itself with its line on stderr."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable

from ..teach.width import say


def column_list(text: str) -> list[str]:
    """An option's comma-separated list (columns, missing-value markers), spaces around each stripped."""
    return [c.strip() for c in text.split(",") if c.strip()]


def named_list(option: str, expected: str, example: str, none: str):
    """The parser of a list-valued option: nothing named (an unset variable, `--drop "$COLS"`) is refused, saying
    how to mean none, where it silently meant none (or, for --features, all)."""
    def parse(text: str) -> list[str]:
        items = column_list(text)
        if not items:
            raise _nothing_given(option, expected, example, none, text)
        return items
    return parse


def named_text(option: str, expected: str, example: str, none: str | None):
    """The parser of a text option (explain's --model, --layers): nothing given (`--model "$M"` unset) is refused,
    as `named_list` refuses it, where it silently meant the option left out (`none` None: a required option, whose
    empty value was taken for a name: "target column '' is not in the file")."""
    def parse(text: str) -> str:
        if not text.strip():
            raise _nothing_given(option, expected, example, none, text)
        return text
    return parse


#: --model of explain, explore and plot (and their MODEL): empty (`--model "$M"` unset), it showed the seed's network
model_file = named_text("--model", "a saved model's file", "iris.npz", "for the seed's network")
#: train's and sweep's --target, required: empty, it was looked up as a column named ''
target_name = named_text("--target", "the name of the column to predict", "species", None)
#: --encoding: empty, it silently read the file as UTF-8
encoding_name = named_text("--encoding", "a text encoding", "latin-1",
                           "for UTF-8, or a trained model's file: train's")


def column_name(option: str, expected: str) -> Callable[[str], str]:
    """The parser of an optional column option (--id, --weight of train, sweep, evaluate): empty (`--id "$COL"` unset)
    is refused as argparse reads it, naming the option, where it was looked up as a column named '' once the file was
    read; any other name, spaces too, is a column's (a header may be one), unlike `named_text`."""
    def parse(text: str) -> str:
        if text == "":
            raise argparse.ArgumentTypeError(f"expected the name of {expected} (or no {option} for none); got ''")
        return text
    return parse


def output_name(option: str, expected: str, example: str, none: str | None = None) -> Callable[[str], str]:
    """The parser of an output option (--out of train, predict, plot, data; export's OUT): empty (`--out "$OUT"`
    unset) is refused as argparse reads it, naming the option, as `named_text` refuses an input's, where it was
    refused only once the command ran (after reading a model, or the data), in other words than the other empty
    names'."""
    return named_text(option, expected, example, none)


def _nothing_given(option: str, expected: str, example: str, none: str | None, text: str
                   ) -> argparse.ArgumentTypeError:
    left_out = f" (or no {option} {none})" if none is not None else ""
    return argparse.ArgumentTypeError(f"expected {expected}, e.g. {example}{left_out}; got {text!r}")


def thousands_mark(text: str) -> str:
    """--thousands: empty (`--thousands "$T"` unset) is refused, where it silently meant none, over a trained
    model's own mark too; a space is a mark (1 234,5), so only nothing given is; what cannot be a mark (two
    characters, a digit) is refused naming the option, which the reader's words do not."""
    if text == "":
        raise _nothing_given("--thousands", "a thousands separator or none", "',' or ' '",
                             "for none, or the model's for a trained model's file", text)
    if text.strip().lower() != "none" and (len(text) != 1 or text.isdigit() or text in '"\r\n'):
        raise argparse.ArgumentTypeError("expected the thousands separator, one character other than a digit or a "
                                         "quote, e.g. ',' or '.' or ' ' (or 'none' for none); got " + repr(text))
    return text


def separator_text(text: str) -> str:
    """--sep, checked here so that its refusal ('' of an unset variable, 'ab') names the option, which the reader's
    ("the separator must be ...") does not; kept as written ('tab')."""
    from ..data.separators import given_separator
    from ..errors import ValidationError
    try:
        given_separator(text)
    except ValidationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def decimal_mark(text: str) -> str:
    """--decimal, one character, refused here naming the option (the reader's words name only 'the decimal mark')."""
    if len(text) != 1:
        raise argparse.ArgumentTypeError("expected the decimal mark, one character, e.g. ',' (or no --decimal for "
                                         f"'.', or the model's for a trained model's file); got {text!r}")
    return text


feature_list = named_list("--features", "the input columns' names", "sepal_length,petal_width", "for every column")
drop_list = named_list("--drop", "the names of the columns to leave out", "id,notes", "to keep every column")
text_list = named_list("--text", "the names of the columns to use as text categories", "zip,grade", "for none")
marker_list = named_list("--na-values", "the cell values that mean missing", "'?,n/a'",
                         "for none but empty cells and NA")


def add_column_options(g) -> None:
    """The columns used (--drop, --features, --text, --max-categories), as train and sweep take them;
    `g`: a parser or an argument group."""
    from ..data.columns import MAX_CATEGORIES
    from .tabular import positive_int
    g.add_argument("--drop", type=drop_list, default=[], metavar="COL[,COL]",
                   help="columns to leave out (default: none, every column is kept)")
    g.add_argument("--features", type=feature_list, default=[], metavar="COL[,COL]",
                   help="the only columns to use as inputs (default: all but the target and --drop)")
    g.add_argument("--text", type=text_list, default=[], metavar="COL[,COL]",
                   help="columns to use as text categories even if they hold numbers, read as written (codes "
                        "007 and 7 differ); the target too: its class labels as written (default: none, a column of "
                        "numbers is read as numbers)")
    g.add_argument("--max-categories", type=positive_int, default=MAX_CATEGORIES, metavar="N",
                   help="a text column keeps this many most frequent values; the rest count as 'other' "
                        f"(default: {MAX_CATEGORIES})")


def said_left_out(left: list[str]) -> None:
    """The line on stderr naming the columns --drop or --features left out (none when none)."""
    from ..data.csvfile import names
    if left:
        say(f"left out: {names(left, 20)}", sys.stderr)


def add_csv_options(p) -> None:
    """How to read the CSV file: separator, encoding, decimal mark, thousands separator, missing-value markers."""
    g = p.add_argument_group("reading the CSV file")
    g.add_argument("--sep", type=separator_text,
                   help="field separator: , ; | or tab (default: detected, the one that splits every line evenly; "
                        "for a model's file, train's where it splits the header into the model's columns)")
    g.add_argument("--encoding", type=encoding_name,
                   help="text encoding, e.g. latin-1 or cp1252 (UTF-8 if not given; a model's: train's, "
                        "unless the file is UTF-8 or starts with a byte order mark)")
    g.add_argument("--decimal", type=decimal_mark,
                   help="decimal mark of the numbers (',' in many European files; for a trained model's file the "
                        "model's, the one train read its file with) (default: '.')")
    g.add_argument("--thousands", type=thousands_mark, metavar="CHAR",
                   help="thousands separator of the numbers: ',' reads 1,234 as 1234 ('.' with --decimal , reads "
                        "1.234,5; ' ' 1 234,5); none when not given (for a trained model's file: the model's; "
                        "'none' for none)")
    g.add_argument("--na-values", type=marker_list, default=[], metavar="TEXT[,TEXT]",
                   help="cell values that mean 'missing' (e.g. '?,n/a'), besides empty cells and NA/NaN "
                        "(default: none but those)")


def reading_marks(args, pre=None) -> None:
    """--decimal and --thousands where not given: '.' and none for train; the model's for predict and
    evaluate (a model trained on 1.234,5 files read its own file with '.' and refused it). A mark
    given wins over the model's other one where they clash; --thousands none: no separator. A --sep
    that is the model's decimal mark says the file is not written as train's was: '.' and none."""
    given = args.decimal is not None, args.thousands is not None
    if args.thousands is not None and args.thousands.strip().lower() == "none":
        args.thousands = None
    pre = None if pre is None or pre.decimal == getattr(args, "sep", None) else pre
    if not given[0]:
        args.decimal = pre.decimal if pre is not None and pre.decimal is not None else "."
    if not given[1] and pre is not None:
        args.thousands = pre.thousands
    if args.thousands is not None and args.thousands == args.decimal and given == (True, True):
        from .usage import OptionError
        raise OptionError(f"--thousands {args.thousands!r} is also --decimal {args.decimal!r}: a number's two marks "
                          "differ, e.g. --decimal ',' --thousands '.' for 1.234,5")
    if args.thousands == args.decimal and given != (True, True):    # the model's mark gives way to the given one
        if given[0]:
            args.thousands = None
        else:               # the decimal mark --thousands leaves, not the model's: not said to be the model's
            args.decimal, given = ("," if args.thousands == "." else "."), (True, True)
    taken = [] if pre is None else [(k, v) for k, v, g, plain in (("decimal", args.decimal, given[0], "."),
                                                                    ("thousands", args.thousands, given[1], None))
                                     if not g and v != plain]
    args.inherited = [f"--{k} {v!r}" for k, v in taken]


def as_trained(args, pre, path) -> None:
    """The options not given, for the file `path` a trained model reads, as train read its own: marks
    (`reading_marks`), encoding (but those read untold: UTF-8, UTF-16/32 by their byte order mark; and
    not for a file that is in another: `header.set_aside`, said in `args.set_aside`) and
    separator (`header.separator_for`; `args.sep_from` says whose)."""
    import codecs

    from ..data.header import separator_for, set_aside
    from ..data.separators import SEP_NAMES
    reading_marks(args, pre)
    untold = ("utf-8", "utf-16", "utf-32")
    args.set_aside = None
    if args.encoding is None and pre.encoding and codecs.lookup(pre.encoding).name not in untold:
        known = [*pre.columns, *(v for values in pre.categories.values() for v in values)]
        why = set_aside(path, pre.encoding, known)
        if why is None:
            args.encoding = pre.encoding
            args.inherited.append(f"--encoding {pre.encoding!r}")
        else:
            args.set_aside = f"not the model's {pre.encoding}: {why}"
    args.sep_from = "given" if args.sep is not None else "detected"
    if args.sep is None and pre.sep is not None:
        args.sep_from = separator_for(path, pre.sep, pre.columns, args.encoding)
        if args.sep_from != "other":          # the model's (detection agrees, or has no better one)
            args.sep = pre.sep
        else:
            args.sep_from = f"detected: the model's {SEP_NAMES.get(pre.sep, repr(pre.sep))} does not split the " \
                "header into its columns"
    mark_is_separator(args, path)


def mark_is_separator(args, path) -> None:
    """Refuse a model's decimal mark (not given) that is the separator this file seems to use (an ordinary comma
    file for a model trained with --decimal ','), leading with the quick way (--decimal .): the advice to save
    the file with ';' is for one that really writes decimal commas, which reading it with '.' then finds."""
    from ..data.header import seems_separated
    from ..data.separators import SEP_NAMES
    from ..errors import ValidationError
    if args.sep is not None or not any(i.startswith("--decimal") for i in args.inherited):
        return
    if seems_separated(path, args.encoding) == args.decimal:
        shown = SEP_NAMES.get(args.decimal, repr(args.decimal))
        raise ValidationError(f"the separator {shown} (detected) is the model file's decimal mark {shown} (as train "
                              f"read its file): give --decimal . (or --sep {args.decimal}) to read this one's numbers "
                              "with '.'")


def separator_how(args, sep: str, detected: bool) -> str:
    """How `sep` was chosen, for messages: "--sep ';'", "the separator ',' (detected)", or the model's."""
    from ..data.separators import SEP_NAMES
    shown, how = SEP_NAMES.get(sep, repr(sep)), getattr(args, "sep_from", "detected" if detected else "given")
    if how == "model":
        return f"the model file's separator {shown}"
    return f"--sep {shown}" if how == "given" else f"the separator {shown} (detected)"


def keep_reading(pre, args, stream=None) -> None:
    """How train read its file (missing-value markers, marks, separator and encoding: `stream`'s or
    `read`'s) on the model's preprocessing, for predict, evaluate and explain --data to read alike."""
    info = stream.info if stream is not None else args.read_as
    pre.na_values, pre.decimal, pre.thousands = list(args.na_values or []), args.decimal, args.thousands
    pre.sep, pre.encoding = info["sep"], info["encoding"]


#: the options that name columns of the file
COLUMN_OPTIONS = ("target", "features", "drop", "text", "weight", "id")


def as_in_file(args, columns) -> bool:
    """The column options spelled as the file spells them: a header "age, income" has the column
    ' income', which --drop income (or ' income', whose spaces the option's list strips) names.
    A name matches the one column equal to it once both are stripped. Whether --text changed."""
    from ..data.csvfile import as_spelled
    columns = list(columns)
    if len(columns) == 1 and getattr(args, "target", None) not in (None, *columns):   # train: the separator is wrong
        from ..data.header import one_column
        error = one_column(args.csv, columns, separator_how(args, args.sep or ",", args.sep is None), args.encoding)
        if error is not None:
            raise error

    def spelled(name):
        return as_spelled(name, columns)

    text = list(getattr(args, "text", None) or [])
    for option in COLUMN_OPTIONS:
        value = getattr(args, option, None)
        if isinstance(value, list):
            setattr(args, option, [spelled(v) for v in value])
        elif isinstance(value, str):
            setattr(args, option, spelled(value))
    return text != list(getattr(args, "text", None) or [])


def read(args, path, text_columns=None, usecols=None):
    """The CSV file read with the command's options; one line on stderr says how (none when read
    again with other `text_columns`, or its `usecols` only: read_csv's)."""
    from ..data.csvfile import describe_source, read_csv, short
    from ..data.progress import Progress
    with Progress(f"reading {short(str(path), 200)}"):        # a line only when it takes more than 2 s
        def read_it():
            return read_csv(once(args, path), sep=args.sep, encoding=args.encoding, decimal=args.decimal,
                            thousands=args.thousands, na_values=args.na_values or None,
                            text_columns=(getattr(args, "text", None) or ()) if text_columns is None else text_columns,
                            usecols=usecols)
        df = read_it()
        args.read_as = df.attrs["csv"]                              # the separator and encoding, for the model
        if text_columns is None and as_in_file(args, df.columns):   # --text named a column spelled otherwise
            df = read_it()
    if text_columns is None:
        say(describe_source(df), sys.stderr)
    return df


def once(args, path):
    """`path` to read, or where it is a pipe (standard input, a shell's <(zcat data.csv.gz)), its bytes read
    once and kept in `args.piped`: a copy of them named as the pipe for each reading (train reads a pipe once,
    whole, and reads its target's labels again from those bytes: the pipe is empty the second time)."""
    import io
    import os
    import stat

    from ..data.opening import open_csv
    piped = getattr(args, "piped", None)
    if piped is None or piped[0] != str(path):
        try:
            regular = stat.S_ISREG(os.stat(os.path.expanduser(str(path))).st_mode)
        except OSError:
            return path                          # read_csv says why it cannot be read
        if regular:
            return path
        with open_csv(str(path)) as f:
            args.piped = piped = (str(path), f.read())
    copy = io.BytesIO(piped[1])
    copy.name = piped[0]
    return copy


def special_file(path) -> str | None:
    """What `path` is where it is neither a regular file nor a folder ('a named pipe (FIFO)', 'a socket', 'a
    device'): opened where a file is read or written, a FIFO waits for ever for the other end; else None."""
    import os
    import stat
    try:
        mode = os.stat(os.path.expanduser(str(path))).st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else None


def refuse_special(path, what: str, wanted: str) -> None:
    """Refuse `path` given as `what` ('model file', '--checkpoint-dir') where it is a pipe, a socket or a device,
    at once, naming it and what was `wanted` (it waited for ever for a writer, or failed deep in a reader)."""
    from ..errors import ValidationError
    kind = special_file(path)
    if kind is not None:
        raise ValidationError(f"{what} {str(path)!r} is {kind}, not {wanted}")


def not_folder(path) -> None:
    """Refuse a --checkpoint-dir that is there and is not a folder, naming what it is (it said 'cannot be
    created (File exists)')."""
    import os

    from ..errors import ValidationError
    where = os.path.expanduser(str(path))
    kind = special_file(path) or (None if os.path.isdir(where) or not os.path.lexists(where) else
                                  "a file" if os.path.exists(where) else
                                  f"a broken symbolic link (to {os.readlink(where)!r}, which does not exist)")
    if kind is not None:
        raise ValidationError(f"--checkpoint-dir {str(path)!r} is {kind}, not a folder: give a folder (one that does "
                              "not exist is created)")
    from pathlib import Path

    from .tabular import takes_files
    there = Path(os.path.abspath(where))
    while not os.path.lexists(there) and there != there.parent:     # the folder it is created in (/proc of /proc/ck)
        there = there.parent
    if there.is_dir():
        takes_files(there, f"--checkpoint-dir {str(path)!r}")
