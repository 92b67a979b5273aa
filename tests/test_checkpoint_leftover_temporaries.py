"""A save cut by kill -9 leaves its hidden temporary file beside the model ('.model.npz.….tmp'); it stayed for
good, one more after every killed run. The next save of the file, and ModelCheckpoint as training begins, remove
those whose writer is gone: only chainrule's, never a file being written by a live process, never a user's."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

posix = pytest.mark.skipif(os.name != "posix", reason="kill -9")
SRC = str(Path(cr.__file__).parents[1])     # the chainrule under test


def _saving(path: Path, then: str) -> subprocess.Popen:
    """A process saving a network to `path` that, its temporary file written, `then` ('kill': kill -9 itself;
    'wait': stays there, writing, until a line comes on its standard input; then it ends its save)."""
    code = textwrap.dedent(f"""
        import os, signal, sys
        import chainrule as cr
        def cut(fd):
            if {then!r} == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            print("writing", flush=True)
            sys.stdin.readline()
        os.fsync = cut
        cr.Network([cr.Dense(2, 3), cr.Dense(3, 1, "linear")], loss="mse", seed=0).save({str(path)!r})
        print("saved", flush=True)
    """)
    return subprocess.Popen([sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": SRC},
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)


def _hidden(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(".")}


def _killed_save(path: Path) -> str:
    child = _saving(path, "kill")
    assert child.wait(timeout=60) == -signal.SIGKILL
    [left] = _hidden(path.parent)
    return left


def _net():
    return cr.Network([cr.Dense(2, 3), cr.Dense(3, 1, "linear")], loss="mse", seed=0)


@posix
def test_the_next_save_removes_the_temporary_file_of_a_killed_save(tmp_path):
    path = tmp_path / "model.npz"
    _killed_save(path)
    users = {".model.npz.notes.tmp", ".model.npz.1.00c0ffee.tmp", ".other.npz.12-abcdef.00c0ffee.tmp"}
    for name in users:
        (tmp_path / name).write_text("mine")
    _net().save(path)
    assert _hidden(tmp_path) == users
    assert cr.load(path).predict(np.ones((1, 2))).shape == (1, 1)


@posix
def test_a_save_being_written_by_a_live_process_is_kept(tmp_path):
    path = tmp_path / "model.npz"
    child = _saving(path, "wait")
    try:
        assert child.stdout.readline() == "writing\n"
        [writing] = _hidden(tmp_path)
        _net().save(path)
        assert _hidden(tmp_path) == {writing}
    finally:
        child.kill()
        child.wait()
    _net().save(path)                      # its writer gone now
    assert _hidden(tmp_path) == set()


@posix
def test_a_live_save_is_kept_whatever_its_files_time(tmp_path):
    """A file's time is the file server's clock (a shared folder), or this machine's before it was set forward:
    a live writer's file that seems older than the writer is still being written. It was removed, and the
    writer's save failed ('No such file or directory' naming the model)."""
    path = tmp_path / "model.npz"
    child = _saving(path, "wait")
    try:
        assert child.stdout.readline() == "writing\n"
        [writing] = _hidden(tmp_path)
        os.utime(tmp_path / writing, (time.time() - 3600, time.time() - 3600))
        _net().save(path)
        assert _hidden(tmp_path) == {writing}
        out, _ = child.communicate("go\n", timeout=60)
        assert (child.returncode, out.splitlines()[-1]) == (0, "saved")     # its save ended, renamed into place
    finally:
        child.kill()
        child.wait()
    assert _hidden(tmp_path) == set() and cr.load(path).predict(np.ones((1, 2))).shape == (1, 1)


@posix
def test_model_checkpoint_removes_killed_saves_of_its_epoch_names_as_training_begins(tmp_path):
    """With {epoch} in its name, the next run writes other files: the killed save of epoch 3 is found as
    training begins, in the folder of its files."""
    (tmp_path / "ck").mkdir()
    _killed_save(tmp_path / "ck" / "model-003.npz")
    X = np.random.default_rng(0).normal(size=(8, 2))
    _net().fit(X, X[:, :1], epochs=1, verbose=0,
               callbacks=[cr.callbacks.ModelCheckpoint(str(tmp_path / "ck" / "model-{epoch:03d}.npz"))])
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["model-001.npz"]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="process start times of /proc")
def test_a_killed_saves_file_whose_id_a_later_process_got_is_removed(tmp_path):
    """The writer killed, its id given to another process: that one runs, but did not start when the writer did."""
    path = tmp_path / "model.npz"
    left = _killed_save(path)
    tag = left.split("-")[-1]                           # 'MACHINE.HEX.tmp' of this machine's names
    (tmp_path / left).unlink()
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        ticks = int(Path(f"/proc/{other.pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        reused, live = (f".model.npz.{other.pid}.{t}-{tag}" for t in (ticks - 100, ticks))
        for name in (reused, live):
            (tmp_path / name).write_text("written")
        _net().save(path)
        assert _hidden(tmp_path) == {live}
    finally:
        other.kill()
        other.wait()
