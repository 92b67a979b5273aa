"""Under a real `mpiexec`: an error of one rank before training is raised on every rank with the
rank named (so rank 0, the one the user reads, reports it), and per-batch callbacks get the global
batch's loss, the loss of single-process training."""
import json
import os
import subprocess
import sys

import mpi_agree  # noqa: E402
import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def ranks(n, opts, tmp_path, timeout="30"):
    """Each rank's result of the scenario `opts` under `mpiexec -n n`."""
    out = tmp_path / f"{opts['scenario']}{n}"
    out.mkdir()
    r = subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, "-m", "mpi4py", str(HERE / "mpi_agree.py"),
                        json.dumps({**opts, "out": str(out)})], capture_output=True, text=True, timeout=120,
                       check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": timeout})
    assert r.returncode == 0, r.stderr
    return [json.loads((out / f"rank{k}.json").read_text()) for k in range(n)]


def test_a_rank_with_other_data_is_named_on_every_rank(tmp_path):
    results = ranks(3, {"scenario": "fewer_rows"}, tmp_path)
    for result in results:
        assert result["error"] == "ValidationError"
        assert result["message"].startswith("rank 1 has 202 samples and batch_size 32; rank 0 has 203 and 32")


def test_a_bad_input_brought_to_the_meeting_by_rank_1_is_raised_on_every_rank(tmp_path):
    # rank 1's fit finds NaN in its X before training; rank 0 is in fit, at the meeting of `prepare`
    results = ranks(2, {"scenario": "bad_input"}, tmp_path)
    assert results[0] == results[1]
    assert results[0]["error"] == "ValidationError"
    assert results[0]["message"].startswith("rank 1 of 2 failed before training: X")
    assert "nan" in results[0]["message"].lower()


def test_another_libraries_error_is_named_with_its_type(tmp_path):
    """An OSError keeps its class on every rank (the command's exit code depends on it); one made without
    an errno is written without Python's '[Errno None] '."""
    results = ranks(3, {"scenario": "foreign_error"}, tmp_path)
    assert all(r == {"error": "OSError", "message": "rank 1 of 3 failed before training: no space left "
                     "on device (a simulated failure)"} for r in results)


@pytest.mark.parametrize("n", [2, 3])
def test_per_batch_callbacks_get_the_global_batch_loss(n, tmp_path):
    # 65 samples in batches of 32: the last batch has one sample, so one rank trains on it and the others on none
    opts = {"scenario": "batch_losses", "n": 65}
    results = ranks(n, opts, tmp_path)
    single = mpi_agree.run(opts, None)
    assert len(single["losses"]) == single["steps"] == 6
    for result in results:
        np.testing.assert_allclose(result["losses"], single["losses"], rtol=1e-12)
        np.testing.assert_allclose(result["epoch_loss"], single["epoch_loss"], rtol=1e-12)
        # the gradient and, beside it, the batch loss and the rate (a user's batch hook may set it) in one every
        # step, the epoch sums, the rate after the last batch and the stop (2 epochs), and the one check of the
        # callbacks (before, the batch loss and the rate were an Allreduce each: 3 a step)
        assert result["allreduce_calls"] == 2 * result["steps"] + 2 + 2 + 1 + 2 + 1    # + the last update's check


def test_without_a_per_batch_callback_a_step_has_one_allreduce(tmp_path):
    # rank 0's progress bar is a per-batch callback that does not read the loss: no second Allreduce
    for result in ranks(2, {"scenario": "plain", "verbose": 1}, tmp_path):
        # + a stop agreed per epoch, + the last update's check of the training rows' outputs at the end
        assert result["allreduce_calls"] == result["steps"] + 2 + 1 + 2 + 1


@pytest.mark.parametrize("timeout", ["0", "-5", "nan", "ten"])
def test_a_timeout_that_cannot_be_waited_is_an_error_on_every_rank(timeout, tmp_path):
    # 0 or less ended the job at the meeting before training ("waited 0 s ... ending the MPI job");
    # NaN never timed out; "ten" failed as float("ten") without naming the variable
    for result in ranks(2, {"scenario": "plain"}, tmp_path, timeout=timeout):
        assert result == {"error": "ValidationError", "message": "CHAINRULE_MPI_TIMEOUT must be a number of "
                          f"seconds above 0 (or inf); got {timeout!r}"}


def test_an_infinite_timeout_trains(tmp_path):
    for result in ranks(2, {"scenario": "plain"}, tmp_path, timeout=" inf "):
        assert "error" not in result and len(result["epoch_loss"]) == 2


@pytest.mark.parametrize("kind, named", [
    ("epochs", "rank 1 has epochs=3 (rank 0: 2)"),
    ("shuffle", "rank 1 has shuffle=False (rank 0: True)"),
    ("seed", "rank 1 has seed=None (rank 0: 5)"),
    ("optimizer", "rank 1 has optimizer='Adam(lr=0.01"),
    ("network", "rank 1 has network=\"Network([Dense(7, 16, activation='tanh')"),
    ("data", "rank 1's data differ from rank 0's"),
])
def test_a_rank_running_another_fit_is_named_on_every_rank(kind, named, tmp_path):
    # before, other epochs left rank 0 waiting for rank 1 until the timeout, another network ended in
    # an error of MPI itself, and another order, seed, optimizer or data trained silently
    results = ranks(2, {"scenario": "other_run", "kind": kind}, tmp_path, timeout="10")
    for result in results:
        assert result["error"] == "ValidationError", result
        assert result["message"].startswith(named), result["message"]
        assert result["message"].endswith("every rank must run the same fit (the same data, network, optimizer and "
                                          "arguments); each rank takes its own part of every batch")


def test_a_stop_asked_by_one_ranks_callback_stops_every_rank(tmp_path):
    # EarlyStopping given to rank 0 alone: rank 0 stopped and the others waited for it until the timeout
    opts = {"scenario": "stop_on_rank_0"}
    single = mpi_agree.run(opts, None)
    assert len(single["epoch_loss"]) < 8                      # the callback stops the one process early
    for result in ranks(3, opts, tmp_path, timeout="10"):
        np.testing.assert_allclose(result["epoch_loss"], single["epoch_loss"], rtol=1e-12)


def test_validation_rows_on_disk_are_evaluated_in_chunks(tmp_path):
    # each rank read its whole share of the validation rows into memory (converted to float64) and
    # ran it through the network at once: 100,000 rows of 7 took 20 MB a rank, where one process
    # evaluates the same file in chunks of 1,024 rows
    rng = np.random.default_rng(3)
    val = rng.normal(size=(200_000, 7)).astype(np.float32)
    np.save(tmp_path / "val.npy", val)
    np.save(tmp_path / "val_y.npy", (val[:, 0] > 0).astype(np.int64))
    opts = {"scenario": "memmap_validation", "val": str(tmp_path / "val.npy"), "val_y": str(tmp_path / "val_y.npy")}
    single = mpi_agree.run(opts, None)
    for result in ranks(2, opts, tmp_path):
        np.testing.assert_allclose(result["val_loss"], single["val_loss"], rtol=1e-12)
        assert result["peak"] < 2 * single["peak"] + (1 << 20), (result["peak"], single["peak"])
        # the steps' gradients, the epoch sums, the callbacks' check, the stop agreed per epoch, and one Allreduce a
        # validation: none more where no rank's callback defines Keras' on_test_* hooks (whose stop ranks agree on)
        assert result["allreduce_calls"] == result["steps"] + 2 + 1 + 2 + 2
