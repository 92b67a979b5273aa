"""The warnings of an MPI fit (split out of distributed.py). Rank 0 shows its own as they come. The
other ranks hold theirs until training ends; then rank 0 shows those it did not give itself, with the
ranks that gave them named ("rank 1 of 2: ..."): a callback given to one rank alone, or one rank's
data, warns once, where the user reads (the command line silences the other ranks). Warnings that
every rank gives alike (the same logs, the same parameters) are shown once. Only `showwarning` is
replaced, for the fit's length: the filters stay the caller's. An "error" filter turns the warning into
an error on each rank that gives it, separately, which ends the MPI job as any error of a rank's training
does ("rank N of M failed, ending the MPI job", exit code 1): the script's own `except` around fit never runs.
The hook is the whole process's, but it holds only the fitting thread's warnings, and only while the fit
runs: another thread's, or any after the fit (a catch_warnings entered in another thread during the fit
and left after it puts the hook back), go to the showwarning it replaced.

Also the launch a fit that trains alone meets (`alone_among_ranks`): a process that mpiexec (or srun) started as one
of several, whose fit without comm= (or with a comm of 1 rank) would train a separate network on all its data beside
the others, silently."""
from __future__ import annotations

import os
import sys
import threading
import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from .meeting import wait

#: a warning as a rank heard it: (category's module, its qualified name, message, file, line)
Heard = tuple[str, str, str, str, int]


def category(module: str, qualname: str) -> type[Warning]:
    """The class of a warning another rank heard (the same program runs there), else UserWarning."""
    found: Any = sys.modules.get(module)
    for part in qualname.split("."):
        found = getattr(found, part, None)
    return found if isinstance(found, type) and issubclass(found, Warning) else UserWarning


class RankWarnings:
    """`with RankWarnings(comm, timeout):` around one rank's training (every rank enters it)."""

    def __init__(self, comm: Any, timeout: float):
        self.comm, self.timeout = comm, timeout
        self.rank, self.size = comm.Get_rank(), comm.Get_size()
        self.heard: dict[Heard, None] = {}        # in order, each once (a warning every epoch is held once)
        self.active = False

    def __enter__(self) -> RankWarnings:
        self.previous = warnings.showwarning
        self.thread, self.active = threading.get_ident(), True
        warnings.showwarning = self.hear
        return self

    def hear(self, message: Any, category: type[Warning], filename: str, lineno: int, file: Any = None,
             line: str | None = None) -> None:
        if self.active and threading.get_ident() == self.thread:
            self.heard[(category.__module__, category.__qualname__, str(message), str(filename), int(lineno))] = None
            if self.rank:
                return
        self.previous(message, category, filename, lineno, file, line)

    def __exit__(self, kind: Any, exc: BaseException | None, tb: Any) -> None:
        self.active = False
        if warnings.showwarning == self.hear:        # else another hook was set since: leave it
            warnings.showwarning = self.previous
        if exc is None or getattr(exc, "on_every_rank", False):     # every rank is here: rank 0 tells
            self.tell()
        elif self.rank:                      # this rank alone failed (the job ends): its own, on its own stderr
            self.show([(heard, [self.rank]) for heard in self.heard])

    def tell(self) -> None:
        """Rank 0 shows the other ranks' warnings that it did not give (one small Allreduce; a gather if any)."""
        from mpi4py import MPI
        count = np.array([len(self.heard) if self.rank else 0], dtype=np.float64)
        wait(self.comm, self.comm.Iallreduce(MPI.IN_PLACE, count, op=MPI.SUM), self.timeout, "after training")
        if not count[0]:
            return
        said = self.comm.gather(None if self.rank == 0 else list(self.heard), root=0)
        if self.rank:
            return
        given = {(module, name, message) for module, name, message, _, _ in self.heard}
        ranks: dict[Heard, list[int]] = {}
        for r, theirs in enumerate(said[1:], 1):
            for heard in theirs:
                if heard[:3] not in given and r not in ranks.setdefault(heard, []):
                    ranks[heard].append(r)
        self.show(list(ranks.items()))

    def show(self, told: list[tuple[Heard, list[int]]]) -> None:
        for (module, name, message, filename, lineno), ranks in told:
            who = f"rank {ranks[0]}" if len(ranks) == 1 else f"ranks {', '.join(map(str, ranks))}"
            self.previous(f"{who} of {self.size}: {message}", category(module, name), filename, lineno)


