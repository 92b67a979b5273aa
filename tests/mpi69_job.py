"""Run by tests/test_mpi69_ranks.py, under `mpiexec -n 2` (comm) or as one process (argument `one`: no comm).
Arguments: DIR MODE [one]. MODE `print`: a fit whose every rank is given the callbacks that print (ProgressBar,
EpochLogger, EarlyStopping(verbose=1)) and a CSVLogger of DIR/log.csv, then a fit with verbose=2: their lines on
stdout. MODE `collectives`: fits with callbacks that hook each batch, each writing DIR/NAME-rankR.json (the count of
the fit's Allreduces), DIR/NAME-rankR.npy (its parameters) and DIR/NAME-rankR-logs.npy (the losses a LambdaCallback
read after each batch)."""
import json
import sys
from pathlib import Path

import numpy as np

import chainrule as cr
from chainrule.training.diagnostics import GradientDiagnostics

EPOCHS, STEPS = 2, 4            # 40 rows in batches of 10


def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    return X, (X[:, 0] + X[:, 1] > 0).astype(int)


#: the fits of `collectives`: their callbacks, and float32 ones named so
NAMES = ("none", "lambda", "diagnostics", "diagnostics_logs", "lambda_float32")


def network(name: str = ""):
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=0,
                      dtype="float32" if name.endswith("_float32") else "float64")


class LoggingDiagnostics(GradientDiagnostics):
    """A user's GradientDiagnostics that also reads each batch's logs: they must be the global batch's."""

    def __init__(self, read: list):
        super().__init__()
        self.read = read

    def on_batch_end(self, batch, logs=None):
        super().on_batch_end(batch, logs)
        self.read.append(logs["loss"])


def printing(out: Path, comm) -> None:
    X, y = data()
    callbacks = [cr.callbacks.ProgressBar(), cr.callbacks.EpochLogger(),
                 cr.callbacks.EarlyStopping(monitor="loss", mode="max", patience=0, verbose=1),
                 cr.callbacks.CSVLogger(str(out / "log.csv"))]
    network().fit(X, y, epochs=3, batch_size=10, seed=1, verbose=0, comm=comm, callbacks=callbacks)
    network().fit(X, y, epochs=2, batch_size=10, seed=1, verbose=2, comm=comm)


def callbacks(name: str, read: list) -> list:
    """None; a LambdaCallback that logs each batch's loss (as a script's print would); GradientDiagnostics; a
    subclass of it that reads the logs too."""
    return {"none": [], "diagnostics": [GradientDiagnostics()], "diagnostics_logs": [LoggingDiagnostics(read)],
            "lambda": [cr.callbacks.LambdaCallback(on_batch_end=lambda batch, logs: read.append(logs["loss"]))],
            }[name.removesuffix("_float32")]


def collectives(out: Path, comm, rank: int) -> None:
    from mpi4py import MPI

    class Counted(MPI.Intracomm):
        """The job's communicator, counting its Allreduces (blocking or not)."""
        calls = 0

        def Iallreduce(self, *args, **kwargs):
            Counted.calls += 1
            return super().Iallreduce(*args, **kwargs)

        def Allreduce(self, *args, **kwargs):
            Counted.calls += 1
            return super().Allreduce(*args, **kwargs)

    counted = Counted(comm)
    X, y = data()
    for name in NAMES:
        read: list = []
        Counted.calls = 0
        net = network(name)
        net.fit(X, y, epochs=EPOCHS, batch_size=10, seed=1, verbose=0, comm=counted, callbacks=callbacks(name, read))
        (out / f"{name}-rank{rank}.json").write_text(json.dumps({"allreduces": Counted.calls}))
        np.save(out / f"{name}-rank{rank}.npy", net.params)
        np.save(out / f"{name}-rank{rank}-logs.npy", np.array(read))


def one(out: Path) -> None:
    """The one-process truth of `collectives`: parameters and the losses read after each batch."""
    X, y = data()
    for name in NAMES:
        read: list = []
        net = network(name)
        net.fit(X, y, epochs=EPOCHS, batch_size=10, seed=1, verbose=0, callbacks=callbacks(name, read))
        np.save(out / f"{name}-one.npy", net.params)
        np.save(out / f"{name}-one-logs.npy", np.array(read))


if __name__ == "__main__":
    folder, mode = Path(sys.argv[1]), sys.argv[2]
    if sys.argv[3:] == ["one"]:
        printing(folder, None) if mode == "print" else one(folder)
    else:
        from mpi4py import MPI
        if mode == "print":
            printing(folder, MPI.COMM_WORLD)
        else:
            collectives(folder, MPI.COMM_WORLD, MPI.COMM_WORLD.Get_rank())
