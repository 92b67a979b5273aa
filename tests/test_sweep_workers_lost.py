"""A Dask worker killed in the middle of a sweep (out of memory, a kill -9) took the folds' rows scattered to it: the
command called the cancelled tasks an internal error, a bug, and kept nothing. It is now an error naming the lost
worker, and the candidates whose folds all finished are written as an interrupted sweep's."""
import os
import signal
import threading
import time

import pytest

distributed = pytest.importorskip("distributed")
from chainrule.sweep import run_sweep  # noqa: E402
from chainrule.sweep_tasks import PARTIAL, ClusterLost  # noqa: E402


def _finished(dask_scheduler) -> int:
    return sum(ts.state == "memory" for key, ts in dask_scheduler.tasks.items() if str(key).startswith("_fold"))


def test_a_worker_killed_mid_sweep_is_named_and_the_finished_candidates_kept(sweep_data, tmp_path):
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as watcher:
        pid = next(iter(watcher.run(os.getpid).values()))
        killed = threading.Event()

        def kill_after_the_first_candidate():
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and watcher.run_on_scheduler(_finished) < 2:
                time.sleep(0.05)
            os.kill(pid, signal.SIGKILL)            # a real process, killed as the kernel's OOM killer does
            killed.set()
        thread = threading.Thread(target=kill_after_the_first_candidate, daemon=True)
        thread.start()
        with pytest.raises(ClusterLost) as caught:
            run_sweep(sweep_data / "iris.csv", "species", {"epochs": [1, 3000], "n_iter_no_change": [float("inf")]},
                      scheduler=cluster.scheduler_address, out_dir=tmp_path, cv=2)
        thread.join(10)
    assert killed.is_set()
    message = str(caught.value)
    assert message.startswith("the Dask cluster lost the sweep's tasks (cancelled: "), message
    assert "a worker died (killed, out of memory) or was restarted" in message
    assert message.endswith(f"; the 1 of 2 candidates whose folds all finished are in {str(tmp_path / PARTIAL)!r}; "
                            "run the sweep again"), message
    pd = pytest.importorskip("pandas")
    kept = pd.read_csv(tmp_path / PARTIAL)
    assert list(kept["epochs"]) == [1] and not (tmp_path / "sweep_results.csv").exists()

