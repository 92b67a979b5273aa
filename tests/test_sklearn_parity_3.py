"""The estimators beside scikit-learn's MLPClassifier and MLPRegressor (third round): what a user of
those meets, here: one class, sample weights, labels' types, the fitted attributes."""
import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")
from sklearn.dummy import DummyClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from sklearn.utils.estimator_checks import check_classifiers_one_label  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # the MLPs' few epochs


def _data(n=40, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.randn(n, 3)
    return X, (X[:, 0] > 0).astype(int), np.digitize(X[:, 0], [-0.5, 0.5])


@pytest.mark.parametrize("label", [3, "spam", 2.0])
def test_one_class_is_fitted_as_mlpclassifier_fits_it(label):
    X, _, _ = _data()
    y = np.full(40, label)
    mlp = MLPClassifier(max_iter=5, random_state=0).fit(X, y)
    ours = BackpropClassifier(epochs=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(ours.classes_, mlp.classes_)
    np.testing.assert_array_equal(ours.predict(X), mlp.predict(X))
    # one column per class, as every classifier's but MLPClassifier's (two columns for one class)
    for truth in (DummyClassifier(), DecisionTreeClassifier()):
        np.testing.assert_array_equal(ours.predict_proba(X), truth.fit(X, y).predict_proba(X))
    np.testing.assert_array_equal(ours.predict_log_proba(X), np.zeros((40, 1)))
    assert ours.score(X, y) == 1.0
    assert len(ours.loss_curve_) == 5 and ours.loss_curve_[-1] < ours.loss_curve_[0]   # trained towards p = 1


def test_one_class_passes_scikit_learns_one_label_check_by_fitting():
    check_classifiers_one_label("BackpropClassifier", BackpropClassifier(epochs=3))
    est = BackpropClassifier(epochs=3).fit(np.random.RandomState(0).uniform(size=(10, 3)), np.ones(10))
    assert est.predict(np.zeros((2, 3))).tolist() == [1.0, 1.0]


def test_one_class_then_partial_fit_warm_start_and_early_stopping():
    X, _, _ = _data()
    y = np.full(40, 7)
    est = BackpropClassifier(epochs=3, random_state=0).partial_fit(X, y, classes=[7])
    est.partial_fit(X, y)
    assert est.predict(X[:3]).tolist() == [7, 7, 7] and len(est.loss_curve_) == 2
    with pytest.raises(ValueError, match=r"labels \[8\] not seen"):      # MLPClassifier refuses it too
        est.partial_fit(X, np.full(40, 8))
    warm = BackpropClassifier(epochs=2, warm_start=True, random_state=0).fit(X, y).fit(X, y)
    assert len(warm.loss_curve_) == 4
    early = BackpropClassifier(epochs=50, early_stopping=True, n_iter_no_change=2, random_state=0).fit(X, y)
    mlp = MLPClassifier(max_iter=50, early_stopping=True, n_iter_no_change=2, random_state=0).fit(X, y)
    assert (early.best_validation_score_, early.n_iter_) == (mlp.best_validation_score_, mlp.n_iter_)  # 1.0 at once


@pytest.mark.parametrize("Est, MLP, y_of", [(BackpropClassifier, MLPClassifier, 1),
                                            (BackpropRegressor, MLPRegressor, 0)])
def test_a_negative_sample_weight_is_refused_naming_it_and_why(Est, MLP, y_of):
    X, y, _ = _data()
    target = y if y_of else X[:, 1]
    w = np.ones(40)
    w[[5, 9]] = [-0.5, -2.0]
    MLP(max_iter=2).fit(X, target, sample_weight=w)        # scikit-learn's MLP trains on it ...
    with pytest.raises(ValueError, match=r"sample_weight must be >= 0; weight 5 is -0.5 \(2 of 40 are negative\)."
                                         r" A negative weight makes training push"):
        Est(epochs=2).fit(X, target, sample_weight=w)      # ... whose loss then has no minimum: refused
    with pytest.raises(ValueError, match=r"weight 5 is -0.5"):
        Est(epochs=2).partial_fit(X, target, sample_weight=w, **({"classes": [0, 1]} if y_of else {}))


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_all_zero_sample_weight_is_refused_as_by_mlp(Est, MLP):
    X, y, _ = _data()
    with pytest.raises(ValueError) as theirs:
        MLP(max_iter=2).fit(X, y, sample_weight=np.zeros(40))
    with pytest.raises(ValueError) as ours:
        Est(epochs=2).fit(X, y, sample_weight=np.zeros(40))
    assert str(ours.value) == str(theirs.value)

