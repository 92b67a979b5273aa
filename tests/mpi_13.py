"""Run under mpiexec by tests/test_mpi_13.py. Arguments: out, then the scenario: "wrong" (fits whose checkpoint
arguments rank 1 alone gets wrong, one after another on the same ranks) or "refused" (fits whose checkpoint
folder rank 0 refuses: a model file where the checkpoint goes, a folder under a file). Each rank writes what each
fit raised to out/rank{r}.json."""
import json
import sys
from pathlib import Path

import numpy as np
from mpi4py import MPI

import chainrule as cr

#: what rank 1 alone gives fit, and the words of the error one process raises for it
WRONG = {
    "empty checkpoint_dir": ({"checkpoint_dir": ""}, "checkpoint_dir is empty"),
    "resume not a flag": ({"resume": "yes"}, "resume must be"),
    "resume without a folder": ({"resume": True}, "resume=True needs checkpoint_dir"),
    "checkpoint_dir a number": ({"checkpoint_dir": 5}, "checkpoint_dir"),
}


def fit(comm, opts):
    X = np.random.default_rng(0).normal(size=(20, 3))
    y = (X[:, 0] > 0).astype(int)
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    net.fit(X, y, **{"epochs": 2, "seed": 3, "verbose": 0, "comm": comm, **opts})


def refused(out: Path) -> dict:
    """fit's checkpoint_dir for each folder rank 0 refuses (made by `made`)."""
    return {"a model file there": {"checkpoint_dir": str(out / "model")},
            "under a file": {"checkpoint_dir": str(out / "file" / "folder")}}


def made(out: Path) -> None:
    from chainrule.saving.checkpoint import checkpoint_path
    (out / "model").mkdir()
    cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1).save(
        checkpoint_path(out / "model"))
    (out / "file").write_text("not a folder")


def main():
    comm, out = MPI.COMM_WORLD, Path(sys.argv[1])
    rank = comm.Get_rank()
    cases = {name: opts if rank == 1 else {} for name, (opts, _) in WRONG.items()} if sys.argv[2] == "wrong" \
        else refused(out)
    seen = {}
    for name, opts in cases.items():
        try:
            fit(comm, opts)
            seen[name] = "trained"
        except Exception as exc:
            seen[name] = f"{type(exc).__name__}: {exc}"
    if sys.argv[2] == "refused":
        seen.update(callbacks_refused(comm, out / "resumed"))
    (out / f"rank{rank}.json").write_text(json.dumps(seen))


def callbacks_refused(comm, folder: Path) -> dict:
    """A resume whose callbacks' states one rank cannot take (rank 1 alone has an EarlyStopping; rank 0 alone
    has one the checkpoint lacks): what each rank raised (it was MPI_Abort, or a job left waiting)."""
    rank, seen = comm.Get_rank(), {}
    fit(comm, {"checkpoint_dir": str(folder)})
    for name, on in (("a callback of rank 1 alone", 1), ("a callback of rank 0 alone", 0)):
        try:
            fit(comm, {"checkpoint_dir": str(folder), "resume": True, "epochs": 4,
                       "callbacks": [cr.callbacks.EarlyStopping(patience=5)] if rank == on else []})
            seen[name] = "trained"
        except Exception as exc:
            seen[name] = f"{type(exc).__name__}: {exc}"
    return seen


if __name__ == "__main__":
    main()
