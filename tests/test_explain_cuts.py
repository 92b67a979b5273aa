"""Every cut the report makes in what it writes is said, once, with what it left out and where the
rest is; every list of names is shortened one way. Truth: PyTorch on the same weights."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
import torch
from conftest import cmd
from seed_rule import seed

import chainrule as cr
from chainrule.teach.notation import shortened

WIDE = 130           # a sum of 130 weighted terms: more than any slice writes out


def torch_nets(net, X):
    """Each Dense layer's net input, by torch from the network's weights."""
    a, nets = torch.tensor(X, dtype=torch.float64), []
    for lay in net.dense_layers:
        z = a @ torch.tensor(lay.W) + torch.tensor(lay.b)
        nets.append(z.numpy())
        a = torch.sigmoid(z)
    return nets


def test_a_sum_too_long_for_any_slice_says_its_cut_and_the_json_lists_every_term():
    """net_h1 of a 130-input layer was written 'w1*i1 + w2*i2 + ... + w130*i130' with no word of the 127
    terms left out (a neuron slice's own cut had its note; this one had none)."""
    inputs = ",".join(f"{0.01 * (k % 7):g}" for k in range(WIDE))
    args = ["explain", "--layers", f"{WIDE},2,1", "--layer", "1", "--inputs", inputs, "--targets", "1"]
    text = cmd(*args).stdout
    note = re.findall(r"\(net_h1, net_h2: (\d+) of their (\d+) weighted terms left out.*", text)
    assert note == [(str(WIDE - 3), str(WIDE))], text
    assert "--format json's \"layers\"[0][\"neurons\"][J] lists every weight of unit J" in text
    assert "report.to_dict()" not in text                  # the command's words, not Python's
    md = cmd(*args, "--format", "markdown").stdout
    assert md.count(f"{WIDE - 3} of their {WIDE} weighted terms left out") == 1
    # the advice works: the JSON's neurons give every term, and they add up to torch's net input
    data = json.loads(cmd(*args, "--format", "json").stdout)
    net = cr.Network([cr.Dense(WIDE, 2), cr.Dense(2, 1)], loss="sse", seed=0)
    X = np.array([[float(v) for v in inputs.split(",")]])
    expected = torch_nets(net, X)[0][0]
    x = {u["name"]: u["value"][0] for u in data["inputs"]}
    for j, neuron in enumerate(data["layers"][0]["neurons"]):
        assert len(neuron["weights"]) == len(neuron["weight_values"]) == len(neuron["inputs"]) == WIDE
        total = sum(w * x[i] for w, i in zip(neuron["weight_values"], neuron["inputs"])) + neuron["bias_value"]
        assert total == pytest.approx(expected[j], abs=1e-12)
    # and in Python, as the report's own note says
    report = cr.explain(net, X, [[1.0]], layer=1)
    assert 'report.to_dict()["layers"][0]["neurons"][J] lists every weight of unit J' in report.text()
    assert len(report.to_dict()["layers"][0]["neurons"][1]["weight_values"]) == WIDE


def test_one_way_of_shortening_a_list_of_names():
    """report.py wrote 'w1, w2, ..., w130 (130)' and 'net_o1, net_o3, net_o4, ..., net_o9, net_o10', the command
    'out_h1 = .., out_h2 = .., out_h3 = .., ..., ..': three ways, one of them counting nothing."""
    assert shortened(["a", "b"]) == "a, b"
    assert shortened([f"n{k}" for k in range(8)]) == "n0, n1, n2, n3, n4, n5, n6, n7"
    assert shortened([f"n{k}" for k in range(20)]) == "n0, n1, n2, ... and 17 more"
    net = cr.Network([cr.Dense(WIDE, 2), cr.Dense(2, 1)], loss="sse", seed=0)
    X = np.full((1, WIDE), 0.5)
    with pytest.raises(cr.errors.ValidationError) as info:
        cr.explain(net, X, [[1.0]], layer=1).parameter("w1")
    assert str(info.value).endswith("this report lists w261, w262 and b_o1")
    # the whole network, but a layer of 12 inputs: its 36 weights' names
    small = cr.Network([cr.Dense(12, 3), cr.Dense(3, 1)], loss="sse", seed=0)
    with pytest.raises(cr.errors.ValidationError) as info:
        cr.explain(small, np.full((1, 12), 0.5), [[1.0]]).parameter("w99")
    assert str(info.value).endswith("this report lists w1, w2, w3, ... and 36 more; b_o1, b_h1, b_h2, b_h3")
    # the command's line of a wide layer's outputs: the same form, with torch's numbers
    wide = cr.Network([cr.Dense(2, 12, "sigmoid"), cr.Dense(12, 1, "sigmoid")], loss="sse", seed=0)
    out = torch.sigmoid(torch.tensor(torch_nets(wide, np.array([[0.5, 0.25]]))[0][0])).numpy()
    text = cmd("explain", "--layers", "2,12,1", "--layer", "1", "--neuron", "0", "--inputs", "0.5,0.25",
               "--targets", "1").stdout
    assert (f"  out_h1 = {seed(out[0])}, out_h2 = {seed(out[1])}, out_h3 = {seed(out[2])}, ... and 9 more   "
            "(hidden layer 1: --layer 0 derives them)") in text


def test_the_slice_line_of_a_single_unit_names_it_alone():
    """'(units o1..o1)' for an output layer of one unit."""
    text = cmd("explain", "--layers", "2,2,1", "--layer", "1", "--inputs", "0.5,0.25", "--targets", "1").stdout
    assert "into the output layer (unit o1)\n" in text


def test_a_hidden_deltas_sum_by_its_ends_says_so_and_the_slice_it_names_writes_each_term():
    """dE/dnet_h2_1 = (dE/dnet_o1 * w9 + ... + dE/dnet_o6 * w19) * ... left 4 terms out unsaid."""
    sample = ["--inputs", "0.5,0.25", "--targets", "1,0,0,0,0,0"]
    text = cmd("explain", "--layers", "2,2,2,6", "--layer", "0", "--neuron", "0", *sample).stdout
    assert text.count("(dE/dnet_h2_1, dE/dnet_h2_2: 4 of the 6 terms of each sum left out; --layer 1 derives them, "
                      "writing every term)") == 1
    # the advice works: that slice writes the six terms, each torch's dE/dnet_o * w
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 6, "sigmoid")], loss="sse",
                     seed=0)
    a, nets = torch.tensor([[0.5, 0.25]], dtype=torch.float64, requires_grad=True), []
    for lay in net.dense_layers:
        z = a @ torch.tensor(lay.W) + torch.tensor(lay.b)
        z.retain_grad()
        nets.append(z)
        a = torch.sigmoid(z)
    (0.5 * ((torch.tensor([[1.0, 0, 0, 0, 0, 0]], dtype=torch.float64) - a) ** 2).sum()).backward()
    delta, W = nets[2].grad.numpy()[0], net.dense_layers[2].W
    whole = cmd("explain", "--layers", "2,2,2,6", "--layer", "1", *sample).stdout
    for k in range(6):
        line = whole.split(f"dE_o{k + 1}/dout_h2_1 = dE/dnet_o{k + 1}", 1)[1].split("\n", 1)[0]
        assert line.endswith(f" = {seed(delta[k] * W[0, k])}")


