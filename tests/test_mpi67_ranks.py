"""Under a real `mpiexec -n 2`, what a script moved to MPI meets; a Ctrl-C in training ends it with 130.
EarlyStopping(restore_best_weights=True) given to one rank alone (rank 0, as a script that gives rank 0 the
callbacks that print does) leaves every rank with the restored weights of one process's fit. Before, that rank ended
with the best epoch's weights and the others with the last epoch's. So does a LearningRateScheduler given to one
rank alone (that rank stepped at its rate, the others at the old one: their weights moved apart silently), and
a rate a rank's callback sets once as the fit begins (a warm-up: before, that rank's alone until the first epoch's
end, then the lowest of the ranks'). A rank
whose script ended before its fit (an uncaught error under a plain `python script.py`) is named with the way to end
such a job at once."""
import os
import subprocess
import sys

import mpi67_job
import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def test_weights_restored_and_rates_scheduled_on_one_rank_are_every_ranks(tmp_path):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(HERE / "mpi67_job.py"),
                            str(tmp_path)], capture_output=True, text=True, timeout=60, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    for kind in mpi67_job.KINDS:
        one, none = mpi67_job.fit(kind, True), mpi67_job.fit(kind, False)     # one process, with and without it
        given, logged = one.params, np.array(one.history.history.get("learning_rate", []))
        assert np.abs(given - none.params).max() > 1e-3                         # the callback matters here
        for case in mpi67_job.CASES:
            for rank in range(2):
                params = np.load(tmp_path / f"{kind}-{case}-rank{rank}.npy")
                np.testing.assert_allclose(params, given, rtol=1e-12, atol=1e-12, err_msg=f"{kind} {case}, rank {rank}")
                # the scheduler's logged rate is in every rank's history, as in one process's (rank 0 prints it)
                np.testing.assert_array_equal(np.load(tmp_path / f"{kind}-{case}-rank{rank}-lr.npy"), logged,
                                              err_msg=f"{kind} {case}, rank {rank}: history's learning_rate")


def test_a_script_that_ended_before_fit_on_one_rank_is_told_how_to_end_the_job_at_once(tmp_path):
    # a plain `python script.py` (without -m mpi4py): rank 1's uncaught error before its fit left rank 0 waiting out
    # the timeout at the meeting, told that rank 1 was "still reading or preparing its data, or hung"
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, str(HERE / "mpi67_job.py"), str(tmp_path),
                            "before-fit"], capture_output=True, text=True, timeout=60, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "3"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 1
    assert "FileNotFoundError: rank 1's data.csv" in r.stderr                # the rank's own traceback
    assert r.stderr.rstrip().endswith(
        "chainrule: rank 0 of 2 waited 3 s for rank 1 before training, which did not come (still reading or "
        "preparing its data, or hung; or its script ended before fit: start the script with `python -m mpi4py "
        "script.py`, so that a rank's uncaught error ends the job at once); ending the MPI job"), r.stderr


def test_a_rank_that_hangs_before_fit_under_mpi4py_is_not_said_to_need_mpi4py(tmp_path):
    # under `python -m mpi4py` a rank's uncaught error ends the job at once: a rank that never came hangs, and
    # the advice to start the script with `python -m mpi4py` (given as it already was) misled
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(HERE / "mpi67_job.py"),
                            str(tmp_path), "hang"], capture_output=True, text=True, timeout=60, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "3"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 1, r.stderr
    assert r.stderr.rstrip().endswith(
        "chainrule: rank 0 of 2 waited 3 s for rank 1 before training, which did not come (still reading or "
        "preparing its data, or hung); ending the MPI job"), r.stderr


def test_a_ctrl_c_in_a_scripts_fit_ends_the_job_as_an_interruption(tmp_path):
    # it ended the job with "rank 1 of 2 failed, ending the MPI job: KeyboardInterrupt: " and exit code 1, as a bug
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, str(HERE / "mpi67_job.py"), str(tmp_path),
                            "interrupt"], capture_output=True, text=True, timeout=60, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 130, r.stderr                  # 128 + SIGINT, as `chainrule train --mpi` and a shell say
    lines = [line for line in r.stderr.splitlines() if line.startswith("chainrule:")]
    assert lines == ["chainrule: rank 0 of 2 stopped: rank 1 was interrupted, ending the MPI job (rank 1's output "
                     "says why)", "chainrule: rank 1 of 2 interrupted (KeyboardInterrupt), ending the MPI job"], \
        r.stderr
    assert not list(tmp_path.glob("*.npy"))                   # the job ended: no rank went on to the next fits
