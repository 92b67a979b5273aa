"""BLAS threads during training (backend/threads.py): capped to the idle CPUs, restored after.

The thread counts are read back from the BLAS libraries themselves (threadpoolctl's
`threadpool_info`, which asks each library), not from chainrule's own bookkeeping.
"""
import subprocess
import sys
import time

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from chainrule.backend import threads


def blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


@pytest.fixture
def two_threads(monkeypatch):
    """NumPy's BLAS at 2 threads on a machine of 2 CPUs, whatever this one has."""
    monkeypatch.delenv("CHAINRULE_BLAS_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cpus", lambda: 2)
    with threadpool_limits(2, user_api="blas"):
        yield


def test_busy_cpus_give_one_thread_then_restore(two_threads, monkeypatch):
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 1)
    assert blas_threads() and set(blas_threads()) == {2}
    with threads.blas_limit() as limit:
        assert limit == 1
        assert set(blas_threads()) == {1}
        a = np.ones((64, 64), np.float32)
        assert (a @ a == 64).all()
    assert set(blas_threads()) == {2}


def test_restored_when_training_fails(two_threads, monkeypatch):
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 2)
    with pytest.raises(RuntimeError), threads.blas_limit():
        raise RuntimeError("diverged")
    assert set(blas_threads()) == {2}


def test_idle_machine_changes_nothing(two_threads, monkeypatch):
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 0)
    with threads.blas_limit() as limit:
        assert limit is None
        assert set(blas_threads()) == {2}


def test_small_batches_train_on_one_blas_thread(two_threads, monkeypatch):
    """Below SMALL_BATCH rows, on an idle machine too; from it on, the idle-CPU rule alone; a
    number in CHAINRULE_BLAS_THREADS wins over both."""
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 0)
    with threads.blas_limit(threads.SMALL_BATCH - 1) as limit:
        assert limit == 1 and set(blas_threads()) == {1}
    assert set(blas_threads()) == {2}
    with threads.blas_limit(threads.SMALL_BATCH) as limit:
        assert limit is None and set(blas_threads()) == {2}
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "2")
    with threads.blas_limit(32) as limit:
        assert set(blas_threads()) == {2}
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "off")
    with threads.blas_limit(32) as limit:
        assert limit is None and set(blas_threads()) == {2}


def test_limit_reaches_the_blas_numba_calls(two_threads, monkeypatch):
    pytest.importorskip("numba")          # the [fast] extra; the NumPy path is covered above
    import numba  # noqa: F401
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 1)
    with threads.blas_limit():
        libs = [lib["filepath"] for lib in threadpool_info() if lib["user_api"] == "blas"]
        assert any("scipy.libs" in path for path in libs)      # SciPy's OpenBLAS, beside NumPy's
        assert set(blas_threads()) == {1}


@pytest.mark.parametrize("idle, current, expected", [(4, 4, None), (3, 4, 3), (1, 8, 1), (-3, 2, 1), (0, 1, None)])
def test_threads_wanted_are_the_idle_cpus(monkeypatch, idle, current, expected):
    monkeypatch.delenv("CHAINRULE_BLAS_THREADS", raising=False)
    monkeypatch.setattr(threads, "usable_cpus", lambda: 4)
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 4 - idle)
    assert threads.wanted_threads(current) == expected


def test_environment_overrides(monkeypatch):
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 0)
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "1")
    assert threads.wanted_threads(2) == 1
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 8)
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "off")
    assert threads.wanted_threads(2) is None
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "0")
    with pytest.raises(ValueError, match="CHAINRULE_BLAS_THREADS"):
        threads.wanted_threads(2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_busy_process_is_seen_and_this_one_is_not():
    assert threads._own_running() >= 1             # the thread asking is itself running
    hog = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        time.sleep(0.3)
        assert threads.others_running() >= 1
    finally:
        hog.kill()
        hog.wait()
