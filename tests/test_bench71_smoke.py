"""`python benchmarks/run.py --smoke` runs every rival of the benchmarks once on tiny sizes, as the full run starts
them (a worker process each), with the rivals this environment has: each installed one reports a time, one not
installed (JAX here) is named and reads n/a, and each ratio is the rival's time over chainrule's. `--quick` took
minutes and had no check; Keras was left out wherever JAX was not installed, and on PyTorch it would have run
PyTorch's own thread count instead of the one PyTorch's rows get.

The whole smoke run takes minutes (a process importing PyTorch or Keras per run); the test runs `--smoke` through
run.py's own entry point on its inference workload alone, whose rivals are chainrule, PyTorch, JAX and Keras."""
from __future__ import annotations

import math
import os
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import run  # noqa: E402
import smoke  # noqa: E402


def _rows(out: str) -> dict[str, dict[str, tuple[str, str]]]:
    """The smoke table: workload -> framework -> (seconds, ratio) as printed."""
    table: dict[str, dict[str, tuple[str, str]]] = {}
    for line in out.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 4 and cells[0] in {w for w, _, _ in smoke.SMOKE}:
            table.setdefault(cells[0], {})[cells[1]] = (cells[2], cells[3])
    return table


def _smoke(monkeypatch, capsys, workloads) -> str:
    """`run.py --smoke` in this process on `workloads` of smoke.SMOKE alone: its printed table."""
    monkeypatch.setattr(smoke, "SMOKE", tuple(s for s in smoke.SMOKE if s[0] in workloads))
    monkeypatch.setattr(run, "MISSING", {})
    monkeypatch.setattr(sys, "argv", ["run.py", "--smoke"])
    run.main()
    return capsys.readouterr().out


def test_the_smoke_run_covers_every_rival_of_the_full_run():
    frameworks = {f for _, fs, _ in smoke.SMOKE for f in fs}
    assert frameworks == {"chainrule", "python", *run.NEEDS}, frameworks


def test_the_smoke_run_times_every_installed_rival_and_names_the_missing(monkeypatch, capsys):
    out = _smoke(monkeypatch, capsys, {"infer"})
    table = _rows(out)
    missing = [line for line in out.splitlines() if line.startswith("- not measured:")]
    (workload, frameworks, _), = smoke.SMOKE
    assert list(table) == [workload] and list(table[workload]) == frameworks, out
    base = float(table[workload]["chainrule"][0])
    assert math.isfinite(base) and base > 0, out
    measured = set()
    for framework in frameworks:
        seconds, ratio = table[workload][framework]
        lacks = run.lacking(framework)
        if lacks:
            assert (seconds, ratio) == ("n/a", "n/a"), (workload, framework)
            assert missing and f"{framework} ({', '.join(lacks)} not installed)" in missing[0], out
            continue
        t = float(seconds)
        assert math.isfinite(t) and t > 0, (workload, framework, seconds)
        assert ratio.endswith("x") and math.isclose(float(ratio[:-1]), t / base, rel_tol=0.01), \
            (workload, framework, seconds, ratio, base)
        measured.add(framework)
    # the rivals of this environment: PyTorch and Keras (on JAX where it is installed, else PyTorch)
    assert {"torch", "keras"} <= measured, out
    assert f"- Keras 3 backend: {run.keras_backend()}" in out
    assert "nan" not in out.lower()


def test_the_smoke_run_leaves_the_wait_for_idle_cpus_to_the_runs_after_it(monkeypatch, capsys):
    _smoke(monkeypatch, capsys, set())
    assert run.quiet.WAIT == [True]


def test_keras_on_pytorch_runs_the_threads_pytorchs_own_rows_get(monkeypatch):
    monkeypatch.delenv("PJRT_NPROC", raising=False)      # rivals sets it on import: put back after the test
    monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))
    import keras
    import rivals
    import torch
    if keras.backend.backend() != "torch":
        monkeypatch.setattr(keras.backend, "backend", lambda: "torch")
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(rivals.threads() + 1)
        rivals._keras([8, 4, 2], 0)
        assert torch.get_num_threads() == rivals.threads()
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("other", [["--quick"], ["--only", "seed"], ["--quick", "--only", "digits"]])
def test_smoke_is_refused_with_quick_or_only(monkeypatch, capsys, other):
    monkeypatch.setattr(sys, "argv", ["run.py", "--smoke", *other])
    with pytest.raises(SystemExit):
        run.main()
    err = capsys.readouterr().err
    assert "--smoke" in err and "without --quick and --only" in err, err
    assert f"received --smoke with {' '.join(other)}" in err, err
