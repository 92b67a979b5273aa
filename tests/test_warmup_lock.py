"""The compiling's lock (backend/compilelock.py) left by a process killed as it wrote it: it was created,
then written, and a kill -9 between the two left it empty, which was taken for another machine's and held
every compiling (and `chainrule compile`) back for 10 minutes. Now it is written whole, and an empty one
is stale after a few seconds."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from chainrule.backend import cachedir, compilelock, processes, warmup

posix = pytest.mark.skipif(os.name != "posix", reason="SIGKILL")

# created as the lock was before (os.open with O_EXCL), then killed before a byte is written
KILLED_AS_IT_WRITES = textwrap.dedent("""
    import os, signal, sys
    os.open(sys.argv[1], os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
    os.kill(os.getpid(), signal.SIGKILL)
""")


def killed_writing(lock: Path) -> None:
    """`lock` as a real process killed between its creation and its write leaves it: empty."""
    done = subprocess.run([sys.executable, "-c", KILLED_AS_IT_WRITES, str(lock)], timeout=60)
    assert done.returncode == -9 and lock.exists() and lock.stat().st_size == 0


def age(path: Path, seconds: float) -> None:
    os.utime(path, (time.time() - seconds, time.time() - seconds))


@posix
def test_an_empty_lock_left_by_a_killed_process_is_taken_over_after_a_bound(tmp_path):
    lock = tmp_path / "chainrule-kernels.compiling"
    killed_writing(lock)
    assert compilelock.fresh(str(lock))                       # as a process may be writing it right now
    age(lock, compilelock.EMPTY_SECONDS + 1)
    assert not compilelock.fresh(str(lock))                   # was fresh for 10 minutes
    assert warmup._take(str(lock))
    assert lock.read_text() == f"{processes.machine()} {os.getpid()}"
    lock.write_text(f"{processes.machine()}")             # half written (no process id): the same
    age(lock, compilelock.EMPTY_SECONDS + 1)
    assert warmup._take(str(lock))


@posix
def test_a_lock_naming_a_dead_process_is_taken_over_at_once(tmp_path):
    lock = tmp_path / "chainrule-kernels.compiling"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock.write_text(f"{processes.machine()} {gone.pid}")
    assert warmup._take(str(lock))
    assert lock.read_text() == f"{processes.machine()} {os.getpid()}"


COMPILE_HERE = textwrap.dedent("""
    from chainrule.backend import warmup
    with warmup.compiling_here(report=lambda pid: print("waiting for", pid, flush=True)):
        print("compiling", flush=True)
""")


@posix
def test_compile_does_not_wait_on_an_empty_lock_left_by_a_killed_process(tmp_path):
    """`chainrule compile`'s wait (`compiling_here`), in a process of its own: it waited 10 minutes."""
    folder = Path(cachedir.folder(str(tmp_path)))
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("chainrule-kernels.compiling", "chainrule-tiny.compiling"):
        killed_writing(folder / name)
        age(folder / name, compilelock.EMPTY_SECONDS + 1)
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    try:
        done = subprocess.run([sys.executable, "-c", COMPILE_HERE], env=env, capture_output=True, text=True,
                              timeout=30)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"still waiting after 30 s: {exc.stdout!r}")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "compiling\n"
    assert not (folder / "chainrule-kernels.compiling").exists()         # released when done
    assert sorted(p.name for p in folder.iterdir()) == ["chainrule-tiny.compiling"]   # no temporary file left


def test_the_lock_is_written_whole_and_renamed_whole(tmp_path):
    """A lock appears with its text (a temporary file linked into place), and naming the compiling
    child replaces it whole: no temporary file is left beside it."""
    lock = tmp_path / "chainrule-kernels.compiling"
    assert warmup._take(str(lock)) and not warmup._take(str(lock))
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        compilelock.rename(str(lock), child.pid)
        assert lock.read_text() == f"{processes.machine()} {child.pid}" and compilelock.fresh(str(lock))
    finally:
        child.kill()
        child.wait()
    assert not compilelock.fresh(str(lock))                    # its process is gone
    assert [p.name for p in tmp_path.iterdir()] == [lock.name]


def test_compile_waiting_on_an_empty_lock_names_no_process_and_goes_on_once_it_is_stale(tmp_path, monkeypatch):
    """An empty lock just written (its process may be writing it) is waited for, its process said to be
    unknown ('?', where the message said 'pid ' and nothing), and no longer than EMPTY_SECONDS."""
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(compilelock, "EMPTY_SECONDS", 1.0)
    folder = Path(cachedir.folder())
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "chainrule-kernels.compiling").write_text("")
    said, start = [], time.monotonic()
    with warmup.compiling_here(report=said.append):
        waited = time.monotonic() - start
        assert (folder / "chainrule-kernels.compiling").read_text() == f"{processes.machine()} {os.getpid()}"
    assert said == ["?"] and 0.4 < waited < 20
