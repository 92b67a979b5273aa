"""The background compiling failing, with nothing compiled yet (the first long jobs after an install): Numba
installed but failing to import, or importing but failing to compile. The process behind the job failed without a
word (its output goes nowhere), every later long job started another that failed the same way, and the user never
learnt why the kernels never came."""
import os
import subprocess
import sys

import numpy as np
import pytest

from chainrule.backend import kernels

BROKEN_IMPORT = 'raise ImportError("Numba needs NumPy 2.0 or less. Got NumPy 2.3.")\n'
# Numba imports, its compiler fails on the first kernel (an LLVM or typing error of a broken install)
BROKEN_COMPILE = """
import os
if os.environ.get("BREAK_NUMBA_COMPILE"):
    import numba

    def njit(*args, **kwargs):
        def wrap(f):
            def compiled(*a, **k):
                raise numba.core.errors.TypingError("Failed in nopython mode pipeline (step: native lowering)")
            return compiled
        return wrap
    numba.njit = njit
"""

FIT = """
import warnings
import numpy as np, chainrule as cr
from chainrule.backend import warmup
warmup.LOAD_SECONDS = 0.0                 # every fit long enough to load the kernels for, and to compile them
X = np.random.default_rng(0).normal(size=(64, 3))
net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
children = []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for _ in range(3):
        net.fit(X, X[:, :1], epochs=2, batch_size=1, verbose=0)
        if warmup.compiling is not None and warmup.compiling not in children:
            children.append(warmup.compiling)
            children[-1].wait(timeout=100)        # the compiling behind the job, done before the next job
        warmup._next_look = 0.0
print(len(children), [c.returncode for c in children])
print([(w.filename, str(w.message)) for w in caught if "numba" in str(w.message).lower() or "compil" in str(w.message)])
print(net.params.tolist())
"""


def run(tmp_path, mode, broken):
    site = tmp_path / "site"
    if broken == "import":
        (site / "numba").mkdir(parents=True, exist_ok=True)
        (site / "numba" / "__init__.py").write_text(BROKEN_IMPORT)
    elif broken == "compile":
        site.mkdir(exist_ok=True)
        (site / "sitecustomize.py").write_text(BROKEN_COMPILE)
    src = os.path.dirname(os.path.dirname(os.path.abspath(__import__("chainrule").__file__)))
    env = {**os.environ, "CHAINRULE_NUMBA": mode, "NUMBA_CACHE_DIR": str(tmp_path / f"cache-{broken}"),
           "PYTHONPATH": os.pathsep.join([str(site), src]), "BREAK_NUMBA_COMPILE": "1" if broken == "compile" else ""}
    r = subprocess.run([sys.executable, "-c", FIT], capture_output=True, text=True, env=env, cwd=tmp_path,
                       timeout=240, check=False)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


@pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra): its compiler is made to fail")
@pytest.mark.parametrize("broken, cause", [
    ("import", "ImportError: numba fails to import (ImportError: Numba needs NumPy 2.0 or less. Got NumPy 2.3.)"),
    ("compile", "TypingError: Failed in nopython mode pipeline (step: native lowering)")])
def test_a_failed_background_compiling_is_named_once_and_the_jobs_train_on_numpy(tmp_path, broken, cause):
    children, warned, params = run(tmp_path, "auto", broken)
    assert children == "1 [1]", children        # one compiling, which failed; the later jobs start none
    assert warned.count("failed") == 1 and cause in warned, warned
    assert warned.startswith("[('<string>', "), warned                     # at the user's line
    reference = run(tmp_path, "0", None)
    assert reference[0] == "0 []" and reference[1] == "[]"
    assert params == reference[2]                                          # NumPy's numbers, to the bit


@pytest.mark.skipif(not kernels.AVAILABLE, reason="the markers' names hold Numba's version")
def test_compile_force_forgets_a_failure(tmp_path, monkeypatch):
    """`chainrule compile --force` (`warmup.forget`) removes the failure with the markers: it held back every later
    background compiling of these sources."""
    from chainrule.backend import warmup
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    warmup._record_failure(RuntimeError("LLVM ERROR: Cannot select\nwhole trace"))
    assert warmup.failure() == "RuntimeError: LLVM ERROR: Cannot select"
    assert warmup.forget() == 1 and warmup.failure() == ""


@pytest.mark.skipif(not kernels.AVAILABLE, reason="the markers' names hold Numba's version")
def test_a_failure_is_forgotten_once_numpy_changes(tmp_path, monkeypatch):
    """Numba built for another NumPy, the usual failure to import, is repaired by installing another NumPy, not
    another Numba: the failure recorded under the old NumPy must not hold the repaired install's compiling back."""
    from chainrule.backend import warmup
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    warmup._record_failure(ImportError("Numba needs NumPy 2.0 or less. Got NumPy 2.3."))
    assert warmup.failure() == "ImportError: Numba needs NumPy 2.0 or less. Got NumPy 2.3."
    monkeypatch.setattr(np, "__version__", "2.0.2")
    assert warmup.failure() == ""


@pytest.mark.skipif(not kernels.AVAILABLE, reason="the markers' names hold Numba's version")
@pytest.mark.parametrize("exc", [OSError(28, "No space left on device"), MemoryError()])
def test_a_passing_failure_is_not_kept(tmp_path, monkeypatch, exc):
    """A full disk or a lack of memory says nothing of the install: the next long job compiles again."""
    from chainrule.backend import warmup
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    warmup._record_failure(exc)
    assert warmup.failure() == "" and not list(tmp_path.rglob("*.failed"))
