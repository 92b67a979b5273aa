"""help() on the names a user of the engine reaches first shows an example, and each example is one that
test_first69_api runs (so what it shows is what it prints)."""
from __future__ import annotations

import numpy as np
from test_first69_api import public_docstring_tests

import chainrule as cr

FIRST_REACHED = ["Network", "Dense", "Dropout", "Activation", "Loss", "Network.summary", "Network.save"]


def test_the_first_reached_names_have_examples_that_run():
    """Dropout, Activation, Loss, Network.summary and save showed no example; Network's showed no fit or predict."""
    tests = {t.name: t for t in public_docstring_tests()}
    assert [name for name in FIRST_REACHED if name not in tests] == []
    shown = "".join(example.source for example in tests["Network"].examples)
    assert all(f".{call}(" in shown for call in ("fit", "predict_classes", "evaluate"))


def test_the_dense_example_is_the_seeds_hidden_layer():
    """The Dense example's outputs are sigmoid(x @ W + b), the seeds' hidden outputs computed here by hand."""
    x, W, b = np.array([0.05, 0.10]), np.array([[0.15, 0.25], [0.20, 0.30]]), 0.35
    layer = cr.Dense(2, 2, "sigmoid", bias_init=b)
    layer.W[...] = W
    np.testing.assert_allclose(layer.forward(x[None])[0], 1 / (1 + np.exp(-(x @ W + b))), rtol=1e-15)
