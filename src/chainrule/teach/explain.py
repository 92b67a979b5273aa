"""The seed-style derivation of one forward and backward pass, read from the engine's caches.

`explain(net, X, Y, lr)` runs `net.backprop` once and then only *reads*: each layer's cached
input x, net input, output, dE/dout and delta, and the gradients in `net.grads`. Nothing here
recomputes the math, so every number shown is the number training uses.

Names follow the seeds: inputs i1.., hidden neurons h1.. (h<layer>_<j> when there are several
hidden layers), outputs o1..; weights w1.. numbered neuron by neuron, layer by layer (for the
seed network exactly its w1..w8); the bias of neuron h1 is b_h1.
"""
from __future__ import annotations

import functools
import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ValidationError
from ..nn.checks import number
from ..nn.divergence import divergence_cause
from ..nn.dropout import Dropout
from ..nn.losses import rows_sum_to_one
from . import notation
from .notation import ERROR_FORMULAS, neuron_names, tex_name, weight_name
from .numbers import fmt, single_precision

if TYPE_CHECKING:
    from ..nn.network import Network

MAX_PARAMETERS = 120
MAX_SAMPLES = 8
CDOT = " \\cdot "


def _vals(a) -> list[float]:
    return [float(v) for v in np.asarray(a).reshape(-1)]


class UnknownParameterError(ValidationError, KeyError):
    """`Report.parameter` of a name the report does not list: says which names it lists, and its slice."""

    def __init__(self, name: str, listed: list[str], chosen: dict | None):
        weights = sorted((n for n in listed if not n.startswith("b_")), key=lambda n: int(n[1:]))
        biases = [n for n in listed if n.startswith("b_")]
        shown = [_names(weights), _names(biases)]
        where = "" if chosen is None else " in this slice (" + ", ".join(
            f"{k}={v}" for k, v in chosen.items() if v is not None) + "; explain without layer= lists every one)"
        super().__init__(f"no parameter named {name!r}{where}; this report lists {' and '.join(x for x in shown if x)}")

    __str__ = ValidationError.__str__      # not KeyError's repr of the message


def _names(names: list[str]) -> str:
    """Names written out, or by their ends when there are many."""
    return ", ".join(names) if len(names) <= 8 else f"{names[0]}, {names[1]}, ..., {names[-1]} ({len(names)})"


class Report:
    """One pass, explained. `.text()`, `.markdown()`, `.to_dict()`.

    `to_dict()` keys: loss, dtype, n_samples, lr, fused, scale, rows_sum_to_one, inputs and targets (name, value),
    layers (index, activation, alpha (leaky_relu's slope, else None), neurons: name, net, out, weights, weight_values,
    bias, bias_value, inputs; for a softmax layer not fused with its loss: dE/dout per neuron and softmax_sum,
    the sum_j dE/dout_j out_j of its Jacobian, else None), dropout (rate, after: the Dense layer it follows),
    errors (E_<output> per sample), E_total, and parameters, one entry per weight or bias listed:
    name, layer, kind ("W"/"b"), index, from, to, value, grad, trainable, updated (value - lr * grad),
    and the chain-rule factors per sample: dE/dout, dout/dnet, dnet/dparam, dE/dnet, and for a
    hidden neuron the paths through the layer above (via, dE/dnet, weight, w, term).
    Per-sample values are lists; each sample's derivatives carry the 1/scale of the mean.
    slice: None, or the layer (and neuron) explain was asked for.
    """

    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        return self.data

    def to_json(self) -> str:
        return json.dumps(self.data, indent=2)

    def parameter(self, name: str) -> dict:
        """The entry of one weight or bias by name ("w5", "b_h1")."""
        for p in self.data["parameters"]:
            if p["name"] == name:
                return p
        raise UnknownParameterError(name, [p["name"] for p in self.data["parameters"]], self.data.get("slice"))

    def text(self) -> str:
        with single_precision(self.data.get("dtype") == "float32"):
            return _render(self.data, markdown=False)

    def markdown(self) -> str:
        with single_precision(self.data.get("dtype") == "float32"):
            return _render(self.data, markdown=True)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        """The text at the Python prompt (not `<Report object at 0x...>`)."""
        return self.text()

    def _repr_markdown_(self) -> str:
        """Jupyter shows the derivation as Markdown, its formulas typeset."""
        return self.markdown()


