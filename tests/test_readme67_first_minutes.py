"""README.md and `chainrule demo` as a newcomer reads them: the Performance section's figures are those the
benchmark files record, and the demo's help names its options as the other commands do."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import cmd

ROOT = Path(__file__).parents[1]
NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


def recorded(name: str) -> tuple[set[str], set[float]]:
    text = (ROOT / "benchmarks" / name).read_text()
    found = NUMBER.findall(text)
    return set(found), {float(n.replace(",", "")) for n in found}


def test_the_performance_notes_quote_only_figures_the_results_files_record():
    """The notes under README's speed table quoted 454 GFLOP/s, the seed loop's 51-58 ns an update and a JAX
    ratio of 0.94-1.06x, which no benchmarks/*.md file records: a reader checking a figure against RESULTS.md
    found nothing. Each figure is now a recorded one, or one rounded from it."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("\n## Performance\n", 1)[1].split("\nWith `pip install '.[fast]'`", 1)[0]
    seed_row = next(line for line in section.splitlines() if line.startswith("| the seed's 2-2-2 network"))
    notes = [p for p in section.split("\n\n") if p.startswith(("At batch 1024", "Missed in this run", "Late in"))]
    assert len(notes) == 3, notes
    tokens, values = set(), set()
    for name in ("RESULTS.md", "RESULTS-scaling.md", "RESULTS-subnormal.md"):
        t, v = recorded(name)
        tokens, values = tokens | t, values | v

    def known(shown: str) -> bool:
        if shown in tokens:
            return True
        places = len(shown.split(".")[1]) if "." in shown else None
        return places is not None and any(round(v, places) == float(shown) for v in values)
    unrecorded = []
    for text in [seed_row, *notes]:
        plain = re.sub(r"\[[^]]*\]\([^)]*\)", "", text)          # a link's name and file: no figures
        unrecorded += [n for n in NUMBER.findall(plain) if not known(n)]
    assert unrecorded == [], f"README's Performance notes quote figures no results file records: {unrecorded}"


def test_the_demos_help_names_its_epochs_as_train_does():
    """`chainrule demo --help` showed `--epochs EPOCHS` where `chainrule train --help` shows `--epochs N`."""
    demo, train = cmd("demo", "--help"), cmd("train", "--help")
    assert demo.returncode == train.returncode == 0
    assert "[--epochs N]" in train.stdout and "[--epochs N]" in demo.stdout, demo.stdout
    assert re.search(r"--epochs N +passes over", demo.stdout), demo.stdout


def test_a_keras_or_scikit_learn_word_for_a_command_names_chainrules(tmp_path):
    """`chainrule fit iris.csv ...` (model.fit's word) listed the 13 commands with no guess, where a typo as far
    off as `traim` got "did you mean 'train'?"; eval, score and summary alike."""
    for typed, meant in (("fit", "train"), ("eval", "evaluate"), ("score", "evaluate"), ("Summary", "info")):
        for words in ((typed, "iris.csv"), ("help", typed)):
            r = cmd(*words, cwd=tmp_path)
            assert r.returncode == 2 and f"invalid choice: {typed!r} (did you mean {meant!r}?" in r.stderr, r.stderr
            assert meant in cmd("--help").stdout


@pytest.mark.parametrize("chainrule_s, sklearn_s, said", [
    (3.0, 1.0, "chainrule took 3.0x scikit-learn's training time here, on NumPy"),
    (1.0, 3.0, "chainrule trained 3.0x as fast as scikit-learn here, on NumPy")])
def test_the_demo_says_a_slower_run_as_slower(monkeypatch, chainrule_s, sklearn_s, said):
    """`chainrule demo --epochs 1` on NumPy printed "chainrule trained 0.4x as fast as scikit-learn here": a ratio
    under 1 read as a speed-up at a glance. The two fits' clocks set here (the times the demo prints with them)."""
    import types

    import chainrule.cli.demo as demo
    from chainrule.backend import kernels
    ticks = iter([0.0, chainrule_s, 10.0, 10.0 + sklearn_s])
    monkeypatch.setattr(demo, "time", types.SimpleNamespace(perf_counter=lambda: next(ticks)))
    monkeypatch.setattr(kernels, "ENABLED", False)
    monkeypatch.setattr(kernels, "numba", None)
    r = cmd("demo", "--no-example", "--epochs", "1")
    assert r.returncode == 0, r.stderr
    assert f"training time {chainrule_s:.2f} s" in r.stdout and f"training time {sklearn_s:.2f} s" in r.stdout
    assert " ".join(r.stdout.split()).count(said) == 1, r.stdout[-600:]
    assert "0.3x" not in r.stdout
