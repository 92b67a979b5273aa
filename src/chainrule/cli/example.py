"""`chainrule example`: the seed's worked example, step by step, checked against the seed."""
from __future__ import annotations

import argparse


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
    p.set_defaults(func=run)


def run(args) -> int:
    from ..teach.worked_example import render, worked_example
    figures, report = worked_example()
    print(render(figures, report, as_published=args.as_published, fmt=args.format), end="")
    return 0
