"""Several scorers, one of which (not refit's) scores NaN or fails on every candidate: GridSearchCV keeps every
candidate (that scorer's mean_test_ NaN, the best picked by refit's) and so does the sweep, with a warning naming the
scorer; before, every candidate 'failed' and the sweep raised."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FailedCandidateWarning, FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,), (8,)]}
FOLDS = StratifiedKFold(3, shuffle=True, random_state=1)


def nan_scorer(estimator, X, y):
    return float("nan")


def failing_scorer(estimator, X, y):
    raise RuntimeError("this scorer cannot score")


@pytest.mark.parametrize("odd", [nan_scorer, failing_scorer])
def test_another_scorers_nan_keeps_the_candidates_as_gridsearchcv(sweep_data, tmp_path, odd):
    data = pd.read_csv(sweep_data / "binary.csv")
    scoring = {"acc": "accuracy", "odd": odd}
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(pipe, {f"e__{k}": v for k, v in GRID.items()}, cv=FOLDS, scoring=scoring,
                             refit="acc").fit(data, data["species"].astype("category").cat.codes)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        ours = run_sweep(sweep_data / "binary.csv", "species", GRID, cv=FOLDS, scoring=scoring, refit="acc",
                         out_dir=tmp_path, **FIT)
    for key in (k for k in truth.cv_results_ if "_test_" in k):
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-12, err_msg=key)
    assert ours.best_index_ == truth.best_index_ and ours.best_score_ == pytest.approx(truth.best_score_)
    assert not ours.failed and not [w for w in said if issubclass(w.category, FailedCandidateWarning)]
    named = [str(w.message) for w in said if "scorer 'odd'" in str(w.message)]
    assert len(named) == 1 and "4 of 4 candidates" in named[0], [str(w.message) for w in said]
    if odd is failing_scorer:
        assert "this scorer cannot score" in named[0]
