"""A usage error under `mpiexec -n 2` is said by rank 0 alone (test_cli72_mpi_once); the other ranks exited 2 with
nothing on their stderr, so a rank's own log (Slurm's `--output=%t`, mpiexec's per-rank files) was empty. Each other
rank says in one line that it stopped and where the reason is; rank 0's stderr holds the usage and the error."""
import os
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")


@pytest.mark.parametrize("words", [["train", "t.csv", "--target", "y", "--epochs", "0", "--out", "m.npz"],
                                   ["train", "t.csv", "--target", "y", "--out", "m.npz"]])
def test_every_other_rank_says_where_the_reason_is(tmp_path, words):
    from mpi_env import MPIEXEC
    (tmp_path / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(20)))
    env = dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1",
               OPENBLAS_NUM_THREADS="1")
    script = f'{sys.executable} -m chainrule "$@" 2> "err.$PMI_RANK"'      # each rank's stderr in its own file
    done = subprocess.run([str(MPIEXEC), "-n", "2", "sh", "-c", script, "sh", *words], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    first, other = ((tmp_path / f"err.{r}").read_text() for r in (0, 1))
    assert first.startswith("usage: chainrule train ") and "chainrule train: error: " in first, first
    assert other == "chainrule train: rank 1 stopped: rank 0 says why (a usage error, alike on every rank)\n", other
