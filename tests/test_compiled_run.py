"""A whole fit in one compiled call, and the start-up policy: no job waits for Numba."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import cachedir, kernels
from chainrule.training import compiled

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def digits(n=300):
    from sklearn.datasets import load_digits
    X, y = load_digits(return_X_y=True)
    return X[:n] / 16.0, y[:n]


def fit(monkeypatch, numba, opt, **kw):
    monkeypatch.setattr(kernels, "ENABLED", numba)
    X, y = digits()
    net = cr.Network([cr.Dense(64, 12, "tanh"), cr.Dense(12, 10, "softmax")], loss="categorical_crossentropy",
                     dtype=kw.pop("dtype", "float64"), seed=4)
    hist = net.fit(X.astype(net.dtype), y, epochs=6, batch_size=32, optimizer=opt(), seed=5, **kw)
    return net, hist


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("opt", [lambda: cr.optim.SGD(0.05, momentum=0.9), lambda: cr.optim.Adam(0.01)])
def test_whole_fit_in_one_compiled_call_equals_the_numpy_loop(monkeypatch, shuffle, opt):
    calls = []
    real = compiled.run
    monkeypatch.setattr(compiled, "run", lambda *a, **k: calls.append(a[6]) or real(*a, **k))
    a, ha = fit(monkeypatch, False, opt, shuffle=shuffle, verbose=0)
    b, hb = fit(monkeypatch, True, opt, shuffle=shuffle, verbose=0)
    assert calls == [6]                      # six epochs, one call
    np.testing.assert_allclose(b.params, a.params, rtol=1e-10, atol=1e-13)
    assert hb.epoch == ha.epoch == list(range(6)) and b.epochs_trained == 6
    for key in ("loss", "accuracy"):
        np.testing.assert_allclose(hb.history[key], ha.history[key], rtol=1e-10)
    assert a.optimizer.t == b.optimizer.t == 6 * 10


def test_callbacks_that_need_python_get_one_call_per_epoch(monkeypatch):
    calls = []
    real = compiled.run
    monkeypatch.setattr(compiled, "run", lambda *a, **k: calls.append(a[6]) or real(*a, **k))
    stopper = cr.EarlyStopping(monitor="loss", patience=100)
    fit(monkeypatch, True, lambda: cr.optim.Adam(0.01), verbose=0, callbacks=[stopper])
    assert calls == [1] * 6
    calls.clear()
    X, y = digits()
    fit(monkeypatch, True, lambda: cr.optim.Adam(0.01), verbose=0, validation_data=(X[:50], y[:50]))
    assert calls == [1] * 6


def test_float32_whole_fit(monkeypatch):
    a, _ = fit(monkeypatch, False, lambda: cr.optim.Adam(0.01), verbose=0, dtype="float32")
    b, _ = fit(monkeypatch, True, lambda: cr.optim.Adam(0.01), verbose=0, dtype="float32")
    assert b.params.dtype == np.float32
    np.testing.assert_allclose(b.params, a.params, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("call", ["fit", "train_steps", "fit that fails", "fit stopped with Ctrl-C"])
def test_kernels_missing_for_a_job_are_compiled_once_it_is_done_not_beside_it(call, monkeypatch):
    """A job long enough for the kernels, when they are not compiled yet, runs on NumPy and starts
    the compiling process after its last step (on a 2-core machine it slowed the job by a fifth
    to a half), once, whether the job ended well or not; not when the user stopped it (Ctrl-C),
    who expects nothing to go on running."""
    from chainrule.backend import warmup
    started, seen_during = [], []
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)          # any job is long enough
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    monkeypatch.setattr(warmup, "compile_in_background", lambda: started.append(1))

    class Watch(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            seen_during.append(len(started))
            if call == "fit that fails" and epoch == 1:
                raise RuntimeError("a callback's own error")
            if call == "fit stopped with Ctrl-C" and epoch == 1:
                raise KeyboardInterrupt

    X, y = digits(64)
    net = cr.Network([cr.Dense(64, 8, "tanh"), cr.Dense(8, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    if call == "train_steps":
        step = net.train_batch
        monkeypatch.setattr(net, "train_batch", lambda *a: (seen_during.append(len(started)), step(*a))[1])
        net.train_steps(X, np.eye(10)[y], 50)
        assert seen_during == [0] * 50
    elif call == "fit":
        net.fit(X, y, epochs=3, batch_size=16, verbose=0, callbacks=[Watch()])
        assert seen_during == [0, 0, 0]
    else:
        with pytest.raises(RuntimeError if call == "fit that fails" else KeyboardInterrupt):
            net.fit(X, y, epochs=3, batch_size=16, verbose=0, callbacks=[Watch()])
        if call == "fit stopped with Ctrl-C":
            assert started == [] and warmup._timer is None
            return
    assert started == [1] and kernels.numba is None and warmup._timer is None
    net.fit(X, y, epochs=1, verbose=0)                        # within a few seconds: not looked for again
    assert started == [1]


def test_the_command_line_does_not_report_the_compiling_process_it_leaves_running(tmp_path, monkeypatch, capsys):
    """The first `chainrule train` after install starts the compiling and exits while it runs: the
    process is held, not dropped (Python then warned "subprocess N is still running", and the
    command line printed that warning to the user)."""
    from chainrule.backend import warmup
    from chainrule.cli import main
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)          # any job is long enough
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    monkeypatch.setattr(warmup, "COMMAND", [sys.executable, "-c", "import time; time.sleep(60)"])
    X, y = digits(60)
    rows = ["a,b,c,label"] + [f"{r[20]},{r[28]},{r[36]},{c}" for r, c in zip(X, y)]
    (tmp_path / "small.csv").write_text("\n".join(rows) + "\n")
    try:
        assert main(["train", str(tmp_path / "small.csv"), "--target", "label", "--epochs", "2",
                     "--out", str(tmp_path / "m.npz"), "--quiet"]) == 0
        err = capsys.readouterr().err
        assert "still running" not in err and "warning" not in err, err
        assert os.path.exists(warmup._lock())                             # the compiling was started
        assert warmup.compiling is not None and warmup.compiling.poll() is None       # ... and runs
    finally:
        if warmup.compiling is not None:
            warmup.compiling.kill()
            warmup.compiling.wait(timeout=10)
            warmup.compiling = None


def test_a_long_job_on_numpy_starts_the_compiling_after_a_while_once(monkeypatch):
    """A job still running COMPILE_AFTER seconds in starts the compiling then (the jobs after it
    in the process get the kernels sooner), and not again when it ends."""
    from chainrule.backend import warmup
    started, seen_during = [], []
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    monkeypatch.setattr(warmup, "COMPILE_AFTER", 0.1)
    monkeypatch.setattr(warmup, "compile_in_background", lambda: started.append(1))

    class Slow(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs):
            seen_during.append(len(started))
            time.sleep(0.3 if epoch == 0 else 0.0)

    X, y = digits(64)
    net = cr.Network([cr.Dense(64, 8, "tanh"), cr.Dense(8, 10, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=3, batch_size=16, verbose=0, callbacks=[Slow()])
    assert seen_during == [0, 1, 1] and started == [1] and warmup._timer is None


@pytest.fixture
def tiny_policy(monkeypatch, tmp_path):
    """CHAINRULE_NUMBA unset, the kernels loaded, no tiny version compiled in this process, markers
    in tmp_path: (the compiling processes started, as (command's last two, loops run before), the
    loops run, "loops" or "tiny")."""
    from chainrule.backend import loops, tiny, warmup
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))     # the markers (Numba read its own at import)
    os.makedirs(cachedir.folder(), exist_ok=True)          # its subfolder, made where Numba is loaded
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert kernels.load()
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(tiny, "_entries", {})
    monkeypatch.setattr(warmup, "_requested", set())
    started, used = [], []
    monkeypatch.setattr(warmup, "_start", lambda command, lock: started.append((command[-2:], len(used))) or True)
    for module in (loops, tiny):
        real = module.train
        monkeypatch.setattr(module, "train", lambda *a, _real=real, _name=module.__name__, **k:
                            used.append(_name.rsplit(".", 1)[1]) or _real(*a, **k))
    return started, used


def test_train_steps_has_the_tiny_version_it_lacked_compiled_once_done(tiny_policy):
    """The compiled train_steps returned before telling the job was done: the version it lacked
    was never compiled, and it stayed without it for the process's life."""
    from chainrule.backend import tiny
    started, used = tiny_policy
    net = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="mse", seed=0)
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    net.train_steps(X, np.array([[0.0], [1.0], [1.0], [0.0]]), 40_000, optimizer=cr.optim.SGD(0.5))
    key = tiny.version((2, 4, 1, 0), np.array([2, 1]), 4, 4)
    assert used == ["loops"] and started == [(["d", ",".join(map(str, key))], 1)]


