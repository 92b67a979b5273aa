"""The lines whose written numbers, recomputed by hand, give another last digit than the value written after them.

Every number of a report is the engine's, rounded to the digits it is written with; each line's value is computed
from the unrounded numbers, so a reader redoing a line from its rounded ones may get another last digit (the seed's
dE/dout_h1 = 0.055399425 + (-0.019049118) adds to 0.036350307; the engine's is 0.036350306). The error lines write
their numbers so that they give their value (error_terms); every other line is checked here, exactly, and the
report says once, under the first such line, how many there are and what that one gives.
"""
from __future__ import annotations

import ast
import re
from fractions import Fraction

from .error_terms import _rounded, shows

SHOWN = 60           # a line's numbers written again in the note up to so many characters, else its name alone
_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _exact(numbers: str) -> Fraction | None:
    """The exact value of a line's numbers (+, -, *, /, ^, brackets, 0.75(1 - 0.75) as a product), or None where
    the line has anything else (a function, a name, a cut sum)."""
    if re.search(r"[A-Za-z_]|\.\.\.", _NUMBER.sub("", numbers)):
        return None
    text = re.sub(r"(\d)\s*\(", r"\1*(", numbers).replace("^", "**")

    def value(node: ast.AST) -> Fraction:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return Fraction(ast.get_source_segment(text, node) or repr(node.value))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            return -value(node.operand) if isinstance(node.op, ast.USub) else value(node.operand)
        if isinstance(node, ast.BinOp):
            a, b = value(node.left), value(node.right)
            if isinstance(node.op, ast.Pow) and b.denominator == 1 and abs(b) <= 4:
                return a ** int(b)
            ops = {ast.Add: Fraction.__add__, ast.Sub: Fraction.__sub__, ast.Mult: Fraction.__mul__,
                   ast.Div: Fraction.__truediv__}
            if type(node.op) in ops:
                return ops[type(node.op)](a, b)
        raise ValueError(ast.dump(node))

    try:
        return value(ast.parse(text, mode="eval").body)
    except (SyntaxError, ValueError, ZeroDivisionError):
        return None


def differs(line: str) -> str | None:
    """What `line` (formula = numbers = value) gives recomputed from its written numbers where that is not its
    written value ("dE/dout_h1's 0.055399425 + (-0.019049118) gives 0.036350307"); None where it gives it or has
    no numbers."""
    parts = line.split("   (")[0].split(" = ")
    if len(parts) < 3 or parts[0].startswith("E_") or not _NUMBER.fullmatch(parts[-1].lstrip("-")):
        return None
    exact = _exact(parts[-2])
    if exact is None or shows(exact, parts[-1]):
        return None
    numbers = f"{parts[0]}'s numbers" if len(parts[-2]) > SHOWN else f"{parts[0]}'s {parts[-2]}"
    return f"{numbers} give{'s' * (len(parts[-2]) <= SHOWN)} {_rounded(exact, parts[-1])}"


def note(plain_lines: list[str]) -> tuple[int, str] | None:
    """The note for the first line of `plain_lines` that `differs`, and its position: (index, text); None."""
    found = [(k, said) for k, line in enumerate(plain_lines) if (said := differs(line)) is not None]
    if not found:
        return None
    k, said = found[0]
    value = plain_lines[k].split("   (")[0].split(" = ")[-1]
    others = len(found) - 1
    more = f" (and {others} more line{'s' * (others != 1)} below)" if others else ""
    return k, (f"Each value is the engine's, from the unrounded numbers: recomputed from the rounded ones written, "
               f"{said}, not {value}{more}")
