"""Interruptions and failures of the command line, in real processes: SIGTERM and Ctrl-C while the
command is still importing, before the first checkpoint, while a script compiles Numba's kernels;
a rank's disk-full error under a real `mpiexec`; and the demanding user's flaky laptop (a full disk,
a read-only folder, a folder as --out, two jobs writing the same file)."""
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


def env(**extra):
    return {**os.environ, "CHAINRULE_NUMBA": "0", "CHAINRULE_BLAS_THREADS": "1", **extra}


def start(args, environ=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "chainrule", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environ or env(), preexec_fn=as_in_a_terminal,
                            **kw)


def mapped(p, library, timeout=60):
    """Wait until the process `p` has mapped a shared library whose path holds `library` (it is importing
    the module that loads it); False if it ended first."""
    deadline = time.monotonic() + timeout
    while p.poll() is None and time.monotonic() < deadline:
        try:
            with open(f"/proc/{p.pid}/maps") as f:
                if library in f.read():
                    return True
        except OSError:
            return False
        time.sleep(0.001)
    return False


def one_line(stderr, start="chainrule: interrupted"):
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(start), stderr
    return lines[0]


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_command_imports_numpy_says_so_and_exits_130(sig, tmp_path):
    # before, the handler came after the imports (0.2-0.3 s): SIGTERM ended the job silently with 143
    out = tmp_path / "m.npz"
    p = start(["train", IRIS, "--target", "species", "--out", out, "--quiet"])
    assert mapped(p, "_multiarray_umath")          # NumPy's core is being imported: chainrule's imports run
    p.send_signal(sig)
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, stderr)
    one_line(stderr)
    assert not out.exists()


def interrupted_train(tmp_path, extra, when):
    """`chainrule train` on a CSV of 200,000 rows with --checkpoint-dir, SIGINT once `when(lines so far)`. Its
    lines come after the command's handler is installed (cli.command, before any option is read): a SIGINT sent
    after the first one is the command's interruption, never Python's default nor a lost one."""
    data = tmp_path / "big.csv"
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200_000, 6))
    with open(data, "w") as f:
        f.write("a,b,c,d,e,g,t\n")
        np.savetxt(f, np.column_stack([X, X[:, 0] + X[:, 1] > 0]), delimiter=",", fmt=["%.5f"] * 6 + ["%d"])
    ckpt = tmp_path / "ckpt"
    args = ["train", data, "--target", "t", "--out", tmp_path / "m.npz", "--epochs", "3", "--hidden", "32",
            "--checkpoint-dir", ckpt, *extra]
    p = start(args)
    lines = []
    while not when(lines, ckpt):
        lines.append(p.stderr.readline())
        assert lines[-1], lines
    p.send_signal(signal.SIGINT)
    rest = p.stderr.read()
    assert p.wait(timeout=60) == 130, rest
    return args, ckpt, rest.strip().splitlines()[-1]


def test_an_interruption_before_the_first_checkpoint_does_not_advise_resume(tmp_path):
    # before: 'run the same command with --resume to continue from the last checkpoint', which started at epoch 1
    args, ckpt, last = interrupted_train(tmp_path, ["--resume"], lambda lines, _: any(
        line.startswith("read ") for line in lines))
    assert not (ckpt / "checkpoint.npz").exists()
    assert last.endswith(f"; no checkpoint was written yet in {str(ckpt)!r} (the first is written at the end of "
                         "epoch 1): --resume would start at epoch 1"), last
    assert "continue" not in last


def test_an_interruption_after_a_checkpoint_names_its_epoch(tmp_path):
    args, ckpt, last = interrupted_train(tmp_path, [], lambda lines, ckpt: (ckpt / "checkpoint.npz").exists())
    said = f"; run the same command with --resume to continue from the last checkpoint in {str(ckpt)!r} (epoch "
    assert said in last and last.endswith(" of 3)"), last
    epochs = int(last.split(said)[1].split()[0])
    assert 1 <= epochs < 3
    r = subprocess.run([sys.executable, "-m", "chainrule", *map(str, args), "--resume"], capture_output=True,
                       text=True, env=env(), timeout=300, check=False)
    assert r.returncode == 0 and f"resumed from epoch {epochs} of 3" in r.stderr, r.stderr


