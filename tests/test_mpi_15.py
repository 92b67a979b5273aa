"""Under a real `mpiexec`: an MPI fit's warnings hook holds only the fitting thread's warnings, and only while the
fit runs (a catch_warnings left in another thread after the fit put the hook back: every later warning of ranks
other than 0 was swallowed, and another thread's were shown by rank 0 as the fit's); and `chainrule train --mpi`
run in a process (`main`) leaves the Python API's own line for a later fit's failure on one rank (its line and
exit code were the command's)."""
import os
import subprocess
import sys

import pytest
from mpi_env import MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)

THREAD = """
import threading, warnings
import numpy as np
from mpi4py import MPI
import chainrule as cr
comm = MPI.COMM_WORLD
rank = comm.Get_rank()
entered, warned = threading.Event(), threading.Event()
class Held(cr.callbacks.Callback):          # the fit waits (hook set) until the main thread has warned
    def on_train_begin(self, logs=None):
        entered.set()
        warned.wait(20)
def fit():
    X = np.random.default_rng(0).normal(size=(20, 3))
    net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
    net.fit(X, (X[:, 0] > 0).astype(int), epochs=2, seed=3, verbose=0, comm=comm, callbacks=[Held()])
t = threading.Thread(target=fit)
t.start()
entered.wait(20)
with warnings.catch_warnings():              # as pandas does, in the main thread, while the fit runs
    warnings.simplefilter("default")
    warnings.warn(f"the main thread of rank {rank}")
    warned.set()
    t.join()
warnings.warn(f"after the fit, rank {rank}")
comm.Barrier()
"""


def job(args, timeout=40):
    try:
        return subprocess.run([str(MPIEXEC), "-n", "2", sys.executable, *args], capture_output=True, text=True,
                              timeout=timeout, check=False, env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "20"})
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the job hung: {exc.stderr!r}")


def test_warnings_of_another_thread_and_after_the_fit_are_shown_by_their_rank():
    r = job(["-c", THREAD])
    assert r.returncode == 0, r.stderr
    lines = r.stderr.splitlines()
    for rank in (0, 1):
        for message in (f"the main thread of rank {rank}", f"after the fit, rank {rank}"):
            said = [line for line in lines if message in line]
            assert len(said) == 1 and f"UserWarning: {message}" in said[0], r.stderr   # once, not "rank 1 of 2: "


AFTER_THE_COMMAND = """
import sys
import numpy as np
from mpi4py import MPI
import chainrule as cr
from chainrule.cli import main
folder = sys.argv[1]
comm = MPI.COMM_WORLD
assert main(["train", f"{folder}/d.csv", "--target", "y", "--epochs", "1", "--quiet", "--out", f"{folder}/m.npz",
             "--mpi"]) == 0
def fail(epoch, logs=None):
    if comm.Get_rank() == 1:
        raise RuntimeError("the callback of rank 1")
X = np.random.default_rng(0).normal(size=(20, 3))
net = cr.Network([cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=1)
net.fit(X, (X[:, 0] > 0).astype(int), epochs=3, seed=3, verbose=0, comm=comm,
        callbacks=[cr.callbacks.LambdaCallback(on_epoch_end=fail)])
"""


def test_a_fit_after_the_command_in_the_same_process_fails_with_the_python_api_s_line(tmp_path):
    rows = "\n".join(f"{i % 7},{i % 3},{i % 2}" for i in range(30))
    (tmp_path / "d.csv").write_text(f"a,b,y\n{rows}\n")
    r = job(["-c", AFTER_THE_COMMAND, str(tmp_path)])
    assert (tmp_path / "m.npz").exists(), r.stderr
    assert r.returncode == 1, r.stderr
    said = [line for line in r.stderr.splitlines() if line.startswith("chainrule")]
    assert said == ["chainrule: rank 0 of 2 stopped: rank 1 failed, ending the MPI job (rank 1's output says why)",
                    "chainrule: rank 1 of 2 failed, ending the MPI job: RuntimeError: the callback of rank 1"], r.stderr
