"""The README's "Performance" section (benchmarks/README_SNIPPET.md), written by `benchmarks/run.py`
from its run's targets: the headline ratios, and the notes on Numba, BLAS threads and subnormal numbers.
"""
from __future__ import annotations

import importlib.util
import math

from sections import DIGITS_EPOCHS, FASHION_EPOCHS, FASHION_SEEDS, SEED_STEPS

SUBNORMAL_NOTE = ("Late in training, a confident classifier's tiny outputs push error signals, gradients and "
                  "Adam's moments below float32's normal range, where every operation takes the processor's slow "
                  "path: on digits at lr 0.01, PyTorch runs 1.4-1.6x slower than with those numbers flushed to zero, "
                  "and 3x slower than chainrule, which sets deltas too small to matter to zero "
                  "([benchmarks/RESULTS-subnormal.md](benchmarks/RESULTS-subnormal.md)).")
NUMBA_NOTE = ("With `pip install '.[fast]'` in chainrule's checkout (Numba), small networks train a whole fit "
              '(or epoch, when a callback needs Python between epochs) in one compiled loop, the optimizers '
              'update the parameters in '
              'one compiled pass, and `predict` runs in chunks in place on NumPy alone. No job waits for Numba: by '
              'default (`CHAINRULE_NUMBA` unset) a job loads the kernels only when they are already compiled and '
              'cached and the job would take longer on NumPy than loading them (about 0.6 s); a shorter job (digits'
              ' for 3 epochs, say) never imports Numba. When the kernels are not cached yet (the first run after '
              'install), the job runs on NumPy and, when its training is done (or 10 s into it), starts one '
              'background process (`python -m chainrule.backend.warmup`, niced) that compiles them for float32 and '
              "float64 into Numba's cache (`__pycache__` beside the package, or `NUMBA_CACHE_DIR`), and the next "
              'long job uses them (not beside a short job: on 2 cores the compiler slowed a 2-second one by a fifth'
              " to a half). The tiny networks' loop (layers at most 4 wide: the seed's, XOR's) is compiled per "
              'widths, activations and, where every batch has the same few rows (at most 4), row count, a few '
              "seconds each; the background process compiles the seed's, and a job whose version no process "
              'compiled yet runs on the '
              'general compiled loop to its end (the same numbers in float64; in float32 the last bits can differ) '
              'and, if it is long enough to load the kernels for, has its version compiled in the background once '
              'it is done, for the next job. `CHAINRULE_NUMBA=1` always uses the kernels'
              ' (compiling in the job if needed: a notebook'
              " or server that trains often; the benchmarks set it, as the rivals' jitted code is measured warm); "
              '`CHAINRULE_NUMBA=0` never does. NumPy alone runs the same math, the reference the tests compare the '
              'kernels against. During `fit`, BLAS uses no more threads than there are idle CPUs when it starts '
              '(threadpoolctl, in `[fast]`; `CHAINRULE_BLAS_THREADS=N` or `off` overrides): on a shared machine a '
              'product split across two threads waits at every step for the one another process keeps off its core '
              '(400 steps at batch 32: 17.6 s instead of 2.5 s beside two busy processes, '
              '[benchmarks/RESULTS-contention.md](benchmarks/RESULTS-contention.md)). From batch 128 on, `fit` also'
              ' times its steps and switches between one BLAS thread and all of them, to whichever is faster at the'
              ' moment: on a virtual machine the second CPU is at times slow, and a product split in equal halves '
              'then waits for it (784-256-128-10 at batch 128: 1.3 s an epoch on two threads in such a moment, 1.0 '
              's on one, 0.6-0.7 s on two otherwise). One and two threads can round a product over many inputs '
              'differently (by about 1e-7 of the sum of the magnitudes of its terms, in float32), so with the same '
              'seed two such fits can part in the last bits; `CHAINRULE_BLAS_THREADS=N` fixes the count, and the '
              'numbers.')

BLAS_NOTE = ("The matrix products are NumPy's, through the OpenBLAS its wheels ship, which picks its kernels for "
             'the CPU when NumPy is loaded. `OPENBLAS_CORETYPE`, where an environment sets it, overrides that '
             'choice for every process: set to `Haswell` on an AVX-512 CPU (AMD EPYC, Zen 5), it ran this '
             "machine's float32 products at 200-240 GFLOP/s instead of 340-430, and 784-2048-2048-10 trained on "
             '12,000 samples in 2.2 s instead of 1.4 s. `python -c "import numpy, threadpoolctl; '
             'print(threadpoolctl.threadpool_info())"` names the kernels in use (`architecture`); `make bench` '
             'runs without the variable, so that every framework runs at its defaults for the CPU.')


