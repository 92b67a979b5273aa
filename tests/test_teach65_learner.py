"""A learner's own network explained: negative layer and neuron indexes read as Python reads them, a DataFrame's
column names beside i1, i2, ..., and a 3-4-2 tanh/softmax report on an iris row checked against torch autograd."""
import re

import numpy as np
import pandas as pd
import pytest
from conftest import cmd

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.formulas import weight_gradient

IRIS_ROW = {"sepal_length": [5.1], "sepal_width": [3.5], "petal_length": [1.4]}      # the iris data set's first row


def _iris_net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)


def test_a_negative_layer_is_the_layer_python_would_index():
    # explain(layer=-1) was refused ("0..1; got -1") where net.dense_layers[-1] is the last layer
    net, X, Y, lr = cr.examples.seed_network()
    last, first = cr.explain(net, X, Y, lr=lr, layer=-1), cr.explain(net, X, Y, lr=lr, layer=-2)
    assert last.to_dict() == cr.explain(net, X, Y, lr=lr, layer=1).to_dict()
    assert first.to_dict() == cr.explain(net, X, Y, lr=lr, layer=0).to_dict()
    assert last.to_dict()["slice"] == {"layer": 1, "neuron": None}
    for bad in (-3, 2):
        with pytest.raises(ValidationError, match=rf"layer must be an index of a Dense layer, 0\.\.1 or -2\.\.-1 "
                                                  rf"\(from the end\); got {bad}"):
            cr.explain(net, X, Y, layer=bad)


def test_a_negative_neuron_is_the_layers_last_units():
    net, X, Y, lr = cr.examples.seed_network()
    got = cr.explain(net, X, Y, lr=lr, layer=-1, neuron=-1)
    assert got.to_dict() == cr.explain(net, X, Y, lr=lr, layer=1, neuron=1).to_dict()
    assert got.text() == cr.explain(net, X, Y, lr=lr, layer=1, neuron=1).text()
    with pytest.raises(ValidationError, match=r"neuron must be .*, 0\.\.1 or -2\.\.-1 \(from the end\); got -3"):
        cr.explain(net, X, Y, layer=0, neuron=-3)


def test_the_weight_formula_reads_negative_indexes_as_w_does():
    net = cr.examples.seed_network()[0]
    assert weight_gradient(net, -1, -1, -2) == weight_gradient(net, 1, 1, 0)
    assert weight_gradient(net, np.int64(-2), 0, 0) == weight_gradient(net, 0, 0, 0)
    for bad in ((-3, 0, 0), (0, -3, 0), (0, 0, 2)):
        with pytest.raises(ValidationError):
            weight_gradient(net, *bad)