def test_a_tiny_version_not_compiled_yet_runs_on_the_general_loop_and_is_compiled_behind(monkeypatch, tmp_path,
                                                                                          tiny_policy):
    """CHAINRULE_NUMBA unset, the kernels loaded: a tiny network whose version (tiny.version) no
    process compiled would wait seconds for it (3-4 s on 2 cores, for a job of 1 s on NumPy). It runs
    on loops.train, compiled already, with the same numbers in float64, to the job's end (a version
    compiled meanwhile is not switched to: in float32 the loops' last bits can differ); a job long
    enough to load the kernels for has its version compiled once it is done, once; with the
    version's marker written, the next job runs it."""
    from chainrule.backend import tiny, warmup
    started, used = tiny_policy
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(11, 2)), rng.normal(size=(11, 1))
    key = tiny.version((2, 3, 1, 0), np.array([2, 0]), 11, 4)
    marker = warmup._tiny_marker(np.float64, key)

    class Compiled(cr.callbacks.Callback):          # the background process is done in the job's middle
        def on_epoch_end(self, epoch, logs):
            if epoch == 1:
                open(marker, "w").close()

    def job(callbacks=()):
        net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)
        net.fit(X, Y, epochs=4, batch_size=4, optimizer=cr.optim.SGD(0.1), seed=1, verbose=0, callbacks=callbacks)
        return net.params.copy()

    monkeypatch.setattr(warmup, "LOAD_SECONDS", 10.0)         # a job too short to load the kernels for:
    first = job()                                              # ... nothing compiled for it
    assert used == ["loops"] and started == []
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)
    job()
    assert used == ["loops"] * 2 and started == [(["d", ",".join(map(str, key))], 2)]    # once the job was done
    job(callbacks=[Compiled()])                                # an epoch a call: the marker comes after epoch 2
    assert used == ["loops"] * 6 and len(started) == 1         # ... the job stays on loops; asked for once
    second = job()
    assert used[6:] == ["tiny"] and tiny.ready(np.float64, key)
    np.testing.assert_array_equal(second, first)


