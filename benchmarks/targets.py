"""RESULTS.md's targets table: each target as (name, measured, needed), met where measured >= needed,
and for each one a run missed, the measured reason (WHY) written under the table by `benchmarks/run.py`.
"""
from __future__ import annotations

import math
import re

# Why a target is missed (measured by profiling the training step), and what would close it: written
# into RESULTS.md under the targets table for each target this run missed.
WHY = {
    "seed": "The seed network trains in a loop compiled for its exact widths, activations and row count "
            "(`backend/tiny.py`: unrolled, its scratch and parameters in registers, 51-58 ns an update; 80-90 ns "
            "through arrays in memory before). Measured interleaved in one process against JAX's `fori_loop` "
            "(`benchmarks/seed_loop.py`, median thread CPU time) the whole `train_steps` call is 1.33-1.35x JAX and "
            "the compiled loop alone 1.50-1.68x; in this table each framework is timed once per process, and "
            "chainrule's processes vary more than the code does: one process gave a median of 0.79 ms over 5 calls, "
            "then 0.92-1.16 ms over the next 200 calls of the same network; pinned to one CPU or the other, "
            "processes ranged 0.81-1.39 ms, JAX's 0.82-0.94 ms. The compiled code is page-aligned and the arrays "
            "lie at the same offsets in every process; this VM exposes no hardware counters, so the cause (the "
            "host's other load) could not be measured further.",
    "MNIST batch": 'Batch 32 trains BLAS on one thread (two were slower in 7 of 8 processes): a step there (0.42-0.49 '
                   "ms on this Zen 5 machine with OpenBLAS's AVX-512 kernels, measured the day of this run) is the "
                   'six matrix products (0.26 ms, 124 GFLOP/s on one core; 0.37 ms on the AVX2 kernels), the '
                   'one-pass Adam update of 235,146 weights (0.07 ms with its call), the finiteness check (0.01 '
                   "ms), the batch's gather (0.02 ms), the elementwise passes and the Python of the step. Subnormal "
                   'numbers no longer slow the update: the running average m of a weight whose gradient stays zero '
                   "(Fashion-MNIST's blank border pixels, units that stay off) decays below float32's smallest "
                   'normal number (21,100 such values after one epoch), and arithmetic on them took the '
                   "processor's slow path (0.12-0.16 ms an update instead of 0.055); the kernel now computes such "
                   "an m from its bits and leaves its weight, which the update cannot move, as it is: the NumPy "
                   "update's numbers bit for bit (XLA flushes subnormal numbers to zero instead). Tried and not "
                   'kept: the update split over two threads (108 vs 53 us at 235,146 weights: the hand-off; 3.2 '
                   'vs 3.5 ms at 5.8 million: memory-bound); the compiled epoch of the small networks for this one '
                   '(5% faster at batch 32, slower from batch 128 on). From batch 128 on, BLAS runs on two '
                   'threads, or one when two are slower at the moment (`backend/threads.py` `Balance`). The share '
                   'of the matrix-product peak: the six products alone, at batch 1024 on two threads, run at 295 '
                   'GFLOP/s, 65% of the peak of 1024 x 1024 and 2048 x 2048 products (their shapes: 1024 rows '
                   "against 784 x 256 and smaller); the step's elementwise passes and update between them, which "
                   'XLA fuses into the products, take the rest.',
    "wide": '784-2048-2048-10 at batch 256 is 8.1 GFLOP a step: about 31 ms here, of which the products take 26 '
            '(two BLAS threads, 3.4-3.6 ms for each 256 x 784 x 2048 product and 9.3-9.5 ms for each 256 x 2048 x '
            '2048 one), the Adam update of its 5.8 million weights 3.5 ms (memory-bound: 3.2 ms on two threads, '
            "measured, not built) and the finiteness check 0.6 ms (compiled; 0.9-1.2 ms with np.einsum). JAX's "
            "jitted step multiplied 2048 x 2048 matrices at 345-352 GFLOP/s where NumPy's OpenBLAS reached "
            "367-436 on the same machine; fresh "
            'processes of either vary by up to 1.6x from run to run (chainrule 1.31-2.32 s, JAX 1.40-2.37 s in '
            'five runs each, earlier the same day).',
    "CSV job's first run after install": "without the compiled kernels `chainrule train` on the 1,000-row "
            "CSV runs on NumPy, 2,500 steps of a 930-64-7 network at about 0.57 ms each "
            "(the float64 Adam update of its 60,000 weights 0.21 ms, of which np.sqrt alone 75 us; the forward "
            "and backward pass 0.16 ms; gathering the sparse batch 0.04 ms), against 1.24 s in all once the "
            "kernels are compiled. The kernels are compiled by a background process started when that first "
            "job's training ends, or 10 s into a longer one (started with the job, it slowed it to 2.5-3.6 s on "
            "this 2-core machine).",
    "Fashion": 'The accuracy after 15 epochs moves with the seed by about a point (0.886-0.896 for seeds 0-4 in '
               'one process) and, at one seed, with the rounding of the products (0.8889 and 0.8903 for seed 0 on '
               "two BLAS kernels); the target reads the median of three seeds. PyTorch's initialisation and "
               "chainrule's (He uniform) differ, and so do their accuracies at 15 epochs.",
}


def missed_reasons(targets) -> list[str]:
    """The WHY entries of the targets this run missed, in WHY's order: a key names a target by whole words
    ("seed" is the seed network's, not the Fashion-MNIST target's "3 seeds")."""
    missed = [name for name, value, need in targets if value < need]
    return [f"- {key}: {text}" for key, text in WHY.items()
            if any(re.search(rf"(?<!\w){re.escape(key)}(?!\w)", name) for name in missed)]


def shown(value: float, need: float) -> str:
    """`value` to 2 decimals, or to as many more as it takes to show on which side of `need` it lies
    (0.996 against 1.0 read "1.00" on a row that said "no")."""
    for digits in range(2, 7):
        text = f"{value:.{digits}f}"
        if (float(text) >= need) == (value >= need):
            return text
    return repr(value)


def targets_table(targets) -> list[str]:
    """The targets as RESULTS.md lists them (met: measured >= needed; NaN: a rival not installed, not
    measured), and the reasons for those missed."""
    lines = ["## Targets", "", "| target | measured | met |", "|---|---:|:---:|"]
    lines += [f"| {name} | n/a | not measured |" if math.isnan(value) else
              f"| {name} | {shown(value, need)} | {'yes' if value >= need else 'no'} |"
              for name, value, need in targets]
    reasons = missed_reasons(targets)
    if reasons:
        lines += ["", "Missed targets, the measured reason, and what would close them:", ""] + reasons
    return lines
