"""explain read as a student reads it, on the XOR 2-3-1 and the iris 4-5-3 networks: every number a
derivation line ends with checked against PyTorch autograd on the same weights (one sample, a batch,
tanh, ReLU at exactly 0, softmax with cross-entropy, float32), and the fused delta explained."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import cmd
from seed_rule import seed

import chainrule as cr

torch = pytest.importorskip("torch")
ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z}


def torch_values(net, X, Y, lr=None) -> dict[str, np.ndarray]:
    """Every quantity a report names, by torch: net_, out_, E_, dE/dnet_, dE/dout_, dout_/dnet_, dE/dparam, param+."""
    dense, names = net.dense_layers, cr.teach.explain.neuron_names(net)
    dt = torch.float32 if net.dtype == np.float32 else torch.float64
    params = [(torch.tensor(lay.W, dtype=dt, requires_grad=True), torch.tensor(lay.b, dtype=dt, requires_grad=True))
              for lay in dense]
    a, v = torch.tensor(np.asarray(X), dtype=dt), {}
    v.update({f"i{k + 1}": np.asarray(X, dtype=float)[:, k] for k in range(np.shape(X)[1])})
    nets, outs = [], []
    for lay, (W, b) in zip(dense, params):
        z = a @ W + b
        a = torch.softmax(z, dim=1) if lay.activation.name == "softmax" else ACT[lay.activation.name](z)
        for t in (z, a):
            t.retain_grad()
        nets.append(z)
        outs.append(a)
    n = a.shape[0]
    if net.loss_function.name == "categorical_crossentropy":
        T = torch.nn.functional.one_hot(torch.tensor(np.asarray(Y)), a.shape[1]).to(dt)
        terms = -T * torch.log(a)
    else:
        T = torch.tensor(np.asarray(Y), dtype=dt)
        terms = 0.5 * (T - a) ** 2
    E = terms.sum() / (n if n > 1 else 1)
    E.backward()
    v["E_total"] = E.detach().numpy()
    for j, o in enumerate(names[-1]):
        v[f"E_{o}"] = terms[:, j].detach().numpy()
    for l, (lay, (W, b)) in enumerate(zip(dense, params)):
        for j, u in enumerate(names[l + 1]):
            v[f"net_{u}"], v[f"out_{u}"] = nets[l][:, j].detach().numpy(), outs[l][:, j].detach().numpy()
            v[f"dE/dnet_{u}"], v[f"dE/dout_{u}"] = nets[l].grad[:, j].numpy(), outs[l].grad[:, j].numpy()
            if lay.activation.name != "softmax":
                zz = nets[l][:, j].detach().clone().requires_grad_(True)
                ACT[lay.activation.name](zz).sum().backward()
                v[f"dout_{u}/dnet_{u}"] = zz.grad.numpy()
            for i in range(lay.n_in):
                w = cr.teach.notation.weight_name(dense, l, i, j)
                v[f"dE/d{w}"], v[w] = W.grad[i, j].numpy(), W[i, j].detach().numpy()
            v[f"dE/db_{u}"], v[f"b_{u}"] = b.grad[j].numpy(), b[j].detach().numpy()
    if lr is not None:
        for key in [k for k in v if k.startswith("dE/d") and k[4:] in v]:
            v[f"{key[4:]}+"] = v[key[4:]] - np.asarray(lr, dtype=v[key[4:]].dtype) * v[key]
    return v


def printed(text: str) -> list[tuple[str, list[float]]]:
    """(left-hand side, value(s)) of each line 'LHS = ... = VALUE   (note)'."""
    found = []
    for line in text.splitlines():
        note = re.search(r"\s{3}\((.*)\)$", line)
        if note and re.fullmatch(r"(?:\w+ = [-\d.e+]+, )*\w+ = [-\d.e+]+", note[1]):    # a batch's sum's weights
            found.extend((name, [float(v)]) for name, v in re.findall(r"(\w+) = ([-\d.e+]+)", note[1]))
        line = re.sub(r"\s{3}\(.*\)$", "", line.strip())
        if re.fullmatch(r"i\d+ = \[.*\]", line):           # a batch's inputs, one list each: "i1 = [..], i2 = [..]"
            pairs = re.findall(r"(i\d+) = \[([^]]*)\]", line)
            found.extend((name, [float(x) for x in v.split(", ")]) for name, v in pairs)
            continue
        if " = " not in line or line.startswith("("):
            continue
        lhs, value = line.split(" = ")[0], line.rsplit(" = ", 1)[1]
        value = value.strip("[]")
        try:
            found.append((lhs, [float(x) for x in value.split(", ")]))
        except ValueError:
            pass
    return found


def check_every_number(report_text: str, truth: dict, rel: float) -> int:
    checked = 0
    for lhs, values in printed(report_text):
        key = lhs
        m = re.match(r"dE_(o\w+)/dout_(\w+)$", lhs) or re.match(r"dE/dnet_(\w+) \* dnet_\w+/dout_(\w+)$", lhs)
        if m:                                  # one path: dE/dnet_above * w
            continue                           # (its value is checked through dE/dout below)
        if key not in truth:
            raise AssertionError(f"no truth for {lhs!r}")
        expected = np.atleast_1d(truth[key]).astype(float)
        assert np.allclose(values, expected, rtol=rel, atol=2e-9), (lhs, values, expected)
        checked += 1
    return checked


XOR = np.array([[0, 0], [0, 1], [1, 0]], dtype=float), np.array([[0.0], [1.0], [1.0]])


@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_xor_2_3_1_every_number_is_torchs(act):
    net = cr.Network([cr.Dense(2, 3, act), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=1)
    for X, Y in ((XOR[0][1:2], XOR[1][1:2]), XOR):           # one sample, a batch of 3
        text = cr.explain(net, X, Y, lr=0.5).text()
        assert check_every_number(text, torch_values(net, X, Y, lr=0.5), 1e-7) > 20


def test_iris_4_5_3_softmax_cross_entropy_every_number_is_torchs_and_the_fused_delta_is_explained():
    net = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    X = np.array([[5.1, 3.5, 1.4, 0.2], [6.4, 3.2, 4.5, 1.5], [6.3, 3.3, 6.0, 2.5]])
    for rows in (slice(0, 1), slice(0, 3)):
        y = np.array([0, 1, 2])[rows]
        text = cr.explain(net, X[rows], y, lr=0.1).text()
        assert check_every_number(text, torch_values(net, X[rows], y, lr=0.1), 1e-7) > 40
        # out - target is torch's gradient through softmax and the log: and the report says why, once
        assert text.count("Why out - target: each softmax output out_k reads every net") == 1
        assert "summed over k, that is -target_o + out_o sum(target), which is out_o - target_o as the" in text
        assert (", each sample's before the mean's 1/3;" in text) == (rows.stop == 3)


def test_relu_at_exactly_zero_prints_torchs_derivative(tmp_path):
    """net_h1 = 0.5*0.4 + (-0.5)*0.4 + 0 = 0 exactly: relu'(0) printed 0, torch's; leaky_relu's its slope, torch's."""
    path = tmp_path / "w.json"
    path.write_text(json.dumps([[[0.5], [-0.5]], [0.0], [[0.7]], [0.1]]))
    for act, slope in (("relu", 0.0), ("leaky_relu", 0.01)):
        run = cmd("explain", "--layers", "2,1,1", "--activation", f"{act},sigmoid", "--weights", path,
                  "--inputs", "0.4,0.4", "--targets", "1")
        z = torch.tensor([0.0], dtype=torch.float64, requires_grad=True)
        (torch.relu(z) if act == "relu" else torch.nn.functional.leaky_relu(z, 0.01)).sum().backward()
        assert z.grad.item() == slope
        assert (f"  dout_h1/dnet_h1 = 1 if net_h1 > 0 else {slope:g} = 1 if 0 > 0 else {slope:g} = {seed(slope)}\n"
                in run.stdout)
        assert "square" not in run.stderr            # a 1 x 1 W has nothing to transpose: no note


def test_float32_every_number_is_torchs_in_float32():
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=1, dtype="float32")
    X, Y = XOR[0][1:2].astype(np.float32), XOR[1][1:2].astype(np.float32)
    text = cr.explain(net, X, Y, lr=0.5).text()
    assert check_every_number(text, torch_values(net, X, Y, lr=0.5), 1e-6) > 20


def test_the_guide_quotes_the_fused_note_as_it_prints():
    from pathlib import Path
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    X, y = cr.examples.xor()
    text = cr.explain(net, X[1:2], y[1:2], lr=0.5, layer=1).text()
    block = guide.split("then each weight's line that reads it", 1)[1].split(":\n\n", 1)[1].split("\n\n", 1)[0]
    lines = [line.strip() for line in text.splitlines()]
    start = lines.index(block.splitlines()[0].strip())
    assert [line.strip() for line in block.splitlines()] == lines[start:start + 3]
    assert lines[start + 1].startswith("Why out - target: binary cross-entropy's dE/dout_o")


def test_a_hidden_slice_says_where_the_output_deltas_it_reads_come_from():
    """--layer 0 read dE/dnet_o1..o3 (-0.999996597, ...) with no line deriving them and no word of where one is."""
    sample = ["--layers", "4,5,3", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
              "--inputs", "5.1,3.5,1.4,0.2", "--targets", "0"]
    for chosen in (["--layer", "0"], ["--layer", "0", "--neuron", "2"]):
        text = cmd("explain", *sample, *chosen).stdout
        assert text.count("(dE/dnet_o1, dE/dnet_o2, dE/dnet_o3: the output layer's deltas, read here; --layer 1 "
                          "derives them)") == 1
    net = cr.Network([cr.Dense(4, 5, "relu"), cr.Dense(5, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    truth = torch_values(net, np.array([[5.1, 3.5, 1.4, 0.2]]), np.array([0]))
    derived = dict(printed(cmd("explain", *sample, "--layer", "1").stdout))
    for o in ("o1", "o2", "o3"):
        assert derived[f"dE/dnet_{o}"] == pytest.approx([float(truth[f"dE/dnet_{o}"][0])], rel=1e-8)
    assert "output layer's deltas" not in cr.explain(net, [[5.1, 3.5, 1.4, 0.2]], [0]).text()   # derived above
