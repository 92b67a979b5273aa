"""Run by tests/test_mpi70_ranks.py, under `mpiexec -n 2` or as one process (argument `one`).
Arguments: DIR MODE [one]. MODE `alone`: two fits without comm= (mpi4py never imported); `alone_mpi4py`: the same
after `from mpi4py import MPI`; `intended`: the same with the warning filtered as it says; `comm`: a fit with comm.
MODE `report`: a fit with comm (one process: none), then evaluate and predict with verbose=1 and 2: their lines on
stdout. MODE `bar`: a ProgressBar subclass whose batch hooks read the logs, its losses in DIR/bar-rankR.npy (one
process: DIR/bar-one.npy). Its data, network and reading subclass are test_batch_hooks_compiled's too."""
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


def reading(base: type) -> type:
    """A user's subclass of the callback `base` with batch hooks of its own that read the logs fit gives them (as a bar
    showing each batch's loss): its `losses` and the count of batches `begun`."""
    class Reading(base):
        def __init__(self, *args):
            super().__init__(*args)
            self.losses, self.begun = [], 0

        def on_train_batch_begin(self, batch, logs=None):
            self.begun += 1

        def on_train_batch_end(self, batch, logs=None):
            super().on_batch_end(batch, logs)
            self.losses.append(logs["loss"])
    return Reading


def comm_world(one: bool):
    if one:
        return None
    from mpi4py import MPI
    return MPI.COMM_WORLD


if __name__ == "__main__":
    folder, mode, one = Path(sys.argv[1]), sys.argv[2], sys.argv[3:] == ["one"]
    X, y = data()
    if mode in ("alone", "alone_mpi4py", "intended", "comm"):
        if mode == "alone_mpi4py":
            from mpi4py import MPI  # noqa: F401
        if mode == "intended":
            warnings.filterwarnings("ignore", message="fit without comm=")
        for _ in range(2):
            network().fit(X, y, epochs=1, batch_size=10, seed=1, verbose=0,
                          comm=comm_world(False) if mode == "comm" else None)
        assert "mpi4py" not in sys.modules or mode in ("alone_mpi4py", "comm"), "mpi4py imported by chainrule"
    elif mode == "report":
        net = network()
        net.fit(X, y, epochs=2, batch_size=10, seed=1, verbose=0, comm=comm_world(one))
        for verbose in (1, 2):
            net.evaluate(X, y, verbose=verbose)
            net.predict(X, verbose=verbose)
    else:
        bar = reading(cr.callbacks.ProgressBar)()
        network().fit(X, y, epochs=2, batch_size=10, seed=1, verbose=0, comm=comm_world(one), callbacks=[bar])
        name = "one" if one else f"rank{comm_world(one).Get_rank()}"
        np.save(folder / f"bar-{name}.npy", np.array([*bar.losses, bar.begun]))
