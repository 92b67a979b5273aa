"""A list of grids that spell one parameter two ways (hidden in one, hidden_layer_sizes in the other; lr and
learning_rate) search one parameter, as GridSearchCV over the estimator's names: cv_results_ as GridSearchCV's on the
same folds, and the table one column of it (not two columns, each repeating every candidate's value)."""
import warnings

import numpy as np
import pandas as pd
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline

from chainrule.sklearn import BackpropClassifier
from chainrule.sweep import run_sweep
from chainrule.sweep_search import FoldPreprocessing

FIT = {"epochs": 3, "batch_size": 16}
FOLDS = StratifiedKFold(3, shuffle=True, random_state=1)


def test_one_parameter_spelled_two_ways_is_one_column(sweep_data, tmp_path):
    grids = [{"hidden": [(4,)], "lr": [0.1]}, {"hidden_layer_sizes": [(8,)], "learning_rate": [0.01, 0.1]}]
    truth_grids = [{"e__hidden_layer_sizes": [(4,)], "e__learning_rate": [0.1]},
                   {"e__hidden_layer_sizes": [(8,)], "e__learning_rate": [0.01, 0.1]}]
    data = pd.read_csv(sweep_data / "binary.csv")
    pipe = Pipeline([("p", FoldPreprocessing("species", "classification")),
                     ("e", BackpropClassifier(random_state=0, **FIT))])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        truth = GridSearchCV(pipe, truth_grids, cv=FOLDS).fit(data, data["species"].astype("category").cat.codes)
        ours = run_sweep(sweep_data / "binary.csv", "species", grids, cv=FOLDS, out_dir=tmp_path, **FIT)
    assert ours.cv_results_["params"] == [{k[3:]: v for k, v in p.items()} for p in truth.cv_results_["params"]]
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"], truth.cv_results_["mean_test_score"], rtol=1e-12)
    assert ours.best_index_ == truth.best_index_
    table = pd.read_csv(tmp_path / "sweep_results.csv")
    swept = [c for c in table.columns if c in ("hidden", "hidden_layer_sizes", "lr", "learning_rate")]
    assert swept == ["hidden", "lr"], list(table.columns)
    assert sorted(zip(table["hidden"], table["lr"])) == sorted(
        (int(p["e__hidden_layer_sizes"][0]), p["e__learning_rate"]) for p in truth.cv_results_["params"])
