"""Under a real `mpiexec`: fit's checkpoint arguments wrong on one rank alone are the error of one process on
every rank at once (they were checked before the ranks' meeting: the others waited out CHAINRULE_MPI_TIMEOUT);
a checkpoint folder that rank 0 refuses is its error on every rank (it ended the job with MPI_Abort's 1); and
`chainrule train --mpi` ends a job whose training fails on a rank (a full disk, Ctrl-C) with the line and exit
code of one process's command (MPI_Abort's 1 and a line of its own), no --out file written."""
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

CHAINRULE = Path(sys.executable).parent / "chainrule"
import mpi_13  # noqa: E402


def job(tmp_path, scenario, n=2):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", str(n), sys.executable, str(HERE / "mpi_13.py"), str(tmp_path),
                            scenario], capture_output=True, text=True, timeout=40, check=False,
                           env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    return [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(n)]


def one_process(opts):
    with pytest.raises(Exception) as info:
        mpi_13.fit(None, opts)
    return f"{type(info.value).__name__}: {info.value}"


def test_checkpoint_arguments_wrong_on_one_rank_are_raised_on_every_rank(tmp_path):
    start = time.perf_counter()
    seen = job(tmp_path, "wrong")
    assert time.perf_counter() - start < 25                # not the timeout's 30 s
    assert seen[0] == seen[1]
    for name, (wrong, words) in mpi_13.WRONG.items():
        one = one_process(wrong)
        assert words in one
        kind, _, message = one.partition(": ")
        assert seen[0][name] == f"{kind}: rank 1 of 2 failed before training: {message}", (name, seen[0][name])


def test_a_checkpoint_folder_rank_0_refuses_is_its_error_on_every_rank(tmp_path, monkeypatch):
    mpi_13.made(tmp_path)
    seen = job(tmp_path, "refused", n=3)
    monkeypatch.chdir(tmp_path)
    for name, opts in mpi_13.refused(tmp_path).items():
        one = one_process(opts)                            # the error of one process given that folder
        assert seen[0][name] == one, name
        kind, _, message = one.partition(": ")
        errno = "[Errno 20] " if message.startswith("[Errno 20] ") else ""       # an OSError's errno is kept
        said = f"{kind}: {errno}rank 0 of 3 failed to restore the checkpoint: {message.removeprefix(errno)}"
        assert seen[1][name] == seen[2][name] == said
    # a resume whose callbacks' states a rank cannot take: that rank's error on every rank (it ended the job with
    # MPI_Abort where rank 1 failed, and left the others waiting where rank 0 did)
    for name, rank in (("a callback of rank 1 alone", 1), ("a callback of rank 0 alone", 0)):
        assert seen[0][name] == seen[1][name] == seen[2][name], name
        kind, _, message = seen[0][name].partition(": ")
        assert kind == "ValidationError" and message.startswith(f"rank {rank} of 3 failed to restore the callbacks' "
                                                                "states: cannot resume: "), message


@pytest.fixture(scope="module")
def iris(tmp_path_factory):
    from sklearn.datasets import load_iris
    path = tmp_path_factory.mktemp("iris") / "iris.csv"
    load_iris(as_frame=True).frame.to_csv(path, index=False)
    return path


#: the command (`chainrule.cli.command`, as the installed script runs it) with files of at most 2,000 bytes
LIMITED = """import resource, sys
if "--mpi" in sys.argv:
    from mpi4py import MPI
resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
from chainrule.cli import command
sys.argv[0] = "chainrule"
command()"""


