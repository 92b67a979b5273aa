"""How each derivative is written, and each unit and weight named, once, for every reader that displays it.

The numbers of every report come from the engine; only the text lives here. Three readers use
it: `explain` (the report, plain text and its LaTeX) and `explore.derive` (the browser's lines), both
through `derivation` (a derivation's lines with their numbers), and `formulas` (the general LaTeX
formulas, whose SymPy builders the tests check against SymPy differentiating a whole network).
A new activation or loss gets its derivative here, in each notation, and every reader writes it the
same way.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from .numbers import factor, fmt

MAX_PARAMETERS = 120     # the most weights and biases a report writes out (explain's slices exist for more)
SOFTMAX_TERMS = 4        # a softmax's sums over its layer (denominator, Jacobian): whole up to this many units


def layer_fits(n_in: int, n_out: int) -> bool:
    """Whether a Dense layer of n_in inputs and n_out units is written out whole: its weights and biases,
    (n_in + 1) * n_out, at most MAX_PARAMETERS. One rule for explain's slices and the derivations that name them."""
    return (n_in + 1) * n_out <= MAX_PARAMETERS


def neuron_fits(n_in: int) -> bool:
    """Whether one neuron of n_in inputs is written out: its n_in weights and bias, at most MAX_PARAMETERS."""
    return n_in + 1 <= MAX_PARAMETERS

Builder = Callable[..., Any]
CDOT = " \\cdot "
DE = "\\partial E_{total}"     # the total error's derivative, as the seed writes it in every factor


@dataclass(frozen=True)
class ActivationNotation:
    """f'(net) of one activation. None where there is no elementwise f'(net) to write (softmax:
    its Jacobian is not diagonal; the readers write the fused delta or "softmax Jacobian")."""

    plain: str | None             # the reports' text; {o} is the neuron's name
    latex: str | None             # the general formulas; {out} and {net} are the neuron's symbols, which carry
                                  # their own superscript: brace them before a power ({{{out}}}^2); {alpha}
                                  # leaky_relu's slope
    sympy: Builder | None         # (out, net, sympy, alpha) -> the same f'(net) in SymPy
    numbers: str = ""             # `plain` with one sample's output in {out} (or its net in {net}, written as the
                                  # net line writes it), where the seed writes it


@dataclass(frozen=True)
class LossNotation:
    """dE/dout of one output for one sample (before the 1/scale of the batch mean)."""

    plain: str                    # {o} is the output's name
    latex: str                    # {out} its symbol, t_{{j}} its target; {c1}, {c2}: 1/K, 2/K (K outputs), see `coef`
    sympy: Builder                # (out, target, K, sympy) -> the same dE/dout in SymPy


ACTIVATIONS: dict[str, ActivationNotation] = {
    "sigmoid": ActivationNotation("out_{o}(1 - out_{o})", r"{out}(1 - {out})",
                                  lambda out, net, sp, alpha: out * (1 - out), numbers="{out}(1 - {out})"),
    "tanh": ActivationNotation("1 - out_{o}^2", r"(1 - {{{out}}}^2)", lambda out, net, sp, alpha: 1 - out ** 2,
                               numbers="1 - {out}^2"),
    "relu": ActivationNotation("1 if net_{o} > 0 else 0", r"\mathbf{{1}}[{net} > 0]",
                               lambda out, net, sp, alpha: sp.Heaviside(net, 0), numbers="1 if {net} > 0 else 0"),
    "leaky_relu": ActivationNotation(
        "1 if net_{o} > 0 else {alpha}", r"(\mathbf{{1}}[{net} > 0] + {alpha}\,\mathbf{{1}}[{net} \leq 0])",
        lambda out, net, sp, alpha: sp.Piecewise((1, net > 0), (sp.nsimplify(alpha), True)),
        numbers="1 if {net} > 0 else {alpha}"),
    "linear": ActivationNotation("1", "1", lambda out, net, sp, alpha: 1),
    "softmax": ActivationNotation(None, None, None),
}