def keras_words() -> str:
    """How this run measured Keras 3: jitted on JAX where JAX is installed, else eager on PyTorch
    (run.keras_backend)."""
    if importlib.util.find_spec("jax") is not None:
        return "JAX and Keras 3 on JAX (jitted as their documentation recommends)"
    return "JAX (jitted as its documentation recommends; absent here, so not measured) and Keras 3 on PyTorch (eager)"


def snippet(r, targets, fashion, source, reps) -> str:
    """The README's "Performance" section, from this run's numbers."""
    data = "Fashion-MNIST" if source and source.startswith("Fashion") else "generated 60,000x784 data"
    rows = [
        "## Performance", "",
        "Measured by `make bench` on a 2-core CPU machine (shared with other jobs, so timings are noisy), "
        f"against PyTorch 2.13 (same thread count), {keras_words()} and "
        "scikit-learn, same architecture, batch size, dtype and optimizer, each framework in its own process; "
        f"medians of {reps} alternating repetitions. Full tables, machine, versions and BLAS: "
        "[benchmarks/RESULTS.md](benchmarks/RESULTS.md). Ratios above 1 mean chainrule is faster.", "",
        "| workload | chainrule vs PyTorch | vs JAX | vs scikit-learn |", "|---|---:|---:|---:|",
        f"| the seed's 2-2-2 network, {SEED_STEPS:,} updates | {r['seed network >= 10x PyTorch']:.1f}x | "
        f"{r['seed network faster than JAX fori_loop']:.2f}x | |",
        f"| digits 64-64-10, batch 32, SGD+momentum / Adam, {DIGITS_EPOCHS} epochs | "
        f"{r['digits sgd >= 6x PyTorch']:.1f}x / "
        f"{r['digits adam >= 6x PyTorch']:.1f}x | | {r['digits sgd >= 3x scikit-learn']:.1f}x / "
        f"{r['digits adam >= 3x scikit-learn']:.1f}x |",
        f"| 784-256-128-10 on {data}, Adam, batch 32 / 128 / 1024 | see RESULTS.md | "
        + " / ".join(f"{r[f'MNIST batch {b} >= {1.0 if b == 1024 else 1.2}x JAX (jitted step)']:.2f}x"
                     for b in (32, 128, 1024)) + " | |",
        f"| predict, 100,000 x 784 float32 | {r['inference >= 1.2x PyTorch (inference_mode)']:.2f}x | "
        f"{r['inference >= 1.0x JAX (jit)']:.2f}x | |",
    ]
    if fashion:
        rows.append(f"| Fashion-MNIST to {fashion['chainrule'][1]:.3f} test accuracy ({FASHION_EPOCHS} epochs, "
                    "batch 128, median of "
                    f"{len(FASHION_SEEDS)} seeds) | "
                    f"{fashion['chainrule'][0]:.1f} s vs {fashion['torch'][0]:.1f} s | | |")
    rows += ["", f"At batch 1024 the training step runs at {100 * r['MNIST batch 1024 >= 80% of matmul peak']:.0f}% of "
             "the machine's measured float32 matrix-product peak. Where chainrule wins and where it does not, over "
             "batch size and layer width: [benchmarks/RESULTS-scaling.md](benchmarks/RESULTS-scaling.md).",
             "", SUBNORMAL_NOTE]
    missed = [name for name, value, need in targets if value < need]
    unmeasured = [name for name, value, _ in targets if math.isnan(value)]
    rows += ["", ("Missed in this run: " + "; ".join(missed) + ". RESULTS.md gives the measured reasons.")
             if missed else "Every target measured in this run was met." if unmeasured else
             "Every target of the benchmark was met in this run."]
    if unmeasured:
        rows += ["", "Not measured in this run (a rival not installed, RESULTS.md names it): "
                 + "; ".join(unmeasured) + "."]
    return "\n".join(rows + ["", NUMBA_NOTE, "", BLAS_NOTE]) + "\n"