#: a user's script: Ctrl-C (SIGINT) comes while Numba compiles the kernels of its fit, from inside LLVM's callback
#: that hands Numba its first compiled object (where Python can only print "Exception ignored" and go on); the
#: script catches KeyboardInterrupt, says whether Python's own handler is back, and fits again
SCRIPT = """
import os, signal, sys
import numpy as np
from numba.core.codegen import CPUCodeLibrary
original = CPUCodeLibrary._object_compiled_hook.__func__
sent = []
def notify(cls, module, buf):
    if not sent:
        sent.append(1)
        os.kill(os.getpid(), signal.SIGINT)
    return original(cls, module, buf)
CPUCodeLibrary._object_compiled_hook = classmethod(notify)
import chainrule as cr
rng = np.random.default_rng(0)
X = rng.normal(size=(64, 4))
Y = np.eye(2)[(X[:, 0] > 0).astype(int)]
def fit():
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, Y, epochs=3, batch_size=16, verbose=0, seed=0)
    return net
try:
    fit()
    print("not interrupted")
except KeyboardInterrupt:
    print("interrupted")
print("handler restored" if signal.getsignal(signal.SIGINT) is signal.default_int_handler else "handler changed")
np.save(sys.argv[1], fit().params)
"""


def test_ctrl_c_in_a_script_while_numba_compiles_is_raised_after_the_compiler(tmp_path):
    pytest.importorskip("numba")
    cache = tmp_path / "cache"
    cache.mkdir()
    r = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path / "p.npy")], capture_output=True, text=True,
                       env=env(CHAINRULE_NUMBA="1", NUMBA_CACHE_DIR=str(cache)), timeout=600, check=False,
                       preexec_fn=as_in_a_terminal)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["interrupted", "handler", "restored"], (r.stdout, r.stderr)
    for noise in ("Exception ignored", "Traceback", "Error"):
        assert noise not in r.stderr, r.stderr
    assert not [p.name for p in cache.rglob("*") if ".tmp." in p.name]
    # the fit after it, on the kernels just compiled, gives NumPy's numbers
    r = subprocess.run([sys.executable, "-c", SCRIPT.replace("os.kill(", "0 and os.kill("),
                        str(tmp_path / "ref.npy")], capture_output=True, text=True,
                       env=env(CHAINRULE_NUMBA="0"), timeout=600, check=False)
    assert r.returncode == 0, r.stderr
    np.testing.assert_allclose(np.load(tmp_path / "p.npy"), np.load(tmp_path / "ref.npy"), rtol=1e-10, atol=1e-12)


#: `chainrule ARGS` whose reading of its CSV first writes to /dev/full: a real ENOSPC from the kernel (a full disk)
DISK_FULL = """
import sys
import chainrule.cli.train as train
def full(args):
    with open("/dev/full", "wb") as f:
        f.write(b"x")
        f.flush()
train.reading_marks = full
sys.argv = ["chainrule", *sys.argv[1:]]
from chainrule.cli import command
command()
"""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_ranks_full_disk_exits_4_under_mpi_as_without_it(tmp_path):
    pytest.importorskip("mpi4py")
    args = ["train", str(IRIS), "--target", "species", "--epochs", "2", "--quiet", "--out", str(tmp_path / "m.npz")]
    alone = subprocess.run([sys.executable, "-c", DISK_FULL, *args], capture_output=True, text=True, env=env(),
                           timeout=120, check=False)
    assert alone.returncode == 4, alone.stderr
    assert alone.stderr.strip() == "chainrule: error: no space left on device"
    # rank 1 of 2 fails so before training; before, every rank exited 2 (bad input) for it
    line = [str(Path(sys.executable).parent / "mpiexec"), "-n", "1", sys.executable, "-m", "chainrule", *args, "--mpi",
            ":", "-n", "1", sys.executable, "-c", DISK_FULL, *args, "--mpi"]
    r = subprocess.run(line, capture_output=True, text=True, timeout=120, check=False, cwd=tmp_path, env=env())
    assert r.returncode == 4, r.stderr
    assert r.stderr.strip().splitlines()[-1] == ("chainrule: error: rank 1 of 2 failed before training: no space left "
                                                 "on device"), r.stderr
    assert not (tmp_path / "m.npz").exists()


def test_an_interruption_at_any_moment_of_atomic_write_leaves_the_old_file_or_the_new_one(tmp_path):
    """KeyboardInterrupt raised at each event (call, line, return) of atomic_write and of what it calls in
    files.py, and as tempfile.mkstemp returns, in turn: the folder then holds the file, old or new, and
    nothing beside it. Before, one raised as mkstemp returned left the temporary file."""
    import linecache

    from chainrule.saving import files
    target = tmp_path / "f.bin"
    for k in range(1, 10_000):
        target.write_bytes(b"old")
        seen = [0]

        def tracer(frame, event, arg, k=k, seen=seen):
            if frame.f_code.co_name == "mkstemp" and event == "call":
                return tracer
            if frame.f_code.co_filename != files.__file__ and (frame.f_code.co_name, event) != ("mkstemp", "return"):
                return None
            if event == "line" and linecache.getline(frame.f_code.co_filename, frame.f_lineno).strip() == "try:":
                return tracer     # a NOP, where Python never runs a signal handler (only at calls and loops)
            seen[0] += 1
            if seen[0] == k:
                raise KeyboardInterrupt
            return tracer
        sys.settrace(tracer)
        try:
            files.atomic_write(target, lambda f: f.write(b"new"))
            interrupted = False
        except KeyboardInterrupt:
            interrupted = True
        finally:
            sys.settrace(None)
        assert os.listdir(tmp_path) == ["f.bin"], (k, os.listdir(tmp_path))
        assert target.read_bytes() in (b"old", b"new")
        if not interrupted:
            assert target.read_bytes() == b"new" and k > 20
            break