#: the variables each launcher sets in the environment of the processes it starts, and the launcher said
LAUNCHERS = {"PMI_SIZE": "mpiexec", "OMPI_COMM_WORLD_SIZE": "mpiexec", "MV2_COMM_WORLD_SIZE": "mpiexec",
             "SLURM_STEP_NUM_TASKS": "srun"}


def launched_ranks() -> int:
    """How many processes an MPI launcher started beside this one, by the variables it sets (MPICH's and Intel's
    Hydra, Open MPI, MVAPICH; Slurm's srun, with PMI or without); 1 outside one, and in a process that a rank
    started (a Dask worker, a subprocess of the user's script: it inherits the variables but is no rank). Read
    without importing mpi4py."""
    for name in LAUNCHERS:
        value = os.environ.get(name, "")
        if value.isdigit():
            return 1 if started_by_a_rank(name, value) else int(value)
    return 1


#: each launcher's variable of the process's own rank, by its variable of the count
RANKS = {"PMI_SIZE": "PMI_RANK", "OMPI_COMM_WORLD_SIZE": "OMPI_COMM_WORLD_RANK",
         "MV2_COMM_WORLD_SIZE": "MV2_COMM_WORLD_RANK", "SLURM_STEP_NUM_TASKS": "SLURM_PROCID"}


def launched_rank() -> int:
    """This process's rank among the `launched_ranks()` the launcher started (0 outside one): a refusal that every
    process gives alike is said by rank 0 alone. Read without importing mpi4py, as `launched_ranks`."""
    if launched_ranks() == 1:
        return 0
    name = next(name for name in LAUNCHERS if os.environ.get(name, "").isdigit())
    value = os.environ.get(RANKS[name], "")
    return int(value) if value.isdigit() else 0


def launcher() -> str:
    """The launcher's command, as the refusals name it: srun where Slurm's step has as many tasks as the ranks counted
    (srun --mpi=pmi2 sets PMI_SIZE too; an mpiexec inside an allocation runs its ranks in a step of one task a node)."""
    name = next((name for name in LAUNCHERS if os.environ.get(name, "").isdigit()), None)
    if name is None:
        return "mpiexec"
    if os.environ.get("SLURM_STEP_NUM_TASKS") == os.environ[name]:
        return "srun"
    return LAUNCHERS[name]


