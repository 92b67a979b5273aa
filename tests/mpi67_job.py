"""Run under mpiexec by tests/test_mpi67_ranks.py: fits whose callbacks differ between the ranks, each rank's
parameters written to DIR/KIND-CASE-rankR.npy (its history's learning_rate to DIR/KIND-CASE-rankR-lr.npy).
Arguments: DIR, or DIR before-fit: rank 1's script raises before its fit (its data missing), run as plain
`python mpi67_job.py`; or DIR hang: rank 1 hangs before its fit (under -m mpi4py); or DIR interrupt: a
KeyboardInterrupt on rank 1 in training."""
import sys
import time
from pathlib import Path

import numpy as np

import chainrule as cr

#: which ranks get the callback (EarlyStopping(restore_best_weights=True), or a LearningRateScheduler): the others none
CASES = {"rank0": {0}, "rank1": {1}, "every": {0, 1}}
KINDS = ("restore", "schedule", "warmup")


def callback(kind: str, net) -> list:
    """Loss watched with mode='max': the first epoch is the best, training stops after the third and the restored
    weights are the first epoch's, not the last's. The schedule raises the rate each epoch; the warm-up sets a
    higher one once, as the fit begins."""
    if kind == "warmup":
        return [cr.callbacks.LambdaCallback(on_train_begin=lambda logs: setattr(net.optimizer, "lr", 0.15))]
    if kind == "restore":
        return [cr.callbacks.EarlyStopping(monitor="loss", mode="max", patience=2, restore_best_weights=True)]
    return [cr.callbacks.LearningRateScheduler(lambda epoch, lr: 0.02 * (epoch + 1))]


def fit(kind: str, given: bool, comm=None):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(61, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(4, 6, "tanh"), cr.Dense(6, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=8 if kind == "restore" else 3, batch_size=10, optimizer=cr.optim.Adam(0.05), seed=2,
            verbose=0, callbacks=callback(kind, net) if given else [], comm=comm)
    return net


if __name__ == "__main__":
    from mpi4py import MPI
    comm = MPI.COMM_WORLD
    if sys.argv[2:] == ["before-fit"] and comm.Get_rank() == 1:
        raise FileNotFoundError("rank 1's data.csv")
    if sys.argv[2:] == ["hang"] and comm.Get_rank() == 1:      # under -m mpi4py: a rank whose data's reading hangs
        time.sleep(60)
    if sys.argv[2:] == ["interrupt"]:           # a Ctrl-C that reaches rank 1 in Python, while rank 0 waits in MPI
        class Interrupt(cr.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                if epoch == 1 and comm.Get_rank() == 1:
                    raise KeyboardInterrupt
        rng = np.random.default_rng(0)
        net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)
        net.fit(rng.normal(size=(40, 3)), np.arange(40) % 2, epochs=4, verbose=0, comm=comm, callbacks=[Interrupt()])
    for kind in KINDS:
        for case, ranks in CASES.items():
            net = fit(kind, comm.Get_rank() in ranks, comm)
            np.save(Path(sys.argv[1]) / f"{kind}-{case}-rank{comm.Get_rank()}.npy", net.params)
            np.save(Path(sys.argv[1]) / f"{kind}-{case}-rank{comm.Get_rank()}-lr.npy",   # the scheduler's logged rate
                    np.array(net.history.history.get("learning_rate", [])))
