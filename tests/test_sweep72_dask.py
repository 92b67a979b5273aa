"""The grid of an optimizer instance and its own arguments (optimizer=[Adam()], optimizer__lr=[...]) swept on a real
Dask cluster (two worker processes on 127.0.0.1): the instances travel to the workers, the scores the one-process
sweep's."""
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
from chainrule.optim import SGD, Adam  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

GRID = {"optimizer": [Adam(), SGD(momentum=0.5)], "optimizer__lr": [0.01, 0.1]}
FIT = {"epochs": 2, "batch_size": 16, "hidden_layer_sizes": (4,)}


def test_optimizer_arguments_on_dask_score_as_the_local_sweep(dask_client, sweep_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        local = run_sweep(sweep_data / "binary.csv", "species", GRID, **FIT)
        there = run_sweep(sweep_data / "binary.csv", "species", GRID, scheduler=dask_client, **FIT)
    assert [p["optimizer__lr"] for p in there.cv_results_["params"]] == [0.01, 0.1, 0.01, 0.1]
    np.testing.assert_array_equal(there.cv_results_["mean_test_score"], local.cv_results_["mean_test_score"])
    assert there.best_params_["optimizer__lr"] == there.best_estimator_[-1].optimizer.lr