def test_a_full_disk_in_training_ends_the_job_as_one_process_does(iris, tmp_path):
    # a checkpoint larger than the file size limit: the write fails on rank 0 after the first epoch (EFBIG: Python
    # ignores SIGXFSZ), while rank 1 waits in the next step's Allreduce; the limit is the command's (set once MPI,
    # whose files are larger, has started: not mpiexec's)
    limited = [sys.executable, "-c", LIMITED, "train", str(iris), "--target", "target", "--hidden", "64", "--epochs",
               "3", "--quiet", "--checkpoint-dir"]
    one = subprocess.run([*limited, str(tmp_path / "one"), "--out", str(tmp_path / "one.npz")],
                         capture_output=True, text=True, check=False, timeout=60)
    assert one.returncode == 2 and "file too large" in one.stderr.splitlines()[-1], one.stderr
    r = subprocess.run([str(MPIEXEC), "-n", "2", *limited, str(tmp_path / "mpi"), "--out", str(tmp_path / "mpi.npz"),
                        "--mpi"], capture_output=True, text=True, check=False, timeout=60,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30"})
    assert r.returncode == one.returncode, r.stderr
    said = [line for line in r.stderr.splitlines() if line.startswith("chainrule")]
    assert said == ["chainrule: rank 1 of 2 stopped: rank 0 failed, ending the MPI job (rank 0's output says why)",
                    one.stderr.splitlines()[-1].replace("/one/", "/mpi/")], r.stderr   # rank 1's own log says why
    assert r.stderr.splitlines()[-1] == said[1], r.stderr      # the job's last line (not MPICH's "Abort(2) ...")
    assert not (tmp_path / "mpi.npz").exists()


def rank_process(parent: int, rank: int) -> int:
    """The pid of MPI rank `rank` among the processes under `parent` (mpiexec)."""
    for _ in range(100):
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
        under, found = list(children.get(parent, [])), []
        while under:
            pid = under.pop()
            under += children.get(pid, [])
            try:
                if f"PMI_RANK={rank}".encode() in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    found.append(pid)
            except OSError:
                continue
        if found:
            return found[0]
        time.sleep(0.1)
    pytest.fail(f"no rank {rank} under {parent}")


@pytest.mark.parametrize("to", ["mpiexec", "rank 1"])
def test_ctrl_c_ends_the_job_with_the_interrupt_code(iris, tmp_path, to):
    # SIGINT to mpiexec reaches every rank, and the ranks in Python raise KeyboardInterrupt; one waiting in MPI's
    # Allreduce does not: a rank interrupted alone (signalled alone, or first) left the others waiting
    out = tmp_path / "m.npz"
    p = subprocess.Popen([str(MPIEXEC), "-n", "2", str(CHAINRULE), "train", str(iris), "--target", "target",
                          "--hidden", "8", "--epochs", "100000", "--batch-size", "4", "--out", str(out), "--mpi"],
                         stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                         env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30"})
    lines = []
    assert p.stderr is not None
    for line in p.stderr:                                  # training has begun: rank 0's first epoch's line
        lines.append(line)
        if line.startswith("epoch 1/"):
            break
    os.kill(p.pid if to == "mpiexec" else rank_process(p.pid, 1), signal.SIGINT)
    try:
        _, rest = p.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        p.kill()
        pytest.fail(f"the job hung after Ctrl-C: {''.join(lines)}")
    assert p.returncode == 130, rest
    said = f"chainrule: interrupted; {str(out)!r} was not written (a file there before is unchanged)"
    assert rest.count(said) == 1, rest                     # once, though every rank was interrupted
    assert rest.splitlines()[-1].startswith(said), rest    # resume's advice may follow on the line
    assert not out.exists()


def test_ctrl_c_while_a_rank_never_reaches_the_meeting(iris, tmp_path):
    # rank 1 reads a FIFO that nobody writes: it never comes to the meeting before training. A Ctrl-C that reached
    # rank 0 there ended rank 0 alone, and the job waited for rank 1 for ever (now rank 0 ends the job with 130, as
    # in training). Waiting it out instead: tests/test_robust_3.py
    fifo, out = tmp_path / "rows.csv", tmp_path / "m.npz"
    os.mkfifo(fifo)
    args = ["--target", "target", "--hidden", "4", "--epochs", "2", "--out", str(out), "--mpi"]
    p = subprocess.Popen([str(MPIEXEC), "-n", "1", str(CHAINRULE), "train", str(iris), *args, ":",
                          "-n", "1", str(CHAINRULE), "train", str(fifo), *args], stderr=subprocess.PIPE,
                         stdout=subprocess.DEVNULL, text=True,
                         env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30"})
    ranks = [rank_process(p.pid, 0), rank_process(p.pid, 1)]
    try:
        assert p.stderr is not None
        first = p.stderr.readline()          # which rank is which process, as mpiexec names a rank that dies
        assert re.findall(r"rank (\d) is pid (\d+) on ", first) == [("0", str(ranks[0])), ("1", str(ranks[1]))], first
        for line in p.stderr:
            if line.startswith("classification of"):         # rank 0 is about to meet the others (or does)
                break
        time.sleep(0.5)
        os.kill(ranks[0], signal.SIGINT)
        _, rest = p.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        pytest.fail("the job hung")
    finally:
        for pid in [p.pid, *ranks]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    assert p.returncode == 130, rest
    said = f"chainrule: interrupted; {str(out)!r} was not written (a file there before is unchanged)"
    assert rest.splitlines()[-1] == said, rest
