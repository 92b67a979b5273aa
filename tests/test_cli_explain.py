"""`chainrule explain` in a subprocess: the seed by default, networks from options, saved models."""
import json
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import cli as run_cli  # noqa: E402
from conftest import cmd  # noqa: E402
from seed_rule import seed

import chainrule as cr


def cli(*args):
    """`chainrule explain ARGS` by the command's main in this process (test_help_has_an_example runs the real one)."""
    return cmd("explain", *args)


SEED_WEIGHTS = [[[0.15, 0.25], [0.2, 0.3]], [0.35, 0.35], [[0.4, 0.5], [0.45, 0.55]], [0.6, 0.6]]


def test_help_has_an_example():
    r = run_cli("explain", "--help")
    assert r.returncode == 0 and "examples:" in r.stdout and "chainrule explain --layers" in r.stdout


def test_seed_by_default_in_every_format():
    r = cli("--lr", 0.5)
    assert r.returncode == 0, r.stderr
    for figure in ("0.593269992", "0.298371109", "0.082167041", "= 0.35891648\n", "0.149780716"):
        assert figure in r.stdout
    r = cli("--format", "markdown", "--lr", 0.5)
    assert r.returncode == 0 and "$$\\frac{\\partial E_{total}}{\\partial w_{5}}" in r.stdout
    assert "= 0.35891648$$" in r.stdout
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
    # a network saved without columns was told to give --inputs, as if --data were not there
    (["--model", "MODEL", "--data", "DATA"], "--data needs a model from `chainrule train`, which knows the CSV's "
     "columns; MODEL is a network without them (saved by Network.save, or an ONNX or Keras file): give its sample "
     "with --inputs and --targets"),
    (["--layers", "2,x"], "--layers must be integers"),
    (["--layers", "2"], "at least two widths"),
    (["--layers", "2,2", "--inputs", "1,a", "--targets", "1,0"], "--inputs must be numbers"),
    (["--layers", "2,2", "--inputs", "1,2,3", "--targets", "1,0"], "features"),
    (["--layers", "40,40,2", "--inputs", ",".join(["1"] * 40), "--targets", "1,0"], "--layer L"),
    (["--lr", "-1"], "lr"),
])
def test_bad_input_exits_2_with_one_line(tmp_path, args, message):
    cr.examples.seed_network()[0].save(tmp_path / "m.npz")
    (tmp_path / "d.csv").write_text("a,b,y\n0.05,0.1,1\n")
    given = {"MODEL": str(tmp_path / "m.npz"), "DATA": str(tmp_path / "d.csv")}
    r = cli(*[given.get(a, a) for a in args])
    assert r.returncode == 2 and message.replace("MODEL", given["MODEL"]) in r.stderr and "Traceback" not in r.stderr


def test_layers_alone_uses_seeded_random_weights_and_sample():
    r = cli("--layers", "2,3,2")
    assert r.returncode == 0, r.stderr
    assert "note: random initial weights (--seed 0)" in r.stderr and "note: a random sample (--seed 0)" in r.stderr
    assert r.stdout == cli("--layers", "2,3,2").stdout and r.stdout != cli("--layers", "2,3,2", "--seed", 1).stdout
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 2, "sigmoid")], loss="sse", seed=0)
    rng = np.random.default_rng(0)
    X = rng.random((1, 2)).round(2)
    Y = rng.random((1, 2)).round(2)
    assert re.search(rf"E_total = E_o1 \+ E_o2 = \S+ \+ \S+ = {seed(net.loss(X, Y))}\n", r.stdout)


@pytest.fixture(scope="module")
def iris_model(tmp_path_factory):
    from pathlib import Path
    folder = tmp_path_factory.mktemp("iris")
    csv = Path(cr.__file__).parent / "data" / "examples" / "iris.csv"
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", str(csv), "--target", "species", "--hidden",
                        "4", "--epochs", "20", "--lr", "0.02", "--out", str(folder / "iris.npz"), "--quiet"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return folder / "iris.npz", csv


