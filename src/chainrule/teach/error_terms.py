"""The error's lines, E_o1 = its formula = one sample's numbers = its value, and E_total's with the E_o it adds, so
that a reader computing them from the printed numbers gets the printed value to its shown digits (the seed's
E_o1 = 1/2 (0.01 - 0.75136507)^2 = 0.274811083, E_total = 0.274811083 + 0.023560026 = 0.298371109).

An output is written as the other lines write it (nine decimals) where that gives E_o again; where its rounding
would not (-log 0.000003403 is 12.59087..., not the engine's 12.590801090), with the fewest digits that do
(3.40317720656e-06, not the float's 17 digits). Where no written output gives it back (an output rounded to 1 or 0),
a sigmoid's term is written as the engine takes it, from the net input, log1p(exp(-|net|)) as the engine computes it
(log(1 + exp(-40)) is log(1) = 0 in floats), and a softmax's from the net inputs (log-softmax, shifted by their
largest; beyond five outputs with their log-sum-exp's value); an output of 0 or 1 after another activation with each
log clamped at -100, as the engine (and torch's BCELoss) takes it; else the line keeps its formula alone.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from fractions import Fraction

import numpy as np

from ..nn.losses import get_loss
from . import last_digit
from .last_digit import FLOAT32, rounded, shows
from .numbers import fmt, single

LOGGED = ("categorical_crossentropy", "binary_crossentropy")      # the losses whose terms are written with numbers
SQUARED = {"sse": "1/2 ", "mse": ""}                            # (target - out)^2's factor in each squared loss
LOG_FLOOR = -100.0        # the engine's losses clamp each log there (as torch's BCELoss): log 0 is no number
TOTAL_TERMS = 24          # the most E_o (outputs times samples) E_total's line adds with their numbers
SOFTMAX_SUMS = 5          # a saturated softmax's sum of exp written term by term up to this many outputs


def _par(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def total_numbers(d: dict) -> tuple[str, str]:
    """E_total's sum (or mean) with the E_o written as their lines write them, or with the fewest digits that
    give the printed E_total where their rounding does not; several samples: each sample's E_o (in brackets where
    it has several), then the mean. Plain and LaTeX, ("", "") for one term (E_total = E_o1 = 0.27 has no sum to
    show) or more than TOTAL_TERMS, a loss not in LOGGED or SQUARED, a value not finite, or where no written form
    gives it."""
    n, m = d["n_samples"], len(d["errors"])
    values = [e["value"][s] for s in range(n) for e in d["errors"]]       # sample by sample
    if not 2 <= len(values) <= TOTAL_TERMS or d["loss"] not in (*LOGGED, *SQUARED) or \
            not all(map(math.isfinite, [*values, d["E_total"]])):      # a loss of one's own: its own divisor
        return "", ""
    printed, scale = fmt(d["E_total"]), d["scale"]
    lines = [fmt(v) for v in values]
    ways = [lines] if single() else [lines, *([f"{float(v):.{k}g}" for v in values] for k in range(1, 18))]
    for terms in ways:       # float32: the lines' E_o, added and divided in float32 as the engine does
        if shows(sum((Fraction(t) for t in terms), Fraction(0)) / scale, printed) or \
                single() and fmt(np.array(terms, dtype=np.float32).sum() / scale) == printed:
            plain = _added(terms, m if n > 1 else len(terms))
            if scale == 1:
                return plain, plain
            return f"({plain}) / {scale}", f"\\frac{{{plain}}}{{{scale}}}"
    return "", ""


def _added(terms: list[str], m: int) -> str:
    """`terms` added, each sample's `m` in brackets where there are several samples of several terms."""
    rows = [" + ".join(_par(t) if k else t for k, t in enumerate(terms[i:i + m])) for i in range(0, len(terms), m)]
    return rows[0] if len(rows) == 1 else " + ".join(f"({r})" if m > 1 else r for r in rows)