def started_by_a_rank(name: str, value: str) -> bool:
    """True where a Python process between this one and the launcher holds the launcher's variable from its own
    start: that process is the rank and this one its child. Ancestors are read in /proc (Linux) from the parent up
    to the launcher, the first without the variable; shells between (`mpiexec -n 2 sh -c ...`) are passed over.
    Where /proc cannot be read the variable is trusted, as before."""
    pid = os.getppid()
    while pid > 1:
        try:
            with open(f"/proc/{pid}/environ", "rb") as f:
                environ = f.read().split(b"\0")
            with open(f"/proc/{pid}/stat", "rb") as f:
                parent = int(f.read().rsplit(b")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if f"{name}={value}".encode() not in environ:
            return False                        # the launcher (or a process it did not start)
        try:
            exe = os.path.basename(os.readlink(f"/proc/{pid}/exe"))
        except OSError:
            exe = ""
        if exe.startswith("python"):
            return True
        pid = parent
    return False


def world_size() -> int:
    """The ranks of MPI.COMM_WORLD where the script imported mpi4py (never imported here), else the launcher's count."""
    MPI = sys.modules.get("mpi4py.MPI")
    try:
        if MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized():
            return max(int(MPI.COMM_WORLD.Get_size()), launched_ranks())
    except Exception:          # an MPI that cannot answer: the launcher's variables still can
        pass
    return launched_ranks()


#: the warnings this process gave already, by kind (once a process each: a script's every fit would repeat it)
_warned: set[str] = set()

#: the words a script filters to say that separate fits in each process are intended (a fit without comm=; one
#: given a comm of 1 rank, as COMM_SELF or a Split of one rank each)
ALONE = "fit without comm="
ONE_RANK = "comm has 1 rank"

#: what happens instead of data-parallel training, and how comm= gets it (not where comm= was of all the ranks already,
#: each rank 0 of 1 of an MPI that is not mpi4py's: there the launcher is to be changed)
ALONE_EACH = "each process trains a separate network on all the data it was given, alone"
SEPARATE = (f"{ALONE_EACH} (with comm= of all the ranks, each rank would train on its own rows of every batch, the "
            "gradients averaged, one network for all)")


def warn_once(kind: str, message: str) -> None:
    if kind not in _warned:
        _warned.add(kind)
        warnings.warn(message, UserWarning, stacklevel=caller_level())


def alone_among_ranks(comm: Any = None) -> None:
    """Warn, once a process, where a fit trains alone in one of several processes an MPI launcher started, and
    nothing said so (the command line refuses it; a script was silent): a fit without comm=; one given a comm of 1
    rank where MPI's world has several (COMM_SELF, a Split of one rank each); one given a comm of 1 rank where MPI's
    world has 1 but the launcher started several (an mpiexec of another MPI library than mpi4py's, each process
    rank 0 of 1, which `train --mpi` refuses). Each warning is said once, whichever came first."""
    if comm is not None:
        if comm.Get_size() != 1 or ONE_RANK in _warned:
            return
        from mpi4py import MPI
        world = MPI.COMM_WORLD.Get_size()
        if world > 1:
            warn_once(ONE_RANK, f"{ONE_RANK} (rank 0 of 1), but {launcher()} started this process as rank "
                      f"{MPI.COMM_WORLD.Get_rank()} of {world} in MPI.COMM_WORLD: {SEPARATE}. For one network "
                      "trained data-parallel, pass comm=MPI.COMM_WORLD; where separate fits are intended, say so with "
                      f"warnings.filterwarnings('ignore', message={ONE_RANK!r})")
            return
        launched = launched_ranks()
        if launched > 1:
            warn_once(ONE_RANK, f"{ONE_RANK}, but {launcher()} started {launched} processes, each rank 0 of 1 in "
                      f"MPI.COMM_WORLD: {ALONE_EACH}; " + one_rank_each(MPI))
        return
    if ALONE in _warned:
        return
    size = world_size()
    if size > 1:
        warn_once(ALONE, f"{ALONE} in a process that {launcher()} started as one of {size}: {SEPARATE}. For one "
                  "network trained data-parallel, pass comm=MPI.COMM_WORLD (from mpi4py import MPI); where separate "
                  f"fits are intended, say so with warnings.filterwarnings('ignore', message={ALONE!r})")


def library(MPI: Any) -> str:
    """mpi4py's MPI library as it reports itself, its first line to the comma ("Open MPI v4.1.5", "MPICH Version:
    4.1.2"): the first word alone read "Open" for Open MPI."""
    lines = MPI.Get_library_version().replace("\0", "").strip().splitlines() or ["an unnamed MPI"]
    return " ".join(lines[0].split(",")[0].split())


def one_rank_each(MPI: Any) -> str:
    """What to run where the launcher's processes are each rank 0 of 1 (`train --mpi` refuses it, a fit warns): srun
    without PMI, or an mpiexec of another MPI library than mpi4py's."""
    if launcher() == "srun" and not os.environ.get("PMI_SIZE", "").isdigit():
        return "srun connects them through PMI: run srun --mpi=pmi2 (or pmix; `srun --mpi=list` lists them)"
    mpiexec = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    return (f"that mpiexec is not of the MPI library mpi4py uses ({library(MPI)}): run {mpiexec} (beside this Python) "
            "or rebuild mpi4py for yours")
