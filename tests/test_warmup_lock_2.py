"""The background compiling's lock (backend/warmup.py, backend/compilelock.py), continued: a compiling that
cannot start (its executable gone, a disk full) held every later one back for 10 minutes and failed the job
that asked for it; a tiny versions' compiling and the kernels' one each took a lock of its own after looking
at the other's, so that two jobs ending at once could compile into tiny.py's cache together; a lock's
temporary file left by a process killed as it wrote it stayed in the cache folder through `chainrule compile
--force`; saving/runlock.py wrote its locks with a copy of the compiling's code."""
from __future__ import annotations

import functools
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from chainrule.backend import cachedir, compilelock, processes, warmup
from chainrule.saving import runlock

posix = pytest.mark.skipif(os.name != "posix", reason="SIGKILL, RLIMIT_FSIZE")
SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]


@pytest.fixture
def folder(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    where = Path(cachedir.folder())
    where.mkdir(parents=True, exist_ok=True)
    return where


@pytest.fixture
def children(monkeypatch):
    """The compiling processes started (`warmup._start`), ended after the test."""
    started = []
    real = warmup._start

    def spied(command, lock):
        got = real(command, lock)
        if got:
            started.append(warmup.compiling)
        return got
    monkeypatch.setattr(warmup, "_start", spied)
    monkeypatch.setattr(warmup, "compiling", None)
    yield started
    for child in started:
        child.kill()
        child.wait()


@pytest.mark.parametrize("missing", [True, False], ids=["executable-gone", "not-executable"])
def test_a_compiling_that_cannot_start_leaves_no_lock_and_says_nothing(folder, tmp_path, monkeypatch, children,
                                                                       missing):
    """Popen raising (FileNotFoundError, PermissionError: a real one) left the lock it had just taken, which
    held every compiling back for 10 minutes, and the error reached the job that had ended."""
    python = tmp_path / "python-removed"
    if not missing:
        python.write_text("#!/bin/sh\n")
        python.chmod(0o644)
    monkeypatch.setattr(warmup, "COMMAND", [str(python), "-m", "chainrule.backend.warmup"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert warmup.compile_in_background() is False
        assert not (folder / "chainrule-kernels.compiling").exists()
        warmup.job_done(lacked=[("d", warmup.SEED)])     # the tiny versions' compiling: the same
    assert sorted(p.name for p in folder.iterdir()) == []
    monkeypatch.setattr(warmup, "COMMAND", SLEEPER)
    assert warmup.compile_in_background() is True and len(children) == 1      # not held back


FULL = textwrap.dedent("""
    import resource, signal
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)          # a write past the limit fails with EFBIG
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))
    from chainrule.backend import warmup
    warmup.COMMAND = ["/bin/true"]
    print(warmup.compile_in_background())
""")


@posix
def test_a_lock_that_cannot_be_written_starts_nothing_and_leaves_no_file(folder, tmp_path):
    """A disk full (here a real process whose files cannot grow): the lock's write raised OSError into the
    job, and its temporary file stayed in the cache folder."""
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", FULL], env=env, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (0, "False\n", "")
    assert sorted(p.name for p in folder.iterdir()) == []


@pytest.mark.parametrize("first", ["tiny", "kernels"])
def test_two_jobs_ending_at_once_start_one_compiling(folder, monkeypatch, children, first):
    """One job's end (`job_done`: the tiny versions it lacked) and another's (`compile_in_background`:
    the kernels), each coming between the other's look at the locks and its taking: each took its own
    lock, and two processes compiled into tiny.py's cache at once."""
    monkeypatch.setattr(warmup, "COMMAND", SLEEPER)
    tiny_done = functools.partial(warmup.job_done, lacked=[("d", warmup.SEED)])     # a job that lacked the seed's
    other = warmup.compile_in_background if first == "tiny" else tiny_done
    real, calls = compilelock.take, []

    def take(lock):                 # the other job comes in just before this one's first taking
        calls.append(lock)
        if len(calls) == 1:
            other()
        return real(lock)
    monkeypatch.setattr(warmup, "_take", take)
    (tiny_done if first == "tiny" else warmup.compile_in_background)()
    assert len(children) == 1                                    # was 2
    assert compilelock.fresh(str(folder / "chainrule-kernels.compiling"))


KILLED_WRITING = textwrap.dedent("""
    import os, signal, sys
    from chainrule.backend import compilelock
    compilelock._written(sys.argv[1], b"host 1")         # the lock's temporary file, not linked yet
    os.kill(os.getpid(), signal.SIGKILL)
""")


@posix
def test_compile_force_removes_lock_files_left_by_a_killed_process(folder, monkeypatch):
    lock = folder / "chainrule-kernels.compiling"
    done = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(lock)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    [left] = folder.glob("chainrule-kernels.compiling.*.tmp")
    live = folder / f"chainrule-kernels.compiling.{os.getpid()}.0badcafe.tmp"     # being written now
    old = folder / f"chainrule-tiny.compiling.{os.getpid()}.00c0ffee.tmp"         # this pid, long ago
    other = folder / "notes.compiling.1.00.tmp"                                   # not chainrule's
    for path in (live, old, other):
        path.write_text(f"{processes.machine()} {os.getpid()}")
    then = time.time() - compilelock.EMPTY_SECONDS - 5
    os.utime(old, (then, then))
    assert warmup.forget() == 2
    assert not left.exists() and not old.exists() and live.exists() and other.exists()


def test_checkpoint_locks_are_written_by_the_compiling_lock_code(tmp_path, monkeypatch):
    """One way of writing a lock whole: runlock's copy of it (`_linked`, `_created`, NO_LINKS) is gone, and
    its lock is compilelock's `linked`, still under held signals."""
    assert not hasattr(runlock, "_created") and not hasattr(runlock, "NO_LINKS")
    written = []
    real = compilelock.linked

    def spied(lock, text):
        written.append(Path(lock).name)
        return real(lock, text)
    monkeypatch.setattr(runlock, "linked", spied)
    runlock.acquire(tmp_path / "ck")
    try:
        assert written == ["checkpoint.lock"]
        assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["checkpoint.lock"]
    finally:
        runlock.release(tmp_path / "ck")


@posix
def test_a_compiling_process_ending_leaves_a_lock_taken_over_from_it(folder, tmp_path):
    """The background process (`python -m chainrule.backend.warmup`, here failing at once) removed the lock
    as it ended whoever held it: one taken over from it (older than FRESH_SECONDS) by another compiling,
    whose lock this removed, letting a third compile beside that one."""
    lock = folder / "chainrule-kernels.compiling"
    other = subprocess.Popen(SLEEPER)
    try:
        for name in (lock.name, "chainrule-tiny.compiling"):     # the latter, the tiny versions' lock before
            (folder / name).write_text(f"{processes.machine()} {other.pid}")
        env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path), "CHAINRULE_NUMBA": "0"}
        done = subprocess.run([sys.executable, "-m", "chainrule.backend.warmup", "d", "1"], env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 1                  # CHAINRULE_NUMBA=0: it cannot compile
        for name in (lock.name, "chainrule-tiny.compiling"):
            assert (folder / name).read_text() == f"{processes.machine()} {other.pid}"
    finally:
        other.kill()
        other.wait()
    compilelock.release(str(lock), os.getpid())           # not this process's: kept
    assert lock.exists()
    compilelock.release(str(lock))
    assert not lock.exists()
