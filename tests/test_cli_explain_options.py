"""`chainrule explain` options in the user's terms: JSON alone on stdout, header lines that redo their
arithmetic, filled gaps, option names in errors, the 0-based --layer/--neuron and the --weights layout."""
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import cli, cmd  # noqa: E402
from seed_rule import seed

import chainrule as cr
from chainrule.data.tabular import Preprocessing

IRIS = Path(cr.__file__).parent / "data" / "examples" / "iris.csv"


def explain(*args):
    return cmd("explain", *args)


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    folder = tmp_path_factory.mktemp("iris")
    r = cli("train", IRIS, "--target", "species", "--hidden", 4, "--epochs", 5, "--out", folder / "iris.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    return folder / "iris.npz"


@pytest.fixture(scope="module")
def gaps(tmp_path_factory):
    """A model trained with --impute median on a file with a gap in a number and in a text column."""
    folder = tmp_path_factory.mktemp("gaps")
    rng = np.random.default_rng(0)
    rows = ["a,b,c,y"]
    for i in range(60):
        a = "" if i == 3 else f"{rng.normal():.3f}"
        c = "" if i == 5 else ["red", "blue", "green"][i % 3]
        rows.append(f"{a},{rng.integers(0, 5)},{c},{['yes', 'no'][i % 2]}")
    (folder / "gaps.csv").write_text("\n".join(rows) + "\n")
    r = cli("train", folder / "gaps.csv", "--target", "y", "--hidden", 3, "--epochs", 3, "--impute", "median",
            "--out", folder / "gaps.npz", "--quiet")
    assert r.returncode == 0, r.stderr
    return folder / "gaps.npz", folder / "gaps.csv"


def test_json_is_alone_on_stdout_and_markdown_header_is_a_list(iris):
    """--format json printed the 'sample:' lines before the object; in Markdown they ran into one paragraph."""
    for sample in (["--data", IRIS, "--row", 51], ["--inputs", "7.0,3.2,4.7,1.4", "--targets", "versicolor"]):
        r = explain("--model", iris, *sample, "--layer", 1, "--neuron", 1, "--format", "json")
        assert r.returncode == 0, r.stderr
        d = json.loads(r.stdout)
        assert d["sample"] == (f"row 51 (line 52) of {IRIS}" if "--data" in sample else "--inputs")
        assert len(d["sample_lines"]) == 5 and d["sample_lines"][0].startswith("i1 = 'sepal_length'")
    r = explain("--model", iris, "--data", IRIS, "--row", 51, "--format", "markdown")
    header = r.stdout.split("\n\n")[0].splitlines()
    assert header[0] == f"- `sample: row 51 (line 52) of {IRIS}`"
    assert len(header) == 6 and all(line.startswith("  - `i") for line in header[1:5]), header


def test_standardisation_lines_redo_their_arithmetic(iris):
    """'(7 - 5.843) / 0.8253 = 1.401508': the printed operands give 1.401914; and i1 by the one rule, as the net
    lines write it (1.487043132, not 1.487043 above it and 1.487043132 below)."""
    net, extra = cr.load(iris, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    pd = pytest.importorskip("pandas")
    for row in (1, 51, 150):
        r = explain("--model", iris, "--data", IRIS, "--row", row)
        assert r.returncode == 0, r.stderr
        lines = re.findall(r"i(\d) = '\w+' standardised: \((\S+) - (\S+)\) / (\S+) = (\S+)", r.stdout)
        X = pre.transform(pd.read_csv(IRIS).iloc[[row - 1]][pre.columns])
        X = np.asarray(X.toarray() if hasattr(X, "toarray") else X)
        assert len(lines) == 4
        for i, raw, mean, scale, shown in lines:
            assert seed((float(raw) - float(mean)) / float(scale)) == shown == seed(X[0, int(i) - 1])
            assert re.search(rf"\*\(?{re.escape(shown)}\b", r.stdout), shown     # as the net lines write i1


def test_a_missing_value_says_it_was_filled_and_inputs_may_leave_it_empty(gaps, iris):
    model, csv = gaps
    pre = Preprocessing.from_json(cr.load(model, with_extra=True)[1]["tabular"])
    fill = f"{pre.fill['a']:.15g}"
    r = explain("--model", model, "--data", csv, "--row", 4)          # a is empty on row 4
    assert r.returncode == 0, r.stderr
    assert f"i1 = 'a' standardised: ({fill} - " in r.stdout
    assert f"(missing -> filled with the training median {fill})" in r.stdout
    r = explain("--model", model, "--data", csv, "--row", 6)          # c is empty on row 6
    assert f"(missing -> filled with the training most frequent value '{pre.fill['c']}')" in r.stdout
    empty = explain("--model", model, "--inputs", ",2,red", "--targets", "yes", "--format", "json")
    assert empty.returncode == 0, empty.stderr
    given = explain("--model", model, "--inputs", f"{pre.fill['a']!r},2,red", "--targets", "yes", "--format", "json")
    assert json.loads(empty.stdout)["E_total"] == json.loads(given.stdout)["E_total"]
    assert "missing -> filled with the training median" in json.loads(empty.stdout)["sample_lines"][0]
    r = explain("--model", iris, "--inputs", ",3.2,4.7,1.4", "--targets", "versicolor")
    assert r.returncode == 2 and "--inputs: column 'sepal_length' is empty, and the model has no value to fill a " \
        "missing cell with (it was trained without --impute)" in r.stderr


@pytest.mark.parametrize("args,message", [
    (["--layers", "2,2", "--inputs", "0.1,nan", "--targets", "1,0"], "--inputs must be finite numbers; got nan"),
    (["--layers", "2,1", "--loss", "binary_crossentropy", "--inputs", "0.1,0.2", "--targets", "2"],
     "--targets must lie in [0, 1] for binary_crossentropy; got values from 2 to 2"),
    (["--layers", "2,0,2"], "--layers widths must be positive integers; got 0 in '2,0,2'"),
    (["--model", "IRIS", "--inputs", "5.1,3.5,1.4,0.2;5,3,1,0.2", "--targets", "setosa"],
     "--inputs with a model from `chainrule train` takes one sample (one raw value per column, separated by ','); "
     "got 2 separated by ';'"),
    (["--model", "IRIS", "--inputs", "5.1,3.5,1.4,0.2", "--targets", "setosa;setosa"],
     "--targets with a model from `chainrule train` takes one sample (one class name); got 2"),
    (["--model", "IRIS", "--inputs", "5.1,inf,1.4,0.2", "--targets", "setosa"],
     "--inputs: column 'sepal_width' needs a finite number; got 'inf'"),
])
def test_errors_name_the_option(iris, args, message):
    r = explain(*[iris if a == "IRIS" else a for a in args])
    assert r.returncode == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_regression_targets_take_one_number(tmp_path):
    """--targets '1;2' with a regression model: 'X and Y have different numbers of samples'."""
    r = cmd("train", IRIS, "--target", "sepal_length", "--hidden", 2, "--epochs", 2, "--out", tmp_path / "r.npz",
            "--quiet")
    assert r.returncode == 0, r.stderr
    r = explain("--model", tmp_path / "r.npz", "--inputs", "3.5,1.4,0.2,setosa", "--targets", "1;2")
    assert r.returncode == 2 and "--targets with a model from `chainrule train` takes one sample (one value of " \
        "'sepal_length'); got 2" in r.stderr
    r = explain("--model", tmp_path / "r.npz", "--inputs", "3.5,1.4,0.2,setosa", "--targets", "1,2")
    assert r.returncode == 2 and "--targets for this regression model is one number" in r.stderr


def test_targets_with_data_say_they_replace_the_rows_own(iris):
    r = explain("--model", iris, "--data", IRIS, "--row", 3, "--targets", "versicolor")
    assert r.returncode == 0, r.stderr
    assert "target: --targets 'versicolor' replaces the row's own 'species' = 'setosa'" in r.stdout
    assert "= -(1 * log(" in r.stdout.split("E_o2")[1].splitlines()[0]       # o2 = versicolor: target 1
    assert "replaces" not in explain("--model", iris, "--data", IRIS, "--row", 3).stdout


def test_layer_and_neuron_are_0_based_and_say_which_units(iris):
    help_text = " ".join(explain("--help").stdout.split())
    assert "0-based: --layer 0 is the first layer of weights (into hidden layer 1" in help_text
    assert "0-based: --neuron 0 is the layer's first unit" in help_text
    r = explain("--model", iris, "--data", IRIS, "--row", 1, "--layer", 0, "--neuron", 1)
    assert "slice: --layer 0 (0-based) = weights layer 1 of 2, into hidden layer 1; --neuron 1 (0-based) = its " \
           "unit h2" in r.stdout
    forward = r.stdout.split("Forward pass")[1].split("Error")[0]
    lines = [line for line in forward.strip().splitlines() if "from the unrounded numbers" not in line]   # last digit
    assert {line.split()[0] for line in lines} - {"net_o1", "out_o1", "net_o2", "out_o2", "net_o3", "out_o3"} == \
        {"net_h2", "out_h2", "out_h1"}
    others = next(line.strip() for line in lines if line.strip().startswith("out_h1 = "))   # the outputs' inputs
    assert re.fullmatch(r"out_h1 = \S+, out_h3 = \S+, out_h4 = \S+   \(the other units of hidden layer 1: "
                        r"--layer 0 derives them\)", others)
    r = explain("--layers", "2,3,2", "--inputs", "1,2", "--targets", "0,1", "--layer", 1, "--format", "json")
    assert json.loads(r.stdout)["slice_line"] == "--layer 1 (0-based) = weights layer 2 of 2, into the output layer " \
                                            "(units o1..o2)"
    assert {p["to"] for p in json.loads(r.stdout)["parameters"]} == {"o1", "o2"}


def test_weights_orientation_is_stated_and_a_square_one_noted(tmp_path):
    help_text = " ".join(explain("--help").stdout.split())
    assert "W[input][neuron], shape inputs x neurons" in help_text
    W1, b1, W2, b2 = [[0.1, 0.2, 0.3], [0.4, 0.5, 0.6]], [0.1, 0.2, 0.3], [[0.7], [0.8], [0.9]], [0.1]
    (tmp_path / "w.json").write_text(json.dumps([W1, b1, W2, b2]))
    r = explain("--layers", "2,3,1", "--loss", "mse", "--weights", tmp_path / "w.json", "--inputs", "0.5,-1",
                "--targets", "0.2", "--format", "json")
    assert r.returncode == 0 and "square" not in r.stderr, r.stderr
    sig = lambda z: 1 / (1 + np.exp(-z))                                          # noqa: E731
    out = sig(sig(np.array([0.5, -1]) @ np.array(W1) + b1) @ np.array(W2) + b2)   # rows of W are inputs
    assert json.loads(r.stdout)["E_total"] == pytest.approx(((out - 0.2) ** 2).mean(), rel=1e-12)
    seed = [[[0.15, 0.25], [0.2, 0.3]], [0.35, 0.35], [[0.4, 0.5], [0.45, 0.55]], [0.6, 0.6]]
    (tmp_path / "s.json").write_text(json.dumps(seed))
    r = explain("--layers", "2,2,2", "--weights", tmp_path / "s.json", "--inputs", "0.05,0.1", "--targets", "0.01,0.99")
    assert "note: --weights: W1, W2 square, read as W[input][neuron] (a row per input)" in r.stderr


def test_a_regression_outputs_scaling_has_the_digits_to_redo_it(tmp_path):
    """'output o1 = (y - 1e+08) / 4.985' for a target near 1e8: 4 digits lost the mean's decimals, so
    o1 * 4.985 + 1e+08 was not the model's prediction; the line now has the digits it needs."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    rows = ["x,y"] + [f"{a:.6f},{1e8 + 5 * a + 0.3 + 0.01 * e:.6f}" for a, e in zip(x, rng.normal(size=200))]
    (tmp_path / "p.csv").write_text("\n".join(rows) + "\n")
    r = cmd("train", tmp_path / "p.csv", "--target", "y", "--hidden", 2, "--epochs", 2, "--out", tmp_path / "p.npz",
            "--quiet")
    assert r.returncode == 0, r.stderr
    r = explain("--model", tmp_path / "p.npz", "--data", tmp_path / "p.csv", "--row", 1)
    assert r.returncode == 0, r.stderr
    line = next(s for s in r.stdout.splitlines() if "output o1 = ('y' - " in s)
    mean, scale = map(float, re.match(r"\s*output o1 = \('y' - \(?([-\d.e+]+)\)?\) / ([\d.e+-]+)", line).groups())
    pre = Preprocessing.from_json(cr.load(tmp_path / "p.npz", with_extra=True)[1]["tabular"])
    assert abs(mean - pre.y_mean) <= 1e-10 * pre.y_scale and abs(scale - pre.y_scale) <= 1e-10 * pre.y_scale
    assert f"the prediction is o1 * {line.split(' / ')[1].split(':')[0]} + " in line


def test_a_neurons_slice_says_the_outputs_it_reads_of_layers_it_does_not_derive(tmp_path):
    """--layer 0 --neuron 0 of a 2-3-2-1 network: the output's sum reads hidden layer 2, whose lines the
    slice leaves out; their values were nowhere (out_h2_1 appeared first inside net_o1's sum)."""
    W = [np.array([[0.1, -0.2, 0.3], [0.4, 0.5, -0.6]]), np.array([0.1, 0.2, 0.3]),
         np.array([[0.7, -0.1], [0.2, 0.8], [-0.9, 0.3]]), np.array([0.05, -0.05]),
         np.array([[0.6], [-0.4]]), np.array([0.1])]
    (tmp_path / "w.json").write_text(json.dumps([w.tolist() for w in W]))
    common = ("--layers", "2,3,2,1", "--loss", "mse", "--weights", tmp_path / "w.json", "--inputs", "0.5,-1",
              "--targets", "0.2")
    sig = lambda z: 1 / (1 + np.exp(-z))                                          # noqa: E731
    h1 = sig(np.array([0.5, -1]) @ W[0] + W[1])
    h2 = sig(h1 @ W[2] + W[3])
    r = explain(*common, "--layer", 0, "--neuron", 0)
    assert r.returncode == 0, r.stderr
    forward = r.stdout.split("Forward pass\n")[1].split("Error")[0].splitlines()
    said = f"  out_h2_1 = {seed(h2[0])}, out_h2_2 = {seed(h2[1])}   (hidden layer 2: --layer 1 derives them)"
    assert said in forward and forward.index(said) < next(k for k, ln in enumerate(forward) if "net_o1 =" in ln)
    assert not any(ln.startswith("  out_h1_") and "," in ln for ln in forward)   # h1_1 is derived, and no other read
    r = explain(*common, "--layer", 1, "--neuron", 1, "--format", "markdown")
    text = r.stdout
    assert (f"out_h1_1 = {seed(h1[0])}, out_h1_2 = {seed(h1[1])}, out_h1_3 = {seed(h1[2])}   "
            "(hidden layer 1: --layer 0 derives them)") in text
    assert f"out_h2_1 = {seed(h2[0])}   (the other units of hidden layer 2: --layer 1 --neuron 0 derives it)" in text
