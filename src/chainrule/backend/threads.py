"""BLAS threads during training: no more threads than there are idle CPUs.

A training step is a few small matrix products, each split by OpenBLAS across its threads and
joined at a barrier. When another process holds a CPU, one of those threads waits for the
scheduler at every barrier: 784-256-128-10 at batch 32 took 0.7 s for 400 steps on a quiet
2-core machine and a median of 18-26 s with two busy processes beside it (one thread: 1.9-3.1 s;
benchmarks/RESULTS-contention.md). `blas_limit` caps NumPy's BLAS (and the BLAS that
Numba's products call) to the CPUs that are idle when training starts, and restores the limit
after; on an idle machine it changes nothing, except that batches under SMALL_BATCH rows train
on one thread (their products are too small for the join to pay, measured below). From
SMALL_BATCH rows on, `Balance` then switches between one thread and all of them during the fit,
to whichever is faster at the moment (a virtual machine's second CPU is not always as fast).

CHAINRULE_BLAS_THREADS: "auto" (the default) as above; a positive integer: that many threads
during training, whatever the load; "off": never change them. The limit needs threadpoolctl
(in the `[fast]`, `[dask]`, `[test]` and `[bench]` extras); without it BLAS keeps its threads, and
OPENBLAS_NUM_THREADS=1 in the environment does the same job for the whole process.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

SAMPLES = 3     # reads of the run queue, 1 ms apart: a process only briefly running is not contention
# below this batch size fit runs BLAS on one thread: 784-256-128-10 Adam float32, one epoch of
# 60,000 rows on this 2-CPU machine, fresh processes: batch 32, one thread 1.59-1.73 s, two
# 1.38-2.91 s (7 of 8 runs slower than one thread: the second thread's join costs more than it
# splits); batch 128, one thread 1.01-1.06 s, two 0.63-1.29 s; batch 1024, one 0.82-0.89 s, two 0.55-0.59 s
SMALL_BATCH = 128
_controllers: dict[bool, Any] = {}      # threadpoolctl's view of the BLAS libraries, kept per process


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask, else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _running(path: str) -> int:
    with open(path) as f:
        for line in f:
            if line.startswith("procs_running"):
                return int(line.split()[1])
    return 0


def _own_running() -> int:
    """This process's threads that are running or runnable now (its BLAS threads spin a while
    after each product, so they would otherwise count as load)."""
    count = 0
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/stat") as f:
                count += f.read().rsplit(")", 1)[1].split()[0] == "R"
        except OSError:
            pass
    return count


def others_running(samples: int = SAMPLES) -> int:
    """Threads of other processes running or waiting for a CPU: the least of up to `samples` reads
    of /proc/stat, 1 ms apart (Linux; 0 where it cannot be read). One read when it finds none."""
    try:
        least = max(0, _running("/proc/stat") - _own_running())
        for _ in range(samples - 1):
            if least == 0:
                break
            time.sleep(0.001)
            least = min(least, max(0, _running("/proc/stat") - _own_running()))
        return least
    except (OSError, ValueError, IndexError):
        return 0


def _mode() -> int | str | None:
    """CHAINRULE_BLAS_THREADS: "auto", a number of threads, or None for "off"."""
    mode = os.environ.get("CHAINRULE_BLAS_THREADS", "auto").strip().lower()
    if mode in ("auto", "off"):
        return None if mode == "off" else mode
    if not mode.isdigit() or int(mode) < 1:
        raise ValueError(f"CHAINRULE_BLAS_THREADS must be 'auto', 'off' or a positive integer; got {mode!r}")
    return int(mode)


def wanted_threads(current: int, others: int | None = None, batch_size: int | None = None) -> int | None:
    """The BLAS threads to use during training, or None to leave `current` as it is; `others`:
    the threads of other processes running now (read when not given); below SMALL_BATCH rows a
    batch's products are too small to gain from a second thread."""
    mode = _mode()
    if mode is None or isinstance(mode, int):
        return mode
    if current <= 1:
        return None
    if batch_size is not None and batch_size < SMALL_BATCH:
        return 1
    idle = usable_cpus() - (others_running() if others is None else others)
    return max(1, idle) if idle < current else None


def _blas_libraries() -> None:
    """Load the BLAS that Numba's compiled products call (SciPy's), when Numba is in use, so that
    the limit reaches it too."""
    if "numba" in sys.modules:
        with contextlib.suppress(ImportError):
            import scipy.linalg.cython_blas  # noqa: F401


