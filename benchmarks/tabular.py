"""A Covertype-like CSV file through `chainrule train` / `chainrule evaluate` and through the
scikit-learn pipeline a practitioner would write, as whole processes.

    python benchmarks/tabular.py [--rows 100000,1000000] [--reps 1] [--dir DIR] [--keep]

The file is generated here (nothing fetched): 40 numeric columns on mixed scales (1e-2 to 1e4) with
about 1% missing values in five of them, 4 text columns with 5, 40, 300 and 2,000 categories
(skewed frequencies, as real categories are), and a 7-class text target that depends on the
numbers and the categories; a test file of a quarter as many rows comes from the same source.

Both sides train a 64-unit ReLU network with Adam (lr 1e-3) for 5 epochs at batch 256 on all the
training rows and report the test accuracy:
- chainrule: `chainrule train train.csv --target cover --hidden 64 --epochs 5 --batch-size 256
  --impute mean --val-split 0` then `chainrule predict model.npz test.csv --out predictions.csv`
  (two processes; predict reads, encodes and predicts the file in chunks, writing each chunk's
  predictions as it goes; the accuracy is computed here from that file, outside the timing),
  once as `chainrule train` runs by default (up to 1,000 categories per text column: here the
  2,000-category column is capped), once with every category (--max-categories 5000, as
  scikit-learn's OneHotEncoder keeps them all), and once more in float32 (--dtype float32: the
  speed a user gets by asking for it; the others are float64, as scikit-learn is);
- scikit-learn: pandas.read_csv, ColumnTransformer(SimpleImputer + StandardScaler on the numbers,
  OneHotEncoder(handle_unknown="ignore") on the text) and MLPClassifier(64, batch_size=256,
  max_iter=5), then read_csv and predict on the test file (one process; its convergence warning
  is expected and silenced).

Wall time is the whole process (start-up, imports, reading, preprocessing, training, writing);
peak memory is each process's maximum resident set (from wait4), the larger of chainrule's two
(predict's own is in the notes). Each --rows value gets its own files and table; the table gives
medians over --reps repetitions, which alternate between the sides.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import scratch

NUMERIC, CATEGORIES, CLASSES = 40, (5, 40, 300, 2000), 7

# the pipeline a user would write (also the start-up section's rival, sections.py): `pipeline(df,
# **MLPClassifier options)` pops the target "cover" from df and returns (model, target)
PIPELINE = r"""
import json, sys, time, warnings
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
warnings.filterwarnings("ignore")          # a few epochs do not converge: expected


def pipeline(df, **mlp):
    y = df.pop("cover")
    text = [c for c in df.columns if df[c].dtype.kind not in "fiu"]
    numeric = [c for c in df.columns if c not in text]
    pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), numeric),
                             ("cat", OneHotEncoder(handle_unknown="ignore"), text)])
    return make_pipeline(pre, MLPClassifier(hidden_layer_sizes=(64,), random_state=0, **mlp)), y
"""

SKLEARN = PIPELINE + r"""
t0 = time.perf_counter()
df = pd.read_csv(sys.argv[1])
model, y = pipeline(df, batch_size=256, max_iter=5)
model.fit(df, y)
t1 = time.perf_counter()
test = pd.read_csv(sys.argv[2])
accuracy = float((model.predict(test.drop(columns="cover")) == test["cover"]).mean())
print(json.dumps({"train_s": t1 - t0, "predict_s": time.perf_counter() - t1, "accuracy": accuracy}))
"""


def generate(path: Path, rows: int, seed: int) -> None:
    """The Covertype-like file (see the module docstring), written in chunks of 100,000 rows."""
    import pandas as pd
    path = Path(path)
    model = np.random.default_rng(12345)          # the same classes' rule for the train and test files
    weights = model.normal(size=(10, CLASSES))
    effects = [model.normal(size=(k, CLASSES)) * 0.8 for k in CATEGORIES]
    freqs = [1.0 / np.arange(1, k + 1) ** 0.7 for k in CATEGORIES]
    scales = 10.0 ** np.linspace(-2, 4, NUMERIC)
    rng = np.random.default_rng(seed)
    with open(path, "w") as f:
        for start in range(0, rows, 100_000):
            n = min(100_000, rows - start)
            z = rng.normal(size=(n, NUMERIC))
            score = z[:, :10] @ weights + rng.normal(size=(n, CLASSES)) * 1.5
            df = pd.DataFrame(z * scales + scales, columns=[f"n{j}" for j in range(NUMERIC)])
            for j in range(5):                       # about 1% missing in five columns
                df.loc[rng.random(n) < 0.01, f"n{j * 7}"] = np.nan
            for k, effect, p in zip(CATEGORIES, effects, freqs):
                codes = rng.choice(k, size=n, p=p / p.sum())
                score += effect[codes]
                df[f"cat{k}"] = np.char.add(f"c{k}_", codes.astype(str))
            df["cover"] = np.char.add("type_", score.argmax(axis=1).astype(str))
            df.to_csv(f, index=False, header=start == 0, float_format="%.6g")


def run_process(cmd: list[str]) -> tuple[float, float, str]:
    """(wall seconds, peak resident GiB, stdout and stderr) of one process, reaped with wait4 so
    that the memory is that child's own."""
    t = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        p = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _, usage = scratch.wait4(p)
        wall = time.perf_counter() - t
        out.seek(0)
        err.seek(0)
        if p.returncode != 0:
            raise SystemExit(f"{' '.join(map(str, cmd[:6]))} ... failed ({p.returncode}):\n{err.read()[-2000:]}")
        return wall, usage.ru_maxrss / 2**20, out.read() + err.read()


