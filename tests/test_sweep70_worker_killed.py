"""A Dask worker killed mid-sweep (a kill -9, as the kernel's out-of-memory killer) on a cluster of two: the other
worker holds every fold's rows too, so the scheduler runs the lost tasks again there and the sweep finishes, with the
scores of the same sweep on this machine (docs/scale.md, "Ctrl-C and lost workers"). Where no worker holds them, the
error names the candidates lost (`tests/test_sweep_workers_lost.py`)."""
import os
import warnings

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")
from conftest import killing_after_two  # noqa: E402

from chainrule.sweep import run_sweep  # noqa: E402

GRID = {"epochs": [20, 40], "lr": [0.01, 0.02]}


def test_one_of_two_workers_killed_mid_sweep_the_other_runs_its_tasks_and_the_sweep_finishes(sweep_data, monkeypatch):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the short fits' ConvergenceWarning
        here = run_sweep(sweep_data / "iris.csv", "species", GRID, cv=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, protocol="tcp", host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as watcher:
        address, pid = sorted(watcher.run(os.getpid).items())[0]
        killed: list[int] = []
        received: list = []
        monkeypatch.setattr(distributed, "as_completed", killing_after_two(watcher, address, pid, killed, received))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            there = run_sweep(sweep_data / "iris.csv", "species", GRID, cv=2, scheduler=cluster.scheduler_address)
        assert killed and address not in watcher.scheduler_info()["workers"]
    assert len(received) == 8            # every fold of the 4 candidates came back, those of the killed worker too
    for column in ("split0_test_score", "split1_test_score", "mean_test_score", "rank_test_score"):
        np.testing.assert_allclose(there.cv_results_[column], here.cv_results_[column], rtol=1e-12)
    assert there.best_params == here.best_params
