"""Two `chainrule train` jobs given one --out: the second is refused while the first trains (its lock,
saving/runlock.py), where both trained and said 'saved', and the file held whichever ended last. The same
for `predict --out` and `export --out`, which took no lock; the lock appears whole (never empty, even where a
Ctrl-C comes as it is taken), and its time is ISO 8601 with its offset."""
import json
import signal
import socket
import subprocess
import sys
import time

import numpy as np
import pytest
from conftest import as_in_a_terminal, cli


def data(path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    path.write_text("a,b,c,label\n" + "".join(f"{a:.4f},{b:.4f},{c:.4f},{'yes' if a + b > 0 else 'no'}\n"
                                              for a, b, c in X))
    return path


def test_a_second_train_job_on_the_same_out_is_refused_while_the_first_runs(tmp_path):
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    first = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "train", str(csv), "--target", "label",
                              "--epochs", "1000000", "--quiet", "--out", str(out)],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_in_a_terminal)
    try:
        lock = tmp_path / ".m.npz.lock"
        deadline = time.monotonic() + 120
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.exists(), first.communicate(timeout=5)
        second = cli("train", csv, "--target", "label", "--epochs", "1", "--out", out)
        assert second.returncode == 2, second.stderr
        assert f"is being written by another job (chainrule train, process {first.pid} " in second.stderr, second.stderr
        assert "saved" not in second.stdout and not out.exists()
        assert first.poll() is None                     # the first job goes on
    finally:
        first.send_signal(signal.SIGINT)
        _, err = first.communicate(timeout=180)         # a loaded machine may be compiling kernels
    assert first.returncode == 130, err
    assert not lock.exists()                            # released by the job that ended
    third = cli("train", csv, "--target", "label", "--epochs", "1", "--out", out)
    assert third.returncode == 0 and f"saved {out}" in third.stdout, third.stderr
    assert not lock.exists()


def test_a_lock_left_by_a_job_that_died_is_taken_over(tmp_path):
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".m.npz.lock").write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(),
                                                      "since": "2026-01-01 00:00:00"}))
    r = cli("train", csv, "--target", "label", "--epochs", "1", "--out", out)
    assert r.returncode == 0 and out.exists(), r.stderr
    assert not (tmp_path / ".m.npz.lock").exists()


HOLDER = """
import sys
from pathlib import Path
from chainrule.saving.runlock import acquire_output
acquire_output(Path(sys.argv[1]), **({} if sys.argv[2] == "train" else {"job": sys.argv[2]}))
print("held", flush=True)
sys.stdin.read()                                  # held until the test closes this pipe
"""


def holding(out, job):
    """A live process holding `out`'s lock as `chainrule JOB` does."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(out), job], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline() == "held\n"
    return holder


def trained(folder):
    """(the CSV, the model `chainrule train` wrote of it) in `folder`."""
    csv, npz = data(folder / "d.csv"), folder / "m.npz"
    r = cli("train", csv, "--target", "label", "--epochs", "2", "--out", npz)
    assert r.returncode == 0, r.stderr
    return csv, npz


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return trained(tmp_path_factory.mktemp("model"))


@pytest.mark.parametrize("job, written", [("predict", "p.csv"), ("export", "m.onnx")])
@pytest.mark.parametrize("holder_job", ["train", "predict"])
def test_predict_and_export_are_refused_an_out_another_job_writes(tmp_path, model, job, written, holder_job):
    """Two jobs on one --out interleaved (predict and export took no lock): refused at once, naming the other."""
    csv, npz = model
    out = tmp_path / written
    holder = holding(out, holder_job)
    try:
        args = (npz, csv) if job == "predict" else (npz,)
        r = cli(job, *args, "--out", out)
        lock = json.loads((tmp_path / f".{written}.lock").read_text())
    finally:
        holder.communicate(timeout=30)
    assert r.returncode == 2, r.stderr
    said = "--out" if job == "predict" else "the output"       # as export's other refusals name its output
    assert (f"{said} {str(out)!r} is being written by another job (chainrule {holder_job}, process {holder.pid} on "
            f"{socket.gethostname()}, since {lock['since']})") in r.stderr, r.stderr
    assert f"Give this job another {'--out' if job == 'predict' else 'output file'}, or wait" in r.stderr
    assert not out.exists()
    again = cli(job, *args, "--out", out)                # the holder ended: its lock released
    assert again.returncode == 0 and out.exists(), again.stderr
    assert not (tmp_path / f".{written}.lock").exists()


def test_predict_takes_over_the_lock_of_a_job_that_died(tmp_path, model):
    csv, npz = model
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    (tmp_path / ".p.csv.lock").write_text(json.dumps({"pid": int(dead.stdout), "host": socket.gethostname(),
                                                      "since": "2026-01-01 00:00:00"}))
    r = cli("predict", npz, csv, "--out", tmp_path / "p.csv")
    assert r.returncode == 0 and (tmp_path / "p.csv").exists(), r.stderr
    assert not (tmp_path / ".p.csv.lock").exists()


def test_the_locks_time_is_iso_8601_with_its_offset_and_an_old_one_is_read(tmp_path):
    """The time had no zone ('2026-12-01 10:00:00': whose clock?): now UTC with its offset, within the seconds
    around the taking; an old lock's time is shown as the holder's local time."""
    from datetime import UTC, datetime, timedelta

    from chainrule.saving import runlock
    before = datetime.now(UTC).replace(microsecond=0)
    holder = holding(tmp_path / "m.npz", "train")
    try:
        since = json.loads((tmp_path / ".m.npz.lock").read_text())["since"]
    finally:
        holder.communicate(timeout=30)
    moment = datetime.fromisoformat(since)
    assert moment.utcoffset() == timedelta(0) and since.endswith("+00:00")
    assert before <= moment <= datetime.now(UTC)
    assert runlock.since("2026-12-01 10:00:00") == "2026-12-01 10:00:00 (its local time)"
    assert runlock.since(since) == since


INTERRUPTED = """
import json, os, signal, sys, time, warnings
from pathlib import Path
warnings.simplefilter("error", ResourceWarning)
from chainrule.saving import runlock
out, at = Path(sys.argv[1]), int(sys.argv[2])
seen, taking = [], []

