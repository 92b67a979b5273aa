"""The chain rule of one weight, bias or neuron, written as the seed writes it, numbers plugged in.

Every number comes from the `explain` report's dict (`cr.explain(...).to_dict()`), which reads
the engine's caches; this module only lays them out as lines `lhs = formula = numbers = value`.
Numbers are shown to 9 decimals with trailing zeros dropped (the seed's 0.74136507), scientific
below 1e-6: the rule of every report (`teach/numbers.py`).
"""
from __future__ import annotations

import re
from typing import Any

from ..derivation import (
    DELTA_TERMS,
    coupled_paths,
    delta_line,
    derivative_line,
    fused_delta,
    gradient_line,
    net_delta_line,
    output_delta_line,
    output_error_line,
    penalty_line,
    softmax_jacobian,
)
from ..loss_terms import fused_note
from ..notation import SOFTMAX_TERMS, forward_activation, softmax_cut_note
from ..numbers import factor, fmt

Line = dict[str, Any]


NINE = re.compile(r"(?<![\d.])(\d+\.\d{9})(?![\de])")     # a number of the report's nine decimals


def _short(text: str) -> str:
    """A line of the report (`notation`, nine decimals) with its numbers as the page writes every
    number: the same rounding, trailing zeros dropped (exp(0.5), not exp(0.500000000))."""
    return NINE.sub(lambda m: fmt(float(m[1])), text)


def _line(lhs: str, formula: str, numbers: str, value, **extra) -> Line:
    """One line: its left side, formula, numbers (the report's, written by `fmt` as its value is) and value."""
    return {"lhs": lhs, "formula": formula, "numbers": numbers, "value": fmt(value), "raw": value, **extra}


def _neuron(d: dict, name: str) -> tuple[dict, dict]:
    for layer in d["layers"]:
        for nr in layer["neurons"]:
            if nr["name"] == name:
                return layer, nr
    raise KeyError(name)


def _unit_value(d: dict, name: str):
    for u in d["inputs"]:
        if u["name"] == name:
            return u["value"]
    return _neuron(d, name)[1]["out"]


def _unit(name: str) -> str:
    return name if name.startswith("i") else f"out_{name}"


def forward_lines(d: dict, name: str) -> list[Line]:
    """net and out of one neuron: the weighted sum of its inputs, then its activation."""
    layer, nr = _neuron(d, name)
    terms = " + ".join(f"{w}*{_unit(i)}" for w, i in zip(nr["weights"], nr["inputs"])) + f" + {nr['bias']}*1"
    numbers = " + ".join(f"{factor(w)}*{factor(_unit_value(d, i))}"
                         for w, i in zip(nr["weight_values"], nr["inputs"])) + f" + {factor(nr['bias_value'])}*1"
    # out = f(net) as the report writes it (notation's closed forms, softmax over its whole layer), numbers and all
    out_formula, _, out_numbers = _short(forward_activation(layer, nr, d["n_samples"])[0]).partition(" = ")
    cut = {}
    if layer["activation"] == "softmax" and len(layer["neurons"]) > SOFTMAX_TERMS:   # its sum by its ends: explain's
        cut = {"note": softmax_cut_note(layer).split(";")[0].lstrip("(")                # note, in the page's terms
               + "; each net_J is written in unit J's own derivation (select it)"}
    return [_line(f"net_{name}", terms, numbers, nr["net"], kind="forward"),
            _line(f"out_{name}", out_formula, out_numbers, nr["out"], kind="forward", **cut)]


def _delta_cut(q: dict) -> str:
    """What a hidden delta's line left out of its sum over the layer above (past `DELTA_TERMS` units, explain's
    rule: its ends), and where the page writes every term: that unit's own derivation; "" for a whole sum."""
    terms = q["delta"]["terms"]
    if len(terms) <= DELTA_TERMS:
        return ""
    return (f" ({len(terms) - 2} of its {len(terms)} terms left out, the sum written by its ends with its total; "
            f"select {q['via']} to see every term)")


def _local_lines(d: dict, p: dict) -> list[Line]:
    """dE/dout of the neuron p feeds (output layer: from the loss; hidden: sum over paths) and
    dout/dnet (the activation's derivative)."""
    to, n = p["to"], d["n_samples"]
    layer, nr = _neuron(d, to)
    lines: list[Line] = []
    if p["paths"] is not None:           # hidden neuron: the error reaches it through every path above
        # no E_o of net_o alone above (a softmax or hidden layer): a path is dE/dnet_o * dnet_o/dout_h
        coupled = coupled_paths(d, layer["index"])
        names = {q["via"]: (f"dE/dnet_{q['via']} * {q['weight']}" if coupled else f"dE_{q['via']}/dout_{to}")
                 for q in p["paths"]}
        for q in p["paths"]:
            above = delta_line(q, n)       # the delta of a hidden unit above, from its layer above
            if above is None and (out := output_delta_line(d, q["via"])) is not None:     # an output's, as it reads
                lines.append(_line(out.lhs, out.formula, out.numbers, out.value, note=f"the delta of {q['via']}"))
            if above is not None:
                lines.append(_line(above.lhs, above.formula, above.numbers, above.value,
                                   note=f"the delta of {q['via']}: the sum over the layer above it, times its "
                                        "activation's derivative" + _delta_cut(q)))
            lhs = f"dE/dnet_{q['via']} * dnet_{q['via']}/dout_{to}"
            lines.append(_line(names[q["via"]] if not coupled else lhs,
                               lhs if not coupled else f"dE/dnet_{q['via']} * {q['weight']}",
                               f"{factor(q['dE/dnet'])} * {factor(q['w'])}", q["term"],
                               note=f"dnet_{q['via']}/dout_{to} = {q['weight']}"))
        if len(p["paths"]) > 1:
            lines.append(_line(f"dE/dout_{to}", " + ".join(names[q["via"]] for q in p["paths"]),
                               " + ".join(factor(q["term"]) for q in p["paths"]), p["dE/dout"],
                               note="the sum over the paths through the layer above"))
    elif p["dE/dout"] is not None:           # the loss's formula with this sample's numbers, as the report writes it
        error = output_error_line(d, p)         # its note: an output of 0 or 1 the engine clips
        lines.append(_line(error.lhs, error.formula, error.numbers, error.value,
                           **({"note": error.note} if error.note else {})))
    derivative = derivative_line(d, p)        # the report's line
    if derivative is not None:
        lines.append(_line(derivative.lhs, derivative.formula if derivative.value is not None else "",
                           derivative.numbers, p["dout/dnet"]))
    return lines


