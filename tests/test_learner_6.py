"""A student reads `chainrule explain` for the seed, a softmax + cross-entropy network and a linear mse
network: each note stands where a note is read, a number typed is written as typed, a step that says
nothing is left out, a formula is written as a student would simplify it. Every number still equals torch
autograd's (each gradient line's factors, in the report and the explorer: test_explain_mend.py)."""
import re

import numpy as np
import pytest
from test_derive_6 import evaluate, explorer_lines, report_line
from test_learner_5 import check_every_number

import chainrule as cr

pytest.importorskip("torch")


def softmax_net():
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    return net, np.array([[0.05, 0.1]]), np.array([[1.0, 0.0]])


def linear_mse_net():
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "linear")], loss="mse", seed=0)
    return net, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]])


def gradient_lines(text):
    return [ln.strip() for ln in text.splitlines() if re.match(r"^\s*dE/d(w\d+|b_\w+) = ", ln)]


def test_the_fused_note_follows_the_weights_equation():
    """dE/dw5 = dE/dnet_o1 * dnet_o1/dw5   (fused: out - target) = (-0.56) * 0.48 = ...: the note sat between
    the chain and its numbers, inside the equation. It is written after the value, as every note is."""
    net, X, Y = softmax_net()
    text = cr.explain(net, X, Y, lr=0.5).text()
    check_every_number(net, X, Y, text)
    lines = [ln for ln in gradient_lines(text) if ln.startswith(("dE/dw5 ", "dE/db_o2 "))]
    assert len(lines) == 2
    for line in lines:
        equation, note = line.split("   (")
        assert note == "fused: out - target)"
        assert "(" not in equation.split(" = ")[1]                 # the chain: symbols only
        assert evaluate(equation.split(" = ")[2]) == pytest.approx(float(equation.split(" = ")[3]), abs=2e-9)


def test_inputs_are_written_as_typed():
    """The seed's inputs 0.05 and 0.1 were written 0.050000000 and 0.100000000, in the forward pass and
    as dnet_h1/dw1, while the weights and targets typed beside them read 0.15 and 0.01."""
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    assert "0.050000000" not in text and "0.100000000" not in text
    W = net.dense_layers[0].W
    assert f"= {W[0, 0]:g}*{X[0, 0]:g} + {W[1, 0]:g}*{X[0, 1]:g} + " in text
    assert report_line(text, "dE/dw1").split(" = ")[2].split(" * ")[-1] == f"{X[0, 0]:g}"
    assert report_line(text, "dE/db_h1").split(" = ")[2].split(" * ")[-1] == "1"      # dnet/db: 1, not 1.000000000
    check_every_number(net, X, Y, text)


def test_a_linear_outputs_derivative_is_written_once():
    """dout_o1/dnet_o1 = 1 = 1.000000000 said 1 twice, and the chain multiplied by 1.000000000: a
    constant derivative is written as its formula, 1, in its line and in every chain that reads it."""
    net, X, Y = linear_mse_net()
    text = cr.explain(net, X, Y, lr=0.5).text()
    check_every_number(net, X, Y, text)
    assert report_line(text, "dout_o1/dnet_o1") == "dout_o1/dnet_o1 = 1"
    assert report_line(text, "dE/dw5").split(" = ")[2].split(" * ")[1] == "1"
    assert "1.000000000" not in text
    page = next(ln for ln in explorer_lines(net, X, Y, "w5") if ln["lhs"] == "dout_o1/dnet_o1")
    assert (page["formula"], page["numbers"], page["value"]) == ("", "", "1")


def test_a_cross_entropy_target_of_zero_is_not_written_minus_zero():
    """-target_o2 / out_o2 with a target 0 read "-0 / 0.497": the minus applies to the whole term."""
    import torch
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax"), cr.Dropout(0.2)],
                     loss="categorical_crossentropy", seed=1)        # the Dropout keeps the loss from fusing
    X, Y = np.array([[0.64, 0.27, 0.04]]), np.array([[1.0, 0.0]])
    report = cr.explain(net, X, Y)
    out = torch.tensor(net.predict(X), requires_grad=True)
    (-(torch.tensor(Y) * torch.log(out)).sum()).backward()
    for text in (report.text(), report.markdown().replace(" \\,/\\, ", " / ")):
        assert not re.search(r"(?<![\w.])-0 ", text)
    line = report_line(report.text(), "dE/dout_o2")
    assert line.split(" = ")[2] == f"-(0 / {out[0, 1].item():.9f})"
    assert evaluate(line.split(" = ")[2]) == pytest.approx(float(out.grad[0, 1]), abs=1e-12)


