"""`python benchmarks/run.py --smoke` runs every rival of the benchmarks once on tiny sizes, as the full run starts
them (a worker process each), with the rivals this environment has: each installed one reports a time, one not
installed (JAX here) is named and reads n/a, and each ratio is the rival's time over chainrule's. `--quick` took
minutes and had no check; Keras was left out wherever JAX was not installed, and on PyTorch it would have run
PyTorch's own thread count instead of the one PyTorch's rows get."""
from __future__ import annotations

import math
import os
import subprocess
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


def test_the_smoke_run_times_every_installed_rival_and_names_the_missing(tmp_path):
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    out = subprocess.run([sys.executable, str(BENCH / "run.py"), "--smoke"], capture_output=True, text=True,
                         timeout=600, cwd=tmp_path, env=env)
    assert out.returncode == 0, out.stderr[-3000:]
    table = _rows(out.stdout)
    missing = [line for line in out.stdout.splitlines() if line.startswith("- not measured:")]
    measured = set()
    for workload, frameworks, _ in smoke.SMOKE:
        assert list(table[workload]) == frameworks, (workload, out.stdout)
        base = float(table[workload]["chainrule"][0])
        assert math.isfinite(base) and base > 0, out.stdout
        for framework in frameworks:
            seconds, ratio = table[workload][framework]
            lacks = run.lacking(framework)
            if lacks:
                assert (seconds, ratio) == ("n/a", "n/a"), (workload, framework)
                assert missing and f"{framework} ({', '.join(lacks)} not installed)" in missing[0], out.stdout
                continue
            t = float(seconds)
            assert math.isfinite(t) and t > 0, (workload, framework, seconds)
            assert ratio.endswith("x") and math.isclose(float(ratio[:-1]), t / base, rel_tol=0.01), \
                (workload, framework, seconds, ratio, base)
            measured.add(framework)
    # the rivals of this environment: PyTorch, scikit-learn and Keras (on JAX where it is installed, else PyTorch)
    assert {"torch", "torch_fused", "sklearn", "keras"} <= measured, out.stdout
    assert f"- Keras 3 backend: {run.keras_backend()}" in out.stdout
    assert "nan" not in out.stdout.lower()


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


def test_smoke_is_refused_with_quick_or_only(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["run.py", "--smoke", "--quick"])
    with pytest.raises(SystemExit):
        run.main()
    assert "--smoke" in (err := capsys.readouterr().err) and "without --quick and --only" in err, err
