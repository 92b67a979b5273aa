"""Under a real `mpiexec -n 2`: the callbacks that print, given to every rank (a script that does not test the
rank), print once, as one process prints, with Horovod's habit: rank 0 prints, the others are quiet. Before, a
ProgressBar or EpochLogger given to every rank printed every line twice. And what a callback that hooks each batch
costs: the one small Allreduce a step that a LambdaCallback reading the batch's logs needs (its loss and the rate it
may set, beside the gradient's), none for GradientDiagnostics' logs, which it never reads; before, a logging
LambdaCallback cost two Allreduces a step and GradientDiagnostics one for nothing. Weights and logs equal one
process's."""
import json

import mpi69_job
import numpy as np
import pytest
from mpi_env import run_job, untimed  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def run(*args, ranks: int = 2):
    return run_job("mpi69_job.py", *args, ranks=ranks, mpi4py_main=True)


def test_callbacks_that_print_given_to_every_rank_print_once_as_one_process(tmp_path):
    (tmp_path / "mpi").mkdir()
    (tmp_path / "one").mkdir()
    two, one = run(tmp_path / "mpi", "print"), run(tmp_path / "one", "print", "one", ranks=0)
    assert "Epoch 2: early stopping" in one.stdout and one.stdout.count("Epoch 1/3") == 2     # bar and logger
    assert untimed(two.stdout) == untimed(one.stdout), two.stdout
    # the CSVLogger that every rank was given wrote the one process's file, once
    assert (tmp_path / "mpi" / "log.csv").read_text() == (tmp_path / "one" / "log.csv").read_text()


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("collectives")
    run(folder, "collectives")
    run(folder, "collectives", "one", ranks=0)
    return folder, {name: [json.loads((folder / f"{name}-rank{r}.json").read_text())["allreduces"] for r in range(2)]
                    for name in mpi69_job.NAMES}


def test_a_callback_reading_each_batchs_logs_costs_one_small_allreduce_a_step(counted):
    _, calls = counted
    steps, epochs = mpi69_job.EPOCHS * mpi69_job.STEPS, mpi69_job.EPOCHS
    # the LambdaCallback's: the global batch's loss and the rate its hook may set, in one Allreduce a step (and the
    # rate its last batch may set, as each epoch ends)
    assert calls["lambda"] == [calls["none"][0] + steps + epochs] * 2, calls


def test_gradient_diagnostics_costs_no_allreduce_for_logs_it_does_not_read(counted):
    _, calls = counted
    steps = mpi69_job.EPOCHS * mpi69_job.STEPS
    # GradientDiagnostics': its saturation, summed over the ranks, and no logs it does not read
    assert calls["diagnostics"] == [calls["none"][0] + steps] * 2, calls


@pytest.mark.parametrize("name", mpi69_job.NAMES)
def test_per_batch_callbacks_train_and_log_as_one_process(counted, name):
    """Also a GradientDiagnostics subclass whose batch hook reads the logs (it was given its rank's part of each
    batch's loss, as GradientDiagnostics gathers none), and a float32 network's numbers (the sums in float64)."""
    folder, _ = counted
    tol = 1e-5 if name.endswith("_float32") else 1e-12
    for rank in range(2):
        np.testing.assert_allclose(np.load(folder / f"{name}-rank{rank}.npy"), np.load(folder / f"{name}-one.npy"),
                                   rtol=tol, atol=tol, err_msg=f"{name}, rank {rank}")
        np.testing.assert_allclose(np.load(folder / f"{name}-rank{rank}-logs.npy"),
                                   np.load(folder / f"{name}-one-logs.npy"), rtol=tol, atol=tol,
                                   err_msg=f"{name}, rank {rank}: the batches' loss")
    if name in ("lambda", "diagnostics_logs", "lambda_float32"):
        assert np.load(folder / f"{name}-one-logs.npy").shape == (mpi69_job.EPOCHS * mpi69_job.STEPS,)
        assert np.load(folder / f"{name}-rank0.npy").dtype == np.dtype("float32" if "32" in name else "float64")