@pytest.mark.parametrize("args", [[], ["--layers", "2,2,2", "--activation", "sigmoid,linear", "--loss", "mse"],
                                  ["--layers", "2,3,2", "--activation", "tanh,softmax", "--loss",
                                   "categorical_crossentropy"]], ids=["seed", "linear mse", "softmax"])
def test_the_general_formulas_name_only_what_they_define(capsys, args):
    """--formulas wrote a^{(1)}_{i} and a^{(0)}_{i} (= i_{i}), a symbol the page defines nowhere (its deltas
    read out^{(l)}), and a linear output's delta as (out - t) * 1. A weight of layer 1 reads the input
    i_{i}, one of a layer above the output out^{(l-1)}_{i} of its layer, both said in the introduction."""
    from conftest import cli_in_process
    code, out, _ = cli_in_process(capsys, "explain", "--formulas", *args)
    assert code == 0
    assert not re.search(r"(?<![a-z])a\^\{", out) and "\\cdot 1$$" not in out
    assert "\\delta^{(1)}_{j} \\cdot i_{i}$$" in out and "\\delta^{(2)}_{j} \\cdot out^{(1)}_{i}$$" in out
    intro = out.split("## ")[0]
    assert "$i_{i}$" in intro and "$out^{(l-1)}_{i}$" in intro and "$t_{j}$" in intro


@pytest.mark.parametrize("width", [79, 60, 40])
@pytest.mark.parametrize("published", [True, False], ids=["as published", "plain"])
def test_the_seeds_table_fits_a_narrow_terminal_without_breaking_a_row(capsys, width, published):
    """`chainrule example --as-published` in a terminal under 80 columns wrapped each table row: its status
    on a line of its own, "as published" split over two lines. Narrower than a row, each figure's name is
    written on its own line and its numbers and status under it (one line a number where even those
    do not fit); every line fits, and each figure keeps the seed's figure, the engine's and its status."""
    from conftest import cli_in_process

    from chainrule.teach.worked_example import at_digits, worked_example
    code, out, _ = cli_in_process(capsys, "example", "--width", str(width), *(["--as-published"] if published else []))
    assert code == 0
    table = out.split("Every figure of the seed, checked\n", 1)[1].split("\nTraining with", 1)[0]
    lines = table.splitlines()
    assert [ln for ln in lines if len(ln) > width] == []
    assert not published or any("as published" in ln for ln in lines)
    figures, _ = worked_example()
    keys = [f.key for f in figures]
    starts = [next(k for k, ln in enumerate(lines) if re.match(rf"  {re.escape(key)}(:| +[-\d]|$)", ln))
              for key in keys]
    assert starts == sorted(starts)
    for f, start, end in zip(figures, starts, starts[1:] + [len(lines)]):
        own = " ".join(lines[start:end]).split()
        assert f.seed in own and str(at_digits(f.value, f.seed)) in own, (f.key, lines[start:end])
        assert ("ok" if f.matches else "differs") in own


def test_make_demo_fits_an_80_column_terminal(capsys, monkeypatch):
    """`make demo` in an 80-column terminal: the worked example fitted it, but the training's lines (129
    and 117 columns) wrapped; they are broken at spaces as the example's prose is, nothing dropped."""
    import sys

    from conftest import cli_in_process
    pytest.importorskip("sklearn")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = cli_in_process(capsys, "demo", "--epochs", "1")
    assert code == 0
    lines = [ln for part in out.split("\r") for ln in part.splitlines()]        # a progress line redrawn
    assert [ln for ln in lines if len(ln) > 80] == []
    training = out.split("Training a 64-64-10", 1)[1]
    assert "test accuracy" in training and "(MLPClassifier, same split, same layers, batch and epochs)" in \
        " ".join(training.split())
