"""Three sections of run.py's RESULTS.md, each measured in fresh processes:

- inference: `predict` on 100,000 x 784 rows (20,000 with --quick) through 784-256-128-10, float32
  and float64 input, against PyTorch, JAX and Keras 3: median time and the memory each one adds;
- wide: one epoch of 784-2048-2048-10 (Adam, batch 256, float32) against PyTorch and JAX, with the test
  accuracy each reaches;
- startup: `import chainrule`, and whole small jobs (digits for 3 epochs; `chainrule train` on a
  1,000-row CSV file) against scikit-learn's, the first chainrule job with an empty Numba cache.

Each returns (markdown lines, targets), a target being (name, measured, needed): RESULTS.md lists
the targets a run missed.

Run through `python benchmarks/run.py` (`make bench`), which passes `alternate` (runs the
frameworks' worker processes, repetitions interleaved) and `med` (a median of one measurement).
"""
from __future__ import annotations

import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

MODEL = [784, 256, 128, 10]          # the MNIST-shaped network of run.py's sections
SEED_STEPS = 10_000                  # the seed network's updates a run (the Python loops take about a second)
DIGITS_EPOCHS = 50
FASHION_SEEDS = (0, 1, 2)            # the accuracy moves with the seed by about a point: the median of three
FASHION_EPOCHS = 15                  # enough for about 0.89 test accuracy with Adam(1e-3) at batch 128


def least(*values: float) -> float:
    """The least of `values`, NaN where one is NaN (a rival not installed): Python's `min` skips a NaN after the
    first value, which would compare chainrule with the others alone."""
    return math.nan if any(math.isnan(v) for v in values) else min(values)


def inference(alternate, med, reps, quick):
    """`predict` through 784-256-128-10 against PyTorch, JAX and Keras 3: time, rows/s, memory added."""
    rows = 20_000 if quick else 100_000
    lines = [f"## Inference: `predict` on {rows:,} x 784 through 784-256-128-10 (float32 weights)", "",
             "Each framework gets a NumPy array and returns one (chainrule `net.predict(X)`, PyTorch `model(X)` "
             "under `torch.inference_mode()`, JAX a `jax.jit`-compiled forward pass, Keras 3 (on the backend the "
             "head names) `model.predict(X, batch_size=8192)`); median of 5 calls per process after a warm-up; memory "
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
                        ("inference memory added at most PyTorch's and JAX's (their least / chainrule's)",
                         least(mem["torch"], mem["jax"]) / max(mem["chainrule"], 1e-9), 1.0)]
    return lines + [""], targets


def wide(alternate, med, reps, quick):
    """One epoch of 784-2048-2048-10 against PyTorch and JAX: time, GFLOP/s and test accuracy."""
    sizes = [784, 2048, 2048, 10]
    opts = {"sizes": sizes, "opt": "adam", "lr": 1e-3, "batch": 256, "epochs": 1, "label": "wide",
            "train_samples": 2048 if quick else 12_000}
    res = alternate(["chainrule", "torch", "jax"], "mnist", opts, reps)
    t = {f: med(r, "time") for f, r in res.items()}
    lines = [f"## Wide: 784-2048-2048-10 ReLU/softmax, Adam, batch 256, float32, one epoch of "
             f"{opts['train_samples']:,} samples", "",
             "| framework | median time (s) | GFLOP/s | vs PyTorch | vs JAX | test accuracy |",
             "|---|---:|---:|---:|---:|---:|"]
    # the accuracy beside the time, as the other training tables give it: a faster run that learned less shows
    lines += [f"| {f} | {t[f]:.3f} | {med(res[f], 'gflops'):.1f} | {t['torch'] / t[f]:.2f}x | {t['jax'] / t[f]:.2f}x | "
              f"{med(res[f], 'accuracy'):.4f} |" for f in res]
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


# a 1,000-row CSV file (benchmarks/tabular.py's Covertype-like rows): `chainrule train` with its
# defaults (64 ReLU units, Adam 1e-3, batch 32, 100 epochs, 20% held out and scored every epoch)
# and the scikit-learn pipeline a user would write for the same job (scored once)
CSV_ROWS = 1000
CSV_SKLEARN = """
df = pd.read_csv(sys.argv[1])
model, y = pipeline(df, batch_size=32, max_iter=100, n_iter_no_change=100)
n = len(df) - len(df) // 5
model.fit(df[:n], y[:n])
print(model.score(df[n:], y[n:]))
"""


