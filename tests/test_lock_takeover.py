"""Taking over a stale lock (backend/compilelock.py, saving/runlock.py): of processes finding one at the same
moment, one takes it. Each of them judged it stale, removed it and linked its own, so that one could remove
the lock another had just linked, and two compiled (or trained into one folder) at once: real processes,
forked to start at the same instant."""
from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from chainrule.backend import compilelock, processes
from chainrule.errors import ValidationError
from chainrule.saving import runlock

posix = pytest.mark.skipif(not hasattr(os, "fork"), reason="forked processes")
ROUNDS = 10
TAKERS = 4


def dead_pid() -> int:
    """The id of a process of this machine that has ended (and been reaped)."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    os.waitpid(pid, 0)
    return pid


def slowed(monkeypatch, module, name: str) -> None:
    """`module.name` (the judging of a lock) taking 2 ms more after its answer, as a process is paused there
    by the system at any moment: the race, met in a few hundredths of the rounds without, in each round."""
    real = getattr(module, name)

    def slow(*args):
        answer = real(*args)
        time.sleep(0.002)
        return answer
    monkeypatch.setattr(module, name, slow)


def winners(attempt: Callable[[], bool], n: int = TAKERS) -> bytes:
    """`attempt()` in `n` forked processes at the same instant: each one's answer, b'1' taken, b'0' not,
    b'E' an error. They live until all have answered: a winner gone would leave a stale lock again."""
    answers, answer_to = os.pipe()
    hold, held = os.pipe()
    go = time.time() + 0.03
    pids = []
    for _ in range(n):
        pid = os.fork()
        if pid == 0:                                     # pragma: no cover (a forked process)
            code = b"E"
            try:
                os.close(answers)
                os.close(held)
                while time.time() < go:
                    pass
                code = b"1" if attempt() else b"0"
            finally:
                os.write(answer_to, code)
                os.read(hold, 1)                         # until the parent closes it
                os._exit(0)
        pids.append(pid)
    os.close(answer_to)
    os.close(hold)
    got = answered(answers, n, pids)
    os.close(held)
    for pid in pids:
        os.waitpid(pid, 0)
    return got


def answered(answers: int, n: int, pids: list[int]) -> bytes:
    """The `n` answers of the forked processes `pids` (those not given in 30 s killed: a hang fails the test,
    and does not stop the run)."""
    got, end = b"", time.time() + 30
    while len(got) < n and select.select([answers], [], [], max(0.0, end - time.time()))[0]:
        part = os.read(answers, n)
        if not part:
            break
        got += part
    os.close(answers)
    if len(got) < n:
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
    return got


@posix
@pytest.mark.parametrize("stale", ["dead", "empty"])
def test_one_of_processes_finding_a_stale_compile_lock_at_once_takes_it(tmp_path, monkeypatch, stale):
    """Was: two or more winners (a dead holder, or an empty lock)."""
    slowed(monkeypatch, compilelock, "fresh")
    lock = str(tmp_path / "chainrule-kernels.compiling")
    bad = []
    for i in range(ROUNDS):
        Path(lock).write_text(f"{processes.machine()} {dead_pid()}" if stale == "dead" else "")
        if stale == "empty":
            then = time.time() - compilelock.EMPTY_SECONDS - 1
            os.utime(lock, (then, then))
        got = winners(lambda: compilelock.take(lock))
        if sorted(got) != sorted(b"1" + b"0" * (TAKERS - 1)):
            bad.append((i, got))
        os.unlink(lock)
    assert bad == []
    assert sorted(os.listdir(tmp_path)) == []


def _acquired(take: Callable[[], object]) -> bool:
    try:
        take()
    except ValidationError:
        return False
    return True


@posix
@pytest.mark.parametrize("which", ["checkpoint", "out"])
def test_one_of_jobs_finding_a_dead_jobs_lock_at_once_takes_it(tmp_path, monkeypatch, which):
    """A checkpoint folder's lock, or an --out file's, left by a killed run: was, several runs each took it."""
    slowed(monkeypatch, runlock, "_alive")
    folder, out = tmp_path / "ck", tmp_path / "model.npz"
    folder.mkdir()
    lock = folder / runlock.LOCKNAME if which == "checkpoint" else runlock.output_lock(out)
    take = (lambda: runlock.acquire(folder)) if which == "checkpoint" else (lambda: runlock.acquire_output(out))
    bad = []
    for i in range(ROUNDS):
        lock.write_text(json.dumps({"pid": dead_pid(), "host": socket.gethostname(), "since": "2026-01-01"}))
        got = winners(lambda: _acquired(take))
        if sorted(got) != sorted(b"1" + b"0" * (TAKERS - 1)):
            bad.append((i, got))
        lock.unlink()
    assert bad == []


KILLED_WRITING = textwrap.dedent("""
    import os, signal, sys
    from chainrule.backend import compilelock
    compilelock._written(sys.argv[1], b'{"pid": 1}')     # the lock's temporary file, not linked yet
    os.kill(os.getpid(), signal.SIGKILL)
