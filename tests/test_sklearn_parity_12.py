"""The estimators beside scikit-learn 1.9's conventions: class_weight='balanced' counted with sample_weight."""
import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from sklearn.utils.estimator_checks import check_sample_weight_equivalence_on_dense_data  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_balanced_class_weight_counts_sample_weight_as_scikit_learn():
    """'balanced' with sample_weight: each class's weight from the sums of its rows' weights, as scikit-learn's
    compute_class_weight (and so LogisticRegression's); fit then trains as with those weights given row by row."""
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    sw = np.where(y == 0, 5.0, 1.0) * np.random.default_rng(0).uniform(0.5, 1.5, len(y))
    table = compute_class_weight("balanced", classes=np.unique(names), y=names, sample_weight=sw)
    kw = dict(hidden_layer_sizes=(5,), epochs=3, random_state=0)
    ours = BackpropClassifier(class_weight="balanced", **kw).fit(X, names, sample_weight=sw)
    truth = BackpropClassifier(**kw).fit(X, names, sample_weight=sw * table[y])
    np.testing.assert_allclose(ours.coefs_[0], truth.coefs_[0], rtol=1e-12)
    np.testing.assert_allclose(ours.loss_curve_, truth.loss_curve_, rtol=1e-12)


@pytest.mark.filterwarnings("ignore:Stochastic Optimizer")
def test_balanced_class_weight_passes_scikit_learns_sample_weight_equivalence():
    """An integer sample_weight fits as the rows repeated, with class_weight='balanced' too (scikit-learn's check)."""
    est = BackpropClassifier(epochs=60, random_state=0, class_weight="balanced")
    check_sample_weight_equivalence_on_dense_data("BackpropClassifier", est)
