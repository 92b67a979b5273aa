"""Under a real `mpiexec`: a BackupAndRestore restore from the backup before a damaged one is said once, by rank 0
(the one that reads and writes the checkpoint), not once a rank, and every rank goes on from it bit for bit."""
import subprocess
import sys

import numpy as np
from mpi_env import MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

SCRIPT = """
import sys
import numpy as np
from mpi4py import MPI
import chainrule as cr
folder, epochs, out = sys.argv[1] or None, int(sys.argv[2]), sys.argv[3]
rng = np.random.default_rng(0)
X = rng.normal(size=(64, 3))
net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=1)
backup = [cr.callbacks.BackupAndRestore(folder, double_checkpoint=True, delete_checkpoint=False)] if folder else []
net.fit(X, X @ np.array([1.0, -2.0, 0.5]), epochs=epochs, batch_size=16, optimizer=cr.optim.Adam(0.01), seed=3,
        verbose=0, comm=MPI.COMM_WORLD, callbacks=backup)
np.save(f"{out}{MPI.COMM_WORLD.Get_rank()}.npy", net.params)
"""


def job(tmp_path, folder, epochs):
    out = tmp_path / f"params-{epochs}-{bool(folder)}-"
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", SCRIPT, str(folder or ""), str(epochs),
                        str(out)], capture_output=True, text=True, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    ranks = [np.load(f"{out}{rank}.npy") for rank in range(2)]
    assert np.array_equal(ranks[0], ranks[1])
    return ranks[0], r.stderr


def test_the_backup_before_a_damaged_one_is_said_once_under_mpi(tmp_path):
    whole, _ = job(tmp_path, None, 5)
    job(tmp_path, tmp_path / "b", 3)                        # backups of epochs 2 and 3
    path = tmp_path / "b" / "checkpoint.npz"
    path.write_bytes(path.read_bytes()[:100])
    resumed, said = job(tmp_path, tmp_path / "b", 5)
    assert said.count("resumed from the one before (checkpoint.npz.bkp), epoch 2") == 1, said
    assert np.array_equal(resumed, whole), said
