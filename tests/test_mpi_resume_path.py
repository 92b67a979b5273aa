"""Under a real `mpiexec`: an MPI run has one path, the NumPy loop, whose numbers the optimizer's compiled update
keeps to the last bit: a run begun under CHAINRULE_NUMBA=1 (recorded as having run the kernels) and resumed without
them goes on bit for bit, and is not warned of another path."""
import os
import subprocess
import sys

import numpy as np
import pytest
from mpi_env import MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

from chainrule.backend import kernels

SCRIPT = """
import sys
import numpy as np
from mpi4py import MPI
import chainrule as cr
folder, epochs, out = sys.argv[1] or None, int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
net = cr.Network([cr.Dense(5, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy",
                 dtype="float32", seed=1)
net.fit(X, y, epochs=epochs, batch_size=16, optimizer=cr.optim.Adam(0.01), seed=5, verbose=0, comm=MPI.COMM_WORLD,
        checkpoint_dir=folder, resume=folder is not None and epochs > 2)
np.save(f"{out}{MPI.COMM_WORLD.Get_rank()}.npy", net.params)
"""


def job(tmp_path, folder, epochs, numba):
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    if numba:
        env["CHAINRULE_NUMBA"] = "1"
    out = tmp_path / f"params-{epochs}-{bool(folder)}-"
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", SCRIPT, str(folder or ""), str(epochs),
                        str(out)], capture_output=True, text=True, timeout=120, check=False, env=env)
    assert r.returncode == 0, r.stderr
    ranks = [np.load(f"{out}{rank}.npy") for rank in range(2)]
    assert np.array_equal(ranks[0], ranks[1])
    return ranks[0], r.stderr


@pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")
def test_an_mpi_run_has_one_path_and_its_resume_goes_on_bit_for_bit_without_a_word(tmp_path):
    whole, _ = job(tmp_path, None, 4, numba=True)
    job(tmp_path, tmp_path / "ck", 2, numba=True)
    resumed, said = job(tmp_path, tmp_path / "ck", 4, numba=False)
    assert np.array_equal(resumed, whole), said
    assert "Warning" not in said, said
