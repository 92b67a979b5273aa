"""Under a real `mpiexec`: ranks that read different files are told so with each rank's file named (they were
told in samples alone), and a file mapped by a rank that is now shorter than its shape is refused naming the file
and its bytes (the rank died of SIGBUS, a "Bus error", and the others waited out the timeout)."""
import json
import os
import subprocess
import sys

import numpy as np
from conftest import cmd  # noqa: F401  (the tests' path: mpi_env beside it)
from mpi_env import HERE, MPIEXEC  # noqa: E402  (skips without mpi4py, fails without mpiexec)


def job(tmp_path, files, cut=None, name="run"):
    """Each rank's error (or None) for ranks reading `files` (one per rank) under `mpiexec -n len(files)`."""
    out = tmp_path / name
    out.mkdir()
    rng = np.random.default_rng(0)
    np.save(tmp_path / "y.npy", rng.integers(0, 2, 300))
    r = subprocess.run([str(MPIEXEC), "-n", str(len(files)), sys.executable, "-m", "mpi4py", str(HERE / "mpi_files.py"),
                        json.dumps({"files": [str(f) for f in files], "y": str(tmp_path / "y.npy"), "cut": cut,
                                    "out": str(out)})],
                       capture_output=True, text=True, timeout=120, check=False,
                       env={**os.environ, "CHAINRULE_MPI_TIMEOUT": "30", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    return [json.loads((out / f"rank{k}.json").read_text()) for k in range(len(files))]


def saved(path, rows, seed=0):
    np.save(path, np.random.default_rng(seed).normal(size=(rows, 5)))
    return path


def test_ranks_reading_files_of_other_lengths_are_told_each_file(tmp_path):
    a, b = saved(tmp_path / "a.npy", 200), saved(tmp_path / "b.npy", 150)
    results = job(tmp_path, [a, b])
    assert results[0] == results[1] and results[0]["error"] == "ValidationError"
    message = results[0]["message"]
    assert f"rank 1 has 150 samples read from {b} and batch_size 16" in message, message
    assert f"rank 0 has 200 read from {a}" in message, message


def test_ranks_reading_files_of_other_rows_are_told_each_file(tmp_path):
    a, b = saved(tmp_path / "a.npy", 200), saved(tmp_path / "b.npy", 200, seed=1)
    results = job(tmp_path, [a, b])
    assert results[0] == results[1] and results[0]["error"] == "ValidationError"
    assert f"rank 1 read {b}, rank 0 read {a}" in results[0]["message"], results[0]["message"]


def test_copies_of_one_file_at_other_paths_train(tmp_path):
    a, b = saved(tmp_path / "a.npy", 200), saved(tmp_path / "b.npy", 200)     # the same rows: a copy on each node
    assert job(tmp_path, [a, b]) == [None, None]


def test_a_file_cut_short_after_it_was_mapped_is_refused_on_every_rank(tmp_path):
    a, b = saved(tmp_path / "a.npy", 200), saved(tmp_path / "b.npy", 200)
    whole = os.path.getsize(b)
    results = job(tmp_path, [a, b], cut=1)
    assert results[0] == results[1] and results[0]["error"] == "ValidationError"
    message = results[0]["message"]
    assert message.startswith(f"rank 1 of 2 failed before training: X is mapped from {b}"), message
    assert f"needs {whole} bytes of the file, but the file has {whole // 2} bytes" in message, message


ONE_PROCESS = """
import sys, numpy as np, chainrule as cr
X, y = np.load(sys.argv[1], mmap_mode="r"), np.arange(300) % 2
import os; os.truncate(sys.argv[1], int(sys.argv[2]))
net = cr.Network([cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=1)
data, args = ((np.zeros((300, 5)), y), {"validation_data": (X, y)}) if sys.argv[3] == "val" else ((X, y), {})
try:
    net.fit(*data, epochs=1, verbose=0, **args)
except cr.errors.ValidationError as exc:
    print(exc)
"""


def test_a_file_cut_short_is_refused_in_one_process(tmp_path):
    """In a process of its own: the bus error killed the process."""
    for part in ("fit", "val"):
        path = saved(tmp_path / f"{part}.npy", 300)
        whole = os.path.getsize(path)
        done = subprocess.run([sys.executable, "-c", ONE_PROCESS, str(path), str(whole - 800), part],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, (done.returncode, done.stderr)
        said = done.stdout.strip()
        assert f"mapped from {path}" in said and f"needs {whole} bytes" in said, said
        assert f"has {whole - 800} bytes" in said, said


def test_train_mpi_names_the_csv_file_each_rank_read(tmp_path):
    """`mpiexec ... : ...` (or ranks whose working folders differ) gives ranks other files: the error says which."""
    for name, rows in (("a.csv", 40), ("b.csv", 30)):
        (tmp_path / name).write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(rows)))
    env = dict(os.environ, PATH=f"{MPIEXEC.parent}{os.pathsep}{os.environ['PATH']}", OMP_NUM_THREADS="1")
    rank = [sys.executable, "-m", "chainrule", "train", "--target", "y", "--epochs", "1", "--out", "m.npz", "--mpi"]
    done = subprocess.run([str(MPIEXEC), "-n", "1", *rank, "a.csv", ":", "-n", "1", *rank, "b.csv"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert f"read from {tmp_path / 'b.csv'}" in line and f"read from {tmp_path / 'a.csv'}" in line, line
