"""The seed network's 10,000 updates: chainrule's `train_steps` against JAX's whole loop under
`lax.fori_loop`, in one process, repetitions interleaved (the machine may be shared), medians.

Run: `python benchmarks/seed_loop.py [repetitions] [steps]`. Prints ns per update for
`train_steps` (the whole public call: checks, plan, compiled loop), for the compiled loop alone
(`compiled.run_steps`), and for JAX; both are warmed up (compiled) first. Each run is timed by
the wall clock and by the calling thread's CPU time (JAX's CPU backend runs the loop on the calling
thread too): on a shared machine the wall clock also counts the time other processes held the
core, the CPU time does not.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("CHAINRULE_NUMBA", "1")      # measured warm, as JAX's jitted loop

import chainrule as cr  # noqa: E402
from chainrule.training import compiled  # noqa: E402

sys.path.insert(0, os.path.dirname(__file__))
from rivals import seed_jax_loop  # noqa: E402


class Clock:
    """Wall-clock and thread CPU seconds since creation."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.thread_time()

    def stop(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.thread_time() - self.cpu


def jax_loop():
    """The rival of benchmarks/rivals.py (`seed_jax`), compiled once; returns a timed runner."""
    import jax
    train, p0, error = seed_jax_loop()

    def timed(steps):
        clock = Clock()
        p = jax.block_until_ready(train(p0, steps))
        return clock.stop(), float(error(p))
    timed(10)
    return timed


def chainrule_call(steps):
    """`net.train_steps` as benchmarks/worker.py times it."""
    net, X, Y, lr = cr.examples.seed_network()
    clock = Clock()
    net.train_steps(X, Y, steps, optimizer=cr.optim.SGD(lr))
    return clock.stop(), net.loss(X, Y)


def chainrule_loop(steps):
    """The compiled loop alone (what `train_steps` calls once its checks are done)."""
    net, X, Y, lr = cr.examples.seed_network()
    opt = cr.optim.SGD(lr)
    plan = compiled.epoch_plan(net, opt, X, X.shape[0])
    assert plan is not None, "the compiled loop does not apply (is Numba installed?)"
    slices = net.trainable_slices()
    clock = Clock()
    compiled.run_steps(net, opt, plan, X, Y, steps, slices)
    return clock.stop(), net.loss(X, Y)


def main(reps: int = 41, steps: int = 10_000) -> None:
    runners = {"chainrule train_steps": chainrule_call, "chainrule loop only": chainrule_loop,
               "jax fori_loop": jax_loop()}
    for run in runners.values():
        run(steps)                                  # compile / warm up
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in runners}
    errors = {}
    for _ in range(reps):
        for name, run in runners.items():
            seconds, errors[name] = run(steps)
            times[name].append(seconds)
    cpu_jax = statistics.median(c for _, c in times["jax fori_loop"])
    print(f"{steps:,} updates, {reps} interleaved repetitions; ns/update: median CPU time, median and min wall clock")
    for name, ts in times.items():
        cpu, wall, best = (statistics.median(c for _, c in ts), statistics.median(w for w, _ in ts),
                           min(w for w, _ in ts))
        print(f"{name:22s} cpu {cpu / steps * 1e9:6.1f}  wall {wall / steps * 1e9:6.1f}  min {best / steps * 1e9:6.1f}"
              f"  JAX/this (cpu) {cpu_jax / cpu:5.2f}x  final error {errors[name]:.10f}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], allow_abbrev=False)
    ap.add_argument("reps", nargs="?", type=int, default=41, help="interleaved repetitions of each loop")
    ap.add_argument("steps", nargs="?", type=int, default=10_000, help="updates in each timed call")
    args = ap.parse_args()
    main(args.reps, args.steps)
