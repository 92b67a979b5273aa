"""A lock whose process id was given again: a run killed with kill -9 (or a machine rebooted) leaves its lock,
and a later, unrelated process may get its id. That process is alive, so the lock was held for good and every
run into the folder refused; the process's start time (Linux's /proc/PID/stat) tells it is not the run."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainrule.backend import compilelock
from chainrule.errors import ValidationError
from chainrule.saving import runlock

linux = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times of /proc")


@pytest.fixture
def other():
    """An unrelated live process of this machine, started now: the process that got a dead run's id."""
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        yield child.pid
    finally:
        child.kill()
        child.wait()


def _lock(folder: Path, holder: dict, age: float = 0.0) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / runlock.LOCKNAME
    path.write_text(json.dumps({"host": socket.gethostname(), "since": "2026-01-01T00:00:00+00:00", **holder}))
    if age:
        os.utime(path, (time.time() - age, time.time() - age))
    return path


def _ticks(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])


@linux
def test_a_lock_written_before_its_pids_process_started_is_taken_over(tmp_path, other):
    """A lock of an hour ago naming a process that started a moment ago: that process did not write it."""
    lock = _lock(tmp_path / "ck", {"pid": other}, age=3600)
    assert runlock.acquire(tmp_path / "ck") == lock
    assert json.loads(lock.read_text())["pid"] == os.getpid()
    runlock.release(tmp_path / "ck")


@linux
def test_a_lock_naming_another_start_of_its_pid_is_taken_over(tmp_path, other):
    """The lock records when its process started: a live process of that id started otherwise is another one."""
    _lock(tmp_path / "ck", {"pid": other, "started": _ticks(other) - 100})
    runlock.acquire(tmp_path / "ck")
    runlock.release(tmp_path / "ck")


@linux
def test_a_live_holder_still_keeps_its_lock_and_is_named(tmp_path, other):
    for holder in ({"pid": other, "started": _ticks(other)}, {"pid": other}):   # recorded, or an older lock's
        lock = _lock(tmp_path / "ck", holder)
        with pytest.raises(ValidationError, match=f"in use by another training run \\(process {other} on"):
            runlock.acquire(tmp_path / "ck")
        assert json.loads(lock.read_text())["pid"] == other


@linux
def test_a_lock_records_its_process_start(tmp_path):
    lock = runlock.acquire(tmp_path / "ck")
    assert json.loads(lock.read_text())["started"] == _ticks(os.getpid())
    runlock.release(tmp_path / "ck")


@linux
def test_the_compiling_lock_of_a_reused_pid_is_stale(tmp_path, other):
    """The same for the background compiling's lock (backend/compilelock.py)."""
    from chainrule.backend.processes import machine
    lock = tmp_path / "x.compiling"
    lock.write_text(f"{machine()} {other}")
    os.utime(lock, (time.time() - 300, time.time() - 300))
    assert not compilelock.fresh(str(lock))
    lock.write_text(f"{machine()} {other}")
    assert compilelock.fresh(str(lock))
