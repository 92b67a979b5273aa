"""Under a real `mpiexec -n 2`: EarlyStopping(restore_best_weights=True) given to one rank alone (rank 0, as a
script that gives rank 0 the callbacks that print does) leaves every rank with the restored weights of one
process's fit. Before, that rank ended with the best epoch's weights and the others with the last epoch's."""
import os
import subprocess
import sys

import mpi67_job
import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def test_weights_restored_on_one_rank_are_every_ranks(tmp_path):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(HERE / "mpi67_job.py"),
                            str(tmp_path)], capture_output=True, text=True, timeout=60, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    restored, last = mpi67_job.fit(True), mpi67_job.fit(False)      # one process, with and without the callback
    assert np.abs(restored - last).max() > 1e-3                       # the restore matters here
    for case in mpi67_job.CASES:
        for rank in range(2):
            params = np.load(tmp_path / f"{case}-rank{rank}.npy")
            np.testing.assert_allclose(params, restored, rtol=1e-12, atol=1e-12, err_msg=f"{case}, rank {rank}")
