"""A float32 tiny network on the general compiled loop keeps it for the process (`warmup.tiny_ready`): its version
compiled meanwhile is still asked for, and taken by the next process; and a version an earlier process compiled is
taken from the process's first fit. The process's choices (`warmup._general`, `_requested`) start empty in each
test, as in a fresh process (conftest): a test before another must not leave its versions there."""

import numpy as np
import pytest
from conftest import kernels_in_auto_mode

import chainrule as cr
from chainrule.backend import kernels, loops, tiny, warmup

pytestmark = pytest.mark.skipif(not kernels.AVAILABLE, reason="the compiled loops need the 'fast' extra")

# the 2-3-1 tanh/sigmoid network in float32 on 12 rows in batches of 4 (test_resume19_paths compiles its version)
KEY = tiny.version((2, 3, 1, 0), np.array([2, 1]), 12, 4)


@pytest.fixture
def auto_loaded(monkeypatch, tmp_path):
    """CHAINRULE_NUMBA unset, the kernels loaded, no tiny version compiled in this process, the markers in tmp_path:
    (the compiling processes asked for, the loops run)."""
    kernels_in_auto_mode(monkeypatch, tmp_path)
    monkeypatch.setattr(warmup, "LOAD_SECONDS", 0.0)         # every job long enough to have its version compiled
    started, used = [], []
    monkeypatch.setattr(warmup, "_start", lambda command, lock: started.append(command[-2:]) or True)
    for name, module in (("loops", loops), ("tiny", tiny)):
        monkeypatch.setattr(module, "train", lambda *a, _real=module.train, _name=name, **k:
                            used.append(_name) or _real(*a, **k))
    return started, used


def job():
    rng = np.random.default_rng(0)
    X, Y = rng.normal(size=(12, 2)).astype(np.float32), rng.uniform(size=(12, 1)).astype(np.float32)
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=0, dtype="float32")
    net.fit(X, Y, epochs=3, batch_size=4, optimizer=cr.optim.SGD(0.5), seed=1, verbose=0)
    return net.params.copy()


def test_a_float32_version_compiled_meanwhile_is_asked_for_and_left_to_the_next_process(auto_loaded, monkeypatch):
    started, used = auto_loaded
    first = job()
    assert used == ["loops"] and started == [["f", ",".join(map(str, KEY))]]     # asked for once the job was done
    open(warmup._tiny_marker(np.float32, KEY), "w").close()    # the background process compiled it
    np.testing.assert_array_equal(job(), first)                # this process: the same loop, the same bits
    assert used == ["loops", "loops"] and len(started) == 1
    monkeypatch.setattr(warmup, "_general", set())             # the next process takes it
    job()
    assert used[2:] == ["tiny"]


def test_a_float32_version_an_earlier_process_compiled_runs_from_the_first_fit(auto_loaded):
    started, used = auto_loaded
    open(warmup._tiny_marker(np.float32, KEY), "w").close()
    first = job()
    np.testing.assert_array_equal(job(), first)
    assert used == ["tiny", "tiny"] and started == []
