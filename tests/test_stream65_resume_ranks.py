"""A checkpoint resumes on another number of ranks (or as one process): the run goes on as the uninterrupted
one-process run, to MPI's documented 1e-12 in float64, with Adam's state and the history carried over."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

pytest.importorskip("mpi4py")   # before mpi_train, which imports it: a skip without it, not an error
import mpi_train  # noqa: E402


def mpirun(n, opts, out):
    out.mkdir(exist_ok=True)
    r = subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, "-m", "mpi4py", str(HERE / "mpi_train.py"),
                        json.dumps({**opts, "out": str(out)})], capture_output=True, text=True, timeout=120,
                       check=False, env={**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    return np.load(out / "params0.npy"), json.loads((out / "history0.json").read_text())


@pytest.mark.parametrize("first, then", [(2, 3), (1, 2), (2, None)])   # None: resumed by one process, no MPI
def test_resume_on_another_number_of_ranks(tmp_path, first, then):
    ck = str(tmp_path / "ck")
    opts = {"validation_split": 0.2, "checkpoint_dir": ck}
    if first == 1:
        mpi_train.train({**opts, "epochs": 2})
    else:
        mpirun(first, {**opts, "epochs": 2}, tmp_path / "a")
    if then is None:
        net, ref = mpi_train.train({**opts, "epochs": 4, "resume": True})
        params, history = net.params, ref.history
    else:
        params, history = mpirun(then, {**opts, "epochs": 4, "resume": True}, tmp_path / "b")
    net, whole = mpi_train.train({"validation_split": 0.2, "epochs": 4})   # uninterrupted, one process
    np.testing.assert_allclose(params, net.params, rtol=1e-12, atol=1e-12 * np.abs(net.params).max())
    assert len(history["loss"]) == 4
    for key, values in whole.history.items():
        np.testing.assert_allclose(history[key], values, rtol=1e-12)
