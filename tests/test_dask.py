"""Sweeps on a real Dask cluster (two worker processes on 127.0.0.1): scikit-learn's searches over
chainrule's estimators give the serial results, and every worker runs one BLAS/Numba thread."""
import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
joblib = pytest.importorskip("joblib")
from conftest import iris_table  # noqa: E402
from scipy.stats import loguniform  # noqa: E402
from sklearn.datasets import load_diabetes, load_iris  # noqa: E402
from sklearn.model_selection import GridSearchCV, RandomizedSearchCV  # noqa: E402
from threadpoolctl import threadpool_info, threadpool_limits  # noqa: E402

from chainrule.sklearn import BackpropClassifier, BackpropRegressor  # noqa: E402
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.workers import ThreadLimits, worker_env  # noqa: E402


@pytest.fixture(scope="module")
def client(dask_client):
    return dask_client


#: the table's columns of seconds, which differ run to run
TIMES = ["mean_fit_time", "std_fit_time", "mean_score_time", "std_score_time"]


def _serial_and_dask(search_factory, X, y, client):
    """The same search fitted here, serially with one BLAS thread as on the workers, and on the cluster."""
    with threadpool_limits(1):
        serial = search_factory(n_jobs=None).fit(X, y)
    on_dask = search_factory(n_jobs=-1)
    with distributed.get_task_stream(client) as tasks, joblib.parallel_backend("dask"):
        on_dask.fit(X, y)
    return serial, on_dask, tasks.data


def _same_results(serial, on_dask):
    assert on_dask.best_params_ == serial.best_params_
    assert on_dask.cv_results_["params"] == serial.cv_results_["params"]
    n_splits = serial.n_splits_
    for key in ["mean_test_score", "std_test_score", *(f"split{k}_test_score" for k in range(n_splits))]:
        np.testing.assert_allclose(on_dask.cv_results_[key], serial.cv_results_[key], rtol=1e-12, atol=0)
    np.testing.assert_array_equal(on_dask.cv_results_["rank_test_score"], serial.cv_results_["rank_test_score"])


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_grid_search_on_dask_equals_serial(client):
    X, y = load_diabetes(return_X_y=True)
    X, y = X[:150], (y[:150] - y[:150].mean()) / y[:150].std()
    grid = {"hidden_layer_sizes": [(4,), (8,)], "learning_rate": [1e-2, 3e-2]}

    def search(n_jobs):
        return GridSearchCV(BackpropRegressor(epochs=8, batch_size=16, random_state=0), grid, cv=3, n_jobs=n_jobs)

    serial, on_dask, tasks = _serial_and_dask(search, X, y, client)
    _same_results(serial, on_dask)
    assert tasks                                  # the fits ran as tasks of the cluster (joblib batches them)
    assert len(set(serial.cv_results_["mean_test_score"])) == 4   # the candidates really differ


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_randomized_search_on_dask_equals_serial(client):
    X, y = load_iris(return_X_y=True)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    dists = {"learning_rate": loguniform(1e-3, 1e-1), "hidden_layer_sizes": [(4,), (8,)]}

    def search(n_jobs):
        return RandomizedSearchCV(BackpropClassifier(epochs=8, batch_size=16, random_state=0), dists, n_iter=4,
                                  cv=3, scoring="neg_log_loss", random_state=0, n_jobs=n_jobs)

    serial, on_dask, tasks = _serial_and_dask(search, X, y, client)
    _same_results(serial, on_dask)
    assert tasks


def _worker_threads():
    import os

    import numba
    import numpy  # noqa: F401
    from threadpoolctl import threadpool_info
    blas = [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]
    return {"blas": blas, "numba": numba.config.NUMBA_NUM_THREADS,
            "env": {k: os.environ.get(k) for k in worker_env(1)}}


def test_workers_run_one_blas_and_numba_thread(client):
    pytest.importorskip("numba")
    per_worker = client.run(_worker_threads)
    assert len(per_worker) == 2
    for info in per_worker.values():
        assert info["blas"] and set(info["blas"]) == {1}, info
        assert info["numba"] == 1
        assert info["env"] == worker_env(1)


