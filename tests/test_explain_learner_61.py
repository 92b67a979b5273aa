"""What a learner meets in `explain` and `example`: a random sample's class drawn as its inputs are, leaky ReLU's
slope and a Dropout rate written by the rule of every other figure, one rule for the samples explain refuses."""
from __future__ import annotations

import json
import re

import numpy as np
from conftest import cmd

import chainrule as cr
from chainrule.cli.explain_sample import random_sample


def test_a_softmax_random_sample_draws_its_class_not_always_class_0():
    # every softmax network's random sample had class 0 as its target, while a binary one drew each of 0 and 1
    for loss in ("categorical_crossentropy", "mse"):
        labels = []
        for seed in range(12):
            net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dense(3, 4, "softmax")], loss=loss, seed=seed)
            X, Y, said = random_sample(net, seed)
            assert Y.shape == (1,) and int(Y[0]) in range(4), Y
            assert f"--targets {int(Y[0])} (class {int(Y[0])} = o{int(Y[0]) + 1}," in said, said
            again = random_sample(net, seed)          # seeded: the same sample each time
            assert np.array_equal(again[0], X) and np.array_equal(again[1], Y)
            labels.append(int(Y[0]))
        assert len(set(labels)) >= 3, (loss, labels)       # 12 draws of 4 classes: not one class


def test_a_softmax_random_sample_typed_back_gives_the_same_report():
    options = ["--layers", "2,3,4", "--activation", "relu,softmax", "--loss", "categorical_crossentropy"]
    for seed in (0, 4):
        r = cmd("explain", *options, "--seed", str(seed), "--format", "json")
        assert r.returncode == 0, r.stderr
        said = re.search(r"--inputs (\S+) --targets (\d+) \(class \d+ = o\d+, one-hot ([\d,]+)\)", r.stderr)
        assert said, r.stderr
        targets = [t["value"][0] for t in json.loads(r.stdout)["targets"]]
        assert targets == list(np.eye(4)[int(said[2])]) == [float(v) for v in said[3].split(",")], targets
        again = cmd("explain", *options, "--seed", str(seed), "--inputs", said[1], "--targets", said[2], "--format",
                    "json")
        assert again.returncode == 0, again.stderr
        assert json.loads(again.stdout)["E_total"] == json.loads(r.stdout)["E_total"]


def _leaky_dropout_net(alpha: float, rate: float):
    return cr.Network([cr.Dense(2, 2, cr.nn.activations.LeakyReLU(alpha)), cr.Dropout(rate),
                       cr.Dense(2, 1, "sigmoid")], loss="sse", seed=0)


def test_leaky_relus_slope_dropouts_rate_and_the_learning_rate_read_whole_as_every_figure():
    # the general formula wrote alpha 0.123456789 as 0.123457 (:g), the Dropout note its rate so, and the update's
    # heading its learning rate so, while the lines below them wrote 0.123456789: the seed's rule is nine decimals
    from chainrule.teach.formulas import general
    value = 0.123456789
    net = _leaky_dropout_net(value, value)
    tex = general(net)
    slope = re.search(r"\+ ([\d.e+-]+)\\,\\mathbf\{1\}\[net", tex)
    assert slope and float(slope[1]) == value, tex
    report = cr.explain(net, [[0.1, 0.2]], [[1.0]], lr=value)
    for text in (report.text(), report.markdown()):
        drop = re.search(r"Dropout\(([\d.]+)\).*probability ([\d.]+) at random.*1/\(1 - ([\d.]+)\)", text)
        assert drop and [float(v) for v in drop.groups()] == [value] * 3, text
        heading = re.search(r"Update \(learning rate ([\d.]+)\)", text)
        assert heading and float(heading[1]) == value, text
    two = _leaky_dropout_net(0.25, 0.5)              # no trailing zeros either
    assert "+ 0.25\\," in general(two) and "Dropout(0.5)" in cr.explain(two, [[0.1, 0.2]], [[1.0]]).text()


def test_a_class_label_out_of_range_is_said_as_typed():
    # --targets 1234567 was answered "got 1.23457e+06"
    r = cmd("explain", "--layers", "2,2,3", "--activation", "sigmoid,softmax", "--loss", "categorical_crossentropy",
            "--inputs", "1,2", "--targets", "1234567")
    assert r.returncode != 0 and "got 1234567." in r.stderr, r.stderr


