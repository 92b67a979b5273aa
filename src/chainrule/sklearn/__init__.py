"""scikit-learn estimators driving the chainrule engine: BackpropClassifier, BackpropRegressor.

They validate with scikit-learn's own tools, build a `chainrule.Network` and call its `fit`;
the math is the engine's. X may be a SciPy sparse matrix (kept sparse, as CSR), as for
scikit-learn's MLPClassifier. They pass `sklearn.utils.estimator_checks.check_estimator` and work in
Pipeline, GridSearchCV and cross_val_score. `estimators.py` holds them, `backprop.py` what they share,
`params.py` their parameters' checks, `stopping.py` their early stopping, `weights.py` their coefs_ and intercepts_,
`targets.py` the classifier's y (its classes, their encoding, class_weight).

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from chainrule.sklearn import BackpropClassifier
>>> X, y = load_iris(return_X_y=True)
>>> clf = make_pipeline(StandardScaler(), BackpropClassifier(hidden_layer_sizes=(16,), random_state=0))
>>> clf.fit(X, y).score(X, y) > 0.95
True
"""
try:
    import sklearn  # noqa: F401 (its pip name is scikit-learn: `pip install sklearn` installs nothing that works)
except ModuleNotFoundError as exc:
    if exc.name != "sklearn":        # scikit-learn there but broken (a dependency missing): its own error says which
        raise
    from ..extras import missing
    # ModuleNotFoundError, as Python's own: `except ModuleNotFoundError` around the import still catches it
    raise ModuleNotFoundError(missing("sklearn", "chainrule.sklearn needs"), name="sklearn") from None

from .estimators import BackpropClassifier, BackpropRegressor  # noqa: E402 (after the check above)

__all__ = ["BackpropClassifier", "BackpropRegressor"]
