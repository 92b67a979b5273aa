"""The sections of run.py added in the second performance round: inference, the wide network
and start-up. Each returns (markdown lines, targets) with targets as (name, measured, needed)."""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

MODEL = [784, 256, 128, 10]


def inference(alternate, med, reps, quick):
    rows = 20_000 if quick else 100_000
    lines = [f"## Inference: `predict` on {rows:,} x 784 through 784-256-128-10 (float32 weights)", "",
             "Each framework gets a NumPy array and returns one (chainrule `net.predict(X)`, PyTorch `model(X)` "
             "under `torch.inference_mode()`, JAX a `jax.jit`-compiled forward pass, Keras 3 on JAX "
             "`model.predict(X, batch_size=8192)`); median of 5 calls per process after a warm-up; memory "
             "added: the process's peak resident memory during those calls minus its resident memory before "
             "them (the input itself excluded).", "",
             "| input | framework | median time (s) | rows/s | vs PyTorch | vs JAX | memory added (MB) |",
             "|---|---|---:|---:|---:|---:|---:|"]
    targets = []
    for dtype in ("float32", "float64"):
        opts = {"sizes": MODEL, "rows": rows, "input": dtype, "label": dtype}
        res = alternate(["chainrule", "torch", "jax", "keras"], "infer", opts, reps)
        t = {f: med(r, "time") for f, r in res.items()}
        mem = {f: med(r, "added_mb") for f, r in res.items()}
        for f in res:
            lines.append(f"| {dtype} | {f} | {t[f]:.3f} | {rows / t[f]:,.0f} | {t['torch'] / t[f]:.2f}x | "
                         f"{t['jax'] / t[f]:.2f}x | {mem[f]:.0f} |")
        if dtype == "float32":
            targets += [("inference >= 1.2x PyTorch (inference_mode)", t["torch"] / t["chainrule"], 1.2),
                        ("inference >= 1.0x JAX (jit)", t["jax"] / t["chainrule"], 1.0),
                        ("inference memory added below PyTorch's and JAX's (their least / chainrule's)",
                         min(mem["torch"], mem["jax"]) / max(mem["chainrule"], 1e-9), 1.0)]
    return lines + [""], targets


def wide(alternate, med, reps, quick):
    sizes = [784, 2048, 2048, 10]
    opts = {"sizes": sizes, "opt": "adam", "lr": 1e-3, "batch": 256, "epochs": 1, "label": "wide",
            "train_samples": 2048 if quick else 12_000}
    res = alternate(["chainrule", "torch", "jax"], "mnist", opts, reps)
    t = {f: med(r, "time") for f, r in res.items()}
    lines = [f"## Wide: 784-2048-2048-10 ReLU/softmax, Adam, batch 256, float32, one epoch of "
             f"{opts['train_samples']:,} samples", "",
             "| framework | median time (s) | GFLOP/s | vs PyTorch | vs JAX |", "|---|---:|---:|---:|---:|"]
    lines += [f"| {f} | {t[f]:.3f} | {med(res[f], 'gflops'):.1f} | {t['torch'] / t[f]:.2f}x | {t['jax'] / t[f]:.2f}x |"
              for f in res]
    return lines + [""], [("wide 784-2048-2048-10 >= 1.0x JAX", t["jax"] / t["chainrule"], 1.0)]


STARTUP_JOB = {
    "chainrule": "import gzip, importlib.util, os\nimport numpy as np\nimport chainrule as cr\n"
                 "root = os.path.dirname(importlib.util.find_spec('sklearn').origin)\n"
                 "with gzip.open(os.path.join(root, 'datasets', 'data', 'digits.csv.gz')) as f:\n"
                 "    d = np.loadtxt(f, delimiter=',')\nX, y = d[:, :-1], d[:, -1].astype(int)\n"
                 "net = cr.Network([cr.Dense(64, 64, 'relu'), cr.Dense(64, 10, 'softmax')], "
                 "loss='categorical_crossentropy', dtype='float32', seed=0)\n"
                 "net.fit((X / 16.0).astype('float32'), y, epochs=3, batch_size=32, verbose=0)\n",
    "sklearn": "import warnings\nfrom sklearn.datasets import load_digits\n"
               "from sklearn.neural_network import MLPClassifier\n"
               "X, y = load_digits(return_X_y=True)\nwarnings.simplefilter('ignore')\n"
               "MLPClassifier(hidden_layer_sizes=(64,), batch_size=32, max_iter=3).fit(X / 16.0, y)\n",
}


def whole_process(code, env):
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - t


def import_ms(module):
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True)
    return int(out.stderr.strip().splitlines()[-1].split("|")[1]) / 1000


def startup(reps, quick):
    """`import chainrule` and a whole small job, in fresh processes with the defaults (no
    CHAINRULE_NUMBA); the first chainrule job of all gets an empty Numba cache ("first run after
    install")."""
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    n = 3 if quick else max(5, reps)
    imp = {m: statistics.median(import_ms(m) for _ in range(2 * n + 1)) for m in ("numpy", "chainrule")}
    with tempfile.TemporaryDirectory() as cache:
        first = whole_process(STARTUP_JOB["chainrule"], {**env, "NUMBA_CACHE_DIR": cache})
        times = {f: statistics.median(whole_process(code, env) for _ in range(n))
                 for f, code in STARTUP_JOB.items()}
    lines = ["## Start-up: whole processes with the defaults", "",
             f"`import chainrule`: {imp['chainrule']:.0f} ms (median of {2 * n + 1} `python -X importtime` runs; "
             f"NumPy alone: {imp['numpy']:.0f} ms). Digits, 64-64-10, 3 epochs, batch 32, the whole `python -c` "
             f"process (median of {n}): chainrule {times['chainrule']:.2f} s, first run after install (empty Numba "
             f"cache) {first:.2f} s; scikit-learn `MLPClassifier` {times['sklearn']:.2f} s. A job this small never "
             "loads Numba (README, Performance).", ""]
    targets = [("import chainrule under 0.15 s (0.15 / measured)", 150 / imp["chainrule"], 1.0),
               ("digits 3 epochs, whole process, <= half of scikit-learn's (sklearn / 2 / chainrule)",
                times["sklearn"] / 2 / times["chainrule"], 1.0),
               ("... first run after install included", times["sklearn"] / 2 / first, 1.0)]
    return lines, targets
