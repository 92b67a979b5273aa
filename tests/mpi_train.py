"""Run under mpiexec by tests/test_mpi.py: train one network data-parallel and write each rank's
parameters and history. Arguments: a JSON object of options (see `main`)."""
import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

import chainrule as cr


def problem(opts):
    rng = np.random.default_rng(0)
    n, d = opts.get("n", 203), 7
    X = rng.normal(size=(n, d))
    y = (X[:, 0] * X[:, 1] > 0).astype(int) + (X[:, 2] > 0.7)
    layers = [cr.Dense(d, 16, "tanh")]
    if opts.get("dropout"):
        layers.append(cr.Dropout(0.3))
    layers += [cr.Dense(16, 8, "relu"), cr.Dense(8, 3, "softmax")]
    net = cr.Network(layers, loss="categorical_crossentropy", dtype=opts.get("dtype", "float64"), seed=1)
    return net, X, y


def optimizer(opts):
    if opts.get("nan_update"):            # Adam without eps on an input column of zeros: 0/0 in the first update
        return cr.optim.Adam(1e-2, eps=0.0)
    return cr.optim.Adam(1e-2) if opts.get("optimizer", "adam") == "adam" else cr.optim.SGD(0.1, momentum=0.9)


def train(opts, comm=None):
    net, X, y = problem(opts)
    rows = [0]
    step = net.train_batch

    def counted(xb, yb):                  # the rows this process trained on
        rows[0] += xb.shape[0]
        return step(xb, yb)
    rank = 0 if comm is None else comm.Get_rank()
    if opts.get("diverge_call") and (comm is None or rank == opts.get("diverge_rank", 0)):   # its k-th batch

        def counted(xb, yb):
            rows[0] += xb.shape[0]
            counted.calls += 1
            if counted.calls == opts["diverge_call"]:
                raise cr.errors.TrainingDiverged("the loss is not finite (a simulated divergence)")
            return step(xb, yb)
        counted.calls = 0
    net.train_batch = counted
    net.rows_trained = rows
    if opts.get("memmap"):
        path = Path(opts["memmap"])
        X = np.load(path, mmap_mode="r")
    if opts.get("nan_update"):
        X = X.copy()
        X[:, 2] = 0.0
    # the reference runs the NumPy loop, as the ranks do: the compiled whole-fit loop (taken when
    # the kernels are cached) never calls train_batch, so it would count no rows
    from chainrule.backend import kernels
    enabled, kernels.ENABLED = kernels.ENABLED, False
    callbacks = [cr.EarlyStopping(patience=opts["early"], restore_best_weights=True)] if opts.get("early") else []
    if opts.get("plateau_on_rank_0") and (comm is None or comm.Get_rank() == 0):    # rank 0's alone
        callbacks.append(cr.ReduceLROnPlateau(monitor="loss", min_delta=10.0, patience=1, factor=0.5))
    if opts.get("stop_after") and (comm is None or opts.get("stop_rank") is None or rank == opts["stop_rank"]):

        class StopAfter(cr.callbacks.Callback):   # stops after the k-th batch of the run (Keras' way)
            calls = 0

            def on_train_batch_end(self, batch, logs=None):
                self.calls += 1
                if self.calls == opts["stop_after"]:
                    self.model.stop_training = True
        callbacks.append(StopAfter())
    net.batch_logs = []
    if opts.get("batch_logs"):            # every batch's logs, as a callback reads them

        class Record(cr.callbacks.Callback):
            def on_train_batch_end(self, batch, logs=None):
                net.batch_logs.append(dict(logs))
        callbacks.append(Record())
    if opts.get("terminate"):
        callbacks.append(cr.callbacks.TerminateOnNaN())
    if opts.get("files"):                 # the callbacks that write or print, given on every rank
        folder = Path(opts["files"])
        callbacks += [cr.ReduceLROnPlateau(monitor="loss", min_delta=10.0, patience=1, factor=0.5, verbose=1),
                      cr.CSVLogger(folder / "log.csv"), cr.ModelCheckpoint(str(folder / "model-{epoch}.npz"))]
    try:
        history = net.fit(X, y, epochs=opts.get("epochs", 4), batch_size=opts.get("batch_size", 32),
                          optimizer=optimizer(opts), seed=5, verbose=opts.get("verbose", 0),
                          validation_split=opts.get("validation_split", 0.0), comm=comm, callbacks=callbacks,
                          checkpoint_dir=opts.get("checkpoint_dir"), resume=opts.get("resume", False))
    finally:
        kernels.ENABLED = enabled
    return net, history


def main():
    opts = json.loads(sys.argv[1])
    comm = MPI.COMM_WORLD
    if opts.get("fail_rank") == comm.Get_rank():
        import chainrule.training.distributed as dist
        original = dist.MPITrainer.run_epoch

        def failing(self, epoch, epochs):
            if epoch == 1:
                raise RuntimeError("disk full (a simulated failure)")
            return original(self, epoch, epochs)
        dist.MPITrainer.run_epoch = failing
    if opts.get("hang_rank") == comm.Get_rank():
        import time

        import chainrule.training.distributed as dist
        original = dist.MPITrainer.run_epoch

        def hanging(self, epoch, epochs):
            if epoch == 1:
                time.sleep(60)
            return original(self, epoch, epochs)
        dist.MPITrainer.run_epoch = hanging
    if opts.get("files"):                 # how many files this rank saved
        saves, save = [0], cr.Network.save

        def counted_save(self, *args, **kwargs):
            saves[0] += 1
            return save(self, *args, **kwargs)
        cr.Network.save = counted_save
    try:
        net, history = train(opts, comm)
    except cr.errors.TrainingDiverged as exc:      # each rank says it raised it (the runner would abort the job)
        (Path(opts["out"]) / f"diverged{comm.Get_rank()}.txt").write_text(str(exc))
        return
    if opts.get("files"):
        (Path(opts["out"]) / f"saves{comm.Get_rank()}.txt").write_text(str(saves[0]))
    out = Path(opts["out"])
    np.save(out / f"params{comm.Get_rank()}.npy", net.params)
    (out / f"history{comm.Get_rank()}.json").write_text(json.dumps(history.history))
    (out / f"rows{comm.Get_rank()}.txt").write_text(str(net.rows_trained[0]))
    (out / f"batches{comm.Get_rank()}.json").write_text(json.dumps(net.batch_logs))


if __name__ == "__main__":
    main()
