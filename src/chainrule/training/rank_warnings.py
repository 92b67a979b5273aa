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
and left after it puts the hook back), go to the showwarning it replaced."""
from __future__ import annotations

import sys
import threading
import warnings
from typing import Any

import numpy as np

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
