"""partial_fit's classes holding an infinite or a continuous label: refused before a network is built, as
MLPClassifier refuses them and as fit refuses such a y (an infinite label in y is named by its row)."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.neural_network import MLPClassifier  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402

rng = np.random.default_rng(0)
X, y = rng.normal(size=(12, 3)), np.arange(12) % 3


@pytest.mark.parametrize("classes, said", [
    ([0, 1, 2, np.inf], r"classes must not hold infinite values; got \[0\.0, 1\.0, 2\.0, inf\]"),
    ([0, 1, 2, -np.inf], r"classes must not hold infinite values"),
    ([0, 1, 2, 2.5], r"classes must be class labels .*it holds 2\.5, a continuous value"),
], ids=["inf", "-inf", "continuous"])
def test_partial_fit_refuses_classes_mlpclassifier_refuses(classes, said):
    with pytest.raises(ValueError), np.errstate(invalid="ignore"):   # scikit-learn refuses them too (casting inf)
        MLPClassifier(max_iter=2).partial_fit(X, y, classes=classes)
    est = BackpropClassifier(hidden_layer_sizes=(3,), epochs=1)
    with pytest.raises(ValidationError, match=said):
        est.partial_fit(X, y, classes=classes)
    assert not hasattr(est, "network_")


def test_whole_float_classes_are_still_taken():
    est = BackpropClassifier(hidden_layer_sizes=(3,), epochs=1).partial_fit(X, y.astype(float), classes=[0., 1., 2.])
    assert est.classes_.tolist() == MLPClassifier(max_iter=2).partial_fit(X, y.astype(float),
                                                                             classes=[0., 1., 2.]).classes_.tolist()
