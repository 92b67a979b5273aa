"""A memmap whose file was cut short after it was opened is refused by every reader, naming the file and its
bytes: predict and evaluate's X, the targets Y of fit and evaluate, validation Y and an on-disk sample_weight
(each read its missing rows and the process died of SIGBUS, a "Bus error"; fit's X: tests/test_mpi_files.py)."""
import os
import subprocess
import sys

CASES = """
import os, sys, numpy as np, chainrule as cr
X, y = np.random.default_rng(0).normal(size=(3000, 5)), np.arange(3000) % 2
np.save("X.npy", X); np.save("y.npy", y); np.save("w.npy", np.ones(3000))
net = cr.Network([cr.Dense(5, 2, "softmax")], loss="categorical_crossentropy", seed=1)
cases = {
    "predict": ("X.npy", lambda m: net.predict(m)),
    "evaluate X": ("X.npy", lambda m: net.evaluate(m, y)),
    "evaluate Y": ("y.npy", lambda m: net.evaluate(X, m)),
    "fit Y": ("y.npy", lambda m: net.fit(X, m, epochs=1, verbose=0)),
    "fit validation Y": ("y.npy", lambda m: net.fit(X, y, validation_data=(X, m), epochs=1, verbose=0)),
    "fit sample_weight": ("w.npy", lambda m: net.fit(X, y, sample_weight=m, epochs=1, verbose=0)),
}
for case, (path, call) in cases.items():
    whole = os.path.getsize(path)
    mapped = np.load(path, mmap_mode="r")
    os.truncate(path, whole // 3)
    try:
        call(mapped)
        print(case, "|", "no error", flush=True)
    except cr.errors.ValidationError as exc:
        print(case, "|", whole, whole // 3, os.path.abspath(path), "|", exc, flush=True)
    del mapped
    np.save("X.npy", X); np.save("y.npy", y); np.save("w.npy", np.ones(3000))
"""


def test_every_reader_refuses_a_memmap_cut_short(tmp_path):
    done = subprocess.run([sys.executable, "-c", CASES], cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env=dict(os.environ, OMP_NUM_THREADS="1"))
    lines = done.stdout.strip().splitlines()
    assert done.returncode == 0 and len(lines) == 6, (done.returncode, done.stdout, done.stderr)
    for line in lines:
        case, facts, said = line.split(" | ")
        whole, cut, path = facts.split()
        assert f"mapped from {path}" in said and f"needs {whole} bytes" in said and f"has {cut} bytes" in said, line
