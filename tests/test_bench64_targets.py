"""benchmarks/run.py's targets table and sections, computed from given measurements (no benchmark runs).

RESULTS.md wrote the seed network's reason under a missed Fashion-MNIST target ("seed" is in "3 seeds"),
the CSV job's reason under the digits job's first run, a ratio of 0.996 against 1.0 as "1.00 | no", and
a section could not be run alone (the whole run takes an hour)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import run  # noqa: E402
import targets  # noqa: E402

FASHION = "Fashion-MNIST test accuracy >= 0.89 (chainrule, median of 3 seeds)"
SEED = "seed network >= 10x PyTorch"
DIGITS_FIRST = "... first run after install included"
CSV_FIRST = "... the CSV job's first run after install included"


def reasons(missed: list[str]) -> list[str]:
    """The WHY keys written for the targets `missed` (each 0.5 against 1.0), beside one met target."""
    listed = [(name, 0.5, 1.0) for name in missed] + [("wide 784-2048-2048-10 >= 1.0x JAX", 2.0, 1.0)]
    return [line[2:].split(":", 1)[0] for line in targets.missed_reasons(listed)]


def test_a_missed_fashion_target_gives_the_fashion_reason_alone():
    assert reasons([FASHION]) == ["Fashion"]
    assert reasons([SEED]) == ["seed"]
    assert reasons([SEED, FASHION]) == ["seed", "Fashion"]


def test_the_csv_jobs_reason_is_written_for_the_csv_job_alone():
    assert reasons([DIGITS_FIRST]) == []
    assert reasons([CSV_FIRST]) == ["CSV job's first run after install"]


@pytest.mark.parametrize("value, need, met", [(0.996, 1.0, "no"), (1.004, 1.0, "yes"), (0.9899, 0.99, "no"),
                                              (1.59, 1.0, "yes"), (0.46, 0.8, "no")])
def test_a_measured_value_is_shown_on_the_side_of_its_need_it_lies(value, need, met):
    row = targets.targets_table([("a target", value, need)])[4]
    shown = row.split(" | ")[1]
    assert (float(shown) >= need) == (met == "yes") and row.endswith(f"| {met} |"), row
    assert abs(float(shown) - value) < 0.006


def _fake_run(times: dict[str, float], gflops: dict[str, float] | None = None, peak: float = 100.0):
    """A stand-in for run.run: the given seconds (and GFLOP/s) for each framework, nothing started."""
    calls = []

    def fake(framework, workload, opts):
        calls.append(workload)
        if workload == "peak":
            return {"gflops": peak}
        speed = (gflops or {}).get(f"{framework} {opts.get('batch')}", 10.0)
        return {"time": times[framework], "final_error": 1e-5, "rss_mb": 50.0, "accuracy": 0.9, "added_mb": 20.0,
                "samples_per_s": 1.0, "gflops": speed, "data": "generated (Fashion-MNIST not installed)"}
    return fake, calls


def test_only_seed_runs_the_seed_section_alone_and_writes_no_results(monkeypatch, tmp_path, capsys):
    fake, calls = _fake_run({"chainrule": 0.05, "torch": 1.0, "jax": 0.1, "python": 0.5, "micrograd": 2.0})
    monkeypatch.setattr(run, "run", fake)
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "seed", "--reps", "3"])
    run.main()
    out = capsys.readouterr().out
    assert set(calls) == {"seed"} and len(calls) == 5 * 3
    # PyTorch's time over chainrule's: 1.0 / 0.05; JAX's over chainrule's: 0.1 / 0.05
    assert f"| {SEED} | {1.0 / 0.05:.2f} | yes |" in out
    assert f"| seed network faster than JAX fori_loop | {0.1 / 0.05:.2f} | yes |" in out
    assert "| micrograd | 2.0000 | 5,000 | 0.50x |" in out          # PyTorch's time over micrograd's
    assert "digits" not in out and "MNIST" not in out
    assert list(tmp_path.iterdir()) == []


def test_only_mnist_notes_a_rate_above_the_peak_at_any_batch(monkeypatch, tmp_path, capsys):
    """The note read the last batch's rows only: JAX above the peak at batch 32 went unmentioned."""
    times = {"chainrule": 1.0, "torch": 2.0, "torch_fused": 1.5, "jax": 1.1, "keras": 3.0}
    fake, calls = _fake_run(times, gflops={"jax 32": 150.0, "chainrule 1024": 40.0}, peak=100.0)
    monkeypatch.setattr(run, "run", fake)
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "mnist", "--reps", "1"])
    run.main()
    out = capsys.readouterr().out
    assert calls.count("peak") == 6 and set(calls) == {"peak", "mnist"}
    assert "Rows above 100% of the peak" in out
    assert "| MNIST batch 1024 >= 80% of matmul peak | 0.40 | no |" in out
    assert f"| MNIST batch 128 >= 2x PyTorch Adam | {2.0 / 1.0:.2f} | yes |" in out
    assert list(tmp_path.iterdir()) == []


