"""run_sweep's return_train_score when the training rows cannot be scored, and MLPClassifier's names in a sweep.

A scorer that fails on the training rows alone left mean_train_score NaN without a word, where GridSearchCV warns
'Scoring failed'; a grid or argument named max_iter, learning_rate_init or solver was 'not known' with no pointer to
epochs, learning_rate or optimizer, though BackpropClassifier(max_iter=5) names its own."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.errors import UnknownNameError
from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 2, "batch_size": 16}


def _test_rows_only(estimator, X, y):
    """A scorer that works on a fold's 50 test rows and fails on its 100 training rows."""
    if len(X) > 60:
        raise RuntimeError("this scorer takes at most 60 rows")
    return float(np.mean(estimator.predict(X) == y))


def test_training_rows_that_cannot_be_scored_are_said_as_gridsearchcv_says(sweep_data):
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=folds, scoring=_test_rows_only,
                         return_train_score=True, refit=False, **FIT)
        data = pd.read_csv(sweep_data / "iris.csv")
        pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                         ("e", BackpropClassifier(random_state=0, learning_rate=0.01, **FIT))])
        truth = GridSearchCV(pipe, {}, cv=folds, scoring=_test_rows_only, refit=False, return_train_score=True).fit(
            data, data["species"].astype("category").cat.codes)
    assert np.isnan(truth.cv_results_["mean_train_score"]).all()     # GridSearchCV's: NaN, with its warning
    assert any("Scoring failed" in str(w.message) for w in said)
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-12)
    assert np.isnan(ours.cv_results_["mean_train_score"]).all()
    ours_said = [str(w.message) for w in said if "return_train_score" in str(w.message)]
    assert len(ours_said) == 1, [str(w.message) for w in said]
    assert "3 of 3 fits" in ours_said[0] and "lr=0.01" in ours_said[0] and "at most 60 rows" in ours_said[0]


@pytest.mark.parametrize("mlp, ours", [("max_iter", "epochs"), ("learning_rate_init", "learning_rate"),
                                       ("solver", "optimizer")])
@pytest.mark.parametrize("where", ["grid", "fixed"])
def test_mlpclassifiers_names_point_to_ours_as_the_estimator_does(sweep_data, mlp, ours, where):
    value = "sgd" if mlp == "solver" else 5
    with pytest.raises(Exception, match=f"{mlp} is {ours} here"):       # the estimator's own words: the truth
        BackpropClassifier(**{mlp: value}).fit(np.zeros((4, 1)), [0, 1, 0, 1])
    grid, fixed = ({mlp: [value]}, {}) if where == "grid" else ({"lr": [0.01]}, {mlp: value})
    with pytest.raises(UnknownNameError, match=rf"{mlp}'.* is not known: MLPClassifier's {mlp} is {ours} here; "
                                               rf"give '{ours}' instead"):
        run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, refit=False, **FIT, **fixed)
