"""A rank that fails in an MPI fit ends the job (MPI_Abort) with its line on its own stderr; the ranks waiting in
the step's Allreduce were killed saying nothing, so a rank's own log (Slurm's `--output=%t`, one file a rank) ended
without a word of why. Each waiting rank now says in one line which rank ended the job and where the reason is; the
failing rank's line stays the job's last in the merged output, and the job ends at once with a code other than 0."""
import os
import subprocess
import sys

import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

ENV = dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1",
           OPENBLAS_NUM_THREADS="1", CHAINRULE_MPI_TIMEOUT="60")


def job(tmp_path, *args, own_files=True):
    """The job under `mpiexec -n 2`, each rank's stderr in tmp_path/err.RANK (own_files) or merged."""
    script = f'{sys.executable} {HERE / "mpi72_job.py"} "$@"' + (' 2> "err.$PMI_RANK"' if own_files else "")
    return subprocess.run([str(MPIEXEC), "-n", "2", "sh", "-c", script, "sh", *map(str, args)], cwd=tmp_path,
                          env=ENV, capture_output=True, text=True, timeout=50)   # not the 60 s of a rank's wait


@pytest.mark.parametrize("failing", [0, 1])
def test_the_waiting_rank_says_which_rank_ended_the_job(tmp_path, failing):
    done = job(tmp_path, failing)
    assert done.returncode != 0, done.stderr
    waiting = 1 - failing
    own, other = ((tmp_path / f"err.{r}").read_text() for r in (failing, waiting))
    assert own.splitlines()[-1] == (f"chainrule: rank {failing} of 2 failed, ending the MPI job: RuntimeError: "
                                    "the node's scratch disk is gone"), own
    assert other == (f"chainrule: rank {waiting} of 2 stopped: rank {failing} failed, ending the MPI job (rank "
                     f"{failing}'s output says why)\n"), other


def test_an_interrupted_rank_is_named_so(tmp_path):
    done = job(tmp_path, 1, "interrupt")
    assert done.returncode == 130, done.stderr
    assert (tmp_path / "err.0").read_text() == ("chainrule: rank 0 of 2 stopped: rank 1 was interrupted, ending the "
                                                "MPI job (rank 1's output says why)\n")


def test_the_failing_rank_s_line_is_the_job_s_last(tmp_path):
    done = job(tmp_path, 1, own_files=False)
    assert done.returncode != 0, done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith("chainrule: rank 1 of 2 failed, ending the MPI job: RuntimeError: "), done.stderr
    assert lines[-2].startswith("chainrule: rank 0 of 2 stopped: rank 1 failed"), done.stderr
