"""Speed of chainrule against PyTorch, JAX, Keras 3 and scikit-learn, measured in one run: `make bench`.

Every (framework, workload) runs in its own process (NumPy's BLAS slows down in a process where
PyTorch's OpenMP threads have run), repetitions alternate between frameworks (A B A B ...) so
that the machine's drift hits all alike, and the table reports medians and ratios. Writes
benchmarks/RESULTS.md and prints it.

    python benchmarks/run.py [--reps N] [--quick] [--only SECTION ...]
"""
from __future__ import annotations

import argparse
import importlib.metadata
import importlib.util
import json
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
import quiet  # noqa: E402
import scratch  # noqa: E402
import sections  # noqa: E402
import snippet  # noqa: E402
from targets import targets_table  # noqa: E402

WORKER = HERE / "worker.py"


# the figure `make bench` draws next (benchmarks/scaling.py), linked from this file and the README
SCALING = ["## Scaling: where chainrule wins and where it does not", "",
           "Over batch 16-4096 and width 64-4096 (784-W-W-10, Adam, float32; `benchmarks/scaling.py`, the median "
           "of 4 timed calls a point, in 2 processes, each warmed up as long): [RESULTS-scaling.md]"
           "(RESULTS-scaling.md) and the figure:", "",
           "![speed ratio to PyTorch and JAX over batch size and width](scaling.png)", ""]


WAITED = quiet.WAITED           # seconds spent waiting for idle CPUs, runs started while others still ran
QUIET_WAIT_S = quiet.QUIET_WAIT_S
wait_quiet = quiet.wait_quiet


#: the modules each framework's worker imports (Keras also its backend's: keras_backend): where one is missing, the
#: framework's rows read "n/a" and RESULTS.md names what is not installed, instead of the run stopping at its first run
NEEDS = {"torch": ("torch",), "torch_fused": ("torch",), "sklearn": ("sklearn",), "micrograd": ("micrograd",),
         "jax": ("jax", "optax"), "keras": ("keras",)}
MISSING: dict[str, list[str]] = {}      # framework -> the modules it lacks, for the runs of this process
#: the measurements a worker reports, NaN for a framework not measured
MEASURED = ("time", "final_error", "accuracy", "rss_mb", "added_mb", "samples_per_s", "gflops")


def keras_backend() -> str:
    """Keras 3's backend for the runs: JAX (XLA-compiled steps) where it is installed, else PyTorch, so that an
    installed Keras is measured, not left out with JAX (RESULTS.md names the backend)."""
    return "jax" if importlib.util.find_spec("jax") is not None else "torch"


def lacking(framework: str) -> list[str]:
    """The modules `framework`'s worker needs that are not installed."""
    needs = NEEDS.get(framework, ())
    if framework == "keras" and needs:
        needs = (*needs, keras_backend())
    return [m for m in needs if importlib.util.find_spec(m) is None]


def not_measured(text: str) -> str:
    """A missing framework's NaN cells and ratios as "n/a" (the head of RESULTS.md says why)."""
    return re.sub(r"(?<![\w.])nan(?:x|%)?(?!\w)", "n/a", text)


def missing_line() -> list[str]:
    """RESULTS.md's line naming the frameworks not measured, and why; none when every one ran."""
    if not MISSING:
        return []
    named = "; ".join(f"{f} ({', '.join(mods)} not installed)" for f, mods in MISSING.items())
    return [f"- not measured: {named}; their cells read n/a (`make bench` installs them: the `[bench]` extra)"]


