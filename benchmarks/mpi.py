"""Data-parallel training with MPI: time per step and the share spent in Allreduce, for 1 and 2
ranks on this machine.

    python benchmarks/mpi.py [--ranks 1,2] [--batch 128,1024] [--samples 16384]

Trains 784-256-128-10 (float32, Adam, generated data of Fashion-MNIST's shape) for one epoch
under `mpiexec -n R` (the mpich wheel's) for each rank count and global batch size, after an
untimed warm-up epoch, with NumPy's BLAS limited to one thread per rank (2 ranks on 2 cores).
Reports seconds per step, the seconds per step spent in Allreduce (the gradient sum, waiting for
the slower rank included), the same Allreduce timed alone with the ranks in step (median of 30:
the cost of moving the bytes, without the waiting), and the bytes each step reduces (4 x
parameters).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SIZES = (784, 256, 128, 10)


def rank_main(batch: int, samples: int) -> None:
    """One rank's part: train, time the steps and the Allreduce calls, rank 0 prints JSON."""
    from mpi4py import MPI

    import chainrule as cr
    import chainrule.training.distributed as dist

    spent = [0.0, 0]
    allreduce = dist.MPITrainer.allreduce

    def timed(self, buffer, *args, **kwargs):
        start = time.perf_counter()
        allreduce(self, buffer, *args, **kwargs)
        if buffer.size == net.n_params:          # the gradient, not the epoch's sums and counts
            spent[0] += time.perf_counter() - start
            spent[1] += 1
    dist.MPITrainer.allreduce = timed
    comm = MPI.COMM_WORLD
    rng = np.random.default_rng(0)
    X = rng.random((samples, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], size=samples)
    layers = [cr.Dense(a, b, "relu" if i < len(SIZES) - 2 else "softmax")
              for i, (a, b) in enumerate(zip(SIZES, SIZES[1:]))]
    net = cr.Network(layers, loss="categorical_crossentropy", dtype="float32", seed=0)
    net.fit(X[:batch * 4], y[:batch * 4], epochs=1, batch_size=batch, optimizer=cr.optim.Adam(1e-3),
            seed=0, verbose=0, comm=comm)                                       # warm-up
    spent[:] = [0.0, 0]
    comm.Barrier()
    start = time.perf_counter()
    net.fit(X, y, epochs=1, batch_size=batch, seed=1, verbose=0, comm=comm)
    seconds = time.perf_counter() - start
    total = comm.allreduce(seconds, op=MPI.MAX)
    reduce_s = comm.allreduce(spent[0], op=MPI.MAX)
    grads = np.ones(net.n_params, dtype=np.float32)      # the same Allreduce alone, ranks in step
    times = []
    for _ in range(30):
        comm.Barrier()
        start = time.perf_counter()
        comm.Allreduce(MPI.IN_PLACE, grads, op=MPI.SUM)
        times.append(time.perf_counter() - start)
    alone = comm.allreduce(float(np.median(times)), op=MPI.MAX)
    if comm.Get_rank() == 0:
        print(json.dumps({"ranks": comm.Get_size(), "batch": batch, "steps": spent[1], "seconds": total,
                          "allreduce": reduce_s, "alone": alone, "params": net.n_params}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    parser.add_argument("--ranks", default="1,2", help="rank counts to run, comma separated")
    parser.add_argument("--batch", default="128,1024", help="global batch sizes (split across the ranks)")
    parser.add_argument("--samples", type=int, default=16384, help="rows of generated training data")
    parser.add_argument("--rank-run", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rank_run:
        return rank_main(*args.rank_run)
    mpiexec = Path(sys.executable).parent / "mpiexec"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    print(f"784-256-128-10, float32, Adam, {args.samples} samples, one epoch; "
          f"{(SIZES[0] * SIZES[1] + SIZES[1] + SIZES[1] * SIZES[2] + SIZES[2] + SIZES[2] * SIZES[3] + SIZES[3])} "
          "parameters; NumPy's BLAS one thread per rank")
    print("| ranks | global batch | steps | ms/step | in Allreduce ms/step | share | Allreduce alone ms | bytes/step |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for batch in map(int, args.batch.split(",")):
        for ranks in map(int, args.ranks.split(",")):
            out = subprocess.run([str(mpiexec), "-n", str(ranks), sys.executable, __file__, "--rank-run",
                                  str(batch), str(args.samples)], capture_output=True, text=True, env=env,
                                 timeout=600, check=False)
            if out.returncode != 0:
                print(f"| {ranks} | {batch} | failed: {out.stderr.strip().splitlines()[-1:]} | | | | | |")
                continue
            r = json.loads(out.stdout.strip().splitlines()[-1])
            step = r["seconds"] / r["steps"] * 1e3
            red = r["allreduce"] / r["steps"] * 1e3
            print(f"| {ranks} | {batch} | {r['steps']} | {step:.2f} | {red:.2f} | {red / step:.0%} | "
                  f"{r['alone'] * 1e3:.3f} | {4 * r['params']:,} |")
    from run import provenance  # here, not at the top: the ranks (this file too) need none of it
    print("\n" + provenance(extra=("mpi4py", "mpich")))


if __name__ == "__main__":
    main()
