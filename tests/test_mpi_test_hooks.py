"""Under a real `mpiexec -n 2`: Keras' validation hooks (on_test_batch_end during fit's validation) given to every
rank. Each rank is called for every validation batch with one process's running logs, and the epoch's val_ logs
are one process's (the ranks' shards measured together)."""
import json
import subprocess
import sys

import numpy as np
import pytest
from mpi_env import MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

SCRIPT = """
import json, sys
import numpy as np
import chainrule as cr
from mpi4py import MPI


class Seen(cr.callbacks.Callback):
    def __init__(self):
        self.ends = []

    def on_test_batch_end(self, batch, logs=None):
        self.ends.append([batch, {k: float(v) for k, v in (logs or {}).items()}])


def run(comm):
    rng = np.random.default_rng(0)
    X, Xv = rng.normal(size=(90, 4)), rng.normal(size=(70, 4))
    y, yv = (X[:, 0] * X[:, 1] > 0).astype(int), (Xv[:, 0] * Xv[:, 1] > 0).astype(int)
    net = cr.Network([cr.Dense(4, 8, "tanh"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    seen = Seen()
    history = net.fit(X, y, epochs=2, batch_size=16, validation_data=(Xv, yv), seed=0, verbose=0, comm=comm,
                      callbacks=[seen])
    return {"history": history.history, "ends": seen.ends}


comm = MPI.COMM_WORLD
result = {"mpi": run(comm)}
if comm.Get_rank() == 0:
    result["one"] = run(None)
with open(f"{sys.argv[1]}/rank{comm.Get_rank()}.json", "w") as f:
    json.dump(result, f)
"""


def test_validation_hooks_under_mpi_are_one_processs(tmp_path):
    try:
        r = subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, "-c", SCRIPT, str(tmp_path)],
                           capture_output=True, text=True, timeout=120, check=False)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")
    assert r.returncode == 0, r.stderr
    ranks = [json.loads((tmp_path / f"rank{k}.json").read_text()) for k in range(2)]
    one = ranks[0]["one"]
    assert [b for b, _ in one["ends"]] == [0, 1, 2, 3, 4] * 2          # 70 rows in batches of 16, each epoch
    for rank in ranks:
        mpi = rank["mpi"]
        assert [b for b, _ in mpi["ends"]] == [b for b, _ in one["ends"]]
        for (_, theirs), (_, ours) in zip(mpi["ends"], one["ends"], strict=True):     # each batch's running logs
            assert theirs.keys() == ours.keys()
            np.testing.assert_allclose([theirs[k] for k in ours], list(ours.values()), rtol=1e-12)
        assert mpi["history"].keys() == one["history"].keys()
        for key, values in one["history"].items():
            np.testing.assert_allclose(mpi["history"][key], values, rtol=1e-12, err_msg=key)
