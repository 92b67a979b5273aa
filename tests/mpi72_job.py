"""Run by tests/test_mpi72_failing_rank.py under `mpiexec -n 2`: a fit given comm=MPI.COMM_WORLD whose callback
raises on rank FAIL (the first argument) after epoch 2 (`interrupt` as the second argument: a KeyboardInterrupt)."""
import sys

import numpy as np
from mpi4py import MPI

import chainrule as cr


class Fails(cr.callbacks.Callback):
    def __init__(self, rank: int, interrupt: bool):
        self.rank, self.interrupt = rank, interrupt

    def on_epoch_end(self, epoch, logs=None):
        if MPI.COMM_WORLD.Get_rank() == self.rank and epoch == 1:
            raise KeyboardInterrupt if self.interrupt else RuntimeError("the node's scratch disk is gone")


if __name__ == "__main__":
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 3))
    y = (X[:, 0] > 0).astype(int)
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=4, batch_size=16, verbose=0, comm=MPI.COMM_WORLD,
            callbacks=[Fails(int(sys.argv[1]), sys.argv[2:] == ["interrupt"])])
