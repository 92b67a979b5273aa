"""docs/scale.md's Dask examples, run as written on real Dask clusters bound to 127.0.0.1: the Python
`GridSearchCV` on a `LocalCluster`, the shell run (`dask scheduler`, `dask worker`, `chainrule sweep
--scheduler`) and the `client.run(threads)` query. test_docs leaves these blocks to this file (their
`not run` marker names it): they start clusters, and print into a bare fence after a paragraph."""
from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

distributed = pytest.importorskip("distributed")
from conftest import free_port  # noqa: E402
from test_docs import CHECK, FLAGS, ROOT, Block, blocks, env  # noqa: E402

SCALE = ROOT / "docs" / "scale.md"
DOC_ADDRESS = "127.0.0.1:8786"


def block_with(text: str) -> Block:
    """The block of docs/scale.md whose code holds `text`, which test_docs leaves to this file."""
    block = next(b for b in blocks(SCALE) if text in b.code)
    assert block.skip and "test_docs_dask.py" in block.skip, (block.where(), block.skip)
    return block


def fences_after(block: Block, count: int) -> list[str]:
    """The contents of the `count` fenced blocks after `block`: what the document shows it print."""
    lines = SCALE.read_text(encoding="utf-8").splitlines()
    i = next(j for j in range(block.line, len(lines)) if lines[j].startswith("```")) + 1
    shown = []
    while len(shown) < count:
        start = next(j for j in range(i, len(lines)) if lines[j].startswith("```"))
        end = next(j for j in range(start + 1, len(lines)) if lines[j].startswith("```"))
        shown.append("\n".join(lines[start + 1:end]) + "\n")
        i = end + 1
    return shown


def run(args: list[str], folder: Path, timeout: int = 240) -> subprocess.CompletedProcess:
    r = subprocess.run(args, cwd=folder, env=env(), text=True, capture_output=True, timeout=timeout)
    assert r.returncode == 0, f"{args} exited {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    return r


def test_the_python_search_on_a_local_cluster_prints_what_the_doc_shows(tmp_path):
    block = block_with("LocalCluster(")
    # what the test starts listens on this machine only: Dask's dashboard would listen on every interface
    assert 'host="127.0.0.1"' in block.code and "dashboard_address=None" in block.code, block.code
    (tmp_path / "search.py").write_text(block.code)
    r = run([sys.executable, "search.py"], tmp_path)
    shown = fences_after(block, 1)[0]
    assert CHECK.check_output(shown, r.stdout, FLAGS), f"{block.where()} printed\n{r.stdout}\nthe doc shows\n{shown}"
    # standard error: scikit-learn's ConvergenceWarning, in MLPClassifier's words, for the fits that ran every epoch
    epochs = re.search(r"BackpropClassifier\(epochs=(\d+)", block.code).group(1)
    warning = f"ConvergenceWarning: Stochastic Optimizer: Maximum iterations ({epochs}) reached"
    assert warning in r.stderr, r.stderr[-2000:]
    said = " ".join(SCALE.read_text(encoding="utf-8").split()).split("for each fit that ran all its ")
    assert said[1].startswith(f"{epochs} epochs"), said[1][:40]


