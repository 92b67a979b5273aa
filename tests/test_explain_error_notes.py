"""The notes beside the error lines and dE/dout: an output written with more digits than the forward pass (the
seed's E_o1 writes 0.7513650696 beside out_o1 = 0.75136507) says why, once, with what the forward pass's
rounding gives (computed here exactly); E_total adding its E_o to more digits than their lines says so too; 0 *
log(0) written with nine decimals gets its note; dE/dout's note on an output the engine clips reaches the
Markdown and the explorer's page."""
from __future__ import annotations

import re
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from fractions import Fraction

import numpy as np
import pytest
from seed_rule import seed
from test_derive_6 import explorer_lines

import chainrule as cr
from chainrule.teach.notation import weight_name

NUMBER = re.compile(r"(?<![\w.])\d+\.\d+(?:e[+-]?\d+)?")


def _round(x: Fraction, like: str, float32: bool = False) -> str:
    """`x` as the report writes it: float64 to nine decimals, trailing zeros dropped (as the seed); float32 to the
    digits `like` shows (its shortest decimals)."""
    places = Decimal(like).as_tuple().exponent if float32 else -9
    value = (Decimal(x.numerator) / Decimal(x.denominator)).quantize(Decimal(1).scaleb(places), ROUND_HALF_EVEN)
    return str(value) if float32 else seed(float(value))


def _section(text: str) -> list[str]:
    return text.split("\nError (", 1)[1].split("\nBackward pass", 1)[0].splitlines()[1:]


def test_the_seed_s_wider_output_is_said_once_with_what_its_rounding_gives():
    """Truth: 1/2 (0.01 - 0.75136507)^2 computed exactly, 0.27481108350..., rounds to 0.274811084, not the
    printed 0.274811083, so the line writes more digits and one note says why."""
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    text = report.text()
    forward = re.search(r"  out_o1 = 1/\(1\+e\^-net_o1\) = .* = ([\d.]+)\n", text)[1]
    e_o1 = re.search(r"E_o1 = .* = ([\d.]+)\n", text)[1]
    gives = _round(Fraction(1, 2) * (Fraction("0.01") - Fraction(forward)) ** 2, e_o1)
    assert Decimal(gives) != Decimal(e_o1)                      # the forward pass's rounding does not give E_o1
    notes = [x for x in _section(text) if not x.startswith("  E_")]
    assert len(notes) == 1 and f"the forward pass's {forward} gives E_o1 = {gives}" in notes[0], notes
    markdown = report.markdown()
    assert f"the forward pass's {forward} gives E_o1 = {gives}, not the engine's {e_o1}" in markdown


@pytest.mark.parametrize("loss", ["sse", "mse", "binary_crossentropy", "categorical_crossentropy"])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_an_output_written_wider_than_the_forward_pass_is_said_once(loss, dtype):
    """Whenever an E_o line writes an output with more digits than its forward line (the digits round to it),
    the first such output is named in one note; the E_total line adding its E_o wider than their lines says what
    their lines' values give (computed exactly), which is not the printed E_total."""
    act = "softmax" if loss == "categorical_crossentropy" else "sigmoid"
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, act)], loss=loss, dtype=dtype, seed=4)
    X, Y = np.array([[0.7, -1.3]]), np.array([[1.0, 0, 0]] if act == "softmax" else [[0.2, 0.9, 0.0]])
    text = cr.explain(net, X, Y).text()
    lines, float32 = _section(text), dtype == "float32"
    wide = []
    for k in (1, 2, 3):
        shown = re.search(rf"  out_o{k} = .* = (\S+)\n", text)[1]
        line = next(x for x in lines if x.startswith(f"  E_o{k} = "))
        tokens = NUMBER.findall(line.split(" = ", 2)[-1])
        if shown not in tokens and any(len(t) > len(shown) and
                                       Decimal(_round(Fraction(t), shown, float32)) == Decimal(shown) for t in tokens):
            wide.append(f"out_o{k}")
    said = [x for x in lines if x.startswith("  out_o")]
    assert len(said) == (1 if wide else 0) and (not wide or said[0].startswith(f"  {wide[0]} is written here")), \
        (wide, said)
    values = [Fraction(re.search(rf"  E_o{k} = .* = (\S+)$", "\n".join(lines), re.M)[1]) for k in (1, 2, 3)]
    total = re.search(r"  E_total = .* = (\S+)$", "\n".join(lines), re.M)[1]
    scale = 3 if loss in ("mse", "binary_crossentropy") else 1
    given = _round(sum(values, Fraction(0)) / scale, total, float32)
    note = [x for x in lines if x.startswith("  E_total adds")]
    single = [x for x in lines if x.startswith(("  This network computes in float32", "  Done exactly, the error"))
              and "E_total = " in x]
    if len(next(x for x in lines if x.startswith("  E_total = ")).split(" = ")) == 4:   # the line has numbers
        if dtype == "float32":          # the lines' own E_o, added in float32: the float32 note says what exactly
            assert not note and (Decimal(given) != Decimal(total)) == bool(single), (given, total, single)
            assert not single or f"E_total = {given}" in single[0], single
            return
        assert (Decimal(given) != Decimal(total)) == bool(note), (given, total, note)
        assert not note or f"gives {given}, not the engine's {total}" in note[0], note


