"""The locks of --out and of a checkpoint folder (saving/runlock.py) on a file system without hard links
(vfat, exFAT, VirtualBox shared folders, some CIFS/FUSE): os.link raises EPERM, ENOTSUP, EXDEV or ENOSYS
there, and train, predict --out and export failed naming the lock's temporary file. The lock is now created
in place: the job works, its lock is taken and released, no temporary file is left, and a second job on the
same file is still refused."""
import errno
import json
import os
import subprocess
import sys

import pytest
from conftest import cli_in_process
from test_same_out import trained

from chainrule.saving import runlock

ERRNOS = sorted({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS})


def without_links(monkeypatch, code):
    """os.link raising `code` as such a file system does; the locks this process takes, read as taken."""
    def link(src, dst, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(src), None, str(dst))
    monkeypatch.setattr(os, "link", link)
    taken = []
    linked = runlock._linked

    def spied(path, text, record):
        got = linked(path, text, record)
        if got:
            taken.append((path.name, json.loads(path.read_text())))
        return got
    monkeypatch.setattr(runlock, "_linked", spied)
    return taken


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    return trained(tmp_path_factory.mktemp("model"))


def job_args(job, tmp_path, model):
    """(arguments, the file written, the lock taken) of `job` writing into tmp_path."""
    csv, npz = model
    if job == "train":
        return ("train", csv, "--target", "label", "--epochs", "1", "--out", tmp_path / "m.npz"), "m.npz", ".m.npz.lock"
    if job == "checkpoint":
        return (("train", csv, "--target", "label", "--epochs", "1", "--out", tmp_path / "m.npz", "--checkpoint-dir",
                 tmp_path / "ck"), "m.npz", "checkpoint.lock")
    if job == "predict":
        return ("predict", npz, csv, "--out", tmp_path / "p.csv"), "p.csv", ".p.csv.lock"
    return ("export", npz, tmp_path / "m.onnx"), "m.onnx", ".m.onnx.lock"


def left(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "lock" in p.name)


@pytest.mark.parametrize("code", ERRNOS, ids=errno.errorcode.get)
@pytest.mark.parametrize("job", ["train", "checkpoint", "predict", "export"])
def test_a_job_works_where_files_cannot_be_linked(tmp_path, model, capsys, monkeypatch, job, code):
    if job == "export":
        pytest.importorskip("onnx")
    args, written, lock = job_args(job, tmp_path, model)
    taken = without_links(monkeypatch, code)
    status, out, err = cli_in_process(capsys, *args)
    assert status == 0, err
    assert (tmp_path / written).stat().st_size > 0
    assert (lock, os.getpid()) in [(name, holder["pid"]) for name, holder in taken], taken
    assert left(tmp_path) == []                       # released, and no temporary file


HOLDER = """
import errno, os, sys
from pathlib import Path
def link(src, dst, *args, **kwargs):
    raise OSError(errno.EPERM, os.strerror(errno.EPERM), str(src), None, str(dst))
os.link = link
from chainrule.saving import runlock
path = Path(sys.argv[1])
runlock.acquire(path) if sys.argv[2] == "checkpoint" else runlock.acquire_output(path, job=sys.argv[2])
print("held", flush=True)
sys.stdin.read()                                  # held until the test closes this pipe
runlock.release(path) if sys.argv[2] == "checkpoint" else runlock.release_output(path)
"""


@pytest.mark.parametrize("job", ["train", "checkpoint", "predict", "export"])
def test_a_second_job_is_still_refused_where_files_cannot_be_linked(tmp_path, model, capsys, monkeypatch, job):
    if job == "export":
        pytest.importorskip("onnx")
    args, written, lock = job_args(job, tmp_path, model)
    held = tmp_path / "ck" if job == "checkpoint" else tmp_path / written
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(held), job],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "held\n"
        without_links(monkeypatch, errno.EPERM)
        status, out, err = cli_in_process(capsys, *args)
    finally:
        holder.communicate(timeout=30)
    assert status == 2, err
    said = "is in use by another training run" if job == "checkpoint" else "is being written by another job"
    assert f"{said} (" in err and f"process {holder.pid} on " in err, err
    assert not (tmp_path / written).exists()
    assert left(tmp_path) == []                       # the holder released its lock; no temporary file


SLOW_WRITER = """
import json, os, socket, sys, time
path = sys.argv[1]
fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)      # created in place, as without hard links
print("created", flush=True)
time.sleep(0.2)                                                # a reader comes before the write
os.write(fd, json.dumps({"pid": os.getpid(), "host": socket.gethostname(), "since": "now"}).encode())
os.close(fd)
sys.stdin.read()
os.unlink(path)
"""


def test_a_lock_found_empty_as_it_is_created_in_place_is_not_taken_over(tmp_path):
    """Created in place, a lock is empty until its write: a second job that read it then took it for a dead
    run's and removed it, and both jobs wrote the file. It is read again until written: refused."""
    from chainrule.errors import ValidationError
    out = tmp_path / "m.npz"
    writer = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(runlock.output_lock(out))],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline() == "created\n"
        with pytest.raises(ValidationError, match=f"is being written by another job \\(process {writer.pid} on "):
            runlock.acquire_output(out)
    finally:
        writer.communicate(timeout=30)
    assert left(tmp_path) == []
