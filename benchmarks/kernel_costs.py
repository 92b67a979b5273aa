"""Where each per-step compiled kernel beats the NumPy passes it replaces, on this machine.

    CHAINRULE_NUMBA=1 python benchmarks/kernel_costs.py [--quick] [--part passes|updates|fit]

Three tables, each timed A/B interleaved in one process (alternate repetitions, medians), since
absolute times drift on a shared machine:

- passes: the fused bias+ReLU forward (`kernels.bias_relu`) against `net += b; np.maximum`, and
  the fused ReLU backward (`kernels.relu_backward`) against `np.multiply(dout, out > 0)` plus the
  bias gradient's `np.add.reduce`, over batch 16..2048 x width 32..2048, float32 and float64,
  with the current rule's choice (`kernels.fused_ok`) beside each row.
- updates: the one-pass Adam, SGD with momentum and plain SGD updates against the optimizers'
  NumPy updates, over 10..2M parameters, with `kernels.update_ok`'s choice for plain SGD (Adam
  and momentum always take the kernel).
- fit: steps of 64-64-10 and 784-W-...-10 ReLU/softmax Adam float32 at batch 32, 128, 1024
  through `Network.fit`, NumPy alone (`ENABLED = False`) against Numba with the former rule
  (every fused pass, the updates from 20k parameters) and with the current rule. The nets under
  100k parameters run the compiled epoch (`training/compiled.py`) where batch x parameters stays
  under 4M; the others run the per-step kernels. `--blas-threads 1` takes OpenBLAS's second
  thread out of the comparison: on a loaded 2-core machine it makes steps swing by 10x.

Not part of the tests: speed is measured here, never asserted.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Callable
from functools import partial

os.environ.setdefault("CHAINRULE_NUMBA", "1")

import numpy as np  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.backend import kernels  # noqa: E402

BATCHES = (16, 32, 64, 128, 256, 512, 1024, 2048)
WIDTHS = (32, 64, 128, 256, 512, 1024, 2048)
UPDATE_SIZES = (10, 100, 1_000, 4_000, 16_000, 64_000, 256_000, 1_000_000, 2_000_000)
FIT_NETS = ((64, 64, 10), (784, 64, 64, 10), (784, 128, 128, 10), (784, 256, 128, 10), (784, 256, 256, 10))
FIT_BATCHES = (32, 128, 1024)


def interleaved(fns: dict[str, Callable[[], object]], reps: int, target_s: float = 2e-3) -> dict[str, float]:
    """Median seconds per call of each function, repetitions alternating between them; each
    repetition is a block of calls long enough (about `target_s`) for the clock."""
    for f in fns.values():          # warm-up (and compilation)
        f()
    t = time.perf_counter()
    f = next(iter(fns.values()))
    f()
    once = max(time.perf_counter() - t, 1e-7)
    calls = max(1, int(target_s / once))
    times: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(reps):
        for name, f in fns.items():
            t = time.perf_counter()
            for _ in range(calls):
                f()
            times[name].append((time.perf_counter() - t) / calls)
    return {k: float(np.median(v)) for k, v in times.items()}


def passes(reps: int, batches=BATCHES, widths=WIDTHS) -> None:
    print("\n## fused Dense passes: microseconds per call (NumPy / kernel; ratio > 1: kernel wins)\n")
    print("| dtype | batch | width | fwd NumPy | fwd kernel | fwd ratio | bwd NumPy | bwd kernel | bwd ratio "
          "| rule fwd | rule bwd |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for m in batches:
            for k in widths:
                net = rng.standard_normal((m, k)).astype(dtype)
                b = (rng.standard_normal(k) * 1e-6).astype(dtype)
                out = np.empty_like(net)
                dout = rng.standard_normal((m, k)).astype(dtype)
                delta, db = np.empty_like(net), np.empty(k, dtype)

                f = interleaved({"numpy": partial(_forward_numpy, net, b, out),
                                 "kernel": partial(kernels.bias_relu, net, b, out)}, reps)
                g = interleaved({"numpy": partial(_backward_numpy, dout, out, delta, db),
                                 "kernel": partial(kernels.relu_backward, dout, out, delta, db)}, reps)
                rule_f = "kernel" if kernels.fused_ok(net) else "numpy"
                rule_b = "kernel" if kernels.fused_ok(dout) else "numpy"
                print(f"| {np.dtype(dtype).name} | {m} | {k} | {f['numpy'] * 1e6:.1f} | {f['kernel'] * 1e6:.1f} | "
                      f"{f['numpy'] / f['kernel']:.2f} | {g['numpy'] * 1e6:.1f} | {g['kernel'] * 1e6:.1f} | "
                      f"{g['numpy'] / g['kernel']:.2f} | {rule_f} | {rule_b} |", flush=True)


def _forward_numpy(net, b, out) -> None:
    """What the fused forward replaces in Dense.forward."""
    np.add(net, b, out=net)
    np.maximum(net, 0.0, out=out)


def _backward_numpy(dout, out, delta, db) -> None:
    """What the fused backward replaces in Dense.backward and backward_delta."""
    np.multiply(dout, out > 0, out=delta)
    np.add.reduce(delta, axis=0, out=db)


def updates(reps: int, sizes=UPDATE_SIZES) -> None:
    print("\n## optimizer updates: microseconds per step, NumPy / kernel (ratio > 1: kernel wins)\n")
    print("| dtype | parameters | Adam | ratio | SGD momentum | ratio | SGD plain | ratio | rule, plain SGD |")
    print("|---|---|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for dtype in (np.float32, np.float64):
        for n in sizes:
            p = rng.standard_normal(n).astype(dtype)
            g = (rng.standard_normal(n) * 1e-3).astype(dtype)
            cells = []
            for opt in (cr.optim.Adam(1e-6), cr.optim.SGD(1e-6, momentum=0.9), cr.optim.SGD(1e-6)):
                opt._ensure_state(p)
                opt.t = 2
                t = interleaved({"numpy": partial(opt._update, p, g, opt.state),
                                 "kernel": partial(_kernel, opt, p, g)}, reps)
                cells.append(f"{t['numpy'] * 1e6:.1f} / {t['kernel'] * 1e6:.1f} | {t['numpy'] / t['kernel']:.2f}")
            rule = "kernel" if kernels.update_ok(n, plain=True) else "numpy"
            print(f"| {np.dtype(dtype).name} | {n} | {' | '.join(cells)} | {rule} |", flush=True)


def _kernel(opt, p, g) -> None:
    """The optimizer's one-pass kernel, whatever the rule says."""
    if isinstance(opt, cr.optim.Adam):
        kernels.adam(p, g, opt.state["exp_avg"], opt.state["exp_avg_sq"], lr=opt.lr, b1=opt.betas[0],
                     b2=opt.betas[1], eps=opt.eps, wd=opt.weight_decay, decoupled=False, t=opt.t)
    else:
        kernels.sgd(p, g, opt.state.get("momentum_buffer", p), lr=opt.lr, momentum=opt.momentum,
                    dampening=opt.dampening, nesterov=opt.nesterov, wd=opt.weight_decay, first=False)


