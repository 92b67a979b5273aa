"""Where chainrule wins and where it does not: training speed against PyTorch and JAX over batch
size (16 ... 4096, hidden width 256) and hidden width (64 ... 4096, batch 256).

    python benchmarks/scaling.py [--steps 20] [--procs 2] [--out benchmarks/scaling.png]

Each point trains 784-W-W-10 (ReLU, softmax, Adam, float32) on generated data with the same
training functions as `run.py`'s MNIST-shaped section (`worker.py`, `rivals.py`): `steps`
mini-batches a call, more where the batch is small (at least MIN_ROWS rows a call), each
framework in its own processes (`procs` of them, alternating frameworks). A process makes one
untimed call as long as the timed ones, then CALLS timed calls; a point is the median of all its
timed calls, in milliseconds a step. The untimed call is that long because the rivals' first
steps after compiling are slow: with the old warm-up of two batches, 50 steps of batch 16 took
JAX 1.8 ms a step in its first timed call and 0.82-0.96 in the next three (one process), and
the figure showed chainrule 4.8x JAX where the steady state is near parity.
Writes the PNG and prints a markdown table of the times and ratios.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import numpy as np
import scratch

HERE = Path(__file__).parent
BATCHES = (16, 64, 256, 1024, 4096)
WIDTHS = (64, 256, 1024, 4096)
FRAMEWORKS = ("chainrule", "torch", "jax")
MIN_ROWS = 8192     # rows a call trains at least: 512 steps of batch 16
CALLS = 2           # timed calls a process, after its untimed one


def steps_for(batch: int, steps: int) -> int:
    """Steps a call trains at this batch size: `steps`, or more to reach MIN_ROWS rows."""
    return max(steps, math.ceil(MIN_ROWS / batch))


def child(framework: str, batch: int, width: int, steps: int) -> None:
    """One point's process: print {"ms": [...]}, milliseconds a step of each timed call."""
    sys.path.insert(0, str(HERE))
    import rivals
    import worker
    fn = {"chainrule": worker.mlp_chainrule, "torch": worker.mlp_torch, "jax": rivals.mlp_jax}[framework]
    rng = np.random.default_rng(0)
    n = batch * steps
    X, y = rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    sizes = (784, width, width, 10)
    times = [fn(X, y, X[:10], y[:10], sizes, "adam", 1e-3, batch, epochs=1)[0] for _ in range(1 + CALLS)]
    print(json.dumps({"ms": [1e3 * t / steps for t in times[1:]]}))       # the first call untimed: warm-up


