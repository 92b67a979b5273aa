"""Every note saying where a number the report reads is derived names a slice that explain accepts (at most
MAX_PARAMETERS parameters) and that shows it, or the JSON where no slice can; each cut is said once per layer.
Truth: PyTorch autograd on the same weights."""
from __future__ import annotations

import json
import re

import numpy as np
import pytest
from conftest import cmd

import chainrule as cr

torch = pytest.importorskip("torch")
X = "0.5,0.25"


def deltas(widths: list[int], x: list[float], y: list[float]) -> list[np.ndarray]:
    """Each Dense layer's dE/dnet (sse, sigmoid: the command's defaults) by torch, on --seed 0's weights."""
    net = cr.Network([cr.Dense(a, b, "sigmoid") for a, b in zip(widths, widths[1:])], loss="sse", seed=0)
    a, nets = torch.tensor([x], dtype=torch.float64, requires_grad=True), []
    for lay in net.dense_layers:
        z = a @ torch.tensor(lay.W) + torch.tensor(lay.b)
        z.retain_grad()
        nets.append(z)
        a = torch.sigmoid(z)
    (0.5 * ((torch.tensor([y], dtype=torch.float64) - a) ** 2).sum()).backward()
    return [z.grad.numpy()[0] for z in nets]


def printed(text: str, name: str) -> float:
    return float(re.search(rf"^  {re.escape(name)} = .* = (\S+)(   \(.*\))?$", text, re.M)[1])


def delta(text: str, o: str) -> float:
    """An output's dE/dnet as the output slice derives it: dE/dout * dout/dnet."""
    return printed(text, f"dE/dout_{o}") * printed(text, f"dout_{o}/dnet_{o}")


def explain(layers: str, *more: str):
    targets = ",".join(["0.5"] * int(layers.split(",")[-1]))
    r = cmd("explain", "--layers", layers, "--inputs", X, "--targets", targets, *more)
    assert r.returncode == 0, r.stderr
    return r.stdout


def test_an_output_slice_too_large_is_not_advised_its_neuron_is():
    """--layers 2,3,40 --layer 0 advised --layer 1, refused there: 160 parameters."""
    text = explain("2,3,40", "--layer", "0")
    assert "the output layer's deltas, read here; --layer 1 --neuron J derives unit J's (J 0-based: 0 is o1)" in text
    truth = deltas([2, 3, 40], [0.5, 0.25], [0.5] * 40)
    assert delta(explain("2,3,40", "--layer", "1", "--neuron", "0"), "o1") == pytest.approx(truth[1][0], rel=1e-6)


def test_deltas_read_two_layers_up_say_where_they_are_derived():
    """--layers 2,3,2,2 --layer 0 --neuron 0 read dE/dnet_o1, dE/dnet_o2 in h2's deltas with no word of where."""
    text = explain("2,3,2,2", "--layer", "0", "--neuron", "0")
    assert text.count("(dE/dnet_o1, dE/dnet_o2: the output layer's deltas, read here; --layer 2 derives them)") == 1
    truth = deltas([2, 3, 2, 2], [0.5, 0.25], [0.5, 0.5])
    shown = explain("2,3,2,2", "--layer", "2")
    assert [delta(shown, f"o{k}") for k in (1, 2)] == pytest.approx(truth[2], rel=1e-6)


def test_one_output_delta_is_its_delta():
    text = explain("2,3,1", "--layer", "0")
    assert "(dE/dnet_o1: the output layer's delta, read here; --layer 1 derives it)" in text


def test_a_delta_no_slice_derives_points_to_the_json_and_is_said_once_for_the_layer():
    """--layers 2,130,6,6 --layer 0 --neuron 0 advised --layer 1 --neuron 0, a 131-parameter unit: refused; and
    --layers 2,3,100,6 wrote the same cut note once per unit, 100 of them."""
    text = explain("2,130,6,6", "--layer", "0", "--neuron", "0")
    assert "--layer 1 --neuron" not in text
    assert text.count("4 of the 6 terms of each sum left out; no slice writes them out (131 parameters a unit, "
                      "more than 120); --format json's \"parameters\"'s paths list each delta") == 1
    data = json.loads(explain("2,130,6,6", "--layer", "0", "--neuron", "0", "--format", "json"))
    truth = deltas([2, 130, 6, 6], [0.5, 0.25], [0.5] * 6)
    paths = data["parameters"][0]["paths"]
    assert [q["delta"]["dE/dnet"][0] for q in paths] == pytest.approx(truth[1])
    assert [t["dE/dnet"][0] for t in paths[0]["delta"]["terms"]] == pytest.approx(truth[2])
    many = explain("2,3,100,6", "--layer", "0", "--neuron", "0")
    assert len(re.findall(r"terms of (its|each) sum left out", many)) == 1
    assert "dE/dnet_h2_1, dE/dnet_h2_2, dE/dnet_h2_3, ... and 97 more: 4 of the 6 terms of each sum" in many


