"""explain says how the seed's names map to the matrix form of an L-layer network (the first seed's plan of a
vectorized network): each w it names is the W[i, j] it says, and the formulas it gives are the engine's."""
import re

import numpy as np
import pytest

import chainrule as cr


def _networks():
    yield cr.examples.seed_network()[:3]
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 3, "relu"), cr.Dense(3, 2, "sigmoid")], loss="mse", seed=3)
    rng = np.random.default_rng(3)
    yield net, rng.uniform(-1, 1, (2, 3)), rng.uniform(0, 1, (2, 2))


@pytest.mark.parametrize("case", [0, 1])
def test_each_named_weight_is_the_matrix_entry_it_says(case):
    net, X, Y = list(_networks())[case]
    report = cr.explain(net, X, Y)
    text = report.text()
    dense = net.dense_layers
    said = re.findall(r"W is net\.dense_layers\[(\d+)\]\.W, W\[i, j\] the weight from input i to neuron j \((.*?)\)",
                      text)
    assert sorted(int(l) for l, _ in said) == list(range(len(dense)))         # one per layer of weights
    for l, pairs in said:
        for name, i, j in re.findall(r"(w\d+) is W\[(\d+), (\d+)\]", pairs):
            p = report.parameter(name)
            assert p["value"] == dense[int(l)].W[int(i), int(j)] and p["layer"] == int(l)
    # and the matrix formulas it writes are the engine's gradients
    net.backprop(X, Y)
    for lay, above in zip(dense, dense[1:] + [None]):
        np.testing.assert_allclose(lay.x.T @ lay.delta, lay.dW, rtol=1e-12)
        np.testing.assert_allclose(lay.delta.sum(axis=0), lay.db, rtol=1e-12)
        if above is not None:
            deriv = lay.activation.derivative(lay.out, lay.net)
            np.testing.assert_allclose((above.delta @ above.W.T) * deriv, lay.delta, rtol=1e-12)
    assert text.count("dE/dW is x.T @ delta") == len(dense)
    assert text.count("delta is (delta_above @ W_above.T) * dout/dnet") == len(dense) - 1
