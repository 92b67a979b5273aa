"""docs/guide.md introduces the scikit-learn estimators (in a block test_docs runs and compares) before its prose
leans on them ("the estimators", "the scikit-learn estimators' loss_curve_"), and what that block shows holds
against scikit-learn itself: MLPClassifier's curves and warning, accuracy_score's weighting."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.metrics import accuracy_score  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402

GUIDE = Path(__file__).parents[1] / "docs" / "guide.md"


def _python_blocks(text: str) -> list[tuple[int, str]]:
    """(offset, code) of each ```python block."""
    return [(m.start(), m[1]) for m in re.finditer(r"^```python\n(.*?)^```", text, re.S | re.M)]


def test_the_guide_shows_the_estimators_before_its_prose_names_them():
    text = GUIDE.read_text()
    named = re.search(r"the (scikit-learn )?estimators\b", text)
    assert named, "the guide's prose on the estimators"
    shown = [at for at, code in _python_blocks(text) if "from chainrule.sklearn import" in code
             and "BackpropClassifier(" in code]
    assert shown, "no code block of the guide uses chainrule.sklearn's BackpropClassifier"
    assert shown[0] < named.start(), "the guide names 'the estimators' before any block shows them"


def test_the_guide_block_prints_what_it_claims():
    """Its text block follows it (test_docs compares them) and reads the attributes the prose names."""
    blocks = re.findall(r"^```python\n(.*?)^```\n\n```text\n(.*?)^```", GUIDE.read_text(), re.S | re.M)
    code, shown = next((code, shown) for code, shown in blocks if "BackpropClassifier(" in code)
    for name in ("n_iter_", "loss_curve_", "best_loss_", "warm_start=True", "sample_weight=", 'dtype="float32"',
                 "clone(", "MLPClassifier("):
        assert name in code, name
    assert "ConvergenceWarning" in shown and "float32" in shown


def test_curves_warning_and_weighted_score_as_scikit_learn():
    X, y = load_iris(return_X_y=True)
    w = np.where(y == 2, 3.0, 0.5)
    seen = {}
    for model in (BackpropClassifier(hidden_layer_sizes=(5,), epochs=4, random_state=0),
                  MLPClassifier(hidden_layer_sizes=(5,), max_iter=4, random_state=0)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            model.fit(X, y)
            first = (model.n_iter_, len(model.loss_curve_))
            model.set_params(warm_start=True).fit(X, y)
        seen[type(model).__name__] = (first, model.n_iter_, len(model.loss_curve_),
                                      model.best_loss_ == min(model.loss_curve_),
                                      sorted({c.category for c in caught}, key=str))
    assert seen["BackpropClassifier"] == seen["MLPClassifier"]
    assert seen["MLPClassifier"][-1] == [ConvergenceWarning]
    clf = BackpropClassifier(hidden_layer_sizes=(5,), epochs=4, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    assert clf.score(X, y, sample_weight=w) == pytest.approx(accuracy_score(y, clf.predict(X), sample_weight=w))
