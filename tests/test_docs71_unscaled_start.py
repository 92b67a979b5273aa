"""guide.md's word on unscaled inputs: raw iris starts worse than chance, here and in scikit-learn's MLPClassifier."""
import re
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import log_loss  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "guide.md"


def _start(estimator, X, y) -> float:
    """The cross-entropy of the first weights: one epoch at a rate too small to move them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return log_loss(y, estimator.fit(X, y).predict_proba(X))


def test_guide_says_to_standardise_where_it_lists_the_initial_weights():
    text = " ".join(GUIDE.read_text(encoding="utf-8").split())
    said = re.search(r"Iris unscaled .*? neither scales for you\. Standardise first", text)
    assert said, "guide.md's weight_init section no longer says raw iris starts worse than chance"


def test_raw_iris_starts_worse_than_chance_in_both_libraries_and_standardised_does_not():
    X, y = load_iris(return_X_y=True)
    scaled = (X - X.mean(0)) / X.std(0)
    chance = np.log(3)
    for seed in range(4):
        ours = BackpropClassifier(hidden_layer_sizes=(8,), random_state=seed, learning_rate=1e-12, epochs=1)
        theirs = MLPClassifier(hidden_layer_sizes=(8,), random_state=seed, learning_rate_init=1e-12, max_iter=1)
        assert _start(ours, X, y) > chance
        assert _start(theirs, X, y) > chance
    raw = np.mean([_start(BackpropClassifier(hidden_layer_sizes=(8,), random_state=s, learning_rate=1e-12, epochs=1),
                          X, y) for s in range(4)])
    even = np.mean([_start(BackpropClassifier(hidden_layer_sizes=(8,), random_state=s, learning_rate=1e-12,
                                              epochs=1), scaled, y) for s in range(4)])
    assert even < 1.5 * chance < raw