def _controller() -> Any:
    """threadpoolctl's view of the BLAS libraries loaded (NumPy's, and SciPy's when Numba is in
    use), kept per process; None without threadpoolctl."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    _blas_libraries()
    key = "scipy.linalg.cython_blas" in sys.modules
    if key not in _controllers:                                # finding them takes about a millisecond
        _controllers[key] = ThreadpoolController().select(user_api="blas")
    return _controllers[key]


@contextlib.contextmanager
def blas_limit(batch_size: int | None = None) -> Iterator[int | None]:
    """Within the block, BLAS uses at most the CPUs idle at its start (see the module), and one
    thread for batches under SMALL_BATCH rows; yields the limit set, or None where nothing was
    changed. On an idle machine with larger batches it costs one read of /proc (about 50 microseconds)."""
    mode = _mode()
    small = batch_size is not None and batch_size < SMALL_BATCH
    others = others_running() if mode == "auto" and not small else 0
    if mode is None or (mode == "auto" and others == 0 and not small):
        yield None
        return
    controller = _controller()
    if controller is None:
        yield None
        return
    current = max((lib.num_threads for lib in controller.lib_controllers), default=1)
    threads = wanted_threads(current, others, batch_size)
    if threads is None or threads == current:
        yield None
        return
    limiter = controller.limit(limits=threads)
    try:
        yield threads
    finally:
        limiter.restore_original_limits()


class Balance:
    """Picks, while a fit runs, the BLAS thread count (all of `high`, or one) whose steps are faster
    now, by timing windows of steps.

    On a virtual machine the second CPU's speed can change by the second: measured here, two
    threads multiplied 512 x 512 matrices 1.96-2.07x faster than one in some moments and 1.43-1.6x
    (once 1.04x) in others, with nothing else running in the guest. OpenBLAS splits a product into
    equal parts, so in the slow moments a training step's smaller products wait for the slow thread
    and two threads are slower than one (784-256-128-10 at batch 128, one epoch: 0.68-0.83 s at its
    best, 1.3 s in a slow moment, one thread 1.0 s). So the steps are timed (`step`) in windows of
    WINDOW seconds (MIN_STEPS steps at least, one for a trial) and the faster count of the latest
    measures is kept. A trial of the other count runs when the current count's window is slower than
    the other's latest measure, or when the time the trials have lost (their extra time against the
    faster count), with the next trial's expected loss, stays within BUDGET of the fit's time: frequent
    where a trial costs little (steps of a millisecond), rare where it costs a step of 60 ms
    (784-2048-2048-10, where two threads always win). The thread count changes how OpenBLAS rounds
    some products (784 inputs: by 1e-7 of the sum of the magnitudes of their terms), so under
    "auto" two runs with the same seed can part in the last bits; CHAINRULE_BLAS_THREADS=N fixes
    the count (and the numbers)."""

    WINDOW, MIN_STEPS = 0.02, 2
    BUDGET = 0.03           # the share of the fit's time the trials may lose
    GUESS = 0.25            # a first trial's expected extra time, per step, against the current count

    def __init__(self, libraries: list, high: int, clock=time.perf_counter):
        self.libraries, self.high, self.clock = libraries, high, clock
        self.threads = high
        self.measured: dict[int, float] = {}        # seconds a step, the latest window of each count
        self.trial, self.lost, self.began = False, 0.0, clock()
        self.restart()

    def _set(self, n: int) -> None:
        for lib in self.libraries:
            lib.set_num_threads(n)
        self.threads = n

    def restart(self) -> None:
        """Start a new window (after anything that is not a training step: an epoch's end)."""
        self.count, self.start = 0, self.clock()

    def step(self) -> None:
        """One training step done: at the end of a window, time it, and choose the next count."""
        self.count += 1
        now = self.clock()
        if self.count < (1 if self.trial else self.MIN_STEPS) or now - self.start < self.WINDOW:
            return
        per = (now - self.start) / self.count
        other = 1 if self.threads == self.high else self.high
        if self.trial:                            # the other count tried: keep the faster
            self.trial = False
            self.lost += self.count * max(0.0, per - self.measured[other])
            self.measured[self.threads] = per
            if per > self.measured[other]:
                self._set(other)
        else:
            self.measured[self.threads] = per
            known = self.measured.get(other)
            expected = (self.GUESS * per if known is None else max(0.0, known - per)) * max(1.0, self.WINDOW / per)
            if (known is not None and per > known) or self.lost + expected <= self.BUDGET * (now - self.began):
                self.trial = True
                self._set(other)
        self.restart()

    def close(self) -> None:
        """Back to `high` threads."""
        self._set(self.high)


@contextlib.contextmanager
def balance(batch_size: int | None) -> Iterator[Balance | None]:
    """Within the block, a `Balance` of the BLAS threads set now (after `blas_limit`) and one, when
    there are two or more of them and CHAINRULE_BLAS_THREADS is "auto"; None otherwise."""
    if _mode() != "auto" or batch_size is None or batch_size < SMALL_BATCH:
        yield None
        return
    controller = _controller()
    if controller is None:
        yield None
        return
    libraries = list(controller.lib_controllers)
    high = max((lib.num_threads for lib in libraries), default=1)
    if high < 2:
        yield None
        return
    chooser = Balance(libraries, high)
    try:
        yield chooser
    finally:
        chooser.close()

