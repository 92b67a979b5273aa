"""The ranks' meeting before an MPI fit (split out of distributed.py): one non-blocking collective
that every rank reaches with the error its checks raised or None, and the checks that every rank
runs the same fit, each with a deadline (CHAINRULE_MPI_TIMEOUT) instead of waiting for ever."""
from __future__ import annotations

import builtins
import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

import numpy as np

from ..errors import ChainruleError, ChainruleTypeError, ValidationError

TIMEOUT_S = 600.0


def timeout_s() -> float:
    """CHAINRULE_MPI_TIMEOUT seconds (`inf`: wait for ever), else TIMEOUT_S. Zero or less ended every
    job at its first collective, and NaN never timed out: both are errors, raised on every rank."""
    return env_seconds("CHAINRULE_MPI_TIMEOUT", TIMEOUT_S)


def env_seconds(variable: str, default: float) -> float:
    """The environment variable's seconds above 0 (`inf`: wait for ever; unset or blank: `default`), else a
    ValidationError naming it: one rule for every wait a variable sets (this one's, and CHAINRULE_DASK_WAIT's)."""
    text = os.environ.get(variable, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0:
        raise ValidationError(f"{variable} must be a number of seconds above 0 (or inf); got {text!r}")
    return seconds


ARRIVED = 7301        # the tag of each rank's note to rank 0 that it reached the meeting
ENDING = 7302         # the tag of a failing rank's note to the others that it ends the job (`end`)


def wait(comm: Any, request: Any, timeout: float, what: str, late: Any = None) -> None:
    """Wait for a non-blocking collective; end the job if the other ranks do not join in `timeout` s
    (`late()`, where given, names the ranks that did not)."""
    deadline = time.perf_counter() + timeout
    told = False
    while not request.Test():
        told = told or ended_by(comm)
        if time.perf_counter() > deadline:
            missing = late() if late is not None else []
            said = (f"for rank{'s' * (len(missing) > 1)} {', '.join(map(str, missing))} {what}, which did not "
                    f"come ({HUNG if 'mpi4py.run' in sys.modules else settings(comm).not_come})") if missing else \
                f"for the other ranks {what} (one died or hangs)"
            print(f"chainrule: rank {comm.Get_rank()} of {comm.Get_size()} waited {timeout:g} s {said}; "
                  "ending the MPI job", file=sys.__stderr__, flush=True)
            abort(comm, settings(comm).timed_out_code)
        time.sleep(0)


#: why a rank may not have come to the meeting: in a script, one whose uncaught error (or exit) came before its fit
#: left rank 0 waiting out the timeout under a plain `python script.py`, told "still reading ..." of a rank that had
#: ended; the command line's ranks bring their errors to the meeting, and it says the first two alone
#: (not said under `python -m mpi4py`, where such a rank ended the job already: the rank that did not come hangs)
HUNG = "still reading or preparing its data, or hung"
NOT_COME = (f"{HUNG}; or its script ended before fit: start the script with `python -m mpi4py script.py`, so that "
            "a rank's uncaught error ends the job at once")


def said_and_code(rank: int, size: int, exc: BaseException) -> int:
    """A rank's failure in training, which ends the job: its line on the process's own stderr, and MPI_Abort's code.
    A Ctrl-C is an interruption, 130 as the command line's (it was "failed ...: KeyboardInterrupt: ", code 1)."""
    if isinstance(exc, KeyboardInterrupt):
        print(f"chainrule: rank {rank} of {size} interrupted (KeyboardInterrupt), ending the MPI job",
              file=sys.__stderr__, flush=True)
        return 130
    said = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    print(f"chainrule: rank {rank} of {size} failed, ending the MPI job: {said}", file=sys.__stderr__, flush=True)
    return 1


@dataclass(frozen=True)
class JobSettings:
    """How an MPI job reports and ends: the Python API's defaults, or the command line's (`train --mpi`), which
    says its own lines and exit codes. Given with the communicator (`JobComm`), never set as module state: a later
    fit in the same process (the Python API's) gets its own, whatever the command line's job did."""

    #: how a rank's failure in training ends the job (the others wait in a collective): it says its line and
    #: returns MPI_Abort's code; the command line's says its error line and gives the code the error has without MPI
    ending: Callable[[int, int, BaseException], int] = said_and_code
    #: the exit code of a job that a rank ends after waiting out the timeout (a rank died or hangs): the command
    #: line's is its code for a system that failed (4), as its other refusals have their own; 1 in Python
    timed_out_code: int = 1
    #: why a rank that never came to the meeting may not have: the command line's ranks bring their errors to
    #: it, so it says HUNG alone
    not_come: str = NOT_COME
    #: the file the data were read from (the command line's CSV), named where the ranks' data differ; None for
    #: arrays made in memory (a memmap names its own file)
    data_file: str | None = None


PYTHON_API = JobSettings()


@dataclass(frozen=True)
class JobComm:
    """A communicator with its job's settings: what the command line gives fit as `comm`, so that the settings
    reach every place that reads them (`wait`, `end`, `file_of_data`) through fit's one public argument, without
    a keyword of its own in fit's signature; it answers as the communicator it holds."""

    comm: Any
    settings: JobSettings

    def __getattr__(self, name: str) -> Any:
        if name in ("comm", "settings"):     # not yet set (a copy being made): no recursion through self.comm
            raise AttributeError(name)
        return getattr(self.comm, name)


def settings(comm: Any) -> JobSettings:
    """The settings of the job `comm` belongs to: a JobComm's own, else the Python API's."""
    return comm.settings if isinstance(comm, JobComm) else PYTHON_API


def end(comm: Any, exc: BaseException) -> NoReturn:
    """End the MPI job for this rank's failure `exc` while the others wait in a collective: the line and
    code of its settings' `ending`. A rank other than 0 waits before it speaks, so that a failure every rank
    meets (a Ctrl-C sent to mpiexec) is said once, by rank 0. The ranks waiting in a collective are told first
    (`ended_by`), so that each rank's own log (srun --output=%t) says why it ended, and this rank's line is the
    job's last."""
    rank, size = comm.Get_rank(), comm.Get_size()
    if rank:
        time.sleep(1.5)
    if hasattr(comm, "Isend"):
        note = np.array([rank, isinstance(exc, KeyboardInterrupt)], dtype=np.int64)
        _sent = [comm.Isend(note, dest=r, tag=ENDING) for r in range(size) if r != rank]     # kept till the abort
        time.sleep(0.3)                              # their lines before this rank's
    abort(comm, settings(comm).ending(rank, size, exc))


def ended_by(comm: Any) -> bool:
    """Whether another rank said it ends the job (`end`): then this rank's line naming it, on its own stderr (the
    command line's ranks other than 0 print nothing else), while it waits for the abort."""
    if not hasattr(comm, "Iprobe"):
        return False
    from mpi4py import MPI
    status = MPI.Status()
    if not comm.Iprobe(source=MPI.ANY_SOURCE, tag=ENDING, status=status):
        return False
    note = np.zeros(2, dtype=np.int64)
    comm.Recv(note, source=status.Get_source(), tag=ENDING)
    why = "was interrupted" if note[1] else "failed"
    print(f"chainrule: rank {comm.Get_rank()} of {comm.Get_size()} stopped: rank {note[0]} {why}, ending the MPI "
          f"job (rank {note[0]}'s output says why)", file=sys.__stderr__, flush=True)
    return True


def abort(comm: Any, code: int) -> NoReturn:
    """MPI_Abort with `code`, this rank's line (said already) the job's last."""
    time.sleep(0.5)                                  # mpiexec forwards the line before the abort
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)     # MPICH's own "Abort(2) on node ..." line: not the last
    comm.Abort(code)
    os._exit(code)       # MPICH's Abort can return before mpiexec ends the rank: not the error said again


