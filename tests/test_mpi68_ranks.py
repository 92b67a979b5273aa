"""Under a real `mpiexec -n 2`, callbacks given to some ranks alone. A warm-up that sets the rate as each batch
begins or ends, given to one rank alone, left the ranks stepping at different rates (their weights parted): every
rank now steps at it, as one process. A callback that prints given to rank 1 alone (EarlyStopping's lines, which rank
0 alone prints; a progress bar) was not warned of, and one file named two ways on two ranks (`./log.csv` and
`log.csv`, a link) was warned of as two. TerminateOnNaN over a batch whose loss is finite but whose gradient overflows
stopped there, one batch before one process (Keras' batch)."""
import contextlib
import io
import os
import subprocess
import sys
import warnings

import mpi68_job
import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

import chainrule as cr


def job(tmp_path, what):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(HERE / "mpi68_job.py"),
                            str(tmp_path), what], capture_output=True, text=True, timeout=90, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    return r


def test_a_rate_set_per_batch_on_one_rank_is_every_ranks(tmp_path):
    job(tmp_path, "rates")
    for kind in mpi68_job.KINDS:
        given, none = mpi68_job.fit(kind, True).params, mpi68_job.fit(kind, False).params
        assert np.abs(given - none).max() > 1e-3                       # the warm-up matters here
        for case in mpi68_job.CASES:
            for rank in range(2):
                np.testing.assert_allclose(np.load(tmp_path / f"{kind}-{case}-rank{rank}.npy"), given, rtol=1e-12,
                                           atol=1e-12, err_msg=f"{kind} {case}, rank {rank}")


@pytest.fixture(scope="module")
def warned(tmp_path_factory):
    """The job whose rank 1 alone has callbacks that print, and whose ranks name their files two ways: rank 0's
    warnings."""
    folder = tmp_path_factory.mktemp("warnings")
    job(folder, "warnings")
    assert (folder / "warnings-rank1.txt").read_text() == ""         # rank 0 alone tells
    return folder, (folder / "warnings-rank0.txt").read_text()


def test_callbacks_that_print_given_to_one_other_rank_alone_are_warned(warned):
    _, said = warned
    assert "EarlyStopping(verbose=1) was given to rank 1 of 2 and not to rank 0, which alone prints under MPI: " \
           "nothing is printed; give it to rank 0 (or to every rank)" in said, said
    assert "ProgressBar was given to rank 1 of 2 and not to rank 0, which alone prints under MPI: nothing is " \
           "printed; give it to rank 0 (or to every rank)" in said, said


def test_one_file_named_two_ways_on_two_ranks_is_not_warned_of_as_two(warned):
    folder, said = warned
    assert "CSVLogger" not in said and "ModelCheckpoint" not in said, said     # the same files on both ranks
    assert (folder / "log.csv").exists() and (folder / "m.npz").exists()


def test_terminate_on_nan_stops_every_rank_at_the_batch_one_process_stops_at(tmp_path):
    r = job(tmp_path, "overflow")
    for lr in mpi68_job.RATES:
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            params, seen, losses = mpi68_job.divergent(lr)      # one process: Keras' batch (test_keras67_callbacks)
        assert seen[-1, 1] == np.inf and np.isfinite(seen[:-1, 1]).all()
        assert printed.getvalue().strip() in r.stdout
        for rank in range(2):
            got = np.load(tmp_path / f"overflow-{lr}-rank{rank}.npz")
            np.testing.assert_array_equal(got["seen"][:, 0], seen[:, 0], err_msg=f"lr {lr}, rank {rank}: batches")
            np.testing.assert_allclose(got["seen"][:, 1], seen[:, 1], rtol=1e-5, err_msg=f"lr {lr}, rank {rank}")
            np.testing.assert_allclose(got["losses"], losses, rtol=1e-5, err_msg=f"lr {lr}, rank {rank}")
            np.testing.assert_allclose(got["params"], params, rtol=1e-5, atol=1e-6, err_msg=f"lr {lr}, rank {rank}")
    for rows, lr in mpi68_job.WIDE:     # float64, the overflow on an epoch's last batch: as one process to 1e-12
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore", cr.callbacks.GradientWarning)    # the loss exploding: what is run here
            params, seen, losses = mpi68_job.divergent(lr, None, "float64", rows)
        assert seen[-1, 0] == 0 and seen[-1, 1] == np.inf and np.isfinite(seen[:-1, 1]).all()
        for rank in range(2):
            got = np.load(tmp_path / f"overflow64-{rows}-rank{rank}.npz")
            np.testing.assert_array_equal(got["seen"][:, 0], seen[:, 0], err_msg=f"{rows} rows, rank {rank}: batches")
            np.testing.assert_allclose(got["seen"][:, 1], seen[:, 1], rtol=1e-12, err_msg=f"{rows} rows, rank {rank}")
            np.testing.assert_allclose(got["losses"], losses, rtol=1e-12, err_msg=f"{rows} rows, rank {rank}")
            np.testing.assert_allclose(got["params"], params, rtol=1e-12, atol=1e-12 * np.abs(params).max(),
                                       err_msg=f"{rows} rows, rank {rank}")