""")


@pytest.mark.skipif(os.name != "posix", reason="SIGKILL")
@pytest.mark.parametrize("which", ["checkpoint", "out"])
def test_a_run_taking_a_lock_removes_temporary_files_a_killed_one_left(tmp_path, which):
    """A process killed as it wrote a checkpoint folder's or an --out file's lock left 'LOCK.PID.HEX.tmp',
    which stayed there for good."""
    folder, out = tmp_path / "ck", tmp_path / "model.npz"
    folder.mkdir()
    lock = folder / runlock.LOCKNAME if which == "checkpoint" else runlock.output_lock(out)
    done = subprocess.run([sys.executable, "-c", KILLED_WRITING, str(lock)], timeout=60)
    assert done.returncode == -signal.SIGKILL
    [left] = lock.parent.glob(f"{lock.name}.*.tmp")
    live = lock.parent / f"{lock.name}.{os.getpid()}.0badcafe.tmp"        # being written now by a live one
    live.write_text("{}")
    other = lock.parent / "notes.lock.1.00.tmp"                           # not a lock's of this name
    other.write_text("{}")
    if which == "checkpoint":
        runlock.acquire(folder)
    else:
        runlock.acquire_output(out)
    try:
        assert not left.exists() and live.exists() and other.exists() and lock.exists()
    finally:
        runlock.release(folder) if which == "checkpoint" else runlock.release_output(out)


@posix
def test_a_compiling_ending_as_its_old_lock_is_taken_over_keeps_the_new_holders_lock(tmp_path, monkeypatch):
    """A compiling's end (`release(lock, pid)`: read the lock, see its own, remove it) as another process
    takes that lock over (older than FRESH_SECONDS): was, the end removed the other's new lock, letting a
    third compile beside it."""
    lock = tmp_path / "chainrule-kernels.compiling"
    real = Path.read_text

    def slow(self, *args, **kwargs):               # this process paused just after reading the lock
        text = real(self, *args, **kwargs)
        time.sleep(0.01)
        return text
    for _ in range(5):
        lock.write_text(f"{processes.machine()} {os.getpid()}")
        then = time.time() - compilelock.FRESH_SECONDS - 60
        os.utime(lock, (then, then))
        monkeypatch.setattr(Path, "read_text", slow)
        answer, answer_to = os.pipe()
        go = time.time() + 0.03
        pid = os.fork()
        if pid == 0:                                     # pragma: no cover (a forked process)
            code = b"E"
            try:
                Path.read_text = real                    # type: ignore[method-assign]
                while time.time() < go:
                    pass
                code = b"1" if compilelock.take(str(lock)) else b"0"
            finally:
                os.write(answer_to, code)
                os._exit(0)
        while time.time() < go:
            pass
        compilelock.release(str(lock), os.getpid())
        monkeypatch.undo()
        os.close(answer_to)
        got = answered(answer, 1, [pid])
        os.waitpid(pid, 0)
        assert got == b"1"
        assert lock.read_text() == f"{processes.machine()} {pid}"      # was: gone
        lock.unlink()


@pytest.mark.parametrize("which", ["compile", "checkpoint"])
def test_a_lock_whose_temporary_file_is_swept_as_it_is_linked_is_still_taken(tmp_path, monkeypatch, which):
    """A process of another machine sharing the folder, taking a lock, removes the temporary files whose
    process does not run there (`leftover`, as runlock now does): this one's, about to be linked, among them.
    Was: FileNotFoundError, 'checkpoint_dir cannot be written'."""
    real, made = compilelock._written, []

    def swept(lock: str, text: bytes) -> str:
        tmp = real(lock, text)
        made.append(tmp)
        if len(made) == 1:
            os.unlink(tmp)
        return tmp
    monkeypatch.setattr(compilelock, "_written", swept)
    if which == "compile":
        lock = tmp_path / "chainrule-kernels.compiling"
        assert compilelock.take(str(lock))
        assert lock.read_text() == f"{processes.machine()} {os.getpid()}"
    else:
        runlock.acquire(tmp_path / "ck")
        runlock.release(tmp_path / "ck")
    assert len(made) == 2 and not any(os.path.exists(tmp) for tmp in made)
