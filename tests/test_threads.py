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


class FakeBlas:
    """A BLAS library as threadpoolctl's controllers show it: a thread count that can be set."""

    def __init__(self, n: int):
        self.num_threads = n

    def set_num_threads(self, n: int) -> None:
        self.num_threads = n


def run_steps(chooser, lib, clock, steps: int, seconds) -> list[int]:
    """`steps` steps whose duration is seconds(thread count); the count each ran on."""
    used = []
    for _ in range(steps):
        used.append(lib.num_threads)
        clock[0] += seconds(lib.num_threads)
        chooser.step()
    return used


def test_balance_follows_the_faster_count():
    """A virtual machine's second CPU can be slow for a while: two threads are then slower than
    one. The chooser moves to the faster count and back, and spends few steps trying the other."""
    clock = [0.0]
    lib = FakeBlas(2)
    chooser = threads.Balance([lib], 2, clock=lambda: clock[0])
    step = threads.Balance.WINDOW / 4            # four steps a window
    fast_two = {2: step, 1: 1.6 * step}
    slow_two = {2: 1.3 * step, 1: step}
    used = run_steps(chooser, lib, clock, 2000, fast_two.__getitem__)
    assert used[:4] == [2] * 4                  # starts on all threads
    assert used[-1000:].count(2) > 900          # trials of one thread: few (BUDGET / 0.6 of steps)
    # the time the trials lost stays within the budget (and one trial's loss)
    assert chooser.lost <= threads.Balance.BUDGET * clock[0] + 4 * 0.6 * step
    used = run_steps(chooser, lib, clock, 2000, slow_two.__getitem__)
    assert used[-1000:].count(1) > 850          # found one thread faster (trials: BUDGET / 0.3 of steps)
    used = run_steps(chooser, lib, clock, 2000, fast_two.__getitem__)
    assert used[-1000:].count(2) > 900
    assert chooser.lost <= threads.Balance.BUDGET * clock[0] + 4 * 0.6 * step


def test_balance_rarely_tries_one_thread_for_long_steps():
    """A step of 60 ms where one thread takes 1.9x as long (784-2048-2048-10): a trial costs a
    whole step, so the trials are rare, within the budget."""
    clock = [0.0]
    lib = FakeBlas(2)
    chooser = threads.Balance([lib], 2, clock=lambda: clock[0])
    used = run_steps(chooser, lib, clock, 47, {2: 0.06, 1: 0.114}.__getitem__)
    assert used.count(1) <= 1
    used = run_steps(chooser, lib, clock, 470, {2: 0.06, 1: 0.114}.__getitem__)
    assert used.count(1) <= 470 * threads.Balance.BUDGET * 0.06 / 0.054 + 1
    chooser.close()
    assert lib.num_threads == 2


def test_balance_windows_start_after_pauses():
    """An epoch's end (validation, callbacks) is not a step: `restart` leaves it out of the
    window, so a slow pause on two threads does not send the fit to one."""
    clock = [0.0]
    lib = FakeBlas(2)
    chooser = threads.Balance([lib], 2, clock=lambda: clock[0])
    step = threads.Balance.WINDOW / 4
    for _ in range(50):
        run_steps(chooser, lib, clock, 40, {2: step, 1: 2 * step}.__getitem__)
        clock[0] += 10 * threads.Balance.WINDOW  # the pause
        chooser.restart()
    assert run_steps(chooser, lib, clock, 400, {2: step, 1: 2 * step}.__getitem__).count(2) > 360


def test_balance_only_from_small_batch_on_and_restores(two_threads, monkeypatch):
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 0)
    with threads.balance(threads.SMALL_BATCH - 1) as chooser:
        assert chooser is None
    with threads.balance(threads.SMALL_BATCH) as chooser:
        assert chooser is not None and chooser.high == 2
        chooser._set(1)
        assert set(blas_threads()) == {1}          # the real libraries, read back
    assert set(blas_threads()) == {2}
    with pytest.raises(RuntimeError), threads.balance(threads.SMALL_BATCH) as chooser:
        chooser._set(1)
        raise RuntimeError("diverged")
    assert set(blas_threads()) == {2}
    monkeypatch.setenv("CHAINRULE_BLAS_THREADS", "2")    # a fixed count: fixed numbers
    with threads.balance(threads.SMALL_BATCH) as chooser:
        assert chooser is None
    with threadpool_limits(1, user_api="blas"), threads.balance(threads.SMALL_BATCH) as chooser:
        assert chooser is None                      # one thread: nothing to choose


def test_fit_tells_the_balance_every_step(two_threads, monkeypatch):
    """fit's NumPy loop times its steps (and only them) for the chooser, which then sets the
    threads back."""
    import chainrule as cr
    monkeypatch.setattr(threads, "others_running", lambda samples=3: 0)
    class Counting(threads.Balance):
        steps = restarts = 0

        def step(self):
            Counting.steps += 1
            super().step()

        def restart(self):
            Counting.restarts += 1
            super().restart()

    monkeypatch.setattr(threads, "Balance", Counting)
    monkeypatch.setenv("CHAINRULE_NUMBA", "0")
    monkeypatch.setattr(cr.backend.kernels, "ENABLED", False)
    rng = np.random.default_rng(0)
    X, y = rng.random((1000, 20)), rng.integers(0, 3, 1000)
    net = cr.Network([cr.Dense(20, 16, "relu"), cr.Dense(16, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=3, batch_size=threads.SMALL_BATCH, verbose=0, validation_split=0.2)
    assert Counting.steps == 3 * -(-800 // threads.SMALL_BATCH)
    assert Counting.restarts >= 3                   # each epoch starts a window
    assert set(blas_threads()) == {2}
