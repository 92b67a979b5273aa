"""A derivation's lines with one sample's numbers in them, written once for every reader: `explain`'s
report (plain text and LaTeX) and the explorer's page (`explore.derive`) call the same functions, so
the two show the same formulas and the same numbers.

The texts of each derivative (the activations' and losses' tables) live in `notation`, how a loss's terms
are written (the mean's divisor, the fused delta) in `loss_terms`; the numbers
come from the report's dict, which `explain` reads from the engine's caches.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from . import notation
from .error_terms import clipped_output
from .loss_terms import divisor, formula_tex, fused_formula, note_tex, over
from .notation import CDOT, DE, LOSSES, SOFTMAX_TERMS, activation_numbers, activation_tex, activation_text, tex_name
from .numbers import factor, fmt


@dataclass(frozen=True)
class Line:
    """One line of a derivation in parts: lhs = formula = numbers (one sample's; "" for more) = value."""

    lhs: str
    formula: str
    numbers: str
    value: Any
    tex: str                      # the whole line in LaTeX, its value written by `fmt`
    note: str = ""                # a note after the value, "   (fused: out - target)"; "" for none

    def plain(self) -> str:
        line = " = ".join(x for x in (self.lhs, self.formula, self.numbers, fmt(self.value)) if x)
        return line + (f"   ({self.note})" if self.note else "")


def tex_symbol(name: str) -> str:
    """A unit's or parameter's name in LaTeX: w5 as w_{5}, b_h1 as b_{h1}, out_o1 as out_{o1}."""
    if name.startswith("out_"):
        return f"out_{{{name[4:]}}}"
    base, _, sub = name.partition("_")
    return f"{base}_{{{sub}}}" if sub else (f"{name[0]}_{{{name[1:]}}}" if name[1:].isdigit() else name)


def gradient_line(d: dict, p: dict) -> Line:
    """dE/d<param> of one weight or bias p: the chain of its factors, their numbers, the gradient, and a
    note where its delta was not made of dE/dout and dout/dnet (a fused or softmax delta) or where the
    gradient sums several samples. One line for `explain` and the explorer, so that the two multiply
    the same factors. dnet/dparam is written as given where it was given: a bias's 1, an input as typed."""
    name, to = p["name"], p["to"]
    dparam = f"dnet_{to}/d{name}"
    dparam_tex = f"\\frac{{\\partial net_{{{to}}}}}{{\\partial {tex_symbol(name)}}}"
    source = "1" if p["from"] is None else factor(p["dnet/dparam"])
    if p["dE/dout"] is not None and p["dout/dnet"] is not None:
        delta = net_delta_line(d, p)          # dE/dout * dout/dnet, its factors as its own line writes them
        formula, numbers = f"{delta.formula} * {dparam}", f"{delta.numbers} * {source}"
        tex = f"{_chain_tex(to)} \\cdot {dparam_tex}"
        notes = []
    else:
        formula = f"dE/dnet_{to} * {dparam}"
        numbers = f"{factor(p['dE/dnet'])} * {source}"
        tex = f"\\frac{{{DE}}}{{\\partial net_{{{to}}}}} \\cdot {dparam_tex}"
        fused = over(d, fused_formula(d), True)
        notes = [f"fused: {fused}" if d["fused"] and p["paths"] is None else "softmax Jacobian"]
    if d["n_samples"] > 1:
        notes.insert(0, "summed over samples")
    note = "; ".join(notes)
    value = fmt(p["grad"])
    tex = (f"\\frac{{{DE}}}{{\\partial {tex_symbol(name)}}} = {tex} = {numbers.replace(' * ', CDOT)} = {value}"
           + (f" \\quad {note_tex(note)}" if note else ""))
    return Line(f"dE/d{name}", formula, numbers, p["grad"], tex, note)


def penalty_line(d: dict, p: dict, rows: int | None = None) -> Line:
    """A weight's gradient with the weight penalty (MLP's alpha, `Network.weight_penalty`), as a training step
    takes it: dE/dw + alpha * w / m, m the rows (the engine's `l2_penalty`). One line for explain and the explorer.
    `rows`: the batch's m where `d` explains one of its samples (the explorer's sample mode): the line is then
    that sample's term, whose mean over the batch the step takes, not the step's own gradient."""
    name, m, alpha = p["name"], rows or d["n_samples"], fmt(d["weight_penalty"])
    own = m == d["n_samples"]
    value = p["penalized_grad"] if own else p["grad"] + d["weight_penalty"] * p["value"] / m
    numbers = f"{factor(p['grad'])} + {alpha} * {factor(p['value'])} / {m}"
    sym = tex_symbol(name)
    note = ("with the weight penalty: the gradient a training step takes" if own else
            f"with the weight penalty: this sample's term of the batch's mean, m = {m} rows")
    return Line(f"dE/d{name} + alpha * {name} / m", "", numbers, value,
                f"\\frac{{{DE}}}{{\\partial {sym}}} + \\alpha \\cdot {sym} / m = {numbers.replace(' * ', CDOT)} = "
                f"{fmt(value)}", note)


def penalty_error_line(d: dict) -> Line:
    """The weight penalty's term of the error, 0.5 * alpha * sum(w^2) / m, which a training step adds to E."""
    alpha, m = fmt(d["weight_penalty"]), d["n_samples"]
    return Line("E_penalty", "0.5 * alpha * sum(w^2) / m", "", d["E_penalty"],
                f"E_{{penalty}} = \\tfrac{{1}}{{2}} \\alpha \\sum w^2 / m = {fmt(d['E_penalty'])} \\quad "
                f"\\text{{(MLP's L2 weight penalty, }}\\alpha = {alpha},\\ m = {m}\\text{{)}}",
                f"MLP's L2 weight penalty, alpha = {alpha}, m = {m} rows: a training step adds it to E_total, "
                "and alpha * w / m to each weight's gradient")


DELTA_TERMS = 4        # a hidden delta's sum over the layer above: written whole up to this many terms


def net_delta_line(d: dict, p: dict) -> Line:
    """dE/dnet of neuron p["to"] as dE/dout * dout/dnet (a delta its loss and activation do not fuse), with
    its numbers: one line for the explorer's card of the neuron and the gradient lines that read it (a
    constant derivative, linear's 1, written as its formula, for one sample or several)."""
    to = p["to"]
    slope = constant_derivative(d["layers"][p["layer"]]["activation"]) or factor(p["dout/dnet"])
    numbers = f"{factor(p['dE/dout'])} * {slope}"
    tex = (f"\\frac{{{DE}}}{{\\partial net_{{{to}}}}} = {_chain_tex(to)} = {numbers.replace(' * ', CDOT)} = "
           f"{fmt(p['dE/dnet'])}")
    return Line(f"dE/dnet_{to}", f"dE/dout_{to} * dout_{to}/dnet_{to}", numbers, p["dE/dnet"], tex)


def output_delta_line(d: dict, via: str) -> Line | None:
    """Output unit `via`'s delta as dE/dout * dout/dnet (`net_delta_line`), the number a hidden path reads; None where
    its loss and activation fuse it or a softmax couples it (its own lines write it as it is)."""
    p = next((r for r in d["parameters"] if r["to"] == via and r["paths"] is None), None)
    return None if p is None or p["dE/dout"] is None or p["dout/dnet"] is None else net_delta_line(d, p)


def _chain_tex(to: str) -> str:
    return (f"\\frac{{{DE}}}{{\\partial out_{{{to}}}}} \\cdot "
            f"\\frac{{\\partial out_{{{to}}}}}{{\\partial net_{{{to}}}}}")


def delta_line(q: dict, n: int) -> Line | None:
    """How the delta of q["via"] (a path's unit in a hidden layer) comes from the layer above it, from
    q["delta"] (`hidden_delta`): dE/dnet_v = (sum over the units k above of dE/dnet_k * w_vk) * dout_v/dnet_v,
    the seed's hidden-layer rule one layer up, with one sample's numbers (a weight, a given number, as
    short as every other line writes it). None where there is none."""
    src, v = q.get("delta"), q["via"]
    if src is None:
        return None
    terms, f = src["terms"], factor
    short = len(terms) <= DELTA_TERMS
    shown = terms if short else [terms[0], terms[-1]]          # past 4 units: the sum's ends
    join = " + " if short else " + ... + "
    total = join.join(f"dE/dnet_{t['via']} * {t['weight']}" for t in shown)
    total_tex = join.replace("...", "\\cdots").join(
        f"\\frac{{{DE}}}{{\\partial net_{{{t['via']}}}}} \\cdot w_{{{t['weight'][1:]}}}" for t in shown)
    numbers = ""
    if n == 1:
        inner = (" + ".join(f"{f(t['dE/dnet'])} * {factor(t['w'])}" for t in terms) if short
                 else fmt(src["dE/dout"]))
        numbers = f"({inner}) * {f(src['dout/dnet'])}"
    formula = f"({total}) * dout_{v}/dnet_{v}"
    tex = (f"\\frac{{{DE}}}{{\\partial net_{{{v}}}}} = \\left({total_tex}\\right) \\cdot "
           f"\\frac{{\\partial out_{{{v}}}}}{{\\partial net_{{{v}}}}}"
           + (f" = {numbers.replace(' * ', CDOT)}" if numbers else "") + f" = {fmt(src['dE/dnet'])}")
    return Line(f"dE/dnet_{v}", formula, numbers, src["dE/dnet"], tex)


def output_error_line(d: dict, p: dict) -> Line:
    """dE/dout of output p["to"] from the loss's formula (`LOSSES`), with one sample's target and output in
    it, as the seed writes sse's -(0.01 - 0.75136507): one line for `explain` and the explorer, so that the
    two write the same numbers (numbers.fmt's one rule). A loss the table does not
    know is written by its name (dmyloss/dout_o1), without numbers."""
    to, known = p["to"], LOSSES.get(d["loss"])
    formula = known.plain.format(o=to) if known is not None else f"d{d['loss']}/dout_{to}"
    numbers = why = ""
    if known is not None and d["n_samples"] == 1:
        layer = d["layers"][p["layer"]]
        out = layer["neurons"][p["index"][-1]]["out"]
        target = next(t["value"][0] for t in d["targets"] if t["name"] == to)
        clipped, why = clipped_output(d, out[0], target, p["dE/dout"][0])    # a division by 0 as written
        numbers = known.plain.replace("target_{o}", "{target}").replace("out_{o}", "{out}").format(
            target=factor(target), out=clipped or factor(out))   # a given target: as typed
        if re.match(r"-0 [/*]", numbers):          # -target / out with a target 0: minus the whole term, not -0
            numbers = f"-({numbers[1:]})"
    formula, numbers = over(d, formula, True), over(d, numbers, False) if numbers else ""

    def tex(s: str) -> str:
        return formula_tex(s).replace(f"_{to}", f"_{{{to}}}")

    shown = f" = {tex(numbers)}" if numbers else ""
    why = f"out_{to} = {fmt(out)} {why}, the output this line writes" if numbers and clipped else ""
    return Line(f"dE/dout_{to}", formula, numbers, p["dE/dout"],
                f"\\frac{{{DE}}}{{\\partial out_{{{to}}}}} = {tex(formula)}{shown} = {fmt(p['dE/dout'])}", why)


def coupled_paths(d: dict, layer: int) -> bool:
    """Whether the paths from hidden layer `layer` are written dE/dnet_o * dnet_o/dout_h: the seed's
    dE_o/dout_h needs an error E_o of net_o alone, which a softmax layer above (every E_o depends on
    every net) or a hidden layer above (it has no E of its own) does not have."""
    return d["layers"][layer + 1]["activation"] == "softmax" or layer + 1 < len(d["layers"]) - 1


def softmax_jacobian(d: dict, p: dict, eq: Callable[[str, str], None], first: bool | None = None) -> None:
    """dE/dnet of softmax neuron p["to"] from every dE/dout of its layer, out_k (dE/dout_k - sum_j dE/dout_j
    out_j), with its numbers; the sum once per layer (before its first neuron listed; `first` overrides)."""
    to, layer = p["to"], d["layers"][p["layer"]]
    units, outs = [u["name"] for u in layer["neurons"]], [u["out"] for u in layer["neurons"]]
    s, total = "sum_j dE/dout_j * out_j", fmt(layer["softmax_sum"])
    s_tex = "\\sum_j \\frac{\\partial E_{total}}{\\partial out_j} out_j"
    if first if first is not None else next(q for q in d["parameters"] if q["layer"] == p["layer"]) is p:
        if len(units) <= SOFTMAX_TERMS:
            terms = " + ".join(f"dE/dout_{u} * out_{u}" for u in units)
            tex_terms = " + ".join(f"\\frac{{{DE}}}{{\\partial out_{{{u}}}}} out_{{{u}}}" for u in units)
            numbers = " + ".join(f"{factor(g)} * {factor(o)}" for g, o in zip(layer["dE/dout"], outs))
            eq(f"{s} = {terms} = {numbers} = {total}",
               f"{s_tex} = {tex_terms} = {numbers.replace('*', CDOT)} = {total}")
        else:
            eq(f"{s} = {total}   (j = {units[0]}..{units[-1]})", f"{s_tex} = {total}")
    out, dout = factor(outs[units.index(to)]), factor(p["dE/dout"])
    numbers = f"{out} * ({dout} - {factor(layer['softmax_sum'])})"
    eq(f"dE/dnet_{to} = out_{to} * (dE/dout_{to} - {s}) = {numbers} = {fmt(p['dE/dnet'])}   (softmax Jacobian)",
       f"\\frac{{{DE}}}{{\\partial net_{{{to}}}}} = out_{{{to}}} \\left(\\frac{{{DE}}}{{\\partial "
       f"out_{{{to}}}}} - {s_tex}\\right) = {numbers.replace('*', CDOT)} = {fmt(p['dE/dnet'])}")


def local_derivatives(d: dict, p: dict, eq: Callable[[str, str], None],
                      say: Callable[[str], None] | None = None) -> None:
    """The lines dE/dout (output layer) and dout/dnet of neuron p["to"], as the seed writes them (for a
    softmax: its Jacobian, `softmax_jacobian`); `say`, where given, writes a line's note below it (the Markdown's
    LaTeX line has no room for the text's "   (note)")."""
    last, layer = p["paths"] is None, d["layers"][p["layer"]]
    if last and p["dE/dout"] is not None:
        line = output_error_line(d, p)
        eq(replace(line, note="").plain() if say is not None else line.plain(), line.tex)    # its note: said below
        if line.note and say is not None:
            say(f"dE/dout_{p['to']}: {line.note}.")
    if last and p["dE/dout"] is None and p["dout/dnet"] is None and d["fused"]:
        fused_delta(d, p, eq)
    if layer.get("softmax_sum") is not None:
        softmax_jacobian(d, p, eq)
    derivative = derivative_line(d, p)
    if derivative is not None:
        eq(derivative.plain(), derivative.tex)


def constant_derivative(activation: str) -> str | None:
    """dout/dnet where it is a number whatever the net input (linear's 1), as written; else None."""
    text = activation_text(activation, "o")
    return text if text is not None and text.replace(".", "", 1).isdigit() else None


def derivative_line(d: dict, p: dict) -> Line | None:
    """dout/dnet of neuron p["to"]: its activation's derivative, with one sample's output where the seed
    writes it (out_h1(1 - out_h1) = 0.59(1 - 0.59) = 0.24), relu's with its net (1 if 0.3 > 0 else 0); a
    constant one (linear's 1) without the value that repeats it; an activation the table does not know by its
    name (act'(net_o1)). None where there is no elementwise derivative (a softmax)."""
    if p["dout/dnet"] is None:
        return None
    to, layer = p["to"], d["layers"][p["layer"]]
    act = layer["activation"]
    slope = 0.01 if layer.get("alpha") is None else layer["alpha"]
    lhs, lhs_tex = f"dout_{to}/dnet_{to}", f"\\frac{{\\partial out_{{{to}}}}}{{\\partial net_{{{to}}}}}"
    formula = activation_text(act, to, slope) or f"{act}'(net_{to})"
    formula_tex = activation_tex(act, to, slope) or f"\\mathrm{{{tex_name(act)}}}'(net_{{{to}}})"
    if constant_derivative(act) is not None:
        return Line(lhs, formula, "", None, f"{lhs_tex} = {formula_tex}")
    unit = layer["neurons"][p["index"][-1]]
    numbers, numbers_tex = ("", "") if d["n_samples"] != 1 else \
        activation_numbers(act, factor(unit["out"]), fmt(unit["net"]), slope)  # net: as its line
    shown = f" = {numbers_tex}" if numbers else ""
    return Line(lhs, formula, numbers, p["dout/dnet"],
                f"{lhs_tex} = {formula_tex}{shown} = {fmt(p['dout/dnet'])}")


def fused_delta(d: dict, p: dict, eq: Callable[[str, str], None]) -> None:
    """dE/dnet of an output unit whose activation and loss fuse (softmax with cross-entropy, sigmoid
    with binary cross-entropy): out - target, the line the per-weight lines read as (fused: ...),
    with its numbers (for one sample); target rows that do not sum to one take the general form,
    as the engine does (`rows_sum_to_one`)."""
    to, one = p["to"], d["n_samples"] == 1
    neuron = d["layers"][p["layer"]]["neurons"][p["index"][-1]]
    plain = fused_formula(d, to)
    tex = plain.replace(f"_{to}", f"_{{{to}}}").replace("sum(target)", "\\sum_k target_k").replace(" * ", " \\cdot ")
    numbers = ""
    if one:
        target = next(t["value"][0] for t in d["targets"] if t["name"] == to)
        numbers = f"{factor(neuron['out'])} - {factor(target)}"          # a given target: as typed (1)
        if not d.get("rows_sum_to_one", True):
            total = factor(sum(t["value"][0] for t in d["targets"]))
            numbers = f"{factor(neuron['out'])} * {total} - {factor(target)}"
    plain, numbers = over(d, plain, True), over(d, numbers, False) if numbers else ""
    if d["scale"] != 1:
        tex = f"\\frac{{{tex}}}{{{divisor(d)[1]}}}"
    shown = f" = {numbers}" if numbers else ""
    shown_tex = shown.replace(" * ", " \\cdot ")
    eq(f"dE/dnet_{to} = {plain}{shown} = {fmt(p['dE/dnet'])}   (fused)",
       f"\\frac{{{DE}}}{{\\partial net_{{{to}}}}} = {tex}{shown_tex} = {fmt(p['dE/dnet'])}")


def derived_by(d: dict, layer: int, units: list[str], json: str) -> str:
    """Which slice derives `units` of report layer `layer`, checked against the parameters a slice writes
    out: the whole layer where it fits (one unit of several: its neuron, more direct), else one neuron
    (J 0-based), else the JSON, at `json` (what has their numbers), as no slice writes them out. In Python's
    words; the command puts them in its own."""
    neurons, one = d["layers"][layer]["neurons"], len(units) == 1
    each = len(neurons[0]["weights"]) + 1
    if notation.layer_fits(each - 1, len(neurons)) and (not one or len(neurons) == 1):
        return f"explain(..., layer={layer}) derives {'it' if one else 'them'}"
    names = [nr["name"] for nr in neurons]      # one unit of several: its neuron, the slice that shows just it
    if notation.neuron_fits(each - 1):
        return (f"explain(..., layer={layer}, neuron={names.index(units[0])}) derives it" if one else
                f"explain(..., layer={layer}, neuron=J) derives unit J's (J 0-based: 0 is {names[0]})")
    return (f"no slice writes {'it' if one else 'them'} out ({each} parameters a unit, more than "
            f"{notation.MAX_PARAMETERS}); {json}")


def zero_note(d: dict, q: dict, to: str) -> str:
    """Why a path's dE/dnet reads 0 in the layer below the one where the engine set a delta to 0: the cause named
    where the reader sees the 0, one clause per cause (samples differ), with the layer whose own note says more."""
    from ..backend.kernels import flush_below
    via, n, chosen = q["via"], d["n_samples"], d.get("slice")
    causes: dict[str, list[int]] = {}
    for k, c in enumerate(q["zeroed"]):
        if c:
            causes.setdefault(c, []).append(k)
    samples = sorted(k for ks in causes.values() for k in ks)
    which = lambda ks, word: "" if n == 1 else f" {word} sample" + "s" * (len(ks) > 1) + " " + ", ".join(  # noqa: E731
        str(k + 1) for k in ks)
    clauses = []
    for cause, ks in causes.items():
        layer = next(k for k, lay in enumerate(d["layers"]) if any(nr["name"] == cause for nr in lay["neurons"]))
        title = "the output layer" if layer == len(d["layers"]) - 1 else f"hidden layer {layer + 1}"
        where = (f"the note in {title}'s backward pass" if chosen is None or chosen["layer"] == layer else
                 f"explain(..., layer={layer})")
        how = ("the engine set it to 0" if cause == via else
               f"it reads 0 through dE/dnet_{cause}, which the engine set to 0")
        clauses.append(f"{how}{which(ks, 'for') if len(causes) > 1 else ''} as below "
                       f"{flush_below(d['dtype']):.1e} in magnitude ({where} says why)")
    return (f"dE/dnet_{via}{which(samples, 'of')} reads 0 here: {'; '.join(clauses)}, so its term of dE/dout_{to} "
            "is 0 where the product of the factors is not")
