"""Under a real `mpiexec -n 2`: a script whose fit forgot comm= (each process trained its own copy on all the data,
silently) is warned, once a process, with the way to pass comm= or to say it is intended; evaluate and predict with
verbose print once, on rank 0, as fit does (every rank printed its line); a ProgressBar subclass whose own batch hooks
read the logs gets the global batch's, as one process's (it inherited the bar's `per_batch_optional`: its rank's
shard's loss under MPI, and in one process the compiled epoch skipped its hooks)."""
import numpy as np
import pytest
from mpi_env import MPIEXEC, run_job, untimed  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def run(*args, ranks: int = 2, **variables):
    return run_job("mpi70_job.py", *args, ranks=ranks, PYTHONWARNINGS="default", **variables)


@pytest.mark.parametrize("mode", ["alone", "alone_mpi4py"])
def test_a_fit_without_comm_under_mpiexec_is_warned_once_a_process(tmp_path, mode):
    err = run(tmp_path, mode).stderr
    said = [line for line in err.splitlines() if "fit without comm=" in line]
    assert len(said) == 2, err                      # each of the two processes, once for its two fits
    assert "mpiexec started as one of 2" in said[0] and "comm=MPI.COMM_WORLD" in said[0], said[0]
    assert "mpi70_job.py" in err.split("fit without comm=")[0].splitlines()[-1], err     # the script's line


@pytest.mark.parametrize("mode", ["intended", "comm"])
def test_a_fit_with_comm_or_filtered_as_said_is_not_warned(tmp_path, mode):
    assert "fit without comm=" not in run(tmp_path, mode).stderr


def test_a_fit_without_comm_in_one_process_is_not_warned(tmp_path):
    assert "fit without comm=" not in run(tmp_path, "alone", ranks=0).stderr


def test_a_fit_with_a_comm_of_one_rank_among_launched_processes_is_warned(tmp_path):
    """As an mpiexec of another MPI library than mpi4py's starts them: each process is rank 0 of 1 (`train --mpi`
    refuses it); a script's fit(comm=MPI.COMM_WORLD) trained alone in each, silently."""
    err = run(tmp_path, "comm", ranks=0, PMI_SIZE="2").stderr
    said = [line for line in err.splitlines() if "comm has 1 rank" in line]
    assert len(said) == 1 and "mpiexec started 2 processes" in said[0] and str(MPIEXEC) in said[0], err


def test_evaluate_and_predict_verbose_print_once_as_one_process(tmp_path):
    two, one = run(tmp_path, "report"), run(tmp_path, "report", "one", ranks=0)
    assert len(one.stdout.splitlines()) == 4, one.stdout
    assert untimed(two.stdout) == untimed(one.stdout), two.stdout


def test_a_progress_bar_subclass_reading_batch_logs_gets_the_global_batchs(tmp_path):
    run(tmp_path, "bar")
    run(tmp_path, "bar", "one", ranks=0)
    one = np.load(tmp_path / "bar-one.npy")
    assert one.shape == (2 * 4 + 1,) and one[-1] == 8, one       # every batch's hooks, in one process too
    for rank in range(2):
        np.testing.assert_allclose(np.load(tmp_path / f"bar-rank{rank}.npy"), one, rtol=1e-12, atol=1e-12,
                                   err_msg=f"rank {rank}")
