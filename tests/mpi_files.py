"""Run under mpiexec by tests/test_mpi_files.py: each rank trains on the .npy file named for it, mapped
from disk (optionally cut short after it was opened); each rank writes the error it raised or None to
out/rank{r}.json. Arguments: a JSON object {"files": [one per rank], "cut": rank or None, "out": folder}."""
import json
import os
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

import chainrule as cr


def main():
    opts = json.loads(sys.argv[1])
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    path = opts["files"][rank]
    X = np.load(path, mmap_mode="r")
    y = np.load(opts["y"])[:X.shape[0]]
    if opts.get("cut") == rank:              # the file shrinks after it was opened (rewritten by another process)
        os.truncate(path, os.path.getsize(path) // 2)
    net = cr.Network([cr.Dense(X.shape[1], 4, "tanh"), cr.Dense(4, 2, "softmax")],
                     loss="categorical_crossentropy", seed=1)
    try:
        net.fit(X, y, epochs=1, batch_size=16, seed=3, verbose=0, comm=comm)
        result = None
    except Exception as exc:
        result = {"error": type(exc).__name__, "message": str(exc)}
    Path(opts["out"], f"rank{rank}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
