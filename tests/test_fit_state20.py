"""Which compiled loop a run takes is the run's own: it was a module global of training.compiled, which the next
fit in the process reset, so a resumed run whose checkpoint said "the tiny networks' loop" went on on the general
one (its numbers off in float32's last bits, its checkpoint rewritten to say so) once another fit had started in
its middle (a callback's, a thread's, a notebook's); and a fresh run on the general loop, whose tiny version was
compiled meanwhile, switched to it in its middle once another fit's end had cleared the versions "this job" runs
without."""
import json
import os

import numpy as np
import pytest
from conftest import StopAt, kernels_in_auto_mode
from test_tiny_loop import build

import chainrule as cr
from chainrule.backend import cachedir, kernels, loops, tiny, warmup
from chainrule.saving import checkpoint
from chainrule.training import compiled

needs_numba = pytest.mark.skipif(not kernels.AVAILABLE, reason="needs Numba (the [fast] extra)")


class FitsAnother(cr.callbacks.Callback):
    """At each epoch's end, another network's fit (as a notebook's cell or another thread would run one)."""

    def on_epoch_end(self, epoch, logs=None):
        rng = np.random.default_rng(epoch)
        other = cr.Network([cr.Dense(3, 2, "relu"), cr.Dense(2, 1)], loss="mse", seed=1)
        other.fit(rng.normal(size=(8, 3)), rng.normal(size=(8, 1)), epochs=2, batch_size=4, verbose=0)


def recorded_path(folder) -> str:
    with np.load(checkpoint.checkpoint_path(folder)) as f:
        return json.loads(str(f["__format__"]))["extra"]["kernel_path"]


@needs_numba
def test_a_resumed_run_keeps_its_loop_while_another_fit_runs_in_its_middle(monkeypatch, tmp_path):
    # test_tiny_loop's network (SHAPES[1]: 2-3-1 tanh/linear, mse, 11 rows in batches of 4) in float32: the tiny
    # version it compiles, none of this test's own (each takes seconds)
    monkeypatch.setattr(kernels, "ENABLED", True)
    ready = {"tiny": True}
    monkeypatch.setattr(warmup, "tiny_ready", lambda dtype, key: ready["tiny"])

    def fit(callbacks, ck=None, resume=False):
        net, X, Y = build(1, "float32", seed=0)
        try:
            net.fit(X, Y, epochs=6, batch_size=4, optimizer=cr.optim.SGD(0.05, momentum=0.9), seed=1, verbose=0,
                    callbacks=callbacks, checkpoint_dir=ck, resume=resume)
        except KeyboardInterrupt:
            pass
        return net

    whole = fit([])                                  # on the tiny networks' loop throughout
    ready["tiny"] = False
    assert not np.array_equal(fit([]).params, whole.params)      # the general loop: float32's last bits differ
    ready["tiny"] = True
    fit([StopAt(3)], tmp_path)
    assert recorded_path(tmp_path) == "tiny"
    ready["tiny"] = False                            # this job finds no tiny version: its checkpoint's decides
    resumed = fit([FitsAnother()], tmp_path, resume=True)
    assert recorded_path(tmp_path) == "tiny"
    np.testing.assert_array_equal(resumed.params, whole.params)


@needs_numba
def test_a_run_on_the_general_loop_stays_on_it_when_its_version_is_compiled_beside_another_fit(monkeypatch, tmp_path):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))     # the markers (Numba read its own at import)
    os.makedirs(cachedir.folder(), exist_ok=True)
    monkeypatch.setattr(kernels, "ENABLED", True)
    assert kernels.load()
    monkeypatch.setattr(kernels, "ENABLED", "auto")          # CHAINRULE_NUMBA unset, the kernels loaded
    monkeypatch.setattr(tiny, "_entries", {})                # no tiny version compiled in this process
    monkeypatch.setattr(warmup, "_requested", set())
    monkeypatch.setattr(warmup, "_start", lambda command, lock: True)     # nothing compiled behind
    used = []
    for name, module in (("loops", loops), ("tiny", tiny)):
        monkeypatch.setattr(module, "train", lambda *a, _real=module.train, _name=name, **k:
                            used.append(_name) or _real(*a, **k))
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(11, 2)), rng.normal(size=(11, 1))
    marker = warmup._tiny_marker(np.float64, tiny.version((2, 3, 1, 0), np.array([2, 0]), 11, 4))

    class CompiledBesideAnother(FitsAnother):     # another fit, then this run's version compiled (its marker)
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 1:
                super().on_epoch_end(epoch, logs)
                open(marker, "w").close()

    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "linear")], loss="mse", seed=0)
    net.fit(X, Y, epochs=4, batch_size=4, optimizer=cr.optim.SGD(0.1), seed=1, verbose=0,
            callbacks=[CompiledBesideAnother()])
    assert used == ["loops", "loops", "loops", "loops", "loops"]     # its 4 epochs, one the other fit's whole run


