"""The lines whose written numbers, recomputed exactly, give another last digit than the value written after them.

Every number of a report is the engine's, rounded to the digits it is written with. In float64 each line's value is
computed from the unrounded numbers, so a reader redoing a line from its rounded ones may get another last digit (the
seed's dE/dout_h1 = 0.055399425 + (-0.019049118) adds to 0.036350307; the engine's is 0.036350306); in float32 each
operation is rounded to float32 (0.1*0.1 + 0.7*0.3 + 0.2*1 = 0.42000002, 0.42 by hand). One evaluator (`exact`) and
one rule (`notes`) for both, for the report and the explorer's derivation: in float64 once, under the first such line,
what it gives and how many more do; in float32, where nearly every line does, the rule once in words under the first
(with what it gives), and a pointer only under a line that is off by more than its last digit (`held`: why, where its
printed numbers are). The error lines' float32 note under E_total (error_terms.single_note) reads `exact` too.
"""
from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction
from typing import Any

import numpy as np

from .numbers import fmt, last_place, single

SHOWN = 60           # a line's numbers written again in the note up to so many characters, else its name alone
# float32's 24-bit significand keeps about 7 significant digits (24 log10 2 = 7.2); printing one so that it reads back
# as the same float32 takes up to 9 (0.50999999), the shortest that does are printed
FLOAT32 = ("This network computes in float32: each operation rounds its result to float32, which keeps about 7 "
           "significant digits (a BLAS that fuses a multiply and an add rounds them once, so the last digit can differ "
           "between machines); each number is printed with the fewest digits that read back as the same float32, "
           "up to 9, so a line redone from its printed, rounded numbers may differ in the last digit")    # said once
FAR = 10          # float32: a line whose numbers done exactly are this many units of its last digit off gets a pointer
FLOAT64 = "Each value is the engine's, from the unrounded numbers"      # why, in float64
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[+-]?\d+)?")      # a line's written value
_WRITTEN = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?")     # a number among a line's numbers (not log1p's 1)
_CALLS = {"log": np.log, "log1p": np.log1p, "exp": np.exp}


def shows(exact: Fraction, printed: str) -> bool:
    """Whether `exact`, rounded to the digits `printed` shows (0.274811083: nine decimals; 3.403177e-06: its
    seven significant ones), is `printed`: what a reader checks a line with."""
    rounded = _quantized(exact, printed)
    return rounded is not None and rounded == Decimal(printed)


def _quantized(exact: Fraction, printed: str) -> Decimal | None:
    """`exact` rounded to the digits `printed` was rounded to (numbers.last_place); None for nan or inf."""
    exponent = last_place(printed)
    if exponent is None:
        return None
    with localcontext() as c:
        c.prec = 80
        value = Decimal(exact.numerator) / Decimal(exact.denominator)
        return value.quantize(Decimal(1).scaleb(exponent), rounding=ROUND_HALF_EVEN)


def rounded(exact: Fraction, printed: str) -> str:
    """`exact` written as `printed` is, to its digits (3.403177e-06: six decimals of e-notation)."""
    value = _quantized(exact, printed)
    if value is None:
        return ""
    if not single():
        return fmt(value)                  # float64: as the report writes every number
    if "e" in printed:
        return f"{float(value):.{len(printed.split('e')[0].split('.')[-1]) if '.' in printed else 0}e}"
    return f"{value:f}"


