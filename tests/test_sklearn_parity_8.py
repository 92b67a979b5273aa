"""Parity with scikit-learn, eighth pass: partial_fit with a dict class_weight on a batch that lacks a weighted class
(as SGDClassifier's), partial_fit computing with the activation now set (as MLPClassifier's), and the classifier's
parameters declared as the shared estimator's."""
import inspect

import numpy as np
import pytest

pytest.importorskip("sklearn")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.linear_model import SGDClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier, MLPRegressor  # noqa: E402
from sklearn.utils.class_weight import compute_class_weight  # noqa: E402
from test_sklearn_parity_7 import same_as_mlp  # noqa: E402

from chainrule.errors import ValidationError  # noqa: E402
from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sklearn.backprop import _Backprop  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def test_partial_fit_weighs_a_batch_without_a_weighted_class_as_sgdclassifier_accepts_it():
    """partial_fit's batch without class 2, class_weight={2: 3.0}: scikit-learn's compute_sample_weight(cw, y)
    raised its ValueError ('The classes, [0, 1], are not in class_weight'); SGDClassifier takes the batch. The
    rows weigh their class's weight over every class (compute_class_weight over classes_), as sample_weight would."""
    X, y = load_iris(return_X_y=True)
    classes, cw = np.array([0, 1, 2]), {2: 3.0}
    first, batch = (X, y), (X[y < 2], y[y < 2])
    sgd = SGDClassifier(class_weight=cw, random_state=0)
    sgd.partial_fit(*first, classes=classes)
    sgd.partial_fit(*batch)                                   # the truth: scikit-learn accepts the batch
    kw = dict(hidden_layer_sizes=(5,), random_state=0, shuffle=False)
    ours = BackpropClassifier(class_weight=cw, **kw)
    plain = BackpropClassifier(**kw)
    per_class = compute_class_weight(cw, classes=classes, y=y)
    for (Xb, yb), given in ((first, {"classes": classes}), (batch, {})):
        ours.partial_fit(Xb, yb, **given)
        plain.partial_fit(Xb, yb, sample_weight=per_class[yb], **given)
    for a, b in zip(ours.coefs_ + ours.intercepts_, plain.coefs_ + plain.intercepts_):
        np.testing.assert_array_equal(a, b)


def test_partial_fit_weighs_string_labels_over_every_class():
    X, y = load_iris(return_X_y=True)
    labels = np.array(["setosa", "versicolor", "virginica"])[y]
    ours = BackpropClassifier(class_weight={"virginica": 2.0}, hidden_layer_sizes=(4,), random_state=1)
    plain = BackpropClassifier(hidden_layer_sizes=(4,), random_state=1)
    ours.partial_fit(X[y == 0], labels[y == 0], classes=np.unique(labels))
    plain.partial_fit(X[y == 0], labels[y == 0], classes=np.unique(labels), sample_weight=np.ones(50))
    ours.partial_fit(X, labels)
    plain.partial_fit(X, labels, sample_weight=np.where(labels == "virginica", 2.0, 1.0))
    np.testing.assert_array_equal(ours.predict_proba(X), plain.predict_proba(X))


@pytest.mark.parametrize("Est, MLP", [(BackpropClassifier, MLPClassifier), (BackpropRegressor, MLPRegressor)])
def test_partial_fit_computes_with_the_activation_now_set_as_mlp(Est, MLP):
    """MLPClassifier's partial_fit reads `activation` at each call; ours kept the first call's. From the same
    weights, a plain-SGD partial_fit after set_params(activation='tanh') now gives MLP's weights and outputs."""
    rng = np.random.RandomState(0)
    X = rng.randn(30, 4)
    y = (X[:, 0] > 0).astype(int) if Est is BackpropClassifier else X @ rng.randn(4)
    given = {"classes": [0, 1]} if Est is BackpropClassifier else {}
    kw = dict(hidden_layer_sizes=(5,), batch_size=10, alpha=1e-3, shuffle=False, random_state=0)
    lr = 0.05 if Est is BackpropClassifier else 0.025        # the regressor's loss is twice MLPRegressor's
    mlp = MLP(solver="sgd", momentum=0.0, learning_rate_init=0.05, activation="relu", **kw)
    ours = Est(optimizer="sgd", momentum=0.0, learning_rate=lr, activation="relu", **kw)
    mlp.partial_fit(X, y, **given)
    ours.partial_fit(X, y, **given)
    for k, (W, b) in enumerate(zip(mlp.coefs_, mlp.intercepts_)):
        W0, b0 = rng.uniform(-0.7, 0.7, W.shape), rng.uniform(-0.2, 0.2, b.shape)
        mlp.coefs_[k], mlp.intercepts_[k] = W0.copy(), b0.copy()
        ours.coefs_[k][...], ours.intercepts_[k][...] = W0, b0
    mlp.set_params(activation="tanh").partial_fit(X, y)
    ours.set_params(activation="tanh").partial_fit(X, y)
    same_as_mlp(ours, mlp, X)


def test_a_refused_partial_fit_with_another_activation_leaves_the_network():
    X, y = load_iris(return_X_y=True)
    est = BackpropClassifier(hidden_layer_sizes=(5,), random_state=0).partial_fit(X, y, classes=[0, 1, 2])
    before = est.predict_proba(X)
    with pytest.raises(ValidationError, match="sample_weight must be >= 0"):
        est.set_params(activation="tanh").partial_fit(X, y, sample_weight=-np.ones(len(X)))
    assert est.network_.layers[0].activation.name == "relu"
    np.testing.assert_array_equal(est.predict_proba(X), before)


def test_the_classifiers_parameters_are_the_shared_estimators_with_class_weight():
    """BackpropClassifier.__init__ repeats _Backprop.__init__'s parameters (scikit-learn reads them from the
    signature, so no **kwargs): the same names, order and defaults, and class_weight, so the two cannot drift."""
    def params(f):
        return [(p.name, p.default, p.kind) for p in inspect.signature(f).parameters.values() if p.name != "self"]
    ours, shared = params(BackpropClassifier.__init__), params(_Backprop.__init__)
    assert [p for p in ours if p[0] != "class_weight"] == shared
    assert ("class_weight", None, inspect.Parameter.POSITIONAL_OR_KEYWORD) in ours
    assert sorted(BackpropRegressor._get_param_names()) == sorted(n for n, _, _ in shared)
