"""`chainrule explain` of a neuron in a network with 100-unit layers: the slice writes its own unit's sum
whole and the other units' sums by their ends, saying what it left out, so that the output stays readable;
the values are checked against NumPy's pass over the same weights."""
import json
import re

import numpy as np
import pytest
from conftest import cmd  # noqa: E402

INPUTS = [0.3, -1.2, 0.8, 0.05]


def _weights(tmp_path, widths):
    rng = np.random.default_rng(7)
    layers = [(rng.normal(0, 0.3, (a, b)), rng.normal(0, 0.1, b)) for a, b in zip(widths, widths[1:])]
    path = tmp_path / "w.json"
    path.write_text(json.dumps([x.tolist() for W, b in layers for x in (W, b)]))
    return path, layers


def _nets(layers):
    """NumPy's net inputs of each layer (ReLU hidden layers)."""
    out, nets = np.array(INPUTS), []
    for W, b in layers:
        net = out @ W + b
        nets.append(net)
        out = np.maximum(net, 0)
    return nets


def explain(tmp_path, widths, *args):
    path, layers = _weights(tmp_path, widths)
    r = cmd("explain", "--layers", ",".join(map(str, widths)), "--activation", "relu,softmax", "--loss",
            "categorical_crossentropy", "--weights", path, "--inputs", ",".join(map(str, INPUTS)), "--targets", "1,0,0",
            *args)
    assert r.returncode == 0, r.stderr
    return r.stdout, _nets(layers)


def _net_line(text, name):
    return next(line for line in text.splitlines() if line.startswith(f"  net_{name} = "))


def test_the_other_units_sums_are_written_by_their_ends_with_a_note(tmp_path):
    text, nets = explain(tmp_path, [4, 100, 3], "--layer", "0", "--neuron", "1")
    for j in range(3):
        line = _net_line(text, f"o{j + 1}")
        assert " + ... + " in line and line.count("*out_h") == 3, line
        assert abs(float(line.rsplit(" = ", 1)[1]) - nets[1][j]) <= 5e-10
    assert "(net_o1, net_o2, net_o3: 97 of their 100 weighted terms left out" in text
    assert "--layer 1 --neuron J writes unit J's sum whole" in text
    assert max(map(len, text.splitlines())) < 300        # was three lines of over 4,000 characters each


def test_the_chosen_units_sum_is_whole(tmp_path):
    text, nets = explain(tmp_path, [4, 100, 3], "--layer", "1", "--neuron", "1")
    whole = _net_line(text, "o2")
    terms = re.findall(r"(\(?-?[\d.e-]+\)?)\*(-?[\d.]+)", whole.split(" = ")[2])
    assert len(terms) == 101          # 100 weights and the bias
    assert abs(float(whole.rsplit(" = ", 1)[1]) - nets[1][1]) <= 5e-10
    for name in ("o1", "o3"):
        assert " + ... + " in _net_line(text, name)
    assert "(net_o1, net_o3: 97 of their 100 weighted terms left out" in text


def test_a_note_on_sums_the_slice_does_not_show_is_left_out_with_them(tmp_path):
    text, _ = explain(tmp_path, [4, 100, 100, 3], "--layer", "0", "--neuron", "0")
    assert "(net_h2_" not in text          # hidden layer 2's sums are one line of outputs: no note on them
    assert "(net_o1, net_o2, net_o3: 97 of their 100" in text


def test_markdown_slice_has_no_runs_of_blank_lines(tmp_path):
    text, _ = explain(tmp_path, [4, 100, 100, 3], "--layer", "0", "--neuron", "0", "--format", "markdown")
    assert "\n\n\n" not in text           # was a blank line for every equation the slice dropped (600 of them)


