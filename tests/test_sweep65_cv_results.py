"""run_sweep's cv_results_['param_*'] are GridSearchCV's: numpy masked arrays of the dtype scikit-learn infers
(numbers and bools their own, strings, tuples and None objects), where they were lists; pandas reads them."""
import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_table import named

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 1 epoch: fast


def test_param_columns_are_gridsearchcvs_masked_arrays(sweep_data):
    grid = {"learning_rate": [0.01, 0.1], "hidden_layer_sizes": [(4,), (3, 2)], "activation": ["relu"],
            "shuffle": [True], "batch_size": [16], "class_weight": [None, "balanced"]}
    result = run_sweep(sweep_data / "iris.csv", "species", grid, cv=2, epochs=1)
    iris = pd.read_csv(sweep_data / "iris.csv")
    search = GridSearchCV(BackpropClassifier(epochs=1), grid, cv=StratifiedKFold(2)).fit(
        iris.drop(columns="species").to_numpy(), iris["species"])
    for name in grid:
        ours, truth = result.cv_results_[f"param_{name}"], search.cv_results_[f"param_{name}"]
        assert isinstance(ours, np.ma.MaskedArray) and ours.dtype == truth.dtype, name
        assert ours.tolist() == truth.tolist() and ours.mask.tolist() == truth.mask.tolist(), name
    frame = pd.DataFrame(result.cv_results_)
    assert frame["param_learning_rate"].tolist() == search.cv_results_["param_learning_rate"].tolist()
    assert frame["param_hidden_layer_sizes"].tolist() == search.cv_results_["param_hidden_layer_sizes"].tolist()


def test_a_parameter_some_candidates_lack_is_masked_there_as_gridsearchcvs(sweep_data):
    """A list of grids' candidates (GridSearchCV's param_grid=[{...}, {...}]): the same masks, values and dtypes."""
    grids = [{"learning_rate": [0.01, 0.1]}, {"learning_rate": [0.1], "momentum": [0.5, 0.9]}, {"epochs": [2]}]
    iris = pd.read_csv(sweep_data / "iris.csv")
    search = GridSearchCV(BackpropClassifier(epochs=1), grids, cv=StratifiedKFold(2)).fit(
        iris.drop(columns="species").to_numpy(), iris["species"])
    res = named({"params": search.cv_results_["params"]},
                {"lr": "learning_rate", "momentum": "momentum", "epochs": "epochs"})
    for name in ("learning_rate", "momentum", "epochs"):
        ours, truth = res[f"param_{name}"], search.cv_results_[f"param_{name}"]
        assert ours.dtype == truth.dtype and ours.mask.tolist() == truth.mask.tolist(), name
        assert ours.compressed().tolist() == truth.compressed().tolist(), name


@pytest.mark.parametrize("cv", [3, "KFold(4)", "pairs"])
def test_n_splits_is_gridsearchcvs(sweep_data, cv):
    """GridSearchCV's n_splits_ (the folds searched) was missing: AttributeError."""
    from sklearn.model_selection import KFold
    iris = pd.read_csv(sweep_data / "iris.csv")
    X, y = iris.drop(columns="species").to_numpy(), iris["species"]
    given = KFold(4) if cv == "KFold(4)" else list(KFold(5).split(X)) if cv == "pairs" else cv
    result = run_sweep(sweep_data / "iris.csv", "species", {"lr": [0.01]}, cv=given, epochs=1, refit=False)
    search = GridSearchCV(BackpropClassifier(epochs=1), {"learning_rate": [0.01]}, cv=given, refit=False).fit(X, y)
    assert result.n_splits_ == search.n_splits_