def test_the_outputs_a_neuron_slice_reads_are_not_advised_to_a_refused_slice():
    """--layers 130,2,3 --layer 1 --neuron 0 advised --layer 0 (260 parameters), and each neuron of it has 131."""
    x = ",".join(["0.01"] * 130)
    r = cmd("explain", "--layers", "130,2,3", "--inputs", x, "--targets", "0.5,0.5,0.5", "--layer", "1",
            "--neuron", "0")
    line = next(ln for ln in r.stdout.splitlines() if ln.startswith("  out_h1 = "))
    assert line.endswith("(hidden layer 1: no slice writes them out (131 parameters a unit, more than 120); "
                         "--format json's \"layers\"[0][\"neurons\"][J] has unit J's weights, net and out)")
    assert "--layer 0" not in line
    data = json.loads(cmd("explain", "--layers", "130,2,3", "--inputs", x, "--targets", "0.5,0.5,0.5", "--layer", "1",
                          "--neuron", "0", "--format", "json").stdout)
    net = cr.Network([cr.Dense(130, 2, "sigmoid"), cr.Dense(2, 3, "sigmoid")], loss="sse", seed=0)
    h = torch.sigmoid(torch.full((1, 130), 0.01, dtype=torch.float64) @ torch.tensor(net.dense_layers[0].W)
                      + torch.tensor(net.dense_layers[0].b))
    assert [nr["out"][0] for nr in data["layers"][0]["neurons"]] == pytest.approx(h.numpy()[0])


def test_a_wide_softmax_says_its_denominator_is_cut_once():
    r = cmd("explain", "--layers", "2,3,6", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
            "--inputs", "0.5,0.2", "--targets", "1")
    assert r.stdout.count("exp(net_o1) + exp(net_o2) + ... + exp(net_o6)") == 7      # six out lines and one note
    assert r.stdout.count("3 of its 6 terms left out") == 1


