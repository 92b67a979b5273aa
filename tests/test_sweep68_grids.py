"""run_sweep's grid as a list of dicts, GridSearchCV's param_grid=[{...}, {...}]: the same candidates in the same
order, the same param_ columns (masked where a candidate lacks a name), scores, ranks and best_params_ as GridSearchCV
over the sweep's preprocessing and estimator on the same folds."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
GRIDS = [{"learning_rate": [0.01, 0.1]}, {"learning_rate": [0.05], "momentum": [0.5, 0.9]}, {"epochs": [2]}]


def _truth(iris, grids, folds, **kw):
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    prefixed = [{f"e__{k}": v for k, v in g.items()} for g in grids]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GridSearchCV(pipe, prefixed, cv=folds, **kw).fit(iris, iris["species"].astype("category").cat.codes)


def test_a_list_of_grids_is_gridsearchcvs(sweep_data, tmp_path):
    iris = pd.read_csv(sweep_data / "iris.csv")
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = run_sweep(sweep_data / "iris.csv", "species", GRIDS, cv=folds, out_dir=tmp_path, **FIT)
    truth = _truth(iris, GRIDS, folds)
    assert ours.cv_results_["params"] == [{k[3:]: v for k, v in p.items()} for p in truth.cv_results_["params"]]
    for name in ("learning_rate", "momentum", "epochs"):
        mine, theirs = ours.cv_results_[f"param_{name}"], truth.cv_results_[f"param_e__{name}"]
        assert mine.dtype == theirs.dtype and mine.mask.tolist() == theirs.mask.tolist(), name
        assert mine.compressed().tolist() == theirs.compressed().tolist(), name
    for key in ("mean_test_score", "std_test_score", "rank_test_score", *(f"split{k}_test_score" for k in range(3))):
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-12, err_msg=key)
    assert ours.best_params_ == {k[3:]: v for k, v in truth.best_params_.items()}
    assert ours.best_index_ == truth.best_index_
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    assert len(table) == 5 and (tmp_path / "best_model.npz").exists()


def test_a_list_of_grids_drawn_from_is_randomizedsearchcvs(sweep_data):
    from sklearn.model_selection import ParameterSampler
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = run_sweep(sweep_data / "iris.csv", "species", GRIDS, cv=2, n_iter=3, seed=4, refit=False, **FIT)
    assert ours.cv_results_["params"] == list(ParameterSampler(GRIDS, 3, random_state=4))


def test_a_bad_value_in_one_of_the_grids_is_named(sweep_data):
    with pytest.raises(ValidationError, match=r"learning_rate=-1"):
        run_sweep(sweep_data / "iris.csv", "species", [{"lr": [0.01]}, {"learning_rate": [-1]}], cv=2, **FIT)


@pytest.mark.parametrize("bad", [[], [{"lr": [0.1]}, 3]])
def test_not_a_list_of_dicts_is_named(sweep_data, bad):
    with pytest.raises(ValidationError, match=r"grid must be .*list of such dicts"):
        run_sweep(sweep_data / "iris.csv", "species", bad, cv=2, **FIT)
