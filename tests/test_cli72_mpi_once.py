"""`mpiexec -n 2 chainrule train` without --mpi (and `sweep`, which has no --mpi) printed the usage and the refusal once
per rank, twice; rank 0 (by the launcher's variables) says it once, and every rank still exits with code 2."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")

ROWS = "a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(40))


def _under_mpiexec(tmp_path, *words):
    from mpi_env import MPIEXEC
    (tmp_path / "t.csv").write_text(ROWS)
    env = dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    # each rank's exit code, written by a shell around it: mpiexec's own code is the worst of them
    script = f'{sys.executable} -m chainrule "$@"; c=$?; echo $c > "code.$PMI_RANK"; exit $c'
    return subprocess.run([str(MPIEXEC), "-n", "2", "sh", "-c", script, "sh", *words], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("words, said", [
    (["train", "t.csv", "--target", "y", "--epochs", "1", "--out", "m.npz"], "processes without --mpi"),
    (["sweep", "t.csv", "--target", "y", "--grid", "lr=0.01", "--epochs", "1", "--out-dir", "sw"], "run it as one"),
    # a refusal the options give after it was said by each rank: the launch is said first, once
    (["train", "t.csv", "--target", "y", "--activation", "relu,tanh", "--out", "m.npz"], "processes without --mpi"),
    (["train", "t.csv", "--target", "y", "--resume", "--out", "m.npz"], "processes without --mpi"),
    (["sweep", "t.csv", "--target", "y", "--grid", "lr=", "--out-dir", "sw"], "run it as one"),
])
def test_the_refusal_of_every_rank_is_said_once(tmp_path, words, said):
    done = _under_mpiexec(tmp_path, *words)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    usages = [line for line in done.stderr.splitlines() if line.startswith("usage: chainrule ")]
    assert len(errors) == 1 and "started by mpiexec as 2 processes" in errors[0] and said in errors[0], done.stderr
    assert len(usages) == 1 and done.stdout == "", done.stderr
    assert [(tmp_path / f"code.{r}").read_text().strip() for r in (0, 1)] == ["2", "2"]
    assert not (tmp_path / "m.npz").exists() and not (tmp_path / "sw").exists()


@pytest.mark.parametrize("size, rank, expected", [
    ("PMI_SIZE", "PMI_RANK", 1), ("OMPI_COMM_WORLD_SIZE", "OMPI_COMM_WORLD_RANK", 1),
    ("MV2_COMM_WORLD_SIZE", "MV2_COMM_WORLD_RANK", 1), ("SLURM_STEP_NUM_TASKS", "SLURM_PROCID", 1)])
def test_each_launchers_rank_is_read(monkeypatch, size, rank, expected):
    from chainrule.training.rank_warnings import LAUNCHERS, launched_rank
    for name in LAUNCHERS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(size, "3")
    monkeypatch.setenv(rank, str(expected))
    assert launched_rank() == expected
    monkeypatch.delenv(size)
    assert launched_rank() == 0                 # no launcher: the one process is rank 0


@pytest.mark.parametrize("words, said", [
    (["train", "t.csv", "--target", "y", "--epochs", "0", "--out", "m.npz"], "argument --epochs: expected a positive"),
    (["train", "t.csv", "--target", "y", "--clip-norm", "1", "--clip-value", "1", "--out", "m.npz"],
     "not allowed with argument"),
    (["train", "t.csv", "--target", "y", "--mpi", "--epochs", "0", "--out", "m.npz"], "argument --epochs: expected"),
    (["predict", "m.npz"], "the following arguments are required"),
])
def test_every_usage_error_under_a_launcher_is_said_once(tmp_path, words, said):
    """Any usage error (argparse's, or one the options alone tell) is alike on every rank: rank 0 says it once."""
    done = _under_mpiexec(tmp_path, *words)
    assert done.returncode == 2, done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and said in errors[0], done.stderr
    assert len([line for line in done.stderr.splitlines() if line.startswith("usage: chainrule ")]) == 1, done.stderr
    assert [(tmp_path / f"code.{r}").read_text().strip() for r in (0, 1)] == ["2", "2"]
