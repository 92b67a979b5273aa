"""A resumed run follows the path its checkpoint records, and says so only where the path really changes: a
NumPy-only run (Adam's amsgrad, clip_norm) resumed under CHAINRULE_NUMBA=1 was warned that it went on with the
kernels, which it never used; and the record, a yes/no, could not tell the tiny networks' compiled loop
(backend/tiny.py) from the general one, which agree to the last bits only in float32: a run begun on the general
loop, resumed once its tiny version was compiled, went on on the tiny one."""
import json
import warnings

import numpy as np
import pytest
from conftest import StopAt

import chainrule as cr
from chainrule.backend import kernels, warmup
from chainrule.saving import checkpoint

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


def runtime_warnings(said):
    return [str(w.message) for w in said if w.category is RuntimeWarning]


@needs_numba
@pytest.mark.parametrize("opt", ["amsgrad", "clipped sgd", "value-clipped sgd"])
def test_a_numpy_run_resumed_under_numba_1_that_stays_on_numpy_is_not_warned(monkeypatch, tmp_path, opt):
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))

    def fit(epochs, ck=None, resume=False):
        net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
        optimizer = {"amsgrad": lambda: cr.optim.Adam(0.01, amsgrad=True),
                     "clipped sgd": lambda: cr.optim.SGD(0.01, clip_norm=1.0),
                     "value-clipped sgd": lambda: cr.optim.SGD(0.01, clip_value=0.1)}[opt]()
        net.fit(X, Y, epochs=epochs, batch_size=8, seed=1, verbose=0, optimizer=optimizer, checkpoint_dir=ck,
                resume=resume)
        return net

    monkeypatch.setattr(kernels, "ENABLED", False)             # CHAINRULE_NUMBA=0: NumPy, recorded so
    whole = fit(3)
    fit(2, tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", True)              # CHAINRULE_NUMBA=1 for the resumed run
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed = fit(3, tmp_path, resume=True)
    assert runtime_warnings(said) == []
    assert np.array_equal(resumed.params, whole.params)


class EveryBatch(cr.callbacks.Callback):
    """A callback at every batch: the epochs run the NumPy loop, the optimizer's update compiled where loaded."""

    def on_train_batch_end(self, batch, logs=None):
        pass


@needs_numba
def test_the_numpy_loop_with_the_compiled_update_is_the_numpy_path(monkeypatch, tmp_path):
    """The optimizer's compiled update keeps NumPy's numbers to the last bit: a run of NumPy epochs under
    CHAINRULE_NUMBA=1 resumed under CHAINRULE_NUMBA=0 goes on bit for bit, and was warned that it did not."""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))

    def fit(epochs, ck=None, resume=False):
        net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0, dtype="float32")
        net.fit(X, Y, epochs=epochs, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01),
                callbacks=[EveryBatch()], checkpoint_dir=ck, resume=resume)
        return net

    monkeypatch.setattr(kernels, "ENABLED", True)
    whole = fit(3)
    fit(2, tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", False)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed = fit(3, tmp_path, resume=True)
    assert runtime_warnings(said) == []
    assert np.array_equal(resumed.params, whole.params)


@needs_numba
def test_a_numpy_run_resumed_under_numba_1_on_the_kernels_is_still_warned(monkeypatch, tmp_path):
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    monkeypatch.setattr(kernels, "ENABLED", False)
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=2, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01), checkpoint_dir=tmp_path)
    monkeypatch.setattr(kernels, "ENABLED", True)
    with pytest.warns(RuntimeWarning) as said:
        net.fit(X, Y, epochs=3, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01),
                checkpoint_dir=tmp_path, resume=True)
    assert runtime_warnings(said) == [
        "chainrule: the resumed run's epochs so far ran on NumPy; it goes on with the compiled kernels, as "
        "CHAINRULE_NUMBA=1 asks, so its numbers may differ in the last bits from an uninterrupted run's"]
    assert [w.filename for w in said] == [__file__]


@needs_numba
@pytest.mark.parametrize("first_tiny", [False, True])
def test_a_tiny_network_resumed_goes_on_on_the_compiled_loop_it_ran(monkeypatch, tmp_path, first_tiny):
    """Whether a job runs a tiny network's own compiled version depends on whether some job compiled it before
    (`warmup.tiny_ready`, a marker in Numba's cache): here the resumed job finds it where the first did not, or
    the reverse (a cache cleared, another machine)."""
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(12, 2)), rng.uniform(size=(12, 1))
    monkeypatch.setattr(kernels, "ENABLED", True)

    def fit(tiny_ready, ck=None, resume=False, k=0):
        monkeypatch.setattr(warmup, "tiny_ready", lambda dtype, key: tiny_ready)
        net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=0, dtype="float32")
        try:
            net.fit(X, Y, epochs=6, batch_size=4, optimizer=cr.optim.SGD(0.5, momentum=0.9), seed=1, verbose=0,
                    callbacks=[StopAt(k)], checkpoint_dir=ck, resume=resume)
        except KeyboardInterrupt:
            pass
        return net

    whole = fit(first_tiny)
    other = fit(not first_tiny)
    assert not np.array_equal(other.params, whole.params)      # the two loops differ in float32's last bits
    fit(first_tiny, tmp_path, k=3)
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        resumed = fit(not first_tiny, tmp_path, resume=True)
    assert runtime_warnings(said) == []
    assert np.array_equal(resumed.params, whole.params)


