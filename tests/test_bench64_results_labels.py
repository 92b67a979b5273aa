"""The kept RESULTS.md and README_SNIPPET.md read as benchmarks/run.py would write them now: the targets
table's labels, the reasons under it and the snippet's list of missed targets (the labels were reworded
in the code, and the kept files drifted from it)."""
from __future__ import annotations

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import run  # noqa: E402
import sections  # noqa: E402
import targets  # noqa: E402


def _table(text: str) -> list[list[str]]:
    """The targets table's rows, as their cells."""
    block = text.split("## Targets", 1)[1].split("\n\n")[1].splitlines()[2:]
    return [[cell.strip() for cell in row.strip("|").split(" | ")] for row in block]


def _written(monkeypatch, tmp_path) -> str:
    """RESULTS.md as a whole run writes it, every section from stand-in measurements (no process started)."""
    def fake(framework, workload, opts):
        if workload == "peak":
            return {"gflops": 100.0}
        return {"time": 1.0, "final_error": 1e-5, "rss_mb": 50.0, "accuracy": 0.9, "added_mb": 20.0,
                "samples_per_s": 1.0, "gflops": 10.0, "data": "Fashion-MNIST (Debian dataset-fashion-mnist)"}
    monkeypatch.setattr(run, "run", fake)
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(sections, "import_ms", lambda module, env: 100.0)
    monkeypatch.setattr(sections, "whole_process", lambda code, env: 1.0)
    monkeypatch.setattr(sections, "csv_jobs", lambda folder: {"chainrule": ["-c", "0"], "sklearn": ["-c", "0"]})
    monkeypatch.setattr(sections, "compiled_behind", lambda cache: None)
    monkeypatch.setattr(sys, "argv", ["run.py", "--reps", "1"])
    run.main()
    return (tmp_path / "RESULTS.md").read_text()


def test_the_kept_targets_table_has_the_labels_run_py_writes(monkeypatch, tmp_path, capsys):
    kept = [row[0] for row in _table((BENCH / "RESULTS.md").read_text())]
    written = [row[0] for row in _table(_written(monkeypatch, tmp_path))]
    assert kept == written


def test_the_kept_reasons_are_those_run_py_writes_for_the_kept_missed_targets(monkeypatch, tmp_path, capsys):
    """run.py writes the reasons first; the notes added by hand after a run follow them."""
    text = (BENCH / "RESULTS.md").read_text()
    names = [row[0] for row in _table(_written(monkeypatch, tmp_path))]
    missed = [(name, 0.0, 1.0) for name, row in zip(names, _table(text)) if row[2].startswith("no")]
    notes = text.split("what would close them:\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    reasons = targets.missed_reasons(missed)
    assert reasons and notes[:len(reasons)] == reasons


def test_the_snippet_lists_the_kept_missed_targets_by_the_labels_run_py_writes(monkeypatch, tmp_path, capsys):
    names = [row[0] for row in _table(_written(monkeypatch, tmp_path))]
    kept = _table((BENCH / "RESULTS.md").read_text())
    missed = [name for name, row in zip(names, kept) if row[2].startswith("no")]
    snippet = (BENCH / "README_SNIPPET.md").read_text()
    assert "Missed in this run: " + "; ".join(missed) + ". RESULTS.md gives the measured reasons." in snippet


def test_the_startup_sections_csv_first_run_gets_the_csv_reason(monkeypatch, tmp_path, capsys):
    """The name sections.startup gives the CSV job's first run is the one WHY's key names (the digits job's
    first run has no reason of its own)."""
    names = [row[0] for row in _table(_written(monkeypatch, tmp_path))]
    firsts = [(name, 0.0, 1.0) for name in names if "first run after install" in name]
    assert len(firsts) == 2
    assert targets.missed_reasons(firsts[:1]) == []
    assert [line.split(":", 1)[0] for line in targets.missed_reasons(firsts[1:])] == \
        ["- CSV job's first run after install"]


def test_the_kept_scaling_summary_is_the_one_scaling_py_writes_for_its_table():
    """RESULTS-scaling.md's summary line was reworded by hand: scaling.summary on the file's own table."""
    import scaling
    text = (BENCH / "RESULTS-scaling.md").read_text()
    rows = [line.strip("|").split("|") for line in text.splitlines() if line.startswith("| ") and "ms/step" not in line]
    times = {(int(r[0]), int(r[1])): {"chainrule": float(r[3]), "torch": float(r[4]), "jax": float(r[5])} for r in rows}
    assert len(times) == 8
    assert scaling.summary(times) in text


def _model_name() -> str:
    with open("/proc/cpuinfo") as f:
        return next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))


def test_every_machine_line_names_the_processor():
    """contention.py wrote "x86_64" (platform.processor() is empty on Linux) where run.py named the CPU."""
    import contention
    name = _model_name()
    assert name in contention.machine()
    assert name in run.machine()