def test_trained_model_on_a_csv_row_with_its_preprocessing(iris_model):
    model, csv = iris_model
    r = cli("--model", model, "--data", csv, "--row", 51, "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    from chainrule.data.tabular import Preprocessing
    pd = pytest.importorskip("pandas")
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    row = pd.read_csv(csv).iloc[[50]]
    X = pre.transform(row[pre.columns])
    X = X.toarray() if hasattr(X, "toarray") else np.asarray(X)
    assert [i["value"][0] for i in d["inputs"]] == pytest.approx(X[0].tolist(), rel=1e-12)
    assert d["E_total"] == pytest.approx(net.loss(X, np.array([1])), rel=1e-12)      # versicolor is class 1
    assert d["sample_lines"][0].startswith("i1 = 'sepal_length' standardised: (7 - ")
    assert "o2 = P('species' = 'versicolor')" in d["sample_lines"][-1]
    by_name = cli("--model", model, "--inputs", "7.0,3.2,4.7,1.4", "--targets", "versicolor", "--format", "json")
    assert json.loads(by_name.stdout)["E_total"] == d["E_total"]
    bad = cli("--model", model, "--inputs", "7.0,3.2,4.7,1.4", "--targets", "rose")
    assert bad.returncode == 2 and "--targets 'rose' is not a class of the model" in bad.stderr


def test_one_neuron_only(iris_model):
    model, csv = iris_model
    r = cli("--model", model, "--data", csv, "--row", 1, "--layer", 0, "--neuron", 1)
    assert r.returncode == 0, r.stderr
    forward = r.stdout.split("Forward pass")[1].split("Error")[0]
    lines = [line for line in forward.strip().splitlines() if "from the unrounded numbers" not in line]   # last digit
    assert {line.split()[0] for line in lines} == {
        "net_h2", "out_h2", "out_h1", "net_o1", "out_o1", "net_o2", "out_o2", "net_o3", "out_o3"}
    assert "out_h1 = " in forward and ", out_h3 = " in forward         # the other units the outputs read, said
    assert "dE/dw5 " in r.stdout and "dE/dw1 " not in r.stdout and "dE/dw9 " not in r.stdout


def test_too_large_says_which_options(tmp_path):
    r = cli("--layers", "40,40,2", "--inputs", ",".join(["1"] * 40), "--targets", "1,0")
    # layer 0 has 1,640 parameters: only layer 1 (82) is offered
    assert r.returncode == 2 and ("Explain a slice: --layer 1 (the only layer of at most 120 parameters), or "
                                  "--layer L --neuron J for one neuron.") in r.stderr


def test_vanishing_gradients_are_not_printed_as_zero():
    r = cli("--layers", ",".join(["2"] * 18), "--inputs", "0.5,0.5", "--targets", "0.1,0.9", "--lr", 0.5, "--layer", 0)
    assert r.returncode == 0, r.stderr
    assert "-0.000000000" not in r.stdout and "e-14" in r.stdout
    w2 = next(line for line in r.stdout.splitlines() if line.startswith("  w2+"))
    before, after = w2.split(" = ")[2].split(" - ")[0], w2.rsplit(" = ", 1)[1]
    assert before == after                       # one rounding for the weight before and after a 3e-14 change


@pytest.mark.parametrize("args,message", [
    (["--activation", "tanh", "--loss", "mse", "--seed", "7", "--weights", "nonexistent.json", "--inputs", "0.05,0.1",
      "--targets", "0.01,0.99"], "--activation needs --layers"),
    (["--loss", "mse"], "--loss needs --layers"),
    (["--seed", "7"], "--seed needs --layers"),
    (["--weights", "w.json"], "--weights needs --layers"),
    (["--model", "MODEL", "--activation", "tanh"], "--activation needs --layers (it describes a new network; a"),
    (["--model", "MODEL", "--layers", "2,2"], "not both"),
    (["--data", "x.csv", "--row", "3"], "--data needs --model"),
    (["--model", "MODEL", "--row", "3", "--inputs", "1,2", "--targets", "0,1"], "--row needs --data"),
    (["--formulas", "--format", "json"], "--format must be markdown"),
    (["--formulas", "--format", "text"], "--format must be markdown"),
    (["--formulas", "--layer", "1"], "--layer has no use with --formulas"),
    (["--formulas", "--lr", "0.5"], "--lr has no use with --formulas"),
    (["--formulas", "--inputs", "foo"], "--inputs has no use with --formulas"),
    (["--neuron", "1"], "--neuron needs --layer"),
])
def test_options_the_network_would_ignore_are_refused(tmp_path, args, message):
    cr.examples.seed_network()[0].save(tmp_path / "m.npz")
    r = cli(*[str(tmp_path / "m.npz") if a == "MODEL" else a for a in args])
    assert r.returncode == 2 and message in r.stderr and r.stdout == "", (r.stdout, r.stderr)


def test_formulas_in_markdown_still_print():
    r = cli("--formulas", "--format", "markdown", "--layers", "2,3,2", "--activation", "tanh")
    assert r.returncode == 0 and "result (b)" in r.stdout and r.stderr == ""


def test_relu_hidden_layers_with_a_softmax_output():
    r = cli("--layers", "2,3,2", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
            "--inputs", "0.5,-0.2", "--targets", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)
    assert [layer["activation"] for layer in d["layers"]] == ["relu", "softmax"]
    W1 = np.array([nr["weight_values"] for nr in d["layers"][0]["neurons"]]).T
    b1 = np.array([nr["bias_value"] for nr in d["layers"][0]["neurons"]])
    W2 = np.array([nr["weight_values"] for nr in d["layers"][1]["neurons"]]).T
    b2 = np.array([nr["bias_value"] for nr in d["layers"][1]["neurons"]])
    x, t = np.array([0.5, -0.2]), np.array([0.0, 1.0])
    net1 = x @ W1 + b1
    h = np.maximum(net1, 0)
    z = h @ W2 + b2
    p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    assert d["E_total"] == pytest.approx(-np.log(p[1]), rel=1e-12)
    dz = p - t
    dW1 = np.outer(x, (dz @ W2.T) * (net1 > 0))
    grads = {q["name"]: q["grad"] for q in d["parameters"]}
    assert [grads[f"w{k}"] for k in range(7, 13)] == pytest.approx(np.outer(h, dz).T.ravel().tolist(), abs=1e-15)
    assert [grads[f"w{k}"] for k in range(1, 7)] == pytest.approx(dW1.T.ravel().tolist(), abs=1e-15)
    deep = cli("--layers", "2,3,3,2", "--activation", "relu,tanh,softmax", "--loss", "categorical_crossentropy",
               "--inputs", "0.5,-0.2", "--targets", "1", "--format", "json")
    assert [layer["activation"] for layer in json.loads(deep.stdout)["layers"]] == ["relu", "tanh", "softmax"]
    two = cli("--layers", "2,3,3,2", "--activation", "relu,softmax", "--loss", "categorical_crossentropy",
              "--inputs", "0.5,-0.2", "--targets", "1", "--format", "json")
    assert [layer["activation"] for layer in json.loads(two.stdout)["layers"]] == ["relu", "relu", "softmax"]
    for bad, message in [("relu,tanh,a,b", "one per layer (3) or two (hidden,output); got 4"),
                         ("relu", "--activation relu,softmax")]:
        r = cli("--layers", "2,3,3,2", "--activation", bad, "--loss", "categorical_crossentropy")
        assert r.returncode == 2 and message in r.stderr, r.stderr


@pytest.mark.parametrize("args,message", [
    (["--inputs", "0.05,0.1;0.2", "--targets", "0.01,0.99;0.5,0.5"],
     "--inputs: every sample (separated by ';') needs the same number of values; got 2, 1"),
    (["--inputs", "0.05,0.1", "--targets", "1"], "--targets has 1 value per sample; the network has 2 outputs"),
    (["--inputs", "0.05,0.1;1,2", "--targets", "0.01,0.99"], "--inputs has 2 samples and --targets 1"),
    (["--layers", "2,2,2", "--weights", "BADJSON", "--inputs", "0.05,0.1", "--targets", "0.01,0.99"],
     "--weights BADJSON: Expecting"),
    (["--layers", "2,2,2", "--weights", "SHORTJSON", "--inputs", "0.05,0.1", "--targets", "0.01,0.99"],
     "--weights SHORTJSON: weights: expected 4 arrays, got 1"),
    (["--layers", "2,2,2", "--weights", "nothere.json", "--inputs", "0.05,0.1", "--targets", "0.01,0.99"],
     "--weights: no such file 'nothere.json'"),
])
def test_bad_samples_and_weights_are_named_by_their_option(tmp_path, args, message):
    (tmp_path / "bad.json").write_text("[1, 2")
    (tmp_path / "short.json").write_text("[[1, 2]]")
    names = {"BADJSON": str(tmp_path / "bad.json"), "SHORTJSON": str(tmp_path / "short.json")}
    r = cli(*[names.get(a, a) for a in args])
    expected = message
    for key, path in names.items():
        expected = expected.replace(key, repr(path))       # quoted, as 'nothere.json' is
    assert r.returncode == 2 and expected in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_an_overflowing_pass_is_refused_not_written_as_infinity():
    r = cli("--layers", "2,2,2", "--activation", "linear", "--loss", "mse", "--inputs", "1e200,1e200", "--targets",
            "1,1", "--format", "json")
    assert r.returncode == 2 and r.stdout == ""
    assert "overflows float64" in r.stderr and "warning" not in r.stderr, r.stderr
    net = cr.Network([cr.Dense(2, 2, "linear"), cr.Dense(2, 2, "linear")], loss="mse", seed=0)
    with pytest.raises(cr.errors.ValidationError, match="overflows float64"):
        cr.explain(net, [[1e200, 1e200]], [[1.0, 1.0]])
    assert np.isfinite(cr.explain(net, [[1e100, 1e100]], [[1.0, 1.0]]).to_dict()["E_total"])


def test_an_overflowing_float32_pass_names_float32_and_its_range():
    """A float32 network overflows from about 3.4e38: the message said float64 and 1.8e308."""
    net = cr.Network([cr.Dense(2, 2, "linear"), cr.Dense(2, 2, "linear")], loss="mse", dtype="float32", seed=0)
    X = [[1e20, 1e20]]
    with pytest.raises(cr.errors.ValidationError, match="for float32"):
        net.loss(X, [[1.0, 1.0]])                            # its squares pass float32's range, not float64's
    with pytest.raises(cr.errors.ValidationError, match=r"overflows float32 \(numbers beyond about 3.4e\+38\)"):
        cr.explain(net, X, [[1.0, 1.0]])


def test_demo_checks_epochs_before_it_runs():
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "demo", "--epochs", "0"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert "argument --epochs: expected a positive integer; got '0'" in r.stderr


def test_targets_alone_explain_the_seed_network_with_them():
    """--targets without --inputs on the seed network was ignored: it explained the targets 0.01, 0.99."""
    r = cli("--targets", "0.5,0.5")
    assert r.returncode == 0, r.stderr
    net, X, _, lr = cr.examples.seed_network()
    expected = cr.explain(net, X, np.array([[0.5, 0.5]]), lr=lr).to_dict()["E_total"]
    assert re.search(rf"E_total = E_o1 \+ E_o2 = \S+ \+ \S+ = {seed(expected)}\n", r.stdout)
    assert "1/2 (0.5 - " in r.stdout                               # the target given, among E_o's numbers


def test_the_suggested_output_activation_fits_the_loss():
    """For binary cross-entropy after tanh the advice was '--activation tanh,softmax' (softmax with BCE:
    another warning); it is sigmoid."""
    r = cli("--layers", "2,3,2", "--activation", "tanh", "--loss", "binary_crossentropy")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("here --activation tanh,sigmoid")
    r = cli("--layers", "2,3,2", "--activation", "tanh", "--loss", "categorical_crossentropy")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("here --activation tanh,softmax")


def test_too_many_samples_a_neuron_too_wide_and_an_empty_field_are_named_as_such():
    """9 samples were refused as too many parameters ('choose one layer with --layer'); a neuron with 200
    inputs was told to choose one neuron, which it was; '0.05,,0.1' was read as two values."""
    nine = ";".join(["0.1,0.2"] * 9)
    r = cli("--layers", "2,3,2", "--inputs", nine, "--targets", ";".join(["0,1"] * 9))
    assert r.returncode == 2
    assert "explain shows at most 8 samples; this call has 9: give at most that many with --inputs and --targets" \
        in r.stderr and "--layer" not in r.stderr
    r = cli("--layers", "200,2", "--layer", "0", "--neuron", "0")
    assert r.returncode == 2
    assert "--neuron 0 of --layer 0 has 201 parameters (its weights and bias), more than the 120 explain shows" in \
        r.stderr
    assert "Explain a slice" not in r.stderr
    r = cli("--inputs", "0.05,,0.1", "--targets", "0.01,0.99")
    assert r.returncode == 2 and "--inputs must be numbers separated by ','" in r.stderr