def run(framework, workload, opts):
    """One measurement: worker.py for `framework` on `workload` in a fresh process, once the CPUs are
    idle; its JSON line as a dict (seconds as "time", and what else the worker measured). A framework
    not installed is not run: its measurements are NaN and MISSING names what it lacks."""
    lacks = lacking(framework)
    if lacks:
        MISSING[framework] = lacks
        return {"framework": framework, "workload": workload, **opts, **dict.fromkeys(MEASURED, math.nan),
                "data": None, "missing": lacks}
    wait_quiet()
    # chainrule warm, with its kernels loaded, as the rivals' jitted code (start-up is measured apart)
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "CHAINRULE_NUMBA": "1", "KERAS_BACKEND": keras_backend()}
    out = subprocess.run([sys.executable, str(WORKER), framework, workload, json.dumps(opts)], capture_output=True,
                         text=True, env=env)
    if out.returncode != 0:
        raise RuntimeError(f"{framework} {workload} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def alternate(frameworks, workload, opts, reps):
    """`reps` rounds of one run per framework (A B C A B C ...): framework -> its runs' measurements."""
    results = {f: [] for f in frameworks}
    for _ in range(reps):
        for f in frameworks:
            results[f].append(run(f, workload, opts))
            print(f"  {workload} {opts.get('label', '')} {f}: {results[f][-1]['time']:.3f} s", file=sys.stderr)
    return results


def med(rows, key):
    """The median of measurement `key` over the runs `rows`."""
    return statistics.median(r[key] for r in rows)


#: the distributions whose versions RESULTS.md gives: chainrule, every rival, and what measures them
VERSIONED = ("chainrule", "torch", "jax", "jaxlib", "optax", "keras", "scikit-learn", "micrograd", "numba",
             "threadpoolctl")


def versions(extra: tuple[str, ...] = ()) -> dict[str, str]:
    """The versions of Python, NumPy and every installed package of VERSIONED and `extra` (read from their
    metadata: no import), and NumPy's BLAS."""
    import numpy
    v = {"python": platform.python_version(), "numpy": numpy.__version__}
    for name in VERSIONED + extra:
        try:
            v[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    from worker import numpy_blas
    blas = numpy_blas()
    if blas:
        v["blas"] = f"NumPy's {blas.get('internal_api')} {blas.get('version')} ({blas.get('architecture')}), " \
                    f"{blas['num_threads']} threads"
    return v


#: what overrides OpenBLAS's own choices for the CPU (`make bench` runs without them)
BLAS_OVERRIDES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


def blas_choice():
    forced = [f"{k}={os.environ[k]}" for k in BLAS_OVERRIDES if k in os.environ]
    if forced:
        return f"forced by {', '.join(forced)} in the environment (`make bench` runs without them)"
    return (f"OpenBLAS's own for this CPU (`make bench` runs without {' and '.join(BLAS_OVERRIDES)}, which a "
            "machine image may set to force older kernels on all its hosts)")


def threads_used() -> int:
    """The threads of NumPy's BLAS in this process, as each worker reads them (worker.threads)."""
    from worker import threads
    return threads()


def machine():
    from worker import cpu_name
    return f"{cpu_name()}, {os.cpu_count()} logical CPUs, {platform.system()} {platform.release()}"


def provenance(extra: tuple[str, ...] = ()) -> str:
    """The last line of a results file with no head of its own (mpi.py, memmap.py): machine, date, versions."""
    return (f"Measured {time.strftime('%Y-%m-%d')} on {machine()}; versions: "
            + ", ".join(f"{k} {val}" for k, val in versions(extra).items()) + ".")


#: the sections of RESULTS.md, in their order; `--only` runs some of them
SECTIONS = ("seed", "digits", "mnist", "wide", "inference", "startup", "fashion")


def seed_section(reps, quick):
    """The seed's 2-2-2 network against PyTorch, JAX, a scalar Python loop and micrograd."""
    steps = 1000 if quick else sections.SEED_STEPS
    seed = alternate(["chainrule", "torch", "jax", "python", "micrograd"], "seed", {"steps": steps, "label": ""},
                     reps)
    t_torch = med(seed["torch"], "time")
    lines = [f"## The seed network: {steps:,} updates of the 2-2-2 sigmoid network (float64, batch 1)", "",
             "| implementation | median time (s) | updates/s | speed vs PyTorch | final error | peak RSS (MB) |",
             "|---|---:|---:|---:|---:|---:|"]
    names = {"chainrule": "chainrule (`net.train_steps`)", "torch": "PyTorch autograd + optim.SGD",
             "jax": "JAX: `jax.jit` of the whole loop under `lax.fori_loop`",
             "python": "pure Python scalar loop", "micrograd": "micrograd"}
    for f, rows in seed.items():
        t = med(rows, "time")
        lines.append(f"| {names[f]} | {t:.4f} | {steps / t:,.0f} | {t_torch / t:.2f}x | "
                     f"{rows[0]['final_error']:.10f} | {med(rows, 'rss_mb'):.0f} |")
    targets = [("seed network >= 10x PyTorch", t_torch / med(seed["chainrule"], "time"), 10.0),
               ("seed network faster than JAX fori_loop", med(seed["jax"], "time") / med(seed["chainrule"], "time"),
                1.0)]
    return lines + [""], targets


def digits_section(reps, quick):
    """Digits 64-64-10 with SGD+momentum and with Adam against PyTorch and scikit-learn."""
    epochs = 5 if quick else sections.DIGITS_EPOCHS
    lines, targets = [], []
    for opt, lr in (("sgd", 0.01), ("adam", 1e-3)):
        opts = {"sizes": [64, 64, 10], "opt": opt, "lr": lr, "batch": 32, "epochs": epochs, "label": opt}
        res = alternate(["chainrule", "torch", "sklearn"], "digits", opts, reps)
        t_torch, t_sk = med(res["torch"], "time"), med(res["sklearn"], "time")
        title = "SGD(lr=0.01, momentum=0.9)" if opt == "sgd" else "Adam(lr=1e-3)"
        lines += [f"## Digits: 64-64-10 ReLU/softmax, batch 32, {title}, {epochs} epochs, float32", "",
                  "| framework | median time (s) | vs PyTorch | vs scikit-learn | test accuracy | peak RSS (MB) |",
                  "|---|---:|---:|---:|---:|---:|"]
        for f, rows in res.items():
            t = med(rows, "time")
            lines.append(f"| {f} | {t:.3f} | {t_torch / t:.2f}x | {t_sk / t:.2f}x | {med(rows, 'accuracy'):.4f} | "
                         f"{med(rows, 'rss_mb'):.0f} |")
        lines.append("")
        c = med(res["chainrule"], "time")
        targets.append((f"digits {opt} >= 6x PyTorch", t_torch / c, 6.0))
        targets.append((f"digits {opt} >= 3x scikit-learn", t_sk / c, 3.0))
        targets.append((f"digits {opt}: accuracy within 1 point of PyTorch (1 - the difference)",
                        1.0 - abs(med(res["chainrule"], "accuracy") - med(res["torch"], "accuracy")), 0.99))
    return lines, targets


def mnist_section(reps, quick, peak):
    """784-256-128-10 for one epoch at batch 32, 128 and 1024 against PyTorch, JAX and Keras; with the
    data's source (Fashion-MNIST or generated)."""
    source = None
    lines = ["## MNIST-shaped: 784-256-128-10 ReLU/softmax, Adam(lr=1e-3), float32, one epoch", ""]
    rows_out = ["| batch | framework | median time (s) | samples/s | GFLOP/s | % of matmul peak | vs PyTorch Adam | "
                "vs Adam(fused=True) | vs JAX | test accuracy | peak RSS (MB) |",
                "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    targets, fastest = [], 0.0
    for batch in (32, 128, 1024):
        opts = {"sizes": sections.MODEL, "opt": "adam", "lr": 1e-3, "batch": batch, "epochs": 1,
                "label": f"batch {batch}"}
        if quick:
            opts["train_samples"] = 6000
        res = alternate(["chainrule", "torch", "torch_fused", "jax", "keras"], "mnist", opts, reps)
        source = res["chainrule"][0]["data"]
        t_torch, t_fused, t_jax = med(res["torch"], "time"), med(res["torch_fused"], "time"), med(res["jax"], "time")
        for f, rows in res.items():
            t = med(rows, "time")
            rows_out.append(f"| {batch} | {f} | {t:.3f} | {med(rows, 'samples_per_s'):,.0f} | "
                            f"{med(rows, 'gflops'):.1f} | "
                            f"{100 * med(rows, 'gflops') / peak:.0f}% | {t_torch / t:.2f}x | {t_fused / t:.2f}x | "
                            f"{t_jax / t:.2f}x | "
                            f"{med(rows, 'accuracy'):.4f} | {med(rows, 'rss_mb'):.0f} |")
            fastest = max(fastest, med(rows, "gflops"))
        c = med(res["chainrule"], "time")
        need = 1.0 if batch == 1024 else 1.2
        targets.append((f"MNIST batch {batch} >= {need}x JAX (jitted step)", t_jax / c, need))
        targets.append((f"MNIST batch {batch} not slower than Adam(fused=True)", t_fused / c, 1.0))
        if batch == 128:
            targets.append(("MNIST batch 128 >= 2x PyTorch Adam", t_torch / c, 2.0))
        if batch == 1024:
            targets.append(("MNIST batch 1024 >= 80% of matmul peak", med(res["chainrule"], "gflops") / peak, 0.8))
    lines += [f"Data: {source}. Matrix-product peak measured in this run: {peak:.1f} GFLOP/s (the best of 6 runs, "
              "3 at the start and 3 just before this section, each the best median of "
              "float32 1024x1024 and 2048x2048 NumPy products). GFLOP/s counts the training step's matrix "
              "products: 2 flops per weight forward, 2 for dE/dW, 2 for dE/d(input) except the first layer's.",
              ""] + rows_out + [""]
    if fastest > peak:
        lines += ["Rows above 100% of the peak mean the peak runs were slowed by other jobs: the percentages of "
                  "this run are then not meaningful.", ""]
    return lines, targets, source


def fashion_section(source):
    """Fashion-MNIST to a useful accuracy, same recipe in both frameworks, at several seeds (WHY["Fashion"]);
    (lines, targets, framework -> (median seconds, median accuracy)), or no runs where the data is missing."""
    if not (source and source.startswith("Fashion")):
        return ["## Fashion-MNIST to test accuracy >= 0.89", "",
                "Not run: Fashion-MNIST is not installed on this machine (`apt-get install dataset-fashion-mnist`, "
                "or `load_fashion_mnist(path=...)` with the four IDX files); the MNIST-shaped rows above use "
                "generated data of the same shape.", ""], [], None
    runs: dict[str, list] = {"chainrule": [], "torch": []}
    for seed in sections.FASHION_SEEDS:
        opts = {"sizes": sections.MODEL, "opt": "adam", "lr": 1e-3, "batch": 128, "epochs": sections.FASHION_EPOCHS,
                "label": f"fashion seed {seed}", "seed": seed}
        for f, rows in alternate(list(runs), "mnist", opts, 1).items():
            runs[f] += rows
    seeds = ", ".join(map(str, sections.FASHION_SEEDS))
    lines = [f"## Fashion-MNIST to test accuracy >= 0.89: 784-256-128-10 ReLU/softmax, Adam(lr=1e-3), "
             f"batch 128, {sections.FASHION_EPOCHS} epochs, float32 (seeds {seeds}: one run each, medians)", "",
             f"| framework | median training time (s) | median test accuracy | accuracy at seeds {seeds} |",
             "|---|---:|---:|---:|"]
    fashion = {f: (med(rows, "time"), med(rows, "accuracy")) for f, rows in runs.items()}
    for f, rows in runs.items():
        each = " / ".join(f"{r['accuracy']:.4f}" for r in rows)
        lines.append(f"| {f} | {fashion[f][0]:.1f} | {fashion[f][1]:.4f} | {each} |")
    targets = [(f"Fashion-MNIST test accuracy >= 0.89 (chainrule, median of {len(sections.FASHION_SEEDS)} seeds)",
                fashion["chainrule"][1], 0.89)]
    return lines + [""], targets, fashion


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter,
                                 allow_abbrev=False)
    ap.add_argument("--reps", type=int, default=5, help="interleaved repetitions of each measurement (1 with --quick)")
    ap.add_argument("--quick", action="store_true", help="a short run (1 repetition, smaller workloads; minutes)")
    ap.add_argument("--smoke", action="store_true", help="every rival once on tiny sizes, in a few minutes: a "
                                                         "check that each one runs (benchmarks/smoke.py); prints "
                                                         "its table, writes no file")
    ap.add_argument("--only", action="append", choices=SECTIONS, metavar="SECTION",
                    help=f"run only this section (again for more: --only seed --only digits); one of "
                         f"{', '.join(SECTIONS)}. Its targets and tables are printed; RESULTS.md and "
                         "README_SNIPPET.md are left as they are")
    args = ap.parse_args()
    if args.smoke:
        if args.quick or args.only:
            given = ["--quick"] * args.quick + [a for s in args.only or () for a in ("--only", s)]
            ap.error("argument --smoke: runs every rival on its own tiny sizes; expected it without --quick and "
                     f"--only, received --smoke with {' '.join(given)}")
        import smoke
        print(smoke.table(sys.modules[__name__]))   # run.py's own module, not a second copy
        return
    if args.quick and "fashion" in (args.only or ()):
        ap.error(f"argument --only: 'fashion' does not run with --quick (it trains {sections.FASHION_EPOCHS} epochs "
                 f"at {len(sections.FASHION_SEEDS)} seeds); expected --quick with other sections, or --only fashion "
                 "without --quick")
    reps = 1 if args.quick else args.reps
    only = set(args.only or SECTIONS)
    lines, targets = [], []

    load_start = os.getloadavg()
    # a peak is a maximum: the best of 3 runs now and 3 just before the MNIST-shaped section
    peak = max(run("numpy", "peak", {})["gflops"] for _ in range(3)) if "mnist" in only else 0.0
    if "seed" in only:
        more, more_targets = seed_section(reps, args.quick)
        lines += more
        targets += more_targets
    if "digits" in only:
        more, more_targets = digits_section(reps, args.quick)
        lines += more
        targets += more_targets
    source = fashion = None
    if "mnist" in only:
        peak = max(peak, *(run("numpy", "peak", {})["gflops"] for _ in range(3)))
        more, more_targets, source = mnist_section(reps, args.quick, peak)
        lines += more
        targets += more_targets
    for name, section in (("wide", sections.wide), ("inference", sections.inference)):
        if name in only:
            more, more_targets = section(alternate, med, reps, args.quick)
            lines += more
            targets += more_targets
    if "startup" in only:
        more, more_targets = sections.startup(reps, args.quick)
        lines += more
        targets += more_targets
    if "fashion" in only and not args.quick:
        if source is None:                 # the MNIST-shaped section did not run: where its data comes from
            from worker import data
            source = data("mnist")[4]
        more, more_targets, fashion = fashion_section(source)
        lines += more
        targets += more_targets

    if args.only:
        print(not_measured("\n".join(missing_line() + targets_table(targets) + [""] + lines)))
        return
    v = versions()
    head = ["# Benchmarks", "",
            f"Measured by `make bench` (`python benchmarks/run.py{' --quick' if args.quick else ''}`), "
            f"{reps} alternating repetitions per framework, each in its own process; medians.", "",
            f"- machine: {machine()}",
            f"- load average (1, 5, 15 min) at the start: {', '.join(f'{x:.2f}' for x in load_start)}; at the end: "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share the 2 cores: timings are noisy; "
            f"before each run the benchmark waited up to {QUIET_WAIT_S:.0f} s for idle "
            f"CPUs, {WAITED[0]:.0f} s in all, and {WAITED[1]} runs started while other jobs still ran)",
            "- versions: " + ", ".join(f"{k} {val}" for k, val in v.items()),
            f"- threads: PyTorch's `set_num_threads` gets NumPy's BLAS threads ({threads_used()}); JAX and Keras "
            f"(on its {keras_backend()} backend) get as many ({threads_used()}: XLA by PJRT_NPROC set before JAX "
            "computes, `rivals.pin_threads`; PyTorch under Keras by `set_num_threads`); "
            "chainrule's `fit` caps BLAS to the CPUs idle when it starts, and from batch 128 runs one thread or all, "
            "whichever is faster at the moment",
            *missing_line(),
            f"- BLAS kernels: {blas_choice()}",
            ("- chainrule ran with Numba (the optional `[fast]` extra): the seed network and digits train in one "
             "compiled loop per call/epoch, and the MNIST-shaped network's Adam update and ReLU passes are compiled; "
             "NumPy alone runs the same math (earlier NumPy-only runs: seed ~4x, digits ~4-5.5x PyTorch)"
             if "numba" in v else
             "- chainrule ran on NumPy alone (Numba, the optional `[fast]` extra, is not installed)"),
            ""] + targets_table(targets)
    text = not_measured("\n".join(head + [""] + lines + SCALING) + "\n")
    out = HERE / ("RESULTS-quick.md" if args.quick else "RESULTS.md")
    scratch.save(out, lambda part: part.write_text(text))
    print(text)
    if not args.quick:
        ratios = {name: value for name, value, _ in targets}
        readme = not_measured(snippet.snippet(ratios, targets, fashion, source, reps))
        scratch.save(HERE / "README_SNIPPET.md", lambda part: part.write_text(readme))


if __name__ == "__main__":
    main()
