"""Late in training, numbers below the normal range: what they cost chainrule and PyTorch.

    python benchmarks/subnormal.py [--epochs 200] [--block 50] [--reps 2] > benchmarks/RESULTS-subnormal.md

A confident classifier's tiny softmax outputs make tiny error signals, gradients and Adam moments;
arithmetic whose result falls below float32's smallest normal number (1.2e-38) runs on the
processor's slow path unless the process flushes such numbers to zero (the FTZ/DAZ modes, which
XLA sets and PyTorch sets with `torch.set_flush_denormal(True)`). The job: digits (load_digits / 16,
all 1,797 rows), 64-256-256-10 ReLU/softmax, float32, Adam(lr=0.01), batch 32, shuffled, timed per
block of epochs. Each run is a fresh process (`--child`); runs alternate between the variants:

- chainrule: as shipped (deltas under 2^26 x the smallest normal number set to zero,
  `nn.layers.flush_small`; the finiteness check skips squares of gradients under 1);
- chainrule, deltas kept: the same with the flush threshold set to 0 (`kernels.flush_below`);
- PyTorch: the same network, initialisation aside, eager, `set_num_threads` to NumPy's BLAS threads;
- PyTorch, FTZ: the same with `torch.set_flush_denormal(True)`: a process without subnormal numbers.

Then the forward and backward pass of 1,024 rows, chainrule only, on a wider network
(64-1024-1024-10) trained 60 epochs the same way, with and without the flush: the products the
deltas enter are where a kept tiny delta costs most.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from worker import cpu_name, threads  # noqa: E402  (PyTorch gets the threads of NumPy's own BLAS)

VARIANTS = ["chainrule", "chainrule, deltas kept", "PyTorch", "PyTorch, FTZ"]


def digits():
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    return (X / 16.0).astype(np.float32), y


def run_chainrule(epochs: int, block: int, keep: bool) -> list[float]:
    import chainrule as cr
    from chainrule.backend import kernels
    if keep:
        kernels.flush_below = lambda dtype: 0.0             # nothing is under 0: every delta kept
    X, y = digits()
    net = cr.Network([cr.Dense(64, 256, "relu"), cr.Dense(256, 256, "relu"), cr.Dense(256, 10, "softmax")],
                     loss="categorical_crossentropy", dtype="float32", seed=0)
    opt = cr.optim.Adam(0.01)
    times = []
    for _ in range(epochs // block):
        t = time.perf_counter()
        net.fit(X, y, epochs=block, batch_size=32, optimizer=opt, seed=len(times), verbose=0)
        times.append((time.perf_counter() - t) / block)
    return times


def run_torch(epochs: int, block: int, ftz: bool) -> list[float]:
    import torch
    torch.set_num_threads(threads())
    torch.set_flush_denormal(ftz)
    torch.manual_seed(0)
    X, y = digits()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(np.int64))
    model = torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(), torch.nn.Linear(256, 256),
                                torch.nn.ReLU(), torch.nn.Linear(256, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    loss_fn = torch.nn.CrossEntropyLoss()
    g = torch.Generator().manual_seed(0)
    times = []
    for _ in range(epochs // block):
        t = time.perf_counter()
        for _ in range(block):
            order = torch.randperm(len(Xt), generator=g)
            for s in range(0, len(Xt), 32):
                idx = order[s:s + 32]
                opt.zero_grad()
                loss_fn(model(Xt[idx]), yt[idx]).backward()
                opt.step()
        times.append((time.perf_counter() - t) / block)
    return times


def pass_times() -> dict:
    """Forward and backward of 1,024 rows of a trained 64-1024-1024-10, flushed and kept, on one
    BLAS thread, interleaved: 7 rounds of 10 passes each way (ms, medians of the rounds' medians)."""
    from threadpoolctl import threadpool_limits

    import chainrule as cr
    from chainrule.backend import kernels
    X, y = digits()
    net = cr.Network([cr.Dense(64, 1024, "relu"), cr.Dense(1024, 1024, "relu"), cr.Dense(1024, 10, "softmax")],
                     loss="categorical_crossentropy", dtype="float32", seed=0)
    net.fit(X, y, epochs=60, batch_size=32, optimizer=cr.optim.Adam(0.01), verbose=0)
    Xb, Yb = X[:1024], np.eye(10, dtype=np.float32)[y[:1024]]
    rules = {"flushed": kernels.flush_below, "kept": lambda dtype: 0.0}
    rounds: dict[str, list[float]] = {name: [] for name in rules}
    tiny = np.finfo(np.float32).tiny
    out = {}
    with threadpool_limits(1):
        for _ in range(7):
            for name, rule in rules.items():
                kernels.flush_below = rule
                times = []
                for _ in range(11):
                    t = time.perf_counter()
                    net.run_forward(Xb, True)
                    net.run_backward(Yb)
                    times.append(time.perf_counter() - t)
                rounds[name].append(float(np.median(times[1:])))
                out[name + " subnormal deltas"] = int(sum(np.count_nonzero((layer.delta != 0) &
                                                                           (np.abs(layer.delta) < tiny))
                                                          for layer in net.layers))
    for name in rules:
        out[name] = 1e3 * float(np.median(rounds[name]))
        out[name + " range"] = (1e3 * min(rounds[name]), 1e3 * max(rounds[name]))
    return out


def child(variant: str, epochs: int, block: int) -> None:
    if variant == "passes":
        print(json.dumps(pass_times()))
        return
    fn = {"chainrule": lambda: run_chainrule(epochs, block, False),
          "chainrule, deltas kept": lambda: run_chainrule(epochs, block, True),
          "PyTorch": lambda: run_torch(epochs, block, False),
          "PyTorch, FTZ": lambda: run_torch(epochs, block, True)}[variant]
    print(json.dumps(fn()))


def spawn(*args: str) -> object:
    env = dict(os.environ, CHAINRULE_NUMBA="1")
    for key in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(key, None)
    out = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True, env=env,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--epochs", type=int, default=200, help="epochs of each training run")
    ap.add_argument("--block", type=int, default=50, help="epochs timed together")
    ap.add_argument("--reps", type=int, default=2, help="runs of each variant, interleaved")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        child(a.child[0], int(a.child[1]), int(a.child[2]))
        return
    spawn("chainrule", "1", "1")                   # compiles (or loads) the kernels before the timed runs
    runs: dict[str, list[list[float]]] = {v: [] for v in VARIANTS}
    for _ in range(a.reps):
        for v in VARIANTS:
            runs[v].append(spawn(v, str(a.epochs), str(a.block)))  # type: ignore[arg-type]
    passes = spawn("passes", "0", "0")
    import numba
    import torch
    print("# Numbers below the normal range, late in training\n")
    print(f"`python benchmarks/subnormal.py --epochs {a.epochs} --block {a.block} --reps {a.reps}`, "
          f"{time.strftime('%d %B %Y')}. Machine: {platform.machine()}, {os.cpu_count()} CPUs, "
          f"{cpu_name()}; Python {platform.python_version()}, NumPy "
          f"{np.__version__}, Numba {numba.__version__}, PyTorch {torch.__version__}; BLAS threads "
          f"{threads()}. Each run a fresh process, runs alternating between the variants; the "
          "times are the medians over the runs. What is measured: see the docstring of "
          "`benchmarks/subnormal.py`.\n")
    print("Milliseconds an epoch (digits, 64-256-256-10, float32, Adam lr 0.01, batch 32), by block of epochs:\n")
    blocks = [f"epochs {i * a.block + 1}-{(i + 1) * a.block}" for i in range(a.epochs // a.block)]
    print("| variant | " + " | ".join(blocks) + " |")
    print("|---|" + "---:|" * len(blocks))
    for v in VARIANTS:
        med = np.median(np.array(runs[v]), axis=0)
        print(f"| {v} | " + " | ".join(f"{1e3 * t:.1f}" for t in med) + " |")
    print("\nThe forward and backward pass of 1,024 rows through 64-1024-1024-10 trained 60 epochs "
          "the same way (chainrule, one process, one BLAS thread; 7 interleaved rounds of 10 passes each way: "
          "the median and range of the rounds' medians):\n")
    print("| deltas | ms | range | subnormal deltas in the pass |")
    print("|---|---:|---:|---:|")
    for name in ("flushed", "kept"):
        lo, hi = passes[name + " range"]  # type: ignore[index]
        print(f"| {name} | {passes[name]:.1f} | {lo:.1f}-{hi:.1f} | "  # type: ignore[index]
              f"{passes[name + ' subnormal deltas']} |")  # type: ignore[index]


if __name__ == "__main__":
    main()