def stop(process: subprocess.Popen) -> None:
    """Ends a background command and what it started (its own process group)."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)


def start(command: str, folder: Path) -> tuple[subprocess.Popen, Path]:
    """`command` run in the background, as `&` runs it, in its own process group; its output in a log file, which
    a failure shows (the command's own error, not its arguments alone)."""
    log = folder / f"{'-'.join(command.splitlines()[-1].split()[1:3])}.log"        # exec dask worker: dask-worker.log
    with open(log, "w") as out:
        process = subprocess.Popen(["bash", "-c", command], cwd=folder, env=env(), stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    return process, log


def wait_for_cluster(address: str, workers: int, started: list[tuple[subprocess.Popen, Path]]) -> None:
    """The scheduler listening and its workers joined (as a person waits before starting the sweep)."""
    host, port = address.removeprefix("tcp://").split(":")
    deadline = time.monotonic() + 60
    while True:
        for process, log in started:
            assert process.poll() is None, f"{process.args} exited {process.returncode}:\n{log.read_text()[-3000:]}"
        with socket.socket() as s:
            if s.connect_ex((host, int(port))) == 0:
                break
        assert time.monotonic() < deadline, f"no scheduler listening at {address} after 60 s"
        time.sleep(0.2)
    with distributed.Client(address, timeout=30) as client:
        client.wait_for_workers(workers, timeout=90)


def test_a_background_command_that_exits_fails_with_what_it_printed(tmp_path):
    started = [start("exec dask worker tcp://127.0.0.1:1 --nworker 2", tmp_path)]
    try:
        with pytest.raises(AssertionError, match="No such option"):         # Dask's own words (click's)
            wait_for_cluster("tcp://127.0.0.1:1", 1, started)
    finally:
        stop(started[0][0])


@pytest.mark.filterwarnings("ignore")
def test_the_shell_run_and_the_threads_query_print_what_the_doc_shows(tmp_path):
    shell, query = block_with("dask scheduler"), block_with("client.run(threads)")
    port = free_port()
    code = shell.code.replace(DOC_ADDRESS, f"127.0.0.1:{port}").replace("--port 8786", f"--port {port}")
    assert "8786" not in code, code
    lines = code.replace("\\\n", "").splitlines()
    exports = "\n".join(line for line in lines if line.startswith("export "))
    background = [line.removesuffix("&").strip() for line in lines if line.rstrip().endswith("&")]
    sweep = [line for line in lines if line.startswith("chainrule sweep")]
    assert exports and len(background) == 2 and len(sweep) == 1, code
    (tmp_path / "dask").mkdir()
    (tmp_path / "here").mkdir()
    run(["chainrule", "data", "iris.csv"], tmp_path / "dask")
    shutil.copy(tmp_path / "dask" / "iris.csv", tmp_path / "here")
    started: list[tuple[subprocess.Popen, Path]] = []
    try:
        for command in background:
            started.append(start(f"{exports}\nexec {command}", tmp_path / "dask"))
        # the same command without --scheduler, on this machine, while the cluster starts
        here = run(["bash", "-c", re.sub(r" --scheduler \S+", "", sweep[0])], tmp_path / "here")
        wait_for_cluster(f"tcp://127.0.0.1:{port}", 2, started)

        # the threads query, before the sweep registers ThreadLimits: what the exports alone give the workers
        out = io.StringIO()
        with contextlib.redirect_stdout(out):          # as test_docs runs a python block
            exec(compile(query.code.replace(DOC_ADDRESS, f"127.0.0.1:{port}"), query.where(), "exec"), {})
        asked = out.getvalue()
        exported = fences_after(query, 1)[0]
        assert CHECK.check_output(exported, asked, FLAGS), f"{query.where()} printed\n{asked}\nthe doc: {exported}"

        on_dask = run(["bash", "-c", f"{exports}\n{sweep[0]}"], tmp_path / "dask")
    finally:
        for process, _ in reversed(started):
            stop(process)
    printed = on_dask.stdout.replace(f"127.0.0.1:{port}", DOC_ADDRESS)
    shown = fences_after(shell, 1)[0]
    assert CHECK.check_output(shown, printed, FLAGS), f"{shell.where()} printed\n{printed}\nthe doc shows\n{shown}"
    # "the table is the one the same command printed without --scheduler, and the two best_model.npz files are
    # identical byte for byte"
    assert printed.splitlines()[1:] == here.stdout.splitlines()[1:], (printed, here.stdout)
    assert "on this machine" in here.stdout.splitlines()[0]
    model = "sweep/best_model.npz"
    assert (tmp_path / "dask" / model).read_bytes() == (tmp_path / "here" / model).read_bytes()
    # "on standard error it gives the warning shown above, word for word"
    assert on_dask.stderr == here.stderr and "13 of the sweep's 13 finished fits" in here.stderr, on_dask.stderr