_DECIMAL = re.compile(r"(?<![\w.])\d+\.\d+(?:e[+-]?\d+)?")


def wider_note(d: dict, numbers: dict[str, str]) -> str:
    """A note for the first E_o line (`numbers`: each output's `error_numbers`) that writes out_o with more digits
    than the forward pass (0.7513650696 beside 0.75136507), where the forward pass's rounding would not give
    E_o to its last digit: what it gives instead, said once, so the two writings do not puzzle; "" for none."""
    for o, nums in numbers.items():
        out = next(nr["out"][0] for nr in d["layers"][-1]["neurons"] if nr["name"] == o)
        short, tokens = fmt(out), _DECIMAL.findall(nums)
        wide = next((w for w in tokens if len(w) > len(short) and "e" not in short and
                     rounded(Fraction(w), short) == short), None)
        if short in tokens or wide is None:
            continue
        value = fmt(next(e["value"][0] for e in d["errors"] if e["name"] == f"E_{o}"))
        target = re.search(r"\((\S+) - \(?[\d.e+-]+\)?\)\^2$|^-\(?\(?(-?[\d.e+-]+)\)? \* (?:max\()?log", nums)
        again = ""
        if target and d["loss"] in SQUARED:
            half = Fraction(1, 2) if d["loss"] == "sse" else Fraction(1)
            again = rounded(half * (Fraction(target[1]) - Fraction(short)) ** 2, value)
        elif target and target[2] is not None:
            again = fmt(_term(d, float(target[2]), float(short), LOG_FLOOR if "max(log" in nums else -math.inf))
        gives = f" gives E_{o} = {again}, not the engine's {value}" if again and again != value else \
            f" does not give E_{o} = {value} to its last digit"
        return f"out_{o} is written here as {wide}: the forward pass's {short}{gives}"
    return ""


def total_note(d: dict, sums: str) -> str:
    """Where E_total's line (`total_numbers`) adds the E_o to more digits than their lines write them, as their
    values would not give it to its last digit: what they give instead, said once; "" elsewhere. Their sum is written
    again up to last_digit.SHOWN characters (a batch's, longer, is in E_total's line above: named, not repeated)."""
    m, E, scale = len(d["errors"]), fmt(d["E_total"]), d["scale"]
    lines = [fmt(e["value"][s]) for s in range(d["n_samples"]) for e in d["errors"]]
    exact = sum(map(Fraction, lines), Fraction(0)) / scale
    if not sums or shows(exact, E) or single():         # float32: `single_note` says why
        return ""
    added = _added(lines, m if d["n_samples"] > 1 else len(lines))
    added = added if scale == 1 else f"({added}) / {scale}"
    if len(added) > last_digit.SHOWN:
        added = f"the E_o as their lines write them, added{'' if scale == 1 else f' and divided by {scale}'},"
    return f"E_total adds the E_o to more digits than their lines: {added} give{'s' * (added[0] != 't')} " \
           f"{rounded(exact, E)}, not the engine's {E}"


