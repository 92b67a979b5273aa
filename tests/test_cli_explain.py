"""`chainrule explain` in a subprocess: the seed by default, networks from options, saved models."""
import json
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr


def cli(*args):
    return subprocess.run([sys.executable, "-m", "chainrule.cli", "explain", *map(str, args)],
                          capture_output=True, text=True)


SEED_WEIGHTS = [[[0.15, 0.25], [0.2, 0.3]], [0.35, 0.35], [[0.4, 0.5], [0.45, 0.55]], [0.6, 0.6]]


def test_help_has_an_example():
    r = cli("--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "chainrule explain --layers" in r.stdout


def test_seed_by_default_in_every_format():
    r = cli("--lr", 0.5)
    assert r.returncode == 0, r.stderr
    for figure in ("0.593269992", "0.298371109", "0.082167041", "0.358916480", "0.149780716"):
        assert figure in r.stdout
    r = cli("--format", "markdown", "--lr", 0.5)
    assert r.returncode == 0 and "$$\\frac{\\partial E_{total}}{\\partial w_{5}}" in r.stdout
    assert "0.358916480" in r.stdout
    r = cli("--format", "json")
    d = json.loads(r.stdout)
    net, X, Y, _ = cr.examples.seed_network()
    grads = net.gradients(X, Y)
    assert d["E_total"] == net.loss(X, Y)
    for p in d["parameters"]:
        dW, db = grads[p["layer"]]
        assert p["grad"] == (dW[tuple(p["index"])] if p["kind"] == "W" else db[p["index"][0]])


def test_formulas():
    r = cli("--formulas", "--layers", "2,3,2,1", "--activation", "tanh")
    assert r.returncode == 0 and "result (b)" in r.stdout and "\\sum_{k}" in r.stdout


def test_network_from_options_json_weights(tmp_path):
    weights = tmp_path / "w.json"
    weights.write_text(json.dumps(SEED_WEIGHTS))
    r = cli("--layers", "2,2,2", "--weights", weights, "--inputs", "0.05,0.1", "--targets", "0.01,0.99",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["E_total"] == pytest.approx(0.298371109, abs=1e-9)


def test_network_from_options_npz_weights_tanh(tmp_path):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "tanh")], loss="sse", seed=3)
    net.save(tmp_path / "w.npz")
    X, Y = np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]])
    r = cli("--layers", "2,3,2", "--activation", "tanh", "--loss", "sse", "--weights", tmp_path / "w.npz",
            "--inputs", "0.05,0.1", "--targets", "0.01,0.99", "--lr", 0.5, "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert d["E_total"] == net.loss(X, Y) and d["lr"] == 0.5
    assert [p["grad"] for p in d["parameters"] if p["name"] == "w1"] == [net.gradients(X, Y)[0][0][0, 0]]


def test_layer_and_neuron_slices_several_samples():
    r = cli("--layers", "2,3,2", "--activation", "tanh", "--inputs", "1,2;3,4", "--targets", "0,1;1,0",
            "--layer", 1)
    assert r.returncode == 0 and "Backward pass: output layer" in r.stdout and "hidden layer" not in r.stdout
    assert "mean over 2 samples" in r.stdout
    r = cli("--layers", "2,3,2", "--inputs", "1,2", "--targets", "0,1", "--layer", 0, "--neuron", 2,
            "--format", "json")
    assert {p["to"] for p in json.loads(r.stdout)["parameters"]} == {"h3"}


def test_saved_model(tmp_path):
    net, X, Y, _ = cr.examples.seed_network()
    net.save(tmp_path / "m.npz")
    r = cli("--model", tmp_path / "m.npz", "--inputs", "0.05,0.1", "--targets", "0.01,0.99", "--format", "markdown")
    assert r.returncode == 0 and "0.298371109" in r.stdout


@pytest.mark.parametrize("args,message", [
    (["--model", "MODEL"], "--inputs and --targets"),
    (["--layers", "2,x"], "--layers must be integers"),
    (["--layers", "2"], "at least two widths"),
    (["--layers", "2,2", "--inputs", "1,a", "--targets", "1,0"], "--inputs must be numbers"),
    (["--layers", "2,2", "--inputs", "1,2,3", "--targets", "1,0"], "features"),
    (["--layers", "40,40,2", "--inputs", ",".join(["1"] * 40), "--targets", "1,0"], "layer="),
    (["--lr", "-1"], "lr"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    cr.examples.seed_network()[0].save(tmp_path / "m.npz")
    r = cli(*[str(tmp_path / "m.npz") if a == "MODEL" else a for a in args])
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr
