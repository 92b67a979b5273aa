"""run_sweep's return_train_score, as GridSearchCV's: each fold's candidate scored on its own training rows too
(split<k>_train_<name>, mean_train_<name>, std_train_<name>, in cv_results_ and the written table), equal to
GridSearchCV(return_train_score=True)'s over the sweep's preprocessing and estimator on the same folds. It was refused
as an estimator argument ('return_train_score' is not known), so the overfitting a train/test gap shows could not be
read off a sweep."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, KFold, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier, BackpropRegressor
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,), (8,)]}


@pytest.fixture(autouse=True)
def quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the short fits' ConvergenceWarning
        yield


@pytest.mark.parametrize("scoring", [None, ["accuracy", "neg_log_loss"]])
def test_train_scores_are_gridsearchcvs(sweep_data, tmp_path, scoring):
    folds = StratifiedKFold(3, shuffle=True, random_state=1)
    data = pd.read_csv(sweep_data / "iris.csv")
    ours = run_sweep(sweep_data / "iris.csv", "species", GRID, cv=folds, scoring=scoring, out_dir=tmp_path,
                     return_train_score=True, refit="accuracy" if scoring else True, **FIT)
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    truth = GridSearchCV(pipe, {f"e__{k}": v for k, v in GRID.items()}, cv=folds, scoring=scoring,
                         refit="accuracy" if scoring else True, return_train_score=True).fit(
        data, data["species"].astype("category").cat.codes)
    scored = [k for k in truth.cv_results_ if "_test_" in k or "_train_" in k]
    assert [k for k in ours.cv_results_ if "_test_" in k or "_train_" in k] == scored     # GridSearchCV's order too
    assert any("_train_" in k for k in scored)
    for key in scored:
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-12, atol=1e-12,
                                   err_msg=key)
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    assert {k for k in scored if "_train_" in k} <= set(table.columns)


def test_a_regressions_train_scores_are_in_the_targets_units(sweep_data):
    """The fit is on the standardised target; its training rows are scored in the target's units, as its test rows."""
    folds = KFold(3, shuffle=True, random_state=0)
    data = pd.read_csv(sweep_data / "diabetes.csv")
    ours = run_sweep(sweep_data / "diabetes.csv", "target", {"learning_rate": [0.01]}, cv=folds,
                     scoring="neg_mean_absolute_error", return_train_score=True, refit=False, **FIT)
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.preprocessing import StandardScaler
    pipe = Pipeline([("p", FoldPreprocessing("target", "regression")),
                     ("e", TransformedTargetRegressor(BackpropRegressor(random_state=0, learning_rate=0.01, **FIT),
                                                      transformer=StandardScaler()))])
    truth = GridSearchCV(pipe, {}, cv=folds, scoring="neg_mean_absolute_error", return_train_score=True,
                         refit=False).fit(data, data["target"].to_numpy(dtype=float))
    for k in range(3):
        key = f"split{k}_train_score"
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-9, err_msg=key)
    assert ours.cv_results_["mean_train_score"][0] < -10          # mean absolute error in the target's units


def test_without_it_no_train_scores_as_gridsearchcvs_default(sweep_data):
    ours = run_sweep(sweep_data / "iris.csv", "species", {"learning_rate": [0.01]}, refit=False, **FIT)
    assert not any("_train_" in k for k in ours.cv_results_)


@pytest.mark.parametrize("given", ["yes", 1, None])
def test_return_train_score_not_a_bool_is_refused(sweep_data, given):
    with pytest.raises(ValidationError, match=r"return_train_score must be True or False .*got " + repr(given)):
        run_sweep(sweep_data / "iris.csv", "species", {"learning_rate": [0.01]}, return_train_score=given, **FIT)


def test_the_command_writes_train_scores_with_return_train_score(sweep_data, tmp_path):
    from conftest import cmd
    folds_flag = ["--cv", "3", "--epochs", "3", "--batch-size", "16", "--no-refit", "--out-dir", str(tmp_path)]
    done = cmd("sweep", str(sweep_data / "iris.csv"), "--target", "species", "--grid", "lr=0.01",
               "--return-train-score", *folds_flag)
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=3, epochs=3, batch_size=16, refit=False,
                     return_train_score=True)
    for key in ("mean_train_score", *(f"split{k}_train_score" for k in range(3))):
        np.testing.assert_allclose(table[key], ours.cv_results_[key], rtol=1e-12, err_msg=key)


@pytest.mark.parametrize("scoring", [None, ["accuracy", "f1_macro"]])
def test_verbose_3_shows_the_train_score_as_gridsearchcvs(sweep_data, capsys, scoring):
    folds = StratifiedKFold(2, shuffle=True, random_state=0)
    ours = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=folds, scoring=scoring, verbose=3,
                     return_train_score=True, refit=False, **FIT)
    lines = [line for line in capsys.readouterr().out.splitlines() if "END" in line]
    data = pd.read_csv(sweep_data / "iris.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, learning_rate=0.01, **FIT))])
    GridSearchCV(pipe, {}, cv=folds, scoring=scoring, refit=False, return_train_score=True, verbose=3).fit(
        data, data["species"].astype("category").cat.codes)
    theirs = [line for line in capsys.readouterr().out.splitlines() if "END" in line]
    cut = (lambda line: line[line.index("accuracy:"):line.index(" total time")]) if scoring else (
        lambda line: line[line.index("score="):line.index(" total time")])
    assert [cut(line) for line in lines] == [cut(line) for line in theirs]
    assert all("train=" in line for line in lines) and np.isfinite(ours.cv_results_["mean_train_accuracy" if scoring
                                                                                   else "mean_train_score"]).all()
