"""A class_weight dict naming a class the training y lacks, as scikit-learn's compute_class_weight (1.9) takes it: once
every class of y has its weight the other keys weigh no row and are ignored (LogisticRegression fits; a CV fold
without a rare class fits), and where a class of y has no weight such a key is refused (a typo, say), as there."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import KFold, cross_val_score  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:Stochastic Optimizer")      # few epochs: not the point

RNG = np.random.RandomState(0)
X = RNG.rand(30, 3)
y = np.where(X[:, 0] > 0.5, "b", "a")


def _clf(cw):
    return BackpropClassifier(hidden_layer_sizes=(4,), epochs=3, random_state=0, class_weight=cw)


def test_a_key_for_a_class_y_lacks_is_ignored_once_every_class_has_its_weight():
    cw = {"a": 1.0, "b": 3.0, "c": 5.0}
    LogisticRegression(class_weight=cw).fit(X, y)                   # scikit-learn's: accepted
    expected = compute_class_weight(cw, classes=np.array(["a", "b"]), y=y)[(y == "b").astype(int)]
    ours = _clf(cw).fit(X, y)
    np.testing.assert_array_equal(ours._class_weighted(X, y, None), expected)
    own = _clf({"a": 1.0, "b": 3.0}).fit(X, y)
    for a, b in zip(ours.coefs_ + ours.intercepts_, own.coefs_ + own.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_a_key_for_a_class_y_lacks_is_refused_where_a_class_of_y_has_no_weight():
    cw = {"a": 1.0, "c": 5.0}
    with pytest.raises(ValueError, match=r"The classes, \['b'\], are not in class_weight"):
        LogisticRegression(class_weight=cw).fit(X, y)
    with pytest.raises(ValidationError, match=r"class_weight names 'c', which is not a class of y; its classes are "
                                              r"\['a', 'b'\]"):
        _clf(cw).fit(X, y)


def test_a_fold_without_a_rare_class_scores_as_logistic_regressions_does():
    labels = np.r_[["c"] * 3, y[3:]]                              # 'c' only in the first fold's test rows
    cw = {"a": 1.0, "b": 2.0, "c": 10.0}
    folds = KFold(3)
    theirs = cross_val_score(LogisticRegression(class_weight=cw), X, labels, cv=folds, error_score="raise")
    ours = cross_val_score(_clf(cw), X, labels, cv=folds, error_score="raise")
    assert np.isfinite(theirs).all() and np.isfinite(ours).all()
    first_train, first_test = next(folds.split(X))
    alone = _clf({"a": 1.0, "b": 2.0}).fit(X[first_train], labels[first_train]).score(X[first_test], labels[first_test])
    assert ours[0] == alone
