"""benchmarks/run.py read as a sceptic of its "faster than PyTorch/JAX/Keras" tables, with stand-in worker
processes (nothing is timed): a rival not installed stopped the whole run at its first measurement (jax is
not in every environment), RESULTS.md gave no version of JAX, optax or Keras, the wide network's table gave
no accuracy beside its times, and every rival must receive the settings chainrule does."""
from __future__ import annotations

import importlib.metadata
import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))
import run  # noqa: E402

ABSENT = "no_such_module_bench68"
TIMES = {"chainrule": 1.0, "torch": 2.5, "torch_fused": 1.5, "jax": 1.1, "keras": 3.0, "sklearn": 4.0,
         "python": 0.5, "micrograd": 2.0, "numpy": 1.0}


def _whole_run(monkeypatch, tmp_path, absent=("jax", "keras")):
    """RESULTS.md and README_SNIPPET.md of a whole run (start-up left out) whose worker processes are stand-ins:
    the frameworks `absent` fail as worker.py does when their module is missing. Also the calls made."""
    calls = []

    def worker(argv, **kwargs):
        framework, workload, opts = argv[2], argv[3], json.loads(argv[4])
        calls.append((framework, workload, opts))
        if framework in absent:
            return subprocess.CompletedProcess(argv, 1, "", f"ModuleNotFoundError: No module named '{ABSENT}'")
        out = {"framework": framework, "workload": workload, **opts, "time": TIMES[framework], "gflops": 100.0,
               "final_error": 1e-5, "rss_mb": 50.0, "accuracy": 0.5 + TIMES[framework] / 10, "added_mb": 20.0,
               "samples_per_s": 1.0, "data": "generated (Fashion-MNIST not installed)"}
        return subprocess.CompletedProcess(argv, 0, json.dumps(out) + "\n", "")
    monkeypatch.setattr(run.subprocess, "run", worker)
    monkeypatch.setattr(run, "wait_quiet", lambda: None)
    needs = {f: ((ABSENT,) if f in absent else ()) for f in TIMES}
    monkeypatch.setattr(run, "NEEDS", needs, raising=False)
    monkeypatch.setattr(run, "MISSING", {}, raising=False)
    monkeypatch.setattr(run, "HERE", tmp_path)
    monkeypatch.setattr(run.sections, "startup", lambda reps, quick: (["## Start-up", ""], []))
    monkeypatch.setattr(sys, "argv", ["run.py", "--reps", "1"])
    run.main()
    return (tmp_path / "RESULTS.md").read_text(), (tmp_path / "README_SNIPPET.md").read_text(), calls


def test_a_rival_not_installed_is_named_and_its_cells_read_not_measured(monkeypatch, tmp_path, capsys):
    results, readme, calls = _whole_run(monkeypatch, tmp_path)
    assert f"- not measured: jax ({ABSENT} not installed); keras ({ABSENT} not installed)" in results
    assert "| JAX: `jax.jit` of the whole loop under `lax.fori_loop` | n/a | n/a | n/a | n/a | n/a |" in results
    assert "| seed network faster than JAX fori_loop | n/a | not measured |" in results
    assert "| seed network >= 10x PyTorch | 2.50 | no |" in results          # the rest measured as before
    assert "nan" not in results.lower() and "nan" not in readme.lower()
    assert "Not measured in this run (a rival not installed, RESULTS.md names it): " \
           "seed network faster than JAX fori_loop;" in readme
    assert not any(f in ("jax", "keras") for f, _, _ in calls)              # no process started for them


def test_every_rival_of_a_workload_gets_the_settings_chainrule_gets(monkeypatch, tmp_path, capsys):
    _, _, calls = _whole_run(monkeypatch, tmp_path, absent=())
    settings: dict[tuple, dict[str, list]] = {}
    for framework, workload, opts in calls:
        settings.setdefault((workload, opts.get("label")), {}).setdefault(framework, []).append(opts)
    assert {"seed", "digits", "mnist", "infer"} <= {w for w, _ in settings}
    for (workload, label), each in settings.items():
        if workload == "peak":
            continue
        assert "chainrule" in each and len(each) >= 2, (workload, label)
        for framework, got in each.items():
            assert got == each["chainrule"], (workload, label, framework)


def test_the_versions_name_every_installed_rival():
    v = run.versions()
    for dist in ("torch", "jax", "jaxlib", "optax", "keras", "scikit-learn", "numba"):
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
        assert v.get(dist) == installed, (dist, v)


def test_the_wide_table_gives_each_frameworks_accuracy_beside_its_time(monkeypatch, tmp_path, capsys):
    results, _, _ = _whole_run(monkeypatch, tmp_path, absent=())
    wide = results.split("## Wide:", 1)[1].split("\n## ", 1)[0]
    assert "| framework | median time (s) | GFLOP/s | vs PyTorch | vs JAX | test accuracy |" in wide
    for framework in ("chainrule", "torch", "jax"):
        row = next(line for line in wide.splitlines() if line.startswith(f"| {framework} |"))
        assert row.rstrip(" |").endswith(f"{0.5 + TIMES[framework] / 10:.4f}"), row


