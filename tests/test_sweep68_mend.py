"""run_sweep's several grids and several scorers where one of them is not the first: a distribution in a later grid
asks for n_iter (as in the first), a spanning target a second scorer cannot score is said before any fit, and a
candidate failed by one scorer's NaN names that scorer (not the dict of them all)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import loguniform
from sklearn.metrics import explained_variance_score, r2_score
from sklearn.model_selection import KFold, ParameterGrid

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep

FIT = {"epochs": 2, "batch_size": 16}


@pytest.mark.parametrize("grids", [[{"learning_rate": [0.1]}, {"learning_rate": loguniform(1e-3, 1e-1)}],
                                   [{"learning_rate": loguniform(1e-3, 1e-1)}, {"learning_rate": [0.1]}]])
def test_a_distribution_in_any_grid_asks_for_n_iter(sweep_data, grids):
    with pytest.raises(TypeError):           # the truth: GridSearchCV's grid takes no distribution
        ParameterGrid(grids)
    with pytest.raises(ValidationError, match=r"the grid gives 'learning_rate' a distribution to draw from: give "
                                              r"n_iter"):
        run_sweep(sweep_data / "iris.csv", "species", grids, cv=2, **FIT)


@pytest.mark.parametrize("scoring, metric, named", [       # a scorer of a dict named by its key and its metric
    (["neg_mean_absolute_error", "r2"], r2_score, "scoring 'r2'"),
    ({"mae": "neg_mean_absolute_error", "ev": "explained_variance"}, explained_variance_score,
     r"the scorer 'ev' \('explained_variance'\)")])
def test_a_spanning_target_a_second_scorer_cannot_score_is_said_before_any_fit(tmp_path, scoring, metric, named):
    rng = np.random.RandomState(0)
    y = rng.randn(60) * 1e154          # squared deviations summing past float64's limit
    pd.DataFrame({"x": rng.randn(60), "y": y}).to_csv(tmp_path / "big.csv", index=False)
    folds = KFold(3, shuffle=True, random_state=0)
    with np.errstate(all="ignore"):               # the truth: scikit-learn's score of the first fold is NaN
        test = next(folds.split(y))[1]
        assert np.isnan(metric(y[test], y[test] * 0.5))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match=rf"{named} cannot score fold 1 of 3"):
            run_sweep(tmp_path / "big.csv", "y", {"lr": [0.01]}, cv=folds, scoring=scoring, refit=list(scoring)[0],
                      **FIT)


def _nan(estimator, X, y):
    return float("nan")


def test_the_scorer_whose_score_was_nan_is_named(sweep_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValidationError, match=r"every candidate .* its score 'never' was NaN$"):
            run_sweep(sweep_data / "binary.csv", "species", {"learning_rate": [0.1]}, cv=2,
                      scoring={"acc": "accuracy", "never": _nan}, refit="never", **FIT)   # the ranking one's NaN


@pytest.mark.parametrize("scoring", ["accuracy,f1", "accuracy, f1"])
def test_names_of_several_scorers_in_one_string_are_said_so(tmp_path, scoring):
    from sklearn.metrics import get_scorer_names
    assert scoring not in get_scorer_names() and {"accuracy", "f1"} <= set(get_scorer_names())
    with pytest.raises(ValidationError, match=r"names 2 scorers; it takes one .*scoring=\['accuracy', 'f1'\], "
                                              r"refit='accuracy'"):
        run_sweep(tmp_path / "never-read.csv", "y", "lr=0.1", scoring=scoring)
