"""`train --mpi`'s job: MPI.COMM_WORLD (rank 0 speaks for the job), the line naming each rank's process and host,
and the launches that would train one model per process: mpiexec without --mpi, or an mpiexec of another MPI
library than mpi4py's (every process rank 0 of 1); `sweep`, which has no --mpi, refuses mpiexec's processes too."""
from __future__ import annotations

import os
import sys

from ..errors import ValidationError, counted
from ..training.rank_warnings import launched_ranks, launcher, one_rank_each


def mpi_world():
    """MPI.COMM_WORLD for --mpi; the ranks other than 0 print nothing (rank 0 speaks for the job)."""
    try:
        from mpi4py import MPI
    except ImportError:
        from ..extras import install
        raise ImportError("--mpi needs mpi4py and an MPI library: " + install(["mpi4py", "mpich"], "mpi")) from None
    comm = MPI.COMM_WORLD
    launched = launched_ranks()
    if comm.Get_size() == 1 and launched > 1:
        raise ValidationError(f"--mpi: {launcher()} started {launched} processes, but MPI.COMM_WORLD has 1 rank in "
                              "each: each would train alone; " + one_rank_each(MPI))
    if comm.Get_rank() != 0:
        # for the life of the process, never closed: closefd=False, or Python's exit said "ResourceWarning: unclosed
        # file" of it on the job's stderr (after a rank's warning, under --quiet too)
        sys.stdout = sys.stderr = open(os.open(os.devnull, os.O_WRONLY), "w", closefd=False)
    return comm


def where_ranks(comm) -> str:
    """The line in which rank 0 says each rank's process id and host (--quiet drops it, as every note): mpiexec names
    a rank that dies (killed, out of memory) by its pid and host alone, and ends the job at once (no rank can say
    more)."""
    from mpi4py import MPI
    where = comm.allgather((os.getpid(), MPI.Get_processor_name()))      # every rank is past MPI_Init: no wait
    return f"MPI job of {counted(len(where), 'rank')}: " + ", ".join(
        f"rank {r} is pid {pid} on {host}" for r, (pid, host) in enumerate(where))
