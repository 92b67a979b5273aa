"""run_sweep's scheduler= given a distributed Client that holds no scheduler (closed, or made asynchronous and not
yet awaited) was called 'the Dask scheduler address <Client: No scheduler connected> ... expected str, got
Client', though a Client is what it takes; anything else not an address named only the str it expected; and
error_score=np.float32('nan') (NaN, as a float32 array's) was refused as not NaN."""
import numpy as np
import pytest
from test_errors import dask_documented

from chainrule.errors import ValidationError
from chainrule.sweep import run_sweep


def test_a_closed_client_is_refused_as_closed_not_as_an_address(sweep_data, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=0, processes=False, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        client = distributed.Client(cluster)
        client.close()
        assert client.scheduler is None                       # closed: connected to no scheduler
        with pytest.raises(ValidationError) as caught:
            run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", scheduler=client, cv=2, epochs=1,
                      out_dir=tmp_path / "out")
    assert str(caught.value) == dask_documented("a closed distributed Client as the scheduler")
    assert not (tmp_path / "out").exists()


def test_something_else_is_refused_naming_what_scheduler_takes(sweep_data):
    pytest.importorskip("distributed")
    with pytest.raises(ValidationError, match=r"^scheduler must be a Dask scheduler's address \('tcp://host:8786'\), "
                                              r"a distributed Client or a cluster \(LocalCluster, \.\.\.\) or None; "
                                              r"got object <object object at "):
        run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", scheduler=object(), cv=2, epochs=1)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")   # 1 epoch: fast
def test_error_score_nan_of_numpy_float32_is_nan(sweep_data):
    given = run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", error_score=np.float32("nan"), cv=2, epochs=1)
    default = run_sweep(sweep_data / "iris.csv", "species", "lr=0.1", cv=2, epochs=1)
    np.testing.assert_array_equal(given.cv_results_["mean_test_score"], default.cv_results_["mean_test_score"])
