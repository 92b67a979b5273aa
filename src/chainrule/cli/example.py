"""`chainrule example`: the seed's worked example, step by step, checked against the seed."""
from __future__ import annotations

import argparse
import sys

from . import numbers
from .usage import OptionError


def register(sub) -> None:
    p = sub.add_parser(
        "example", help="the seed's worked example, every figure checked",
        description="Print the seed's 2-2-2 worked example step by step (forward pass, errors, every "
                    "gradient as its chain-rule factors, every updated weight), train it 10,000 times, "
                    "and check every figure the seed prints.",
        epilog="example:\n  chainrule example --as-published",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--as-published", action="store_true",
                   help="also show the computations that reproduce the seed's figures that are not correct")
    p.add_argument("--format", choices=["text", "markdown"], default="text", help="output format")
    add_width(p)
    p.set_defaults(func=run)


def add_width(p) -> None:
    """--width: the text's lines broken to fit a terminal (explain and example)."""
    p.add_argument("--width", type=numbers.width, metavar="COLUMNS",
                   help="break text lines wider than this many columns (formulas at = signs, then +, *, /, - "
                        "or commas; prose at spaces), the notes and an error on stderr too; default: the "
                        "terminal's width when printing to one, else no breaking; 0: never break")


def width(args) -> int:
    """The columns --width asks for: the terminal's when not given and printing to one; 0 for no breaking."""
    given = getattr(args, "width", None)
    fmt = "markdown" if getattr(args, "formulas", False) else getattr(args, "format", None) or "text"
    if given is not None and fmt != "text":
        raise OptionError(f"--width breaks the lines of the text format; --format {fmt} keeps each line whole "
                          "(a Markdown formula, a JSON value): leave --width out")
    if given is not None:           # its range checked as argparse read it (numbers.width)
        return given
    from ..teach.width import columns
    return columns(sys.stdout)               # every command's rule: the terminal's width, 0 in a pipe


def run(args) -> int:
    from ..teach.width import fit_width
    from ..teach.worked_example import render, worked_example
    columns = width(args)
    figures, report = worked_example()
    text = render(figures, report, as_published=args.as_published, fmt=args.format, width=columns)
    print(fit_width(text, columns) if args.format == "text" else text, end="")
    return 0
