"""Run under mpiexec by tests/test_mpi68_ranks.py; each rank writes what it ended with to DIR. Arguments: DIR, then
"rates": warm-ups that set the rate per batch given to some ranks alone, each rank's parameters to
DIR/KIND-CASE-rankR.npy; "warnings": callbacks that print given to rank 1 alone and files named two ways, each rank's
warnings to DIR/warnings-rankR.txt; "overflow": TerminateOnNaN over a batch whose loss is finite and whose gradient
overflows float32, each rank's parameters, batch logs and epoch losses to DIR/overflow-LR-rankR.npz, and in float64
to DIR/overflow64-ROWS-rankR.npz."""
import os
import sys
import warnings
from pathlib import Path

import numpy as np

import chainrule as cr

#: which ranks get the warm-up (the others none)
CASES = {"rank0": {0}, "rank1": {1}, "every": {0, 1}}
#: a warm-up: the rate rising over the first batches, set as a batch begins or as one ends, or raised as an epoch ends
KINDS = ("begin", "end", "epoch_end")
RATES = (0.2, 1.0)
#: float64 (rows, rate) whose overflowing batch is an epoch's last (the next epoch's first stops), compared to 1e-12
WIDE = ((16, 0.2), (24, 0.5))


def warmup(kind: str, net) -> list:
    def rise(batch, logs=None):
        net.optimizer.lr = 0.01 * min(batch + 1, 5)

    def after(epoch, logs=None):             # an epoch's end: a rate above Adam(0.05)'s, as a warm-up over epochs
        net.optimizer.lr = 0.1 * (epoch + 1)
    if kind == "epoch_end":
        return [cr.callbacks.LambdaCallback(on_epoch_end=after)]
    return [cr.callbacks.LambdaCallback(**{f"on_train_batch_{kind}": rise})]


def fit(kind: str, given: bool, comm=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(61, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(4, 6, "tanh"), cr.Dense(6, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=2, batch_size=10, optimizer=cr.optim.Adam(0.05), seed=2, verbose=0,
            callbacks=warmup(kind, net) if given else [], comm=comm)
    return net


def divergent(lr: float, comm=None, dtype: str = "float32", rows: int = 64):
    """A 2-4-2 regression net whose rate diverges (tests/keras_twins.py's), fit under TerminateOnNaN: the
    batches logged (batch, loss), the epochs' losses and the weights."""
    rng = np.random.default_rng(0)
    X, Y = (rng.normal(size=(rows, 2)) * 3).astype(dtype), (rng.normal(size=(rows, 2)) * 3).astype(dtype)
    net = cr.Network([cr.Dense(2, 4, "relu"), cr.Dense(4, 2, "linear")], loss="mse", seed=0, dtype=dtype)
    seen = []
    cb = cr.callbacks.LambdaCallback(on_train_batch_end=lambda batch, logs: seen.append((batch, float(logs["loss"]))))
    net.fit(X, Y, batch_size=4, epochs=3, shuffle=False, verbose=0, optimizer=cr.optim.SGD(lr=lr), comm=comm,
            callbacks=[cr.callbacks.TerminateOnNaN(), cb])
    return net.params, np.array(seen), np.array(net.history.history["loss"])


def printing(folder: Path, rank: int, comm) -> None:
    """Rank 1 alone gets an EarlyStopping that prints and a progress bar; both ranks a CSVLogger and a
    ModelCheckpoint, each naming the same file another way (`./log.csv`, a link to the folder)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    os.chdir(folder)
    if rank == 0 and not (folder / "link").exists():
        os.symlink(folder, folder / "link")
    comm.Barrier()
    callbacks = [cr.callbacks.CSVLogger("log.csv" if rank == 0 else "./log.csv"),
                 cr.callbacks.ModelCheckpoint(str((folder if rank == 0 else folder / "link") / "m.npz"))]
    if rank == 1:
        callbacks += [cr.callbacks.EarlyStopping(monitor="loss", verbose=1), cr.callbacks.ProgressBar()]
    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        net.fit(X, np.arange(40) % 2, epochs=2, verbose=0, comm=comm, callbacks=callbacks)
    (folder / f"warnings-rank{rank}.txt").write_text("\n".join(str(w.message) for w in heard))


if __name__ == "__main__":
    from mpi4py import MPI
    comm, out = MPI.COMM_WORLD, Path(sys.argv[1])
    rank = comm.Get_rank()
    if sys.argv[2] == "rates":
        for kind in KINDS:
            for case, ranks in CASES.items():
                np.save(out / f"{kind}-{case}-rank{rank}.npy", fit(kind, rank in ranks, comm).params)
    elif sys.argv[2] == "warnings":
        printing(out, rank, comm)
    else:
        for lr in RATES:
            params, seen, losses = divergent(lr, comm)
            np.savez(out / f"overflow-{lr}-rank{rank}.npz", params=params, seen=seen, losses=losses)
        for rows, lr in WIDE:
            params, seen, losses = divergent(lr, comm, "float64", rows)
            np.savez(out / f"overflow64-{rows}-rank{rank}.npz", params=params, seen=seen, losses=losses)
