"""Run under mpiexec by tests/test_pyapi_28.py: a data-parallel fit whose last update leaves finite weights whose
outputs overflow (a rate of 1e300), without validation; each rank writes what it raised (or "none") to
OUT/diverged{rank}.txt. Arguments: OUT, then "checkpoint" for a ModelCheckpoint given to rank 0 alone, over 2 epochs.
`fit_one` is the same fit in one process."""
import sys
from pathlib import Path

import numpy as np

import chainrule as cr


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return X, X @ np.array([[2.0], [-1.0]])


def fit_one(out, checkpoint, comm=None):
    X, y = data()
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    rank = 0 if comm is None else comm.Get_rank()
    callbacks = [cr.ModelCheckpoint(str(Path(out) / "best.npz"))] if checkpoint and rank == 0 else []
    try:
        net.fit(X, y, epochs=2 if checkpoint else 1, batch_size=40, optimizer=cr.optim.SGD(lr=1e300), verbose=0,
                shuffle=False, callbacks=callbacks, comm=comm)
    except cr.errors.TrainingDiverged as exc:
        return str(exc)
    return "none"


if __name__ == "__main__":
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    said = fit_one(sys.argv[1], sys.argv[2:] == ["checkpoint"], comm)
    (Path(sys.argv[1]) / f"diverged{comm.Get_rank()}.txt").write_text(said)