@pytest.mark.filterwarnings("ignore:loss=")
def test_zero_log_zero_of_an_output_of_exactly_zero_gets_its_note():
    """An output of exactly 0 is written 0 (as every figure, its zeros dropped): -(0 * log(0)), which a calculator
    gives as nan, gets its note; truth: the output is exactly 0.0."""
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy")
    net.set_weights([np.array([[0.3, -0.2, 0.5], [0.1, 0.4, -0.6]]), np.array([0.0, 0.0, -900.0])])
    X, Y = np.array([[0.5, 0.2]]), np.array([[0.0, 1.0, 0.0]])
    assert net.predict(X)[0, 2] == 0.0
    text = cr.explain(net, X, Y).text()
    assert "-(0 * log(0))" in text and "0 * log(0) is taken as 0" in text, text


def _saturated() -> tuple[cr.Network, np.ndarray, np.ndarray]:
    """binary cross-entropy after a softmax saturated to exactly 1 and 0: dE/dout divides by 0 as written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = cr.Network([cr.Dense(2, 2, "softmax")], loss="binary_crossentropy")
    net.set_weights([np.array([[60.0, -60.0], [0.0, 0.0]]), np.zeros(2)])
    X, Y = np.array([[20.0, 0.0]]), np.array([[1.0, 0.0]])
    assert net.predict(X).tolist() == [[1.0, 0.0]]
    return net, X, Y


@pytest.mark.filterwarnings("ignore:loss=")
def test_the_clipped_output_s_note_is_in_the_markdown():
    """The text says after dE/dout_o1 that the engine clips out_o1 = 1; the Markdown (LaTeX lines, no room for a
    note) said nothing, its line dividing by 0.9999999999999998 unexplained."""
    net, X, Y = _saturated()
    report = cr.explain(net, X, Y)
    for k in (1, 2):
        line = next(x for x in report.text().splitlines() if x.strip().startswith(f"dE/dout_o{k} = "))
        note = line.split("   (", 1)[1].rstrip(")")
        assert "the engine clips it" in note
        assert f"dE/dout_o{k}: {note}." in report.markdown()


@pytest.mark.filterwarnings("ignore:loss=")
def test_the_clipped_output_s_note_is_on_the_explorer_s_page():
    """The explorer's dE/dout_o1 line is the report's: its note too (it was dropped)."""
    net, X, Y = _saturated()
    text = cr.explain(net, X, Y).text()
    for k in (1, 2):
        weight = weight_name(net.dense_layers, 0, 0, k - 1)
        line = next(x for x in text.splitlines() if x.strip().startswith(f"dE/dout_o{k} = "))
        page = next(ln for ln in explorer_lines(net, X, Y, weight) if ln["lhs"] == f"dE/dout_o{k}")
        assert "the engine clips it" in page.get("note", ""), page
        assert page["note"].split(", eps")[0] == line.split("   (", 1)[1].split(", eps")[0].replace(
            "1.000000000", "1").replace("0.000000000", "0"), (page, line)
