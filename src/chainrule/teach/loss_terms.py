"""How a loss's terms are written in a derivation, before any line is built: the mean's divisor (by name in a
formula, by value in numbers, `over`), the fused delta's formula (out - target) and the sentence on why it is
that, and a formula's or a note's LaTeX. `derivation` builds its lines (dE/dout, the fused delta, each gradient's
note) from these; `explain`'s report and the explorer read the same words.
"""
from __future__ import annotations

import re

from . import notation
from .notation import CDOT
from .numbers import fmt


def formula_tex(s: str) -> str:
    """A plain formula of `over` in LaTeX's maths: n_samples as n_{samples}, * as \\cdot, / spaced."""
    s = s.replace("n_samples", "n_{samples}").replace("n_outputs", "n_{outputs}").replace(" * ", CDOT)
    return s.replace("sum(", "\\operatorname{sum}(").replace(" / ", " \\,/\\, ")


def note_tex(note: str) -> str:
    """A gradient's note in LaTeX, "(summed over samples; fused: (out - target) / n_samples)": its words in
    text mode, its formula in maths, where an underscore is a subscript (in \\text{} it is an error)."""
    words, mark, formula = note.partition("fused: ")
    tail = f"}} {formula_tex(formula)}\\text{{" if mark else ""
    return f"\\text{{({words}{mark}{tail})}}"


def divisor(d: dict) -> tuple[str, str, str]:
    """The mean's divisor of `d`'s loss: by name (n_samples, n_outputs or (n_samples * n_outputs), each count
    of 1 left out, `notation.divisor_names`), in LaTeX, and by its value; a scale that is neither count (a
    loss of one's own) by its value alone. ("", "", "1") where there is no divisor."""
    n, k, scale = d["n_samples"], len(d["targets"]), d["scale"]
    if scale == 1:
        return "", "", "1"
    if scale not in (n, n * k):
        return str(scale), str(scale), str(scale)
    return (*notation.divisor_names(n, k if scale == n * k else 1), str(scale))


def over(d: dict, text: str, named: bool) -> str:
    """`text` (a loss's dE/dout or a fused delta of one sample) over the mean's divisor, one convention for
    every loss: the divisor by name in a formula, by its value in numbers, never cancelled against a factor
    (mse's 2 (out - target) is 2 * (out - target) / n_outputs); a divisor of 1 left out. A sum or quotient is
    bracketed before it is divided, (out_o1 - target_o1) / n_samples; a product or a bracket is not."""
    m = re.fullmatch(r"(\d+) \((.*)\)", text)
    text = f"{m[1]} * ({m[2]})" if m else text
    name, _, value = divisor(d)
    if not name:
        return text
    flat = text
    while re.search(r"\([^()]*\)", flat):          # its brackets' insides taken out, innermost first
        flat = re.sub(r"\([^()]*\)", "", flat)
    bare = text if not re.search(r" [-+/] ", flat) else f"({text})"
    return f"{bare} / {name if named else value}"


def fused_formula(d: dict, to: str | None = None) -> str:
    """The fused delta before the mean's scale: out - target, or out * sum(target) - target where the
    target rows do not sum to one, as the engine takes it (`rows_sum_to_one`); unit `to`'s when given."""
    out, target = ("out", "target") if to is None else (f"out_{to}", f"target_{to}")
    return f"{out} - {target}" if d.get("rows_sum_to_one", True) else f"{out} * sum(target) - {target}"


def fused_note(d: dict) -> str:
    """Why the output's delta is out - target (or, where the targets do not sum to 1, out sum(target) - target):
    the chain rule through the loss and its activation, simplified (a sentence, not an equation: the width
    fitting breaks it at its spaces, its brackets whole)."""
    scale, n = d["scale"], d["n_samples"]          # the mean over samples, outputs (one sample: no sample's), or both
    whose = "each sample's" if scale == n else "each output's" if n == 1 else "each sample's and output's"
    mean = "" if scale == 1 else f", {whose} before the mean's 1/{scale}"
    if d["layers"][-1]["activation"] == "sigmoid":
        return ("Why out - target: binary cross-entropy's dE/dout_o, (out_o - target_o) / (out_o(1 - out_o)), times "
                f"the sigmoid's dout_o/dnet_o, out_o(1 - out_o), leaves out_o - target_o{mean}; the engine takes this "
                "delta directly, exact also where out_o(1 - out_o) rounds to 0.")
    chain = ("each softmax output out_k reads every net, its dout_k/dnet_o being out_o(1 - out_o) for k = o and "
             "-out_k out_o for the others; times cross-entropy's dE/dout_k, -target_k / out_k, and summed over k, "
             "that is -target_o + out_o sum(target)")
    if d.get("rows_sum_to_one", True):
        return (f"Why out - target: {chain}, which is out_o - target_o as the targets sum to 1{mean}; the engine "
                "takes this delta directly, never the Jacobian.")
    sums = sorted({fmt(sum(t["value"][k] for t in d["targets"])) for k in range(d["n_samples"])})
    return (f"Why out sum(target) - target: {chain}{mean}, which would be out_o - target_o where the targets sum "
            f"to 1; these sum to {', '.join(sums)}, so it stays out_o sum(target) - target_o; the engine takes this "
            "delta directly, never the Jacobian.")
