"""The fused output delta written out with its numbers: dE/dnet_o = out_o - target_o (softmax with
cross-entropy, sigmoid with binary cross-entropy), the line every weight of that unit reads, checked
against torch autograd's gradient of the loss with respect to the net input; the explorer's
derivation writes the same line (one text, `derivation.fused_delta`)."""
import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.explore import derive

torch = pytest.importorskip("torch")
from delta_oracle import torch_output_delta  # noqa: E402


def torch_delta(net, X, Y):
    """dE/dnet of the output layer by autograd (these networks' hidden layers are ReLU)."""
    return torch_output_delta(net, X, Y, hidden=torch.relu)


def fused_lines(text):
    return {m.group(1): m.group(0) for m in re.finditer(r"dE/dnet_(o\d+) = .*\(fused\)", text)}


def number(s):
    return float(s.strip())


def test_a_softmax_cross_entropy_delta_is_out_minus_target_with_its_numbers():
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    X, Y = np.array([[0.7, 0.2]]), np.array([[1.0, 0.0]])
    text = cr.explain(net, X, Y).text()
    truth = torch_delta(net, X, Y)
    out = net.predict(X)
    lines = fused_lines(text)
    assert set(lines) == {"o1", "o2"}
    for j, o in enumerate(("o1", "o2")):
        formula, numbers, value = lines[o].removesuffix("   (fused)").split(" = ")[1:]
        assert formula == f"out_{o} - target_{o}"
        shown_out, shown_target = numbers.split(" - ")
        assert number(shown_out) == pytest.approx(out[0, j], abs=1e-9)
        assert number(shown_target) == Y[0, j]
        assert number(value) == pytest.approx(truth[0, j], abs=1e-9)
    # each weight's line reads the delta it names: the same number
    w7 = next(ln for ln in text.splitlines() if ln.strip().startswith("dE/dw7 ="))
    assert lines["o1"].split(" = ")[-1].removesuffix("   (fused)") in w7


def test_soft_targets_whose_sum_rounds_off_one_take_the_general_form():
    """0.7 + 0.2 + 0.1 is 0.9999999999999999 in float64: the engine takes dE/dz = out * sum(t) - t,
    the exact derivative of -sum t log softmax(z), and the line says so."""
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=2)
    X, Y = np.array([[0.3, -0.4]]), np.array([[0.7, 0.2, 0.1]])
    assert np.add.reduce(Y, axis=1)[0] != 1.0
    text = cr.explain(net, X, Y).text()
    truth = torch_delta(net, X, Y)
    for j, o in enumerate(("o1", "o2", "o3")):
        formula, numbers, value = fused_lines(text)[o].removesuffix("   (fused)").split(" = ")[1:]
        assert formula == f"out_{o} * sum(target) - target_{o}"
        assert number(numbers.split(" * ")[1].split(" - ")[0]) == pytest.approx(1.0)
        assert number(value) == pytest.approx(truth[0, j], abs=1e-9)


def test_a_sigmoid_binary_cross_entropy_delta_over_two_samples_is_divided_by_their_count():
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=3)
    X, Y = np.array([[0.1, 0.2], [0.3, 0.4]]), np.array([[1.0], [0.0]])
    text = cr.explain(net, X, Y).text()
    truth = torch_delta(net, X, Y)
    formula, value = fused_lines(text)["o1"].removesuffix("   (fused)").split(" = ")[1:]
    assert formula == "(out_o1 - target_o1) / n_samples"
    shown = [number(v) for v in value.strip("[]").split(",")]
    np.testing.assert_allclose(shown, truth[:, 0], atol=1e-9)


def test_the_explorer_writes_the_reports_fused_line():
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    X, Y = np.array([[0.7, 0.2]]), np.array([[1.0, 0.0]])
    report = cr.explain(net, X, Y, lr=0.5)
    d = report.to_dict()
    p = next(q for q in d["parameters"] if q["name"] == "w7")
    line = next(ln for ln in derive.parameter_lines(d, p) if ln["lhs"] == "dE/dnet_o1")
    assert line["formula"] == "out_o1 - target_o1"
    assert line["raw"][0] == pytest.approx(torch_delta(net, X, Y)[0, 0], rel=1e-12)
    shown_out, shown_target = line["numbers"].split(" - ")
    assert float(shown_out) == pytest.approx(net.predict(X)[0, 0], abs=1e-9) and float(shown_target) == 1.0
