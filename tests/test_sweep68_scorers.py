"""run_sweep's several scorers, as GridSearchCV's multimetric scoring (a list, tuple or dict; refit naming one):
cv_results_ under each scorer's name (mean_test_<name>, std_test_<name>, rank_test_<name>, split<k>_test_<name>),
best_* from refit's, equal to GridSearchCV's over the sweep's preprocessing and estimator on the same folds; refit=True
raises GridSearchCV's own error."""
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import make_scorer, recall_score
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.errors import ValidationError
from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
GRID = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,), (8,)]}
FOLDS = StratifiedKFold(3, shuffle=True, random_state=1)


def _truth(data, target, scoring, refit):
    pipe = Pipeline([("p", FoldPreprocessing(target, "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return GridSearchCV(pipe, {f"e__{k}": v for k, v in GRID.items()}, cv=FOLDS, scoring=scoring,
                            refit=refit).fit(data, data[target].astype("category").cat.codes)


@pytest.mark.parametrize("scoring, refit", [
    (["accuracy", "f1", "neg_log_loss"], "f1"), (("neg_log_loss", "accuracy"), "neg_log_loss"),
    ({"acc": "accuracy", "rec": make_scorer(recall_score)}, "rec")])
def test_several_scorers_are_gridsearchcvs(sweep_data, tmp_path, scoring, refit):
    data = pd.read_csv(sweep_data / "binary.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = run_sweep(sweep_data / "binary.csv", "species", GRID, cv=FOLDS, scoring=scoring, refit=refit,
                         out_dir=tmp_path, **FIT)
    truth = _truth(data, "species", scoring, refit)
    names = list(scoring)
    keys = [f"{kind}_test_{n}" for n in names for kind in ("mean", "std", "rank")] + [
        f"split{k}_test_{n}" for n in names for k in range(3)]
    assert {k for k in ours.cv_results_ if "_test_" in k} == {k for k in truth.cv_results_ if "_test_" in k}
    for key in keys:
        np.testing.assert_allclose(ours.cv_results_[key], truth.cv_results_[key], rtol=1e-12, atol=1e-12,
                                   err_msg=key)
    assert ours.best_index_ == truth.best_index_
    assert ours.best_params_ == {k[3:]: v for k, v in truth.best_params_.items()}
    assert ours.best_score_ == pytest.approx(truth.best_score_, rel=1e-12)
    assert ours.multimetric_ and truth.multimetric_ and ours.n_splits_ == truth.n_splits_ == 3
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    assert table[f"rank_test_{refit}"].is_monotonic_increasing
    assert set(keys) <= set(table.columns)


@pytest.mark.parametrize("refit", [True, "nope"])
def test_refit_true_beside_several_scorers_is_gridsearchcvs_error(sweep_data, refit):
    data = pd.read_csv(sweep_data / "binary.csv")
    with pytest.raises(ValueError) as theirs:
        _truth(data, "species", ["accuracy", "f1"], refit)
    with pytest.raises(ValidationError) as ours:
        run_sweep(sweep_data / "binary.csv", "species", GRID, cv=FOLDS, scoring=["accuracy", "f1"], refit=refit,
                  **FIT)
    assert str(ours.value) == str(theirs.value)


def test_verbose_lines_of_several_scorers_are_gridsearchcvs(sweep_data, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_sweep(sweep_data / "binary.csv", "species", {"learning_rate": [0.01]}, cv=FOLDS,
                  scoring=["f1", "accuracy"], refit="f1", verbose=3, **FIT)
    lines = capsys.readouterr().out.splitlines()[1:]
    assert len(lines) == 3 and all(" accuracy: (test=" in line and " f1: (test=" in line for line in lines), lines
    assert all(line.index(" accuracy:") < line.index(" f1:") for line in lines)      # sorted, as scikit-learn's


def test_several_scorers_on_dask_are_those_of_this_machine(sweep_data, dask_client):
    kw = dict(cv=FOLDS, scoring={"acc": "accuracy", "ll": "neg_log_loss"}, refit="ll", **FIT)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        here = run_sweep(sweep_data / "binary.csv", "species", GRID, **kw)
        there = run_sweep(sweep_data / "binary.csv", "species", GRID, scheduler=dask_client, **kw)
    for key in ("mean_test_acc", "rank_test_acc", "mean_test_ll", "rank_test_ll"):
        np.testing.assert_allclose(there.cv_results_[key], here.cv_results_[key], rtol=1e-12, err_msg=key)
    assert there.best_params_ == here.best_params_