#: `chainrule example` with an exit handler that takes a while (a temporary folder of many files removed, a Dask
#: client closed), which says when it has begun
SLOW_EXIT = """
import atexit, sys, time
from pathlib import Path
begun = Path(sys.argv[1])
def slow():
    begun.write_text("begun")
    time.sleep(30)
atexit.register(slow)
sys.argv = ["chainrule", "example"]
from chainrule.cli import command
command()
"""


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_while_the_exit_handlers_run_ends_with_one_line(sig, tmp_path):
    # before: KeyboardInterrupt in the handler ('Exception ignored in atexit callback' and its traceback), exit 0
    begun = tmp_path / "begun"
    with open(tmp_path / "out.txt", "w") as out:
        p = subprocess.Popen([sys.executable, "-c", SLOW_EXIT, str(begun)], stdout=out, stderr=subprocess.PIPE,
                             text=True, env=env(), preexec_fn=as_in_a_terminal)
    deadline = time.monotonic() + 120                   # (a loaded machine: the command itself may be slow)
    while not begun.exists() and time.monotonic() < deadline and p.poll() is None:
        time.sleep(0.01)
    assert begun.exists(), "the command did not reach its exit handlers in 120 s"
    p.send_signal(sig)
    try:
        _, err = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        raise AssertionError(f"the signal in the exit handlers did not end the process: {p.communicate()[1]!r}") \
            from None
    assert p.returncode == 130, err
    assert err == "chainrule: interrupted\n"
    assert "E_total" in (tmp_path / "out.txt").read_text()           # the command's own output came before


WORKER = """
import multiprocessing as mp, signal, sys
sys.argv = [sys.argv[1], "sweep"]          # the command's own arguments, which spawn hands its workers


def handler(_):
    import chainrule  # noqa: F401
    return repr(signal.getsignal(signal.SIGTERM)), repr(signal.getsignal(signal.SIGINT))


if __name__ == "__main__":
    with mp.get_context("spawn").Pool(1) as pool:
        print(pool.map(handler, [0])[0])
"""


def test_a_worker_process_of_the_command_keeps_pythons_own_signal_handlers(tmp_path):
    """A spawned worker (multiprocessing, joblib's loky) gets its parent's sys.argv: the command's.
    Importing chainrule there installed the command's early handler, so a Ctrl-C made each worker
    print 'chainrule: interrupted' and os._exit(130) in the middle of its task."""
    (tmp_path / "worker.py").write_text(WORKER)
    script = str(Path(sys.executable).parent / "chainrule")
    r = subprocess.run([sys.executable, str(tmp_path / "worker.py"), script], capture_output=True, text=True,
                       env=env(), timeout=120, preexec_fn=as_in_a_terminal)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == repr((repr(signal.SIG_DFL), repr(signal.default_int_handler))), r.stdout


def test_a_second_ctrl_c_while_the_checkpoint_is_read_for_the_advice_ends_with_the_line(tmp_path, monkeypatch,
                                                                                          capsys):
    """The interruption's line reads the checkpoint (the whole model: seconds for a large one) for its
    --resume advice; that ran with Ctrl-C and SIGTERM ignored, so a second Ctrl-C or a batch system's
    SIGTERM was lost meanwhile. Now a second one there skips the advice."""
    import chainrule.cli.train as train_command
    import chainrule.saving.npz as npz
    from chainrule.cli import main

    def interrupted(args):
        raise KeyboardInterrupt

    def second_ctrl_c(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_command, "train", interrupted)
    monkeypatch.setattr(npz, "load_all", second_ctrl_c)
    (tmp_path / "ck").mkdir()
    (tmp_path / "ck" / "checkpoint.npz").write_bytes(b"a checkpoint being read")
    code = main(["train", str(IRIS), "--target", "species", "--checkpoint-dir", str(tmp_path / "ck"),
                 "--out", str(tmp_path / "m.npz")])
    assert code == 130
    assert capsys.readouterr().err.strip().splitlines()[-1].startswith("chainrule: interrupted; ")
