"""run_sweep's refit=False and refit=callable, with one scorer or several, as GridSearchCV's: False beside several
scorers leaves no best_index_, best_params_ nor best_score_; a callable picks best_index_ from cv_results_, that
candidate is refit, and there is no best_score_. Each compared with GridSearchCV on the same folds."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,), (8,)]}
FOLDS = StratifiedKFold(3, shuffle=True, random_state=1)


def _both(sweep_data, tmp_path, scoring, refit):
    data = pd.read_csv(sweep_data / "binary.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(pipe, {f"e__{k}": v for k, v in GRID.items()}, cv=FOLDS, scoring=scoring,
                             refit=refit).fit(data, data["species"].astype("category").cat.codes)
        ours = run_sweep(sweep_data / "binary.csv", "species", GRID, cv=FOLDS, scoring=scoring, refit=refit,
                         out_dir=tmp_path, **FIT)
    for key in (k for k in truth.cv_results_ if "_test_" in k):
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-12, err_msg=key)
    return ours, truth


ATTRIBUTES = ("best_index_", "best_params_", "best_score_", "best_estimator_", "refit_time_")


@pytest.mark.parametrize("scoring", [["accuracy", "f1"], {"acc": "accuracy", "ll": "neg_log_loss"}])
def test_several_scorers_without_refit_are_gridsearchcvs(sweep_data, tmp_path, scoring):
    ours, truth = _both(sweep_data, tmp_path, scoring, False)
    assert {a: hasattr(ours, a) for a in ATTRIBUTES} == {a: hasattr(truth, a) for a in ATTRIBUTES}
    assert not hasattr(ours, "best_index_") and ours.multimetric_
    assert (tmp_path / "sweep_results.csv").exists() and not (tmp_path / "best_model.npz").exists()


def _lowest_fit_time_of_the_best_two(results):       # a rule of its own, as GridSearchCV's refit callables are
    name = next(k for k in results if k.startswith("rank_test_"))
    return int(np.argsort(results[name], kind="stable")[1])


@pytest.mark.parametrize("scoring", [None, "accuracy", ["accuracy", "f1"]])
def test_a_refit_callable_picks_the_best_as_gridsearchcvs(sweep_data, tmp_path, scoring):
    ours, truth = _both(sweep_data, tmp_path, scoring, _lowest_fit_time_of_the_best_two)
    assert ours.best_index_ == truth.best_index_
    assert ours.best_params_ == {k[3:]: v for k, v in truth.best_params_.items()}
    assert {a: hasattr(ours, a) for a in ATTRIBUTES} == {a: hasattr(truth, a) for a in ATTRIBUTES}
    assert not hasattr(ours, "best_score_")
    means = truth.cv_results_[next(k for k in truth.cv_results_ if k.startswith("mean_test_"))]
    assert ours.tied_indices_ == [i for i in range(len(means)) if means[i] == means[truth.best_index_]
                                  and i != truth.best_index_]         # those tied with the one picked, not rank 1
    np.testing.assert_array_equal(ours.best_estimator_[-1].coefs_[0], truth.best_estimator_[-1].coefs_[0])
    assert (tmp_path / "best_model.npz").exists()


@pytest.mark.parametrize("chosen, error", [(lambda r: 99, IndexError), (lambda r: "0", TypeError)])
def test_a_refit_callable_giving_no_candidate_is_refused_as_gridsearchcvs(sweep_data, tmp_path, chosen, error):
    data = pd.read_csv(sweep_data / "binary.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")), ("e", BackpropClassifier(**FIT))])
    with pytest.raises(error) as theirs, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        GridSearchCV(pipe, {"e__learning_rate": [0.01]}, cv=FOLDS, refit=chosen).fit(data, data["species"])
    with pytest.raises(error) as ours:
        run_sweep(sweep_data / "binary.csv", "species", {"learning_rate": [0.01]}, cv=FOLDS, refit=chosen, **FIT)
    assert str(ours.value).startswith(str(theirs.value))
