"""How every report writes a number: one rule for `chainrule explain` (text and Markdown) and the
explorer (whose server sends the page every number written by it: the page's static/numbers.js only groups
it in threes, writes its e-notation as 1.234568 x 10^10, and shortens it where a label has no room).

The seed's rule: nine decimals at most, trailing zeros dropped (0.298371109; its out_o1 = 0.75136507,
0.751365070 without its zero; a typed 0.15), so that one number reads the same on every line. A
magnitude below 1e-6 (or of 1e10 and more) is written in scientific notation, rounded to 7 significant
digits, its mantissa's trailing zeros dropped too (3.403177e-06, 1e-07), so that a vanishing gradient
shows its size instead of 0; zero is 0, never -0.

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
from decimal import Decimal
from typing import SupportsFloat

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


def fmt(v: SupportsFloat | list | tuple | None) -> str:
    """`v` as the reports write it; a list (one value per sample) in brackets; None as ""."""
    if v is None:
        return ""
    if isinstance(v, (list, tuple)):
        return fmt(v[0]) if len(v) == 1 else "[" + ", ".join(fmt(x) for x in v) + "]"
    v = float(v)
    if not math.isfinite(v):
        return str(v)
    if _SINGLE.get():
        s32 = np.float32(abs(v) if v == 0 else v)
        if v != 0 and not SMALL <= abs(v) < LARGE:
            return np.format_float_scientific(s32, unique=True, trim="-")
        return np.format_float_positional(s32, unique=True, trim="-")
    if v != 0 and not SMALL <= abs(v) < LARGE:
        mantissa, exponent = f"{v:.6e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    s = f"{abs(v) if v == 0 else v:.9f}"
    return s.rstrip("0").rstrip(".")


def last_place(printed: str) -> int | None:
    """The place of the last digit `fmt` rounded `printed` to (-9: nine decimals, though 0.55 shows two; 3.4e-06:
    -12, seven significant digits; float32's shortest decimals: the last one shown); None for inf or nan. What a
    reader's check of a line rounds to: 0.55 stands for 0.550000000, not for anything that rounds to 0.55."""
    place = Decimal(printed).as_tuple().exponent
    if not isinstance(place, int) or single():
        return place if isinstance(place, int) else None
    return int(printed.split("e")[1]) - 6 if "e" in printed else -9


def factor(v) -> str:
    """A number inside a formula: in parentheses when negative, as -(0.04 - (-0.28)) needs."""
    s = fmt(v)
    return f"({s})" if s.startswith("-") else s


def cell(v: float) -> str:
    """A CSV file's number as a person reads it: 6 significant figures, never in e-notation (1928.36,
    0.0611637, 2980000), as the explorer writes the inputs' raw values and the words under its title."""
    return np.format_float_positional(float(v), precision=6, unique=False, fractional=False, trim="-")


def tex_numbers(tex: str) -> str:
    """A LaTeX equation's e-notation (3.403177e-06, which math mode sets as a product with e) as 3.403177 \\times
    10^{-6}; words in \\text{} kept as written (a column named 1e-3 is no number, and \\times is no text)."""
    return re.sub(r"\\text\{(?:\\.|[^\\{}])*\}|(?<![\w.])(\d+(?:\.\d+)?)e([+-]?\d+)\b",
                  lambda m: m[0] if m[1] is None else f"{m[1]} \\times 10^{{{int(m[2])}}}", tex)


def plain_numbers(tex: str) -> str:
    """`tex_numbers` undone: 3.403177 \\times 10^{-6} as 3.403177e-06, as the text writes it (for a Markdown line that
    is not math)."""
    return re.sub(r"(\d+(?:\.\d+)?) \\times 10\^\{([+-]?\d+)\}", lambda m: f"{m[1]}e{int(m[2]):+03d}", tex)
