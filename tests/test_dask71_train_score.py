"""run_sweep's return_train_score on a real Dask cluster (two worker processes on 127.0.0.1): each task scores its
training rows there too, the same train scores as the sweep run here."""
import warnings

import numpy as np
import pytest
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from chainrule.sweep import run_sweep

pytest.importorskip("distributed")


def test_train_scores_on_dask_equal_those_here(dask_client, sweep_data):
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    kwargs = dict(cv=folds, epochs=3, batch_size=16, return_train_score=True, refit=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the short fits' ConvergenceWarning
        with threadpool_limits(1):
            here = run_sweep(sweep_data / "iris.csv", "species", "hidden=4,8", **kwargs)
        there = run_sweep(sweep_data / "iris.csv", "species", "hidden=4,8", scheduler=dask_client, **kwargs)
    keys = [k for k in here.cv_results_ if "_train_" in k]
    assert keys == ["split0_train_score", "split1_train_score", "split2_train_score", "mean_train_score",
                    "std_train_score"]
    for key in keys:
        np.testing.assert_allclose(there.cv_results_[key], here.cv_results_[key], rtol=1e-12, err_msg=key)
