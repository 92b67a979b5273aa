"""The dE/dout line of an output, as `chainrule explain` and the explorer write it: the loss's formula with
this sample's target and output in it (the seed writes sse's -(0.01 - 0.75136507)), for every loss;
the same numbers in both places, and computed they give torch autograd's dE/dout."""
import re
from decimal import Decimal

import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.explore.session import Session, Start

torch = pytest.importorskip("torch")

ACTS = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "linear": lambda z: z, "softmax": lambda z: torch.softmax(z, 1)}
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?")


def networks():
    """(name, net, X, Y): one sample each, biases set so that every term shows. A Dropout after the output
    layer keeps the loss from fusing with its activation, so the line dE/dout is written for the
    cross-entropies too (explain and the explorer run without dropout)."""
    rng = np.random.default_rng(6)
    nets = {
        "3-4-2 tanh/softmax, cross-entropy": cr.Network(
            [cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax"), cr.Dropout(0.2)], loss="categorical_crossentropy",
            seed=1),
        "2-3-3-2 tanh/sigmoid regression, mse": cr.Network(
            [cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "sigmoid"), cr.Dense(3, 2, "linear")], loss="mse", seed=3),
        "2-3-1 tanh/sigmoid, binary cross-entropy": cr.Network(
            [cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid"), cr.Dropout(0.2)], loss="binary_crossentropy",
            seed=4),
    }
    for name, net in nets.items():
        for d in net.dense_layers:
            d.b[...] = rng.uniform(-0.5, 0.5, d.b.shape)
        X = rng.uniform(-1, 1, (1, net.n_inputs)).round(2)
        if net.loss_function.name == "categorical_crossentropy":
            Y = np.eye(net.n_outputs)[[0]]
        elif net.loss_function.name == "mse":
            Y = np.array([[0.7, -0.5]])               # a negative target, written in parentheses
        else:
            Y = np.array([[1.0]])
        yield name, net, X, Y


def torch_dout(net, X, Y):
    """dE/dout of the output layer by autograd, E as PyTorch defines each loss (mean over the samples;
    mse and binary cross-entropy: over the outputs too)."""
    a = torch.tensor(X)
    for d in net.dense_layers:
        a = ACTS[d.activation.name](a @ torch.tensor(d.W) + torch.tensor(d.b))
    out = a.detach().requires_grad_(True)
    t = torch.tensor(Y)
    E = {"mse": lambda: ((t - out) ** 2).mean(),
         "binary_crossentropy": lambda: torch.nn.functional.binary_cross_entropy(out, t),
         "categorical_crossentropy": lambda: -(t * torch.log(out)).sum(dim=1).mean(),
         "sse": lambda: 0.5 * ((t - out) ** 2).sum(dim=1).mean()}[net.loss_function.name]()
    E.backward()
    return out.grad.numpy()[0]


def explorer_lines(net, X, Y, name):
    """The derivation the explorer's page is sent for `name`, on the sample X, Y."""
    s = Session(Start(net, name="m.npz"))
    for index in range(net.n_inputs):
        s.act("set_value", {"what": "input", "sample": 0, "index": index, "value": float(X[0, index])})
    for index in reversed(range(net.n_outputs)):         # o1 last: a one-hot row stays one-hot
        s.act("set_value", {"what": "target", "sample": 0, "index": index, "value": float(Y[0, index])})
    return s.act("select", {"name": name})["derivation"]["lines"]


def report_line(text, lhs):
    return next(t.strip() for t in text.splitlines() if t.strip().startswith(lhs + " = "))


def evaluate(numbers):
    """The arithmetic of a line's numbers: 2 (a - b) is 2 * (a - b)."""
    assert re.fullmatch(r"[-+*/() .\de]+", numbers), numbers
    return eval(re.sub(r"(\d|\)) \(", r"\1 * (", numbers))


@pytest.mark.parametrize("name", [n for n, *_ in networks()])
def test_an_outputs_error_derivative_shows_its_numbers_in_explain_and_the_explorer(name):
    net, X, Y = next((n, x, y) for nm, n, x, y in networks() if nm == name)
    text = cr.explain(net, X, Y).text()
    dout = torch_dout(net, X, Y)
    for j in range(net.n_outputs):
        o = f"o{j + 1}"
        ours = report_line(text, f"dE/dout_{o}")
        lhs, formula, numbers, value = ours.split(" = ")
        assert NUMBER.findall(numbers) and "out_" not in numbers and "target_" not in numbers, ours
        assert f"{net.dense_layers[-1].out[0, j]:.9f}" in numbers and f"{Y[0, j]:g}" in numbers, ours
        assert evaluate(numbers) == pytest.approx(float(value), abs=5e-9), ours
        assert float(value) == pytest.approx(float(dout[j]), rel=1e-8, abs=1e-12), ours
        w = cr.teach.notation.weight_name(net.dense_layers, len(net.dense_layers) - 1, 0, j)
        page = next(ln for ln in explorer_lines(net, X, Y, w) if ln["lhs"] == lhs)
        assert page["formula"] == formula, (page, ours)
        assert page["numbers"] != "" and [Decimal(x) for x in NUMBER.findall(page["numbers"])] == \
            [Decimal(x) for x in NUMBER.findall(numbers)], (page, ours)
        assert page["raw"][0] == pytest.approx(float(dout[j]), rel=1e-12, abs=1e-15)


def test_the_seeds_sse_line_is_the_seeds_in_both_places():
    """-(target_o1 - out_o1) = -(0.01 - 0.75136507) = 0.74136507, as the seed prints it."""
    net, X, Y, lr = cr.examples.seed_network()
    text = cr.explain(net, X, Y, lr=lr).text()
    line = report_line(text, "dE/dout_o1")
    assert line.startswith("dE/dout_o1 = -(target_o1 - out_o1) = -(0.01 - 0.75136507")
    page = next(ln for ln in explorer_lines(net, X, Y, "w5") if ln["lhs"] == "dE/dout_o1")
    assert page["formula"] == "-(target_o1 - out_o1)" and page["numbers"] == "-(0.01 - 0.75136507)"
    assert [Decimal(x) for x in NUMBER.findall(line)] == [Decimal(x) for x in NUMBER.findall(
        " = ".join((page["numbers"], page["value"])))]
    assert float(page["value"]) == pytest.approx(float(torch_dout(net, X, Y)[0]), abs=1e-9)


@pytest.mark.parametrize("layers,loss,Y", [
    ([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], "categorical_crossentropy", [[0.0, 1.0]]),
    ([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], "binary_crossentropy", [[1.0]])])
def test_a_fused_output_writes_its_delta_alone_in_both_places(layers, loss, Y):
    """Softmax with cross-entropy and sigmoid with binary cross-entropy: no dE/dout line, in neither place;
    the fused out - target with its numbers is the same line in both, autograd's dE/dnet."""
    net = cr.Network(layers, loss=loss, seed=2)
    X, Y = np.array([[0.4, -0.3, 0.2][:net.n_inputs]]), np.array(Y)
    text = cr.explain(net, X, Y).text()
    assert not any(t.strip().startswith("dE/dout_o") for t in text.splitlines())
    page = explorer_lines(net, X, Y, "o1")
    assert not any(ln["lhs"].startswith("dE/dout_o") for ln in page)
    fused = next(ln for ln in page if ln["lhs"] == "dE/dnet_o1")
    ours = report_line(text, "dE/dnet_o1").split("   (")[0]
    assert [Decimal(x) for x in NUMBER.findall(ours)] == [Decimal(x) for x in NUMBER.findall(
        " = ".join((fused["lhs"], fused["formula"], fused["numbers"], fused["value"])))]
    z = torch.tensor(X)
    for d in net.dense_layers:
        z = z @ torch.tensor(d.W) + torch.tensor(d.b)
        if d is not net.dense_layers[-1]:
            z = torch.tanh(z)
    z = z.detach().requires_grad_(True)
    t = torch.tensor(Y)
    E = (torch.nn.functional.cross_entropy(z, t) if loss == "categorical_crossentropy"
         else torch.nn.functional.binary_cross_entropy_with_logits(z, t))
    E.backward()
    assert fused["raw"][0] == pytest.approx(float(z.grad[0, 0]), rel=1e-12)