def test_a_read_only_input_runs_the_versions_compiled_ahead(monkeypatch):
    """Numba types read-only and writable arrays apart: a read-only X (pandas' copy-on-write
    to_numpy(), a memmap opened "r") compiled the loops again, in the job. The loops take every
    input read-only now, so one version serves both."""
    from chainrule.backend import loops, tiny
    monkeypatch.setattr(kernels, "ENABLED", True)
    for width in (3, 8):                                       # the tiny loop; the general one
        counts = []
        for writable in (True, False):
            X = np.random.default_rng(0).normal(size=(11, 2))
            X.setflags(write=writable)
            net = cr.Network([cr.Dense(2, width, "tanh"), cr.Dense(width, 1)], loss="mse", seed=0)
            net.fit(X, X[:, :1].copy(), epochs=3, batch_size=4, verbose=0)
            counts.append((len(tiny._train_tiny_jit.overloads), len(loops._train_jit.overloads)))
        assert counts[1] == counts[0]


def test_the_version_compiled_ahead_is_the_seed_networks(monkeypatch):
    """compile_all compiles warmup.SEED for the seed network (its train_steps on its one sample,
    the explorer's steps): the constants must be what that job asks for."""
    from chainrule.backend import tiny, warmup
    monkeypatch.setattr(kernels, "ENABLED", True)
    net, X, Y, lr = cr.examples.seed_network()
    plan = compiled.epoch_plan(net, cr.optim.SGD(lr), X, X.shape[0])
    assert plan is not None
    assert tiny.version(plan[-1], plan[1], X.shape[0], X.shape[0]) == warmup.SEED


