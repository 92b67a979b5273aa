"""Run under mpiexec by tests/test_mpi_12.py and tests/test_mpi_14.py. Arguments: out, then the scenario: "wrong"
(fits whose arguments rank 1 alone gets wrong, one after another on the same ranks; each rank writes what each fit
raised to out/rank{r}.json), "weighted" (fits with weighted validation data; each rank writes their histories),
"warnings" (a fit whose callbacks warn, on every rank or in one process), "one rank warns" (then "all" in one
process, else callbacks that warn given to ranks 1 and 2 alone or rank 1 alone), "one rank warns, then diverges"
(the same, in a fit that every rank ends with TrainingDiverged) or "diagnostics" (GradientDiagnostics on every rank,
then on rank 0 alone)."""
import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

import chainrule as cr

#: what rank 1 alone gives fit, and the words of the error one process raises for it
WRONG = {
    "sample_weight": ({"sample_weight": np.ones(20)}, "sample_weight and comm (MPI) cannot be combined"),
    "epochs": ({"epochs": -1}, "epochs must be an integer >= 0 (0 trains nothing); got -1"),
    "validation_freq": ({"validation_freq": 0}, "validation_freq must be"),
    "callbacks": ({"callbacks": [object()]}, "callbacks must be Callback instances; got object"),
    "optimizer": ({"optimizer": "nadam"}, "optimizer='nadam' is not known"),
    "optimizer of another network": ({"optimizer": cr.optim.Adam().bind(cr.Network([cr.Dense(3, 2)]))},
                                     "this Adam instance already trained another network"),
    "verbose": ({"verbose": 7}, "verbose must be 0, 1, 2 or 'auto'; got 7"),
}


def fit(comm, wrong):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    net.fit(X, y, **{"epochs": 2, "seed": 3, "verbose": 0, "comm": comm, **wrong})


#: fits with validation_data=(X, y, w), w zero on the first rows (a rank's share of them may weigh nothing)
WEIGHTED = {
    "classifier": {},
    "both accuracies, weights' mean": {"metrics": ["accuracy"], "weighted_metrics": ["accuracy"],
                                       "weight_reduction": "mean_with_sample_weight"},
    "regression": {"regression": True},
}


def weighted(comm, opts):
    """The history of a fit whose validation rows are weighted, under `comm` or in one process (None)."""
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    regression = opts.pop("regression", False)
    y = X @ [1.0, -2.0, 0.5] if regression else (X[:, 0] > 0).astype(int)
    w = np.r_[np.zeros(6), rng.uniform(0.5, 3.0, size=9)]
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1 if regression else 2, "linear" if regression else
                                                       "softmax")],
                     loss="mse" if regression else "categorical_crossentropy", seed=1)
    history = net.fit(X[15:], y[15:], epochs=3, batch_size=8, optimizer=cr.optim.SGD(0.1), seed=2, verbose=0,
                      validation_data=(X[:15], y[:15], w), comm=comm, **opts)
    return history.history


def diagnosed(comm, given):
    """The history of a fit with GradientDiagnostics (where `given`): saturated tanh and dead ReLU units; 41 rows
    in batches of 8, so that the last batch leaves two of three ranks without rows."""
    from chainrule.training.diagnostics import GradientDiagnostics
    X = np.random.default_rng(0).normal(size=(41, 3)) * 3
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dense(8, 6, "tanh"), cr.Dense(6, 2, "softmax")],
                     loss="categorical_crossentropy", seed=1)
    history = net.fit(X, (X[:, 0] > 0).astype(int), epochs=3, batch_size=8, seed=3, verbose=0, comm=comm,
                      callbacks=[GradientDiagnostics(warn=False)] if given else [])
    return history.history


def main():
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    if sys.argv[2] == "warnings":             # callbacks given on every rank that warn: monitors without validation
        X = np.random.default_rng(0).normal(size=(20, 3))
        net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
        net.fit(X, (X[:, 0] > 0).astype(int), epochs=3, seed=3, verbose=0, comm=comm,
                callbacks=[cr.EarlyStopping(monitor="val_loss"), cr.ReduceLROnPlateau(monitor="val_loss"),
                           cr.ModelCheckpoint(str(Path(sys.argv[1]) / "m.npz"), save_best_only=True)])
        return
    if sys.argv[2] == "one rank warns":       # callbacks that warn given to some ranks only ("all": one process's)
        X = np.random.default_rng(0).normal(size=(20, 3))
        net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
        alone = sys.argv[3] == "all" or rank == 1
        net.fit(X, (X[:, 0] > 0).astype(int), epochs=3, seed=3, verbose=0, comm=comm,
                callbacks=[cr.ModelCheckpoint(str(Path(sys.argv[1]) / "m.npz"), save_best_only=True)]
                + [cr.EarlyStopping(monitor="val_loss")] * (alone or rank == 2)
                + [cr.ReduceLROnPlateau(monitor="val_loss")] * alone)
        return
    if sys.argv[2] == "one rank warns, then diverges":   # rank 1's callback warns ("all": one process's)
        import warnings
        X = np.random.default_rng(0).normal(size=(20, 3)) * 1e3
        net = cr.Network([cr.Dense(3, 1, "linear")], loss="mse", seed=1)
        own = cr.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs=None: warnings.warn("this rank's own"))
        try:
            net.fit(X, X @ [1.0, 2.0, 3.0], epochs=50, seed=3, verbose=0, comm=comm, optimizer=cr.optim.SGD(10.0),
                    callbacks=[own] if sys.argv[3] == "all" or rank == 1 else [])
        except cr.errors.TrainingDiverged:
            return
        raise AssertionError("the fit did not diverge")
    if sys.argv[2] == "diagnostics":
        runs = {"every rank": diagnosed(comm, True)}
        try:
            diagnosed(comm, rank == 0)
        except cr.errors.ValidationError as exc:
            runs["rank 0 alone"] = str(exc)
        (Path(sys.argv[1]) / f"rank{rank}.json").write_text(json.dumps(runs))
        return
    if sys.argv[2] == "weighted":
        runs = {name: weighted(comm, dict(opts)) for name, opts in WEIGHTED.items()}
        (Path(sys.argv[1]) / f"rank{rank}.json").write_text(json.dumps(runs))
        return
    seen = {}
    for name, (wrong, _) in WRONG.items():
        try:
            fit(comm, wrong if rank == 1 else {})
            seen[name] = "trained"
        except Exception as exc:
            seen[name] = f"{type(exc).__name__}: {exc}"
    (Path(sys.argv[1]) / f"rank{rank}.json").write_text(json.dumps(seen))


if __name__ == "__main__":
    main()