LOSSES: dict[str, LossNotation] = {
    "sse": LossNotation("-(target_{o} - out_{o})", r"-(t_{{j}} - {out})", lambda out, t, K, sp: -(t - out)),
    "mse": LossNotation("2 (out_{o} - target_{o})", r"{c2}({out} - t_{{j}})",
                        lambda out, t, K, sp: sp.Rational(2, K) * (out - t)),
    "binary_crossentropy": LossNotation("(out_{o} - target_{o}) / (out_{o} (1 - out_{o}))",
                                        r"{c1}\frac{{{out} - t_{{j}}}}{{{out}(1 - {out})}}",
                                        lambda out, t, K, sp: (out - t) / (K * out * (1 - out))),
    "categorical_crossentropy": LossNotation("-target_{o} / out_{o}", r"-\frac{{t_{{j}}}}{{{out}}}",
                                             lambda out, t, K, sp: -t / out),
}


def coef(numerator: int, K: int) -> str:
    """numerator/K in LaTeX, in lowest terms, as a factor before a parenthesis: "" for 1, "2" for 2/1,
    \\frac{1}{2} for 2/4 (not \\frac{2}{2} or \\frac{1}{1})."""
    f = Fraction(numerator, K)
    return "" if f == 1 else str(f.numerator) if f.denominator == 1 else f"\\frac{{{f.numerator}}}{{{f.denominator}}}"


def activation_text(activation: str, neuron: str, alpha: float = 0.01) -> str | None:
    """dout/dnet of `neuron` in the reports' plain text (`alpha`: leaky_relu's slope); None when
    the table has none to write."""
    entry = ACTIVATIONS.get(activation)
    return None if entry is None or entry.plain is None else entry.plain.format(o=neuron, alpha=fmt(alpha))


def activation_tex(activation: str, neuron: str, alpha: float = 0.01) -> str | None:
    """The same dout/dnet in LaTeX (an indicator, not the words "if ... else")."""
    entry = ACTIVATIONS.get(activation)
    if entry is None or entry.latex is None:
        return None
    return entry.latex.format(out=f"out_{{{neuron}}}", net=f"net_{{{neuron}}}", alpha=fmt(alpha))


def activation_numbers(activation: str, out: str, net: str, alpha: float = 0.01) -> tuple[str, str]:
    """dout/dnet with one sample's output `out` or net `net` (already formatted) plugged in, plain and LaTeX;
    ("", "") where the seed writes no such step."""
    entry = ACTIVATIONS.get(activation)
    if entry is None or not entry.numbers:
        return "", ""
    plain = entry.numbers.format(out=out, net=net, alpha=fmt(alpha))
    if entry.latex is None or "{net}" not in entry.numbers:        # the seed's out(1 - out) reads the same in LaTeX
        return plain, plain
    return plain, entry.latex.format(out=out, net=net, alpha=fmt(alpha))   # relu's indicator, not its words


#: each output's error E_o of the reports: (plain text, LaTeX); {o} is the output's name
ERROR_FORMULAS = {
    "sse": ("1/2 (target_{o} - out_{o})^2", "\\frac{{1}}{{2}}(target_{{{o}}} - out_{{{o}}})^2"),
    "mse": ("(target_{o} - out_{o})^2", "(target_{{{o}}} - out_{{{o}}})^2"),
    "binary_crossentropy": ("-(target_{o} log out_{o} + (1 - target_{o}) log(1 - out_{o}))",
                            "-(target_{{{o}}}\\log out_{{{o}}} + (1 - target_{{{o}}})\\log(1 - out_{{{o}}}))"),
    "categorical_crossentropy": ("-target_{o} log out_{o}", "-target_{{{o}}}\\log out_{{{o}}}"),
}


def tex_name(name: str) -> str:
    """A name as LaTeX text: leaky_relu's underscore is not a subscript."""
    return name.replace("_", "\\_")


def neuron_names(net: Any) -> list[list[str]]:
    """Unit names of each level: inputs, then each Dense layer's neurons."""
    dense = net.dense_layers
    names = [[f"i{j + 1}" for j in range(net.n_inputs)]]
    n_hidden = len(dense) - 1
    for l, layer in enumerate(dense):
        if l == n_hidden:
            names.append([f"o{j + 1}" for j in range(layer.n_out)])
        elif n_hidden == 1:
            names.append([f"h{j + 1}" for j in range(layer.n_out)])
        else:
            names.append([f"h{l + 1}_{j + 1}" for j in range(layer.n_out)])
    return names