RULE = ("fused_ok", "update_ok")


def _former_rule() -> None:
    """The rule before the cost model: every fused pass from 8 columns, the updates from 20k."""
    kernels.fused_ok = lambda a: a.ndim == 2 and a.shape[1] >= 8 and a.flags.c_contiguous and kernels.load()
    kernels.update_ok = lambda n, plain=False: n >= 20_000


def fit(reps: int, nets=FIT_NETS, batches=FIT_BATCHES, blas_threads: int | None = None) -> None:
    """The fit table, with every BLAS limited to `blas_threads` (None: as they are)."""
    limit: contextlib.AbstractContextManager = contextlib.nullcontext()
    if blas_threads:
        from threadpoolctl import threadpool_limits  # installed with scikit-learn
        with contextlib.suppress(ImportError):
            import scipy.linalg  # noqa: F401  (SciPy's own OpenBLAS, which the compiled loop's products call)
        limit = threadpool_limits(blas_threads, user_api="blas")
    with limit:
        _fit(reps, nets, batches, blas_threads)


def _fit(reps, nets, batches, blas_threads) -> None:
    print(f"\n## fit steps, ReLU/softmax Adam float32, BLAS threads {blas_threads or 'default'}: "
          "ms per step, median [quartiles] of interleaved runs\n")
    print("| net | batch | NumPy alone | Numba, former rule | Numba, this rule | former / NumPy | this / NumPy |")
    print("|---|---|---|---|---|---|---|")
    rng = np.random.default_rng(0)
    for sizes in nets:
        for batch in batches:
            steps = max(4, 1024 // batch)
            X = rng.random((batch * steps, sizes[0]), dtype=np.float32)
            y = rng.integers(0, sizes[-1], batch * steps)
            layers = [cr.Dense(a, b, "relu") for a, b in zip(sizes[:-2], sizes[1:-1])]
            net = cr.Network(layers + [cr.Dense(sizes[-2], sizes[-1], "softmax")], loss="categorical_crossentropy",
                             dtype="float32", seed=1)

            run = partial(_fit_run, net=net, start=net.params.copy(), X=X, y=y, batch=batch,
                          optimizer=cr.optim.Adam(1e-4))
            times: dict[str, list[float]] = {"numpy": [], "former": [], "rule": []}
            for v in times:
                run(v)      # warm-up: compilation, buffers
            for _ in range(reps):
                for v in times:
                    times[v].append(run(v) / steps)
            q = {k: np.percentile(v, [25, 50, 75]) * 1e3 for k, v in times.items()}
            cell = {k: f"{v[1]:.3f} [{v[0]:.2f}-{v[2]:.2f}]" for k, v in q.items()}
            print(f"| {'-'.join(map(str, sizes))} | {batch} | {cell['numpy']} | {cell['former']} | {cell['rule']} | "
                  f"{q['former'][1] / q['numpy'][1]:.2f} | {q['rule'][1] / q['numpy'][1]:.2f} |", flush=True)


def _fit_run(variant: str, net, start, X, y, batch: int, optimizer) -> float:
    """Seconds of one epoch from the same start: NumPy alone, the former rule or the current one."""
    current = {name: getattr(kernels, name) for name in RULE}
    kernels.ENABLED = variant != "numpy"
    if variant == "former":
        _former_rule()
    try:
        net.params[...] = start
        t = time.perf_counter()
        net.fit(X, y, epochs=1, batch_size=batch, optimizer=optimizer, shuffle=False, verbose=0)
        return time.perf_counter() - t
    finally:
        for name, f in current.items():
            setattr(kernels, name, f)
        kernels.ENABLED = True


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--part", choices=("passes", "updates", "fit", "all"), default="all", help="which table to time")
    ap.add_argument("--reps", type=int, default=15, help="interleaved repetitions of each A/B pair (5 with --quick)")
    ap.add_argument("--blas-threads", type=int, default=0, help="limit NumPy's BLAS threads in the fit table")
    ap.add_argument("--quick", action="store_true", help="a coarser grid and fewer repetitions")
    args = ap.parse_args()
    if not kernels.load(force=True):
        raise SystemExit("needs Numba (pip install '.[fast]') and CHAINRULE_NUMBA not 0")
    reps = 5 if args.quick else args.reps
    if args.part in ("passes", "all"):
        passes(reps, *(((16, 128, 1024), (32, 256, 2048)) if args.quick else ()))
    if args.part in ("updates", "all"):
        updates(reps, *(((1_000, 64_000, 2_000_000),) if args.quick else ()))
    if args.part in ("fit", "all"):
        fit(reps, *(((FIT_NETS[1],), FIT_BATCHES) if args.quick else (FIT_NETS, FIT_BATCHES)), args.blas_threads)


if __name__ == "__main__":
    main()
