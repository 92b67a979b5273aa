"""Under a real `mpiexec -n 2`: a ModelCheckpoint or CSVLogger given to a rank other than 0 alone wrote nothing and
said nothing (rank 0 alone writes files under MPI, as Keras scripts under Horovod give such callbacks to rank 0):
rank 0 now warns once, naming the callback, the rank and the file. Given to every rank, rank 0 writes it, unwarned."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
from conftest import cmd  # noqa: F401  (the tests' path: mpi_env beside it)
from mpi_env import MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

SCRIPT = textwrap.dedent("""
    import json, sys, warnings
    from pathlib import Path
    import numpy as np
    from mpi4py import MPI
    import chainrule as cr

    out, ranks = Path(sys.argv[1]), json.loads(sys.argv[2])      # the ranks given the callbacks
    comm = MPI.COMM_WORLD
    rank = comm.Get_rank()
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 3)), rng.integers(0, 2, 64)
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    callbacks = [cr.callbacks.ModelCheckpoint(str(out / "ck.npz")),
                 cr.callbacks.CSVLogger(str(out / "log.csv"))] if rank in ranks else []
    with warnings.catch_warnings(record=True) as heard:
        warnings.simplefilter("always")
        net.fit(X, y, epochs=2, batch_size=16, seed=3, verbose=0, callbacks=callbacks, comm=comm)
    (out / f"rank{rank}.json").write_text(json.dumps([str(w.message) for w in heard]))
    (out / f"where{rank}.json").write_text(json.dumps([w.filename for w in heard]))
    np.save(out / f"params{rank}.npy", net.params)
""")


def job(tmp_path, ranks):
    """Each rank's warnings for callbacks given to `ranks` under `mpiexec -n 2`."""
    (tmp_path / "job.py").write_text(SCRIPT)
    r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-m", "mpi4py", str(tmp_path / "job.py"),
                        str(tmp_path), json.dumps(ranks)],
                       capture_output=True, text=True, timeout=120, check=False,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    return [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(2)]


def test_checkpoint_and_log_given_to_rank_1_alone_are_said_on_rank_0(tmp_path):
    said = job(tmp_path, [1])
    assert not (tmp_path / "ck.npz").exists() and not (tmp_path / "log.csv").exists()
    ours = [m for m in said[0] if "rank 1 of 2" in m]
    assert len(ours) == 2, said
    for kind, name in (("ModelCheckpoint", "ck.npz"), ("CSVLogger", "log.csv")):
        line = next(m for m in ours if m.startswith(kind))
        assert str(tmp_path / name) in line and "rank 0" in line and "nothing is written" in line
    assert said[1] == []


def test_checkpoint_and_log_given_to_every_rank_are_written_by_rank_0_unwarned(tmp_path):
    said = job(tmp_path, [0, 1])
    assert said == [[], []]
    import chainrule as cr
    np.testing.assert_array_equal(cr.load(tmp_path / "ck.npz").params, np.load(tmp_path / "params0.npy"))
    assert len((tmp_path / "log.csv").read_text().splitlines()) == 3       # the header and two epochs


def test_the_warning_points_at_the_user_s_fit_not_at_chainrule(tmp_path):
    """As chainrule's other warnings (and Keras'): the line shown is the script's call of fit."""
    job(tmp_path, [1])
    where = json.loads((tmp_path / "where0.json").read_text())
    assert where and all(os.path.samefile(w, tmp_path / "job.py") for w in where), where
