"""docs/guide.md section 4 says what a single layer does on XOR: no line separates the classes (3 of 4 points at
most), and its lowest cross-entropy is at output 0.5 everywhere, where fit takes it. It said "the best a single layer
can do is to output 0.5 everywhere", which is false of accuracy: a line gets 3 of the 4 points right (0.75 to 0.5)."""
from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

import chainrule as cr

GUIDE = Path(__file__).parents[1] / "docs" / "guide.md"


def said() -> str:
    return " ".join(GUIDE.read_text(encoding="utf-8").split())


def test_the_guide_says_a_line_gets_three_of_four_and_the_lowest_loss_is_at_one_half():
    text = said()
    assert "the best a single layer can do is to output 0.5 everywhere" not in text
    assert "a line puts at most 3 of the 4 points on their side" in text
    assert "the lowest cross-entropy a single layer reaches is its output 0.5 everywhere (log 2 a point)" in text


def test_a_single_layer_gets_three_of_four_points_and_never_four():
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    best = 0.0
    for w1, w2, b in itertools.product(np.linspace(-3, 3, 13), repeat=3):   # lines through and around the square
        net.dense_layers[0].W[:] = [[w1], [w2]]
        net.dense_layers[0].b[:] = [b]
        best = max(best, float(net.evaluate(X, y)["accuracy"]))
    assert best == 0.75


def test_fit_takes_a_single_layer_to_one_half_everywhere_the_lowest_loss():
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    net.fit(X, y, epochs=3000, batch_size=None, optimizer=cr.optim.Adam(0.05), seed=0, verbose=0)
    np.testing.assert_allclose(net.predict(X)[:, 0], 0.5, atol=1e-3)
    np.testing.assert_allclose(net.evaluate(X, y)["loss"], np.log(2), rtol=1e-5)
    # scikit-learn's unpenalised logistic regression, the same model's minimum, says the same
    lr = LogisticRegression(C=np.inf, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(lr.predict_proba(X)[:, 1], 0.5, atol=1e-6)
