"""The Ctrl-C tests of tests/test_robust_4.py started by a test runner that ignores SIGINT (the whole suite run in
the background, `pytest ... &` in a script, or a test that left it ignored): an ignored SIGINT is inherited through
exec, and the command rightly keeps it ignored (nohup), so the job trained to its end and exited 0, the SIGINT
the test sent lost. Their children now start with SIGINT at its default, as a terminal's foreground job."""
import signal
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import as_in_a_terminal
from test_double_interrupt import started
from test_robust_4 import interrupted_train, mapped, one_line, start


@contextmanager
def runner_ignoring_ctrl_c():
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are set in the main thread only")
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, before)


def test_ctrl_c_after_the_read_line_interrupts_the_job_whatever_the_runner_ignores(tmp_path):
    with runner_ignoring_ctrl_c():
        _, ckpt, last = interrupted_train(tmp_path, [], lambda lines, _: any(line.startswith("read ")
                                                                             for line in lines))
    assert last.startswith("chainrule: interrupted") and not (ckpt / "checkpoint.npz").exists(), last


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="needs /proc")
def test_ctrl_c_while_the_command_imports_is_said_whatever_the_runner_ignores(tmp_path):
    out = tmp_path / "m.npz"
    iris = Path(__file__).parents[1] / "src" / "chainrule" / "data" / "examples" / "iris.csv"
    with runner_ignoring_ctrl_c():
        p = start(["train", iris, "--target", "species", "--out", out, "--quiet"])
    assert mapped(p, "_multiarray_umath")
    p.send_signal(signal.SIGINT)
    _, stderr = p.communicate(timeout=60)
    assert p.returncode == 130, (p.returncode, stderr)
    one_line(stderr)
    assert not out.exists()


def test_the_double_ctrl_c_jobs_start_with_ctrl_c_at_its_default_whatever_the_runner_ignores(tmp_path):
    """tests/test_double_interrupt.py's jobs (`started`, `training`) as well: there the lost Ctrl-C left the job
    training its million epochs until the test's 180 s ran out."""
    with runner_ignoring_ctrl_c():
        job = started(tmp_path / "d.csv", tmp_path / "m.npz", "-c", "import signal; print(signal.getsignal(2))")
    out, err = job.communicate(timeout=60)
    assert out.strip() == repr(signal.default_int_handler), (out, err)


#: a SIGTERM (the command's handler: KeyboardInterrupt) handled just after `ignored` made Ctrl-C ignored, before it
#: made SIGTERM ignored: the script then says whether Ctrl-C is still ignored, and whether a Ctrl-C interrupts
CUT = """
import os, signal
from chainrule.backend import signals
real = signal.signal
def hooked(sig, handler):
    before = real(sig, handler)
    if sig == signal.SIGINT and handler is signal.SIG_IGN:
        os.kill(os.getpid(), signal.SIGTERM)
    return before
signal.signal(signal.SIGTERM, signals.interrupt)
signal.signal = hooked
try:
    with signals.ignored():
        print("not interrupted")
except KeyboardInterrupt:
    pass
signal.signal = real
print("ignored" if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else "default")
try:
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(1000):
        pass
    print("Ctrl-C lost")
except KeyboardInterrupt:
    print("Ctrl-C interrupts")
"""


def test_a_signal_as_ctrl_c_is_being_ignored_does_not_leave_it_ignored():
    r = subprocess.run([sys.executable, "-c", CUT], capture_output=True, text=True, timeout=60, check=False,
                       preexec_fn=as_in_a_terminal)
    assert r.stdout.split() == ["default", "Ctrl-C", "interrupts"], (r.stdout, r.stderr)
