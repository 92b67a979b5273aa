"""Training on a float32 memmap larger than this benchmark lets the process allocate.

    python benchmarks/memmap.py [--gb 4] [--dir DIR] [--epochs 1] [--keep]

Writes a (rows x 784) float32 .npy file of `--gb` gigabytes (Fashion-MNIST's row width, random
values) in a new folder (inside --dir when given), deleted with it at the end, or when the
benchmark fails or is stopped, unless --keep; then trains a 784-64-10 network on it for `--epochs`
epochs (Adam, batch 1024, shuffled) in a child process per network dtype (float64, float32), and
reports for each:

- the peak of the process's private memory (RssAnon, sampled every 10 ms): what training
  allocates. The child also runs under RLIMIT_DATA = --limit-gb (1 GiB by default), so a private
  allocation past that would have failed with MemoryError instead of being measured;
- the peak resident set (VmHWM). It also counts the pages of the file that the kernel has mapped
  in (RssFile): page cache shared with the file system, dropped under memory pressure, not memory
  that training holds;
- seconds per epoch.

Before chainrule read memmaps batch by batch, a float64 network converted the whole file first:
2 x --gb gigabytes of private memory.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import scratch

WIDTH, CLASSES = 784, 10


def status(field: str) -> int:
    """A /proc/self/status field in bytes (Linux)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    raise KeyError(field)


def make_file(path: Path, gb: float) -> int:
    rows = int(gb * 2**30) // (WIDTH * 4)
    X = np.lib.format.open_memmap(path, mode="w+", dtype=np.float32, shape=(rows, WIDTH))
    rng = np.random.default_rng(0)
    chunk = 16384
    for a in range(0, rows, chunk):
        X[a:a + chunk] = rng.standard_normal((min(chunk, rows - a), WIDTH), dtype=np.float32)
    X.flush()
    del X
    np.save(path.with_name("y.npy"), rng.integers(0, CLASSES, size=rows))
    os.sync()             # written back before the timed reads: the first run does not share the disk with it
    return rows


def child(folder: str, dtype: str, epochs: int, limit_gb: float) -> None:
    """Train in this (fresh) process and print one JSON line of measurements."""
    limit = int(limit_gb * 2**30)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
    import chainrule as cr
    X = np.load(Path(folder) / "x.npy", mmap_mode="r")
    y = np.load(Path(folder) / "y.npy")
    net = cr.Network([cr.Dense(WIDTH, 64, "relu"), cr.Dense(64, CLASSES, "softmax")],
                     loss="categorical_crossentropy", dtype=dtype, seed=0)
    peak = {"anon": status("RssAnon"), "file": status("RssFile")}
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.01):
            peak["anon"] = max(peak["anon"], status("RssAnon"))
            peak["file"] = max(peak["file"], status("RssFile"))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    start = time.perf_counter()
    history = net.fit(X, y, epochs=epochs, batch_size=1024, optimizer=cr.optim.Adam(1e-3), seed=0, verbose=0)
    seconds = (time.perf_counter() - start) / epochs
    done.set()
    sampler.join()
    print(json.dumps({"dtype": dtype, "rows": int(X.shape[0]), "anon": peak["anon"], "file": peak["file"],
                      "hwm": status("VmHWM"), "seconds": seconds, "loss": history.history["loss"][-1],
                      "limit": limit}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--gb", type=float, default=4.0, help="size of the float32 file (default 4)")
    parser.add_argument("--dir", help="where to make the new folder for the file (default: the system's temporary "
                                      "folder); the folder named is not removed")
    parser.add_argument("--epochs", type=int, default=1, help="epochs of training on the file")
    parser.add_argument("--limit-gb", type=float, default=1.0, help="RLIMIT_DATA of the training process")
    parser.add_argument("--keep", action="store_true", help="keep the file")
    parser.add_argument("--child", nargs=2, metavar=("FOLDER", "DTYPE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], args.epochs, args.limit_gb)
    with scratch.folder("chainrule-memmap-", args.dir, args.keep) as folder:
        free = shutil.disk_usage(folder).free / 2**30
        if free < args.gb * 1.1:
            sys.exit(f"{folder} has {free:.1f} GB free; the file needs {args.gb} GB")
        start = time.perf_counter()
        rows = make_file(folder / "x.npy", args.gb)
        gib = rows * WIDTH * 4 / 2**30
        # progress to stderr: the table is the results file (`make bench`), the scratch path is gone by then
        print(f"wrote {folder / 'x.npy'}: {gib:.2f} GiB in {time.perf_counter() - start:.0f} s", file=sys.stderr,
              flush=True)
        print(f"784-64-10, Adam, batch 1024, shuffled, {args.epochs} epoch(s) on a float32 file of {rows} x {WIDTH} "
              f"({gib:.2f} GiB); training process limited to {args.limit_gb:g} GiB of private memory (RLIMIT_DATA)")
        print("| network dtype | peak private memory (RssAnon) | peak resident (VmHWM) | of which file pages "
              "(RssFile) | s/epoch |")
        print("|---|---:|---:|---:|---:|")
        for dtype in ("float64", "float32"):
            out = subprocess.run([sys.executable, __file__, "--child", str(folder), dtype, "--epochs",
                                  str(args.epochs), "--limit-gb", str(args.limit_gb)],
                                 capture_output=True, text=True, check=False)
            if out.returncode != 0:
                print(f"| {dtype} | failed: {out.stderr.strip().splitlines()[-1]} | | | |")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            mib = 2**20
            print(f"| {dtype} | {r['anon'] / mib:.0f} MiB | {r['hwm'] / mib:.0f} MiB | {r['file'] / mib:.0f} MiB "
                  f"| {r['seconds']:.1f} |")
        print(f"(a float64 copy of the whole file would take {rows * WIDTH * 8 / 2**30:.1f} GiB)")
        from run import provenance  # here, not at the top: the children need none of it
        print("\n" + provenance())
    os.sync()


if __name__ == "__main__":
    main()
