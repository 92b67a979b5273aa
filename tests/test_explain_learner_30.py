"""What a learner trips on in `explain`: a figure written two ways in one report, a hint that names a slice less
direct than the one that shows just the unit, notes that ignore --width, and a class target that is not a class."""
from __future__ import annotations

import json
import math
import re

import numpy as np
import torch
from conftest import cmd

import chainrule as cr


def _forward_lines(text: str) -> dict[str, str]:
    """Each `  net_X = ...` and `  out_X = ...` line of the text form's forward pass, by its left side."""
    forward = text.split("Forward pass\n")[1].split("\nError")[0]
    return {line.split(" = ")[0].strip(): line for line in forward.splitlines() if line.startswith("  ")}


def _three_layer_net():
    """A 2-3-2-1 tanh/relu/sigmoid network, its sample, and PyTorch's nets of its units from the same weights."""
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "relu"), cr.Dense(2, 1, "sigmoid")], loss="sse", seed=4)
    net.set_weights([np.array([[0.5, -0.25, 0.1], [0.75, 0.3, -0.6]]), np.array([0.2, -0.1, 0.05]),
                     np.array([[0.4, -0.3], [0.6, 0.2], [-0.5, 0.9]]), np.array([0.1, 0.3]),
                     np.array([[0.7], [-0.8]]), np.array([0.25])])
    X, Y = np.array([[0.4, 0.2]]), np.array([[0.5]])
    x = torch.tensor(X)
    nets, a = [], x
    for lay, f in zip(net.dense_layers, (torch.tanh, torch.relu, torch.sigmoid)):
        z = a @ torch.tensor(lay.W) + torch.tensor(lay.b)
        nets.append(z[0].tolist())
        a = f(z)
    return net, X, Y, nets


def test_the_net_line_writes_its_figure_as_the_out_line_substitutes_it():
    # the seed writes net_h1 = ... = 0.3775 and then e^{-0.3775}; the net line wrote 0.377500000, the out line
    # 0.3775: one figure written two ways, two lines apart
    net, X, Y, lr = cr.examples.seed_network()
    lines = _forward_lines(cr.explain(net, X, Y, lr=lr).text())
    assert lines["net_h1"].endswith(" = 0.3775") and "e^-0.3775)" in lines["out_h1"]         # the seed's figure
    net, X, Y, torch_nets = _three_layer_net()
    for fmt in ("text", "markdown"):
        report = cr.explain(net, X, Y)
        text = report.text() if fmt == "text" else report.markdown()
        written = re.findall(r"^(?:  |\$\$)net_\{?(\w+?)\}? = [^\n]* = (-?[\d.]+)\$*$", text, re.M)
        assert len(written) == 6, written
        units = ["h1_1", "h1_2", "h1_3", "h2_1", "h2_2", "o1"]
        values = dict(written)
        for name, truth in zip(units, [v for layer in torch_nets for v in layer]):
            assert math.isclose(float(values[name]), truth, abs_tol=5e-10), (name, values[name], truth)
            out_line = next(line for line in text.splitlines() if line.lstrip("$ ").startswith(f"out_{{{name}}}")
                            or line.startswith(f"  out_{name} ="))
            shown = re.findall(r"-?\d+\.\d+(?:e[+-]\d+)?", out_line.split(" = ", 2)[-1].rsplit(" = ", 1)[0])
            if shown:          # relu and tanh and sigmoid substitute the net: as the net line wrote it
                assert values[name].lstrip("-") in {s.lstrip("-") for s in shown}, (fmt, out_line, values[name])