def csv_jobs(folder):
    """The command lines of the CSV job, its file written into `folder`."""
    import tabular
    path = os.path.join(folder, "small.csv")
    tabular.generate(path, CSV_ROWS, seed=7)
    return {"chainrule": ["-m", "chainrule.cli", "train", path, "--target", "cover", "--impute", "mean",
                          "--out", os.path.join(folder, "model.npz"), "--quiet"],
            "sklearn": ["-c", tabular.PIPELINE + CSV_SKLEARN, path]}


def whole_process(code, env):
    """Seconds of one `python -c code` (or `python *code` for a list) process."""
    t = time.perf_counter()
    subprocess.run([sys.executable, *(["-c", code] if isinstance(code, str) else code)], check=True, env=env,
                   capture_output=True)
    return time.perf_counter() - t


def compiled_behind(cache, timeout=600.0):
    """Wait until a compiling process a job started in `cache` (backend/warmup.py) has ended: it
    would otherwise share the CPUs with the next measurements."""
    from chainrule.backend import cachedir  # its folder of Numba's cache: a subfolder of `cache`
    lock, deadline = os.path.join(cachedir.folder(cache), "chainrule-kernels.compiling"), time.time() + timeout
    while os.path.exists(lock) and time.time() < deadline:
        time.sleep(1.0)


def import_ms(module, env):
    """Milliseconds `import module` takes in a fresh process, as `python -X importtime` reports it."""
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", f"import {module}"], capture_output=True,
                         text=True, check=True, env=env)
    return int(out.stderr.strip().splitlines()[-1].split("|")[1]) / 1000


def startup(reps, quick):
    """`import chainrule` and a whole small job, in fresh processes with the defaults (no
    CHAINRULE_NUMBA); the first chainrule job of all gets an empty Numba cache ("first run after
    install")."""
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    n = 3 if quick else max(5, reps)
    imp = {m: statistics.median(import_ms(m, env) for _ in range(2 * n + 1)) for m in ("numpy", "chainrule")}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as folder:
        first = whole_process(STARTUP_JOB["chainrule"], {**env, "NUMBA_CACHE_DIR": cache})
        times = {f: statistics.median(whole_process(code, env) for _ in range(n))
                 for f, code in STARTUP_JOB.items()}
        csv = csv_jobs(folder)
        csv_first = []
        for _ in range(3):                   # each with an empty cache: NumPy, then compiling behind
            with tempfile.TemporaryDirectory() as empty:
                csv_first.append(whole_process(csv["chainrule"], {**env, "NUMBA_CACHE_DIR": empty}))
                compiled_behind(empty)
        csv_times = {f: statistics.median(whole_process(argv, env) for _ in range(n)) for f, argv in csv.items()}
        first_csv = statistics.median(csv_first)
    lines = ["## Start-up: whole processes with the defaults", "",
             f"`import chainrule`: {imp['chainrule']:.0f} ms (median of {2 * n + 1} `python -X importtime` runs; "
             f"NumPy alone: {imp['numpy']:.0f} ms). Digits, 64-64-10, 3 epochs, batch 32, the whole `python -c` "
             f"process (median of {n}): chainrule {times['chainrule']:.2f} s, first run after install (empty Numba "
             f"cache) {first:.2f} s; scikit-learn `MLPClassifier` {times['sklearn']:.2f} s. A job this small never "
             "loads Numba (README, Performance).", "",
             f"`chainrule train` on a {CSV_ROWS:,}-row CSV file (benchmarks/tabular.py's Covertype-like rows; the "
             "defaults: 64 ReLU units, Adam, batch 32, 100 epochs, 20% held out and scored each epoch), the whole "
             f"process (median of {n}): {csv_times['chainrule']:.2f} s with the kernels compiled (it loads them), "
             f"{first_csv:.2f} s as the first run after install (median of 3, each with an empty Numba cache: on "
             f"NumPy, then compiling behind); the scikit-learn pipeline for the same job (read_csv, imputer, "
             f"scaler, one-hot encoder, `MLPClassifier(64, batch_size=32, max_iter=100)` on the same 80%): "
             f"{csv_times['sklearn']:.2f} s.", ""]
    targets = [("import chainrule under 0.15 s (0.15 / measured)", 150 / imp["chainrule"], 1.0),
               ("digits 3 epochs, whole process, <= half of scikit-learn's (sklearn / 2 / chainrule)",
                times["sklearn"] / 2 / times["chainrule"], 1.0),
               ("... first run after install included", times["sklearn"] / 2 / first, 1.0),
               (f"`chainrule train` on a {CSV_ROWS:,}-row CSV, whole process, <= half of scikit-learn's",
                csv_times["sklearn"] / 2 / csv_times["chainrule"], 1.0),
               ("... the CSV job's first run after install included", csv_times["sklearn"] / 2 / first_csv, 1.0)]
    return lines, targets
