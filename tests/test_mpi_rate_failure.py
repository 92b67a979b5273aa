"""`train --mpi` whose rank fails in training alone (ending the job by MPI_Abort) said its advice from --lr, not the
rate a --schedule had taken it to (cosine's eta_min above --lr here): it told to lower a --lr that was not the rate
that failed. Now the rate in force, as the one process's command says it. Under a real mpiexec -n 2."""
import math
import os
import subprocess
import sys

from conftest import cmd, iris_table
from mpi_env import HERE, MPIEXEC

from chainrule.cli import schedule


def test_a_ranks_failure_names_the_rate_its_schedule_reached(tmp_path, monkeypatch):
    iris_table().rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_")).to_csv(tmp_path / "iris.csv",
                                                                                          index=False)
    args = ["train", "iris.csv", "--target", "petal_width", "--schedule", "cosine:T_max=2,eta_min=1e6", "--lr",
            "0.01", "--optimizer", "sgd", "--epochs", "3", "--quiet", "--out", "f.npz"]
    script = [sys.executable, str(HERE / "mpi_rate_failure.py"), *args]
    env = {**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"}
    from mpi_rate_failure import failing
    monkeypatch.setattr(schedule.RateLog, "on_epoch_begin", failing)
    one = cmd(*args, cwd=tmp_path)                 # the one process's command, in this process
    job = subprocess.run([str(MPIEXEC), "-n", "2", *script, "--mpi"], capture_output=True, text=True, cwd=tmp_path,
                         timeout=60, check=False, env=env)
    rate = 1e6 + (0.01 - 1e6) * (1 + math.cos(math.pi * 1 / 2)) / 2       # torch's CosineAnnealingLR, epoch 1
    said = f"--schedule 'cosine:T_max=2,eta_min=1e6' took it to {rate:g} from --lr 0.01"
    assert one.returncode == 3 and said in one.stderr, one.stderr
    assert job.returncode == 3, job.stderr
    assert job.stderr.splitlines()[-1] == one.stderr.splitlines()[-1].replace("error: ", "error: rank 1 of 2 failed: ")
    assert not (tmp_path / "f.npz").exists()