def point(framework: str, batch: int, width: int, steps: int) -> list[float]:
    env = dict(os.environ, CHAINRULE_NUMBA="1")      # measured warm, as the rivals' jitted code
    r = subprocess.run([sys.executable, __file__, "--child", framework, str(batch), str(width), str(steps)],
                       capture_output=True, text=True, timeout=900, env=env, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{framework} batch {batch} width {width} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])["ms"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--steps", type=int, default=20, help="steps a call trains at least")
    ap.add_argument("--procs", type=int, default=2, help="processes a framework and point")
    ap.add_argument("--out", default=str(HERE / "scaling.png"), help="the figure (PNG); the table is printed")
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        framework, batch, width, steps = args.child
        return child(framework, int(batch), int(width), int(steps))
    sys.path.insert(0, str(HERE))
    import run
    lacks = {f: run.lacking(f) for f in FRAMEWORKS}
    if any(lacks.values()):            # before the hour of measurements, not at the first point that needs it
        named = "; ".join(f"{f} needs {', '.join(mods)}" for f, mods in lacks.items() if mods)
        raise SystemExit(f"scaling.py compares {', '.join(FRAMEWORKS)}, and {named}, not installed: "
                         "`make bench` installs them (the [bench] extra)")
    grid = [(b, 256) for b in BATCHES] + [(256, w) for w in WIDTHS if w != 256]
    calls: dict[tuple[int, int], dict[str, list[float]]] = {p: {f: [] for f in FRAMEWORKS} for p in grid}
    for _ in range(args.procs):
        for batch, width in grid:
            for f in FRAMEWORKS:
                calls[batch, width][f] += point(f, batch, width, steps_for(batch, args.steps))
    times = {p: {f: statistics.median(ms) for f, ms in by.items()} for p, by in calls.items()}
    import worker
    blas = worker.numpy_blas() or {}
    print(f"# Where chainrule wins and where it does not\n\n`python benchmarks/scaling.py --steps {args.steps} "
          f"--procs {args.procs}` (part of `make bench`); the picture: [scaling.png](scaling.png). {run.machine()}; "
          f"NumPy's BLAS: {blas.get('internal_api')} {blas.get('version')} ({blas.get('architecture')}). Batches "
          "under 128 rows train with one BLAS thread; from 128 rows on, one or two, whichever is faster at the "
          "moment (`backend/threads.py` `Balance`). Versions: "
          + ", ".join(f"{k} {v}" for k, v in run.versions().items()) + ".\n")
    print(f"784-W-W-10 ReLU/softmax, Adam, float32, generated data. A point: the median of {CALLS * args.procs} "
          f"timed calls ({CALLS} in each of {args.procs} processes a framework, each process after an untimed call "
          f"as long), each call {args.steps} steps or, for small batches, {MIN_ROWS:,} rows; ratio = rival's time "
          "/ chainrule's (above 1: chainrule faster)\n")
    print("| batch | width | steps a call | chainrule ms/step | PyTorch ms/step | JAX ms/step | vs PyTorch | vs JAX |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for (batch, width), t in sorted(times.items(), key=lambda kv: (kv[0][1] != 256, kv[0])):
        print(f"| {batch} | {width} | {steps_for(batch, args.steps)} | {t['chainrule']:.3f} | {t['torch']:.3f} | "
              f"{t['jax']:.3f} | {t['torch'] / t['chainrule']:.2f}x | {t['jax'] / t['chainrule']:.2f}x |")
    print("\n" + summary(times))
    draw(times, Path(args.out))


def summary(times: dict[tuple[int, int], dict[str, float]]) -> str:
    """Where each rival is ahead, in words, from this run's table."""
    parts = []
    for rival, name in (("torch", "PyTorch"), ("jax", "JAX")):
        ratios = {point: t[rival] / t["chainrule"] for point, t in times.items()}
        behind = [f"batch {b} width {w} ({r:.2f}x)" for (b, w), r in sorted(ratios.items()) if r < 1.0]
        where = f"at {len(ratios) - len(behind)} of {len(ratios)} points" if behind else "at every point"
        parts.append(f"chainrule leads {name} {where}" + (f"; {name} is ahead at {', '.join(behind)}" if behind else "")
                     + f" (the ratios of all {len(ratios)} points: {min(ratios.values()):.2f}-"
                       f"{max(ratios.values()):.2f}x)")
    return "; ".join(parts) + (". Processes of one framework and point can differ by tens of percent on a shared "
                               "machine: a trend, not records.")


def draw(times: dict[tuple[int, int], dict[str, float]], out: Path) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2), sharey=True)
    panels = [("batch size (hidden width 256)", [(b, times[b, 256]) for b in BATCHES]),
              ("hidden width (batch 256)", [(w, times[256, w]) for w in WIDTHS])]
    for ax, (label, rows) in zip(axes, panels):
        xs = [x for x, _ in rows]
        for rival, colour in (("torch", "#d9480f"), ("jax", "#1c7ed6")):
            ax.plot(xs, [t[rival] / t["chainrule"] for _, t in rows], "o-", color=colour,
                    label=f"vs {'PyTorch' if rival == 'torch' else 'JAX (jit)'}")
        ax.axhline(1.0, color="#495057", lw=1, ls="--")
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs, [str(x) for x in xs])
        ax.set_xlabel(label)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("speed ratio (above 1: chainrule faster)")
    axes[0].legend()
    fig.suptitle("chainrule training speed relative to PyTorch and JAX, 784-W-W-10 Adam float32, 2 CPU cores")
    fig.tight_layout()
    scratch.save(out, lambda part: fig.savefig(part, dpi=110, format="png"))
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
