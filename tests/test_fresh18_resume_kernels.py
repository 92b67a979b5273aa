"""What a checkpoint records of the kernels is whether the run's epochs used them, not whether they were
loaded: a run that never runs compiled (Adam's amsgrad; plain SGD of a small network with clip_norm: NumPy
alone) resumed under CHAINRULE_NUMBA=0 was warned that it left the compiled path. And CHAINRULE_NUMBA=1 without
Numba, resuming a compiled run, ended in a traceback from llvmlite (or warned of a minute of compiling, then
refused) instead of saying what to install."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def data():
    rng = np.random.default_rng(2)
    return rng.normal(size=(40, 3)), rng.normal(size=(40, 1))


OPTIMIZERS = {"amsgrad": lambda: cr.optim.Adam(0.01, amsgrad=True),
              "clipped sgd": lambda: cr.optim.SGD(0.01, clip_norm=1.0),
              "adam": lambda: cr.optim.Adam(0.01)}


def fit(epochs, ck=None, resume=False, opt="adam"):
    X, Y = data()
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=epochs, batch_size=8, seed=1, verbose=0, optimizer=OPTIMIZERS[opt](),
            checkpoint_dir=ck, resume=resume)
    return net


@needs_numba
@pytest.mark.parametrize("opt", ["amsgrad", "clipped sgd"])
def test_a_run_that_never_ran_compiled_resumes_on_numpy_without_a_word(monkeypatch, tmp_path, opt):
    monkeypatch.setattr(kernels, "ENABLED", True)              # the kernels loaded: this run cannot use them
    whole = fit(3, opt=opt)
    fit(2, tmp_path, opt=opt)
    monkeypatch.setattr(kernels, "ENABLED", False)             # CHAINRULE_NUMBA=0 for the resumed run
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed = fit(3, tmp_path, resume=True, opt=opt)
    assert [str(w.message) for w in said if w.category is RuntimeWarning] == []
    assert np.array_equal(resumed.params, whole.params)


@needs_numba
def test_a_run_that_ran_compiled_still_says_so(monkeypatch, tmp_path):
    monkeypatch.setattr(kernels, "ENABLED", True)
    fit(2, tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", False)
    with pytest.warns(RuntimeWarning, match="ran with the compiled kernels; it goes on on NumPy"):
        fit(3, tmp_path, resume=True)


RESUME_WITHOUT_NUMBA = """
import sys, warnings
for name in ("numba", "llvmlite", "llvmlite.binding"):
    sys.modules[name] = None                 # as on a machine where Numba (and its llvmlite) is not installed
import numpy as np, chainrule as cr
warnings.simplefilter("always")
rng = np.random.default_rng(2)
X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
net.fit(X, Y, epochs=3, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01), checkpoint_dir=sys.argv[1],
        resume=True)
"""


@needs_numba
def test_always_the_kernels_without_numba_refuses_a_compiled_runs_resume_naming_what_to_install(monkeypatch,
                                                                                                 tmp_path):
    monkeypatch.setattr(kernels, "ENABLED", True)
    fit(2, tmp_path)
    r = subprocess.run([sys.executable, "-c", RESUME_WITHOUT_NUMBA, str(tmp_path)], capture_output=True, text=True,
                       env={**os.environ, "CHAINRULE_NUMBA": "1"}, timeout=120, check=False)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == ("ModuleNotFoundError: CHAINRULE_NUMBA=1 asks for the compiled kernels, which "
                                         "need numba: install it, or unset CHAINRULE_NUMBA to train on NumPy"), r.stderr
    assert "Warning" not in r.stderr and "llvmlite" not in r.stderr, r.stderr


@needs_numba
def test_a_numpy_run_resumed_where_a_job_loaded_the_kernels_says_what_runs_it_on_numpy(monkeypatch, tmp_path):
    """The reason named what happened ('a job before loaded them in this process'), not what to do about it."""
    monkeypatch.setattr(kernels, "ENABLED", False)
    fit(2, tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", kernels.numba)       # as it was, after the test
    assert kernels.load(force=True)                            # a job before, in this process, loaded them
    with pytest.warns(RuntimeWarning) as said:
        fit(3, tmp_path, resume=True)
    assert [str(w.message) for w in said] == [
        "chainrule: the resumed run's epochs so far ran on NumPy; it goes on with the compiled kernels, which a job "
        "before loaded in this process (a new process runs on NumPy), so its numbers may differ in the last bits "
        "from an uninterrupted run's"]


@needs_numba
def test_the_minute_of_compiling_is_said_as_at_most_a_minute(monkeypatch, tmp_path):
    """The warning fired where Numba's cache held the kernels already (a job of 2 s) and promised a minute."""
    from chainrule.backend import warmup
    monkeypatch.setattr(kernels, "ENABLED", True)
    fit(2, tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)                # a new process
    monkeypatch.setattr(warmup, "ready", lambda: False)
    with pytest.warns(RuntimeWarning) as said:
        fit(3, tmp_path, resume=True)
    assert [str(w.message) for w in said] == [
        "chainrule: the resumed run's epochs so far ran with the compiled kernels, which are not compiled here yet: "
        "this job loads them first, compiling any its cache lacks (up to about a minute), so that it goes on bit for "
        "bit (CHAINRULE_NUMBA=0: at once on NumPy, its numbers off in the last bits)"]