def test_the_explorer_counts_a_sample_whose_error_alone_overflows_though_each_term_is_finite():
    # each error term of sample 2 is finite (7.2e307) but their sum, its E, is not (PyTorch's sum): explain of
    # it alone refuses it, where the explorer's own statement of the rule (each term finite) counted no sample
    import torch

    from chainrule.errors import ValidationError
    from chainrule.teach.explore import engine
    net = cr.Network([cr.Dense(1, 3, "linear")], loss="sse", seed=0)
    net.dense_layers[0].W[:], net.dense_layers[0].b[:] = 1.2e154, 0.0
    X, Y = np.array([[0.1], [1.0]]), np.zeros((2, 3))
    out = torch.tensor(X) @ torch.tensor(net.dense_layers[0].W)
    terms = 0.5 * (out - torch.tensor(Y)) ** 2
    errors = terms.sum(dim=1)
    assert torch.isfinite(terms).all() and torch.isfinite(errors[0]) and not torch.isfinite(errors[1])
    try:
        cr.explain(net, X[1:], Y[1:])
        raise AssertionError("explain wrote out a pass whose E overflows")
    except ValidationError as exc:
        alone = str(exc)
    cr.explain(net, X[:1], Y[:1])                   # sample 1 alone: written out
    said = engine.pass_numbers(net, X, Y)[2]
    assert said == f"1 of the 2 training samples overflow; sample 2: {alone}", said


def test_a_slices_backward_heading_names_the_layer_as_the_command_takes_it():
    # `chainrule explain --layer 0` headed its backward pass "(layer=0)", Python's keyword, where every other line
    # of the command's report says --layer 0; the Python report keeps layer=0
    for fmt_ in ("text", "markdown"):
        for layer, title in (("0", "hidden layer 1"), ("1", "output layer")):
            r = cmd("explain", "--layers", "2,3,1", "--activation", "tanh", "--inputs", "0.5,0.1", "--targets", "0.8",
                    "--layer", layer, "--neuron", "0", "--format", fmt_)
            assert r.returncode == 0, r.stderr
            assert f"Backward pass: {title} (--layer {layer})" in r.stdout, r.stdout
            assert "layer=" not in r.stdout and "neuron=" not in r.stdout, r.stdout
    net, X, Y, _ = cr.examples.seed_network()
    assert "Backward pass: hidden layer 1 (layer=0)" in cr.explain(net, X, Y, layer=0).text()


def test_the_worked_examples_opening_writes_the_seeds_numbers_as_its_lines_do():
    # the opening listed w2 = 0.20, i2 = 0.10, b2 = 0.60, while every line below wrote 0.2, 0.1, 0.6
    r = cmd("example", "--width", "0")
    assert r.returncode == 0, r.stderr
    opening = r.stdout.split("Forward pass")[0]
    net, X, Y, lr = cr.examples.seed_network()
    hidden, output = net.dense_layers
    seed_order = [hidden.W[0, 0], hidden.W[1, 0], hidden.W[0, 1], hidden.W[1, 1],     # w1..w8 as the seed wires them
                  output.W[0, 0], output.W[1, 0], output.W[0, 1], output.W[1, 1]]
    weights = re.search(r"w1\.\.w8 = ([\d. ]+),", opening)[1].split()
    assert [float(w) for w in weights] == seed_order, weights
    numbers = re.findall(r"(?<![\w.])\d+\.\d+", opening)
    assert numbers and all(not n.endswith("0") for n in numbers), numbers       # the seed's rule: no trailing zeros
    assert re.search(r"i2=0\.1\b", opening) and "b2=0.6 " in opening and float(X[0, 1]) == 0.1


def test_the_explorer_says_a_model_files_slope_and_dropout_rate_as_its_lines_do():
    # the Network card's "Also in this network" and the words for what a rebuild lost wrote alpha and the Dropout
    # rate 0.123456789 as 0.123457 (:g), while the explorer's lines write every figure by the reports' rule
    from chainrule.teach.explore import engine
    value = 0.123456789
    net = _leaky_dropout_net(value, value)
    assert engine.unshown(net) == [f"leaky_relu's alpha {value} in hidden layer 1", f"Dropout {value} after hidden "
                                                                                   "layer 1"]
    arch = {"hidden": [], "activations": [], "output_activation": "sigmoid", "init": "glorot_uniform",
            "train_biases": True, "loss": "sse", "seed": 0}
    _, lost = engine.rebuilt(net, 2, 1, arch)
    assert lost == [f"the Dropout {value} after hidden layer 1 (the network has 0 hidden layers now)"], lost


