"""The smoke run of run.py (`python benchmarks/run.py --smoke`): every rival of every workload once, on tiny sizes,
each in its own worker process as in the full run, with no wait for idle CPUs. It checks that each framework runs
and reports a time, in a few minutes (a process a run, each importing its framework); its times are too short to
compare frameworks by (the full run does).

A rival not installed reads n/a, and the line above the table names what it lacks.
"""
from __future__ import annotations

import math
from types import ModuleType

#: (workload, frameworks, options): run.py's sections' rivals, on sizes that take well under a second each
SMOKE = (
    ("seed", ["chainrule", "torch", "jax", "python", "micrograd"], {"steps": 100, "label": "smoke"}),
    ("digits", ["chainrule", "torch", "sklearn"],
     {"sizes": [64, 16, 10], "opt": "sgd", "lr": 0.01, "batch": 32, "epochs": 1, "train_samples": 256,
      "label": "smoke"}),
    ("mnist", ["chainrule", "torch", "torch_fused", "jax", "keras"],
     {"sizes": [784, 32, 10], "opt": "adam", "lr": 1e-3, "batch": 64, "epochs": 1, "train_samples": 512,
      "label": "smoke"}),
    ("infer", ["chainrule", "torch", "jax", "keras"],
     {"sizes": [784, 32, 10], "rows": 1000, "input": "float32", "reps": 2, "label": "smoke"}),
)


def table(run: ModuleType) -> str:
    """With run.py's module `run` (its worker processes and their measurements): each (workload, framework)'s
    seconds and its ratio to chainrule's (rival / chainrule: above 1, chainrule faster), as markdown; the cells
    of a framework not installed read n/a."""
    lines = ["| workload | framework | seconds | vs chainrule |", "|---|---|---:|---:|"]
    run.quiet.WAIT[0] = False       # for these runs alone: a full run in the same process waits again
    try:
        for workload, frameworks, opts in SMOKE:
            times = {f: rows[0]["time"] for f, rows in run.alternate(frameworks, workload, opts, 1).items()}
            for f, t in times.items():
                ratio = t / times["chainrule"] if not math.isnan(t) else math.nan
                lines.append(f"| {workload} | {f} | {t:.4g} | {ratio:.3g}x |")
    finally:
        run.quiet.WAIT[0] = True
    head = ["# Smoke run: every rival once on tiny sizes (not a measurement: `make bench` measures)", "",
            f"- Keras 3 backend: {run.keras_backend()}", *run.missing_line(), ""]
    return run.not_measured("\n".join(head + lines))
