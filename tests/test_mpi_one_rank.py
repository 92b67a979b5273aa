"""`chainrule train --mpi` as a job of one rank (no mpiexec, or `mpiexec -n 1`): its first line counts one rank
("1 rank", not "1 ranks"), and an error before training is the one process's line, as the command without --mpi
says it (there is no other rank to name: it said "rank 0 of 1 failed before training: ...")."""
import re

from conftest import cli, cmd
from mpi_env import MPIEXEC  # noqa: F401  (skips without mpi4py, fails without mpiexec)


def test_a_one_rank_job_says_its_errors_as_one_process(tmp_path):
    missing = tmp_path / "nope.csv"
    args = ("train", missing, "--target", "y", "--out", tmp_path / "m.npz")
    alone = cmd(*args)                                       # the truth: the command without --mpi
    r = cli(*args, "--mpi")                                  # a real process: MPI starts as a singleton
    lines = r.stderr.strip().splitlines()
    assert re.fullmatch(r"MPI job of 1 rank: rank 0 is pid \d+ on \S+", lines[0]), lines
    assert (r.returncode, lines[-1]) == (alone.returncode, alone.stderr.strip().splitlines()[-1]), r.stderr
    assert len(lines) == 2 and alone.returncode == 2, r.stderr
