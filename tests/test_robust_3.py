"""Interrupted jobs: SIGTERM or Ctrl-C while Numba compiles the kernels in the job, and while
`chainrule train` reads, trains and saves, ends with one line and code 130, leaves no corrupt cache
nor half-written model file (an earlier one is kept), and the next run gives the NumPy loop's numbers.
MPI jobs under a real `mpiexec` whose rank fails or hangs before training end in bounded time, with
that rank named by rank 0."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import as_in_a_terminal

IRIS = Path(__file__).parents[1] / "src" / "chainrule" / "data" / "examples" / "iris.csv"
TRAIN = ["train", str(IRIS), "--target", "species", "--epochs", "20", "--quiet"]
#: the job as the command runs it, SIGTERM sent to itself from inside LLVM's callback that hands Numba its
#: first compiled object (Numba's hook, run by that ctypes callback): where Python cannot raise KeyboardInterrupt
IN_CALLBACK = """
import os, signal, sys
from numba.core.codegen import CPUCodeLibrary
original = CPUCodeLibrary._object_compiled_hook.__func__
def notify(cls, module, buf):
    if not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIGTERM)
    return original(cls, module, buf)
sent = []
CPUCodeLibrary._object_compiled_hook = classmethod(notify)
sys.argv = ["chainrule", *sys.argv[1:]]
from chainrule.cli import command
command()
"""


def env(cache, numba="1"):
    return {**os.environ, "CHAINRULE_NUMBA": numba, "NUMBA_CACHE_DIR": str(cache), "CHAINRULE_BLAS_THREADS": "1"}


def chainrule(args, environ, timeout=180):
    return subprocess.run([sys.executable, "-m", "chainrule", *args], capture_output=True, text=True,
                          env=environ, timeout=timeout, check=False)


def assert_interrupted(rc, stderr, out):
    assert rc == 130, stderr
    assert stderr.strip().splitlines()[-1].startswith("chainrule: interrupted"), stderr
    for noise in ("Traceback", "Exception ignored", "internal error", "Error"):
        assert noise not in stderr, stderr
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(out.name) and p != out]   # no file beside it


def params(path):
    with np.load(path) as f:
        return f["params"]


def same_as_numpy(tmp_path, cache, out):
    """The next run, on the cache the interrupted ones left, trains and gives the NumPy loop's numbers."""
    r = chainrule([*TRAIN, "--out", str(out)], env(cache), timeout=300)
    assert r.returncode == 0, r.stderr
    reference = tmp_path / "numpy.npz"
    r = chainrule([*TRAIN, "--out", str(reference)], env(cache, numba="0"))
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(params(out), params(reference), rtol=0, atol=1e-12)
    assert not [p.name for p in cache.rglob("*") if ".tmp." in p.name]


def test_sigterm_inside_numbas_compiler_waits_for_it(tmp_path):
    pytest.importorskip("numba")
    cache, out = tmp_path / "cache", tmp_path / "m.npz"
    cache.mkdir()
    r = subprocess.run([sys.executable, "-c", IN_CALLBACK, *TRAIN, "--out", str(out)], capture_output=True,
                       text=True, env=env(cache), timeout=300, check=False)
    assert_interrupted(r.returncode, r.stderr, out)
    same_as_numpy(tmp_path, cache, out)


def test_sigterm_and_ctrl_c_at_moments_of_the_compiling(tmp_path):
    """Sent once each new file appears in the empty cache: while the next kernel compiles."""
    pytest.importorskip("numba")
    cache, out = tmp_path / "cache", tmp_path / "m.npz"
    cache.mkdir()
    for k, sig in enumerate([signal.SIGTERM, signal.SIGINT] * 3):
        before = len(list(cache.rglob("*.nbi")))
        p = subprocess.Popen([sys.executable, "-m", "chainrule", *TRAIN, "--out", str(out)], stderr=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, text=True, env=env(cache),
                             preexec_fn=as_in_a_terminal)
        deadline = time.monotonic() + 120
        while p.poll() is None and len(list(cache.rglob("*.nbi"))) <= before and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3 * k)
        p.send_signal(sig)
        _, stderr = p.communicate(timeout=120)
        if p.returncode == 0:             # the compiling was done: nothing left to interrupt
            out.unlink()
            break
        assert_interrupted(p.returncode, stderr, out)
    same_as_numpy(tmp_path, cache, out)


def mpmd(commands, tmp_path, timeout=120, environ=None):
    """One rank per command line under a real `mpiexec` (the mpich wheel's), the others' timeout left at its
    default (600 s): the job must end well before it."""
    pytest.importorskip("mpi4py")
    mpiexec = Path(sys.executable).parent / "mpiexec"
    line = [str(mpiexec)]
    for k, args in enumerate(commands):
        line += [*([":"] if k else []), "-n", "1", sys.executable, "-m", "chainrule", *args]
    extra, environ = environ, {k: v for k, v in os.environ.items() if k != "CHAINRULE_MPI_TIMEOUT"}
    start = time.monotonic()
    r = subprocess.run(line, capture_output=True, text=True, timeout=timeout, check=False, cwd=tmp_path,
                       env={**environ, "CHAINRULE_NUMBA": "0", **(extra or {})})
    return r, time.monotonic() - start