def test_the_command_takes_a_negative_layer_and_neuron(tmp_path):
    r = cmd("explain", "--layers", "2,3,2", "--layer", "-1", "--neuron", "-1", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "slice: --layer -1 (from the end) = weights layer 2 of 2, into the output layer; --neuron -1 (from the " \
        "end) = its unit o2" in r.stdout, r.stdout
    same = cmd("explain", "--layers", "2,3,2", "--layer", "1", "--neuron", "1", cwd=tmp_path)
    assert r.stdout.split("\n\n", 1)[1] == same.stdout.split("\n\n", 1)[1]
    out = cmd("explain", "--layers", "2,3,3,1", "--layer", "-4", cwd=tmp_path)
    assert out.returncode != 0 and "--layer must be an index of a layer of weights, 0..2 (0: into hidden layer 1, " \
        "2: into the output layer) or -3..-1 (from the end); got -4" in out.stderr, out.stderr


def test_a_dataframes_columns_are_named_beside_the_inputs():
    # a DataFrame's column names were dropped: the report said i1, i2, i3 only
    net = _iris_net()
    one = cr.explain(net, pd.DataFrame(IRIS_ROW), np.array([[1.0, 0.0]]))
    assert "inputs: i1 (sepal_length) = 5.1, i2 (sepal_width) = 3.5, i3 (petal_length) = 1.4" in one.text()
    assert [u["column"] for u in one.to_dict()["inputs"]] == list(IRIS_ROW)
    assert "`inputs: i1 (sepal_length) = 5.1" in one.markdown()
    two = cr.explain(net, pd.DataFrame({k: v * 2 for k, v in IRIS_ROW.items()}), np.array([[1.0, 0.0]] * 2))
    assert "i1 (sepal_length) = [5.1, 5.1], i2 (sepal_width) = [3.5, 3.5]" in two.text()
    assert r"i_{1}\text{ (sepal}\_\text{length)} = [5.1, 5.1]" in two.markdown()   # _ in maths: MathJax 3 too
    plain = cr.explain(net, np.array([[5.1, 3.5, 1.4]]), np.array([[1.0, 0.0]]))
    assert "inputs:" not in plain.text() and "column" not in plain.to_dict()["inputs"][0]


def test_an_iris_row_report_is_torch_autograds_pass():
    torch = pytest.importorskip("torch")
    net = _iris_net()
    X, Y = pd.DataFrame(IRIS_ROW), np.array([[1.0, 0.0]])
    d = cr.explain(net, X, Y, lr=0.1).to_dict()
    W = [torch.tensor(lay.W, requires_grad=True) for lay in net.dense_layers]
    b = [torch.tensor(lay.b, requires_grad=True) for lay in net.dense_layers]
    h = torch.tanh(torch.tensor(X.to_numpy()) @ W[0] + b[0])
    logits = h @ W[1] + b[1]
    E = -(torch.tensor(Y) * torch.log_softmax(logits, dim=1)).sum()
    E.backward()
    assert d["E_total"] == pytest.approx(E.item(), rel=1e-12)
    outs = [nr["out"][0] for nr in d["layers"][1]["neurons"]]
    np.testing.assert_allclose(outs, torch.softmax(logits, 1).detach().numpy()[0], rtol=1e-12)
    grads = {p["name"]: p["grad"] for p in d["parameters"]}
    for l, lay in enumerate(d["layers"]):
        for j, nr in enumerate(lay["neurons"]):
            for i, w in enumerate(nr["weights"]):
                assert grads[w] == pytest.approx(W[l].grad[i, j].item(), rel=1e-9, abs=1e-15), w
            assert grads[nr["bias"]] == pytest.approx(b[l].grad[j].item(), rel=1e-9, abs=1e-15), nr["bias"]


def test_a_target_dataframes_columns_are_named_beside_the_outputs():
    # Y as a one-hot DataFrame: its class names were dropped, the report said target_o1, target_o2 only
    net = _iris_net()
    Y = pd.DataFrame({"setosa": [1.0], "versicolor": [0.0]})
    one = cr.explain(net, pd.DataFrame(IRIS_ROW), Y)
    assert "targets: target_o1 (setosa) = 1, target_o2 (versicolor) = 0" in one.text()
    assert [t["column"] for t in one.to_dict()["targets"]] == list(Y)
    assert "`targets: target_o1 (setosa) = 1" in one.markdown()
    Y2 = pd.DataFrame({"setosa": [1.0, 0.0], "versicolor": [0.0, 1.0]})
    two = cr.explain(net, np.array([[5.1, 3.5, 1.4]] * 2), Y2)
    assert "targets: target_o1 (setosa) = [1, 0], target_o2 (versicolor) = [0, 1]" in two.text()
    plain = cr.explain(net, pd.DataFrame(IRIS_ROW), Y.to_numpy())
    assert "targets:" not in plain.text() and "column" not in plain.to_dict()["targets"][0]


def test_the_weight_formula_names_the_index_out_of_range():
    # (i, j) was refused as a pair, "got (0, 2)": which of them, and its range, left to the reader
    net = cr.examples.seed_network()[0]
    with pytest.raises(ValidationError, match=r"^j must be a column of W \(shape \(2, 2\)\): one of layer 1's neurons, "
                                              r"0\.\.1 or -2\.\.-1 \(from the end\); got 2$"):
        weight_gradient(net, -1, 0, 2)
    with pytest.raises(ValidationError, match=r"^i must be a row of W .*, 0\.\.1 or -2\.\.-1 \(from the end\); "
                                              r"got 0\.5$"):
        weight_gradient(net, 0, 0.5, 0)
    with pytest.raises(ValidationError, match=r"^i must be .*; got True$"):
        weight_gradient(net, 0, True, 0)


def test_the_tutorials_slice_from_the_end_is_the_slice_it_names(tmp_path):
    # docs/tutorial.md said `--layer -1 --neuron -1` is the same slice as --layer 1 --neuron 1 on iris (3 outputs):
    # -1 is o3 (virginica), not o2
    from pathlib import Path
    text = (Path(__file__).resolve().parents[1] / "docs" / "tutorial.md").read_text()
    layer, neuron = re.search(r"\(`--layer (-\d+) --neuron (-\d+)`, counted from the end", text).groups()
    said = [cmd("explain", "--layers", "4,8,3", "--layer", a, "--neuron", b, cwd=tmp_path).stdout
            for a, b in ((layer, neuron), ("1", "1"))]
    assert all("weights layer 2 of 2, into the output layer;" in s for s in said), said
    assert said[0].split("\n\n", 1)[1] == said[1].split("\n\n", 1)[1]
    assert re.search(r"= its unit o2\n", said[0]), said[0]
