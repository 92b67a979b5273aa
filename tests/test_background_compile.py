"""The background compiling a job on NumPy starts (backend/warmup.py): reaped when it ends (it
stayed a zombie for the life of a notebook or server), not started by a job the user stopped
with Ctrl-C, and its lock not left to hold the next job's compiling back when it was killed."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from chainrule.backend import cachedir, compilelock, kernels, processes, warmup

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def state(pid: int) -> str | None:
    """The process's state letter (Z: a zombie), None once it is gone (reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return None


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_the_compiling_process_is_reaped_when_it_ends(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    lock = os.path.join(cachedir.folder(), "probe.compiling")
    os.makedirs(os.path.dirname(lock), exist_ok=True)
    assert warmup._start([sys.executable, "-c", "pass"], lock)
    pid = warmup.compiling.pid
    deadline = time.time() + 30
    while state(pid) is not None and time.time() < deadline:
        time.sleep(0.05)
    assert state(pid) is None                    # was 'Z' until this process ended
    assert warmup.compiling.returncode == 0


JOB = """
import numpy as np, chainrule as cr
from chainrule.backend import warmup
class Stop(cr.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 2:
            raise KeyboardInterrupt
X = np.random.default_rng(0).normal(size=(4000, 20))
net = cr.Network([cr.Dense(20, 32, 'relu'), cr.Dense(32, 3)], loss='mse', seed=0)
try:
    net.fit(X, X[:, :3].copy(), epochs=200, batch_size=32, verbose=0, callbacks=[Stop()])
except KeyboardInterrupt:
    print('stopped', warmup.compiling is None)
"""


@needs_numba
def test_a_job_stopped_with_ctrl_c_starts_no_compiling(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    done = subprocess.run([sys.executable, "-c", JOB], capture_output=True, text=True, timeout=300,
                          env={**env, "NUMBA_CACHE_DIR": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["stopped", "True"]          # was a detached compiling of a minute
    assert not list(Path(cachedir.folder(str(tmp_path))).glob("*.compiling"))


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_a_lock_whose_process_is_gone_holds_nothing_back(tmp_path):
    lock = tmp_path / "chainrule-kernels.compiling"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])        # ended, not reaped yet
    deadline = time.time() + 30
    while state(zombie.pid) != "Z" and time.time() < deadline:
        time.sleep(0.05)
    me = processes.machine()                 # the host name and this PID namespace
    try:
        for text, fresh in [(f"{me} {gone.pid}", False), (f"{me} {zombie.pid}", False), (f"{me} {os.getpid()}", True),
                            (f"another-machine {gone.pid}", True), (f"{socket.gethostname()}:1 {gone.pid}", True),
                            ("", True)]:
            lock.write_text(text)
            assert compilelock.fresh(str(lock)) is fresh, text
    finally:
        zombie.wait()
    os.utime(lock, (time.time() - 601, time.time() - 601))
    assert not compilelock.fresh(str(lock))                          # 10 minutes old: never
    os.utime(lock, (time.time() + 3600, time.time() + 3600))
    assert not compilelock.fresh(str(lock))                          # an hour ahead (a clock on a shared folder)


def test_of_two_processes_taking_the_lock_one_does(tmp_path):
    lock = str(tmp_path / "chainrule-kernels.compiling")
    assert warmup._take(lock)
    assert not warmup._take(lock)                                # held by this live process
    Path(lock).write_text(f"{processes.machine()} 999999999")         # no such process: taken over
    assert warmup._take(lock) and Path(lock).read_text() == f"{processes.machine()} {os.getpid()}"


def handles_sigterm(pid: int) -> bool:
    """Whether process `pid` has set a handler for SIGTERM (Linux: SigCgt in /proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return bool(int(line.split()[1], 16) >> (signal.SIGTERM - 1) & 1)
    return False


@needs_numba
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_the_compiling_process_stopped_by_sigterm_removes_its_lock(tmp_path):
    folder = Path(cachedir.folder(str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    lock = folder / "chainrule-kernels.compiling"
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    child = subprocess.Popen([sys.executable, "-m", "chainrule.backend.warmup"], env=env, stderr=subprocess.PIPE)
    lock.write_text(f"{processes.machine()} {child.pid}")        # as its starter names it (`warmup._start`)
    try:
        deadline = time.time() + 60                              # until its handler is set (a loaded machine)
        while not handles_sigterm(child.pid) and child.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)                                          # compiling by now
        child.send_signal(signal.SIGTERM)
        child.wait(timeout=60)
    finally:
        child.kill()
        child.wait()
    assert child.returncode == 128 + signal.SIGTERM
    assert not lock.exists()                                     # was left: no compiling for 10 minutes


@needs_numba
def test_compile_waits_for_a_compiling_already_running(tmp_path, monkeypatch):
    """Two `chainrule compile`, or one beside a job's background compiling, each compiled everything
    (83 and 80 s on 2 cores): now the second waits, then finds the kernels compiled."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("CHAINRULE_NUMBA", raising=False)
    folder = Path(cachedir.folder())
    folder.mkdir(parents=True, exist_ok=True)
    marker, go = warmup.marker(), tmp_path / "go"
    # the other "compiling" ends (writes the marker) once `chainrule compile` says it waits: a fixed
    # sleep raced the command's start on a loaded machine
    other = subprocess.Popen([sys.executable, "-c", f"import os, time\nwhile not os.path.exists({str(go)!r}): "
                              f"time.sleep(0.05)\nopen({marker!r}, 'w').write('x')"])
    threading.Thread(target=other.wait, daemon=True).start()      # reaped as its starter does (a zombie would "run")
    (folder / "chainrule-kernels.compiling").write_text(f"{processes.machine()} {other.pid}")
    command = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "compile"], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        timer = threading.Timer(120, command.kill)
        timer.start()
        first = command.stdout.readline()
        go.write_text("")
        rest, err = command.communicate(timeout=120)
        timer.cancel()
    finally:
        for p in (command, other):
            p.kill()
            p.wait()
    assert command.returncode == 0, err
    lines = (first + rest).splitlines()
    assert lines[0] == f"another process (pid {other.pid}) is compiling the kernels into {folder}; waiting for it"
    assert lines[1].startswith(f"already compiled in {folder} ")
    with warmup.compiling_here():                     # while `chainrule compile` runs, no job starts its own
        assert not warmup.compile_in_background()
    assert not (folder / "chainrule-kernels.compiling").exists()
