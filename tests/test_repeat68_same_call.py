"""The same fit, called twice in one process with the same seed, gives the same bits (as torch's and Keras'
CPU fits do): fresh networks, loaded ones, the estimators; and where the kernels' compiled loops could switch
between the two calls (a tiny version compiled meanwhile), the second call keeps the first's loop."""
import warnings

import numpy as np
import pytest

import chainrule as cr
from chainrule.backend import kernels, tiny, warmup


def _data(n=64, d=2, k=2):
    rng = np.random.default_rng(5)
    return rng.normal(size=(n, d)), rng.integers(0, k, n)


def _fit(net, X, y, batch_size=16, optimizer="adam", epochs=1):
    net.fit(X, y, optimizer=optimizer, epochs=epochs, batch_size=batch_size, verbose=0, seed=3)
    return net.params.copy()


def _bits(a):
    return a.view(np.uint64 if a.dtype == np.float64 else np.uint32)


def _on_path(monkeypatch, numba):
    """The compiled loops (numba) or NumPy's, for the test's length."""
    if numba and not kernels.AVAILABLE:
        pytest.skip("the compiled path needs the 'fast' extra")
    monkeypatch.setattr(kernels, "ENABLED", numba)


def _net(dtype="float64"):
    """The 5-8-3 classifier every test here fits, its weights drawn from seed 1."""
    return cr.Network([cr.Dense(5, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=1,
                      dtype=dtype)


@pytest.mark.parametrize("numba", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_fresh_and_loaded_networks_fit_to_the_same_bits(tmp_path, monkeypatch, numba, dtype):
    _on_path(monkeypatch, numba)
    X, y = _data(200, 5, 3)
    _net(dtype).save(tmp_path / "m.npz")
    runs = [_fit(_net(dtype), X, y), _fit(_net(dtype), X, y), _fit(cr.load(tmp_path / "m.npz"), X, y),
            _fit(cr.load(tmp_path / "m.npz"), X, y)]
    for run in runs[1:]:
        np.testing.assert_array_equal(_bits(run), _bits(runs[0]))


def test_estimator_fit_twice_gives_the_same_bits():
    from sklearn.exceptions import ConvergenceWarning

    from chainrule.sklearn import BackpropClassifier
    X, y = _data(120, 4, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)      # 3 epochs: not converged, as asked
        a = BackpropClassifier(hidden_layer_sizes=(6,), epochs=3, random_state=0).fit(X, y)
        b = BackpropClassifier(hidden_layer_sizes=(6,), epochs=3, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))


def test_float32_tiny_network_keeps_its_loop_when_its_version_is_compiled_between_two_fits(tmp_path, monkeypatch):
    """A float32 tiny network whose tiny version is not compiled runs on the general compiled loop; the version
    compiled meanwhile (the background compiling after the first fit) must not change the second fit's bits."""
    if not kernels.AVAILABLE:
        pytest.skip("the compiled loops need the 'fast' extra")
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    assert kernels.load(force=True)
    monkeypatch.setattr(warmup, "_requested", set())
    monkeypatch.setattr(warmup, "_general", set())
    compiled_now = tmp_path / "compiled.ready"
    monkeypatch.setattr(warmup, "_tiny_marker", lambda dtype, key: str(compiled_now))
    monkeypatch.setattr(tiny, "ready", lambda dtype, key: False)
    X, y = _data(64, 2, 2)
    X = X.astype(np.float32)

    def fresh():
        return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse", seed=0,
                          dtype="float32")
    first = _fit(fresh(), X, np.eye(2)[y], batch_size=4, optimizer=cr.optim.SGD(lr=0.5), epochs=2)
    compiled_now.write_text("compiled\n")             # the background process's marker, written between the fits
    second = _fit(fresh(), X, np.eye(2)[y], batch_size=4, optimizer=cr.optim.SGD(lr=0.5), epochs=2)
    np.testing.assert_array_equal(_bits(second), _bits(first))


def test_auto_mode_changes_path_only_where_the_kernels_are_loaded_between_two_calls(monkeypatch):
    """CHAINRULE_NUMBA unset: a process's fits run on NumPy until one loads the kernels, then all on them. Two
    identical fits on either side of that load are each the path's own numbers (NumPy's, CHAINRULE_NUMBA=1's),
    identical two by two: the load is the one point where the same call changes its last bits (docs/scale.md)."""
    if not kernels.AVAILABLE:
        pytest.skip("the compiled path needs the 'fast' extra")
    monkeypatch.setattr(warmup, "ready", lambda: False)               # not compiled yet: the job stays on NumPy
    monkeypatch.setattr(warmup, "_start", lambda *args: False)         # and starts no compiling process
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    X, y = _data(400, 5, 3)

    def fit_with(mode):
        monkeypatch.setattr(kernels, "ENABLED", mode)
        return _fit(_net(), X, y, epochs=2)
    on_numpy = fit_with(False)
    compiled = fit_with(True)
    monkeypatch.setattr(kernels, "numba", None)                        # this process has not loaded them yet
    before = [fit_with("auto"), fit_with("auto")]
    assert warmup.left_on_numpy in ("short", "not ready")
    assert kernels.load(force=True)                                    # a long job loads them
    after = [fit_with("auto"), fit_with("auto")]
    for run in before:
        np.testing.assert_array_equal(_bits(run), _bits(on_numpy))
    for run in after:
        np.testing.assert_array_equal(_bits(run), _bits(compiled))


def test_cli_train_twice_with_a_seed_writes_the_same_weights(tmp_path, monkeypatch):
    from conftest import cmd
    monkeypatch.setattr(kernels, "ENABLED", False)
    X, y = _data(80, 3, 2)
    rows = "\n".join(",".join(f"{v:.6f}" for v in x) + f",{t}" for x, t in zip(X, y))
    (tmp_path / "t.csv").write_text("a,b,c,y\n" + rows + "\n")
    weights = []
    for name in ("one.npz", "two.npz"):
        r = cmd("train", tmp_path / "t.csv", "--target", "y", "--hidden", "5", "--epochs", "3", "--seed", "7",
                "--out", tmp_path / name, cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        weights.append(cr.load(tmp_path / name).params)
    np.testing.assert_array_equal(_bits(weights[1]), _bits(weights[0]))


@pytest.mark.parametrize("numba", [False, True])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_saved_fit_loaded_twice_goes_on_as_the_uninterrupted_one(tmp_path, monkeypatch, numba, dtype):
    _on_path(monkeypatch, numba)
    X, y = _data(200, 5, 3)
    net = _net(dtype)
    net.fit(X, y, epochs=1, batch_size=16, verbose=0, seed=3)
    net.save(tmp_path / "f.npz")                                       # with Adam's state
    runs = []
    for _ in range(2):
        loaded = cr.load(tmp_path / "f.npz")
        loaded.fit(X, y, epochs=1, batch_size=16, verbose=0, seed=4)
        runs.append(loaded.params.copy())
    net.fit(X, y, epochs=1, batch_size=16, verbose=0, seed=4)
    for run in runs:
        np.testing.assert_array_equal(_bits(run), _bits(net.params))
