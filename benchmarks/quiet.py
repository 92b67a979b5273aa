"""Waiting for idle CPUs before each measurement of run.py: other jobs share these 2 cores, and a run
started in another job's burst measures that job as much as its own framework."""
from __future__ import annotations

import time


def cpu_idle(seconds=0.3) -> float:
    """The fraction of CPU time idle over `seconds` (from /proc/stat; 1.0 where it cannot be read)."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    try:
        i0, t0 = sample()
        time.sleep(seconds)
        i1, t1 = sample()
    except (OSError, ValueError, IndexError):
        return 1.0
    return (i1 - i0) / max(t1 - t0, 1)


WAIT = [True]       # False for the smoke run (benchmarks/smoke.py), whose times are not compared: no wait
WAITED = [0.0, 0]   # seconds spent waiting for idle CPUs, runs started while others still ran
# the wait before each run: long enough for another job's short burst to end, short enough that a machine
# busy for good costs a few minutes in all; "idle" leaves room for the system's own background work
QUIET_WAIT_S, QUIET_IDLE = 5.0, 0.85


def wait_quiet(max_wait=QUIET_WAIT_S, idle=QUIET_IDLE) -> None:
    """Other jobs share these 2 cores: before each run, wait (a few seconds at most) until they are idle."""
    if not WAIT[0]:
        return
    start = time.perf_counter()
    while cpu_idle() < idle:
        if time.perf_counter() - start > max_wait:
            WAITED[1] += 1
            break
    WAITED[0] += time.perf_counter() - start
