"""How every report writes a number: one rule for `chainrule explain` (text and Markdown) and the
explorer (whose server sends the page every number written by it: the page's static/numbers.js only groups
it in threes, writes its e-notation as 1.234568 x 10^10, and shortens it where a label has no room).

Nine decimals, as the seed prints its figures (0.298371109). A magnitude below 1e-6 (or of 1e10
and more) is written in scientific notation with 7 significant digits, so that a vanishing
gradient shows its size instead of 0.000000000; zero is 0.000000000, never -0.000000000.
`zeros=False` drops the trailing zeros of the nine decimals (a typed value 0.15, the seed's
0.74136507): the same rounding, written shorter.

A float32 network's numbers are written as the shortest decimal that reads back as the same
float32 (0.15, not its nine decimals 0.150000006: digits below float32's precision are noise),
inside `single_precision()`, which `explain` enters for a float32 report.
"""
from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from contextvars import ContextVar

import numpy as np

SMALL = 1e-6       # below this magnitude: scientific notation
LARGE = 1e10       # from this magnitude: scientific notation
_SINGLE: ContextVar[bool] = ContextVar("single", default=False)


@contextlib.contextmanager
def single_precision(on: bool = True) -> Iterator[None]:
    """Within: `fmt` writes float32's shortest round-trip decimals (when `on`)."""
    token = _SINGLE.set(on)
    try:
        yield
    finally:
        _SINGLE.reset(token)


def single() -> bool:
    """Whether `fmt` writes float32's shortest decimals here (inside `single_precision()`)."""
    return _SINGLE.get()


def fmt(v, zeros: bool = True) -> str:
    """`v` as the reports write it; a list (one value per sample) in brackets; None as ""."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return fmt(v[0], zeros) if len(v) == 1 else "[" + ", ".join(fmt(x, zeros) for x in v) + "]"
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if _SINGLE.get():
        s32 = np.float32(abs(v) if v == 0 else v)
        if v != 0 and not SMALL <= abs(v) < LARGE:
            return np.format_float_scientific(s32, unique=True, trim="-")
        return np.format_float_positional(s32, unique=True, trim="-")
    if v != 0 and not SMALL <= abs(v) < LARGE:
        return f"{v:.6e}"
    s = f"{abs(v) if v == 0 else v:.9f}"
    return s if zeros else s.rstrip("0").rstrip(".")


def factor(v, zeros: bool = True) -> str:
    """A number inside a formula: in parentheses when negative, as -(0.04 - (-0.28)) needs."""
    s = fmt(v, zeros)
    return f"({s})" if s.startswith("-") else s


def cell(v: float) -> str:
    """A CSV file's number as a person reads it: 6 significant figures, never in e-notation (1928.36,
    0.0611637, 2980000), as the explorer writes the inputs' raw values and the words under its title."""
    return np.format_float_positional(float(v), precision=6, unique=False, fractional=False, trim="-")


def tex_numbers(tex: str) -> str:
    """A LaTeX equation's e-notation (3.403177e-06, which math mode sets as a product with e) as 3.403177 \\times
    10^{-6}."""
    return re.sub(r"(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d+)\b", lambda m: f"{m[1]} \\times 10^{{{int(m[2])}}}", tex)


def plain_numbers(tex: str) -> str:
    """`tex_numbers` undone: 3.403177 \\times 10^{-6} as 3.403177e-06, as the text writes it (for a Markdown line that
    is not math)."""
    return re.sub(r"(\d+(?:\.\d+)?) \\times 10\^\{([+-]?\d+)\}", lambda m: f"{m[1]}e{int(m[2]):+03d}", tex)