#: what a communicator has that the meeting and the training use (mpi4py's Comm)
COMMUNICATOR = ("Get_rank", "Get_size", "Allreduce", "Iallreduce", "Isend", "Irecv", "allgather", "bcast")


def agree(comm: Any, failure: BaseException | None = None) -> None:
    """The ranks' meeting before training: each brings the error its checks raised, or None. If a
    rank failed, every rank raises that error with the rank named (the class of a chainrule error,
    else RuntimeError), so that rank 0 reports it instead of waiting for a rank that has left."""
    if not all(hasattr(comm, a) for a in COMMUNICATOR):       # not a communicator: no meeting to hold
        if failure is not None:
            raise failure
        raise ChainruleTypeError(f"comm must be an mpi4py communicator such as MPI.COMM_WORLD; got {comm!r}")
    from mpi4py import MPI
    rank, size = comm.Get_rank(), comm.Get_size()
    seen = np.zeros(size, dtype=np.int64)         # rank 0 learns who came, to name a rank that never does
    notes = [comm.Irecv(seen[r:r + 1], source=r, tag=ARRIVED) for r in range(1, size)] if rank == 0 else \
        [comm.Isend(np.ones(1, dtype=np.int64), dest=0, tag=ARRIVED)]
    failed = np.array([failure is not None], dtype=np.int64)
    try:
        wait(comm, comm.Iallreduce(MPI.IN_PLACE, failed, op=MPI.SUM), timeout_s(), "before training",
             lambda: [r for r, note in enumerate(notes, 1) if not note.Test()] if rank == 0 else [])
    except KeyboardInterrupt as exc:       # the others may not come for long (a rank reading its data): end the job
        end(comm, exc)
    MPI.Request.Waitall(notes)                      # every rank came: every note has come too
    if not failed[0]:
        return
    if size == 1 and failure is not None:      # a job of one rank (--mpi without mpiexec): one process's error
        raise failure
    raise rebuilt(comm.allgather(None if failure is None else report(failure))) from failure


