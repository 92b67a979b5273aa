"""RESULTS-mpi.md and RESULTS-memmap.md gave their tables with no machine, date or versions, as RESULTS.md
does: a reader could not tell what they were measured on. Stand-in child processes (nothing is timed)."""
from __future__ import annotations

import importlib.metadata
import json
import platform
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))


def _says_where_and_with_what(out: str, extra=()) -> None:
    import numpy
    from worker import cpu_name
    last = out.strip().splitlines()[-1]
    assert cpu_name() in last and platform.release() in last, last
    assert f"python {platform.python_version()}" in last and f"numpy {numpy.__version__}" in last, last
    for dist in ("chainrule", *extra):
        try:
            assert f"{dist} {importlib.metadata.version(dist)}" in last, (dist, last)
        except importlib.metadata.PackageNotFoundError:
            pass


def test_the_mpi_results_say_the_machine_and_versions(monkeypatch, capsys):
    import mpi

    def ranks(argv, **kwargs):
        r = {"ranks": int(argv[2]), "batch": int(argv[-2]), "steps": 4, "seconds": 0.04, "allreduce": 0.004,
             "alone": 0.0001, "params": 235146}
        return subprocess.CompletedProcess(argv, 0, json.dumps(r) + "\n", "")
    monkeypatch.setattr(mpi.subprocess, "run", ranks)
    monkeypatch.setattr(sys, "argv", ["mpi.py", "--ranks", "1", "--batch", "128"])
    mpi.main()
    out = capsys.readouterr().out
    assert "| 1 | 128 | 4 | 10.00 |" in out, out
    _says_where_and_with_what(out, extra=("mpi4py", "mpich"))


def test_the_memmap_results_say_the_machine_and_versions(monkeypatch, capsys, tmp_path):
    import memmap

    def child(argv, **kwargs):
        r = {"dtype": argv[4], "rows": 10, "anon": 2**20, "file": 2**20, "hwm": 2**21, "seconds": 0.5, "loss": 2.3,
             "limit": 2**30}
        return subprocess.CompletedProcess(argv, 0, json.dumps(r) + "\n", "")
    monkeypatch.setattr(memmap.subprocess, "run", child)
    monkeypatch.setattr(sys, "argv", ["memmap.py", "--gb", "0.001", "--dir", str(tmp_path)])
    memmap.main()
    out = capsys.readouterr().out
    assert "| float32 | 1 MiB | 2 MiB | 1 MiB | 0.5 |" in out, out
    _says_where_and_with_what(out)


def test_the_mpi_benchmark_runs_against_the_trainer_it_measures(tmp_path):
    """mpi.py's stand-in for MPITrainer.allreduce took no `maximum` (the trainer's since it checks every rank's
    numbers): every row of RESULTS-mpi.md read "failed". One rank, 512 rows at batch 128: 4 gradient Allreduces."""
    bin_dir = str(Path(sys.executable).parent)
    env = {"PATH": bin_dir + ":/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(BENCH.parent / "src")}
    out = subprocess.run([sys.executable, str(BENCH / "mpi.py"), "--ranks", "1", "--batch", "128", "--samples", "512"],
                         capture_output=True, text=True, timeout=300, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    row = next(line for line in out.stdout.splitlines() if line.startswith("| 1 | 128 |"))
    assert "failed" not in row, row
    assert row.split("|")[3].strip() == "4", row