def test_fused_note_for_targets_not_summing_to_1_titles_what_is_shown():
    net = cr.Network([cr.Dense(2, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    X_, Y = np.array([[0.5, 0.2]]), np.array([[0.3, 0.7000001]])
    text = cr.explain(net, X_, Y).text()
    assert "Why out - target" not in text
    assert "Why out sum(target) - target:" in text and "these sum to 1.0000001, so" in text
    assert "out_o(1 - out_o) for k = o" in text
    z = torch.tensor(X_, requires_grad=True) @ torch.tensor(net.dense_layers[0].W) + torch.tensor(net.dense_layers[0].b)
    z.retain_grad()
    (-(torch.tensor(Y) * torch.log_softmax(z, 1)).sum()).backward()
    assert printed(text, "dE/dnet_o1") == pytest.approx(z.grad.numpy()[0, 0])


def test_zeroed_paths_name_each_samples_own_cause(tmp_path):
    """Sample 2's dE/dnet_h2_1 was flushed itself, not through h3_1: the note said h3_1 for both samples."""
    (tmp_path / "z.json").write_text("[[[0.3],[0.2]],[0.35],[[0.5]],[0.1],[[0.5]],[0.1],[[1e-300]],[0.6]]")
    r = cmd("explain", "--layers", "2,1,1,1,1", "--activation", "tanh,tanh,tanh,linear", "--weights",
            str(tmp_path / "z.json"), "--inputs", "0.05,0.1;0.05,0.1", "--targets", "0.01;-4.0")
    note = next(ln for ln in r.stdout.splitlines() if "dE/dnet_h2_1 of samples 1, 2 reads 0 here" in ln)
    assert "through dE/dnet_h3_1, which the engine set to 0 for sample 1 " in note
    assert "the engine set it to 0 for sample 2 as below" in note
    # torch: sample 2's own dE/dnet_h2_1 is below the flush threshold, sample 1's is not (its 0 comes from above)
    W = json.loads((tmp_path / "z.json").read_text())
    a = torch.tensor([[0.05, 0.1]] * 2, dtype=torch.float64, requires_grad=True)
    nets = []
    for k in range(4):
        z = a @ torch.tensor(W[2 * k], dtype=torch.float64) + torch.tensor(W[2 * k + 1], dtype=torch.float64)
        z.retain_grad()
        nets.append(z)
        a = torch.tanh(z) if k < 3 else z
    (0.5 * ((torch.tensor([[0.01], [-4.0]], dtype=torch.float64) - a) ** 2).sum()).backward()
    h3 = abs(nets[2].grad.numpy()[:, 0])
    assert h3[0] < 1.5e-300 < h3[1]         # sample 1's 0 comes through h3_1; sample 2's h3_1 is kept, not its cause


def test_a_long_sums_note_says_j_is_0_based_and_where_its_values_are():
    """'[J] lists every weight of unit J, its value and its input': J=0 is h1, and 'its input' was only a name."""
    x = ",".join(["0.01"] * 130)
    text = cmd("explain", "--layers", "130,2,1", "--inputs", x, "--targets", "0.5", "--layer", "1").stdout
    assert ("--format json's \"layers\"[0][\"neurons\"][J] lists every weight of unit J (J 0-based: 0 is h1) and its "
            "value; the values it multiplies are the inputs)") in text


@pytest.mark.parametrize("n_in,n_out", [(59, 2), (60, 2), (119, 1), (120, 1), (119, 3), (120, 3), (3, 40)])
def test_one_fits_rule_for_slice_advice_and_derived_by(n_in, n_out):
    """explain's slice advice and the derivation notes name the same slices: a layer whose arrays hold at most
    MAX_PARAMETERS numbers, else a neuron whose weights and bias do, else none (counted from the layer's arrays)."""
    from chainrule.teach import derivation, notation
    from chainrule.teach.explain import fitting_layers

    net = cr.Network([cr.Dense(n_in, n_out, "sigmoid")], loss="sse", seed=0)
    lay = net.dense_layers[0]
    whole, one = lay.W.size + lay.b.size <= 120, lay.W.shape[0] + 1 <= 120
    assert (notation.layer_fits(n_in, n_out), notation.neuron_fits(n_in)) == (whole, one)
    assert fitting_layers(net) == ([0] if whole else [])
    d = {"layers": [{"neurons": [{"name": f"o{j + 1}", "weights": [0.0] * n_in} for j in range(n_out)]}]}
    said = derivation.derived_by(d, 0, ["o1"], "the JSON")
    assert said.startswith("explain(..., layer=0) derives" if whole and n_out == 1 else    # o1 of several: its neuron
                           "explain(..., layer=0, neuron=0) derives" if one else "no slice writes it out")


@pytest.mark.parametrize("widths, layer, advice", [
    ([12, 8, 4], None, "Explain a slice: --layer 0 or 1 (the layers of at most 120 parameters), or --layer L --neuron "
                       "J for one neuron."),
    ([20, 20, 2], None, "Explain a slice: --layer 1 (the only layer of at most 120 parameters), or --layer L --neuron "
                        "J for one neuron."),
    ([12, 8, 8, 4], None, "Explain a slice: --layer L for one layer L (one of 0, 1, 2: the layers of at most 120 "
                          "parameters), or --layer L --neuron J for one neuron."),
    ([4, 100, 3], None, "Explain a slice: --layer L --neuron J for one neuron."),
    ([4, 100, 3], 1, "Explain a slice: --layer 1 --neuron J for one neuron J in 0..2 of it."),
    ([200, 3, 1], None, "Explain a slice: --layer 1 (the only layer of at most 120 parameters), or --layer 1 --neuron "
                        "J for one neuron of it."),
    ([200, 3, 4, 1], None, "Explain a slice: --layer 1 or 2 (the layers of at most 120 parameters), or --layer L "
                             "--neuron J for one neuron of a layer L (1 or 2)."),
    ([200, 3, 1], 0, "Its neurons have 201 parameters each, too many to write out too (in Python, net.gradients(X, Y) "
                     "and chainrule.gradcheck give their numbers)")])
def test_the_commands_slice_advice_names_the_values_to_type(widths, layer, advice):
    """The command's advice read 'for one layer L in [1]': a Python list, and a placeholder where the one value to
    type is 1. It now names the values themselves, in the command's words."""
    args = ["explain", "--layers", ",".join(map(str, widths)), "--activation", "relu", "--inputs",
            ",".join(["0.1"] * widths[0]), "--targets", ",".join(["0"] * widths[-1])]
    r = cmd(*args, *(["--layer", str(layer)] if layer is not None else []))
    assert r.returncode == 2 and r.stderr.rstrip().endswith(advice), r.stderr
    assert "explain(" not in r.stderr and "[" not in r.stderr
