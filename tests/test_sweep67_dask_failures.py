"""A candidate that fails on a real Dask cluster (two worker processes on 127.0.0.1), the cluster given as a Client
or as its address: error_score='raise' raises the fit's own error, as GridSearchCV(error_score='raise'), and a
number scores its folds, the table as the one-process sweep's; no task is left on the cluster."""
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV  # noqa: E402

from chainrule.sklearn import BackpropClassifier  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402

GRID = {"learning_rate": [0.01, 1e30], "activation": ["linear"], "optimizer": ["sgd"]}      # 1e30 diverges


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


@pytest.mark.parametrize("given", ["client", "address"])
def test_a_failing_candidate_on_dask_raises_or_scores_as_gridsearchcv_and_the_local_sweep(client, sweep_data, given):
    scheduler = client if given == "client" else client.scheduler.address
    X, y = load_iris(return_X_y=True)
    with pytest.raises(Exception) as truth:
        GridSearchCV(BackpropClassifier(epochs=3), GRID, error_score="raise").fit(X, y)
    with pytest.raises(type(truth.value), match="diverged"):
        run_sweep(sweep_data / "iris.csv", "species", GRID, error_score="raise", epochs=3, scheduler=scheduler,
                  out_dir=None)
    with pytest.warns(UserWarning, match=r"learning_rate=1e\+30.* failed in 3 of 3 folds"):
        local = run_sweep(sweep_data / "iris.csv", "species", GRID, error_score=0, epochs=3, out_dir=None)
    with pytest.warns(UserWarning, match=r"learning_rate=1e\+30.* failed in 3 of 3 folds"):
        there = run_sweep(sweep_data / "iris.csv", "species", GRID, error_score=0, epochs=3, scheduler=scheduler,
                          out_dir=None)
    scores = [f"split{k}_test_score" for k in range(3)] + ["rank_test_score"]
    np.testing.assert_array_equal(there.table[scores].to_numpy(), local.table[scores].to_numpy())
    assert there.cv_results_["mean_test_score"][1] == 0 and not client.who_has()     # nothing left on the cluster
