"""Whether a process is an MPI rank, read from the launcher's variables (MPICH's PMI_SIZE, Open MPI's, Slurm's
srun's SLURM_STEP_NUM_TASKS): a process that a rank starts (a subprocess of the user's script, a Dask worker)
inherits them but is no rank, and `chainrule train` in it trains (it was refused as 'started by mpiexec as 2
processes'); a rank itself, started directly or through a shell, is still refused; srun without PMI is seen."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")

ROWS = "a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(40))
TRAIN = [sys.executable, "-m", "chainrule", "train", "t.csv", "--target", "y", "--epochs", "1", "--quiet"]
#: a rank's own script that trains a small model in a subprocess of its own, one --out per rank
CHILD = ("import os, subprocess, sys; rank = os.environ.get('PMI_RANK', '0'); "
         "sys.exit(subprocess.run(sys.argv[1:] + ['--out', f'm{rank}.npz']).returncode)")


def environment(**variables):
    from mpi_env import MPIEXEC
    return dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1",
                **variables)


def test_a_subprocess_of_an_mpiexec_rank_trains(tmp_path):
    from mpi_env import MPIEXEC
    (tmp_path / "t.csv").write_text(ROWS)
    done = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", CHILD, *TRAIN], cwd=tmp_path,
                          env=environment(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m0.npz").exists() and (tmp_path / "m1.npz").exists()


def test_a_rank_started_through_a_shell_is_still_refused(tmp_path):
    from mpi_env import MPIEXEC
    (tmp_path / "t.csv").write_text(ROWS)
    line = " ".join([*TRAIN, "--out", "m.npz"])
    done = subprocess.run([str(MPIEXEC), "-n", "2", "sh", "-c", f"{line}; exit $?"], cwd=tmp_path,
                          env=environment(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "started by mpiexec as 2 processes without --mpi" in done.stderr, done.stderr


@pytest.mark.parametrize("variable", ["SLURM_STEP_NUM_TASKS", "PMI_SIZE"])
def test_a_subprocess_of_a_process_the_launcher_started_trains(tmp_path, variable):
    """The variable in the environment the Python process started with (as srun and mpiexec give it)."""
    (tmp_path / "t.csv").write_text(ROWS)
    done = subprocess.run([sys.executable, "-c", CHILD, *TRAIN], cwd=tmp_path, env=environment(**{variable: "2"}),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "m0.npz").exists()


def test_srun_without_pmi_is_refused(tmp_path):
    """srun's processes without --mpi=pmi2 carry no PMI_SIZE: each trained the whole model alone."""
    (tmp_path / "t.csv").write_text(ROWS)
    env = environment(SLURM_STEP_NUM_TASKS="2", SLURM_PROCID="0")
    done = subprocess.run([*TRAIN, "--out", "m.npz"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "started by srun as 2 processes without --mpi" in done.stderr, done.stderr
    done = subprocess.run([*TRAIN, "--out", "m.npz", "--mpi"], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and "srun --mpi=pmi2" in done.stderr, done.stderr
    assert not (tmp_path / "m.npz").exists()
