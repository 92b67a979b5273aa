"""The benchmarks' scratch files (benchmarks/scratch.py): a folder the user names is never
removed, and a benchmark stopped by SIGTERM (`timeout`, `kill`) or Ctrl-C removes what it wrote
(memmap.py writes a 4 GiB file by default)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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


def _stopped(argv: list[str], tmp: Path, after: str, sig: int) -> subprocess.CompletedProcess:
    """Run a benchmark, send `sig` once its output shows `after`, and return how it ended."""
    proc = subprocess.Popen([sys.executable, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=_env(tmp))
    try:
        assert proc.stdout is not None
        seen = []
        for line in proc.stdout:
            seen.append(line)
            if after in line:
                break
        assert any(after in line for line in seen), "".join(seen) + proc.stderr.read()
        proc.send_signal(sig)
        rest, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(argv, proc.returncode, "".join(seen) + rest, err)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_memmap_stopped_removes_its_file(tmp_path, sig):
    done = _stopped([str(BENCH / "memmap.py"), "--gb", "0.05"], tmp_path, "wrote", sig)
    assert done.returncode != 0
    assert list(tmp_path.glob("chainrule-memmap-*")) == [], done.stdout + done.stderr


def test_tabular_stopped_removes_its_files(tmp_path):
    done = _stopped([str(BENCH / "tabular.py"), "--rows", "20000"], tmp_path, "# ", signal.SIGTERM)
    assert done.returncode == 128 + signal.SIGTERM
    assert list(tmp_path.glob("chainrule-tabular-*")) == [], done.stdout + done.stderr


def test_scratch_folder_is_removed_after_an_error_and_kept_when_asked(tmp_path):
    with pytest.raises(RuntimeError), scratch.folder("x-", str(tmp_path)) as path:
        (path / "data").write_bytes(b"1")
        raise RuntimeError("the benchmark failed")
    assert not path.exists() and tmp_path.exists()
    with scratch.folder("x-", str(tmp_path), keep=True) as kept:
        (kept / "data").write_bytes(b"1")
    assert (kept / "data").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL or signal.getsignal(signal.SIGTERM) is not scratch._stop