def explain(net: Network, X: Any, Y: Any, lr: float | None = None, *, layer: int | None = None,
            neuron: int | None = None) -> Report:
    """Explain one forward and backward pass of `net` on (X, Y), and with `lr` the update.

    Parameters
    ----------
    layer : int, optional
        Only list the parameters of this Dense layer (0 = first); needed for networks with
        more than MAX_PARAMETERS parameters.
    neuron : int, optional
        With `layer`: only the weights into this neuron of the layer (0 = first).

    Examples
    --------
    >>> import chainrule as cr
    >>> net, X, Y, lr = cr.examples.seed_network()
    >>> report = cr.explain(net, X, Y, lr=lr)
    >>> round(report.parameter("w5")["grad"], 9)
    0.082167041
    """
    if lr is not None:
        lr = number(lr, "lr", low_inclusive=False)
    dense = net.dense_layers
    with np.errstate(over="ignore", invalid="ignore"):     # an overflow is refused below, in words
        E = net.backprop(X, Y)
    if not (math.isfinite(E) and np.isfinite(net.grads).all() and all(np.isfinite(d.net).all() for d in dense)):
        cause = divergence_cause(net.grads, E) if not math.isfinite(E) or not np.isfinite(net.grads).all() \
            else "a net input became infinite"
        raise ValidationError(f"explain: {cause}: with these inputs and weights the pass overflows {net.dtype} "
                              f"(numbers beyond about {np.finfo(net.dtype).max:.2g}), so there is nothing finite to "
                              "show; use smaller inputs or weights")
    x = dense[0].x
    assert x is not None          # cached by the forward pass just run
    n = x.shape[0]
    if layer is not None and not (_is_index(layer) and 0 <= layer < len(dense)):
        raise ValidationError(f"layer must be an index of a Dense layer, 0..{len(dense) - 1}; got {layer!r}")
    chosen = range(len(dense)) if layer is None else [layer]
    if neuron is not None and (layer is None or not (_is_index(neuron) and 0 <= neuron < dense[layer].n_out)):
        limit = "give layer= too" if layer is None else f"0..{dense[layer].n_out - 1}"
        raise ValidationError(f"neuron must be the index of a neuron of the chosen layer ({limit}); got {neuron!r}")
    n_listed = (dense[layer].n_in + 1 if neuron is not None and layer is not None else
                sum(dense[l].W.size + dense[l].b.size for l in chosen))
    if n > MAX_SAMPLES:
        raise ValidationError(f"explain shows at most {MAX_SAMPLES} samples; this call has {n}. Explain fewer: "
                              "explain(net, X[:1], Y[:1])")
    if n_listed > MAX_PARAMETERS and neuron is not None:      # no smaller slice: say so, not "choose a neuron"
        raise ValidationError(f"neuron {neuron} of layer {layer} has {n_listed} parameters (its weights and bias), "
                              f"more than the {MAX_PARAMETERS} explain shows: a neuron this wide is not written out "
                              "(net.gradients and gradcheck give its numbers)")
    if n_listed > MAX_PARAMETERS:
        raise ValidationError(
            f"explain prints at most {MAX_PARAMETERS} parameters; this call has {n_listed}. Explain a slice: "
            f"explain(net, X, Y, layer=L) for one layer L in 0..{len(dense) - 1}, or explain(..., layer=L, "
            "neuron=J) for one neuron.")
    names = neuron_names(net)
    Yt = net.targets(Y)
    out = dense[-1].out
    loss = net.loss_function
    # the terms as the loss's value computes them (from the net input in the fused forms), so that
    # the printed E_total is their sum also when an output saturates
    terms = loss.terms(out, Yt, dense[-1].net if net.fused_output else None)
    data: dict = {
        "loss": loss.name, "dtype": str(net.dtype), "n_samples": n, "lr": lr, "fused": net.fused_output,
        "scale": loss.scale(out),
        "rows_sum_to_one": rows_sum_to_one(loss, Yt),     # the engine's own test: which fused delta it took
        "inputs": [{"name": nm, "value": _vals(dense[0].x[:, i])} for i, nm in enumerate(names[0])],
        "targets": [{"name": nm, "value": _vals(Yt[:, j])} for j, nm in enumerate(names[-1])],
        "layers": [], "errors": [], "E_total": float(terms.sum() / loss.scale(out)), "parameters": [],
        "dropout": _dropout(net),
        "slice": None if layer is None else {"layer": int(layer), "neuron": None if neuron is None else int(neuron)},
    }
    for l, lay in enumerate(dense):
        jacobian = lay.activation.name == "softmax" and lay.dout is not None and not (lay is dense[-1] and
                                                                                   net.fused_output)
        data["layers"].append({
            "index": l, "activation": lay.activation.name, "alpha": lay.activation.config().get("alpha"),
            "dE/dout": [_vals(lay.dout[:, j]) for j in range(lay.n_out)] if jacobian else None,
            "softmax_sum": _vals((lay.dout * lay.out).sum(axis=1)) if jacobian else None,
            "neurons": [{"name": nm, "net": _vals(lay.net[:, j]), "out": _vals(lay.out[:, j]),
                         "bias": f"b_{nm}", "bias_value": float(lay.b[j]),
                         "weights": [weight_name(dense, l, i, j) for i in range(lay.n_in)],
                         "weight_values": [float(w) for w in lay.W[:, j]],
                         "inputs": names[l]}
                        for j, nm in enumerate(names[l + 1])],
        })
    data["errors"] = [{"name": f"E_{nm}", "value": _vals(terms[:, j])} for j, nm in enumerate(names[-1])]
    for l in reversed(list(chosen)):  # backward order: output layer first, as the seeds do
        lay = dense[l]
        last = l == len(dense) - 1
        nxt = None if last else dense[l + 1]
        deriv = (None if (last and net.fused_output) or not lay.activation.elementwise
                 else lay.activation.derivative(lay.out, lay.net))
        for j, to in enumerate(names[l + 1]):
            if neuron is not None and j != neuron:
                continue
            factors = {
                "dE/dout": None if lay.dout is None or (last and net.fused_output) else _vals(lay.dout[:, j]),
                "dout/dnet": None if deriv is None else _vals(deriv[:, j]),
                "dE/dnet": _vals(lay.delta[:, j]),
                "paths": None if nxt is None else [
                    {"via": names[l + 2][k], "dE/dnet": _vals(nxt.delta[:, k]),
                     "weight": weight_name(dense, l + 1, j, k), "w": float(nxt.W[j, k]),
                     "term": _vals(nxt.delta[:, k] * nxt.W[j, k]),
                     "delta": notation.hidden_delta(dense, names, l + 1, k) if l + 2 < len(dense) else None}
                    for k in range(nxt.n_out)],
            }
            for i, frm in enumerate(names[l] + [None]):
                kind = "W" if frm is not None else "b"
                value = float(lay.W[i, j]) if frm else float(lay.b[j])
                grad = float(lay.dW[i, j]) if frm else float(lay.db[j])
                trainable = lay.trainable_params[kind]
                entry = {"name": weight_name(dense, l, i, j) if frm else f"b_{to}", "layer": l, "kind": kind,
                         "index": [i, j] if frm else [j], "from": frm, "to": to, "value": value,
                         "dnet/dparam": _vals(lay.x[:, i]) if frm else [1.0] * n, "grad": grad,
                         "trainable": trainable, **factors,
                         "updated": value - lr * grad if (lr is not None and trainable) else None}
                data["parameters"].append(entry)
    return Report(data)