def error_numbers(d: dict, o: str, value: float) -> str:
    """Output `o`'s E_o written with one sample's numbers (the target as typed, the output as precise as E_o's
    shown digits need; each target written the same way, -(t * log(o)) and binary cross-entropy's whole
    -(t * log(o) + (1 - t) * log(1 - o)), a target of 0 or 1 too, so that no two outputs read as two formulas),
    or "" where there are none: several samples, a loss not in LOGGED or SQUARED, an output no
    written precision gives E_o back from."""
    if d["loss"] not in (*LOGGED, *SQUARED) or d["n_samples"] != 1:
        return ""
    out = next(nr["out"][0] for nr in d["layers"][-1]["neurons"] if nr["name"] == o)
    target = next(t["value"][0] for t in d["targets"] if t["name"] == o)
    if not all(map(math.isfinite, (out, target, value))):        # an overflow: no digits to give it back
        return ""
    if d["loss"] in SQUARED:
        half = Fraction(1, 2) if d["loss"] == "sse" else Fraction(1)
        return next((f"{SQUARED[d['loss']]}({t} - {_par(x)})^2" for t, x in _written(target, out)
                     if shows(half * (Fraction(t) - Fraction(x)) ** 2, fmt(value)) or
                     single() and fmt(_squared32(d, t, x)) == fmt(value)), "")
    found = next(((k, t, text) for k, (t, text) in enumerate(_written(target, out))
                  if fmt(_term(d, float(t), float(text))) == fmt(value)), None)     # the first way that gives E_o
    if d["loss"] == "binary_crossentropy" and d["fused"] and not (found and found[0] == 0):
        net = next(nr["net"][0] for nr in d["layers"][-1]["neurons"] if nr["name"] == o)   # the engine's form
        by_net = next(((t, text) for t, text in _written(target, net)
                       if fmt(_from_net(d, float(t), float(text))) == fmt(value)), None)
        if by_net and (not found or _digits(by_net[0]) + _digits(by_net[1]) < _digits(found[1]) +
                       _digits(found[2])):         # out rounds to 1 or 0, or needs more digits than net
            t, n = (f"({w})" if w.startswith("-") else w for w in by_net)
            bare = by_net[1]                # inside max( , 0) and |...| a negative net needs no parentheses
            return (f"max(net_{o}, 0) - net_{o} * target_{o} + log1p(exp(-|net_{o}|)) = "
                    f"max({bare}, 0) - {n} * {t} + log1p(exp(-|{bare}|))")
    if not found and d["loss"] == "categorical_crossentropy" and d["fused"]:
        return _log_softmax(d, o, target, value)
    floor = not found and not d["fused"]      # the engine's log of an output (near) 0 or 1: clamped at -100
    if floor:
        found = next(((0, t, text) for t, text in _written(target, out)
                      if fmt(_term(d, float(t), float(text), LOG_FLOOR)) == fmt(value)), None)
    if not found:
        return ""
    t, shown = (f"({w})" if w.startswith("-") else w for w in found[1:])
    log = (lambda x: f"max(log({x}), {LOG_FLOOR:g})") if floor else (lambda x: f"log({x})")     # noqa: E731
    if d["loss"] == "categorical_crossentropy":       # every target alike: -(1 * log(p)) as -(0 * log(p))
        return f"-({t} * {log(shown)})"
    return f"-({t} * {log(shown)} + (1 - {t}) * {log(f'1 - {shown}')})"      # the formula's line with its numbers


def _log_softmax(d: dict, o: str, target: float, value: float) -> str:
    """A softmax output rounded to 0 (log 0 is no number): E_o as the engine takes it, from the net inputs
    (`losses.CategoricalCrossentropy.terms`), -target * (net_o - log(sum of exp(net_J))), each net shifted by their
    largest (exp(800) overflows); beyond SOFTMAX_SUMS outputs log(sum_J exp(net_J)) as its value, from the net
    lines above (the sum written out would fill lines); "" where that does not give E_o back."""
    units = d["layers"][-1]["neurons"]
    nets = {nr["name"]: fmt(nr["net"][0]) for nr in units}
    top, t = max(nets.values(), key=float), fmt(target)
    z = np.array([[float(n) for n in nets.values()]], dtype=d["dtype"])
    row = np.array([[float(t) if name == o else 0.0 for name in nets]], dtype=d["dtype"])
    engine = get_loss("categorical_crossentropy").terms(np.zeros_like(z), row, z)     # out 0: the net-input branch
    if fmt(float(engine[0, list(nets).index(o)])) != fmt(value):
        return ""
    if len(units) <= SOFTMAX_SUMS:
        terms = " + ".join(f"exp({n} - {_par(top)})" for n in nets.values())
        return (f"-target_{o} * (net_{o} - log({' + '.join(f'exp(net_{name})' for name in nets)})) = "
                f"-{_par(t)} * (({nets[o]} - {_par(top)}) - log({terms}))")
    shifted = z - z.max()
    lse = float(z.max() + np.log(np.exp(shifted).sum(dtype=d["dtype"])))
    written = next((w for w in _ways(lse, fmt(lse)) if shows(-Fraction(t) * (Fraction(nets[o]) - Fraction(w)),
                                                             fmt(value))), None)
    if written is None:
        return ""
    return f"-target_{o} * (net_{o} - log(sum_J exp(net_J))) = -{_par(t)} * ({nets[o]} - {_par(written)})"


