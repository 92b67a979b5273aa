"""run_sweep's scheduler= takes what a Dask user holds: a distributed Client, or a cluster such as LocalCluster, as
well as its address (refused before: 'expected str, got Client'). The scores are those of the same sweep on this
machine, and the user's client is left open."""
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
from chainrule.sweep import run_sweep  # noqa: E402


def _scores(result):
    return np.asarray(result.cv_results_["mean_test_score"])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 2 epochs: fast
def test_a_client_or_a_cluster_runs_the_sweep_on_its_scheduler(sweep_data, tmp_path):
    here = run_sweep(sweep_data / "iris.csv", "species", "hidden=4;lr=0.01,0.1", cv=2, epochs=2)
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, protocol="tcp",
                                  host="127.0.0.1", dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        for held in (client, cluster):
            result = run_sweep(sweep_data / "iris.csv", "species", "hidden=4;lr=0.01,0.1", scheduler=held, cv=2,
                               epochs=2, out_dir=tmp_path / type(held).__name__)
            np.testing.assert_array_equal(_scores(result), _scores(here))
            assert result.best_params_ == here.best_params_
            assert (tmp_path / type(held).__name__ / "best_model.npz").exists()
        assert client.status == "running"                   # the user's client is theirs: not closed by the sweep
        assert client.submit(sum, [1, 2]).result(timeout=10) == 3
