"""The JAX and Keras rivals measured as fairly as chainrule and PyTorch: Keras' warm-up trained the very model
then timed (the timed fit started from trained weights and a stepped optimizer), and XLA ran a thread a CPU
where PyTorch got NumPy's BLAS threads."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCH))


def test_the_keras_rivals_timed_fit_starts_from_untrained_weights_and_optimizer(monkeypatch):
    monkeypatch.delenv("NPROC", raising=False)           # rivals sets it on import: put back after the test
    monkeypatch.setenv("KERAS_BACKEND", os.environ.get("KERAS_BACKEND", "torch"))
    import keras
    import rivals
    starts = []
    fit = keras.Model.fit

    def recording(self, x, y, **kwargs):
        starts.append((len(x), [w.copy() for w in self.get_weights()], int(self.optimizer.iterations),
                       [keras.ops.convert_to_numpy(v).copy() for v in self.optimizer.variables
                        if v.path.rsplit("/", 1)[-1] not in ("iteration", "learning_rate")]))
        return fit(self, x, y, **kwargs)
    monkeypatch.setattr(keras.Model, "fit", recording)
    monkeypatch.setattr(rivals, "WARMUP_ROWS", 96)      # a short warm-up: the fault is the same at any length
    rng = np.random.default_rng(0)
    X, y = rng.random((120, 8), dtype=np.float32), rng.integers(0, 3, 120)
    sizes = [8, 6, 3]
    for opt in ("adam", "sgd"):
        starts.clear()
        rivals.mlp_keras(X, y, X[:10], y[:10], sizes, opt, 1e-2, 32, epochs=1, seed=3)
        assert len(starts) >= 2                          # a warm-up fit, then the timed one on all the rows
        rows, weights, iterations, state = starts[-1]
        fresh = rivals._keras(sizes, 3)[1].get_weights()  # the same model, never trained
        assert rows == len(X)
        assert iterations == 0, opt
        assert all(np.array_equal(a, b) for a, b in zip(weights, fresh)), opt
        assert all(not np.any(s) for s in state), opt    # Adam's moments, SGD's momentum: zero as at the start


def _pinned(**env) -> tuple[str, str]:
    """(NPROC as the rivals' process has it once rivals.py is imported, NumPy's BLAS threads there)."""
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); import worker, rivals; "
            "print(os.environ.get('NPROC'), worker.threads())")
    environ = {k: v for k, v in os.environ.items() if k != "NPROC"}
    out = subprocess.run([sys.executable, "-c", code, str(BENCH)], capture_output=True, text=True, timeout=120,
                         env={**environ, **env}, check=True)
    nproc, blas = out.stdout.split()
    return nproc, blas


def test_xla_gets_the_threads_pytorch_gets():
    """XLA sizes its CPU pool from NPROC (else a thread a CPU); PyTorch gets NumPy's BLAS threads."""
    nproc, blas = _pinned(OPENBLAS_NUM_THREADS="1")
    assert (nproc, blas) == ("1", "1")
    nproc, blas = _pinned()
    assert nproc == blas


def test_the_results_header_says_the_rivals_threads(monkeypatch, tmp_path, capsys):
    import run
    from test_bench68_rivals import _whole_run
    results, _, _ = _whole_run(monkeypatch, tmp_path, absent=())
    line = next(line for line in results.splitlines() if line.startswith("- threads: "))
    n = run.threads_used()
    assert f"JAX and Keras (XLA) get as many ({n}, by NPROC" in line, line
    assert "a thread a CPU" not in line, line