def chainrule_run(train: Path, test: Path, folder: Path, max_categories: int, dtype: str = "float64") -> dict:
    """`chainrule train` then `chainrule predict`, each a whole process: seconds, peak GiB, test accuracy."""
    model = folder / "model.npz"
    cmd = [sys.executable, "-m", "chainrule.cli", "train", str(train), "--target", "cover", "--hidden", "64",
           "--epochs", "5", "--batch-size", "256", "--impute", "mean", "--val-split", "0", "--quiet",
           "--max-categories", str(max_categories), "--dtype", dtype, "--out", str(model)]
    t_train, m_train, log = run_process(cmd)
    predictions = folder / "predictions.csv"
    t_pred, m_pred, _ = run_process([sys.executable, "-m", "chainrule.cli", "predict", str(model), str(test),
                                     "--out", str(predictions)])
    accuracy = in_child("_accuracy", str(predictions), str(test))
    inputs = next((line for line in log.splitlines() if "inputs" in line), "").strip()
    return {"train_s": t_train, "predict_s": t_pred, "total_s": t_train + t_pred, "peak_gib": max(m_train, m_pred),
            "accuracy": accuracy, "note": f"{inputs}; predict peak {m_pred:.2f} GiB"}


def in_child(name: str, *args) -> Any:
    """This module's function `name` run in a child process (its JSON result). This process stays
    small: on Linux each child's peak memory (wait4's ru_maxrss) starts from its parent's size at
    exec, so a parent that had generated or read a large file would inflate every measurement."""
    code = (f"import json, sys; sys.path.insert(0, {str(Path(__file__).parent)!r}); import tabular; "
            f"print(json.dumps(tabular.{name}(*json.loads(sys.argv[1]))))")
    out = subprocess.run([sys.executable, "-c", code, json.dumps(args)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _accuracy(predictions: Path, test: Path) -> float:
    """The fraction of `predictions` equal to the test file's target, read in chunks."""
    import pandas as pd
    right = total = 0
    pred = pd.read_csv(predictions, chunksize=200_000)
    for truth, got in zip(pd.read_csv(test, usecols=["cover"], chunksize=200_000), pred):
        right += int((truth["cover"].to_numpy() == got["prediction"].to_numpy()).sum())
        total += len(truth)
    return right / total


def sklearn_run(train: Path, test: Path) -> dict:
    """The scikit-learn pipeline in one process: its start-up counted with training, as chainrule's is."""
    wall, peak, out = run_process([sys.executable, "-c", SKLEARN, str(train), str(test)])
    inner = json.loads(out.strip().splitlines()[-1])
    start_up = wall - inner["train_s"] - inner["predict_s"]
    return {"train_s": inner["train_s"] + start_up, "predict_s": inner["predict_s"], "total_s": wall,
            "peak_gib": peak, "accuracy": inner["accuracy"], "note": ""}


def row_counts(text: str) -> list[int]:
    try:
        rows = [int(r.replace("_", "")) for r in text.split(",") if r.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected row counts separated by commas, e.g. 100000,1000000; "
                                         f"got {text!r}") from None
    if not rows or min(rows) < 1:
        raise argparse.ArgumentTypeError(f"expected positive row counts; got {text!r}")
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--rows", type=row_counts, default=[100_000],
                    help="training rows, one run per value, e.g. 100000,1000000 (default 100000)")
    ap.add_argument("--reps", type=int, default=1, help="runs of each side, interleaved; the table gives medians")
    ap.add_argument("--dir", help="where to write the CSV files (default: a temporary folder)")
    ap.add_argument("--keep", action="store_true", help="keep the generated files")
    args = ap.parse_args()
    with scratch.files(args.dir, "chainrule-tabular-", args.keep) as folder:
        print(header(args.rows, args.reps), flush=True)
        for rows in args.rows:
            compare(rows, args.reps, folder)


def header(rows: list[int], reps: int) -> str:
    """The top of RESULTS-tabular.md: what ran, how, where. The versions are read from the installed
    packages' metadata, not imported: an import here (PyTorch's, say) would grow this process, and
    each child's peak memory (wait4's ru_maxrss) starts from its parent's at exec."""
    import platform
    from importlib.metadata import PackageNotFoundError, version

    from run import machine
    v = {"python": platform.python_version()}
    for name in ("numpy", "scipy", "pandas", "scikit-learn", "numba", "chainrule"):
        try:
            v[name] = version(name)
        except PackageNotFoundError:
            pass
    return "\n".join([
        "# The tabular path: `chainrule train/predict` against the scikit-learn pipeline", "",
        f"`python benchmarks/tabular.py --rows {','.join(map(str, rows))} --reps {reps}` (part of `make bench`).", "",
        __doc__.split("\n\n", 2)[2].strip(), "",
        f"Machine: {machine()}. Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + "."])


def compare(rows: int, reps: int, folder: Path) -> None:
    """Generate the files of `rows` training rows (unless there), run every side `reps` times, print the table."""
    train, test = folder / f"covertype-like-{rows}.csv", folder / f"covertype-like-{rows}-test.csv"
    t = time.perf_counter()
    if not train.exists():
        in_child("generate", str(train), rows, 1)
    if not test.exists():
        in_child("generate", str(test), max(rows // 4, 1000), 2)
    print(f"files: {train} ({train.stat().st_size / 2**20:.0f} MB), {test} (generated in "
          f"{time.perf_counter() - t:.0f} s)", file=sys.stderr)
    sides = {"chainrule (default: up to 1,000 categories)": lambda: chainrule_run(train, test, folder, 1000),
             "chainrule (every category)": lambda: chainrule_run(train, test, folder, 5000),
             "chainrule (every category, --dtype float32)": lambda: chainrule_run(train, test, folder, 5000,
                                                                                 "float32"),
             "scikit-learn pipeline": lambda: sklearn_run(train, test)}
    results: dict[str, list[dict]] = {name: [] for name in sides}
    for _ in range(reps):
        for name, fn in sides.items():
            results[name].append(fn())
            print(f"{name}: {results[name][-1]}", file=sys.stderr)
    ref = {k: statistics.median(r[k] for r in results["scikit-learn pipeline"]) for k in ("total_s", "peak_gib")}
    print(f"\n{rows:,} training rows, {max(rows // 4, 1000):,} test rows; "
          f"medians of {reps}; load average before: {os.getloadavg()[0]:.1f}\n")
    print("| | train s | predict s | total s | peak GiB | test accuracy | time / sklearn | memory / sklearn |")
    print("|---|---|---|---|---|---|---|---|")
    for name, runs in results.items():
        m = {k: statistics.median(r[k] for r in runs) for k in ("train_s", "predict_s", "total_s", "peak_gib",
                                                                 "accuracy")}
        print(f"| {name} | {m['train_s']:.1f} | {m['predict_s']:.1f} | {m['total_s']:.1f} | {m['peak_gib']:.2f} | "
              f"{m['accuracy']:.3f} | {m['total_s'] / ref['total_s']:.2f}x | {m['peak_gib'] / ref['peak_gib']:.2f}x |")
    notes = {name: runs[0]["note"] for name, runs in results.items() if runs[0]["note"]}
    for name, note in notes.items():
        print(f"\n{name}: {note}")


if __name__ == "__main__":
    main()
