"""Two Ctrl-C in quick succession (a double tap) on `chainrule train`: the second, while the first's line is
written, is ignored (backend/signals.ignored) and the job is ending already: one line, exit 130, no
traceback, and the --out file's lock released; a second signal during the clean-up says that the job finishes it.
Real signals to a real process, each run bounded."""
import signal
import subprocess
import sys
import time

import pytest
from conftest import as_in_a_terminal
from test_same_out import data


@pytest.mark.parametrize("gap", [0.0, 0.002, 0.02])
def test_a_double_ctrl_c_ends_the_job_with_one_line(tmp_path, gap):
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    code, err = ended(training(tmp_path, csv, out, "-m", "chainrule.cli"), 2, gap)
    assert code == 130, err
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
    r = subprocess.run([sys.executable, "-c", UNWINDING, second], capture_output=True, text=True, timeout=60,
                       preexec_fn=as_in_a_terminal)
    assert r.stdout == "['lock released']\n" and r.returncode == 130, (r.stdout, r.stderr)
    # the second signal is said at once (before, it was silent: the user could not tell it was heard), the third
    # ends the process
    assert r.stderr == ("chainrule: finishing the clean-up; Ctrl-C again to end at once\n"
                        "chainrule: interrupted\n"), r.stderr


IN_THE_CLEAN_UP = """
import os, signal, sys, time
from chainrule.saving import runlock
release = runlock.release_output

def slowly(out):                                      # the --out lock's release, the train job's last clean-up
    os.kill(os.getpid(), signal.SIGINT)               # a second Ctrl-C meanwhile
    time.sleep(0.3)
    release(out)

runlock.release_output = slowly
sys.argv = ["chainrule", *sys.argv[1:]]
from chainrule.cli import command
command()
"""


def test_a_second_ctrl_c_in_the_clean_up_of_train_is_said_and_waits_for_it(tmp_path):
    """`chainrule train` stopped by Ctrl-C, and a second one while it releases its --out lock: one line says the
    clean-up is being finished (before: nothing, as if the second was lost), then the job ends as after one."""
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    code, err = ended(training(tmp_path, csv, out, "-c", IN_THE_CLEAN_UP), 1)
    assert code == 130, err
    assert err.count("chainrule: finishing the clean-up; Ctrl-C again to end at once\n") == 1, err
    assert err.count("chainrule: interrupted") == 1 and "Traceback" not in err, err
    assert not out.exists() and not (tmp_path / ".m.npz.lock").exists()


def started(csv, out, *python):
    """`chainrule train` for a million epochs, run by `python ...`."""
    return subprocess.Popen([sys.executable, *python, "train", str(csv), "--target", "label",
                             "--epochs", "1000000", "--quiet", "--out", str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=as_in_a_terminal)


def training(tmp_path, csv, out, *python):
    """`started`, and in fit: its --out lock taken, half a second on."""
    job = started(csv, out, *python)
    deadline = time.monotonic() + 120
    while not (tmp_path / ".m.npz.lock").exists() and job.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.5)                                   # in fit
    if job.poll() is not None:
        raise AssertionError(job.communicate())
    return job


IN_A_WEAKREF_CALLBACK = """
import os, signal, sys, time, weakref
import chainrule as cr
fit = cr.Network.fit

class Thing:
    pass

def dying(ref):                     # Ctrl-C while a weakref callback runs: raised there, Python drops it
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.2)

def fit_after_a_callback(self, *args, **kwargs):
    thing = Thing()
    ref = weakref.ref(thing, dying)
    del thing
    return fit(self, *args, **kwargs)

cr.Network.fit = fit_after_a_callback
sys.argv = ["chainrule", *sys.argv[1:]]
from chainrule.cli import command
command()
"""


def test_a_ctrl_c_lost_in_a_weakref_callback_still_ends_the_job(tmp_path):
    """The command's KeyboardInterrupt raised while a weakref callback ran (WeakSet's, in a CI run) was dropped
    by Python ("Exception ignored in"): the job trained on, and a second Ctrl-C only said it was finishing."""
    csv, out = data(tmp_path / "d.csv"), tmp_path / "m.npz"
    code, err = ended(started(csv, out, "-c", IN_A_WEAKREF_CALLBACK), 0)      # it sends its own
    assert code == 130, err
    assert err.count("chainrule: interrupted") == 1 and "Traceback" not in err and "ignored" not in err, err
    assert not (tmp_path / ".m.npz.lock").exists() and not out.exists()


def ended(job, count, gap=0.0):
    """The job's exit code and stderr once `count` Ctrl-C, `gap` seconds apart, ended it (killed after 180 s:
    a loaded machine may be compiling kernels)."""
    try:
        for k in range(count):
            job.send_signal(signal.SIGINT)
            if k < count - 1:
                time.sleep(gap)
        err = job.communicate(timeout=180)[1]
        return job.returncode, err
    finally:
        if job.poll() is None:
            job.kill()
            job.communicate()