def _jacobian_lines(d: dict, p: dict) -> list[Line]:
    """A softmax delta as the report writes it (`derivation.softmax_jacobian`): the layer's sum_j dE/dout_j
    out_j, then out_o * (dE/dout_o - sum), numbers plugged in; each text split into the line's parts."""
    texts: list[str] = []
    softmax_jacobian(d, p, lambda plain, tex: texts.append(_short(plain)), first=True)
    raws = [d["layers"][p["layer"]]["softmax_sum"], p["dE/dnet"]][-len(texts):]
    lines = []
    for text, raw in zip(texts, raws):
        lhs, *middle, _ = text.split("   (")[0].split(" = ")
        lines.append(_line(lhs, middle[0] if middle else "", " = ".join(middle[1:]), raw))
    lines[-1]["note"] = f"the delta of {p['to']} (softmax Jacobian)"
    return lines


def _delta_lines(d: dict, p: dict) -> list[Line]:
    to = p["to"]
    if p["dE/dout"] is not None and p["dout/dnet"] is not None:      # the report's line, as the chains read it
        delta = net_delta_line(d, p)
        return [_line(delta.lhs, delta.formula, delta.numbers, delta.value, note=f"the delta of {to}")]
    if d["layers"][p["layer"]].get("softmax_sum") is not None:
        return _jacobian_lines(d, p)
    if p["paths"] is None and d["fused"]:          # out - target, as the report writes it (`derivation.fused_delta`)
        texts: list[str] = []
        fused_delta(d, p, lambda plain, tex: texts.append(_short(plain)))
        lhs, *middle, _ = texts[0].split("   (")[0].split(" = ")
        return [_line(lhs, middle[0], " = ".join(middle[1:]), p["dE/dnet"],
                      note=f"the delta of {to}, the loss's derivative and the activation's fused. {fused_note(d)}")]
    return [_line(f"dE/dnet_{to}", "softmax Jacobian", "", p["dE/dnet"], note=f"the delta of {to}")]


def parameter_lines(d: dict, p: dict, rows: int | None = None) -> list[Line]:
    """The chain rule of one weight or bias `p` (an entry of d["parameters"]), and its update; `rows`, the
    batch's, where `d` explains one of its samples (the weight penalty's m: that sample's term, `penalty_line`)."""
    name, to = p["name"], p["to"]
    lines = _local_lines(d, p)
    dparam = f"dnet_{to}/d{name}"
    src = _unit(p["from"]) if p["from"] else ""          # a bias: dnet/db = 1, its value alone (not "1 = 1")
    lines.append(_line(dparam, src, "", p["dnet/dparam"]))
    if p["dE/dout"] is None or p["dout/dnet"] is None:
        lines += _delta_lines(d, p)
    gradient = gradient_line(d, p)           # the report's line: the same factors and notes
    lines.append(_line(gradient.lhs, gradient.formula, gradient.numbers, p["grad"], kind="gradient",
                       **({"note": gradient.note} if gradient.note else {})))
    full = p.get("penalized_grad")          # MLP's alpha: the gradient a training step takes, the report's line
    if full is not None:
        penalty = penalty_line(d, p, rows=rows)
        lines.append(_line(penalty.lhs, "", penalty.numbers, penalty.value, kind="gradient", note=penalty.note))
    if p["updated"] is not None:
        g = f"dE/d{name}" if full is None else f"(dE/d{name} + alpha * {name} / m)"
        lines.append(_line(f"{name}+", f"{name} - eta * {g}", f"{fmt(p['value'])} - {fmt(d['lr'])} * "
                           f"{factor(p['grad'] if full is None else full)}", p["updated"], kind="update"))
    elif not p["trainable"]:
        lines.append(_line(f"{name}+", f"{name} (frozen: not updated)", "", p["value"], kind="update"))
    return lines


def neuron_lines(d: dict, name: str) -> list[Line]:
    """A neuron: its forward pass, then its delta dE/dnet (for an input unit, its value)."""
    if any(u["name"] == name for u in d["inputs"]):
        value = next(u["value"] for u in d["inputs"] if u["name"] == name)
        return [_line(name, "input", "", value, kind="forward")]
    lines = forward_lines(d, name)
    p = next((q for q in d["parameters"] if q["to"] == name), None)
    if p is not None:
        lines += _local_lines(d, p) + _delta_lines(d, p)
    return lines


def published(lines: list[Line], figures: list[dict]) -> None:
    """Mark the lines whose figure the seed prints differently (as-published), with the reason."""
    differ = {f["key"].replace("dE_total/", "dE/"): f for f in figures if not f["matches"]}
    for line in lines:
        f = differ.get(line["lhs"])
        if f is not None and f.get("published") is not None:
            line["published"] = f["seed"]
            line["plain_note"] = line.get("note", "")      # the line's own note (dnet_o2/dout_h1 = w7), kept
            line["note"] = f["note"]