def test_only_refuses_a_section_it_does_not_have(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "seeds"])
    with pytest.raises(SystemExit) as stop:
        run.main()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--only" in err and "'seeds'" in err and all(f"'{name}'" in err for name in run.SECTIONS)


def test_only_fashion_with_quick_is_refused_not_an_empty_table(monkeypatch, capsys):
    """--quick leaves the Fashion-MNIST section out: `--only fashion --quick` printed an empty table."""
    monkeypatch.setattr(run, "run", lambda *a: pytest.fail("nothing may run"))
    monkeypatch.setattr(sys, "argv", ["run.py", "--only", "seed", "--only", "fashion", "--quick"])
    with pytest.raises(SystemExit) as stop:
        run.main()
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "--only" in err and "'fashion'" in err and "--quick" in err


def test_every_row_of_the_targets_table_has_its_three_cells(monkeypatch, tmp_path, capsys):
    """The digits accuracy target's name held "|difference|": its row split into five cells."""
    times = {"chainrule": 1.0, "torch": 2.0, "torch_fused": 1.5, "jax": 1.1, "keras": 3.0, "sklearn": 1.5,
             "python": 0.5, "micrograd": 2.0}
    fake, _ = _fake_run(times)
    monkeypatch.setattr(run, "run", fake)
    monkeypatch.setattr(run, "HERE", tmp_path)
    only = [word for name in ("seed", "digits", "mnist", "wide", "inference") for word in ("--only", name)]
    monkeypatch.setattr(sys, "argv", ["run.py", *only, "--reps", "1"])
    run.main()
    table = capsys.readouterr().out.split("## Targets", 1)[1].split("\n\n")[1].splitlines()
    assert len(table) == 2 + 2 + 6 + 8 + 1 + 3       # header, seed, digits, MNIST, wide, inference
    assert [row for row in table if row.count("|") != 4] == []


def test_the_scaling_summary_gives_the_range_of_all_points_apart_from_the_lead():
    """"chainrule leads PyTorch at 6 of 8 points (0.77-2.26x)" read as a lead of 0.77x."""
    import scaling
    times = {(16, 256): {"chainrule": 2.0, "torch": 1.0, "jax": 4.0},
             (64, 256): {"chainrule": 1.0, "torch": 2.0, "jax": 3.0}}
    text = scaling.summary(times)
    assert "chainrule leads PyTorch at 1 of 2 points; PyTorch is ahead at batch 16 width 256 (0.50x)" in text
    assert "(the ratios of all 2 points: 0.50-2.00x)" in text          # PyTorch's time over chainrule's
    assert "chainrule leads JAX at every point (the ratios of all 2 points: 2.00-3.00x)" in text
    assert "points (" not in text, text


def test_a_whole_run_writes_results_and_the_readme_snippet_from_its_targets(monkeypatch, tmp_path, capsys):
    """Every section with given measurements (start-up's processes left out): RESULTS.md's targets table
    and README_SNIPPET.md read the same ratios."""
    times = {"chainrule": 1.0, "torch": 2.5, "torch_fused": 1.5, "jax": 1.1, "keras": 3.0, "sklearn": 4.0,
             "python": 0.5, "micrograd": 2.0}
    fake, calls = _fake_run(times)
    monkeypatch.setattr(run, "run", fake)
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(run.sections, "startup", lambda reps, quick: (["## Start-up", ""], []))
    monkeypatch.setattr(sys, "argv", ["run.py", "--reps", "1"])
    run.main()
    results = (tmp_path / "RESULTS.md").read_text()
    readme = (tmp_path / "README_SNIPPET.md").read_text()
    assert f"| {SEED} | {2.5:.2f} | no |" in results
    assert "- seed: " in results and "- Fashion: " not in results      # generated data: Fashion not run
    assert "## Fashion-MNIST to test accuracy >= 0.89\n\nNot run" in results
    assert f"| the seed's 2-2-2 network, 10,000 updates | {2.5:.1f}x | {1.1:.2f}x | |" in readme
    assert f"| digits 64-64-10, batch 32, SGD+momentum / Adam, 50 epochs | {2.5:.1f}x / {2.5:.1f}x | | " \
           f"{4.0:.1f}x / {4.0:.1f}x |" in readme
