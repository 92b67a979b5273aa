"""`chainrule train --stream` on Covertype-like CSV files of growing length: peak memory and time.

    python benchmarks/stream.py [--rows 1000000,3000000] [--epochs 1] [--dir DIR] [--keep] [--memory]

Each file comes from benchmarks/tabular.py's generator (40 numeric columns with gaps, text columns
of 5/40/300/2,000 categories, a 7-class text target). `chainrule train FILE --target cover --stream
--hidden 64 --batch-size 256 --impute mean` (up to 1,000 categories per text column, the default; 0.2 of
the rows held out) runs as a child process whose memory is sampled every 20 ms from
/proc/PID/status:

- private memory (RssAnon): what the process allocates. With --stream it does not grow with the
  file: the per-row arrays (class codes, row orders) are in temporary files;
- file pages (RssFile): the libraries, and the pages of the encoded inputs and orders mapped from
  disk, which chainrule hands back to the kernel past a budget (backend/pages.py; shuffled rows of
  a file larger than 1 GiB are read with preadv, not mapped);
- the peak resident set (ru_maxrss from wait4), which counts both.

--memory also trains without --stream on each file (the whole table in memory), to compare.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import scratch  # noqa: E402
from tabular import generate  # noqa: E402

MIB = 2**20


def status(pid: int) -> dict[str, int]:
    """RssAnon and RssFile of a process, in bytes (empty once it has exited)."""
    out = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key = line.split(":")[0]
                if key in ("RssAnon", "RssFile"):
                    out[key] = int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return out


def run(cmd: list[str]) -> dict:
    """Wall time, peaks of RssAnon / RssFile (sampled) and ru_maxrss (wait4) of one process."""
    peak = {"RssAnon": 0, "RssFile": 0}
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as log:
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, text=True)
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.02):
                for k, v in status(p.pid).items():
                    peak[k] = max(peak[k], v)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            _, usage = scratch.wait4(p)
        finally:
            done.set()
            sampler.join()
        log.seek(0)
        text = log.read()
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd[:6])} ... failed ({p.returncode}):\n{text[-3000:]}")
    return {"wall": time.perf_counter() - start, "anon": peak["RssAnon"], "file": peak["RssFile"],
            "hwm": usage.ru_maxrss * 1024, "log": text}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("--rows", default="1000000,3000000", help="comma-separated row counts")
    ap.add_argument("--epochs", type=int, default=1, help="train's --epochs")
    ap.add_argument("--chunk-rows", type=int, default=100_000, help="train --stream's --chunk-rows")
    ap.add_argument("--dir", help="folder for the CSV files and the encoded inputs (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the generated CSV files")
    ap.add_argument("--memory", action="store_true", help="also train without --stream, to compare")
    args = ap.parse_args()
    with scratch.files(args.dir, "chainrule-stream-bench-", args.keep) as folder:
        measure(args, folder)


def measure(args: argparse.Namespace, folder: Path) -> None:
    """Train on each size of CSV file (written into `folder` unless there already) and print the table."""
    env = {**os.environ, "TMPDIR": str(folder)}            # the encoded inputs go next to the CSV files
    rows = [int(r) for r in args.rows.split(",")]
    results = []
    for n in rows:
        path = folder / f"covertype-like-{n}.csv"
        if not path.exists():
            t = time.perf_counter()
            generate(path, n, seed=1)
            print(f"wrote {path} ({path.stat().st_size / 2**30:.2f} GiB) in {time.perf_counter() - t:.0f} s",
                  file=sys.stderr)
        modes = [["--stream", "--chunk-rows", str(args.chunk_rows)]] + ([[]] if args.memory else [])
        for mode in modes:
            cmd = [sys.executable, "-m", "chainrule.cli", "train", str(path), "--target", "cover", "--hidden",
                   "64", "--epochs", str(args.epochs), "--batch-size", "256", "--impute", "mean",
                   "--out", str(folder / "model.npz"), *mode]
            os.environ["TMPDIR"] = env["TMPDIR"]
            r = run(cmd)
            r.update(rows=n, size=path.stat().st_size, mode="--stream" if mode else "in memory")
            r["accuracy"] = next((line.split("accuracy ")[1] for line in r["log"].splitlines()
                                  if line.startswith("validation:")), "?")
            results.append(r)
            print(f"{n} rows, {r['mode']}: {r['wall']:.0f} s, RssAnon {r['anon'] / MIB:.0f} MiB, "
                  f"RssFile {r['file'] / MIB:.0f} MiB, maxrss {r['hwm'] / MIB:.0f} MiB", file=sys.stderr)
            print("\n".join("    " + line for line in r["log"].splitlines()), file=sys.stderr)
    print(f"\n{args.epochs} epoch(s), 64 hidden units, batch 256, chunks of {args.chunk_rows:,} rows; "
          f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    print("| rows | CSV file | path | wall time | peak private memory (RssAnon) | peak file pages (RssFile) "
          "| peak resident (maxrss) | validation accuracy |")
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['rows']:,} | {r['size'] / 2**30:.2f} GiB | {r['mode']} | {r['wall']:.0f} s | "
              f"{r['anon'] / MIB:,.0f} MiB | {r['file'] / MIB:,.0f} MiB | {r['hwm'] / MIB:,.0f} MiB | "
              f"{r['accuracy']} |")


if __name__ == "__main__":
    main()