def test_the_background_process_compiles_a_tiny_version(tmp_path):
    """`python -m chainrule.backend.warmup <dtype> <version> ...`, what job_done starts for the
    versions a job ran without: it compiles each into Numba's cache, writes each one's marker, and
    a later job of that version loads it from the cache, compiling nothing."""
    from chainrule.backend import tiny, warmup
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path)}
    key = tiny.version((3, 1, 4, 0), np.array([4, 2]), 8, 2)
    out = subprocess.run(warmup.COMMAND + ["f", ",".join(map(str, key)), "d", ",".join(map(str, warmup.SEED))],
                         env=env, timeout=300, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    folder = Path(cachedir.folder(str(tmp_path)))
    assert list(folder.glob(f"chainrule-tiny-*-f-{'.'.join(map(str, key))}.ready"))
    assert list(folder.glob(f"chainrule-tiny-*-d-{'.'.join(map(str, warmup.SEED))}.ready"))
    job = ("import numpy as np, chainrule as cr\n"
           "from chainrule.backend import tiny\n"
           "X = np.random.default_rng(0).normal(size=(8, 3)).astype('float32')\n"
           "net = cr.Network([cr.Dense(3, 1, 'leaky_relu'), cr.Dense(1, 4, 'tanh')], loss='mse', dtype='float32')\n"
           "net.fit(X, np.zeros((8, 4), 'float32'), epochs=2, batch_size=2, optimizer=cr.optim.SGD(0.1), verbose=0)\n"
           "s = tiny._train_tiny_jit.stats\n"
           "print(sum(s.cache_hits.values()), sum(s.cache_misses.values()))\n")
    out = subprocess.run([sys.executable, "-c", job], env={**env, "CHAINRULE_NUMBA": "1"}, timeout=300,
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["1", "0"]                 # a job of that version loads it, compiling nothing


def test_a_plan_declined_before_the_kernels_load_is_not_kept(monkeypatch):
    """With CHAINRULE_NUMBA unset ("auto") a short job runs before the kernels are loaded; a
    later long job in the same process, once they are, takes the compiled loop."""
    monkeypatch.setattr(compiled, "_plans", {})
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert kernels.load()
    loaded = kernels.numba
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)          # not loaded yet
    net = cr.Network([cr.Dense(3, 5, "sigmoid"), cr.Dense(5, 2)], loss="mse", seed=0)
    opt = cr.optim.SGD(0.1)
    assert compiled.epoch_plan(net, opt) is None
    monkeypatch.setattr(kernels, "numba", loaded)        # a long job loaded them
    assert compiled.epoch_plan(net, opt) is not None


@pytest.mark.parametrize("module", ["kernels", "bits", "loops", "tiny", "csr", "units"])
def test_the_ready_marker_names_every_compiled_source(module, tmp_path, monkeypatch):
    """An upgrade that changes any compiled module leaves Numba's cache of it stale: the marker of
    the old sources must not say the kernels are ready (a long job would compile in the foreground)."""
    import importlib

    from chainrule.backend import warmup
    mod = importlib.import_module(f"chainrule.backend.{module}")
    before = warmup.marker()
    changed = tmp_path / f"{module}.py"
    changed.write_bytes(open(mod.__file__, "rb").read() + b"\n# changed\n")
    monkeypatch.setattr(mod, "__file__", str(changed))
    assert warmup.marker() != before
