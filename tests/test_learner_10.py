"""What a student reads of `chainrule explain`: its Markdown's LaTeX lines as LaTeX (and KaTeX) reads them, an
underscore in text mode being an error, for every loss and several samples; and its text at narrow widths, never
broken between two factors of a product written side by side (`target_o1 log out_o1`), whose second factor would
read as a term of its own."""
import re

import numpy as np
import pytest
from conftest import cli_in_process, cmd

import chainrule as cr
from chainrule.teach.explore import derive
from chainrule.teach.width import fit_width

CASES = [("sse", "sigmoid"), ("mse", "sigmoid,linear"), ("binary_crossentropy", "sigmoid"),
         ("binary_crossentropy", "sigmoid,softmax"), ("categorical_crossentropy", "sigmoid,softmax"),
         ("categorical_crossentropy", "sigmoid")]
SAMPLES = [("0.5,-1", "1,0"), ("0.5,-1;1,2;0,1", "1,0;0,1;1,0")]
TEXT = re.compile(r"\\text\{([^{}]*)\}")


def explain(capsys, loss, act, inputs, targets, *extra):
    code, out, err = cli_in_process(capsys, "explain", "--layers", "2,2,2", "--activation", act, "--loss", loss,
                                    "--inputs", inputs, "--targets", targets, "--lr", "0.5", *extra)
    assert code == 0, err
    return out


def test_the_fused_note_writes_its_divisor_in_maths():
    r = cmd("explain", "--layers", "2,2", "--loss", "binary_crossentropy", "--inputs", "0.5,-1;1,2",
            "--targets", "1,0;0,1", "--format", "markdown")
    assert r.returncode == 0, r.stderr
    notes = [line for line in r.stdout.splitlines() if "fused" in line]
    assert notes
    for line in notes:       # the delta's own line keeps the text's "(fused)" after its value, its divisor maths
        assert line.endswith(r"\text{(summed over samples; fused: } (out - target) \,/\, "
                             r"(n_{samples} \cdot n_{outputs})\text{)}$$") or \
            line.endswith(r"\quad \text{(fused)}$$") and r"{n_{samples} \cdot n_{outputs}}" in line, line


@pytest.mark.parametrize("loss,act", CASES)
def test_no_underscore_in_text_mode(capsys, loss, act):
    """LaTeX and KaTeX refuse `_` in \\text{...}; a name of the text, n_samples, is written in maths as
    n_{samples}, never bare (where maths would subscript only its first letter)."""
    for inputs, targets in SAMPLES:
        for layer in ([], ["--layer", "1", "--neuron", "0"]):
            out = explain(capsys, loss, act, inputs, targets, "--format", "markdown", *layer)
            maths = [line for line in out.splitlines() if "$" in line]
            assert maths
            for line in maths:
                assert not [t for t in TEXT.findall(line) if "_" in t], line
                assert not re.search(r"n_(samples|outputs)", line), line


def test_the_explorer_keeps_the_plain_note():
    """The explorer shows the plain note, not the LaTeX one: its words unchanged by the report's maths."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="binary_crossentropy", seed=0)
    X, Y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])
    d = cr.explain(net, X, Y).to_dict()
    p = next(q for q in d["parameters"] if q["name"] == "w1")
    line = next(ln for ln in derive.parameter_lines(d, p) if ln["lhs"] == "dE/dw1")
    assert line["note"] == "summed over samples; fused: (out - target) / (n_samples * n_outputs)"


def test_the_reviewers_case_keeps_each_term_whole():
    r = cmd("explain", "--layers", "2,2,2", "--loss", "binary_crossentropy", "--width", "40")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith("E_o1 = "))
    block = lines[start:start + 2]
    assert " ".join(x.strip() for x in block) == "E_o1 = -(target_o1 log out_o1 + (1 - target_o1) log(1 - out_o1))"
    assert block[1].lstrip().startswith("+ (1 - target_o1) log(1 - out_o1))")


def bare_factor_breaks(text: str, width: int) -> list[tuple[str, str]]:
    """Each break of a formula line of `text` at `width` where the next piece starts with a factor (a name, a
    number, a bracket) after a piece ending in one: two factors side by side cut apart. A note, "(fused)",
    starts with a bracket of words; a list of values, [0.5, 1], breaks at its commas. The fused delta's "Why ..." note
    is a sentence (its "for k = o" no equation), broken as prose, as the class line's words after its values are."""
    found = []
    for line in text.splitlines():
        if " = " not in line or line.lstrip().startswith(("- ", "Why ")) or re.match(     # "Why out - target: ..."
                r"\s*(out_\w+ is written here as|E_total adds the E_o)", line) or re.search(  # the digits' notes: prose
                r": (class(es)? \d|each output's own class)", line):     # the class line's words after its values
            continue
        pieces = fit_width(line, width).split("\n")
        assert " ".join(p.strip() for p in pieces).split() == line.split()       # nothing dropped
        for a, b in zip(pieces, pieces[1:]):
            s = b.strip()
            if re.search(r"[\w)]$", a) and re.match(r"[\w(]", s) and not re.match(r"\([a-z]+[ :)]", s):
                found.append((a, b))
    return found


@pytest.mark.parametrize("loss,act", CASES)
def test_no_break_between_two_factors(capsys, loss, act):
    for inputs, targets in SAMPLES[:1] + [("0.5,-1;1,2", "1,0;0,1")]:
        text = explain(capsys, loss, act, inputs, targets)
        for width in range(40, 121):
            assert not bare_factor_breaks(text, width), (width, bare_factor_breaks(text, width))
