"""A pass explained, written out: the `Report` that `explain` returns, as plain text and as Markdown
with LaTeX (the seeds' notation), and its lookup of one parameter by name.

`explain` (explain.py) reads the engine's caches into a plain dict; this module only writes that
dict, so that what is shown and what is computed stay apart.
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import ValidationError
from ..saving.npzcheck import standard_json
from . import derivation, error_terms, last_digit, loss_terms, neuron_cut, notation, sample_lines, zero_notes
from .derivation import tex_symbol
from .error_terms import ZERO_LOG, error_numbers, numbers_tex, total_note, total_numbers, wider_note, zero_log
from .escape import code_span
from .notation import DE, ERROR_FORMULAS, MAX_PARAMETERS, shortened, tex_name
from .numbers import fmt, single_precision, tex_numbers
from .slice_notes import cut_note, delta_cut_note, long_note, read_note
from .width import fit_width as fit_width  # where it was first written: older imports of it

__all__ = ["MAX_PARAMETERS", "Report", "UnknownParameterError"]
CONTEXT_TERMS = 8       # a sum of more terms, not the slice's own unit's, is written with its ends
CDOT = " \\cdot "


class UnknownParameterError(ValidationError, KeyError):
    """`Report.parameter` of a name the report does not list: says which names it lists, and its slice."""

    def __init__(self, name: str, listed: list[str], chosen: dict | None, whole: int = 0,
                 network: list[str] | None = None):
        weights = sorted((n for n in listed if not n.startswith("b_")), key=lambda n: int(n[1:]))
        biases = [n for n in listed if n.startswith("b_")]
        shown = [shortened(weights), shortened(biases)]
        every = ("explain without layer= lists every one" if whole <= MAX_PARAMETERS else    # `whole`: the network's
                 "the whole network is too large to write out; net.gradients(X, Y) gives every gradient")  # parameters
        where = "" if chosen is None else " in this slice (" + ", ".join(
            f"{k}={v}" for k, v in chosen.items() if v is not None) + f"; {every})"
        lists = ("; " if shown[0].endswith(" more") else " and ").join(x for x in shown if x)   # not "9 more and"
        whole_list = chosen is None and not any(x.endswith(" more") for x in shown)    # it says every name itself
        missing = notation.missing_name(name, network, whole_list)
        super().__init__(f"no parameter named {name!r}{missing}{where}; this report lists {lists}")

    __str__ = ValidationError.__str__      # not KeyError's repr of the message


class Report:
    """One pass, explained. `.text()`, `.markdown()`, `.to_dict()`.

    `to_dict()` keys: loss, dtype, n_samples, lr, fused, scale, rows_sum_to_one, inputs and targets (name, value;
    also its column where X, Y had named ones: a DataFrame's),
    target_classes (None where Y gave the targets as numbers; else labels: each sample's class as given, None for a
    binary cross-entropy's rows of 0/1; names: the classes' names, a trained model's, else None; one_hot: whether a
    label stands for a one-hot row; column: the
    target column said with each name, where the command sets names),
    layers (index, activation, alpha (leaky_relu's slope, else None), neurons: name, net, out, weights, weight_values,
    bias, bias_value, inputs; for a softmax layer not fused with its loss: dE/dout per neuron and softmax_sum,
    the sum_j dE/dout_j out_j of its Jacobian, else None), dropout (rate, after: the Dense layer it follows),
    errors (E_<output> per sample), E_total (the loss), weight_penalty (alpha; 0.0 for none), E_penalty (its term
    0.5 * alpha * sum(W**2) / m, which training adds to E; None for none), and parameters, one entry per weight
    or bias listed:
    name, layer, kind ("W"/"b"), index, from, to, value, grad (the loss's), penalized_grad (a weight's with the
    weight penalty, MLP's alpha: grad + alpha * w / m, m the rows; else None), trainable, updated (value - lr *
    the gradient a training step takes: net.step's),
    and the chain-rule factors per sample: dE/dout, dout/dnet, dnet/dparam, dE/dnet, and for a
    hidden neuron the paths through the layer above (via, dE/dnet, weight, w, term); off: whether the neuron's
    relu is off (net <= 0, its derivative 0) for every sample, so that its weights and bias get no gradient;
    flushed: None, or per
    sample whether the engine set this neuron's delta to 0 as too small to matter (under
    `backend.kernels.flush_below`), so that that sample's dE/dnet and its share of the gradients read 0 where the
    factors' product is not; the flag marks the layer where the delta was set to 0; the layers below read the 0 in
    their dE/dout, each path's zeroed saying so: None, or per sample the unit whose delta the engine set to 0 (the
    path's own unit, or one above it that its 0 comes through), else None.
    Per-sample values are lists; each sample's derivatives carry the 1/scale of the mean.
    slice: None, or the layer (and neuron) explain was asked for.
    """

    def __init__(self, data: dict):
        self.data = data

    def to_dict(self) -> dict:
        return self.data

    def to_json(self) -> str:
        """Standard JSON (which JavaScript's JSON.parse and jq read): an update that overflows, infinity or NaN,
        as a model file writes them, {"__float__": "Infinity"} ("-Infinity", "NaN"); `as_float` reads them back."""
        return standard_json(self.data, "the report", indent=2)

    def parameter(self, name: str) -> dict:
        """The entry of one weight or bias by name ("w5", "b_h1")."""
        for p in self.data["parameters"]:
            if p["name"] == name:
                return p
        network = [n for layer in self.data["layers"] for nr in layer["neurons"] for n in nr["weights"] + [nr["bias"]]]
        raise UnknownParameterError(name, [p["name"] for p in self.data["parameters"]], self.data.get("slice"),
                                    len(network), network)

    def text(self) -> str:
        """A neuron slice's forward pass cut to that neuron and the outputs (neuron_cut), as the command shows it."""
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


# -- rendering ------------------------------------------------------------------------------------------
def _par(s: str) -> str:
    return f"({s})" if s.startswith("-") else s


def _chosen_unit(d: dict) -> str | None:
    """The unit a neuron slice derives (o2), or None: the other units' sums are only read by it."""
    chosen = d.get("slice") or {}
    if chosen.get("neuron") is None:
        return None
    return d["layers"][chosen["layer"]]["neurons"][chosen["neuron"]]["name"]


def _read(plains: list[tuple[int, str]], kept: set[str] | None) -> list[str]:
    """The equations `last_digit` reads: in a neuron slice the forward lines of the `kept` units alone, those it
    shows (neuron_cut)."""
    unit = re.compile(r"(?:net|out)_(\S+) = ")
    return [plain if kept is None or not (m := unit.match(plain)) or m[1] in kept else "" for _, plain in plains]


def _render(d: dict, markdown: bool) -> str:
    kept = neuron_cut.kept(d)           # a neuron slice: the units whose forward lines it shows, else None
    lines: list[str] = []
    said_from: int | None = None        # the equations below single_note's FLOAT32 (float32's reason), if said
    plains: list[tuple[int, str]] = []          # each equation and where it ends in `lines`: for last_digit

    def eq(plain: str, tex: str | None = None) -> None:
        plains.append((len(lines) + 1 + markdown, plain))
        if markdown:
            said = re.search(r".*   \((.*)\)$", plain)     # the text's note after the value (and names), "   (fused)"
            if tex is not None and said and "\\quad \\text{(" not in tex:      # unless tex has its own
                tex += f" \\quad {loss_terms.note_tex(said[1])}"
            lines.append(f"$${tex_numbers(tex if tex is not None else plain)}$$")
            lines.append("")
        else:
            lines.append("  " + plain)

    def note(text: str) -> None:
        lines.extend([text, ""] if markdown else ["  " + text])

    def head(title: str) -> None:
        lines.append(f"## {title}" if markdown else title)
        if markdown:
            lines.append("")

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
    if n > 1:       # a batch's sums are not substituted: the numbers they start from, once
        every = notation.neuron_fits(len(d["inputs"]))
        eq(sample_lines.batch_inputs(d["inputs"], every) + "   (the inputs, one value per sample)",
           sample_lines.batch_inputs(d["inputs"], every, tex_symbol))
    for what in ("inputs", "targets") if n == 1 else ("targets",):   # X's, Y's columns named: beside i1.., o1..
        if said := sample_lines.inputs_line(d[what], what):
            note(code_span(said) if markdown else said)
    units.update({nr["name"]: nr["out"] for layer in d["layers"] for nr in layer["neurons"]})
    chosen = _chosen_unit(d)
    for layer in d["layers"]:
        # a softmax's out reads every net of its layer: those lines all come first, then the outs
        held: list[tuple[str, str]] = []
        cut: list[str] = []
        long: list[str] = []
        for nr in layer["neurons"]:
            ins = [i if i.startswith("i") else f"out_{i}" for i in nr["inputs"]]
            # a sum no neuron slice writes out, or in a neuron slice another unit's long sum: its ends only
            wide = not notation.neuron_fits(len(ins)) or (chosen not in (None, nr["name"]) and len(ins) > CONTEXT_TERMS)
            if wide:
                (cut if notation.neuron_fits(len(ins)) else long).append(nr["name"])
            shown = [0, 1, len(ins) - 1] if wide else range(len(ins))
            parts = " + ".join(f"{nr['weights'][k]}*{ins[k]}" for k in shown)
            parts = parts.replace(" + ", " + ... + ", 2).replace(" + ... + ", " + ", 1) if wide else parts
            parts += f" + {nr['bias']}*1"
            tex_parts = " + ".join(f"{tex_symbol(nr['weights'][k])} \\cdot {tex_symbol(ins[k])}" for k in shown)
            tex_parts = tex_parts.replace(" + ", " + \\cdots + ", 2).replace(" + \\cdots + ", " + ", 1) if wide \
                else tex_parts
            tex_parts += f" + {tex_symbol(nr['bias'])} \\cdot 1"
            if n == 1 and not wide:
                nums = " + ".join(f"{_par(fmt(w))}*{_par(fmt(units[i]))}"
                                  for w, i in zip(nr["weight_values"], nr["inputs"]))
                nums += f" + {_par(fmt(nr['bias_value']))}*1"
                parts += f" = {nums}"
                tex_parts += " = " + nums.replace("*", CDOT)
            net = fmt(nr["net"])         # as the out line substitutes it, the seed's net_h1 = 0.3775
            weights = tex_weights = ""
            if n > 1 and not wide:      # its weights, as one sample's sum substitutes them (cut with its unit)
                weights = "   " + sample_lines.weights_note(nr)
                tex_weights = f" \\quad \\text{{(}}{sample_lines.weights_note(nr, tex_symbol)[1:-1]}\\text{{)}}"
            eq(f"net_{nr['name']} = {parts} = {net}{weights}",
               f"net_{{{nr['name']}}} = {tex_parts} = {net}{tex_weights}")
            plain, tex_out = notation.forward_activation(layer, nr, n)
            held.append((f"out_{nr['name']} = {plain} = {fmt(nr['out'])}",
                         f"out_{{{nr['name']}}} = {tex_out} = {fmt(nr['out'])}"))
            if layer["activation"] != "softmax":
                eq(*held.pop())
        for plain_out, tex_out_line in held:
            eq(plain_out, tex_out_line)
        if layer["activation"] == "softmax" and len(layer["neurons"]) > notation.SOFTMAX_TERMS:   # by its ends: say so
            note(notation.softmax_cut_note(layer))
        if cut:
            note(cut_note(cut, len(layer["neurons"][0]["inputs"]), layer["index"]))
        if long:
            note(long_note(long, len(layer["neurons"][0]["inputs"]), layer["index"]))
        for text in notes.get(layer["index"], []):
            note(text)
    head(f"Error ({d['loss']})")
    plain_f, tex_f = ERROR_FORMULAS.get(d["loss"]) or (
        d["loss"] + "(out_{o}, target_{o})", "\\mathrm{{" + tex_name(d["loss"]) + "}}(out_{{{o}}}, target_{{{o}}})")
    classes_said = ""                                   # the targets a class line wrote: not again after E_o
    if classes := sample_lines.targets_line(d):         # class labels: where the error's 1s and 0s come from
        eq(*classes)
        classes_said = classes[0]
    zero_logs, written = False, {}
    for err, tgt in zip(d["errors"], d["targets"]):
        o = tgt["name"]
        nums = written[o] = error_numbers(d, o, err["value"][0])      # one sample's numbers, the target among them
        eq(f"{err['name']} = {plain_f.format(o=o)}{' = ' * bool(nums)}{nums} = {fmt(err['value'])}" +
           ("" if nums or f"target_{o} = " in classes_said else f"   (target {fmt(tgt['value'])})"),
           f"E_{{{o}}} = {tex_f.format(o=o)}{' = ' * bool(nums)}{numbers_tex(nums)} = {fmt(err['value'])}")
        zero_logs = zero_logs or zero_log(nums)
    if zero_logs:
        note(ZERO_LOG)
    if wider := wider_note(d, written):          # 0.7513650696 beside the forward pass's 0.75136507: why, once
        note(wider)
    plain, tex_line, _ = notation.total_error(d["loss"], [e["name"] for e in d["errors"]], n)
    E = fmt(d["E_total"])
    sums, tex_sums = total_numbers(d)
    eq(f"{plain}{' = ' * bool(sums)}{sums} = {E}", f"{tex_line}{' = ' * bool(sums)}{tex_sums} = {E}")
    if wider := total_note(d, sums):
        note(wider)
    above = any(map(last_digit.differs, _read(plains, kept)))     # float32: a line above says why (last_digit.notes)
    if rounded := error_terms.single_note(d, written, sums, above):     # float32: the E lines' exact digits
        note(rounded)
        said_from = len(plains)        # said: a later line's note gives its numbers alone
    if d.get("E_penalty") is not None:
        penalty = derivation.penalty_error_line(d)
        eq(penalty.plain(), penalty.tex)
    current, derived, zero_said = None, set(), set()
    for p in d["parameters"]:
        layer_title = "output layer" if p["layer"] == len(d["layers"]) - 1 else f"hidden layer {p['layer'] + 1}"
        if layer_title != current:
            current = layer_title          # a slice also in the API's numbering, which it was asked in
            head(f"Backward pass: {layer_title}" + (f" (layer={p['layer']})" if d.get("slice") else ""))
            for said in notation.matrix_note(d, p["layer"]):
                note(said)
        to = p["to"]
        if p["paths"] is not None and p["kind"] == "W" and p["index"][0] == 0:
            # dE/dout of a hidden neuron: the sum over the paths through the layer above, each the seed's
            # dE_o/dout_h or, where there is no E_o of net_o alone, dE/dnet_o * dnet_o/dout_h (coupled_paths)
            coupled = derivation.coupled_paths(d, p["layer"])
            above = p["layer"] + 1
            lines_of = [derivation.delta_line(q, n) for q in p["paths"]]     # each path's delta, once
            if d.get("slice") and "read deltas" not in derived:    # read here, derived in another slice
                derived.add("read deltas")
                read = ([t["via"] for t in p["paths"][0]["delta"]["terms"]] if all(lines_of) else
                        [q["via"] for q in p["paths"]])
                note(read_note(d, above + all(lines_of), read))
            for q, line in zip(p["paths"], lines_of):
                via = q["via"]
                if line is None and via not in derived and not d.get("slice") and (
                        out := derivation.output_delta_line(d, via)):
                    derived.add(via)        # an output's dE/dout * dout/dnet, the number read below, named once
                    eq(out.plain(), out.tex)
                elif line is not None and via not in derived:     # where this delta comes from, once
                    derived.add(via)
                    eq(line.plain(), line.tex)
                    if len(q["delta"]["terms"]) > derivation.DELTA_TERMS and "delta cut" not in derived:
                        derived.add("delta cut")           # the sums by their ends: said once for the layer
                        note(delta_cut_note(d, above, [r["via"] for r in p["paths"]], len(q["delta"]["terms"])))
                chain_tex = (f"\\frac{{{DE}}}{{\\partial net_{{{via}}}}} \\cdot "
                             f"\\frac{{\\partial net_{{{via}}}}}{{\\partial out_{{{to}}}}}")
                lhs, tex_lhs = ((f"dE/dnet_{via} * dnet_{via}/dout_{to}", chain_tex) if coupled else
                                (f"dE_{via}/dout_{to} = dE/dnet_{via} * dnet_{via}/dout_{to}",
                                 f"\\frac{{\\partial E_{{{via}}}}}{{\\partial out_{{{to}}}}} = {chain_tex}"))
                eq(f"{lhs} = dE/dnet_{via} * {q['weight']} = {_par(fmt(q['dE/dnet']))} * {_par(fmt(q['w']))} = "
                   f"{fmt(q['term'])}",
                   f"{tex_lhs} = \\frac{{{DE}}}{{\\partial net_{{{via}}}}}"
                   f" \\cdot {tex_symbol(q['weight'])} = {_par(fmt(q['dE/dnet']))} \\cdot {_par(fmt(q['w']))} = "
                   f"{fmt(q['term'])}")
                if q.get("zeroed") and via not in zero_said:       # the 0 read here: where it comes from, once
                    zero_said.add(via)
                    note(derivation.zero_note(d, q, to))
            terms = " + ".join(f"dE/dnet_{q['via']} * {q['weight']}" if coupled else f"dE_{q['via']}/dout_{to}"
                               for q in p["paths"])
            nums = " + ".join(f"{_par(fmt(q['term']))}" for q in p["paths"])
            if len(p["paths"]) > 1:
                eq(f"dE/dout_{to} = {terms} = {nums} = {fmt(p['dE/dout'])}",
                   f"\\frac{{{DE}}}{{\\partial out_{{{to}}}}} = " + " + ".join(
                       (f"\\frac{{{DE}}}{{\\partial net_{{{q['via']}}}}} \\cdot {tex_symbol(q['weight'])}" if coupled
                        else f"\\frac{{\\partial E_{{{q['via']}}}}}{{\\partial out_{{{to}}}}}") for q in p["paths"])
                   + f" = {nums} = {fmt(p['dE/dout'])}")
            else:          # one path: say that it is the whole of dE/dout, which the chain below reads
                q = p["paths"][0]
                eq(f"dE/dout_{to} = {terms} = {fmt(p['dE/dout'])}",
                   f"\\frac{{{DE}}}{{\\partial out_{{{to}}}}} = "
                   + (f"\\frac{{{DE}}}{{\\partial net_{{{q['via']}}}}} \\cdot {tex_symbol(q['weight'])}" if coupled
                      else f"\\frac{{\\partial E_{{{q['via']}}}}}{{\\partial out_{{{to}}}}}")
                   + f" = {fmt(p['dE/dout'])}")
        if p["kind"] == "W" and p["index"][0] == 0:
            derivation.local_derivatives(d, p, eq, note if markdown else None)
            if d["fused"] and p["paths"] is None and "fused" not in derived:     # why out - target, once
                derived.add("fused")
                note(loss_terms.fused_note(d))
            if p.get("off"):
                note(zero_notes.off_note(d, p))
            if p.get("flushed"):
                note(zero_notes.flush_note(d, p))
        line = derivation.gradient_line(d, p)
        eq(line.plain(), line.tex)
        if p.get("penalized_grad") is not None:
            penalty = derivation.penalty_line(d, p)
            eq(penalty.plain(), penalty.tex)
    if d["lr"] is not None:
        head(f"Update (learning rate {fmt(d['lr'])})")
        if d.get("dropout"):
            note("The update of this pass, without dropout: a training step (net.step, fit) drops units at random, "
                 "so its gradients and update differ.")
        for p in d["parameters"]:
            if p["updated"] is None:
                if not p["trainable"]:
                    eq(f"{p['name']} = {fmt(p['value'])} (frozen: not updated)",
                       f"{tex_symbol(p['name'])} = {fmt(p['value'])} \\text{{ (frozen)}}")
                continue
            g, full = p["grad"], p.get("penalized_grad")          # with MLP's alpha: the penalized gradient
            name, sym = p["name"], tex_symbol(p["name"])
            grad_text = f"dE/d{name}" if full is None else f"(dE/d{name} + alpha * {name} / m)"
            grad_tex = f"\\frac{{{DE}}}{{\\partial {sym}}}"
            grad_tex = grad_tex if full is None else f"\\left({grad_tex} + \\alpha \\cdot {sym} / m\\right)"
            g = g if full is None else full
            eq(f"{name}+ = {name} - lr * {grad_text} = {fmt(p['value'])} - {fmt(d['lr'])} * "
               f"{_par(fmt(g))} = {fmt(p['updated'])}",
               f"{sym}^+ = {sym} - \\eta \\cdot {grad_tex} = "
               f"{fmt(p['value'])} - {fmt(d['lr'])} \\cdot {_par(fmt(g))} = {fmt(p['updated'])}")
        if d.get("E_total_after") is not None:      # what the update did, as the seed ends its step
            # a slice lists some parameters' updates; the error after is the step's, which updates them all
            which = " of every parameter (not only those above)" if d.get("slice") else ""
            # a sentence (a note, in both forms), not an E_total line: the report's one E_total line is this pass's
            note(f"After this update{which}, E_total = {fmt(d['E_total_after'])} (before it: {fmt(d['E_total'])})")
    for at, said in reversed(last_digit.notes(_read(plains, kept), said_from)):     # from the last: places kept
        # Markdown: the numbers' '*' escaped (0.25*0.05 + 0.3*0.1: a renderer reads '*0.05 + 0.3*' as emphasis)
        lines[plains[at][0]:plains[at][0]] = [said.replace("*", "\\*"), ""] if markdown else ["  " + said]
    return neuron_cut.cut("\n".join(lines).rstrip(), d, markdown) + "\n"
