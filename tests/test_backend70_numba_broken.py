"""Numba installed but failing to import (built for another NumPy, a half-done upgrade): with the kernels already
compiled and cached, the default mode stopped every long fit with Numba's bare ImportError, and CHAINRULE_NUMBA=1
showed that error without naming the variable or the way out."""
import json
import os
import subprocess
import sys

import numpy as np

SETUP = """
from chainrule.backend import warmup
warmup.ready = lambda: True               # the kernels compiled and cached before the upgrade broke Numba
warmup.LOAD_SECONDS = 0.0                 # every fit long enough to load them for
"""
BROKEN = 'raise ImportError("Numba needs NumPy 2.0 or less. Got NumPy 2.3.")\n'

FIT = """
import warnings
import numpy as np, chainrule as cr
X = np.random.default_rng(0).normal(size=(64, 3))
net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    net.fit(X, X[:, :1], epochs=2, batch_size=1, verbose=0)
    net.fit(X, X[:, :1], epochs=2, batch_size=1, verbose=0)
print(len([w for w in caught if "numba" in str(w.message)]), [(w.filename, str(w.message)) for w in caught][:1])
print(net.params.tolist())
"""


def run(tmp_path, mode: str, code: str = FIT, broken: bool = True):
    (tmp_path / "broken" / "numba").mkdir(parents=True, exist_ok=True)
    if not (tmp_path / "broken" / "numba" / "__init__.py").exists():
        (tmp_path / "broken" / "numba" / "__init__.py").write_text(BROKEN)
    src = os.path.dirname(os.path.dirname(os.path.abspath(__import__("chainrule").__file__)))
    env = {**os.environ, "CHAINRULE_NUMBA": mode, "NUMBA_CACHE_DIR": str(tmp_path / "cache"),
           "PYTHONPATH": os.pathsep.join(([str(tmp_path / "broken")] if broken else []) + [src])}
    return subprocess.run([sys.executable, "-c", SETUP + code], capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=120, check=False)


def test_the_default_trains_on_numpy_warned_once_where_numba_fails_to_import(tmp_path):
    broken = run(tmp_path, "auto")
    assert broken.returncode == 0, broken.stderr
    count, first = broken.stdout.splitlines()[0].split(" ", 1)
    assert count == "1" and "numba is installed but fails to import" in first and "Got NumPy 2.3" in first, first
    assert first.startswith("[('<string>', "), first         # the user's line, not chainrule's
    reference = run(tmp_path, "0", broken=False)          # NumPy's numbers, as CHAINRULE_NUMBA=0 gives them
    assert reference.returncode == 0, reference.stderr
    assert broken.stdout.splitlines()[1] == reference.stdout.splitlines()[1]


def test_always_the_kernels_names_the_variable_where_numba_fails_to_import(tmp_path):
    r = run(tmp_path, "1")
    assert r.returncode == 1
    assert "ImportError: CHAINRULE_NUMBA=1 asks for the compiled kernels, but numba, installed, fails to import " \
           "(ImportError: Numba needs NumPy 2.0 or less. Got NumPy 2.3.)" in r.stderr, r.stderr
    assert "unset CHAINRULE_NUMBA" in r.stderr
    np.savetxt(tmp_path / "d.csv", np.c_[np.arange(20.0) % 3, np.arange(20.0) % 2], delimiter=",", header="x,y",
               comments="", fmt="%g")
    r = run(tmp_path, "1", "from chainrule.cli import main; import sys; sys.exit(main(['train', 'd.csv', '--target', "
                           "'y', '--epochs', '1', '--quiet', '--out', 'm.npz']))")
    assert r.returncode == 5 and "CHAINRULE_NUMBA=1 asks for the compiled kernels" in r.stderr, r.stderr


RESUME = """
import warnings
import numpy as np, chainrule as cr
X = np.random.default_rng(0).normal(size=(64, 3))
net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    net.fit(X, X[:, :1], epochs={epochs}, batch_size=1, verbose=0, checkpoint_dir="run", resume=True, seed=0)
print([str(w.message) for w in caught if "resumed run's epochs so far" in str(w.message)])
"""


def test_a_resumed_run_names_the_failed_import_as_its_reason_for_numpy(tmp_path):
    """A run checkpointed on the kernels and resumed where Numba fails to import: the warning gave
    "numba not being installed here", which sent the user to install what was installed."""
    first = run(tmp_path, "0", RESUME.format(epochs=2), broken=False)
    assert first.returncode == 0, first.stderr
    path = tmp_path / "run" / "checkpoint.npz"      # its epochs recorded as run on the kernels, as a run compiling
    arrays = dict(np.load(path))                     # them (a minute on 2 cores) would record them
    meta = json.loads(str(arrays["__format__"]))
    assert meta["extra"]["kernel_path"] == "numpy", meta["extra"]
    meta["extra"].update(kernel_path="kernels", compiled_kernels=True)
    arrays["__format__"] = np.array(json.dumps(meta))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    resumed = run(tmp_path, "auto", RESUME.format(epochs=4))
    assert resumed.returncode == 0, resumed.stderr
    assert "it goes on on NumPy, numba failing to import here (ImportError: Numba needs NumPy 2.0 or less. Got " \
           "NumPy 2.3.)" in resumed.stdout, resumed.stdout


def test_compile_names_a_numba_that_fails_to_import_other_than_by_importerror(tmp_path):
    """`chainrule compile` imported Numba bare: a Numba built for another NumPy that fails with an AttributeError
    was called an internal error of chainrule (exit 1, 'a bug: report it')."""
    (tmp_path / "broken" / "numba").mkdir(parents=True)
    (tmp_path / "broken" / "numba" / "__init__.py").write_text('raise AttributeError("numpy has no attribute long")\n')
    r = run(tmp_path, "auto", "from chainrule.cli import main; import sys; sys.exit(main(['compile']))")
    assert r.returncode == 5, r.stderr
    assert "numba, which is installed but fails to import (AttributeError: numpy has no attribute long)" in r.stderr
    assert "pip install --upgrade numba" in r.stderr and "a bug" not in r.stderr
