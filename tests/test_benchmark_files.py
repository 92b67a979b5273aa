"""The benchmarks' scratch files (benchmarks/scratch.py): a folder the user names is never
removed, and a benchmark stopped by SIGTERM (`timeout`, `kill`) or Ctrl-C removes what it wrote
(memmap.py writes a 4 GiB file by default)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import as_in_a_terminal

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import scratch  # noqa: E402


def _env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp)}


def test_a_folder_given_to_memmap_is_kept_with_what_was_in_it(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("the user's")
    out = subprocess.run([sys.executable, str(BENCH / "memmap.py"), "--gb", "0.002", "--dir", str(mine)],
                         capture_output=True, text=True, timeout=300, env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "| float32 |" in out.stdout and "failed" not in out.stdout, out.stdout
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]       # its own folder inside, removed
    assert (mine / "notes.txt").read_text() == "the user's"


def _children(pid: int, running: str) -> list[int]:
    """The child processes of `pid` whose command line contains `running`."""
    found = []
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        for child in map(int, f.read().split()):
            try:
                with open(f"/proc/{child}/cmdline", "rb") as c:
                    if running.encode() in c.read():
                        found.append(child)
            except OSError:
                pass
    return found


def _stopped(argv: list[str], tmp: Path, after: str, sig: int, child: str = "") -> tuple[int, str, list[int]]:
    """Run a benchmark, send `sig` once its output shows `after` (and, with `child`, once it runs
    a child process whose command line has `child`): (its exit code, its output, those children)."""
    with open(tmp / "stderr.txt", "w+") as err:
        proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=err, text=True,
                                env=_env(tmp), preexec_fn=as_in_a_terminal)
        try:
            assert proc.stdout is not None
            seen = []
            for line in proc.stdout:
                seen.append(line)
                if after in line:
                    break
            assert any(after in line for line in seen), "".join(seen)
            kids: list[int] = []
            deadline = time.monotonic() + 120
            while child and not kids and proc.poll() is None and time.monotonic() < deadline:
                kids = _children(proc.pid, child)
                time.sleep(0.05)
            proc.send_signal(sig)
            rest, _ = proc.communicate(timeout=120)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        err.seek(0)
        return proc.returncode, "".join(seen) + rest + err.read(), kids


def _gone(pid: int, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        time.sleep(0.05)
    return not os.path.exists(f"/proc/{pid}")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_memmap_stopped_removes_its_file(tmp_path, sig):
    # stopped once the file is written: the table's header follows it (its progress line goes to stderr)
    code, output, _ = _stopped([str(BENCH / "memmap.py"), "--gb", "0.05"], tmp_path, "784-64-10", sig)
    assert code != 0
    assert list(tmp_path.glob("chainrule-memmap-*")) == [], output


def test_tabular_stopped_removes_its_files_and_its_child(tmp_path):
    """Stopped while `chainrule train` runs (reaped with os.wait4, for its own peak memory): the
    child is killed with it, not left training on its own in a removed folder."""
    code, output, kids = _stopped([str(BENCH / "tabular.py"), "--rows", "20000"], tmp_path, "# ", signal.SIGTERM,
                                  child="chainrule.cli")
    assert code == 128 + signal.SIGTERM, output
    assert list(tmp_path.glob("chainrule-tabular-*")) == [], output
    assert kids and all(_gone(pid, 1.0) for pid in kids), kids      # killed, not finishing on its own


def test_scratch_folder_is_removed_after_an_error_and_kept_when_asked(tmp_path):
    with pytest.raises(RuntimeError), scratch.folder("x-", str(tmp_path)) as path:
        (path / "data").write_bytes(b"1")
        raise RuntimeError("the benchmark failed")
    assert not path.exists() and tmp_path.exists()
    with scratch.folder("x-", str(tmp_path), keep=True) as kept:
        (kept / "data").write_bytes(b"1")
    assert (kept / "data").exists()
    assert signal.getsignal(signal.SIGTERM) is not scratch._stop            # the handler put back


def _probe(table: Path, bench: str, tmp: Path) -> subprocess.CompletedProcess:
    """The Makefile's `results` (as `make bench` writes each RESULTS-*.md) with BENCH replaced."""
    return subprocess.run(["make", "-s", "-f", str(BENCH.parent / "Makefile"), "--eval",
                           f"probe: ; $(call results,x.py,{table})", "probe", f"BENCH={bench}"],
                          cwd=tmp, capture_output=True, text=True, timeout=60)


def test_make_bench_keeps_the_last_table_when_a_benchmark_fails(tmp_path):
    # `script > RESULTS-x.md` emptied the table before the benchmark ran: a failure lost the last run's
    table = tmp_path / "RESULTS-x.md"
    table.write_text("the run before\n")
    failed = _probe(table, "sh -c 'echo half a table; exit 3' --", tmp_path)
    assert failed.returncode != 0
    assert table.read_text() == "the run before\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RESULTS-x.md"]
    done = _probe(table, "echo", tmp_path)
    assert done.returncode == 0, done.stderr
    assert table.read_text() == "benchmarks/x.py\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["RESULTS-x.md"]


def test_a_results_file_is_replaced_only_by_a_whole_one(tmp_path):
    # run.py's RESULTS.md, scaling.py's PNG, contention.py's table: written beside, then moved over
    table = tmp_path / "RESULTS.md"
    table.write_text("the run before\n")

    def fails(part: Path) -> None:
        part.write_text("half a ta")
        raise OSError("No space left on device")
    with pytest.raises(OSError, match="No space"):
        scratch.save(table, fails)
    assert table.read_text() == "the run before\n" and [p.name for p in tmp_path.iterdir()] == ["RESULTS.md"]
    scratch.save(table, lambda part: part.write_text("this run\n"))
    assert table.read_text() == "this run\n" and [p.name for p in tmp_path.iterdir()] == ["RESULTS.md"]
