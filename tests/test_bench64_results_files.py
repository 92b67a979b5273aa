"""What a benchmark prints to standard output is its results file (`make bench` writes `> FILE`):
memmap.py printed "wrote /tmp/chainrule-memmap-.../x.npy ... in 30 s" there, a scratch folder that no
longer exists, as the first line of RESULTS-memmap.md."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def test_memmap_prints_its_table_and_no_scratch_path(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    out = subprocess.run([sys.executable, str(BENCH / "memmap.py"), "--gb", "0.002"], capture_output=True,
                         text=True, timeout=300, env=env)
    assert out.returncode == 0, out.stderr
    assert str(tmp_path) not in out.stdout, out.stdout
    first = out.stdout.splitlines()[0]
    assert first.startswith("784-64-10, Adam") and "x 784 (0.00 GiB)" in first, first
    assert "| float32 |" in out.stdout and "failed" not in out.stdout, out.stdout
    assert "wrote " in out.stderr          # the progress, for the reader at the terminal


def test_the_kept_memmap_results_name_no_scratch_path():
    assert "/tmp/" not in (BENCH / "RESULTS-memmap.md").read_text()