@needs_numba
def test_a_fit_in_another_s_callback_has_only_its_own_lacking_versions_compiled_when_it_ends(monkeypatch, tmp_path):
    """The tiny versions a job lacked were the process's list, which the next job's end emptied: a fit run in
    another's callback started the compiling of the outer fit's version beside it (in its middle, not once it was
    done), and, stopped with Ctrl-C, dropped it (never compiled in that process: it was asked for once)."""
    kernels_in_auto_mode(monkeypatch, tmp_path)
    monkeypatch.setattr(warmup, "_requested", set())
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)         # every job long enough to have its version compiled
    started, epochs = [], []
    monkeypatch.setattr(warmup, "_start", lambda command, lock: started.append((command[3:], len(epochs))) or True)

    def key(widths, acts, n):
        ids = [compiled.ACTIVATION_KERNELS[type(cr.Dense(1, 1, a).activation)] for a in acts]
        return ["d", ",".join(map(str, tiny.version((*widths, 0), np.array(ids), n, 4)))]

    class Inner(cr.callbacks.Callback):
        def __init__(self, stop):
            super().__init__()
            self.stop = stop

        def on_epoch_end(self, epoch, logs=None):
            epochs.append(epoch)
            if epoch == 0:
                rng = np.random.default_rng(0)
                other = cr.Network([cr.Dense(3, 2, "relu"), cr.Dense(2, 1)], loss="mse", seed=1)
                try:
                    other.fit(rng.normal(size=(8, 3)), rng.normal(size=(8, 1)), epochs=2, batch_size=4, seed=1,
                              optimizer=cr.optim.SGD(0.1), verbose=0, callbacks=[StopAt(1)] if self.stop else [])
                except KeyboardInterrupt:
                    pass

    outer, inner = key((2, 3, 1), ["tanh", "linear"], 11), key((3, 2, 1), ["relu", "linear"], 8)
    for stop in (False, True):
        started.clear()
        epochs.clear()
        warmup._requested.clear()
        net, X, Y = build(1, "float64", seed=0)
        net.fit(X, Y, epochs=3, batch_size=4, optimizer=cr.optim.SGD(0.1), seed=1, verbose=0, callbacks=[Inner(stop)])
        # the inner fit's at its end (none where stopped), the outer's at its own, after its 3 epochs
        assert started == ([] if stop else [(inner, 1)]) + [(outer, 3)]


@pytest.mark.parametrize("inner_stopped", [False, True])
def test_a_fit_in_another_s_callback_leaves_the_outer_fit_s_compiling_timer_alone(monkeypatch, inner_stopped):
    """The timer that starts the kernels' compiling COMPILE_AFTER seconds into a job on NumPy (or at its end) was
    the process's: a fit ending in another's middle started the compiling beside the outer fit (a short one,
    which the compiler slows), and, stopped with Ctrl-C, cancelled it (the outer's end then started nothing)."""
    started, seen_during = [], []
    monkeypatch.setattr(kernels, "ENABLED", "auto")
    monkeypatch.setattr(kernels, "numba", None)              # the kernels not loaded, not cached
    monkeypatch.setattr(warmup, "ready", lambda: False)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)
    monkeypatch.setattr(warmup, "_next_look", 0.0)
    monkeypatch.setattr(warmup, "compile_in_background", lambda: started.append(1))

    class Inner(cr.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 0:
                other = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 1)], loss="mse", seed=1)
                try:
                    other.fit(np.ones((4, 2)), np.ones((4, 1)), epochs=2, verbose=0,
                              callbacks=[StopAt(1)] if inner_stopped else [])
                except KeyboardInterrupt:
                    pass
            seen_during.append(len(started))

    net, X, Y = build(1, "float64", seed=0)
    net.fit(X, Y, epochs=3, batch_size=4, verbose=0, callbacks=[Inner()])
    assert seen_during == [0, 0, 0] and started == [1] and warmup._timer is None