def shortened(names: list[str], limit: int = 8) -> str:
    """A list of names in a line: every one up to `limit`, else the first three and how many more
    ("net_h1, net_h2, net_h3, ... and 97 more"), so that a cut list says what it left out."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:3])}, ... and {len(names) - 3} more"


def weight_name(dense: list[Any], l: int, i: int, j: int) -> str:
    """w<k>: numbered neuron by neuron within a layer, layers in order (the seed's w1..w8)."""
    offset = sum(d.W.size for d in dense[:l])
    return f"w{offset + j * dense[l].n_in + i + 1}"


def bias_name(neuron: str) -> str:
    """b_<neuron>: the bias of a named neuron (b_h1, b_o2), as the reports and the diagrams write it."""
    return f"b_{neuron}"


def total_error(loss: str, errors: list[str], n_samples: int) -> tuple[str, str, str]:
    """How E_total is made from the outputs' errors E_o: the report's total error line (plain and
    TeX, without its value) and the same in words. sse and categorical cross-entropy add the E_o of
    a sample; the other losses take their mean over the outputs; several samples: the mean over them,
    each E_o summed over the samples (sum_samples). A divisor of 1 (one sample, one output) is left out,
    as a student writes it: E_total = E_o1, not (E_o1) / (n_samples * n_outputs)."""
    per_sample = loss in ("sse", "categorical_crossentropy")
    total = " + ".join(errors)
    tex_total = " + ".join(f"E_{{{e.partition('_')[2]}}}" for e in errors)
    words = ("the output's error" if len(errors) == 1 else "the sum of the outputs' errors" if per_sample
             else f"the mean of the {len(errors)} outputs' errors")
    if n_samples > 1:
        words += f", averaged over the {n_samples} samples"
        total, tex_total = f"sum_samples({total})", f"\\sum_{{samples}} ({tex_total})"
    scale, tex_scale = divisor_names(n_samples, 1 if per_sample else len(errors))
    if not scale:
        return f"E_total = {total}", f"E_{{total}} = {tex_total}", words
    if len(errors) > 1 and n_samples == 1:
        total = f"({total})"
    return f"E_total = {total} / {scale}", f"E_{{total}} = \\frac{{{tex_total}}}{{{tex_scale}}}", words


def divisor_names(n_samples: int, n_outputs: int) -> tuple[str, str]:
    """The mean's divisor by name, plain and TeX: n_samples, n_outputs or (n_samples * n_outputs), each
    count of 1 left out ("" where the divisor is 1). n_outputs 1: a loss that does not average its outputs."""
    names = [n for n, k in (("n_samples", n_samples), ("n_outputs", n_outputs)) if k > 1]
    plain = " * ".join(names)
    tex = " \\cdot ".join(n.replace("_", "_{") + "}" for n in names)
    return (f"({plain})" if len(names) > 1 else plain), tex


def mean_note(n_samples: int, n_outputs: int, scale: int) -> str:
    """The report's first line for several samples: what E is the mean of, so that the 1/scale each
    derivative carries is explained (samples x outputs for the losses that also average the outputs)."""
    if scale == n_samples:
        return (f"E is the mean over {n_samples} samples: values are listed per sample, each sample's derivatives "
                f"carry the factor 1/{scale} of the mean, and a gradient is their sum.")
    terms = f"{scale} terms ({n_samples} samples x {n_outputs} outputs)" if scale == n_samples * n_outputs \
        else f"{n_samples} samples (its terms summed and divided by {scale})"
    return (f"E is the mean over {terms}: values are listed per sample, each sample's derivatives carry the "
            f"factor 1/{scale} of the mean, and a gradient is their sum over the samples.")


def dropout_note(rate: float, after: int | None, n_layers: int) -> str:
    """The report's line for a Dropout layer (after Dense layer `after`; None: on the inputs): explain's
    pass is the inference one, where dropout is the identity."""
    where = "on the inputs" if after is None else f"after layer {after} (" + (
        "output layer)" if after == n_layers - 1 else f"hidden layer {after + 1})")
    shown = fmt(rate)
    return (f"Dropout({shown}) {where}: not applied in this explained pass (inference, the identity); a training "
            f"step would zero each unit with probability {shown} at random and scale the rest by 1/(1 - {shown})")


#: out = f(net) of each elementwise activation that has a closed form, plain and LaTeX: {net} its argument (the
#: neuron's symbol, then one sample's number), {term} the same where a negative number needs parentheses (after a
#: minus or a product's sign). One source for the text and the Markdown, which both substitute it
FORWARD = {
    "sigmoid": ("1/(1+e^-{term})", "\\frac{{1}}{{1+e^{{-{term}}}}}"),
    "tanh": ("tanh({net})", "\\tanh({net})"),
    "relu": ("max(0, {net})", "\\max(0, {net})"),
    "linear": ("{net}", "{net}"),
}


def _closed_form(act: str, alpha: float | None) -> tuple[str, str]:
    """out = f(net) of an elementwise activation, plain and LaTeX templates: leaky_relu as the max of net and
    alpha*net (the min for a slope above 1, which the max would turn over); an activation of no closed form here (a
    user's own) by its name."""
    if act == "leaky_relu":
        pick, a = ("min", "\\min") if alpha is not None and alpha > 1 else ("max", "\\max"), \
            fmt(0.01 if alpha is None else alpha)
        return f"{pick[0]}({{net}}, {a}*{{term}})", f"{pick[1]}({{net}}, {a} \\cdot {{term}})"
    own = act.replace("{", "{{").replace("}", "}}")        # a template's braces are its fields
    return FORWARD.get(act) or (f"{own}({{net}})", f"\\mathrm{{{{{tex_name(own)}}}}}({{net}})")


def _term(v: float) -> str:
    """One sample's net after a minus or a product's sign: in parentheses when negative or in e-notation
    (e^-(-0.5), e^-(1.234568e-07): a power's exponent reads no further)."""
    s = factor(v)
    return f"({s})" if "e" in s and not s.startswith("(") else s


def forward_activation(layer: dict, nr: dict, n: int) -> tuple[str, str]:
    """out = f(net) of neuron `nr` of report layer `layer`, plain and LaTeX: its closed form (the sigmoid written out
    as the seed does), softmax as the exponential over its whole layer; where there is one sample, again with the
    numbers substituted, as a learner checks it by hand (linear's out = net needs none)."""
    name, act, units = nr["name"], layer["activation"], [u["name"] for u in layer["neurons"]]
    net = f"net_{{{name}}}"
    if act != "softmax":
        plain, tex = _closed_form(act, layer.get("alpha"))
        if n == 1 and act != "linear":
            value, term = fmt(nr["net"][0]), _term(nr["net"][0])
            return (f"{plain.format(net=f'net_{name}', term=f'net_{name}')} = {plain.format(net=value, term=term)}",
                    f"{tex.format(net=net, term=net)} = {tex.format(net=value, term=term)}")
        return plain.format(net=f"net_{name}", term=f"net_{name}"), tex.format(net=net, term=net)
    shown = units if len(units) <= SOFTMAX_TERMS else [units[0], units[1], "...", units[-1]]
    plain = f"exp(net_{name}) / (" + " + ".join(u if u == "..." else f"exp(net_{u})" for u in shown) + ")"
    tex = (f"\\frac{{e^{{{net}}}}}{{" + " + ".join("\\cdots" if u == "..." else f"e^{{net_{{{u}}}}}" for u in shown)
           + "}")
    if n == 1 and len(units) <= SOFTMAX_TERMS:
        nets = [fmt(u["net"]) for u in layer["neurons"]]        # as the net lines write them
        plain += f" = exp({fmt(nr['net'])}) / (" + " + ".join(f"exp({v})" for v in nets) + ")"
        tex += f" = \\frac{{e^{{{fmt(nr['net'])}}}}}{{" + " + ".join(f"e^{{{v}}}" for v in nets) + "}"
    return plain, tex


def softmax_cut_note(layer: dict) -> str:
    """What a softmax layer past SOFTMAX_TERMS units left out of its out lines: the denominator by its ends, once."""
    units, k = layer["neurons"], layer["index"]
    ends = [f"exp(net_{units[k]['name']})" for k in (0, 1, -1)]
    return (f"(the softmax's sum {ends[0]} + {ends[1]} + ... + {ends[2]}: {len(units) - 3} "
            f"of its {len(units)} terms left out; the net lines above give every net_J, and "
            f"report.to_dict()[\"layers\"][{k}][\"neurons\"][J] each unit's net and out)")


def layer_dout(lay: Any, above: Any) -> np.ndarray:
    """A layer's dE/dout as backward computed it: a linear layer's delta is its cached dE/dout itself, set to 0 with
    it where too small (`nn.layers.flush_small`), so a 0 there is read again from the layer above, delta_above @
    W_above^T (the output layer's, `above` None, as cached)."""
    return lay.dout if above is None else np.where(lay.dout == 0, above.delta @ above.W.T, lay.dout)


def hidden_delta(dense: list[Any], names: list[list[str]], l: int, k: int) -> dict | None:
    """Where hidden unit k of Dense layer l (below the output layer) gets its delta, read from the
    engine's caches: dE/dout (the sum over the units of layer l + 1 of their delta times the weight
    to them), the activation's derivative and the delta. None where the derivative is not
    elementwise (a hidden softmax) or was not cached."""
    lay, up = dense[l], dense[l + 1]
    if not lay.activation.elementwise or lay.dout is None or lay.delta is None:
        return None
    vals = lambda a: [float(v) for v in np.asarray(a).reshape(-1)]    # noqa: E731
    return {"dE/dout": vals(layer_dout(lay, up)[:, k]), "dE/dnet": vals(lay.delta[:, k]),
            "dout/dnet": vals(lay.activation.derivative(lay.out[:, k:k + 1], lay.net[:, k:k + 1])),
            "terms": [{"via": names[l + 2][m], "dE/dnet": vals(up.delta[:, m]),
                       "weight": weight_name(dense, l + 1, k, m), "w": float(up.W[k, m])} for m in range(up.n_out)]}


def _weights_layers(last: int) -> str:
    """The indices 0..last of a network's Dense layers as --help says them: layers of weights, each named by what
    it feeds."""
    if last == 0:
        return "an index of a layer of weights, 0 (into the output layer) or -1"
    return (f"an index of a layer of weights, 0..{last} (0: into hidden layer 1, {last}: into the output layer) or "
            f"-{last + 1}..-1")


def as_options(text: str) -> str:
    """The report's and its advice's Python calls in the command's words, the one route between the two:
    explain(..., layer=1, neuron=J) as --layer 1 --neuron J (explain(net, X, Y, layer=L) as --layer L, a heading's
    (layer=1) as (--layer 1)), a list of layers [0, 1] as the values themselves (--layer 0 or 1), a Dense layer's
    index as --help says it (a layer of weights),
    report.to_dict()["layers"] as --format json's "layers"; net.gradients, which the command has not, said to be
    Python's. (Not `data.advice.command_words`, the context in which advice names the options at all.)"""
    text = re.sub(r"explain\(net, X, Y, layer=L\) for one layer L in \[([\d, ]+)\] \(those (of at most \d+ "
                  r"parameters)\)", lambda m: _layers_named(m[1].split(", "), m[2]), text)
    text = re.sub(r"explain\(\.\.\., layer=L, neuron=J\) for one neuron of a layer L in \[([\d, ]+)\]",
                  lambda m: _neuron_of(m[1].split(", ")), text)
    text = re.sub(r"explain\((?:\.\.\.|net, X, Y), layer=(\w+)(, neuron=(J|\d+))?\)",
                  lambda m: f"--layer {m[1]}" + (f" --neuron {m[3]}" if m[3] else ""), text)
    text = re.sub(r"\(layer=(\d+)\)$", r"(--layer \1)", text, flags=re.M)      # a slice's Backward pass heading
    text = re.sub(r"an index of a Dense layer, (?:0\.\.(\d+) or -\d+\.\.-1|0 or -1)",
                  lambda m: _weights_layers(int(m[1] or 0)), text)
    text = re.sub(r"\(net\.gradients and gradcheck give (its|their) numbers\)",    # no command of its own: Python's
                  r"(in Python, net.gradients(X, Y) and chainrule.gradcheck give \1 numbers)", text)
    return re.sub(r'report\.to_dict\(\)\["(\w+)"\]', lambda m: f"--format json's \"{m[1]}\"", text)


def _or(values: list[str]) -> str:
    """Values as a reader types one of them: 1; 0 or 1; 1, 2 or 5."""
    return values[0] if len(values) == 1 else f"{', '.join(values[:-1])} or {values[-1]}"


def _layers_named(fits: list[str], limit: str) -> str:
    """The command's words for the layers that fit: --layer 1 where one does, else its values."""
    if len(fits) == 1:
        return f"--layer {fits[0]} (the only layer {limit})"
    if len(fits) == 2:
        return f"--layer {_or(fits)} (the layers {limit})"
    return f"--layer L for one layer L (one of {', '.join(fits)}: the layers {limit})"


def _neuron_of(layers: list[str]) -> str:
    """The command's words for one neuron of the layers whose neurons fit."""
    return (f"--layer {layers[0]} --neuron J for one neuron of it" if len(layers) == 1 else
            f"--layer L --neuron J for one neuron of a layer L ({_or(layers)})")


def missing_name(name: str, network: list[str] | None, whole_list: bool) -> str:
    """Where `name` is not a parameter of the network at all: its names in their case (W5: w5), else the whole
    range that exists (w1..w39), which a list cut to its first three, or a slice's, does not say."""
    if network is None or name in network:
        return ""
    lower = {n.lower(): n for n in network}
    if isinstance(name, str) and name.lower() in lower:
        return f" (the names are written in lower case: {lower[name.lower()]!r})"
    if whole_list:
        return ""
    biases = [n for n in network if n.startswith("b_")]
    return f" (the network has none: its weights are w1..w{len(network) - len(biases)}, its biases {shortened(biases)})"


def matrix_note(d: dict, l: int) -> list[str]:
    """How the seed's names of Dense layer `l` map to the engine's matrices (the first seed's plan of a vectorized
    L-layer network): which entry of W each w is, and the layer's gradients all at once. Two lines, sentences: they
    say "is" where a formula line says "=", so that they break as prose, and they name a neuron slice's own unit
    (its first and last weight, its bias), never an elided "..." a reader cannot check."""
    layer = d["layers"][l]
    neurons = layer["neurons"]
    chosen = d.get("slice") or {}
    js = [chosen["neuron"]] if chosen.get("neuron") is not None and chosen.get("layer") == l else range(len(neurons))
    pairs = [f"{w} is W[{i}, {j}]" for j in js for i, w in enumerate(neurons[j]["weights"])]
    shown = ", ".join(pairs) if len(pairs) <= 4 else f"{pairs[0]}, {pairs[1]} and so on to {pairs[-1]}"
    j0 = js[0]
    units = [nr["name"] for nr in neurons]
    columns = [f"dE/dnet_{u}" for u in units]
    columns_said = (", ".join(columns[:-1]) + " and " + columns[-1] if len(units) <= 3
                    else f"{columns[0]} to {columns[-1]}") if len(units) > 1 else columns[0]
    first = (f"In matrix form: W is net.dense_layers[{l}].W, W[i, j] the weight from input i to neuron j ({shown}); "
             f"b[j] is neuron j's bias ({bias_name(units[j0])} is b[{j0}])")
    second = (f"All samples at once: dE/dW is x.T @ delta and dE/db is delta summed over the samples, x the layer's "
              f"inputs (a row per sample), delta's column{'s' * (len(units) > 1)} {columns_said}")
    if l < len(d["layers"]) - 1 and layer["activation"] != "softmax":
        second += "; delta is (delta_above @ W_above.T) * dout/dnet, elementwise"
    return [first, second]