def clipped_output(d: dict, out: float, target: float, value: float) -> tuple[str, str]:
    """dE/dout where its formula divides by 0: binary cross-entropy's (out - target) / (out (1 - out)) at an output of
    exactly 0 or 1 (0/0), categorical cross-entropy's -target / out at 0. The output as the engine takes it
    (`losses.BinaryCrossentropy.grad`: clipped to [eps, 1 - eps]; `CategoricalCrossentropy.grad`: at least the
    smallest normal float), written with the fewest digits that give the printed value exactly, and what the engine
    did, in words; ("", "") elsewhere."""
    info, t = np.finfo(d["dtype"]), Fraction(fmt(target))
    if d["n_samples"] != 1:
        return "", ""
    if d["loss"] == "binary_crossentropy" and not 0 < out < 1:
        p = float(np.clip(np.asarray(out, d["dtype"]), info.eps, 1 - info.eps))
        words = f"gives 0/0: the engine clips it to [eps, 1 - eps], eps = {fmt(info.eps)} ({d['dtype']})"
        grad = lambda q: (q - t) / (q * (1 - q))      # noqa: E731
    elif d["loss"] == "categorical_crossentropy" and out < info.tiny:
        p = float(info.tiny)
        words = f"divides by 0: the engine takes max(out, {fmt(info.tiny)}), {d['dtype']}'s smallest normal number"
        grad = lambda q: -t / q       # noqa: E731
    else:
        return "", ""
    ways = _ways(p, fmt(p))
    return next(((w, words) for w in ways if 0 < Fraction(w) < 1 and
                 shows(grad(Fraction(w)) / d["scale"], fmt(value))), ("", ""))


#: said under the error lines where one writes 0 * log(0), which a reader's calculator gives as nan or an error
ZERO_LOG = "0 * log(0) is taken as 0, the limit of x log x as x goes to 0 (as torch.special.xlogy(0, 0) is)"
_ZERO_LOG = re.compile(r"\(0(\.0+)? \* log\(0(\.0+)?\)[) ]|\(1 - 1(\.0+)?\) \* log\(1 - 1(\.0+)?\)")


def zero_log(numbers: str) -> bool:
    """Whether `error_numbers`'s text writes a term 0 * log(0) (an output of exactly 0 with target 0, or binary
    cross-entropy's 1 - out of 0 with target 1): the report says ZERO_LOG under it."""
    return bool(_ZERO_LOG.search(numbers))


def _written(target: float, x: float) -> Iterator[tuple[str, str]]:
    """The ways of writing a target and an output (or net input): as the other lines write them (nine decimals),
    then with the fewest digits first, up to the 17 that read back as the same float; a target of 1/3 as
    0.333333333 gives another E_o than 1/3."""
    ts, xs = _ways(target, fmt(target)), _ways(x, fmt(x))       # first as their own lines write them
    if single():       # float32: as every line writes them (0.9, not its float32 0.89999998), computed in float32
        yield ts[0], xs[0]
        return
    pairs = sorted(((t, v) for t in ts for v in xs), key=lambda p: _digits(p[0]) + _digits(p[1]))
    yield from dict.fromkeys([(ts[0], xs[0]), *pairs])


def _ways(x: float, first: str) -> list[str]:
    """`first`, then `x` in k significant digits or k decimals (k = 1..17), fewest significant digits first."""
    x = float(x)
    ways = {f"{x:.{k}g}" for k in range(1, 18)} | {f"{x:.{k}f}" for k in range(1, 18)}
    ways = {w for w in ways if float(w) != 0 or x == 0}
    return list(dict.fromkeys([first, *sorted(ways, key=lambda w: (_digits(w), len(w)))]))


