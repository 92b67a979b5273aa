"""The Markdown form dropped notes the text form writes after a line's value ("(softmax Jacobian)", the fused delta's
"(fused)", an E_o's "(target 0.1)"): every note of the text form is now in the Markdown form, as often."""
from __future__ import annotations

import collections
import itertools
import re
import warnings

import numpy as np
import pytest

import chainrule as cr

X = np.array([[0.3, -0.5], [0.2, 0.1]])
Y = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
EQUATION = re.compile(r"^  [\w/+^()]+(?: [\w/*+^()]+)* = ")


def _networks():
    for loss, out, hidden in itertools.product(["binary_crossentropy", "categorical_crossentropy", "sse", "mse"],
                                               ["sigmoid", "softmax", "tanh", "linear"], ["softmax", "relu", "tanh"]):
        if loss.endswith("crossentropy") and out in ("tanh", "linear"):
            continue              # refused: its outputs are no probabilities
        yield loss, out, hidden


def _tex(note: str) -> str:
    """A note as the Markdown starts it: its words in text, "\\text{(summed over samples"; a batch's sum's weights
    (w1 = 0.15, b_h1 = 0), whose names have subscripts, in maths between bracket texts."""
    values = note.removesuffix(")}")           # as `after` counts it, its end in the Markdown included
    if not VALUES.fullmatch(values):
        return f"\\text{{({note}"
    return "\\text{(}" + re.sub(r"\b([wb])_?(\w+) = ", lambda m: f"{m[1]}_{{{m[2]}}} = ", values) + "\\text{)}"


VALUES = re.compile(r"(?:\w+ = [-\d.e+]+, )*\w+ = [-\d.e+]+")


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("samples", [1, 2])
def test_every_note_of_the_text_is_in_the_markdown(samples, dtype):
    from matplotlib.mathtext import MathTextParser
    parser, checked, parsed = MathTextParser("path"), collections.Counter(), set[str]()
    for loss, out, hidden in _networks():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            net = cr.Network([cr.Dense(2, 2, hidden), cr.Dense(2, 3, out)], loss=loss, seed=0, dtype=dtype)
        report = cr.explain(net, X[:samples], Y[:samples], lr=0.1)
        text, markdown = report.text(), report.markdown()
        after = collections.Counter(      # a note after a line's value; a fused formula is maths in the Markdown
            f"{note.split('fused: ')[0]}fused: }}" if "fused: " in note else f"{note})}}"
            for note in re.findall(r"   \((.*)\)$", text, re.M))
        equations = [x for x in markdown.splitlines() if x.startswith("$$")]
        for note, count in after.items():
            found = [x for x in equations if _tex(note) in x]
            assert len(found) == count, (loss, out, hidden, note, count, found)
            checked[note.split(" ")[0].strip(":)}")] += count
        paragraphs = {x.replace("\\*", "*") for x in markdown.splitlines()        # '*' escaped: read as written
                      if x and not x.startswith(("$$", "#"))}
        for line in text.splitlines():
            if line.startswith("  ") and not EQUATION.match(line):      # a note on its own line
                assert line.strip() in paragraphs, (loss, out, hidden, line)
        for note in after:                  # each kind of note's LaTeX is maths that mathtext reads, once
            if note not in parsed:
                parsed.add(note)
                parser.parse("$" + next(x for x in equations if _tex(note) in x).strip("$") + "$")
    assert checked["softmax"] > 0 and checked["fused"] > 0 and (samples == 1 or checked["target"] > 0), checked
    assert samples == 1 or checked["the"] > 0 and checked["w1"] > 0, checked       # the inputs' line, a weights note