def hook(event, args):                  # a Ctrl-C at the `at`-th file operation of the lock's taking
    if taking and event in ("open", "os.link", "os.remove", "os.rename") and ".m.npz.lock" in str(args[0]) or (
            event == "open" and isinstance(args[0], int) and seen):
        seen.append(event)
        if len(seen) == at:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(0.2)

fds = len(os.listdir("/proc/self/fd"))
sys.addaudithook(hook)
interrupted = False
try:
    taking.append(1)
    runlock.acquire_output(out)         # interrupted: raises, and leaves no lock of its own
    taking.clear()
    runlock.release_output(out)
except KeyboardInterrupt:
    interrupted = True
print(json.dumps({"interrupted": interrupted, "operations": len(seen), "leaked": len(os.listdir("/proc/self/fd")) - fds,
                  "left": sorted(os.listdir(out.parent))}))
"""


def test_a_ctrl_c_as_the_lock_is_taken_leaves_no_lock_and_no_open_file(tmp_path):
    """A Ctrl-C at each file operation of the lock's taking (a real signal, sent from an audit hook): the
    lock was created empty, then written; interrupted between, it was left empty with its file unclosed. Now
    the signal is raised once the lock is whole, which is then removed: nothing left, nothing open."""
    at = 1
    while True:
        r = subprocess.run([sys.executable, "-c", INTERRUPTED, str(tmp_path / "m.npz"), str(at)], capture_output=True,
                           text=True, timeout=60)
        assert r.returncode == 0 and "Warning" not in r.stderr, r.stderr
        said = json.loads(r.stdout)
        assert said["left"] == [] and said["leaked"] == 0, (at, said)
        if said["operations"] < at:                # past the last operation: none interrupted
            assert not said["interrupted"]
            break
        assert said["interrupted"], (at, said)     # the signal is never lost
        at += 1
    assert at > 1


@pytest.mark.parametrize("given", [("--out",), ()])
def test_exports_refusal_names_the_output_as_the_user_gave_it(tmp_path, model, given):
    """`chainrule export m.npz m.onnx` (no --out) was refused as "--out 'm.onnx' is being written": named "the
    output", as export names it in its other refusals (a folder, a device), whether given as `out` or --out;
    train and predict, which take only --out, name --out."""
    _, npz = model
    out = tmp_path / "m.onnx"
    holder = holding(out, "train")
    try:
        r = cli("export", npz, *given, out)
        said = cli("export", npz, *given, tmp_path)     # a folder: refused by output_path, in its words
    finally:
        holder.communicate(timeout=30)
    assert r.returncode == 2 and said.returncode == 2, (r.stderr, said.stderr)
    assert f"the output {str(tmp_path)!r} is a folder" in said.stderr, said.stderr
    assert f"the output {str(out)!r} is being written by another job (chainrule train, " in r.stderr, r.stderr
    assert "--out" not in r.stderr and "another output file, or wait" in r.stderr, r.stderr