def test_gradchecks_units_at_a_kink_are_shortened_the_same_way():
    """gradcheck listed all 20 units of a ReLU layer at net = 0, 'h1, h2, ..., h20', in one sentence."""
    net = cr.Network([cr.Dense(2, 20, "relu"), cr.Dense(20, 1)], loss="sse", seed=0)
    weights = net.get_weights()
    weights[0][:], weights[1][:] = 0, 0
    net.set_weights(weights)
    assert not net.forward(np.ones((1, 2))).any() and not net.dense_layers[0].net.any()    # all 20 at the kink
    with pytest.raises(cr.errors.ValidationError, match=r"sample 0 puts h1, h2, h3, \.\.\. and 17 more at net = 0 "):
        cr.gradcheck(net, np.ones((1, 2)), np.ones((1, 1)))


def test_an_unknown_name_in_a_slice_of_a_network_too_large_to_write_whole_is_not_told_to_drop_layer():
    """'explain without layer= lists every one' for a 130-2-1 network, whose explain without layer= is refused."""
    net = cr.Network([cr.Dense(WIDE, 2), cr.Dense(2, 1)], loss="sse", seed=0)
    X, Y = np.full((1, WIDE), 0.5), np.ones((1, 1))
    with pytest.raises(cr.errors.ValidationError, match="explain prints at most"):
        cr.explain(net, X, Y)
    with pytest.raises(cr.errors.ValidationError) as info:
        cr.explain(net, X, Y, layer=1).parameter("w1")
    assert "explain without layer=" not in str(info.value)
    assert "net.gradients(X, Y) gives every gradient" in str(info.value)
    # the advice works: w1's gradient, torch's
    Xt = torch.tensor(X)
    W, b = (torch.tensor(a, requires_grad=True) for a in (net.dense_layers[0].W, net.dense_layers[0].b))
    out = (Xt @ W + b) @ torch.tensor(net.dense_layers[1].W) + torch.tensor(net.dense_layers[1].b)
    (0.5 * ((torch.tensor(Y) - out) ** 2).sum()).backward()
    assert net.gradients(X, Y)[0][0][0, 0] == pytest.approx(W.grad[0, 0].item(), rel=1e-12)
    small = cr.Network([cr.Dense(2, 2), cr.Dense(2, 1)], loss="sse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match="explain without layer= lists every one"):
        cr.explain(small, [[0.5, 0.5]], [[1.0]], layer=1).parameter("w1")
