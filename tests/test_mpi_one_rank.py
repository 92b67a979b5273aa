"""`chainrule train --mpi` as a job of one rank (no mpiexec, or `mpiexec -n 1`): its first line counts one rank
("1 rank", not "1 ranks"), and an error before training is the one process's line, as the command without --mpi
says it (there is no other rank to name: it said "rank 0 of 1 failed before training: ..."), as is a resume's
refusal of its callbacks in Python."""
import re
import subprocess
import sys

import numpy as np
import pytest
from conftest import cli, cmd
from mpi_env import MPIEXEC  # noqa: F401  (skips without mpi4py, fails without mpiexec)

import chainrule as cr
from chainrule.training.early_stopping import EarlyStopping


def test_a_one_rank_job_says_its_errors_as_one_process(tmp_path):
    missing = tmp_path / "nope.csv"
    args = ("train", missing, "--target", "y", "--out", tmp_path / "m.npz")
    alone = cmd(*args)                                       # the truth: the command without --mpi
    r = cli(*args, "--mpi")                                  # a real process: MPI starts as a singleton
    lines = r.stderr.strip().splitlines()
    assert re.fullmatch(r"MPI job of 1 rank: rank 0 is pid \d+ on \S+", lines[0]), lines
    assert (r.returncode, lines[-1]) == (alone.returncode, alone.stderr.strip().splitlines()[-1]), r.stderr
    assert len(lines) == 2 and alone.returncode == 2, r.stderr


RESUMED = """
import sys
import numpy as np
from mpi4py import MPI
import chainrule as cr
from chainrule.training.early_stopping import EarlyStopping
rng = np.random.default_rng(0)
X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)
net = lambda: cr.Network([cr.Dense(5, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)
net().fit(X, y, epochs=2, batch_size=16, seed=5, verbose=0, comm=MPI.COMM_WORLD, checkpoint_dir=sys.argv[1],
          callbacks=[EarlyStopping(monitor="loss", patience=5)])
try:
    net().fit(X, y, epochs=4, batch_size=16, seed=5, verbose=0, comm=MPI.COMM_WORLD, checkpoint_dir=sys.argv[1],
              resume=True)
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def test_a_one_rank_resume_says_the_callbacks_refusal_as_one_process(tmp_path):
    """A resume whose callbacks are not the checkpoint's: the one process's line (it said "rank 0 of 1 failed to
    restore the callbacks' states: ...")."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(64, 5)), rng.integers(0, 3, 64)

    def net():
        return cr.Network([cr.Dense(5, 8, "tanh"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1)
    net().fit(X, y, epochs=2, batch_size=16, seed=5, verbose=0, checkpoint_dir=tmp_path / "alone",
              callbacks=[EarlyStopping(monitor="loss", patience=5)])
    with pytest.raises(Exception) as alone:                      # the truth: the same resume without comm
        net().fit(X, y, epochs=4, batch_size=16, seed=5, verbose=0, checkpoint_dir=tmp_path / "alone", resume=True)
    r = subprocess.run([sys.executable, "-c", RESUMED, str(tmp_path / "job")], capture_output=True, text=True,
                       timeout=120, check=False)                 # MPI starts as a singleton: a job of one rank
    assert r.stdout.strip() == f"{type(alone.value).__name__} {alone.value}", r.stdout + r.stderr
