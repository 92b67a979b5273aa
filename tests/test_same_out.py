"""Two `chainrule train` jobs given one --out: the second is refused while the first trains (its lock,
saving/runlock.py), where both trained and said 'saved', and the file held whichever ended last."""
import json
import signal
import socket
import subprocess
import sys
import time

import numpy as np
from conftest import cli


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
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = tmp_path / ".m.npz.lock"
        deadline = time.monotonic() + 120
        while not lock.exists() and first.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert lock.exists(), first.communicate(timeout=5)
        second = cli("train", csv, "--target", "label", "--epochs", "1", "--out", out)
        assert second.returncode == 2, second.stderr
        assert f"is being written by another training job (process {first.pid} " in second.stderr, second.stderr
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