def test_a_too_large_call_is_told_only_the_slices_that_fit(tmp_path):
    """Every refusal advised 'one layer with --layer L (0..1)', also where that layer was already chosen or
    no layer fits in 120 parameters (4-100-3: 500 and 303); the advice now names what explain would write."""
    path, _ = _weights(tmp_path, [4, 100, 3])
    base = ("explain", "--layers", "4,100,3", "--weights", path, "--activation", "relu,softmax")
    r = cmd(*base)
    assert r.returncode == 2 and r.stderr.rstrip().endswith("this call has 803. Explain a slice: --layer L "
                                                           "--neuron J for one neuron."), r.stderr
    r = cmd(*base, "--layer", "1")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("this call has 303. Explain a slice: --layer 1 "
                                                           "--neuron J for one neuron J in 0..2 of it."), r.stderr
    assert cmd(*base, "--layer", "1", "--neuron", "2").returncode == 0
    path, _ = _weights(tmp_path, [12, 8, 4])           # 104 and 36 parameters: each layer fits, not both
    r = cmd("explain", "--layers", "12,8,4", "--weights", path, "--inputs", ",".join(["0.1"] * 12), "--targets",
            "0,1,0,0")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("Explain a slice: --layer 0 or 1 (the layers of at "
                                                           "most 120 parameters), or --layer L --neuron J for one "
                                                           "neuron."), r.stderr
    path, _ = _weights(tmp_path, [20, 20, 2])          # 420 and 42: only layer 1 fits
    r = cmd("explain", "--layers", "20,20,2", "--weights", path, "--inputs", ",".join(["0.1"] * 20), "--targets",
            "0,1")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("Explain a slice: --layer 1 (the only layer of at "
                                                           "most 120 parameters), or --layer L --neuron J for one "
                                                           "neuron."), r.stderr
    assert cmd("explain", "--layers", "20,20,2", "--weights", path, "--inputs", ",".join(["0.1"] * 20), "--targets",
               "0,1", "--layer", "1").returncode == 0


def test_the_apis_refusal_names_the_layers_that_fit():
    import chainrule as cr
    net = cr.Network([cr.Dense(20, 20), cr.Dense(20, 2)], seed=0)
    X, Y = np.zeros((1, 20)), np.zeros((1, 2))
    for kwargs, advice in [({}, "explain(net, X, Y, layer=L) for one layer L in [1] (those of at most 120 "
                                "parameters), or explain(..., layer=L, neuron=J) for one neuron."),
                           ({"layer": 0}, "explain(..., layer=0, neuron=J) for one neuron J in 0..19 of it.")]:
        try:
            cr.explain(net, X, Y, **kwargs)
        except cr.errors.ValidationError as exc:
            assert str(exc).endswith(advice), exc
        else:
            raise AssertionError("not refused")
    assert cr.explain(net, X, Y, layer=1).data["slice"] == {"layer": 1, "neuron": None}


def test_the_python_reports_note_gives_pythons_call_not_the_commands_options():
    """The report is also the Python API's: its note said '--layer 1 --neuron J', the command's words."""
    import chainrule as cr
    net = cr.Network([cr.Dense(4, 12, "relu"), cr.Dense(12, 12, "relu"), cr.Dense(12, 3, "softmax")],
                     loss="categorical_crossentropy", seed=0)
    X, Y = np.full((1, 4), 0.5), np.array([[0.0, 1.0, 0.0]])
    text = cr.explain(net, X, Y, layer=0, neuron=1).text()
    assert "9 of their 12 weighted terms left out" in text
    assert "explain(..., layer=2, neuron=J) writes unit J's sum whole" in text and "--layer" not in text
    assert "(hidden layer 2: explain(..., layer=1, neuron=J) derives unit J's (J 0-based: 0 is h2_1))" in text


def test_a_neuron_slice_is_advised_only_where_a_neuron_fits(tmp_path):
    """A 200-3-1 network's layer 0 was answered 'Choose one neuron with --layer 0 --neuron J (0..2)', and that
    call was then refused: each of its neurons has 201 parameters. Neurons are advised only where they fit."""
    import chainrule as cr
    path, _ = _weights(tmp_path, [200, 3, 1])
    base = ("explain", "--layers", "200,3,1", "--weights", path, "--activation", "relu,sigmoid", "--inputs",
            ",".join(["0.1"] * 200), "--targets", "1")
    r = cmd(*base, "--layer", "0")
    assert r.returncode == 2 and r.stderr.rstrip().endswith("this call has 603. Its neurons have 201 parameters "
                                                           "each, too many to write out too (in Python, "
                                                           "net.gradients(X, Y) and chainrule.gradcheck give their "
                                                           "numbers)"), r.stderr
    assert cmd(*base, "--layer", "0", "--neuron", "0").returncode == 2     # as said: refused too
    r = cmd(*base)
    assert r.stderr.rstrip().endswith("Explain a slice: --layer 1 (the only layer of at most 120 parameters), or "
                                    "--layer 1 --neuron J for one neuron of it."), \
        r.stderr
    assert cmd(*base, "--layer", "1", "--neuron", "0").returncode == 0     # as said: written
    net = cr.Network([cr.Dense(200, 130, "relu"), cr.Dense(130, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"No layer or neuron of this network is small enough"):
        cr.explain(net, np.full((1, 200), 0.1), np.ones((1, 1)))
