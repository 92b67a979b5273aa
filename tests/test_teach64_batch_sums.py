"""A batch's forward pass (explain of more than one sample) wrote net_h1 = w1*i1 + w2*i2 + b_h1*1 = [..] but neither
the inputs nor the weights: a learner could recompute no sum. The printed inputs and each sum's printed weights now
give every printed net: recomputed here from the text alone and checked against PyTorch's pre-activations of the
same network."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.width import fit_width

NUMBER = r"-?\d[\d.]*(?:e[-+]?\d+)?"
VALUE = re.compile(rf"([a-z]\w*) = (\[[^\]]*\]|{NUMBER})")
NET = re.compile(r"^  net_(\w+) = (.*) = (\[[^\]]*\])   \((.*)\)$")


def _numbers(text: str) -> np.ndarray:
    return np.array([float(x) for x in text.strip("[]").split(", ")])


def _recomputed(text: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Each net line's printed value and its sum recomputed from printed numbers only: the inputs' line, the out
    lines before it, and the weights after it."""
    lines = text.splitlines()
    inputs = next(ln for ln in lines if ln.endswith("   (the inputs, one value per sample)"))
    units = {name: _numbers(v) for name, v in VALUE.findall(inputs.split("   (")[0])}
    found = {}
    for line in lines:
        if line.startswith("  out_"):        # an out line, or a slice's line of a layer's other outputs
            said = line.split("   (")[0]
            units.update({name: _numbers(v) for name, v in VALUE.findall(said.rsplit(" = ", 1)[0] + " = "
                                                                            + said.rsplit(" = ", 1)[1])}
                         if said.count("out_") > 1 else {said[2:].split(" = ")[0]: _numbers(said.rsplit(" = ", 1)[1])})
        if m := NET.match(line):
            weights = {name: float(v) for name, v in VALUE.findall(m[4])}
            total = sum(weights[w] * (units[u] if u != "1" else 1.0)
                        for w, u in (term.split("*") for term in m[2].split(" + ")))
            found[m[1]] = total, _numbers(m[3])
    return found


def _pre_activations(net, X) -> list[np.ndarray]:
    torch = pytest.importorskip("torch")
    h, nets = torch.from_numpy(X), []
    for module in cr.to_torch(net):
        h = module(h)
        if isinstance(module, torch.nn.Linear):
            nets.append(h.detach().numpy())
    return nets


CASES = {
    "sigmoid 2-2-2, 2 samples": (lambda: cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")],
                                                    loss="sse", seed=3), 2, [[0.01, 0.99], [1.0, 0.0]]),
    "tanh 3-4-3 softmax, 5 samples": (lambda: cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "softmax")],
                                                         loss="categorical_crossentropy", seed=1), 5, [0, 1, 2, 1, 0]),
}


@pytest.mark.parametrize("case", CASES)
def test_the_printed_inputs_and_weights_give_every_printed_sum(case):
    make, n, Y = CASES[case]
    net = make()
    X = np.random.default_rng(0).uniform(-2, 2, (n, net.n_inputs))
    text = cr.explain(net, X, np.array(Y)).text()
    found = _recomputed(text)
    names = [nr for level in cr.explain(net, X, np.array(Y)).to_dict()["layers"] for nr in level["neurons"]]
    assert list(found) == [nr["name"] for nr in names], text           # every sum has its weights
    torch_nets = np.concatenate(_pre_activations(net, X), axis=1)       # PyTorch's sums, unit by unit
    for k, (recomputed, printed) in enumerate(found.values()):
        np.testing.assert_allclose(recomputed, printed, rtol=1e-7, atol=1e-8)
        np.testing.assert_allclose(recomputed, torch_nets[:, k], rtol=1e-7, atol=1e-8)
    # at a terminal's 80 columns a weights note that fits a line stays whole, a longer one breaks between its values
    fitted = fit_width(text, 80).splitlines()
    for note in (NET.match(line)[4] for line in text.splitlines() if NET.match(line)):
        pieces = [f"({note})"] if len(note) + 4 <= 80 else VALUE.findall(note)
        for piece in pieces:
            said = piece if isinstance(piece, str) else " = ".join(piece)
            assert any(said in line for line in fitted), (said, fitted)
        assert all(len(line) <= 80 for line in fitted if "(w" in line or " = -" in line)


def test_a_neuron_slice_keeps_its_own_sums_weights_and_the_inputs():
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X = np.array([[0.5, -1.0], [1.0, 0.3], [0.2, 0.7]])
    text = cr.explain(net, X, np.array([0, 1, 1]), layer=0, neuron=1).text()
    found = _recomputed(text)
    assert list(found) == ["h2", "o1"], text           # the chosen unit and the output, the others cut
    h2 = _pre_activations(net, X)[0][:, 1]
    np.testing.assert_allclose(found["h2"][0], h2, rtol=1e-7, atol=1e-8)
    assert "(net_h1" not in text and "b_h1 =" not in text, text


def test_the_markdown_writes_the_weights_in_maths():
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], loss="mse", seed=0)
    md = cr.explain(net, np.array([[0.5, -1.0], [1.0, 0.3]]), np.array([[0.2], [0.9]])).markdown()
    line = next(ln for ln in md.splitlines() if ln.startswith("$$net_{h1}"))
    w1 = net.dense_layers[0].W[0, 0]
    assert f"\\quad \\text{{(}}w_{{1}} = {cr.teach.numbers.fmt(w1)}, " in line, line
    assert "b_{h1} = " in line and "\\text{(w" not in line, line       # no underscore inside \text{}
    inputs = "$$i_{1} = [0.5, 1], i_{2} = [-1, 0.3] \\quad \\text{(the inputs, one value per sample)}$$"
    assert inputs in md.splitlines(), md
