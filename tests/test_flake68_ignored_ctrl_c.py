"""The Ctrl-C tests of tests/test_robust_4.py started by a test runner that ignores SIGINT (the whole suite run in
the background, `pytest ... &` in a script, or a test that left it ignored): an ignored SIGINT is inherited through
exec, and the command rightly keeps it ignored (nohup), so the job trained to its end and exited 0, the SIGINT
the test sent lost. Their children now start with SIGINT at its default, as a terminal's foreground job."""
import signal
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
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