def _scaling(monkeypatch, asked: list[str], absent=()) -> None:
    """scaling.py's main with stand-in points (a rival `absent` fails as its child process does); the
    frameworks of the points it asks for go into `asked`."""
    import scaling

    def point(framework, batch, width, steps):
        asked.append(framework)
        if framework in absent:
            raise SystemExit(f"{framework} batch {batch} width {width} failed:\nModuleNotFoundError: {ABSENT}")
        return [TIMES[framework]]
    monkeypatch.setattr(scaling, "point", point)
    monkeypatch.setattr(scaling, "draw", lambda times, out: None)
    monkeypatch.setattr(run, "NEEDS", {f: ((ABSENT,) if f in absent else ()) for f in TIMES}, raising=False)
    monkeypatch.setattr(sys, "argv", ["scaling.py", "--procs", "1"])
    scaling.main()


def test_scaling_names_a_rival_not_installed_before_measuring_anything(monkeypatch):
    asked: list[str] = []
    with pytest.raises(SystemExit, match=f"jax needs {ABSENT}, not installed") as stopped:
        _scaling(monkeypatch, asked, absent=("jax",))
    assert "[bench]" in str(stopped.value)
    assert asked == []                          # not after chainrule's and PyTorch's first points


def test_scalings_table_gives_the_versions_of_what_it_compares(monkeypatch, capsys):
    _scaling(monkeypatch, [])
    out = capsys.readouterr().out
    for dist in ("torch", "jax", "numba"):
        try:
            installed = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            continue
        assert f"{dist} {installed}" in out, out[:600]


def test_scikit_learns_rival_trains_what_chainrule_and_pytorch_train(monkeypatch):
    """MLPClassifier added its default L2 penalty (alpha=1e-4) to the loss the others minimise; its Adam's
    betas and epsilon are chainrule's (and PyTorch's)."""
    import numpy as np
    import worker
    from sklearn.neural_network import MLPClassifier

    import chainrule as cr
    seen = []
    fit = MLPClassifier.fit

    def recording(self, X, y):
        seen.append(self.get_params())
        return fit(self, X, y)
    monkeypatch.setattr(MLPClassifier, "fit", recording)
    rng = np.random.default_rng(0)
    X, y = rng.random((64, 8), dtype=np.float32), rng.integers(0, 3, 64)
    for opt in ("adam", "sgd"):
        worker.mlp_sklearn(X, y, X, y, [8, 6, 3], opt, 1e-3, 32, epochs=1)
    adam = cr.optim.Adam()
    assert [p["alpha"] for p in seen] == [0.0, 0.0]
    assert (seen[0]["beta_1"], seen[0]["beta_2"], seen[0]["epsilon"]) == (*adam.betas, adam.eps)
    assert (seen[1]["momentum"], seen[1]["nesterovs_momentum"]) == (0.9, False)


def test_a_target_over_several_rivals_reads_not_measured_when_one_of_them_is_missing(monkeypatch, tmp_path, capsys):
    """The memory target compares chainrule with the least of PyTorch's and JAX's: without JAX it compared with
    PyTorch's alone and read "yes", as if JAX had been measured."""
    results, readme, _ = _whole_run(monkeypatch, tmp_path, absent=("jax",))
    name = "inference memory added at most PyTorch's and JAX's (their least / chainrule's)"
    assert f"| {name} | n/a | not measured |" in results
    assert name in readme.split("Not measured in this run", 1)[1]


def test_contention_names_a_framework_not_installed_before_measuring_anything(monkeypatch):
    """contention.py ran chainrule's and PyTorch's cases, then stopped at JAX's first run with its traceback."""
    import contention
    measured: list = []
    monkeypatch.setattr(contention, "measure", lambda cases, *a, **k: measured.append(cases) or {})
    monkeypatch.setattr(run, "NEEDS", {"torch": (), "jax": (ABSENT,)}, raising=False)
    monkeypatch.setattr(sys, "argv", ["contention.py"])
    with pytest.raises(SystemExit, match=f"jax needs {ABSENT}, not installed.*--sections variants"):
        contention.main()
    assert measured == []
    monkeypatch.setattr(sys, "argv", ["contention.py", "--sections", "variants", "--variants", "default"])
    contention.main()                           # chainrule alone needs no rival
    assert {fw for cases in measured for fw, _, _ in cases} == {"chainrule"}


def test_the_kept_results_say_which_settings_their_numbers_were_measured_with():
    """benchmarks/README.md describes what run.py runs now (scikit-learn without its L2 penalty, Keras' Adam at
    epsilon 1e-8, every training warmed up on 2,048 rows); the kept RESULTS.md was measured before that, by the
    run.py that named scikit-learn by its module and wrote no threads line. Its header must say which settings its
    numbers had, or a reader takes the README's description for them."""
    import re

    from sklearn.neural_network import MLPClassifier
    head = (BENCH / "RESULTS.md").read_text().split("## Targets", 1)[0].splitlines()
    versions = next(line for line in head if line.startswith("- versions: "))
    if "scikit-learn " in versions and any(line.startswith("- threads: ") for line in head):
        return                                  # written by the run.py of these settings
    said = next((line for line in head if line.startswith("- settings of this recorded run")), "")
    assert re.search(r"\d{4}-\d{2}-\d{2}", said), head
    alpha = re.search(r"alpha=([\d.e-]+)", said)
    assert alpha and float(alpha[1]) == MLPClassifier().alpha, said          # the default the run had
    assert "epsilon 1e-7" in said and "2,048" in said, said
