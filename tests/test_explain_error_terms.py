"""A cross-entropy's error lines were printed without their numbers (E_o1 = -target_o1 log out_o1 = 12.590801090):
they now show the target and output the engine read, precise enough that computing them gives E_o1 to its printed
digits, and the terms add up to torch's loss."""
from __future__ import annotations

import math
import re

import numpy as np
import pytest
from seed_rule import seed

import chainrule as cr

torch = pytest.importorskip("torch")


def _lines(text: str) -> dict[str, tuple[str, str]]:
    """Each error line's numbers and printed value, by its E_o name."""
    found = {}
    for line in text.splitlines():
        m = re.match(r"  (E_o\d+) = .*? = (.*) = (-?[\d.e+-]+)$", line)
        if m:
            found[m[1]] = (m[2], m[3])
    return found


def _value(numbers: str) -> float:
    """The printed arithmetic, as a reader does it (after the engine's net form's own formula, where it has one)."""
    numbers = re.sub(r"\|([^|]*)\|", r"abs(\1)", numbers.split(" = ")[-1])
    return eval(numbers, {"log": math.log, "log1p": math.log1p, "exp": math.exp, "max": max, "abs": abs})


@pytest.mark.parametrize("case", ["softmax", "sigmoid", "saturated"])
def test_cross_entropy_terms_are_printed_with_numbers_that_give_the_printed_e(case):
    if case == "softmax":        # an iris-like 4-5-3 relu/softmax network, one output near 0 (its rounding misleads)
        net = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
        X, Y = np.array([[5.1, 3.5, 1.4, 0.2]]), np.array([[1.0, 0.0, 0.0]])
    else:                        # one sigmoid unit with binary cross-entropy; saturated: out rounds to 1, E from net
        net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
        X, Y = np.array([[1.0, 0.0]]), np.array([[1.0]])
        if case == "saturated":
            net.set_weights([*net.get_weights()[:2], np.array([[40.0], [40.0]]), np.array([0.0])])
            Y = np.array([[0.0]])
    text = cr.explain(net, X, Y).text()
    lines = _lines(text)
    assert sorted(lines) == [f"E_o{k + 1}" for k in range(Y.shape[1])], text
    assert ("max(" in lines["E_o1"][0]) == (case == "saturated"), lines        # out = 1: log(1 - out) is no number
    a = torch.tensor(X)
    for layer in net.dense_layers:
        a = a @ torch.tensor(layer.W) + torch.tensor(layer.b)
        last = layer is net.dense_layers[-1]
        a = (torch.relu(a) if not last else a) if case == "softmax" else (torch.sigmoid(a) if not last else a)
    t = torch.tensor(Y)
    terms = (-t * torch.log_softmax(a, dim=1) if case == "softmax" else
             torch.nn.functional.binary_cross_entropy_with_logits(a, t, reduction="none"))
    for k, (numbers, value) in enumerate(lines[f"E_o{k + 1}"] for k in range(Y.shape[1])):
        assert numbers and seed(_value(numbers)) == value, (numbers, value)         # the numbers give E_o
        assert value == seed(float(terms[0, k])), (value, float(terms[0, k]))      # torch's term
    total = re.search(r"E_total = .* = ([\d.]+)", text)[1]
    assert total == seed(float(terms.sum()))
    assert sum(float(v) for _, v in lines.values()) == pytest.approx(float(total), abs=2e-9)


@pytest.mark.parametrize("loss, net_in", [("categorical_crossentropy", 1.0), ("binary_crossentropy", 1.0),
                                          ("binary_crossentropy", 40.0)])
def test_a_target_that_nine_decimals_round_is_written_as_precise_as_e_needs(loss, net_in):
    """Targets of 1/3: the line wrote 0.333333333 but checked its E_o with 1/3 itself, so a reader computing
    -0.333333333 * log(0.241969132) got 0.472981704, not the printed 0.472981705 (torch's). The written target, too,
    is now as precise as the printed E_o needs (and the engine's net form, 40 below, the same)."""
    act = "softmax" if loss == "categorical_crossentropy" else "sigmoid"
    net = cr.Network([cr.Dense(3, 3, act)], loss=loss, seed=1)
    net.set_weights([net.get_weights()[0] * net_in, net.get_weights()[1]])
    X, Y = np.array([[0.5, -1.0, 2.0]]), np.array([[1 / 3, 1 / 3, 1 / 3]])
    lines = _lines(cr.explain(net, X, Y).text())
    a = torch.tensor(X) @ torch.tensor(net.dense_layers[0].W) + torch.tensor(net.dense_layers[0].b)
    t = torch.tensor(Y)
    terms = (-t * torch.log_softmax(a, dim=1) if act == "softmax" else
             torch.nn.functional.binary_cross_entropy_with_logits(a, t, reduction="none"))
    for k in range(3):
        numbers, value = lines[f"E_o{k + 1}"]
        assert value == seed(float(terms[0, k])), (value, float(terms[0, k]))      # torch's term
        assert numbers and seed(_value(numbers)) == value, (numbers, value)         # the numbers give it