def _digits(text: str) -> int:
    """The significant digits of a written number: 0.000340 has 3 (the trailing zero counts), 3.4e-06 has 2."""
    return len(text.split("e")[0].lstrip("-").replace(".", "").lstrip("0")) or 1


def _from_net(d: dict, target: float, net: float) -> float:
    """Binary cross-entropy's term from the net input, as the engine takes it (`losses.BinaryCrossentropy.terms`)."""
    z, t = (np.full((1, 1), v, dtype=d["dtype"]) for v in (net, target))
    return float(get_loss("binary_crossentropy").terms(z, t, z)[0, 0])


def _term(d: dict, target: float, out: float, floor: float = -math.inf) -> float:
    """E_o of one output from `out` as written, in the network's dtype, a factor of 0 taking nothing (0 log 0: 0),
    each log at least `floor` (LOG_FLOOR: as the engine's losses take an output of 0 or 1)."""
    T = np.dtype(d["dtype"]).type
    t, o = T(target), T(out)
    with np.errstate(all="ignore"):
        logs = [np.maximum(np.log(o), T(floor))] + (
            [np.maximum(np.log1p(-o), T(floor))] if d["loss"] == "binary_crossentropy" else [])   # as the engine
        parts = list(zip([t, T(1) - t], logs))
        total = sum((a * b for a, b in parts if a != 0), T(0))
    value = float(-total)
    return value if math.isfinite(value) else math.nan


def _squared32(d: dict, target: str, out: str) -> float:
    """A squared loss's term of a written target and output in float32, as the engine computes it (sse's 0.5 * e * e,
    e = target - out)."""
    e = np.float32(target) - np.float32(out)
    return float(np.float32(0.5) * e * e if d["loss"] == "sse" else e * e)


def single_note(d: dict, written: dict[str, str], sums: str, said: bool = False) -> str:
    """A float32 report's note under its error lines: the engine rounds each operation to float32, so where a line's
    numbers (`written`: each output's `error_numbers`; `sums`: E_total's), done exactly, give another last digit,
    what they give; "" for float64 or where every line's exact arithmetic gives its value. `said`: FLOAT32 was
    said above (a forward line's numbers gave another digit), so this note gives only the error lines'."""
    if not single():
        return ""
    lines = [(f"E_{o}", nums, next(e["value"][0] for e in d["errors"] if e["name"] == f"E_{o}"))
             for o, nums in written.items()] + [("E_total", sums, d["E_total"])]
    differ = []
    for name, nums, value in lines:
        exact = last_digit.exact(nums, functions=True) if nums else None
        if exact is not None and (other := last_digit.again(exact, fmt(value))):
            differ.append(f"{name} = {other}")
    if not differ:
        return ""
    if said:
        return f"Done exactly, the error lines' numbers give {', '.join(differ)}"
    return f"{FLOAT32}; the same numbers done exactly give {', '.join(differ)}"


def numbers_tex(numbers: str) -> str:
    """`error_numbers`'s text in LaTeX: log as \\log (log1p as \\operatorname{log1p}, exp, max), * as \\cdot,
    1/2 as \\frac{1}{2}, sum_J as \\sum_J, net_o1 as net_{o1} (its e-notation as every equation's,
    `numbers.tex_numbers`)."""
    numbers = numbers.replace("log1p(", "\\operatorname{log1p}(").replace("1/2 (", "\\frac{1}{2}(")
    numbers = numbers.replace("sum_J ", "\\sum_J ")
    for name in ("log", "exp", "max"):
        numbers = numbers.replace(f"{name}(", f"\\{name}(")
    return re.sub(r"(net|target)_(\w+)", r"\1_{\2}", numbers.replace(" * ", " \\cdot "))
