"""The error's lines, E_o1 = its formula = one sample's numbers = its value: a cross-entropy's terms with the
target and output the engine read, so that a reader computing them gets the printed E_o to its shown digits.

An output is written as the other lines write it (nine decimals) where that gives E_o again; where its rounding
would not (-log 0.000003403 is 12.59087..., not the engine's 12.590801090), at the precision that does (Python's
shortest repr of the float, which reads back as the same float). Where no written output gives it back (an output
rounded to 1 or 0), a sigmoid's term is written as the engine takes it, from the net input; else the line keeps its
formula alone.
"""
from __future__ import annotations

import math
import re

import numpy as np

from .numbers import fmt

LOGGED = ("categorical_crossentropy", "binary_crossentropy")      # the losses whose terms are written with numbers


def error_numbers(d: dict, o: str, value: float) -> str:
    """Output `o`'s E_o written with one sample's numbers (the target as typed, the output as precise as E_o's
    shown digits need; binary cross-entropy's -(t log o + (1 - t) log(1 - o)) as -t log o - ..., no bracket
    over the whole), or "" where there are none: several samples, a loss not in LOGGED, an output no written
    precision gives E_o back from."""
    if d["loss"] not in LOGGED or d["n_samples"] != 1:
        return ""
    out = next(nr["out"][0] for nr in d["layers"][-1]["neurons"] if nr["name"] == o)
    target = next(t["value"][0] for t in d["targets"] if t["name"] == o)
    for t, text in _written(target, out, True):
        if fmt(_term(d, float(t), float(text))) == fmt(value):
            t = f"({t})" if t.startswith("-") else t
            shown = f"({text})" if text.startswith("-") else text
            first = f"-({t} * log({shown}))" if t == "0" else f"-{t} * log({shown})"      # not -0 * ...
            if d["loss"] == "categorical_crossentropy":
                return first
            return f"{first} - (1 - {t}) * log(1 - {shown})"       # -(a + b) as -a - b: no bracket over the line
    if d["loss"] == "binary_crossentropy" and d["fused"]:     # out rounds to 1 or 0: the engine's form, from net
        net = next(nr["net"][0] for nr in d["layers"][-1]["neurons"] if nr["name"] == o)
        for t, text in _written(target, net, False):
            n = f"({text})" if text.startswith("-") else text
            if fmt(_from_net(d, float(t), float(text))) == fmt(value):
                t = f"({t})" if t.startswith("-") else t
                return (f"max(net_{o}, 0) - net_{o} * target_{o} + log(1 + exp(-|net_{o}|)) = "
                        f"max({n}, 0) - {n} * {t} + log(1 + exp(-|{n}|))")
    return ""


#: said under the error lines where one writes 0 * log(0), which a reader's calculator gives as nan or an error
ZERO_LOG = "0 * log(0) is taken as 0, the limit of x log x as x goes to 0 (as torch.special.xlogy(0, 0) is)"
_ZERO_LOG = re.compile(r"\(0(\.0)? \* log\(0(\.0)?\)\)|\(1 - 1(\.0)?\) \* log\(1 - 1(\.0)?\)")


def zero_log(numbers: str) -> bool:
    """Whether `error_numbers`'s text writes a term 0 * log(0) (an output of exactly 0 with target 0, or binary
    cross-entropy's 1 - out of 0 with target 1): the report says ZERO_LOG under it."""
    return bool(_ZERO_LOG.search(numbers))


def _written(target: float, x: float, zeros: bool) -> list[tuple[str, str]]:
    """The ways of writing a target and an output (or net input), fewest digits first: nine decimals, then Python's
    shortest repr, which reads back as the same float; a target of 1/3 as 0.333333333 gives another E_o than 1/3."""
    targets = dict.fromkeys((fmt(target, False), repr(float(target))))
    xs = dict.fromkeys((fmt(x, zeros), repr(float(x))))          # `zeros`: an output's nine decimals, as out_o1's
    return [(t, v) for t in targets for v in xs]


def _from_net(d: dict, target: float, net: float) -> float:
    """Binary cross-entropy's term from the net input, as the engine takes it (`losses.BinaryCrossentropy.terms`)."""
    T = np.dtype(d["dtype"]).type
    z, t = T(net), T(target)
    return float(np.maximum(z, T(0)) - z * t + np.log1p(np.exp(-np.abs(z))))


def _term(d: dict, target: float, out: float) -> float:
    """E_o of one output from `out` as written, in the network's dtype, a factor of 0 taking nothing (0 log 0: 0)."""
    T = np.dtype(d["dtype"]).type
    t, o = T(target), T(out)
    with np.errstate(all="ignore"):
        parts = [(t, np.log(o))] + ([(T(1) - t, np.log(T(1) - o))] if d["loss"] == "binary_crossentropy" else [])
        total = sum((a * b for a, b in parts if a != 0), T(0))
    value = float(-total)
    return value if math.isfinite(value) else math.nan


def numbers_tex(numbers: str) -> str:
    """`error_numbers`'s text in LaTeX: log as \\log (exp, max), * as \\cdot, net_o1 as net_{o1}."""
    for name in ("log", "exp", "max"):
        numbers = numbers.replace(f"{name}(", f"\\{name}(")
    return re.sub(r"(net|target)_(\w+)", r"\1_{\2}", numbers.replace(" * ", " \\cdot "))
