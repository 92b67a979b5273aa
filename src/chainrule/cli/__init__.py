"""The `chainrule` command: a thin driver of the library (each subcommand is a module of
`chainrule.cli`). Exit codes: 0 success, 2 bad usage or bad input, 1 anything else."""
from __future__ import annotations

import argparse
import importlib
import sys

COMMAND_MODULES = [
    "chainrule.cli.example",
    "chainrule.cli.demo",
    "chainrule.cli.tabular",
    "chainrule.cli.plot",
    "chainrule.cli.explain",
    "chainrule.cli.sweep",
    "chainrule.cli.explore",
    "chainrule.cli.export",
]


def build_parser() -> argparse.ArgumentParser:
    from .. import __version__
    parser = argparse.ArgumentParser(
        prog="chainrule",
        description="Backpropagation from first principles: see every number, train on a CPU.",
        epilog="examples:\n  chainrule example\n  chainrule demo",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"chainrule {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the full traceback on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print("chainrule: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (`chainrule example | head`): stop quietly
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # one readable line unless --debug
        if args.debug:
            raise
        from ..errors import ChainruleError
        bad_input = isinstance(exc, (ChainruleError, ValueError, FileNotFoundError, PermissionError, IsADirectoryError))
        code = 2 if bad_input and not isinstance(exc, RuntimeError) else 1
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"chainrule: error: {msg}", file=sys.stderr)
        return code