def rebuilt(said: list[tuple[str, str, str, int | None] | None], when: str = "before training") -> BaseException:
    """The error every rank raises for the ranks' failures `said` (`report`'s, None where a rank did not fail):
    their messages with the ranks named, of the class of the first (as `agree` says)."""
    reports: dict[tuple[str, str, str, int | None], list[int]] = {}      # ranks that failed alike are named together
    for rank, one in enumerate(said):
        if one is not None:
            reports.setdefault(one, []).append(rank)
    size, ours = len(said), ChainruleError.__module__
    text = "; ".join(f"rank{'s' * (len(ranks) > 1)} {', '.join(map(str, ranks))} of {size} failed {when}: "
                     + (message if module == ours or _kept(module, name) else f"{name}: {message}")
                     for (module, name, message, _), ranks in reports.items())
    module, name, _, code = next(iter(reports))
    cls = getattr(sys.modules[ours], name, None) if module == ours else _kept(module, name)   # ours: chainrule.errors
    if isinstance(cls, type) and issubclass(cls, OSError) and code is not None:
        exc: BaseException = cls(code, text)            # its errno kept: a full disk stays a full disk
    else:
        exc = cls(text) if isinstance(cls, type) and issubclass(cls, (ChainruleError, *KEPT)) else RuntimeError(text)
    return exc


#: the built-in errors a rank's failure keeps its class of on every rank (with an OSError's errno): what
#: a reader does with it depends on it (the command's exit code: 4 for a full disk, 5 for a missing extra)
KEPT = (OSError, MemoryError, ImportError)


def _kept(module: str, name: str) -> type | None:
    """The built-in class named, where it is one of KEPT (or a subclass: FileNotFoundError)."""
    cls = getattr(builtins, name, None) if module == "builtins" else None
    return cls if isinstance(cls, type) and issubclass(cls, KEPT) else None


def report(failure: BaseException) -> tuple[str, str, str, int | None]:
    """What a rank brings to the meeting: (module, class name, message, errno); an OSError's message
    without Python's '[Errno N] ' (its errno travels beside it). A chainrule error of a class defined beside its
    use (the command line's OptionError) goes as its nearest class of chainrule.errors, which `rebuilt` can make:
    it was a RuntimeError, said as an internal error."""
    message = str(failure)
    code = failure.errno if isinstance(failure, OSError) else None
    if isinstance(failure, OSError) and failure.strerror:
        message = failure.strerror + (f": {failure.filename!r}" if failure.filename is not None else "")
    cls = next((c for c in type(failure).__mro__ if c.__module__ == ChainruleError.__module__), type(failure))
    return cls.__module__, cls.__name__, message, code


