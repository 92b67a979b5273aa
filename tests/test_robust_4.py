"""Interruptions and failures of the command line, in real processes: SIGTERM and Ctrl-C while the
command is still importing, before the first checkpoint, while a script compiles Numba's kernels;
a rank's disk-full error under a real `mpiexec`; and the demanding user's flaky laptop (a full disk,
a read-only folder, a folder as --out, two jobs writing the same file)."""
import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

IRIS = Path(__file__).parents[1] / "src" / "chainrule" / "data" / "examples" / "iris.csv"


def env(**extra):
    return {**os.environ, "CHAINRULE_NUMBA": "0", "CHAINRULE_BLAS_THREADS": "1", **extra}


def start(args, environ=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "chainrule", *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=environ or env(), **kw)


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
