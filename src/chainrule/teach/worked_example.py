"""The seed's worked example, computed by the engine and checked figure by figure.

`worked_example()` runs the seed network through `explain` (one pass and its update), then
trains it with the plain gradient-descent step, and pairs every figure the seed prints with
the engine's value at the seed's digits. Three of the seed's figures are not what a correct
computation gives; for each, `as_published` reproduces the computation that does give it
(see docs/seed-notes.md):

* dE_o2/dout_h1 = -0.019049119: the product of the *rounded* dE_o2/dnet_o2 = -0.038098237
  and w7 = 0.5 (the unrounded product is -0.0190491183 -> -0.019049118).
* E_total after 1 update = 0.291027924: the hidden-layer gradients backpropagated through the
  already *updated* output weights w5+..w8+ (correct, with the original weights: 0.291027774).
* E_total after 10,000 updates = 0.0000351085: the error computed in the forward pass of the
  10,000th iteration, i.e. before its update (after 9,999 updates); after 10,000: 0.0000351019.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from ..nn.losses import get_loss
from .examples import SEED_FIGURES, SEED_INTRO, seed_network
from .explain import explain

ITERATIONS = 10_000


@dataclass
class Figure:
    key: str
    seed: str                         # as printed in the seed
    value: float                      # the engine's (correct) value
    published: float | Decimal | None = None  # the computation that reproduces the seed's figure
    note: str = ""

    @property
    def matches(self) -> bool:
        return at_digits(self.value, self.seed) == Decimal(self.seed)

    @property
    def published_matches(self) -> bool:
        return self.published is not None and at_digits(self.published, self.seed) == Decimal(self.seed)


def at_digits(value: float | Decimal, printed: str) -> Decimal:
    """`value` rounded (half up, as by hand) to the number of decimals of `printed`."""
    exact = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    return exact.quantize(Decimal(printed), rounding=ROUND_HALF_UP)


NOTES = {
    "dE_o2/dout_h1": "the seed multiplies the rounded dE_o2/dnet_o2 = -0.038098237 by w7 = 0.5: "
                     "-0.0190491185 -> -0.019049119; the unrounded product is -0.0190491183 -> -0.019049118",
    "E_total after 1 update": "the seed's figure is what you get when the hidden-layer gradients are "
                              "backpropagated through the already updated output weights w5+..w8+; "
                              "with the original weights (those the seed's own w1+..w4+ are computed from) "
                              "the error is 0.291027774",
    "E_total after 10,000 updates": "the seed's figure is the error computed in the forward pass of the "
                                    "10,000th iteration, before its update, i.e. after 9,999 updates",
}


def worked_example(dtype="float64") -> tuple[list[Figure], object]:
    """Every seed figure beside the engine's value; returns (figures, the explain report)."""
    net, X, Y, lr = seed_network(dtype)
    report = explain(net, X, Y, lr=lr)
    d = report.to_dict()
    neurons = {nr["name"]: nr for layer in d["layers"] for nr in layer["neurons"]}
    p = {q["name"]: q for q in d["parameters"]}
    values = {
        "net_h1": neurons["h1"]["net"][0],
        **{f"out_{u}": neurons[u]["out"][0] for u in ("h1", "h2", "o1", "o2")},
        "net_o1": neurons["o1"]["net"][0],
        "E_o1": d["errors"][0]["value"][0], "E_o2": d["errors"][1]["value"][0], "E_total": d["E_total"],
        "dE_total/dout_o1": p["w5"]["dE/dout"][0], "dout_o1/dnet_o1": p["w5"]["dout/dnet"][0],
        "dnet_o1/dw5": p["w5"]["dnet/dparam"][0], "dE_total/dw5": p["w5"]["grad"],
        "dE_o1/dnet_o1": p["w5"]["dE/dnet"][0],
        "dE_o1/dout_h1": p["w1"]["paths"][0]["term"][0], "dE_o2/dout_h1": p["w1"]["paths"][1]["term"][0],
        "dE_total/dout_h1": p["w1"]["dE/dout"][0], "dout_h1/dnet_h1": p["w1"]["dout/dnet"][0],
        "dnet_h1/dw1": p["w1"]["dnet/dparam"][0], "dE_total/dw1": p["w1"]["grad"],
        **{f"w{k}+": p[f"w{k}"]["updated"] for k in range(1, 9)},
    }
    published = {
        "dE_o2/dout_h1": (at_digits(p["w1"]["paths"][1]["dE/dnet"][0], "0.000000001")
                          * Decimal(repr(p["w1"]["paths"][1]["w"]))),
        "E_total after 1 update": error_after_sequential_update(dtype),
    }
    # Train: the step returns the error of its own forward pass, computed before its update.
    net, X, Y, lr = seed_network(dtype)
    net.step(X, Y, lr)
    values["E_total after 1 update"] = net.loss(X, Y)
    for _ in range(ITERATIONS - 1):
        before_last = net.step(X, Y, lr)
    values["E_total after 10,000 updates"] = net.loss(X, Y)
    published["E_total after 10,000 updates"] = before_last
    figures = [Figure(k, s, values[k], published.get(k), NOTES.get(k, "")) for k, s in SEED_FIGURES.items()]  # type: ignore[arg-type]
    intro = get_loss("sse").value(np.array([[SEED_INTRO["prediction"]]]), np.array([[SEED_INTRO["actual"]]]))
    figures.insert(0, Figure("Error = 1/2 (0.191 - 1.0)^2", str(SEED_INTRO["error"]), intro))
    return figures, report