def test_a_rank_whose_csv_is_missing_ends_the_mpi_job_with_its_message(tmp_path):
    # rank 1 is given a file its node does not have; rank 0 reads its own and reaches fit
    mpi = ["--target", "species", "--epochs", "2", "--quiet", "--mpi", "--out", str(tmp_path / "m.npz")]
    r, seconds = mpmd([["train", str(IRIS), *mpi], ["train", str(tmp_path / "missing.csv"), *mpi]], tmp_path)
    assert r.returncode == 2, r.stderr
    assert seconds < 60
    last = r.stderr.strip().splitlines()[-1]
    assert last == f"chainrule: error: rank 1 of 2 failed before training: CSV file " \
                   f"{str(tmp_path / 'missing.csv')!r} does not exist", r.stderr
    assert not (tmp_path / "m.npz").exists()


def test_ranks_failing_alike_before_training_are_named_once(tmp_path):
    mpi = ["--target", "nothere", "--epochs", "2", "--quiet", "--mpi", "--out", str(tmp_path / "m.npz")]
    r, _ = mpmd([["train", str(IRIS), *mpi]] * 3, tmp_path)
    assert r.returncode == 2, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.startswith("chainrule: error:")]
    assert len(lines) == 1 and lines[0].startswith("chainrule: error: ranks 0, 1, 2 of 3 failed before training: ")
    assert lines[0].count("'nothere'") == 1, lines


def test_a_rank_stuck_reading_its_data_is_named_when_the_meeting_times_out(tmp_path):
    # rank 1's "file" is a pipe no one writes to: its reading never ends (a hung network file system)
    stuck = tmp_path / "stuck.csv"
    os.mkfifo(stuck)
    mpi = ["--target", "species", "--epochs", "2", "--quiet", "--mpi", "--out", str(tmp_path / "m.npz")]
    r, seconds = mpmd([["train", str(IRIS), *mpi], ["train", str(stuck), *mpi]], tmp_path,
                      environ={"CHAINRULE_MPI_TIMEOUT": "5"})
    assert r.returncode == 4 and seconds < 60, r.stderr    # the system failed (it was 1: a bug's code)
    assert "chainrule: rank 0 of 2 waited 5 s for rank 1 before training, which did not come (still reading or " \
           "preparing its data, or hung); ending the MPI job" in r.stderr, r.stderr
    assert not (tmp_path / "m.npz").exists()


def big_csv(path, n):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, 6))
    with open(path, "w") as f:
        f.write("a,b,c,d,e,g,t\n")
        np.savetxt(f, np.column_stack([X, X[:, 0] + X[:, 1] > 0]), delimiter=",", fmt=["%.5f"] * 6 + ["%d"])
    return path


def test_an_interruption_after_the_model_is_saved_says_it_was_written(tmp_path):
    # the metrics of 90% of 200,000 rows on a 256-256 network are computed after the save: SIGTERM then
    data, out = big_csv(tmp_path / "big.csv", 200_000), tmp_path / "m.npz"
    out.write_bytes(b"")                                   # the previous run's file, replaced by this one
    before = os.stat(out).st_ino
    p = subprocess.Popen([sys.executable, "-m", "chainrule", "train", str(data), "--target", "t", "--out", str(out),
                          "--epochs", "1", "--quiet", "--hidden", "256,256", "--val-split", "0.9"],
                         stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env(tmp_path, numba="0"))
    while p.poll() is None and os.stat(out).st_ino == before:
        time.sleep(0.002)
    p.send_signal(signal.SIGTERM)
    _, stderr = p.communicate(timeout=120)
    assert os.stat(out).st_ino != before and np.load(out)["params"].size      # a whole model, this run's
    if p.returncode == 0:
        pytest.skip("the job ended before the signal came")
    assert p.returncode == 130
    assert stderr.strip().splitlines()[-1] == f"chainrule: interrupted; {str(out)!r} was written before it", stderr


@pytest.mark.parametrize("moment", ["reading", "training"])
def test_an_interruption_keeps_the_previous_model_and_a_checkpoint_that_resumes(moment, tmp_path):
    data, out, ckpt = big_csv(tmp_path / "big.csv", 200_000), tmp_path / "m.npz", tmp_path / "ckpt"
    r = chainrule(["train", str(IRIS), "--target", "species", "--epochs", "1", "--out", str(out)], env(tmp_path, "0"))
    assert r.returncode == 0, r.stderr
    previous = out.read_bytes()
    args = [sys.executable, "-m", "chainrule", "train", str(data), "--target", "t", "--out", str(out), "--epochs",
            "2", "--hidden", "32", "--checkpoint-dir", str(ckpt), "--resume"]
    p = subprocess.Popen(args, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                         env=env(tmp_path, numba="0"), preexec_fn=as_in_a_terminal)
    want = "read " if moment == "reading" else "epoch 1/2"      # the first line said; then a little more
    lines = []
    while not any(line.startswith(want) for line in lines):
        lines.append(p.stderr.readline())
        assert lines[-1], lines
    deadline = time.monotonic() + 60
    while moment == "training" and not (ckpt / "checkpoint.npz").exists():    # written after the epoch's line
        assert time.monotonic() < deadline
        time.sleep(0.01)
    time.sleep(0.3)
    p.send_signal(signal.SIGINT)
    rest = p.stderr.read()
    assert p.wait(timeout=60) == 130, rest
    assert_interrupted(130, rest, tmp_path / "none")
    assert out.read_bytes() == previous
    assert sorted(f.name for f in tmp_path.iterdir()) == ["big.csv", *(["ckpt"] if ckpt.exists() else []), "m.npz"]
    r = subprocess.run(args, capture_output=True, text=True, env=env(tmp_path, numba="0"), timeout=300, check=False)
    assert r.returncode == 0, r.stderr
    assert ("resumed from epoch 1 of 2" if moment == "training" else "starting at epoch 1 of 2") in r.stderr
    assert np.load(out)["params"].size