def _dropout(net: Network) -> list[dict]:
    """Each Dropout layer: its rate and the Dense layer it follows (None: on the inputs)."""
    found, dense = [], -1
    for lay in net.layers:
        if lay in net.dense_layers:
            dense += 1
        elif isinstance(lay, Dropout):
            found.append({"rate": float(lay.rate), "after": None if dense < 0 else dense})
    return found


def _is_index(v) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


# -- rendering --------------------------------------------------------------------------------
_f = fmt                               # a computed number: nine decimals (scientific below 1e-6)
_short = functools.partial(fmt, zeros=False)   # a given one (weight, target, rate): trailing zeros dropped


def _par(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def _render(d: dict, markdown: bool) -> str:
    lines: list[str] = []

    def eq(plain: str, tex: str | None = None) -> None:
        if markdown:
            lines.append(f"$${tex if tex is not None else plain}$$")
            lines.append("")
        else:
            lines.append("  " + plain)

    def note(text: str) -> None:
        lines.extend([text, ""] if markdown else ["  " + text])

    def head(title: str) -> None:
        lines.append(f"## {title}" if markdown else title)
        if markdown:
            lines.append("")

    def tex(name: str) -> str:
        if name.startswith("out_"):
            return f"out_{{{name[4:]}}}"
        base, _, sub = name.partition("_")
        return f"{base}_{{{sub}}}" if sub else (f"{name[0]}_{{{name[1:]}}}" if name[1:].isdigit() else name)

    n, notes = d["n_samples"], dict[Any, list[str]]()
    if n > 1:
        lines.append(notation.mean_note(n, len(d["targets"]), d["scale"]))
        lines.append("")
    head("Forward pass" + (f" ({n} samples)" if n > 1 else ""))
    for drop in d.get("dropout", []):     # explain's pass is the inference one: say so, in words
        notes.setdefault(drop["after"], []).append(notation.dropout_note(drop["rate"], drop["after"], len(d["layers"])))
    for text in notes.get(None, []):
        note(text)
    units = {u["name"]: u["value"] for u in d["inputs"]}
    units.update({nr["name"]: nr["out"] for layer in d["layers"] for nr in layer["neurons"]})
    for layer in d["layers"]:
        for nr in layer["neurons"]:
            ins = [i if i.startswith("i") else f"out_{i}" for i in nr["inputs"]]
            wide = len(ins) + 1 > MAX_PARAMETERS     # a sum no neuron slice writes out: its ends only
            shown = [0, 1, len(ins) - 1] if wide else range(len(ins))
            parts = " + ".join(f"{nr['weights'][k]}*{ins[k]}" for k in shown)
            parts = parts.replace(" + ", " + ... + ", 2).replace(" + ... + ", " + ", 1) if wide else parts
            parts += f" + {nr['bias']}*1"
            tex_parts = " + ".join(f"{tex(nr['weights'][k])} \\cdot {tex(ins[k])}" for k in shown)
            tex_parts = tex_parts.replace(" + ", " + \\cdots + ", 2).replace(" + \\cdots + ", " + ", 1) if wide \
                else tex_parts
            tex_parts += f" + {tex(nr['bias'])} \\cdot 1"
            if n == 1 and not wide:
                nums = " + ".join(f"{_par(_short(w))}*{_par(_f(units[i]))}"
                                  for w, i in zip(nr["weight_values"], nr["inputs"]))
                nums += f" + {_par(_short(nr['bias_value']))}*1"
                parts += f" = {nums}"
                tex_parts += " = " + nums.replace("*", CDOT)
            eq(f"net_{nr['name']} = {parts} = {_f(nr['net'])}",
               f"net_{{{nr['name']}}} = {tex_parts} = {_f(nr['net'])}")
            plain, tex_out = notation.forward_activation(layer, nr, n)
            eq(f"out_{nr['name']} = {plain} = {_f(nr['out'])}", f"out_{{{nr['name']}}} = {tex_out} = {_f(nr['out'])}")
        for text in notes.get(layer["index"], []):
            note(text)
    head(f"Error ({d['loss']})")
    plain_f, tex_f = ERROR_FORMULAS.get(d["loss"]) or (
        d["loss"] + "(out_{o}, target_{o})", "\\mathrm{{" + tex_name(d["loss"]) + "}}(out_{{{o}}}, target_{{{o}}})")
    for err, tgt in zip(d["errors"], d["targets"]):
        o = tgt["name"]
        eq(f"{err['name']} = {plain_f.format(o=o)} = {_f(err['value'])}   (target {_f(tgt['value'])})",
           f"E_{{{o}}} = {tex_f.format(o=o)} = {_f(err['value'])}")
    plain, tex_line, _ = notation.total_error(d["loss"], [e["name"] for e in d["errors"]], n)
    E = _f(d["E_total"])
    eq(f"{plain} = {E}", f"{tex_line} = {E}")
    current, derived = None, set()
    for p in d["parameters"]:
        layer_title = "output layer" if p["layer"] == len(d["layers"]) - 1 else f"hidden layer {p['layer'] + 1}"
        if layer_title != current:
            current = layer_title          # a slice also in the API's numbering, which it was asked in
            head(f"Backward pass: {layer_title}" + (f" (layer={p['layer']})" if d.get("slice") else ""))
        name, to = p["name"], p["to"]
        dparam = f"dnet_{to}/d{name}"
        if p["paths"] is not None and p["kind"] == "W" and p["index"][0] == 0:
            # dE/dout of a hidden neuron: the sum over the paths through the layer above, each the seed's
            # dE_o/dout_h or, where there is no E_o of net_o alone, dE/dnet_o * dnet_o/dout_h (coupled_paths)
            coupled = notation.coupled_paths(d, p["layer"])
            for q in p["paths"]:
                via, line = q["via"], notation.delta_line(q, n)
                if line is not None and via not in derived:     # where this delta comes from, once
                    derived.add(via)
                    eq(line.plain(), line.tex)
                lhs, tex_lhs = ((f"dE/dnet_{via} * dnet_{via}/dout_{to}",
                                 f"\\frac{{\\partial E}}{{\\partial net_{{{via}}}}} \\cdot "
                                 f"\\frac{{\\partial net_{{{via}}}}}{{\\partial out_{{{to}}}}}") if coupled else
                                (f"dE_{via}/dout_{to} = dE/dnet_{via} * dnet_{via}/dout_{to}",
                                 f"\\frac{{\\partial E_{{{via}}}}}{{\\partial out_{{{to}}}}}"))
                eq(f"{lhs} = dE/dnet_{via} * {q['weight']} = {_par(_f(q['dE/dnet']))} * {_par(_short(q['w']))} = "
                   f"{_f(q['term'])}",
                   f"{tex_lhs} = \\frac{{\\partial E}}{{\\partial net_{{{via}}}}}"
                   f" \\cdot {tex(q['weight'])} = {_par(_f(q['dE/dnet']))} \\cdot {_par(_short(q['w']))} = "
                   f"{_f(q['term'])}")
            terms = " + ".join(f"dE/dnet_{q['via']} * {q['weight']}" if coupled else f"dE_{q['via']}/dout_{to}"
                               for q in p["paths"])
            nums = " + ".join(f"{_par(_f(q['term']))}" for q in p["paths"])
            if len(p["paths"]) > 1:
                eq(f"dE/dout_{to} = {terms} = {nums} = {_f(p['dE/dout'])}",
                   f"\\frac{{\\partial E}}{{\\partial out_{{{to}}}}} = " + " + ".join(
                       (f"\\frac{{\\partial E}}{{\\partial net_{{{q['via']}}}}} \\cdot {tex(q['weight'])}" if coupled
                        else f"\\frac{{\\partial E_{{{q['via']}}}}}{{\\partial out_{{{to}}}}}") for q in p["paths"])
                   + f" = {nums} = {_f(p['dE/dout'])}")
        if p["kind"] == "W" and p["index"][0] == 0:
            notation.local_derivatives(d, p, eq)
        if p["dE/dout"] is not None and p["dout/dnet"] is not None:
            chain = f"dE/dout_{to} * dout_{to}/dnet_{to} * {dparam}"
            nums = f"{_par(_f(p['dE/dout']))} * {_par(_f(p['dout/dnet']))} * {_par(_f(p['dnet/dparam']))}"
            tex_chain = (f"\\frac{{\\partial E}}{{\\partial out_{{{to}}}}} \\cdot \\frac{{\\partial out_{{{to}}}}}"
                         f"{{\\partial net_{{{to}}}}} \\cdot \\frac{{\\partial net_{{{to}}}}}{{\\partial {tex(name)}}}")
        else:
            fused = "out - target" if d.get("rows_sum_to_one", True) else "out * sum(target) - target"
            fused = fused if d["scale"] == 1 else f"({fused}) / {d['scale']}"
            why = f"fused: {fused}" if d["fused"] and p["paths"] is None else "softmax Jacobian"
            chain = f"dE/dnet_{to} * {dparam}   ({why})"
            nums = f"{_par(_f(p['dE/dnet']))} * {_par(_f(p['dnet/dparam']))}"
            tex_chain = (f"\\frac{{\\partial E}}{{\\partial net_{{{to}}}}} \\cdot "
                         f"\\frac{{\\partial net_{{{to}}}}}{{\\partial {tex(name)}}}")
        sums = " (summed over samples)" if n > 1 else ""
        eq(f"dE/d{name} = {chain} = {nums} = {_f(p['grad'])}{sums}",
           f"\\frac{{\\partial E_{{total}}}}{{\\partial {tex(name)}}} = {tex_chain} = {nums.replace('*', CDOT)} = "
           f"{_f(p['grad'])}")
    if d["lr"] is not None:
        head(f"Update (learning rate {d['lr']:g})")
        if d.get("dropout"):
            note("The update of this pass, without dropout: a training step (net.step, fit) drops units at random, "
                 "so its gradients and update differ.")
        for p in d["parameters"]:
            if p["updated"] is None:
                if not p["trainable"]:
                    eq(f"{p['name']} = {_short(p['value'])} (frozen: not updated)",
                       f"{tex(p['name'])} = {_short(p['value'])} \\text{{ (frozen)}}")
                continue
            eq(f"{p['name']}+ = {p['name']} - lr * dE/d{p['name']} = {_short(p['value'])} - {_short(d['lr'])} * "
               f"{_par(_f(p['grad']))} = {_f(p['updated'])}",
               f"{tex(p['name'])}^+ = {tex(p['name'])} - \\eta \\cdot "
               f"\\frac{{\\partial E_{{total}}}}{{\\partial {tex(p['name'])}}} = "
               f"{_short(p['value'])} - {_short(d['lr'])} \\cdot {_par(_f(p['grad']))} = {_f(p['updated'])}")
    return "\n".join(lines).rstrip() + "\n"
