"""Explain's numbers to the last digit it writes: a float32 network's update rounded in float32 as training
rounds it, checked against torch; a delta the engine sets to 0 as too small to matter, said so."""
import json
import re

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

torch = pytest.importorskip("torch")

X = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9]], dtype=np.float32)
Y = np.array([[1, 0], [0, 1], [0.5, 0.5]], dtype=np.float32)


@pytest.mark.parametrize("seed", [0, 2, 4])
def test_a_float32_update_is_rounded_in_float32_as_a_training_step_rounds_it(seed):
    net = cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 2, "linear")], loss="mse", dtype="float32", seed=seed)
    lr = 0.37
    report = cr.explain(net, X, Y, lr=lr)
    text = report.text()
    for p in report.to_dict()["parameters"]:
        # torch's float32 update of the report's own weight and gradient (those are checked elsewhere)
        w = torch.tensor(p["value"], dtype=torch.float32) - lr * torch.tensor(p["grad"], dtype=torch.float32)
        expected = np.float32(w.item())
        assert np.float32(p["updated"]) == expected, p["name"]
        shown = re.search(rf"^  {re.escape(p['name'])}\+ = .* = (\S+)$", text, re.M)
        assert shown is not None and np.float32(shown.group(1)) == expected, p["name"]
    net.step(X, Y, lr)                               # and it is the weight the step leaves
    for p in report.to_dict()["parameters"]:
        layer = net.dense_layers[p["layer"]]
        after = layer.W[tuple(p["index"])] if p["kind"] == "W" else layer.b[p["index"][0]]
        assert np.float32(p["updated"]) == after, p["name"]


@pytest.mark.parametrize("hidden", ["tanh", "linear", "relu"])
def test_a_delta_the_engine_sets_to_zero_as_too_small_is_said_so(hidden):
    # an output weight of 1e-300 gives hidden unit h1 a delta near 3e-301, which the engine sets to 0
    net = cr.Network([cr.Dense(2, 1, hidden), cr.Dense(1, 1, "linear")], loss="sse", dtype="float64")
    weights = [np.array([[0.3], [0.2]]), np.array([0.35]), np.array([[1e-300]]), np.array([0.6])]
    net.set_weights(weights)
    X, Y = np.array([[0.05, 0.1]]), np.array([[0.01]])
    W1, b1, W2, b2 = (torch.tensor(w, requires_grad=True) for w in weights)
    act = {"tanh": torch.tanh, "linear": lambda t: t, "relu": torch.relu}[hidden]
    out_h = act(torch.tensor(X) @ W1 + b1)
    out_h.retain_grad()
    E = 0.5 * ((out_h @ W2 + b2 - torch.tensor(Y)) ** 2).sum()
    E.backward()
    assert W1.grad[0, 0].item() != 0                          # autograd's gradient of w1 is not 0 ...
    report = cr.explain(net, X, Y)
    assert report.parameter("w1")["grad"] == 0                # ... the engine's is: it flushed the delta
    assert report.parameter("w1")["flushed"] == [True]
    assert report.parameter("w1")["dE/dout"] == pytest.approx([out_h.grad[0, 0].item()], rel=1e-12)
    text = report.text()
    shown = re.search(r"^  dE/dout_h1 = dE_o1/dout_h1 = (\S+)$", text, re.M)
    assert shown is not None and float(shown.group(1)) == pytest.approx(out_h.grad[0, 0].item(), rel=1e-6)
    assert "dE/dnet_h1 is below 1.5e-300 in magnitude: the engine sets a delta this small to 0" in text
    assert report.parameter("w3")["flushed"] is None and "dE/dnet_o1 is below" not in text


def test_a_delta_set_to_zero_in_one_sample_of_several_zeroes_that_samples_share_only():
    """With several samples only the flushed sample's share of the gradients is 0, not the gradients: the note said
    "the gradients below read 0 there" though the mean over the samples (here sample 2's share) is not."""
    net = cr.Network([cr.Dense(2, 1, "tanh"), cr.Dense(1, 1, "linear")], loss="sse", dtype="float64")
    weights = [np.array([[0.3], [0.2]]), np.array([0.35]), np.array([[1e-300]]), np.array([0.6])]
    net.set_weights(weights)
    X, Y = np.array([[.05, .1], [.1, .2], [.3, .1]]), np.array([[.01], [.6 - 1e3], [.6]])
    W1, b1, W2, b2 = (torch.tensor(w, requires_grad=True) for w in weights)
    E = 0.5 * ((torch.tanh(torch.tensor(X) @ W1 + b1) @ W2 + b2 - torch.tensor(Y)) ** 2).sum(dim=1).mean()
    E.backward()
    report = cr.explain(net, X, Y)
    w1 = report.parameter("w1")
    assert w1["flushed"] == [True, False, False]
    # the mean over the samples without sample 1's share, which torch keeps (3e-4 of the whole: approx's default
    # abs=1e-12 hid it at 1e-299)
    shares = 0.5 * ((torch.tanh(torch.tensor(X[1:]) @ W1 + b1) @ W2 + b2 - torch.tensor(Y[1:])) ** 2).sum() / len(X)
    unflushed = torch.autograd.grad(shares, W1)[0][0, 0].item()
    assert w1["grad"] != 0 and w1["grad"] == pytest.approx(unflushed, rel=1e-9, abs=0)
    assert w1["grad"] != pytest.approx(W1.grad[0, 0].item(), rel=1e-4, abs=0)
    text = report.text()
    assert "so dE/dnet_h1 of sample 1 is 0 and adds nothing to the gradients below, where the product" in text
    assert "the gradients below read 0" not in text


