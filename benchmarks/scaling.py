"""Where chainrule wins and where it does not: training speed against PyTorch and JAX over batch
size (16 ... 4096, hidden width 256) and hidden width (64 ... 4096, batch 256).

    python benchmarks/scaling.py [--steps 10] [--out benchmarks/scaling.png]

Each point trains 784-W-W-10 (ReLU, softmax, Adam, float32) on generated data for `steps`
mini-batches, after an untimed warm-up on the same shapes, each framework in its own process
(the same training functions as `run.py`'s MNIST-shaped section: `worker.py`, `rivals.py`), one
repetition per point, alternating frameworks: a picture of the trend, not a table of records.
Writes the PNG and prints a markdown table of the times and ratios.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent
BATCHES = (16, 64, 256, 1024, 4096)
WIDTHS = (64, 256, 1024, 4096)
FRAMEWORKS = ("chainrule", "torch", "jax")


def child(framework: str, batch: int, width: int, steps: int) -> None:
    """One point in this process: print {"time": seconds} for `steps` batches of training."""
    sys.path.insert(0, str(HERE))
    import rivals
    import worker
    fn = {"chainrule": worker.mlp_chainrule, "torch": worker.mlp_torch, "jax": rivals.mlp_jax}[framework]
    rng = np.random.default_rng(0)
    n = batch * steps
    X, y = rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n)
    sizes = (784, width, width, 10)
    fn(X[:2 * batch], y[:2 * batch], X[:10], y[:10], sizes, "adam", 1e-3, batch, epochs=1)   # warm-up, same shapes
    elapsed, _ = fn(X, y, X[:10], y[:10], sizes, "adam", 1e-3, batch, epochs=1)
    print(json.dumps({"time": elapsed}))


def point(framework: str, batch: int, width: int, steps: int) -> float:
    env = dict(os.environ, CHAINRULE_NUMBA="1")      # measured warm, as the rivals' jitted code
    r = subprocess.run([sys.executable, __file__, "--child", framework, str(batch), str(width), str(steps)],
                       capture_output=True, text=True, timeout=900, env=env, check=False)
    if r.returncode != 0:
        raise SystemExit(f"{framework} batch {batch} width {width} failed:\n{r.stderr[-2000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])["time"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--out", default=str(HERE / "scaling.png"))
    ap.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        framework, batch, width, steps = args.child
        return child(framework, int(batch), int(width), int(steps))
    grid = [("batch", b, 256) for b in BATCHES] + [("width", 256, w) for w in WIDTHS if w != 256]
    times: dict[tuple[int, int], dict[str, float]] = {}
    for _, batch, width in grid:
        times[batch, width] = {f: point(f, batch, width, args.steps) for f in FRAMEWORKS}
    sys.path.insert(0, str(HERE))
    import worker
    blas = worker.numpy_blas() or {}
    print(f"# Where chainrule wins and where it does not\n\n`python benchmarks/scaling.py --steps {args.steps}` "
          f"(part of `make bench`); the picture: [scaling.png](scaling.png). {os.cpu_count()} CPUs; NumPy's BLAS: "
          f"{blas.get('internal_api')} {blas.get('version')} ({blas.get('architecture')}). Batches under 128 rows "
          "train with one BLAS thread; from 128 rows on, one or two, whichever is faster at the moment "
          "(`backend/threads.py` `Balance`).\n")
    print(f"784-W-W-10 ReLU/softmax, Adam, float32, {args.steps} steps after a warm-up; one run a point; "
          "ratio = rival's time / chainrule's (above 1: chainrule faster)\n")
    print("| batch | width | chainrule s | PyTorch s | JAX s | vs PyTorch | vs JAX |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for (batch, width), t in sorted(times.items(), key=lambda kv: (kv[0][1] != 256, kv[0])):
        print(f"| {batch} | {width} | {t['chainrule']:.3f} | {t['torch']:.3f} | {t['jax']:.3f} | "
              f"{t['torch'] / t['chainrule']:.2f}x | {t['jax'] / t['chainrule']:.2f}x |")
    print("\n" + summary(times))
    draw(times, Path(args.out))


def summary(times: dict[tuple[int, int], dict[str, float]]) -> str:
    """Where each rival is ahead, in words, from this run's table (one run a point)."""
    parts = []
    for rival, name in (("torch", "PyTorch"), ("jax", "JAX")):
        ratios = {point: t[rival] / t["chainrule"] for point, t in times.items()}
        behind = [f"batch {b} width {w} ({r:.2f}x)" for (b, w), r in sorted(ratios.items()) if r < 1.0]
        where = f"at {len(ratios) - len(behind)} of {len(ratios)} points" if behind else "at every point"
        parts.append(f"chainrule leads {name} {where} ({min(ratios.values()):.2f}-{max(ratios.values()):.2f}x)"
                     + (f"; {name} is ahead at {', '.join(behind)}" if behind else ""))
    return "; ".join(parts) + ". One run a point: a trend, not records."


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
    fig.savefig(out, dpi=110)
    print(f"wrote {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