def test_a_saturated_sigmoid_with_target_1_is_written_as_a_reader_can_compute_it():
    """net 40, target 1: the engine's form read 'log(1 + exp(-|40|))', which a reader computes as log(1) = 0 in
    floats, not the printed 4.248354e-18; it now reads log1p(exp(-|40|)), and the Markdown writes 4.248354e-18 in
    LaTeX (4.248354 \\times 10^{-18}, not a product with e)."""
    net = cr.Network([cr.Dense(1, 1, "sigmoid")], loss="binary_crossentropy")
    net.set_weights([np.array([[40.0]]), np.array([0.0])])
    X, Y = np.array([[1.0]]), np.array([[1.0]])
    report = cr.explain(net, X, Y)
    line = next(x for x in report.text().splitlines() if x.startswith("  E_o1 = "))
    numbers, value = re.match(r"  E_o1 = .*? = (.*) = (\S+)", line).groups()
    term = float(torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor([40.0], dtype=torch.float64),
                                                                      torch.tensor([1.0], dtype=torch.float64)))
    assert value == f"{term:.6e}" and f"{_value(numbers):.6e}" == value, (numbers, value)
    mantissa, exponent = f"{term:.6e}".split("e")
    tex = next(x for x in report.markdown().splitlines() if x.startswith("$$E_{o1}"))
    assert tex.endswith(f"= {mantissa} \\times 10^{{{int(exponent)}}}$$") and "e-" not in tex, tex


def test_an_output_nine_decimals_miss_is_written_with_the_fewest_digits_that_give_e():
    """The 17-digit repr was written where nine decimals were not enough (log(3.4031772065573362e-06)); now the
    fewest significant digits whose log gives the printed E_o, checked here with math.log against torch."""
    net = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    X, Y = np.array([[5.1, 3.5, 1.4, 0.2]]), np.array([[1.0, 0.0, 0.0]])
    numbers, value = _lines(cr.explain(net, X, Y).text())["E_o1"]
    a = torch.tensor(X)
    for layer in net.dense_layers:
        a = a @ torch.tensor(layer.W) + torch.tensor(layer.b)
        a = torch.relu(a) if layer is not net.dense_layers[-1] else a
    out = float(torch.softmax(a, dim=1)[0, 0])
    assert value == seed(-math.log(out))
    written = re.fullmatch(r"-\(1 \* log\((.*)\)\)", numbers)[1]
    digits = len(written.split("e")[0].replace(".", "").lstrip("0"))
    fewest = next(k for k in range(1, 18) if seed(-math.log(float(f"{out:.{k}g}"))) == value)
    assert digits == fewest and float(written) == pytest.approx(out, rel=10 ** (1 - digits)), (written, fewest)


def test_a_saturated_softmax_output_gets_its_numbers_from_the_net_inputs():
    """out_o3 rounds to 0 (log 0 is no number): E_o3 = 1600 was printed with its formula alone; it is now written
    from the net inputs, each shifted by the largest (exp(800) overflows), numbers a reader computes to torch's."""
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.set_weights([np.array([[40.0, 0.0, -40.0], [0.0, 0.0, 0.0]]), np.zeros(3)])
    X, Y = np.array([[20.0, 1.0]]), np.array([[0.0, 0.0, 1.0]])
    numbers, value = _lines(cr.explain(net, X, Y).text())["E_o3"]
    a = torch.tensor(X) @ torch.tensor(net.dense_layers[0].W) + torch.tensor(net.dense_layers[0].b)
    term = float(torch.nn.functional.cross_entropy(a, torch.tensor([2])))
    assert value == seed(term) and seed(_value(numbers)) == value, (numbers, value, term)
    assert "log(0" not in numbers and "800" in numbers