def exact(numbers: str, functions: bool = False) -> Fraction | None:
    """The value of a line's numbers (the text after its last " = "): +, -, *, /, ^, brackets, |x|, max and
    0.75(1 - 0.75) as a product, exactly; with `functions`, log, log1p and exp too, in float64 (far below float32's
    last digit: for float32 lines), 0 times anything taken as 0 (0 log 0, as error_terms.ZERO_LOG says). None where
    the numbers have anything else (a name, a cut sum "...", a list) or no value (a log of 0 alone, 1/0)."""
    text = re.sub(r"\|([^|]*)\|", r"abs(\1)", numbers.split(" = ")[-1])
    text = re.sub(r"(\d)\s*\(", r"\1*(", text).replace("^", "**")

    def value(node: ast.AST) -> Fraction | float:       # a float only where a function gave inf: max(log(0), -100)
        if isinstance(node, ast.Constant) and type(node.value) in (int, float):
            return Fraction(ast.get_source_segment(text, node) or repr(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -value(node.operand) if isinstance(node.op, ast.USub) else value(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
            args = [value(a) for a in node.args]
            if node.func.id in ("max", "abs") and args:
                return max(args) if node.func.id == "max" else max(args[0], -args[0])      # abs
            if functions and node.func.id in _CALLS and len(args) == 1:
                with np.errstate(all="ignore"):
                    got = float(_CALLS[node.func.id](float(args[0])))
                return Fraction(got) if math.isfinite(got) else got
        if isinstance(node, ast.BinOp):
            a = value(node.left)
            if isinstance(node.op, ast.Mult) and a == 0:
                return Fraction(0)
            b = value(node.right)
            if isinstance(node.op, ast.Pow):
                if isinstance(b, Fraction) and b.denominator == 1 and abs(b) <= 4:
                    return a ** int(b)
                if functions:
                    return Fraction(float(a) ** float(b))
            ops: dict[type, Callable[[Any, Any], Fraction | float]] = {
                ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}
            if type(node.op) in ops:
                return ops[type(node.op)](a, b)
        raise ValueError(ast.dump(node))

    try:
        result = value(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, TypeError, ZeroDivisionError, OverflowError, RecursionError):
        return None
    return result if isinstance(result, Fraction) else None


def again(exact_value: Fraction, printed: str) -> str:
    """`exact_value` to `printed`'s digits, trailing zeros dropped where that is still it exactly (0.32, not
    0.32000000); "" where that is `printed` or there are no digits (inf, nan)."""
    text = rounded(exact_value, printed)
    if not text or text == printed:
        return ""
    short = text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text
    return short if Fraction(short) == exact_value else text


def differs(line: str) -> str | None:
    """What `line` (name = formula = numbers = value) gives recomputed from its written numbers where that is not its
    written value ("dE/dout_h1's 0.055399425 + (-0.019049118) gives 0.036350307"); None where it gives it, has no
    numbers, or is an error line (their own rule: error_terms writes them to give their value in float64, and
    single_note says float32's under E_total)."""
    parts = line.split("   (")[0].split(" = ")
    if len(parts) < 3 or parts[0].startswith("E_") or not _NUMBER.fullmatch(parts[-1].lstrip("-")):
        return None
    value = exact(parts[-2], functions=single())
    other = again(value, parts[-1]) if value is not None else ""
    if not other:
        return None
    numbers = f"{parts[0]}'s numbers" if len(parts[-2]) > SHOWN else f"{parts[0]}'s {parts[-2]}"
    return f"{numbers} give{'s' * (len(parts[-2]) <= SHOWN)} {other}"


def far(line: str) -> bool:
    """Whether `line`'s numbers done exactly are at least FAR units of its written value's last digit off it: more than
    the last digit that float32's rule (FLOAT32) speaks of."""
    parts = line.split("   (")[0].split(" = ")
    return _far(exact(parts[-2], functions=single()), parts[-1])


def _far(value: Fraction | None, printed: str) -> bool:
    """Whether `value` is at least FAR units of `printed`'s last digit off it (False for none, inf or nan)."""
    digit = Decimal(printed).as_tuple().exponent            # its last digit's place; not an int for inf, nan
    return value is not None and isinstance(digit, int) and \
        abs(value - Fraction(printed)) >= FAR * Fraction(Decimal(1).scaleb(digit))


def held(line: str) -> str:
    """Why a `far` float32 line is off where its printed numbers are: float32 holds them to more digits than printed
    (a target typed 0.51 is 0.50999999), and the numbers as held give the line's value to FAR units: the number held
    furthest from its print and what they give (" as float32 holds 0.51 as 0.50999999 (its numbers so held give
    -0.00045609)"); where they do not, the operations' rounding is what the line is off by, and `_cancelled` says
    why it is so large where the line's terms nearly cancel ("" where they do not)."""
    parts = line.split("   (")[0].split(" = ")
    found = [m[0] for m in _WRITTEN.finditer(parts[-2])]
    value = exact(_held(parts[-2]), functions=True)
    if not found or value is None or _far(value, parts[-1]):
        return _cancelled(parts[-2], parts[-1])
    widest = max(found, key=lambda n: abs(Fraction(float(np.float32(n))) - Fraction(n)))
    held_as = next(f"{float(np.float32(widest)):.{k}g}" for k in range(9, 18)     # to the digits that show it
                   if k == 17 or Decimal(f"{float(np.float32(widest)):.{k}g}") != Decimal(widest))
    return f", as float32 holds {widest} as {held_as} (its numbers so held give {again(value, parts[-1]) or parts[-1]})"


def _held(numbers: str) -> str:
    """`numbers` with each number written as float32 holds it (0.51 as 0.5099999904632568)."""
    return _WRITTEN.sub(lambda m: repr(float(np.float32(m[0]))), numbers)


def _cancelled(numbers: str, printed: str) -> str:
    """Why a `far` line whose numbers, as float32 holds them, do not give its value is off: its terms (the parts of
    its sum) nearly cancel, of both signs and the largest CANCEL times its value or more, and float32's rounding of
    the terms and their sum, small beside a term, spans the line's offset and is many units of the small value's
    last digit. "" where this does not explain it (or the numbers are no sum)."""
    try:
        node = ast.parse(re.sub(r"(\d)\s*\(", r"\1*(", numbers), mode="eval").body
    except SyntaxError:
        return ""
    terms = []
    while isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
        terms.append((-1 if isinstance(node.op, ast.Sub) else 1, node.right))
        node = node.left
    values = [sign * v for sign, term in [(1, node), *terms] if (v := exact(_held(ast.unparse(term)), functions=True))
              is not None]              # each term from its numbers as float32 holds them
    value, largest = Fraction(printed), max(map(abs, values), default=Fraction(0))
    if not terms or len(values) != len(terms) + 1 or min(values) >= 0 or max(values) <= 0 or \
            largest < CANCEL * abs(value):
        return ""
    # each term's rounding to float32 and each addition's: at most half a unit of float32's last place of the terms'
    # magnitudes added up, a unit a term and so many in all
    bound = len(values) * Fraction(float(np.spacing(np.float32(float(sum(map(abs, values)))))))
    if abs(sum(values) - value) > bound or not _far(value + bound, printed):
        return ""
    return (f", as its terms nearly cancel (the largest {float(largest):.4g}, {float(largest / abs(value)):.0f} times "
            "the value): a difference of nearly equal numbers loses the leading digits they share, and float32's "
            f"rounding of the terms, up to {float(bound):.2g} here, is many units of the value's last digit")


CANCEL = 2        # a sum's largest term this many times its value or more: it lost digits to cancellation


def notes(plain_lines: list[str], said_from: int | None = None) -> list[tuple[int, str]]:
    """The notes on `plain_lines`' written numbers, each with the index of the line it goes under: float64's under the
    first line that `differs` (what it gives, how many more do); float32's rule under the first (FLOAT32 with what it
    gives), and a pointer under each later line that is `far` off, the others' last digits being what the rule says.
    `said_from`: FLOAT32 was said above the lines from this index on (under E_total, by single_note)."""
    found = [(k, said) for k, line in enumerate(plain_lines) if (said := differs(line)) is not None]
    said_out = []
    for n, (k, said) in enumerate(found):
        value = plain_lines[k].split("   (")[0].split(" = ")[-1]
        ruled = n > 0 or said_from is not None and k >= said_from         # float32's rule said above
        if not single():
            others = len(found) - 1
            more = f" (and {others} more line{'s' * (others != 1)} below)" if others else ""
            return [(k, f"{FLOAT64}: recomputed from the rounded ones written, {said}, not {value}{more}")]
        off = f": off by more than its last digit{held(plain_lines[k])}" if far(plain_lines[k]) else ""
        if not ruled or off:
            said_out.append((k, f"{FLOAT32}; done exactly, {said}, not {value}{off}" if not ruled else
                             f"Done exactly, {said}, not {value}{off}"))
    return said_out

