"""Run by tests/test_mpi71_ranks.py, under `mpiexec -n 2` or as one process (argument `one`). Arguments: DIR MODE
[one]. MODE `self`: two fits given comm=MPI.COMM_SELF (`self_intended`: the warning filtered as it says); `split`:
the same with a Split of one rank each; `both`: a fit without comm=, one given COMM_SELF, then both again;
`both_self_first`: the same, COMM_SELF first. MODE `evaluate`: a fit given comm=MPI.COMM_WORLD (one process: none),
then evaluate over the whole data, its numbers in DIR/evaluate-rankR.npy (one process: DIR/evaluate-one.npy)."""
import sys
import warnings
from pathlib import Path

import numpy as np

import chainrule as cr


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


def network():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0)


if __name__ == "__main__":
    folder, mode, one = Path(sys.argv[1]), sys.argv[2], sys.argv[3:] == ["one"]
    X, y = data()
    if mode == "evaluate":
        net = network()
        comm = None
        if not one:
            from mpi4py import MPI
            comm = MPI.COMM_WORLD
        net.fit(X, y, epochs=3, batch_size=10, seed=1, verbose=0, comm=comm)
        whole, part = net.evaluate(X, y, verbose=0), net.evaluate(X[:30], y[:30], verbose=0)
        name = "one" if one else f"rank{comm.Get_rank()}"
        numbers = [whole["loss"], whole["accuracy"], part["loss"], part["accuracy"]]
        np.save(folder / f"evaluate-{name}.npy", np.array(numbers))
    else:
        from mpi4py import MPI
        if mode == "self_intended":
            warnings.filterwarnings("ignore", message="comm has 1 rank")
        lone = MPI.COMM_WORLD.Split(MPI.COMM_WORLD.Get_rank()) if mode == "split" else MPI.COMM_SELF
        order = {"self": [lone, lone], "self_intended": [lone, lone], "split": [lone, lone],
                 "both": [None, lone, None, lone], "both_self_first": [lone, None, lone, None]}[mode]
        for comm in order:
            network().fit(X, y, epochs=1, batch_size=10, seed=1, verbose=0, comm=comm)
