"""Data-parallel training under a real `mpiexec` (the mpich wheel's): every rank ends with the
parameters of single-process training on the same global batches, for 1 to 4 ranks."""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

pytest.importorskip("mpi4py")   # before mpi_train, which imports it: a skip without it, not an error
import mpi_train  # noqa: E402


def mpirun(n, opts, tmp_path, timeout=120, env=None):
    out = tmp_path / f"out{n}"
    out.mkdir(exist_ok=True)
    opts = {**opts, "out": str(out)}
    r = subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, "-m", "mpi4py", str(HERE / "mpi_train.py"),
                        json.dumps(opts)], capture_output=True, text=True, timeout=timeout, check=False,
                       env={**os.environ, **(env or {})})
    return r, out


def ranks_agree(n, out):
    params = [np.load(out / f"params{r}.npy") for r in range(n)]
    for p in params[1:]:
        np.testing.assert_array_equal(p, params[0])          # every rank holds the same parameters
    histories = [json.loads((out / f"history{r}.json").read_text()) for r in range(n)]
    assert all(h == histories[0] for h in histories)
    return params[0], histories[0]


def check_against_single_process(n, opts, tmp_path):
    r, out = mpirun(n, opts, tmp_path)
    assert r.returncode == 0, r.stderr
    params, history = ranks_agree(n, out)
    net, ref = mpi_train.train(opts)                         # one process, same global batches
    rows = [int((out / f"rows{r}.txt").read_text()) for r in range(n)]
    assert sum(rows) == net.rows_trained[0]                  # each sample of each epoch on one rank only
    epochs, bs = opts.get("epochs", 4), opts.get("batch_size", 32)
    assert max(rows) - min(rows) <= epochs * -(-(sum(rows) // epochs) // bs)   # shards differ by 1 row at most
    tol = 1e-5 if opts.get("dtype") == "float32" else 1e-12
    np.testing.assert_allclose(params, net.params, rtol=tol, atol=tol * np.abs(net.params).max())
    for key, values in ref.history.items():
        np.testing.assert_allclose(history[key], values, rtol=tol)
    return r


@pytest.mark.parametrize("n", [1, 2, 3, 4])
@pytest.mark.parametrize("opt", ["sgd", "adam"])
def test_ranks_equal_single_process(n, opt, tmp_path):
    check_against_single_process(n, {"optimizer": opt, "validation_split": 0.2}, tmp_path)


@pytest.mark.parametrize("n", [2, 4])
def test_dropout_and_batches_smaller_than_the_ranks(n, tmp_path):
    # 65 samples in batches of 32: the last global batch has one sample, so 3 of 4 ranks get none
    check_against_single_process(n, {"dropout": True, "n": 65, "optimizer": "sgd"}, tmp_path)
    check_against_single_process(n, {"dropout": True, "optimizer": "adam", "batch_size": 50}, tmp_path)


def test_float32_and_plain_runs(tmp_path):
    check_against_single_process(3, {"dtype": "float32"}, tmp_path)
    check_against_single_process(2, {"epochs": 3}, tmp_path)         # no callback, no validation


def test_memmap_on_every_rank(tmp_path):
    _, X, _ = mpi_train.problem({})
    np.save(tmp_path / "x.npy", X.astype(np.float32))
    check_against_single_process(2, {"memmap": str(tmp_path / "x.npy")}, tmp_path)


def test_only_rank_0_prints(tmp_path):
    r = check_against_single_process(4, {"verbose": 2, "epochs": 3}, tmp_path)
    lines = r.stdout.splitlines()
    assert lines[::2] == ["Epoch 1/3", "Epoch 2/3", "Epoch 3/3"] and len(lines) == 6


def test_resume_under_mpi(tmp_path):
    ckpt = tmp_path / "ckpt"
    r, _ = mpirun(2, {"epochs": 2, "checkpoint_dir": str(ckpt)}, tmp_path)
    assert r.returncode == 0, r.stderr
    r, out = mpirun(2, {"epochs": 4, "checkpoint_dir": str(ckpt), "resume": True}, tmp_path)
    assert r.returncode == 0, r.stderr
    params, history = ranks_agree(2, out)
    net, ref = mpi_train.train({"epochs": 4})                 # uninterrupted, one process
    np.testing.assert_allclose(params, net.params, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(history["loss"], ref.history["loss"], rtol=1e-12)


def test_resume_with_progress_lines_and_early_stopping(tmp_path):
    # rank 0 has a progress callback the others lack: its callbacks' states were matched to the other
    # ranks' callbacks by position, so rank 1's EarlyStopping started afresh, stopped at another
    # epoch than rank 0's, and left it waiting until the timeout
    ckpt, opts = tmp_path / "ckpt", {"optimizer": "sgd", "early": 2, "validation_split": 0.3, "verbose": 2}
    r, _ = mpirun(2, {**opts, "epochs": 10, "checkpoint_dir": str(ckpt)}, tmp_path)      # one epoch of patience used
    assert r.returncode == 0, r.stderr
    r, out = mpirun(2, {**opts, "epochs": 20, "checkpoint_dir": str(ckpt), "resume": True}, tmp_path, timeout=60,
                    env={"CHAINRULE_MPI_TIMEOUT": "10"})
    assert r.returncode == 0, r.stderr
    params, history = ranks_agree(2, out)
    net, ref = mpi_train.train({**opts, "epochs": 20, "verbose": 0})       # uninterrupted, one process
    assert 10 < len(ref.epoch) < 20                                         # it stops after the resume
    np.testing.assert_allclose(params, net.params, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(history["val_loss"], ref.history["val_loss"], rtol=1e-12)


def test_a_failing_rank_ends_the_job(tmp_path):
    r, _ = mpirun(2, {"fail_rank": 1, "epochs": 3}, tmp_path, timeout=60)
    assert r.returncode != 0
    assert "rank 1 of 2 failed, ending the MPI job: RuntimeError: disk full" in r.stderr


def test_a_silent_rank_times_out(tmp_path):
    r, _ = mpirun(2, {"hang_rank": 1, "epochs": 3}, tmp_path, timeout=50, env={"CHAINRULE_MPI_TIMEOUT": "2"})
    assert r.returncode != 0
    assert "rank 0 of 2 waited 2 s for the other ranks in Allreduce" in r.stderr


def test_command_line_train_with_mpi(tmp_path):
    from sklearn.datasets import load_iris
    d = load_iris(as_frame=True).frame
    d["species"] = np.array(["setosa", "versicolor", "virginica"])[d.pop("target")]
    d.to_csv(tmp_path / "iris.csv", index=False)
    chainrule = Path(sys.executable).parent / "chainrule"
    args = ["train", tmp_path / "iris.csv", "--target", "species", "--hidden", "8", "--epochs", "5", "--lr", "0.01",
            "--batch-size", "16"]
    one = subprocess.run([chainrule, *args, "--out", tmp_path / "one.npz"], capture_output=True, text=True,
                         check=False, timeout=120)
    assert one.returncode == 0, one.stderr
    r = subprocess.run([str(MPIEXEC), "-n", "3", str(chainrule), *map(str, args), "--out", str(tmp_path / "mpi.npz"),
                        "--mpi"], capture_output=True, text=True, check=False, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("saved ") == 1 and r.stderr.count("training and") == 1      # rank 0 alone speaks
    a, b = cr_load(tmp_path / "one.npz"), cr_load(tmp_path / "mpi.npz")
    np.testing.assert_allclose(b.params, a.params, rtol=1e-12, atol=1e-14)
    assert r.stdout.splitlines()[0] == one.stdout.splitlines()[0]          # the same validation line


def cr_load(path):
    import chainrule as cr
    return cr.load(path)


def test_a_diverging_step_is_the_one_process_error_on_every_rank(tmp_path):
    # the rank whose part of the batch diverged ended the job with MPI_Abort: the command line lost its
    # exit code (3) and its advice, and the other ranks' messages came too
    from sklearn.datasets import load_iris
    load_iris(as_frame=True).frame.to_csv(tmp_path / "iris.csv", index=False)
    chainrule = Path(sys.executable).parent / "chainrule"
    args = ["train", str(tmp_path / "iris.csv"), "--target", "petal width (cm)", "--optimizer", "sgd", "--lr", "1e6",
            "--epochs", "3", "--quiet", "--out", str(tmp_path / "m.npz")]
    one = subprocess.run([str(chainrule), *args], capture_output=True, text=True, check=False, timeout=120)
    assert one.returncode == 3 and "training diverged in epoch" in one.stderr, one.stderr
    for n in (2, 3):
        r = subprocess.run([str(MPIEXEC), "-n", str(n), str(chainrule), *args, "--mpi"], capture_output=True,
                           text=True, check=False, timeout=120, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
        assert r.returncode == 3, r.stderr
        assert r.stderr.splitlines()[-1] == one.stderr.splitlines()[-1]        # the same error line, once
        assert "MPI_Abort" not in r.stderr and r.stderr.count("training diverged") == 1


def test_files_and_lines_of_callbacks_come_from_rank_0(tmp_path):
    """ModelCheckpoint, CSVLogger and ReduceLROnPlateau given on every rank: every rank wrote the same
    files (two processes writing one log) and printed the lines. Rank 0 writes and prints; every rank
    lowers its rate, as one process does."""
    files = tmp_path / "files"
    files.mkdir()
    opts = {"files": str(files), "epochs": 4, "validation_split": 0.2}
    r, out = mpirun(3, opts, tmp_path)
    assert r.returncode == 0, r.stderr
    params, history = ranks_agree(3, out)
    assert [int((out / f"saves{k}.txt").read_text()) for k in range(3)] == [4, 0, 0]
    assert sorted(p.name for p in files.iterdir()) == ["log.csv", *(f"model-{e}.npz" for e in (1, 2, 3, 4))]
    assert r.stdout.count("reducing learning rate to 0.005.") == 1
    assert history["learning_rate"] == [float(np.float32(r)) for r in (0.01, 0.01, 0.005, 0.0025)]
    with open(files / "log.csv") as f:
        rows = list(csv.DictReader(f))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2, 3]
    for key, values in history.items():
        assert [float(row[key]) for row in rows] == values
    single = tmp_path / "single"
    single.mkdir()
    net, ref = mpi_train.train({**opts, "files": str(single)})
    np.testing.assert_allclose(params, net.params, rtol=1e-12, atol=1e-12)
    assert ref.history["learning_rate"] == history["learning_rate"]


def test_a_rate_lowered_on_rank_0_alone_is_every_ranks(tmp_path):
    """A ReduceLROnPlateau given to rank 0 alone lowered rank 0's rate only: the same summed gradient
    then moved the ranks' weights apart (0.135 after 4 epochs), without a word."""
    opts = {"plateau_on_rank_0": True, "epochs": 4, "optimizer": "sgd"}
    r, out = mpirun(2, opts, tmp_path)
    assert r.returncode == 0, r.stderr
    params = [np.load(out / f"params{k}.npy") for k in range(2)]
    np.testing.assert_array_equal(params[0], params[1])
    net, ref = mpi_train.train(opts)                          # one process, the callback on it
    assert ref.history["learning_rate"] == [float(np.float32(r)) for r in (0.1, 0.1, 0.05, 0.025)]
    np.testing.assert_allclose(params[0], net.params, rtol=1e-12, atol=1e-12)


def test_weights_made_nan_by_an_epochs_last_update_end_every_rank_alike(tmp_path):
    """With checkpoint_dir, rank 0's checkpoint found the NaN weights and raised alone: the other ranks
    waited in the next Allreduce until CHAINRULE_MPI_TIMEOUT ended the job."""
    opts = {"nan_update": True, "batch_size": None, "epochs": 3, "checkpoint_dir": str(tmp_path / "ck")}
    r, out = mpirun(2, opts, tmp_path, env={"CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0 and "waited" not in r.stderr, r.stderr[-1500:]
    for rank in range(2):
        assert (out / f"diverged{rank}.txt").read_text().startswith("training diverged in its last update (epoch 1)")


def test_command_line_train_with_clip_norm_and_a_schedule_under_mpi(tmp_path):
    """--clip-norm under --mpi had no test: the norm clipped is the global batch's (summed over the ranks), so
    the job's weights are the one process's, with a --schedule changing the rate each epoch."""
    from conftest import cmd, iris_table
    iris_table().to_csv(tmp_path / "iris.csv", index=False)
    chainrule = Path(sys.executable).parent / "chainrule"
    args = ["train", str(tmp_path / "iris.csv"), "--target", "species", "--hidden", "8", "--epochs", "4", "--lr", "0.5",
            "--optimizer", "sgd", "--batch-size", "16", "--schedule", "step:step_size=1,gamma=0.5", "--quiet"]
    runs = {}
    for name, extra in (("one", ["--clip-norm", "0.05"]), ("plain", [])):
        r = cmd(*args, *extra, "--out", tmp_path / f"{name}.npz")          # in this process: no start-up
        assert r.returncode == 0, r.stderr
        runs[name] = cr_load(tmp_path / f"{name}.npz").params
    assert np.abs(runs["one"] - runs["plain"]).max() > 1e-3          # the norm 0.05 clips: it changes the weights
    r = subprocess.run([str(MPIEXEC), "-n", "2", str(chainrule), *args, "--clip-norm", "0.05", "--out",
                        str(tmp_path / "mpi.npz"), "--mpi"], capture_output=True, text=True, check=False, timeout=120,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(cr_load(tmp_path / "mpi.npz").params, runs["one"], rtol=1e-12, atol=1e-12)