def test_a_zeroed_delta_is_said_where_the_layers_below_read_its_zero(tmp_path):
    """The engine set dE/dnet_h3_1 to 0 (its note in hidden layer 3); hidden layers 2 and 1 then read
    dE/dnet_h3_1 = 0 and dE/dnet_h2_1 = 0 where the printed factors' product (and torch's) is not, with no word."""
    weights = [np.array([[0.3], [0.2]]), np.array([0.35]), np.array([[0.5]]), np.array([0.1]), np.array([[0.5]]),
               np.array([0.1]), np.array([[1e-300]]), np.array([0.6])]
    net = cr.Network([cr.Dense(2, 1, "tanh"), cr.Dense(1, 1, "tanh"), cr.Dense(1, 1, "tanh"),
                      cr.Dense(1, 1, "linear")], loss="sse")
    net.set_weights(weights)
    X, Y = np.array([[0.05, 0.1]]), np.array([[0.01]])
    params = [torch.tensor(w, requires_grad=True) for w in weights]
    a, nets = torch.tensor(X), []
    for k in range(0, 8, 2):
        z = a @ params[k] + params[k + 1]
        z.retain_grad()
        nets.append(z)
        a = torch.tanh(z) if k < 6 else z
    (0.5 * ((a - torch.tensor(Y)) ** 2).sum()).backward()
    assert nets[2].grad.item() != 0 and nets[1].grad.item() != 0 and params[0].grad[0, 0].item() != 0
    report = cr.explain(net, X, Y)
    assert report.parameter("w1")["grad"] == 0 and report.parameter("w3")["grad"] == 0     # the engine's 0s
    text = report.text()
    below = text.split("Backward pass: hidden layer 2")[1]
    assert below.count("reads 0 here") == 2
    assert ("  dE/dnet_h3_1 reads 0 here: the engine set it to 0 as below 1.5e-300 in magnitude (the note in hidden "
            "layer 3's backward pass says why), so its term of dE/dout_h2_1 is 0 where the product of the factors is "
            "not") in text
    assert ("  dE/dnet_h2_1 reads 0 here: it reads 0 through dE/dnet_h3_1, which the engine set to 0 as below 1.5e-300 "
            "in magnitude") in text
    assert report.parameter("w1")["paths"][0]["zeroed"] == ["h3_1"]
    assert report.parameter("w4")["paths"][0]["zeroed"] is None           # o1's delta is not 0
    # the command, one slice: the cause's layer named as an option
    path = tmp_path / "w.json"
    path.write_text(json.dumps([w.tolist() for w in weights]))
    out = cmd("explain", "--layers", "2,1,1,1,1", "--activation", "tanh,tanh,tanh,linear", "--weights", path,
              "--inputs", "0.05,0.1", "--targets", "0.01", "--layer", "0").stdout
    assert "through dE/dnet_h3_1, which the engine set to 0 as below 1.5e-300 in magnitude (--layer 2 says why)" in out


def test_a_flushed_linear_units_dE_dout_reads_alike_in_its_own_entry_and_in_the_paths_below():
    """A linear unit's delta is its cached dE/dout, set to 0 with it where tiny: its own entry read dE/dout again
    from the layer above, but the paths of the layer below (`hidden_delta`) read the zeroed cache: -0.0 beside the
    unit's own -1e-301 in one report. Both are torch's dE/dout now."""
    import torch
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "sigmoid")], loss="mse",
                     seed=0)
    net.set_weights([np.array([[0.5]]), np.array([0.1]), np.array([[0.5]]), np.array([0.1]),
                     np.array([[1e-300]]), np.array([0.6])])
    X, Y = np.array([[0.3]]), np.array([[0.01]])
    d = cr.explain(net, X, Y).to_dict()
    own = next(p for p in d["parameters"] if p["name"] == "w2")["dE/dout"][0]
    read = next(p for p in d["parameters"] if p["name"] == "w1")["paths"][0]["delta"]["dE/dout"][0]
    ws = [torch.tensor(w, requires_grad=True) for w in net.get_weights()]
    h1 = torch.tensor(X) @ ws[0] + ws[1]
    h2 = h1 @ ws[2] + ws[3]
    h2.retain_grad()
    out = torch.sigmoid(h2 @ ws[4] + ws[5])
    ((out - torch.tensor(Y)) ** 2).mean().backward()              # mse: the mean of (target - out)^2
    truth = float(h2.grad[0, 0])
    assert truth != 0      # tiny: compared relatively only (approx's default abs would take 0 for 1e-301)
    assert own == pytest.approx(truth, rel=1e-12, abs=0) and read == pytest.approx(truth, rel=1e-12, abs=0)
