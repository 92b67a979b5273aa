"""Run under mpiexec by tests/test_mpi_agree.py: one scenario of errors before training or of
per-batch callbacks; each rank writes what it saw to out/rank{r}.json. Arguments: a JSON object."""
import json
import sys
import tracemalloc
from pathlib import Path

import numpy as np
from mpi4py import MPI

import chainrule as cr
from chainrule.training.callbacks import Callback
from chainrule.training.distributed import MPITrainer, agree

sys.path.insert(0, str(Path(__file__).parent))
import mpi_train  # noqa: E402


class BatchLosses(Callback):
    """Records the loss a per-batch callback is given."""

    def __init__(self):
        self.losses = []

    def on_batch_end(self, batch, logs):
        self.losses.append(logs["loss"])


def run(opts, comm):
    """The scenario's fit on this rank: what it returns is written to the rank's file."""
    rank = 0 if comm is None else comm.Get_rank()
    net, X, y = mpi_train.problem(opts)
    fit = {"epochs": 2, "batch_size": opts.get("batch_size", 32), "optimizer": cr.optim.SGD(0.1, momentum=0.9),
           "seed": 5, "verbose": opts.get("verbose", 0), "comm": comm}
    scenario = opts["scenario"]
    if scenario == "fewer_rows" and rank == 1:
        X, y = X[:-1], y[:-1]
    if scenario == "bad_input" and rank == 1:      # fit's own checks fail on this rank only
        X = X.copy()
        X[3, 2] = np.nan
    if scenario == "foreign_error" and rank == 1:
        try:                                        # another library's failure, brought to the meeting
            raise OSError("no space left on device (a simulated failure)")
        except Exception as exc:
            agree(comm, exc)
    if scenario == "other_run" and rank == 1:      # this rank's fit is not rank 0's
        kind = opts["kind"]
        if kind == "network":
            net = mpi_train.problem({**opts, "dtype": "float32"})[0]
        elif kind == "data":                        # the same rows in another order: each rank's own shuffle
            X, y = X[::-1].copy(), y[::-1].copy()
        else:
            fit.update({"epochs": {"epochs": 3}, "shuffle": {"shuffle": False}, "seed": {"seed": None},
                        "optimizer": {"optimizer": cr.optim.Adam(1e-2)}}[kind])
    if scenario == "stop_on_rank_0":                # only rank 0 (or the one process) has the callback
        fit["epochs"] = 8
        fit["callbacks"] = [cr.EarlyStopping(monitor="loss", min_delta=0.06, patience=1)] if rank == 0 else []
    if scenario == "memmap_validation":            # validation rows on disk, and the memory fit allocates
        fit["validation_data"] = (np.load(opts["val"], mmap_mode="r"), np.load(opts["val_y"]))
        tracemalloc.start()
    recorder = BatchLosses()
    if scenario == "batch_losses":
        fit["callbacks"] = [recorder]
    calls = [0]
    allreduce = MPITrainer.allreduce

    def counted(self, buffer, maximum=False):
        calls[0] += 1
        return allreduce(self, buffer, maximum)
    MPITrainer.allreduce = counted
    step_numbers = MPITrainer.step_numbers

    def counted_beside(self, batch_sums):           # the small Allreduce in flight beside the gradient's
        started = step_numbers(self, batch_sums)
        calls[0] += started is not None
        return started
    MPITrainer.step_numbers = counted_beside
    from chainrule.backend import kernels
    kernels.ENABLED = False                 # the one-process reference takes the NumPy loop, as the ranks do
    history = net.fit(X, y, **fit)
    steps = -(-X.shape[0] // fit["batch_size"]) * fit["epochs"]
    peak = tracemalloc.get_traced_memory()[1] if tracemalloc.is_tracing() else None
    tracemalloc.stop()
    return {"losses": recorder.losses, "allreduce_calls": calls[0], "steps": steps,
            "epoch_loss": history.history["loss"], "val_loss": history.history.get("val_loss"), "peak": peak}


def main():
    opts = json.loads(sys.argv[1])
    comm = MPI.COMM_WORLD
    try:
        result = run(opts, comm)
    except Exception as exc:
        result = {"error": type(exc).__name__, "message": str(exc)}
    Path(opts["out"], f"rank{comm.Get_rank()}.json").write_text(json.dumps(result))


if __name__ == "__main__":
    main()
