"""The derivative notation table (teach/notation.py): every built-in activation and loss has its
entry, the three readers (explain, the explorer's derive, formulas) write that entry, and the text
they write, evaluated with the neuron's numbers, gives the engine's derivative."""
import re
import warnings

import numpy as np
import pytest
from seed_rule import seed

import chainrule as cr
from chainrule.nn.activations import ACTIVATIONS
from chainrule.nn.losses import LOSSES
from chainrule.teach import derivation, formulas, notation
from chainrule.teach.explore import derive

sp = pytest.importorskip("sympy")

BUILT_IN = sorted(name for name, cls in ACTIVATIONS.items() if cls.__module__.startswith("chainrule."))
ELEMENTWISE = [name for name in BUILT_IN if ACTIVATIONS[name].elementwise]


def test_every_registered_activation_and_loss_has_its_notation():
    assert BUILT_IN and set(BUILT_IN) <= set(notation.ACTIVATIONS)
    for name in BUILT_IN:
        entry = notation.ACTIVATIONS[name]
        written = [entry.plain is not None, entry.latex is not None, entry.sympy is not None]
        assert written == [ACTIVATIONS[name].elementwise] * 3, name
    assert set(name for name, cls in LOSSES.items() if cls.__module__.startswith("chainrule.")) <= set(notation.LOSSES)


def as_python(text: str, values: dict[str, float]) -> str:
    """A derivative as the reports write it, made a Python expression with the numbers put in."""
    for symbol, v in values.items():
        text = text.replace(symbol, f"({v!r})")
    text = re.sub(r"([\d)])\(", r"\1*(", text)      # implicit products: x(1 - x)
    return text.replace("^", "**")


def network(act):
    """2-3-1 with `act` in the hidden layer; h1 has a positive net input, h2 and h3 negative ones."""
    net = cr.Network([cr.Dense(2, 3, act), cr.Dense(3, 1, "linear")], loss="mse", dtype="float64")
    net.layers[0].W[...] = [[1.0, -1.0, 0.5], [0.5, -0.5, -2.0]]
    net.layers[0].b[...] = 0.0
    net.layers[1].W[...] = [[0.3], [-0.6], [0.9]]
    return net, np.array([[0.4, 0.6]]), np.array([[0.25]])


@pytest.mark.parametrize("act", ELEMENTWISE)
def test_the_three_readers_write_the_tables_derivative(act):
    entry = notation.ACTIVATIONS[act]
    net, X, Y = network(act)
    report = cr.explain(net, X, Y)
    text, d = report.text(), report.to_dict()
    layer = net.layers[0]
    engine = layer.activation.derivative(layer.out, layer.net)[0]
    alpha = getattr(layer.activation, "alpha", None)
    for k in range(3):
        h = f"h{k + 1}"
        out, net_in = float(layer.out[0, k]), float(layer.net[0, k])
        plain = entry.plain.format(o=h, alpha=f"{alpha or 0.01:g}")      # the layer's slope, as a number
        # the report's LaTeX is the table's (an indicator for relu, not the words "if ... else")
        tex = entry.latex.format(out=f"out_{{{h}}}", net=f"net_{{{h}}}", alpha=f"{alpha or 0.01:g}")
        constant = derivation.constant_derivative(act)          # linear's 1: the formula is the value
        assert rf"\frac{{\partial out_{{{h}}}}}{{\partial net_{{{h}}}}} = {tex}{'$$' if constant else ' = '}" \
            in report.markdown()
        # the report and the explorer write the same text, the table's
        explained = next(line.strip() for line in text.splitlines() if line.strip().startswith(f"dout_{h}/dnet_{h} ="))
        p = next(q for q in d["parameters"] if q["to"] == h and q["kind"] == "W")
        lines = {line["lhs"]: line for line in derive.parameter_lines(d, p)}
        derived = lines[f"dout_{h}/dnet_{h}"]
        if constant:
            assert (explained, derived["formula"], derived["value"]) == (f"dout_{h}/dnet_{h} = {plain}", "", plain)
            assert float(plain) == engine[k]
            continue
        assert derived["formula"] == plain
        factor = derive.fmt(out) if out >= 0 else f"({derive.fmt(out)})"
        given = {"net": derive.fmt(net_in), "alpha": f"{alpha or 0.01:g}"}        # relu's: the net as its line
        numbers = entry.numbers.format(out=factor, **given) if entry.numbers else ""
        assert derived["numbers"] == numbers
        printed = seed(out) if out >= 0 else f"({seed(out)})"
        explained_numbers = entry.numbers.format(out=printed, **given) if entry.numbers else ""
        assert explained == " = ".join(s for s in (f"dout_{h}/dnet_{h}", plain, explained_numbers, seed(engine[k]))
                                       if s)
        # that text is the derivative: evaluated with this neuron's numbers it gives the engine's value
        value = eval(as_python(plain, {f"out_{h}": out, f"net_{h}": net_in}), {"alpha": alpha})
        assert value == pytest.approx(engine[k], rel=1e-12)
        if numbers:
            assert eval(as_python(numbers, {})) == pytest.approx(engine[k], rel=1e-8)
        assert float(entry.sympy(sp.Float(out), sp.Float(net_in), sp, alpha)) == pytest.approx(engine[k], rel=1e-12)
    # the general formulas write the table's LaTeX for the hidden layer (the ' \cdot f'(net)' of delta^(1))
    latex = formulas.weight_gradient(net, 0, 0, 0).latex()
    if derivation.constant_derivative(act):               # f' = 1: no factor written
        assert latex[1].endswith(r"\right)")
        return
    assert latex[1].endswith(r" \cdot " + entry.latex.format(out="out^{(1)}_{1}", net="net^{(1)}_{1}",
                                                             alpha=f"{alpha or 0.01:g}"))


@pytest.mark.parametrize("loss", sorted(notation.LOSSES))
def test_explain_and_the_explorer_write_the_same_loss_derivative(loss):
    # an output activation the loss does not fuse with, so that the report writes dE/dout
    out_act = {"binary_crossentropy": "softmax", "categorical_crossentropy": "sigmoid"}.get(loss, "linear")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")       # categorical_crossentropy after a sigmoid is unusual, not wrong
        net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 2, out_act)], loss=loss, seed=3)
    X, Y = np.array([[0.4, 0.6]]), np.array([[0.0, 1.0]])
    d = cr.explain(net, X, Y).to_dict()
    p = next(q for q in d["parameters"] if q["to"] == "o1" and q["kind"] == "W")
    derived = {line["lhs"]: line for line in derive.parameter_lines(d, p)}["dE/dout_o1"]
    written = notation.LOSSES[loss].plain.format(o="o1")
    if loss == "mse":        # the 2 of the square and the mean over the 2 outputs written out (test_learner_7)
        assert derived["formula"] == "2 * (out_o1 - target_o1) / n_outputs"
    else:
        assert derived["formula"] == derivation.over(d, written, True)
    assert f"dE/dout_o1 = {derived['formula']}" in cr.explain(net, X, Y).text()