def error_after_sequential_update(dtype="float64") -> float:
    """E_total after one update in which the output weights are updated first and the hidden
    layer's gradients are then backpropagated through the *updated* output weights.

    Uses the engine's own layer operations (backward_delta, backward), in a different order."""

    net, X, Y, lr = seed_network(dtype)
    net.backprop(X, Y)
    hidden, output = net.dense_layers
    output.W[...] -= lr * output.dW                            # w5+..w8+ first
    hidden.backward(output.delta @ output.W.T, need_input_grad=False)  # then backprop through them
    hidden.W[...] -= lr * hidden.dW
    return net.loss(X, Y) if np.all(np.isfinite(hidden.W)) else float("nan")


def render(figures: list[Figure], report, as_published: bool = False, fmt: str = "text", width: int = 0) -> str:
    """The worked example as text (or Markdown): the derivation, the check, the training. `width`: the
    terminal's columns (0: any); a table row wider than that is written in two lines, not wrapped."""
    md = fmt == "markdown"
    title = "The seed's worked example, computed by chainrule"
    intro = ["Network 2-2-2, sigmoid everywhere, loss E = 1/2 sum (target - out)^2,",
             "inputs i1=0.05 i2=0.1, targets 0.01 0.99,",        # as every line below writes them: no trailing 0
             "weights w1..w8 = 0.15 0.2 0.25 0.3 0.4 0.45 0.5 0.55,",
             "biases b1=0.35 b2=0.6 fixed, learning rate 0.5.",
             "Below, each neuron has its own bias (b_h1 = b_h2 = the seed's b1,",
             "b_o1 = b_o2 = its b2), and dE/dx is the seed's dE_total/dx."]
    if width and not md and max(map(len, [title, *intro])) > width:     # prose: refilled at its spaces
        intro = textwrap.wrap(" ".join(intro), width, break_long_words=False, break_on_hyphens=False)
        title = "\n".join(textwrap.wrap(title, width))
    out = ["# " + title if md else title, "", *intro, "", report.markdown() if md else report.text()]
    out.append("## Every figure of the seed, checked" if md else "Every figure of the seed, checked")
    out.append("")
    about = ("Each figure as the seed prints it, beside chainrule's value rounded to the same digits. The first "
             "is the seed's opening example of an error: a prediction of 0.191 against a target of 1.0.")
    out += [*(textwrap.wrap(about, width) if width and not md else [about]), ""]
    # columns as wide as their widest entry, so that the table fits an 80-column terminal (with the
    # extra column of --as-published too: one space between numbers, "differs" without its pointer)
    pubs = [str(at_digits(f.published, f.seed)) if f.published is not None else "" for f in figures]
    key_w = max(len(f.key) for f in figures)
    num_w = max(len("as published" if as_published else "seed prints"),
                *(len(v) for f, p in zip(figures, pubs) for v in (f.seed, str(at_digits(f.value, f.seed)), p)))
    sep, differs = (" ", "differs") if as_published else ("  ", "differs (see below)")
    cols = ["seed prints", "chainrule"] + (["as published"] if as_published else [])
    rows = []
    for f, pub in zip(figures, pubs):
        values = [f.seed, str(at_digits(f.value, f.seed))] + ([pub] if as_published else [])
        rows.append((f.key, values, "ok" if f.matches else differs))
    numbers = [sep.join(f"{v:>{num_w}}" for v in values) + "  " + status for _, values, status in rows]
    head = sep.join(f"{c:>{num_w}}" for c in cols)
    if md or not width or 2 + key_w + len(sep) + max(map(len, numbers)) <= width:
        out.append(("    " if md else "  ") + f"{'figure':<{key_w}}{sep}{head}")
        out += [("    " if md else "  ") + f"{key:<{key_w}}{sep}{r}" for (key, _, _), r in zip(rows, numbers)]
    elif 6 + max(map(len, numbers)) <= width:    # each figure's name on its line, its numbers under the columns
        out += ["  figure", "      " + head]
        for (key, _, _), r in zip(rows, numbers):
            out += ["  " + key, "      " + r]
    else:                                        # narrower still: one line a value, named
        label = max(map(len, cols))
        for key, values, status in rows:
            out.append(f"  {key}: {status}")
            out += [f"      {c:<{label}}  {v}" for c, v in zip(cols, values) if v]
    # Markdown joins indented lines into one paragraph: there, headings and list items
    item = "- " if md else "  - "
    out.append("")
    training = "Training with the plain gradient-descent step (net.step, lr 0.5), biases fixed"
    out += [f"## {training}", ""] if md else [training + ":"]
    byname = {f.key: f for f in figures}
    for key in ("E_total after 1 update", "E_total after 10,000 updates"):
        f = byname[key]
        seed = "" if f.matches else f"   (the seed prints {f.seed})"
        out.append(("- " if md else "  ") + f"{key}: {f.value:.10f}{seed}")
    diffs = [f for f in figures if not f.matches]
    if diffs:
        out.append("")
        where = f"Where the seed's figure is not the correct computation ({len(diffs)} of {len(figures)})"
        out += [f"## {where}", ""] if md else [where + ":"]
        for f in diffs:
            line = f"{item}{f.key}: correct {at_digits(f.value, f.seed)}, seed {f.seed}: {f.note}."
            if as_published:
                check = "reproduces" if f.published_matches else "does NOT reproduce"
                written = np.format_float_positional(float(f.published or 0), precision=12, unique=False,
                                                     fractional=False, trim="-")    # as the seed: 0.0000351085
                published = f"as published: {written}, which {check} the seed's {f.seed}."
                line += (" " if md else "\n    ") + published
            out.append(line)
        if not as_published:
            run = "Run `chainrule example --as-published` to see the computations that give the seed's figures."
            out += ["", run] if md else ["  " + run]
    out.append("")
    out.append("The seed's errors and every decision about its network: docs/seed-notes.md in chainrule's source.")
    return "\n".join(out) + "\n"
