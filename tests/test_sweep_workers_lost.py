"""A Dask worker killed in the middle of a sweep (out of memory, a kill -9) took the folds' rows scattered to it: the
command called the cancelled tasks an internal error, a bug, and kept nothing. It is now an error naming the lost
worker, and the candidates whose results had come back are written as an interrupted sweep's: each result is fetched
as its task finishes (one left on the worker was lost with it)."""
import os

import pytest

distributed = pytest.importorskip("distributed")
from conftest import killing_after_two  # noqa: E402
from test_errors import dask_documented  # noqa: E402

from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_tasks import PARTIAL, ClusterLost  # noqa: E402


def test_a_worker_killed_mid_sweep_is_named_and_the_finished_candidates_kept(sweep_data, tmp_path, monkeypatch):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as watcher:
        (address, pid), = watcher.run(os.getpid).items()
        killed: list[int] = []
        received: list = []         # the worker is killed once two came back: the first candidate's two folds
        monkeypatch.setattr(distributed, "as_completed", killing_after_two(watcher, address, pid, killed, received))
        with pytest.raises(ClusterLost) as caught:
            run_sweep(sweep_data / "iris.csv", "species", {"epochs": [1, 50000], "n_iter_no_change": [float("inf")]},
                      scheduler=cluster.scheduler_address, out_dir=tmp_path, cv=2)
    assert killed
    message = str(caught.value)
    assert message == (f"the Dask cluster lost the sweep's tasks: worker {address} left the cluster (killed, out of "
                       "memory, or restarted), taking the folds' rows sent to it and the tasks on them; the 1 of 2 "
                       f"candidates whose folds all finished are in {str(tmp_path / PARTIAL)!r}; lost, with a fold "
                       "unfinished: epochs=50000, n_iter_no_change=inf; run the sweep again")
    assert message == dask_documented("worker lost mid-sweep", address).replace(      # docs/errors.md's row
        repr("sweep/" + PARTIAL), repr(str(tmp_path / PARTIAL)))
    pd = pytest.importorskip("pandas")
    kept = pd.read_csv(tmp_path / PARTIAL)
    assert list(kept["epochs"]) == [1] and not (tmp_path / "sweep_results.csv").exists()


def test_more_than_three_lost_candidates_are_named_three_then_counted():
    """The lost candidates a cluster's error names: the first 3 as the grid wrote them, then how many more; the
    exception's `lost` keeps them all."""
    pd = pytest.importorskip("pandas")
    lost = [f"hidden={h}, lr=0.01" for h in (2, 4, 8, 16, 32)]
    stop = ClusterLost({}, "worker tcp://127.0.0.1:1 left the cluster")
    stop.table, stop.n_candidates, stop.lost = pd.DataFrame({"hidden": [1]}), 6, lost
    assert str(stop).endswith("lost, with a fold unfinished: hidden=2, lr=0.01; hidden=4, lr=0.01; hidden=8, lr=0.01; "
                              "and 2 more; run the sweep again")
    stop.table = None              # none finished: every candidate lost, none named
    assert "lost, with" not in str(stop) and "no candidate had finished all its folds" in str(stop)