def test_the_explorers_learning_rate_and_weight_penalty_read_whole_as_every_figure():
    # the exported Markdown's opening said "learning rate 0.123457" above its own "Update (learning rate
    # 0.123456789)"; Adam's note said η (0.123457) and the weight penalty's note alpha 0.123457, each set to 0.123456789
    from chainrule.teach.explore import export
    from chainrule.teach.explore.session import Session, Start
    value = 0.123456789
    s = Session()
    s.set_optimizer("sgd", lr=value)
    opening = re.search(r"learning rate ([\d.]+)\.", export.markdown(s))
    assert opening and float(opening[1]) == value, export.markdown(s)[:400]
    s.set_optimizer("adam", lr=value)
    assert f"so η ({value}), not the gradient's size" in s.state()["step_scaled"], s.state()["step_scaled"]
    net = _leaky_dropout_net(0.25, 0.5)
    net.weight_penalty = value
    said = Session(Start(net, name="m.npz")).state()["gradient_moves"]
    assert said == f"the weight penalty (alpha {value}) adds alpha · w / m to a weight's gradient", said


def test_a_layer_out_of_range_is_said_in_the_commands_words():
    # `chainrule explain --layer 5` answered "an index of a Dense layer", Python's class, where its --help says
    # "layer of weights"; widths 2,3,3,1 make 3 layers of weights: 0..2
    r = cmd("explain", "--layers", "2,3,3,1", "--layer", "5")
    assert r.returncode != 0 and "--layer must be an index of a layer of weights, 0..2 (0: into hidden layer 1, 2: " \
        "into the output layer) or -3..-1 (from the end); got 5" in r.stderr, r.stderr
    assert "Dense" not in r.stderr and "layer of weights" in cmd("explain", "--help").stdout
    one = cmd("explain", "--layers", "2,1", "--inputs", "1,2", "--targets", "1", "--layer", "1")
    assert "a layer of weights, 0 (into the output layer) or -1 (from the end); got 1" in one.stderr, one.stderr


def test_the_weight_formula_takes_the_indices_explain_takes():
    # formulas.weight_gradient read layer=True as layer 1 and i=0.5 as an index, and refused NumPy's integers, which
    # explain takes: one check of a layer index for both
    import pytest

    from chainrule.errors import ValidationError
    from chainrule.teach.formulas import weight_gradient
    net, X, Y, _ = cr.examples.seed_network()
    for bad in ((True, 0, 0), (0, 0.5, 0), (0, 1, True), (2, 0, 0), (-3, 0, 0)):
        with pytest.raises(ValidationError):
            weight_gradient(net, *bad)
    with pytest.raises(ValidationError,
                       match=r"layer must be an index of a Dense layer, 0\.\.1 or -2\.\.-1 \(from the end\); got True"):
        cr.explain(net, X, Y, layer=True)
    assert weight_gradient(net, np.int64(1), np.int64(0), 1) == weight_gradient(net, 1, 0, 1)
    assert cr.explain(net, X, Y, layer=np.int64(1)).to_dict()["slice"]["layer"] == 1


def test_the_explorer_says_an_optimizers_settings_as_every_figure():
    # the exported opening wrote Adam's η 0.123456789 as 0.123457 (:g), and a model file's optimizer its
    # weight_decay so, where the opening's learning rate of gradient descent reads whole
    from chainrule.teach.explore import export, trained
    from chainrule.teach.explore.session import Session
    value = 0.123456789
    s = Session()
    s.set_optimizer("adam", lr=value)
    assert f"optimizer Adam (η {value}, β₁ 0.9, β₂ 0.999, ε 1e-08)" in export.markdown(s), export.markdown(s)[:300]
    _, said = trained.page_optimizer(cr.optim.Adam(lr=value, weight_decay=value), ("sgd", {"lr": 0.5}))
    assert f"weight_decay {value}" in said, said
