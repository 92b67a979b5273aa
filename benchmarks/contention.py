"""How training slows when the CPUs are shared: chainrule, PyTorch and JAX, idle and under load.

    python benchmarks/contention.py [--reps 3] [--fresh 15] [--sections frameworks,variants,fresh]
                                    [--out benchmarks/RESULTS-contention.md]

Jobs (float32, Adam, ReLU hidden layers, softmax output, generated data, 400 steps after an
untimed warm-up on the same shapes): 784-256-128-10 at batch 32 and 128, and a digits-like
64-64-10 at batch 32. Every run is a fresh process (`--child`); PyTorch's `set_num_threads` is
set to the threads of NumPy's BLAS (read with threadpoolctl), JAX keeps its own thread pool.

Sections:
- frameworks: each framework idle and with 1 and 2 CPU-busy "hog" processes (pure-Python busy
  loops this script starts and always kills), repetitions interleaved (A B C A B C ...);
- variants: chainrule alone under the same loads with one thing changed at a time (OpenBLAS
  threads 1 or 2 by environment or at run time, OpenBLAS's spin time, NumPy only or the
  compiled kernels, pinned to one core, a concurrent background compile of the kernels);
- fresh: many fresh processes per framework on the idle machine, to catch a slow outlier.

Each run reports wall time, CPU time (all threads), context switches and page faults. Tables give
medians, worst cases and loaded/idle ratios.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scratch

HERE = Path(__file__).parent
STEPS = 400
JOBS = {"784x32": ((784, 256, 128, 10), 32), "784x128": ((784, 256, 128, 10), 128), "64x32": ((64, 64, 10), 32)}
# the framework cases: chainrule also with the fit's thread limit (`chainrule.backend.threads.blas_limit`)
CASES = (("chainrule", "default"), ("chainrule", "fit-limit"), ("torch", "default"), ("jax", "default"))
# chainrule variants: name -> (environment added, in-process setting)
VARIANTS = {
    "default": ({}, None),
    "blas1-env": ({"OPENBLAS_NUM_THREADS": "1"}, None),
    "blas1-limit": ({}, "limit1"),               # threadpoolctl's limit around fit
    "fit-limit": ({}, "fit-limit"),              # chainrule.backend.threads.blas_limit around fit
    "no-spin": ({"OPENBLAS_THREAD_TIMEOUT": "4"}, None),    # OpenBLAS threads sleep after 2^4 cycles
    "numpy-only": ({"CHAINRULE_NUMBA": "0"}, None),
    "pinned": ({}, "pin"),                       # the process bound to one core
    "bg-compile": ({}, "compile"),               # backend/warmup.py's background compile starts with the job
}


# -- one run, in its own process ------------------------------------------------------------------
def child(framework: str, job: str, setting: str | None) -> dict:
    sys.path.insert(0, str(HERE))
    import rivals
    import worker
    sizes, batch = JOBS[job]
    rng = np.random.default_rng(0)
    n = batch * 100                   # 100 steps an epoch: STEPS // 100 epochs make the STEPS
    X, y = rng.random((n, sizes[0]), dtype=np.float32), rng.integers(0, sizes[-1], n)
    fn = {"chainrule": worker.mlp_chainrule, "torch": worker.mlp_torch, "jax": rivals.mlp_jax}[framework]
    if setting == "pin":
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    fn(X[:2 * batch], y[:2 * batch], X[:10], y[:10], sizes, "adam", 1e-3, batch, epochs=1)   # warm-up, same shapes
    bg, cache = None, ""
    if setting == "compile":       # what `warmup.compile_in_background` starts, into an empty cache
        cache = tempfile.mkdtemp(prefix="cr-numba-")
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        bg = subprocess.Popen([sys.executable, "-m", "chainrule.backend.warmup"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.2)
    before, cpu0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.process_time(), time.perf_counter()
    try:
        with limits(setting, batch, sizes) as limit:
            wall, _ = fn(X, y, X[:10], y[:10], sizes, "adam", 1e-3, batch, epochs=STEPS // 100)
        cpu = (time.process_time() - cpu0) / (time.perf_counter() - t0)
    finally:
        if bg is not None:
            bg.kill()
            bg.wait()
            shutil.rmtree(cache, ignore_errors=True)
    after = resource.getrusage(resource.RUSAGE_SELF)
    result = {"wall": wall, "cpu_per_wall": cpu, "threads": worker.threads(),
              "vcsw": after.ru_nvcsw - before.ru_nvcsw, "ivcsw": after.ru_nivcsw - before.ru_nivcsw,
              "minflt": after.ru_minflt - before.ru_minflt}
    if setting == "fit-limit":
        result["blas_limit"] = limit            # the threads blas_limit set, None where it changed nothing
    if framework == "chainrule":
        from chainrule.backend import kernels
        result["numba"] = kernels.numba is not None
    return result


def limits(setting: str | None, batch: int, sizes: tuple):
    """The thread limit a variant puts around the timed fit (none for the others)."""
    if setting == "limit1":
        from threadpoolctl import threadpool_limits
        return threadpool_limits(1, user_api="blas")
    if setting == "fit-limit":
        from chainrule.backend.threads import blas_limit
        return blas_limit()
    return contextlib.nullcontext()


def run(framework: str, job: str, variant: str = "default") -> dict:
    env_add, setting = VARIANTS[variant]
    cmd = [sys.executable, __file__, "--child", framework, job, setting or "-"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=dict(os.environ, **env_add), check=False)
    if r.returncode != 0:
        raise SystemExit(f"{framework} {job} {variant} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# -- load: CPU-busy processes, always killed ----------------------------------------------------
class Hogs:
    """`n` pure-Python busy loops for the duration of a `with` block (killed by their saved PIDs)."""

    def __init__(self, n: int):
        self.n = n
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Hogs:
        for _ in range(self.n):
            self.procs.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
            print(f"  hog started: pid {self.procs[-1].pid}", file=sys.stderr, flush=True)
        time.sleep(0.3 if self.n else 0)
        return self

    def __exit__(self, *exc) -> None:
        for p in self.procs:
            p.kill()
        for p in self.procs:
            p.wait()
        self.procs.clear()


# -- sections -------------------------------------------------------------------------------------
def measure(cases: list[tuple[str, str, str]], loads, reps: int, log: str = "") -> dict:
    """{(load, framework, job, variant): [runs]}, the cases interleaved within each repetition;
    each run also appended to `log` as a JSON line (kept if the benchmark is stopped)."""
    out: dict = {}
    for rep in range(reps):
        for load in loads:
            with Hogs(load):
                order = cases if rep % 2 == 0 else cases[::-1]
                for fw, job, variant in order:
                    result = run(fw, job, variant)
                    out.setdefault((load, fw, job, variant), []).append(result)
                    if log:
                        with open(log, "a") as f:
                            f.write(json.dumps({"load": load, "framework": fw, "job": job, "variant": variant,
                                                **result}) + "\n")
        print(f"  repetition {rep + 1}/{reps} done", file=sys.stderr, flush=True)
    return out


def table(results: dict, label: str, loads) -> list[str]:
    keys = sorted({k[1:] for k in results}, key=lambda k: (k[1], k[0], k[2]))
    head = " | ".join(f"{load} hog{'s' if load != 1 else ''}: median (worst)" for load in loads)
    lines = [f"| job | {label} | {head} | ratio median loaded/idle | CPU/wall idle |",
             "|---|---|" + "---|" * len(loads) + "---|---|"]
    for fw, job, variant in keys:
        runs = {load: results.get((load, fw, job, variant), []) for load in loads}
        med = {load: float(np.median([r["wall"] for r in rs])) for load, rs in runs.items() if rs}
        worst = {load: max(r["wall"] for r in rs) for load, rs in runs.items() if rs}
        cells = " | ".join(f"{med[load] * 1e3:.0f} ms ({worst[load] * 1e3:.0f})" if load in med else "-"
                           for load in loads)
        ratios = " / ".join(f"{med[load] / med[0]:.1f}x" for load in loads[1:] if load in med and 0 in med)
        util = np.median([r["cpu_per_wall"] for r in runs.get(0, [])]) if runs.get(0) else float("nan")
        name = fw if variant == "default" else variant if label == "variant" else f"{fw} ({variant})"
        lines.append(f"| {job} | {name} | {cells} | {ratios or '-'} | {util:.2f} |")
    return lines


def fresh_table(results: dict) -> list[str]:
    lines = ["| job | framework | runs | median | worst | worst/median | runs > 1.5x median |",
             "|---|---|---|---|---|---|---|"]
    for (_, fw, job, variant), rs in sorted(results.items(), key=lambda kv: (kv[0][2], kv[0][1], kv[0][3])):
        walls = np.array([r["wall"] for r in rs])
        med = float(np.median(walls))
        name = fw if variant == "default" else f"{fw} ({variant})"
        lines.append(f"| {job} | {name} | {len(walls)} | {med * 1e3:.0f} ms | {walls.max() * 1e3:.0f} ms | "
                     f"{walls.max() / med:.2f} | {int((walls > 1.5 * med).sum())} |")
    return lines


def machine() -> str:
    import threadpoolctl
    from run import versions  # from the metadata, "absent" for one not installed (the variants alone)
    from worker import cpu_name
    blas = ", ".join(f"{b['internal_api']} {b['version']} {b['num_threads']} threads"
                     for b in threadpoolctl.threadpool_info() if b["user_api"] == "blas")
    v = versions()
    return (f"{cpu_name()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"NumPy {np.__version__} ({blas}), Numba {v.get('numba', 'absent')}, PyTorch {v.get('torch', 'absent')}, "
            f"JAX {v.get('jax', 'absent')}; load average at start "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())} (other jobs share the machine)")


def stop_if_missing() -> None:
    """Name a compared framework that is not installed before any measurement, not when its first run fails
    after the others' (run.py's NEEDS says what each one's worker imports)."""
    from run import lacking
    lacks = {fw: lacking(fw) for fw in dict(CASES)}
    if any(lacks.values()):
        named = "; ".join(f"{fw} needs {', '.join(mods)}" for fw, mods in lacks.items() if mods)
        raise SystemExit(f"contention.py's frameworks and fresh sections compare {', '.join(dict(CASES))}, and "
                         f"{named}, not installed: `make bench` installs them (the [bench] extra), or run "
                         "--sections variants (chainrule alone)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--reps", type=int, default=3, help="interleaved runs of each case at each load")
    ap.add_argument("--fresh", type=int, default=15,
                    help="fresh processes per framework and job in the fresh section")
    ap.add_argument("--sections", default="frameworks,variants,fresh", help="which sections to run")
    ap.add_argument("--variants", default=",".join(VARIANTS), help="chainrule's settings the variants section tries")
    ap.add_argument("--jobs", default=",".join(JOBS), help="the training jobs (network and batch)")
    ap.add_argument("--loads", default="0,1,2", help="numbers of hog processes")
    ap.add_argument("--log", default="", help="append every run to this file as JSON lines")
    ap.add_argument("--out", default="", help="also write the tables to this file (default: printed only)")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        fw, job, setting = args.child
        print(json.dumps(child(fw, job, None if setting == "-" else setting)))
        return
    if {"frameworks", "fresh"} & set(args.sections.split(",")):
        stop_if_missing()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))    # a terminated run still kills its hogs
    jobs = args.jobs.split(",")
    loads = tuple(int(x) for x in args.loads.split(","))
    lines = [f"Machine: {machine()}.", ""]
    if "frameworks" in args.sections:
        res = measure([(fw, job, v) for job in jobs for fw, v in CASES], loads, args.reps, args.log)
        lines += ["## Frameworks, idle and loaded (wall time of 400 steps)", ""] + table(res, "framework", loads) + [""]
    if "variants" in args.sections:
        variants = args.variants.split(",")
        res = measure([("chainrule", job, v) for job in jobs for v in variants], loads, args.reps, args.log)
        lines += ["## chainrule, one setting changed at a time", ""] + table(res, "variant", loads) + [""]
    if "fresh" in args.sections:
        res = measure([(fw, job, v) for job in jobs for fw, v in CASES], (0,), args.fresh, args.log)
        lines += [f"## {args.fresh} fresh processes each, no hog processes (other jobs as they were)", ""]
        lines += fresh_table(res) + [""]
    text = "\n".join(lines)
    print(text)
    if args.out:
        scratch.save(args.out, lambda part: part.write_text(text + "\n"))


if __name__ == "__main__":
    main()