def test_softmax_substitutes_each_net_as_its_net_line_writes_it():
    net = cr.Network([cr.Dense(2, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.set_weights([np.array([[0.5, -0.25, 0.1], [0.75, 0.3, -0.6]]), np.array([0.2, -0.1, 0.05])])
    text = cr.explain(net, np.array([[0.4, 0.2]]), np.array([0])).text()
    lines = _forward_lines(text)
    nets = [lines[f"net_o{k}"].rsplit(" = ", 1)[1] for k in (1, 2, 3)]
    assert nets[0] == "0.55"                                          # 0.4*0.5 + 0.2*0.75 + 0.2, as the seed writes
    assert f"= exp({nets[0]}) / (exp({nets[0]}) + exp({nets[1]}) + exp({nets[2]}))" in lines["out_o1"], lines["out_o1"]


def test_a_hint_for_one_unit_of_several_names_its_neuron_and_typed_back_shows_just_it():
    # --layer 0 --neuron 1 said of h1 "--layer 0 derives it": the whole layer, where --neuron 0 shows h1 alone
    r = cmd("explain", "--layer", "0", "--neuron", "1")
    assert r.returncode == 0, r.stderr
    hint = re.search(r"out_h1 = [\d.]+ +\(the other units of hidden layer 1: (--layer \d+(?: --neuron \d+)?) derives "
                     r"it\)", r.stdout)
    assert hint and hint[1] == "--layer 0 --neuron 0", r.stdout
    again = cmd("explain", *hint[1].split())
    assert again.returncode == 0, again.stderr
    lines = _forward_lines(again.stdout)
    assert "net_h1" in lines and "net_h2" not in lines                 # h1 derived, and only h1 of its layer


def test_a_hint_for_a_whole_one_unit_layer_still_names_the_layer():
    net, X, Y, _ = _three_layer_net()
    said = cr.explain(net, X, Y, layer=0).text()
    assert "(dE/dnet_o1: the output layer's delta, read here; explain(..., layer=2) derives it)" in said, said


def test_width_fits_the_notes_on_stderr_as_it_fits_stdout():
    # into a pipe, --width 40 broke the report's lines but left the notes on stderr one long line each
    r = cmd("explain", "--layers", "2,3,1", "--width", "40")
    assert r.returncode == 0, r.stderr
    assert "note: a random sample" in r.stderr
    assert all(len(line) <= 40 for line in r.stdout.splitlines() + r.stderr.splitlines()), r.stderr
    whole = cmd("explain", "--layers", "2,3,1", "--width", "0")
    assert len(whole.stderr.splitlines()) == 2 and " ".join(r.stderr.split()) == " ".join(whole.stderr.split())


def test_a_binary_cross_entropy_random_sample_has_class_targets_and_typed_back_gives_the_same_report():
    for widths, seed in (("2,3,1", 0), ("2,3,2", 3), ("3,4,3", 7)):
        r = cmd("explain", "--layers", widths, "--loss", "binary_crossentropy", "--seed", str(seed), "--format", "json")
        assert r.returncode == 0, r.stderr
        targets = [v for t in json.loads(r.stdout)["targets"] for v in t["value"]]
        assert set(targets) <= {0.0, 1.0}, (widths, targets)
        said = re.search(r"--inputs (\S+) --targets (\S+)", r.stderr)
        assert [float(v) for v in said[2].split(",")] == targets, r.stderr
        first = json.loads(r.stdout)
        again = cmd("explain", "--layers", widths, "--loss", "binary_crossentropy", "--seed", str(seed), "--inputs",
                    said[1], "--targets", said[2], "--format", "json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["E_total"] == first["E_total"]


def test_binary_cross_entropy_by_net_writes_a_negative_net_once_parenthesised_and_its_numbers_give_e():
    # max((-0.714391532), 0) - (-0.714391532) * 1 + log1p(exp(-|(-0.714391532)|)): parentheses in parentheses
    r = cmd("explain", "--layers", "2,3,2", "--loss", "binary_crossentropy", "--seed", "3", "--inputs", "0.09,0.24",
            "--targets", "1,1")
    assert r.returncode == 0, r.stderr
    line = next(ln for ln in r.stdout.splitlines() if "log1p(exp(-|" in ln and "max(net_" in ln)
    assert "((" not in line and "|(" not in line, line
    m = re.search(r"max\((-?[\d.]+), 0\) - \(?(-?[\d.]+)\)? \* (-?[\d.]+) \+ log1p\(exp\(-\|(-?[\d.]+)\|\)\) = "
                  r"([\d.]+)$", line)
    assert m and m[1] == m[2] == m[4], line
    n, t = torch.tensor(float(m[1]), dtype=torch.float64), torch.tensor(float(m[3]), dtype=torch.float64)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(n, t)
    assert math.isclose(float(m[5]), float(expected), abs_tol=2e-9), (line, float(expected))
