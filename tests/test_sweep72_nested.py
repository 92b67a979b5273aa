"""A grid that sets an optimizer instance's own arguments (optimizer=[Adam()] with optimizer__lr=[...]), as
GridSearchCV sets them (set_params(optimizer=..., optimizer__lr=...)): searched by run_sweep as by GridSearchCV over
the same estimator, grid and folds (the same scores), a classifier's and a regressor's (whose wrapper's prefix,
regressor__, was cut with the argument's own: optimizer__lr became lr)."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.errors import ValidationError
from chainrule.optim import SGD, Adam, StepLR
from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.sweep import run_sweep
from chainrule.sweep_estimators import TargetScaling
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16, "hidden_layer_sizes": (4,)}


def _quiet(run):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return run()


def test_optimizer_arguments_in_a_grid_score_as_gridsearchcv(sweep_data, tmp_path):
    grid = {"optimizer": [Adam(), SGD(momentum=0.5)], "optimizer__lr": [0.01, 0.1]}
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    data = pd.read_csv(sweep_data / "binary.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    truth = _quiet(lambda: GridSearchCV(pipe, {"e__" + k: v for k, v in grid.items()}, cv=folds).fit(
        data, data["species"].astype("category").cat.codes))
    ours = _quiet(lambda: run_sweep(sweep_data / "binary.csv", "species", grid, cv=folds, out_dir=tmp_path, **FIT))
    assert [p["optimizer__lr"] for p in ours.cv_results_["params"]] == [0.01, 0.1, 0.01, 0.1]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-12)
    assert len(set(np.round(truth.cv_results_["mean_test_score"], 12))) > 1     # the rate was used: scores differ
    assert ours.best_index_ == truth.best_index_
    assert ours.best_params_["optimizer__lr"] == truth.best_params_["e__optimizer__lr"]
    assert ours.best_estimator_[-1].optimizer.lr == truth.best_params_["e__optimizer__lr"]
    assert sorted(pd.read_csv(tmp_path / "sweep_results.csv")["optimizer__lr"]) == [0.01, 0.01, 0.1, 0.1]


def test_a_regressors_optimizer_arguments_score_as_gridsearchcv(sweep_data):
    grid = {"optimizer": [Adam()], "optimizer__lr": [0.003, 0.03]}
    folds = KFold(3, shuffle=True, random_state=1)
    data = pd.read_csv(sweep_data / "diabetes.csv")
    est = TransformedTargetRegressor(BackpropRegressor(random_state=0, **FIT), transformer=TargetScaling(),
                                     check_inverse=False)
    pipe = Pipeline([("p", FoldPreprocessing("target", "regression")), ("e", est)])
    truth = _quiet(lambda: GridSearchCV(pipe, {"e__regressor__" + k: v for k, v in grid.items()}, cv=folds).fit(
        data, data["target"]))
    ours = _quiet(lambda: run_sweep(sweep_data / "diabetes.csv", "target", grid, cv=folds, **FIT))
    assert [p["optimizer__lr"] for p in ours.cv_results_["params"]] == [0.003, 0.03]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-9)


def test_a_schedules_argument_in_a_grid(sweep_data):
    """learning_rate__gamma (lr__gamma, the short name) sets a schedule's argument, as set_params does."""
    grid = {"lr": [StepLR(0.05, step_size=1)], "lr__gamma": [0.1, 0.9]}
    ours = _quiet(lambda: run_sweep(sweep_data / "binary.csv", "species", grid, **FIT))
    assert [p["learning_rate__gamma"] for p in ours.cv_results_["params"]] == [0.1, 0.9]
    assert ours.best_estimator_[-1].learning_rate.gamma in (0.1, 0.9)


def test_an_optimizer_argument_without_an_instance_is_refused_before_any_fit(sweep_data):
    """optimizer__lr where optimizer is a name ('adam', the default): GridSearchCV's set_params refuses it too."""
    with pytest.raises(ValidationError, match=r"optimizer__lr=0\.01: .*optimizer is 'adam', a name"):
        run_sweep(sweep_data / "binary.csv", "species", "optimizer__lr=0.01,0.1", **FIT)
    with pytest.raises(ValidationError, match=r"optimizer__lr=.*optimizer is 'sgd', a name"):
        _quiet(lambda: run_sweep(sweep_data / "binary.csv", "species",
                                 {"optimizer": ["sgd"], "optimizer__lr": [0.01]}, **FIT))


def test_drawn_optimizer_rates_as_randomizedsearchcv(sweep_data):
    """n_iter with a distribution over optimizer__lr: the candidates RandomizedSearchCV(random_state=seed) draws,
    scored as its."""
    from scipy.stats import loguniform
    from sklearn.model_selection import RandomizedSearchCV
    grid = {"optimizer": [Adam()], "optimizer__lr": loguniform(1e-3, 1e-1)}
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    data = pd.read_csv(sweep_data / "binary.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    truth = _quiet(lambda: RandomizedSearchCV(pipe, {"e__" + k: v for k, v in grid.items()}, n_iter=3, cv=folds,
                                              random_state=0).fit(data, data["species"].astype("category").cat.codes))
    ours = _quiet(lambda: run_sweep(sweep_data / "binary.csv", "species", grid, cv=folds, n_iter=3, seed=0, **FIT))
    assert [p["optimizer__lr"] for p in ours.cv_results_["params"]] == [
        p["e__optimizer__lr"] for p in truth.cv_results_["params"]]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-12)


def test_drawn_rates_of_a_name_are_refused_before_any_fit(sweep_data):
    """A drawn optimizer__lr where optimizer is a name: refused naming the candidate, as a listed one is."""
    from scipy.stats import loguniform
    with pytest.raises(ValidationError, match=r"the candidate optimizer__lr=.*optimizer is 'adam', a name"):
        run_sweep(sweep_data / "binary.csv", "species", {"optimizer__lr": loguniform(1e-3, 1e-1)}, n_iter=2, **FIT)