@needs_numba
@pytest.mark.parametrize("ran", [False, True])
def test_an_older_checkpoints_yes_or_no_is_still_followed(monkeypatch, tmp_path, ran):
    """A checkpoint written before the path was recorded holds compiled_kernels alone."""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))
    monkeypatch.setattr(kernels, "ENABLED", ran)
    net = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)
    net.fit(X, Y, epochs=2, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01), checkpoint_dir=tmp_path)
    path = checkpoint.checkpoint_path(tmp_path)
    with np.load(path) as f:
        arrays = dict(f)
    header = json.loads(str(arrays["__format__"]))
    assert header["extra"].pop("kernel_path") == ("kernels" if ran else "numpy")
    assert header["extra"]["compiled_kernels"] is ran
    arrays["__format__"] = np.array(json.dumps(header))
    with open(path, "wb") as f:
        np.savez(f, **arrays)
    monkeypatch.setattr(kernels, "ENABLED", False)             # CHAINRULE_NUMBA=0 for the resumed run
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        net.fit(X, Y, epochs=3, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01),
                checkpoint_dir=tmp_path, resume=True)
    assert runtime_warnings(said) == ran * [
        "chainrule: the resumed run's epochs so far ran with the compiled kernels; it goes on on NumPy, as "
        "CHAINRULE_NUMBA=0 asks, so its numbers may differ in the last bits from an uninterrupted run's"]




@needs_numba
@pytest.mark.parametrize("first", ["numpy", "compiled"])
def test_the_path_change_is_said_before_the_first_resumed_epoch_trains(monkeypatch, tmp_path, first):
    """It was said after the epoch's training: a user who stops at the warning (`-W error`, Ctrl-C) had spent an
    epoch on the path it warns of, and the parameters had moved. Made an error here, it leaves them as the
    checkpoint's: those of the run of its epochs."""
    rng = np.random.default_rng(2)
    X, Y = rng.normal(size=(40, 3)), rng.normal(size=(40, 1))

    def fit(net, epochs, resume=False):
        net.fit(X, Y, epochs=epochs, batch_size=8, seed=1, verbose=0, optimizer=cr.optim.Adam(0.01),
                checkpoint_dir=tmp_path, resume=resume)

    def new():
        return cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 1)], loss="mse", seed=0)

    monkeypatch.setattr(kernels, "ENABLED", first == "compiled")
    fit(two := new(), 2)
    monkeypatch.setattr(kernels, "ENABLED", first == "numpy")     # the other path for the resumed run
    resumed = new()
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        with pytest.raises(RuntimeWarning, match="^chainrule: the resumed run's epochs so far ran "):
            fit(resumed, 3, resume=True)
    assert np.array_equal(resumed.params, two.params)
    assert resumed.epochs_trained == 2


OPTIMIZERS = {"sgd": lambda: cr.optim.SGD(0.05), "momentum": lambda: cr.optim.SGD(0.05, momentum=0.9, dampening=0.3),
              "nesterov": lambda: cr.optim.SGD(0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
              "adam": lambda: cr.optim.Adam(0.01, weight_decay=1e-3), "adamw": lambda: cr.optim.AdamW(0.01),
              "amsgrad": lambda: cr.optim.Adam(0.01, amsgrad=True), "adagrad": lambda: cr.optim.Adagrad(0.05),
              "rmsprop": lambda: cr.optim.RMSprop(0.01)}


@needs_numba
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_the_kernels_inside_the_numpy_loop_keep_its_numbers_for_every_optimizer(monkeypatch, dtype):
    """What the record rests on (a NumPy-loop run under the kernels is recorded "numpy"): the optimizers' compiled
    updates and the fused Dense passes (8 columns and more) give the NumPy loop's numbers to the last bit, against
    the same loop with the kernels off (CHAINRULE_NUMBA=0)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(96, 12)), rng.integers(0, 3, 96)

    def fit(name):
        net = cr.Network([cr.Dense(12, 16, "relu"), cr.Dense(16, 8, "tanh"), cr.Dense(8, 3, "softmax")],
                         loss="categorical_crossentropy", dtype=dtype, seed=1)
        net.fit(X, y, epochs=2, batch_size=16, optimizer=OPTIMIZERS[name](), seed=5, verbose=0,
                callbacks=[EveryBatch()])
        return net.params

    for name in OPTIMIZERS:
        monkeypatch.setattr(kernels, "ENABLED", True)
        with_kernels = fit(name)
        monkeypatch.setattr(kernels, "ENABLED", False)
        assert np.array_equal(with_kernels, fit(name)), name
