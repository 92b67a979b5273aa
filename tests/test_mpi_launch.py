"""A launch that would train one model per process: `mpiexec -n 2 chainrule train` without --mpi trained the whole
model on each rank, and the second to reach --out said it 'is being written by another job'; an mpiexec of another
MPI library than mpi4py's starts processes that are each rank 0 of 1, which with --mpi did the same. Both are
refused at once, saying what to do."""
import os
import subprocess
import sys

import pytest
from conftest import cmd

pytest.importorskip("mpi4py")

ROWS = "a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(40))


def test_mpiexec_without_mpi_is_refused_before_training(tmp_path):
    from mpi_env import MPIEXEC
    (tmp_path / "t.csv").write_text(ROWS)
    env = dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    done = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "chainrule", "train", "t.csv", "--target",
                           "y", "--epochs", "1", "--out", "m.npz"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and all("started by mpiexec as 2 processes without --mpi" in e and "add --mpi" in e
                                    for e in errors), done.stderr
    assert "being written by another job" not in done.stderr and not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("variable", ["PMI_SIZE", "OMPI_COMM_WORLD_SIZE", "MV2_COMM_WORLD_SIZE"])
def test_each_launchers_processes_without_mpi_are_refused(tmp_path, monkeypatch, variable):
    monkeypatch.setenv(variable, "3")           # as MPICH's (Intel's) Hydra, Open MPI and MVAPICH set it
    (tmp_path / "t.csv").write_text(ROWS)
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", cwd=tmp_path)
    assert done.returncode == 2 and "started by mpiexec as 3 processes without --mpi" in done.stderr, done.stderr
    assert not (tmp_path / "m.npz").exists()


def test_another_mpis_mpiexec_is_refused_with_mpi(tmp_path, monkeypatch):
    """Open MPI's mpiexec sets OMPI_COMM_WORLD_SIZE; MPICH's mpi4py then starts as a singleton, rank 0 of 1."""
    monkeypatch.setenv("OMPI_COMM_WORLD_SIZE", "2")
    (tmp_path / "t.csv").write_text(ROWS)
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "started 2 processes, but MPI.COMM_WORLD has 1 rank" in line
    from mpi_env import MPIEXEC  # the mpiexec to run is named by its path, the one the tests run
    assert f"run {MPIEXEC} (beside this Python)" in line, line
    assert not (tmp_path / "m.npz").exists()


def test_one_process_with_mpi_still_trains(tmp_path):
    (tmp_path / "t.csv").write_text(ROWS)
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi", "--quiet",
               cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "m.npz").exists(), done.stderr


def test_a_sweep_started_by_mpiexec_is_refused(tmp_path, monkeypatch):
    """The neighbour: sweep has no --mpi; under mpiexec each process ran the whole sweep into the same folder."""
    monkeypatch.setenv("PMI_SIZE", "2")
    (tmp_path / "t.csv").write_text(ROWS)
    done = cmd("sweep", "t.csv", "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--out-dir", "sw",
               cwd=tmp_path)
    assert done.returncode == 2 and "started by mpiexec as 2 processes" in done.stderr, done.stderr
    assert "--jobs" in done.stderr and "--scheduler" in done.stderr and not (tmp_path / "sw").exists()
