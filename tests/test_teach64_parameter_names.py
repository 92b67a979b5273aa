"""Report.parameter of a name the network does not have: the list of the report's names is cut to its first three
("w1, w2, w3, ... and 17 more"), which never said where the weights end; a learner's W5 for w5 was 'no parameter'."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

X = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, 0.3]])


def _report(**kw):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    return net, cr.explain(net, X, np.array([0, 1]), **kw)


def _message(report, name) -> str:
    with pytest.raises(cr.errors.ValidationError) as info:
        report.parameter(name)
    return str(info.value)


def test_a_name_beyond_the_network_says_the_range_that_exists():
    net, report = _report()
    weights = sum(d.W.size for d in net.dense_layers)            # 3*4 + 4*2, counted from the network itself
    said = _message(report, f"w{weights + 1}")
    assert said.startswith(f"no parameter named 'w{weights + 1}' (the network has none: its weights are "
                           f"w1..w{weights}, its biases b_h1, b_h2, b_h3, b_h4, b_o1, b_o2); this report lists"), said
    report.parameter(f"w{weights}")                               # the last one named exists
    assert "the network has none" in _message(report, "b_o3")


def test_a_name_in_the_wrong_case_is_given_as_written():
    net, report = _report()
    assert _message(report, "W5").startswith("no parameter named 'W5' (the names are written in lower case: 'w5')")
    assert _message(report, "B_H2").startswith("no parameter named 'B_H2' (the names are written in lower case: "
                                               "'b_h2')")
    # the name suggested is the weight meant: w5 is from i2 into h2 (numbered neuron by neuron), W[1, 1] of layer 0
    dW = net.gradients(X, np.array([0, 1]))[0][0]
    assert report.parameter("w5")["grad"] == pytest.approx(dW[1, 1], rel=1e-12)


def test_a_name_of_the_network_outside_the_slice_keeps_the_slice_wording():
    _, report = _report(layer=1, neuron=0)
    said = _message(report, "w1")
    assert said.startswith("no parameter named 'w1' in this slice (layer=1, neuron=0;"), said
    assert "the network has none" not in said
    # a name the network lacks, asked of a slice: the slice's list alone would not say what exists
    assert _message(report, "w21").startswith("no parameter named 'w21' (the network has none: its weights are "
                                              "w1..w20,")


def test_a_report_that_lists_every_name_is_not_said_twice():
    net, X, Y, lr = cr.examples.seed_network()
    said = _message(cr.explain(net, X, Y), "w9")
    assert said == ("no parameter named 'w9'; this report lists w1, w2, w3, w4, w5, w6, w7, w8 and b_o1, b_o2, b_h1, "
                    "b_h2")
