"""Two Ctrl-C in quick succession (a double tap) on `chainrule train`: the second, while the first's line is
written, is ignored (backend/signals.ignored) and the job is ending already: one line, exit 130, no
traceback, and the --out file's lock released. Real signals to a real process, each run bounded."""
import signal
import subprocess
import sys
import time

import pytest
from test_same_out import data


@pytest.mark.parametrize("gap", [0.0, 0.002, 0.02])
def test_a_double_ctrl_c_ends_the_job_with_one_line(tmp_path, gap):
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    job = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "train", str(csv), "--target", "label",
                            "--epochs", "1000000", "--quiet", "--out", str(out)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not (tmp_path / ".m.npz.lock").exists() and job.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        time.sleep(0.5)                                   # in fit
        assert job.poll() is None
        job.send_signal(signal.SIGINT)
        time.sleep(gap)
        job.send_signal(signal.SIGINT)
        _, err = job.communicate(timeout=60)
    finally:
        if job.poll() is None:
            job.kill()
            job.communicate()
    assert job.returncode == 130, err
    assert err.count("chainrule: interrupted") == 1 and "Traceback" not in err, err
    assert "was not written" in err and not out.exists()
    assert not (tmp_path / ".m.npz.lock").exists()


UNWINDING = """
import os, signal, sys
from chainrule.backend import signals
signals.holds = True                                  # as the command sets it
signal.signal(signal.SIGINT, signals.interrupt)
signal.signal(signal.SIGTERM, signals.interrupt)
cleaned = []
try:
    try:
        os.kill(os.getpid(), signal.SIGINT)           # the first Ctrl-C: the job ends
        signal.pause()
    finally:
        os.kill(os.getpid(), getattr(signal, sys.argv[1]))   # a second one while it cleans up
        cleaned.append("lock released")
except KeyboardInterrupt:
    pass
print(cleaned)
os.kill(os.getpid(), signal.SIGINT)                   # a third: at once
print("not reached")
"""


@pytest.mark.parametrize("second", ["SIGINT", "SIGTERM"])
def test_a_second_signal_while_the_job_unwinds_waits_for_its_clean_up(second):
    r = subprocess.run([sys.executable, "-c", UNWINDING, second], capture_output=True, text=True, timeout=60)
    assert r.stdout == "['lock released']\n" and r.returncode == 130, (r.stdout, r.stderr)
    assert r.stderr == "chainrule: interrupted\n" and "Traceback" not in r.stderr