def prepare(comm: Any, verbose: int | str, seed: int | None) -> tuple[int | str, int]:
    """The verbosity (rank 0 only) and a seed shared by every rank (drawn by rank 0 if None on
    every rank), after the ranks `agree` that their checks passed. Ranks given other seeds (or a
    seed on some and None on others) are an error on every rank: their orders of the samples
    would differ, so that their parts of a batch would not make up the batch."""
    agree(comm)                                             # (which refuses a comm that is no communicator)
    same(comm, {"seed": seed})
    if seed is None:
        seed = comm.bcast(int(np.random.default_rng().integers(2**62)) if comm.Get_rank() == 0 else None, root=0)
    return (verbose if comm.Get_rank() == 0 else 0), int(seed)


def same(comm: Any, run: dict[str, Any], files: dict[str, str | None] | None = None) -> None:
    """Every rank must bring the same `run` (what a rank's fit depends on, as comparable values):
    a rank that differs from rank 0 is named on every rank, with the values that differ (and, for data that
    differ, the file each rank read them from: `files`, not compared, as ranks may read copies at other paths).
    Without this, other epochs left a rank waiting for the others until the timeout, another network or
    dtype ended in an error of MPI itself, and another optimizer, order or data trained silently
    on something else than the documented global batches."""
    runs = comm.allgather((run, files or {}))
    first, first_files = runs[0]
    differ = [f"rank {r}'s {key} differ from rank 0's (rows spread over X and Y{read_from(r, fs, first_files, key)})"
              if key.endswith("data") else f"rank {r} has {key}={value!r} (rank 0: {first.get(key)!r})"
              for r, (other, fs) in enumerate(runs) for key, value in other.items() if value != first.get(key)]
    if differ:
        raise ValidationError(f"{'; '.join(differ)}: every rank must run the same fit (the same data, network, "
                              "optimizer and arguments); each rank takes its own part of every batch")


def read_from(rank: int, files: dict[str, str | None], first: dict[str, str | None], key: str) -> str:
    """'; rank R read FILE, rank 0 read FILE' where a rank's `key` data came from a file; else nothing."""
    if files.get(key) is None and first.get(key) is None:
        return ""
    return f"; rank {rank} read {files.get(key) or IN_MEMORY}, rank 0 read {first.get(key) or IN_MEMORY}"


IN_MEMORY = "an array in memory"


def file_of_data(X: Any, comm: Any) -> str | None:
    """The file X was read from: the path of the file a memmap (or the rows `fit` reads of one) is mapped from,
    else the job's `data_file` (the command line's CSV); None for an array made in memory."""
    arrays = [getattr(X, "source", X)]
    if all(hasattr(arrays[0], a) for a in ("data", "indices", "indptr")):    # a CSR matrix of memmaps
        arrays = [arrays[0].data]
    base = arrays[0]
    while base is not None and not (isinstance(base, np.memmap) and getattr(base, "filename", None)):
        base = getattr(base, "base", None)
    return os.path.abspath(str(base.filename)) if base is not None else settings(comm).data_file


def check_sizes(comm: Any, n: int, batch_size: int, source: str | None = None) -> None:
    """Every rank must see the same data and batch size (else the shards do not fit together): a
    rank that differs from rank 0 is named on every rank, with the file each read (`source`, where known)."""
    sizes = comm.allgather((int(n), int(batch_size), source))
    files = any(s is not None for _, _, s in sizes)

    def read(s: str | None) -> str:
        return f" read from {s or IN_MEMORY}" if files else ""
    differ = [f"rank {r} has {m} samples{read(s)} and batch_size {b}" for r, (m, b, s) in enumerate(sizes)
              if (m, b) != sizes[0][:2]]
    if differ:
        raise ValidationError(f"{'; '.join(differ)}; rank 0 has {sizes[0][0]}{read(sizes[0][2])} and {sizes[0][1]}: "
                              "every rank must train on the same data")