def test_thread_limits_plugin_caps_running_workers(client):
    blas_here = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    if not blas_here:
        pytest.fail("threadpoolctl finds no BLAS library behind NumPy")

    def blas_threads():
        from threadpoolctl import threadpool_info
        return sorted({lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"})

    client.run(lambda: threadpool_limits(3) and None)     # a worker whose BLAS got more threads
    assert set(map(tuple, client.run(blas_threads).values())) == {(3,)}
    client.register_plugin(ThreadLimits(1), name="thread-limits")
    try:
        assert set(map(tuple, client.run(blas_threads).values())) == {(1,)}
    finally:
        client.unregister_worker_plugin("thread-limits")


@pytest.fixture(scope="module")
def iris_csv(tmp_path_factory):
    d = iris_table()
    path = tmp_path_factory.mktemp("data") / "iris.csv"
    d.to_csv(path, index=False)
    return path


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_run_sweep_with_scheduler_equals_local(client, iris_csv, tmp_path):
    grid = "hidden=4,8;lr=1e-2,3e-2"
    with threadpool_limits(1):
        here = run_sweep(iris_csv, "species", grid, out_dir=tmp_path / "here", epochs=8, batch_size=16)
    there = run_sweep(iris_csv, "species", grid, scheduler=client.scheduler.address, out_dir=tmp_path / "there",
                      epochs=8, batch_size=16)
    assert there.best_params == here.best_params
    np.testing.assert_allclose(there.table["mean_test_score"], here.table["mean_test_score"], rtol=1e-12)
    assert (tmp_path / "there" / "sweep_results.csv").is_file() and (tmp_path / "there" / "best_model.npz").is_file()


def _standardised_diabetes():
    X, y = load_diabetes(return_X_y=True, scaled=False)
    X, y = X[:200], y[:200]
    return (X - X.mean(axis=0)) / X.std(axis=0), (y - y.mean()) / y.std()


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_a_search_stopped_by_a_failed_fit_leaves_nothing_pending(client, monkeypatch):
    """A fit that raised ended the search with joblib's other batches still pending on the cluster, and
    the client closed over them ("Couldn't gather keys ... forgotten" logged as the sweep ended)."""
    from chainrule.errors import TrainingDiverged
    from chainrule.sweep_search import fit_on_dask
    at_close = []
    close = distributed.Client.close

    def recording_close(self, *args, **kwargs):
        at_close.append(sorted(state.status for state in self.futures.values()))
        return close(self, *args, **kwargs)

    monkeypatch.setattr(distributed.Client, "close", recording_close)
    X, y = _standardised_diabetes()
    search = GridSearchCV(BackpropRegressor(optimizer="sgd", epochs=5, batch_size=16, random_state=0),
                          {"learning_rate": [1e3, 1e-2, 1e-3, 1e-4], "hidden_layer_sizes": [(4,), (8,), (16,), (32,)]},
                          cv=3, error_score="raise", n_jobs=-1)
    with pytest.raises(TrainingDiverged):
        fit_on_dask(search, X, y, client.scheduler.address)
    assert at_close and set(at_close[0]) <= {"finished", "cancelled", "error"}, at_close


@pytest.mark.filterwarnings("ignore:(Stochastic Optimizer|.* finished fits ran every epoch)")   # few epochs
def test_run_sweep_on_dask_keeps_a_failed_candidate(client, tmp_path, caplog):
    import pandas as pd

    from chainrule.sweep_search import FailedCandidateWarning
    load_diabetes(as_frame=True, scaled=False).frame.iloc[:200].to_csv(tmp_path / "d.csv", index=False)
    with pytest.warns(FailedCandidateWarning, match=r"candidate lr=1e3 failed in 3 of 3 folds .*TrainingDiverged"):
        there = run_sweep(tmp_path / "d.csv", "target", "lr=1e-2,1e3", scheduler=client.scheduler.address,
                          optimizer="sgd", epochs=5, batch_size=16, scoring="neg_mean_squared_error")
    with threadpool_limits(1), pytest.warns(FailedCandidateWarning):
        here = run_sweep(tmp_path / "d.csv", "target", "lr=1e-2,1e3", optimizer="sgd", epochs=5, batch_size=16,
                         scoring="neg_mean_squared_error")
    pd.testing.assert_frame_equal(there.table.drop(columns=TIMES),
                                  here.table.drop(columns=TIMES), rtol=1e-12)
    assert np.isnan(there.table["mean_test_score"].iloc[-1]) and there.best_params["learning_rate"] == 0.01
    assert not [r for r in caplog.records if r.name.startswith("distributed") and r.levelno >= 30]
