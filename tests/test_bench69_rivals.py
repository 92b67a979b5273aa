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
    monkeypatch.delenv("PJRT_NPROC", raising=False)      # rivals sets it on import: put back after the test
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


def _pinned(first: str = "", **env) -> tuple[str, str, str]:
    """(PJRT_NPROC as the rivals' process has it once rivals.py is imported after `first`, NumPy's BLAS threads
    there, its stderr)."""
    code = ("import os, sys; sys.path.insert(0, sys.argv[1]); " + (first + "; " if first else "")
            + "import worker, rivals; print(os.environ.get('PJRT_NPROC'), worker.threads())")
    environ = {k: v for k, v in os.environ.items() if k not in ("NPROC", "PJRT_NPROC")}
    out = subprocess.run([sys.executable, "-c", code, str(BENCH)], capture_output=True, text=True, timeout=120,
                         env={**environ, **env}, check=False)
    assert out.returncode == 0, out.stderr
    nproc, blas = out.stdout.split()
    return nproc, blas, out.stderr


def test_xla_gets_the_threads_pytorch_gets():
    """XLA sizes its CPU pools from PJRT_NPROC, then NPROC (else a thread a CPU); PyTorch gets NumPy's BLAS
    threads. PJRT_NPROC, read first, is the one set: a PJRT_NPROC already in the environment overrode NPROC."""
    nproc, blas, _ = _pinned(OPENBLAS_NUM_THREADS="1")
    assert (nproc, blas) == ("1", "1")
    nproc, blas, _ = _pinned()
    assert nproc == blas
    nproc, blas, _ = _pinned(OPENBLAS_NUM_THREADS="1", PJRT_NPROC="7")
    assert (nproc, blas) == ("1", "1")


def test_importing_jax_first_still_pins_xla():
    """XLA sizes its pools when JAX's CPU client is made (the first computation), not at `import jax`: a process
    that imported JAX (Keras on JAX does on `import keras`) still gets the pin, where rivals.py raised on import.
    A client made already keeps its size: a warning says so. (Stand-in modules: no JAX is started.)"""
    fake = "import types; sys.modules['jax'] = types.ModuleType('jax')"
    nproc, blas, err = _pinned(fake, OPENBLAS_NUM_THREADS="1")
    assert (nproc, blas) == ("1", "1")
    assert "RuntimeWarning" not in err, err
    made = fake + "; b = sys.modules['jax._src.xla_bridge'] = types.ModuleType('b'); b._backends = {'cpu': 0}"
    _, _, err = _pinned(made, OPENBLAS_NUM_THREADS="1")
    assert "RuntimeWarning" in err and "CPU client exists already" in err, err


def test_the_results_header_says_the_rivals_threads(monkeypatch, tmp_path, capsys):
    import run
    from test_bench68_rivals import _whole_run
    results, _, _ = _whole_run(monkeypatch, tmp_path, absent=())
    line = next(line for line in results.splitlines() if line.startswith("- threads: "))
    n = run.threads_used()
    assert f"JAX and Keras (on its {run.keras_backend()} backend) get as many ({n}: XLA by PJRT_NPROC" in line, line
    assert "a thread a CPU" not in line, line
