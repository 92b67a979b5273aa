"""Thread limits for Dask workers: one BLAS/OpenMP/Numba thread per task, so that a cluster's
workers share the cores instead of each starting a thread per core (oversubscription).

Two ways, for the two ways workers come to exist:
- workers you start: give them `worker_env()` (`LocalCluster(env=worker_env())`, or export the
  variables in the shell before `dask worker`); Numba reads NUMBA_NUM_THREADS when first imported.
- workers already running: `client.register_plugin(ThreadLimits(1))`; `chainrule sweep
  --scheduler` does this.
"""
from __future__ import annotations

import os

from distributed import WorkerPlugin

from chainrule.errors import ValidationError

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS")


def worker_env(threads: int = 1) -> dict[str, str]:
    """Environment variables that cap a worker process's BLAS, OpenMP and Numba threads."""
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise ValidationError(f"threads must be a positive integer; got {threads!r}")
    return {name: str(threads) for name in THREAD_VARIABLES}


class ThreadLimits(WorkerPlugin):
    """Caps the threads of workers that are already running (every current and future worker).

    `setup` puts `worker_env(threads)` into the worker's environment (for libraries loaded later,
    Numba included) and limits the BLAS libraries already loaded, through threadpoolctl.
    """

    idempotent = True

    def __init__(self, threads: int = 1):
        self.env = worker_env(threads)
        self.threads = threads

    def setup(self, worker) -> None:
        import numpy  # noqa: F401  (loads NumPy's BLAS, so that threadpoolctl sees it)
        from threadpoolctl import threadpool_limits
        os.environ.update(self.env)
        threadpool_limits(self.threads)
