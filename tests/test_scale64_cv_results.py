"""run_sweep's cv_results_ has the keys of GridSearchCV's over the same grid, mean_score_time and std_score_time
among them (missing: pd.DataFrame(cv_results_)["mean_score_time"] raised KeyError), and sweep_results.csv the
same columns; a candidate whose fit failed took no time to score, as GridSearchCV writes it (0)."""
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast


def test_cv_results_has_gridsearchcvs_keys_and_the_csv_its_columns(sweep_data, tmp_path):
    grid = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,)]}
    result = run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=2, out_dir=tmp_path)
    iris = pd.read_csv(sweep_data / "iris.csv")
    search = GridSearchCV(BackpropClassifier(epochs=2), grid, cv=StratifiedKFold(2)).fit(
        iris.drop(columns="species").to_numpy(), iris["species"])
    assert set(result.cv_results_) == set(search.cv_results_)
    for key in ("mean_score_time", "std_score_time"):
        times = np.asarray(result.cv_results_[key])
        assert times.shape == (2,) and np.all(times >= 0) and np.all(np.isfinite(times))
    assert np.all(result.cv_results_["mean_score_time"] > 0)
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    wanted = {k for k in search.cv_results_ if not k.startswith("param_")} | set(grid)
    assert set(table.columns) == wanted


def test_a_failed_fit_scores_in_no_time_as_gridsearchcvs(sweep_data):
    grid = {"learning_rate": [1e30, 0.01], "activation": ["identity"], "optimizer": ["sgd"]}
    iris = pd.read_csv(sweep_data / "iris.csv")
    with pytest.warns(UserWarning):
        result = run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=2)
    with pytest.warns(UserWarning):     # scikit-learn's FitFailedWarning, its own, for the same candidate
        search = GridSearchCV(BackpropClassifier(epochs=2), grid, cv=StratifiedKFold(2)).fit(
            iris.drop(columns="species").to_numpy(), iris["species"])
    np.testing.assert_array_equal(np.isnan(result.cv_results_["mean_test_score"]),
                                  np.isnan(search.cv_results_["mean_test_score"]))
    failed = np.isnan(search.cv_results_["mean_test_score"])
    assert failed.any() and not failed.all()
    np.testing.assert_array_equal(result.cv_results_["mean_score_time"][failed],
                                  search.cv_results_["mean_score_time"][failed])
