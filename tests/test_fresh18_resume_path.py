"""A resumed run continues bit for bit on the path the run took: with the kernels compiled
("auto"), whether a job loads them was decided on the epochs left, so the last epochs of a
12-epoch run that loaded them ran, resumed, on NumPy (float32 2.4e-7 off an uninterrupted run)."""
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
from conftest import StopAt

import chainrule as cr
from chainrule.backend import kernels, warmup
from chainrule.training import compiled

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


@needs_numba
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_a_resumed_run_of_few_epochs_left_takes_the_path_of_the_whole_run(monkeypatch, tmp_path, dtype):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(200, 6)), np.eye(3)[rng.integers(0, 3, 200)]

    def fit(ck=None, resume=False, k=0):
        monkeypatch.setattr(kernels, "numba", None)            # each job a new process, the kernels cached
        net = cr.Network([cr.Dense(6, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy",
                         seed=0, dtype=dtype)
        try:
            net.fit(X, Y, epochs=12, batch_size=4, optimizer=cr.optim.Adam(0.01), seed=3, verbose=0,
                    callbacks=[StopAt(k)], checkpoint_dir=ck, resume=resume)
        except KeyboardInterrupt:
            pass
        return net, kernels.numba is not None

    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(warmup, "ready", lambda: True)
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    seconds = []
    monkeypatch.setattr(warmup, "prepare", lambda s, owner=None: seconds.append(s) or False)
    net = cr.Network([cr.Dense(6, 16, "relu"), cr.Dense(16, 3, "softmax")], seed=0)
    compiled.prepare(net, 200, 12, 4)
    compiled.prepare(net, 200, 2, 4)
    monkeypatch.undo()
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(warmup, "ready", lambda: True)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", (seconds[0] + seconds[1]) / 2)   # 12 epochs load them, 2 do not
    whole, loaded = fit()
    assert loaded
    fit(tmp_path / "ck", k=10)
    resumed, loaded = fit(tmp_path / "ck", resume=True)
    assert np.array_equal(resumed.params, whole.params)
    assert loaded


@needs_numba
@pytest.mark.parametrize("first", [False, True])
def test_a_run_resumed_after_the_kernels_changed_goes_on_as_it_ran(monkeypatch, tmp_path, first):
    """The first run after an install runs on NumPy and compiles the kernels behind it; its resume
    found them and ran compiled (and a run begun compiled, resumed where they are not cached, on NumPy)."""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(120, 5)), np.eye(2)[rng.integers(0, 2, 120)]
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(warmup, "compile_in_background", lambda: False)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)           # every job long enough for them

    def fit(cached, ck=None, resume=False, k=0):
        monkeypatch.setattr(kernels, "numba", None)            # each job a new process
        monkeypatch.setattr(warmup, "_next_look", 0.0)
        monkeypatch.setattr(warmup, "ready", lambda: cached)
        net = cr.Network([cr.Dense(5, 8, "tanh"), cr.Dense(8, 2, "softmax")], loss="categorical_crossentropy",
                         seed=0, dtype="float32")
        try:
            net.fit(X, Y, epochs=6, batch_size=8, optimizer=cr.optim.Adam(0.01), seed=1, verbose=0,
                    callbacks=[StopAt(k)], checkpoint_dir=ck, resume=resume)
        except KeyboardInterrupt:
            pass
        return net, kernels.numba is not None

    whole, loaded = fit(first)
    assert loaded == first
    fit(first, tmp_path / "ck", k=3)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed, loaded = fit(not first, tmp_path / "ck", resume=True)
    assert loaded == first
    # the minute of compiling in the job is said, not a silent wait
    assert [str(w.message).split(":")[1] for w in said if w.category is RuntimeWarning] == first * [
        " the resumed run's epochs so far ran with the compiled kernels, which are not compiled here yet"]
    assert np.array_equal(resumed.params, whole.params)


@needs_numba
def test_a_resumed_run_that_cannot_take_its_path_says_so(monkeypatch, tmp_path):
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    monkeypatch.setattr(kernels, "ENABLED", True)
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=2, batch_size=8, seed=1, verbose=0, checkpoint_dir=tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", False)             # CHAINRULE_NUMBA=0 for the resumed run
    with pytest.warns(RuntimeWarning, match="ran with the compiled kernels; it goes on on NumPy") as said:
        net.fit(X, Y, epochs=3, batch_size=8, seed=1, verbose=0, checkpoint_dir=tmp_path, resume=True)
    assert [w.filename for w in said] == [__file__]            # the user's fit, not chainrule's trainer.py


RESUME_WITHOUT_NUMBA = """
import sys, warnings
sys.modules["numba"] = None                  # as on a machine where Numba is not installed
import numpy as np, chainrule as cr
warnings.simplefilter("always")
rng = np.random.default_rng(2)
X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
net.fit(X, Y, epochs=4, batch_size=8, seed=1, verbose=0, checkpoint_dir=sys.argv[1], resume=True)
"""


@needs_numba
def test_a_compiled_run_resumed_without_numba_says_once_that_numba_is_missing(monkeypatch, tmp_path):
    """Not "CHAINRULE_NUMBA=0, or Numba missing": the one reason, which the user can act on."""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    monkeypatch.setattr(kernels, "ENABLED", True)
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=2, batch_size=8, seed=1, verbose=0, checkpoint_dir=tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "CHAINRULE_NUMBA"}
    r = subprocess.run([sys.executable, "-c", RESUME_WITHOUT_NUMBA, str(tmp_path)], capture_output=True, text=True,
                       env=env, timeout=120, check=False)
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "RuntimeWarning" in line]
    assert len(said) == 1 and "ran with the compiled kernels; it goes on on NumPy, numba not being installed " \
                               "here (the 'fast' extra)" in said[0], r.stderr


@needs_numba
def test_the_command_line_says_the_resumed_runs_path_warning_once_as_its_own(monkeypatch, tmp_path):
    """`chainrule: warning: chainrule: the resumed run's ...`: the line's prefix and the warning's, both."""
    from conftest import cmd
    rng = np.random.default_rng(0)
    np.savetxt(tmp_path / "d.csv", np.c_[rng.normal(size=(60, 3)), np.arange(60) % 2], delimiter=",",
               header="a,b,c,y", comments="", fmt="%g")
    monkeypatch.setattr(kernels, "ENABLED", True)
    args = ["train", tmp_path / "d.csv", "--target", "y", "--hidden", "8", "--checkpoint-dir", tmp_path / "ck",
            "--quiet", "--out", tmp_path / "m.npz"]
    r = cmd(*args, "--epochs", "2")
    assert r.returncode == 0, r.stderr
    monkeypatch.setattr(kernels, "ENABLED", False)             # CHAINRULE_NUMBA=0 for the resumed run
    (tmp_path / "m.npz").unlink()
    r = cmd(*args, "--epochs", "3", "--resume")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if "warning" in line]
    assert said == ["chainrule: warning: the resumed run's epochs so far ran with the compiled kernels; it goes on on "
                    "NumPy, as CHAINRULE_NUMBA=0 asks, so its numbers may differ in the last bits from an "
                    "uninterrupted run's"], r.stderr
