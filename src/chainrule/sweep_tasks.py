"""The sweep's tasks (one candidate on one fold) run here (joblib) or on a Dask cluster, each result kept as it
comes back, so that an interruption (Ctrl-C, or SIGTERM as the command turns it) loses only the tasks still
running: `SweepInterrupted` (and `ClusterLost`, a cluster that lost them; both `SweepStopped`) carries the results
of the tasks done, from which the sweep writes the candidates whose folds all finished (`chainrule.sweep`:
sweep_results.partial.csv).
"""
from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from chainrule.errors import ChainruleError, ValidationError
from chainrule.sweep_fold import _fold, clipped, ran_out  # noqa: F401  (clipped, ran_out: sweep_search's)


class SweepStopped(BaseException):
    """A sweep stopped before its end, with what it had done: the base of SweepInterrupted (a KeyboardInterrupt) and
    ClusterLost (a ChainruleError), `except SweepStopped` catching both. `done`: the finished tasks' results by task
    number; `search` adds `table`, the candidates whose folds all finished (None: none had), and `n_candidates`;
    `run_sweep` adds `partial_path`, the file it wrote them to (None: none written). Pickled whole (`done` and the
    fields with it: a pickle of args alone could not make one again)."""

    def __init__(self, done: dict[int, tuple], *args: Any):
        super().__init__(*args)
        self.done = done
        self.table: Any = None
        self.n_candidates = 0
        self.refitting = False       # every candidate finished; the best's refit on every row did not
        self.partial_path: Any = None
        self.lost: list[str] = []    # the candidates with a fold unfinished, as the grid wrote them (`search`'s)

    def __reduce__(self) -> tuple:
        return type(self), (self.done, *self.args), self.__dict__


class SweepInterrupted(SweepStopped, KeyboardInterrupt):
    """The sweep was interrupted during its fits (or the best's refit: `refitting`)."""


class ClusterLost(SweepStopped, ChainruleError, RuntimeError):
    """The Dask cluster lost the sweep's tasks (a worker killed, out of memory or restarted, with the folds' rows it
    held; the scheduler gone), which the command called an internal error; `why`: what was lost, in our words (the
    worker's address); the candidates whose folds all finished are written as an interrupted sweep's."""

    def __init__(self, done: dict[int, tuple], why: str):
        super().__init__(done, why)
        self.why = why

    def __str__(self) -> str:
        where = "its table" if self.partial_path is None else repr(str(self.partial_path))
        kept = ("; no candidate had finished all its folds" if self.table is None else
                f"; the {len(self.table)} of {self.n_candidates} candidates whose folds all finished are in {where}")
        if self.table is not None and self.lost:         # which to sweep again: none finished, every one
            shown = "; ".join(self.lost[:3]) + (f"; and {len(self.lost) - 3} more" if len(self.lost) > 3 else "")
            kept += f"; lost, with a fold unfinished: {shown}"
        return f"the Dask cluster lost the sweep's tasks: {self.why}{kept}; run the sweep again"


def run_tasks(tasks: list[tuple], estimator, data: list[tuple], *, scoring: Any, error_score, n_jobs: int,
              scheduler: str | None, finished_one: Callable[[int, tuple | None], None] | None = None,
              started: bool = False, train_score: bool = False) -> list[tuple]:
    """Each (params, fold number) task's (score, fit seconds, why it failed, whether it ran out of epochs, the
    ScheduleWarning it kept, its batch size clipped, score seconds, train score or None and why it failed: `_fold`;
    `train_score`: GridSearchCV's return_train_score)
    in the tasks' order, here with joblib's n_jobs or as Dask tasks, `data` each fold's preprocessed rows
    (`sweep_search.prepared`); interrupted, SweepInterrupted with those finished (one rule: each fold its own task).
    `finished_one(task number, result)` is called here as each task finishes (verbose's lines); `started`: also
    with None as each task is sent (GridSearchCV's START lines: here just before its fit, to Dask all at first)."""
    from joblib import Parallel, delayed
    done: dict[int, tuple] = {}

    def sent() -> Iterator[tuple[int, dict, int]]:     # each task as it is sent (to joblib: as it is run)
        for i, (params, k) in enumerate(tasks):
            if started and finished_one is not None:
                finished_one(i, None)
            yield i, params, k

    def on_cluster(client):     # each task a Dask task: joblib runs those of a 1-thread cluster in this process
        from distributed import as_completed
        workers = set(client.scheduler_info(n_workers=-1)["workers"])     # to name the one lost
        folds = client.scatter(data, broadcast=True)           # each fold's rows sent once to every worker
        futures = [client.submit(_fold, estimator, params, folds[k], scoring, error_score, train_score,
                                 pure=False)
                   for _, params, k in sent()]
        number = {future.key: i for i, future in enumerate(futures)}
        # each result fetched as its task finishes: one left on a worker is lost with it
        finished = as_completed(futures, with_results=True, raise_errors=False)
        try:
            for future, result in finished:
                if future.status == "finished":
                    done[number[future.key]] = result
                    if finished_one is not None:
                        finished_one(number[future.key], result)
                    continue
                if future.status == "error" and not _killed(result[1]):
                    raise result[1].with_traceback(result[2])           # the fit's own error (error_score="raise")
                while finished.has_ready():                             # those fetched meanwhile are kept
                    other, result = next(finished)
                    if other.status == "finished":
                        done[number[other.key]] = result
                raise ClusterLost(dict(done), _lost(client, workers, future, result)) from None
        except KeyboardInterrupt:
            _fetch_finished(futures, number, done)
            raise

    try:
        if scheduler:
            on_dask(on_cluster, scheduler)
        else:
            # a fold per batch, as a Dask task: joblib's batches grouped a finished fold with a running one,
            run = Parallel(n_jobs=n_jobs, return_as="generator_unordered", batch_size=1)   # lost with it on Ctrl-C
            for i, result in run(delayed(_numbered)(i, estimator, params, data[k], scoring, error_score, train_score)
                                 for i, params, k in sent()):
                done[i] = result
                if finished_one is not None:
                    finished_one(i, result)
    except SweepInterrupted:
        raise
    except KeyboardInterrupt as exc:
        raise SweepInterrupted(dict(done), *exc.args) from None
    return [done[i] for i in range(len(tasks))]


#: the seconds an interrupted sweep waits for the results of the folds the cluster had finished
FETCH_SECONDS = 10.0


def _fetch_finished(futures: list, number: dict, done: dict[int, tuple]) -> None:
    """Add to `done` the results of the tasks the cluster had finished when Ctrl-C came, still on their way from
    a worker (under load, seconds after the fold ended): kept, not lost. A second Ctrl-C stops the wait."""
    deadline = time.monotonic() + FETCH_SECONDS
    for future in futures:
        if future.status != "finished" or number[future.key] in done:
            continue
        with contextlib.suppress(Exception):    # lost meanwhile (its worker gone), or not back in time: not kept
            done[number[future.key]] = future.result(timeout=max(0.1, deadline - time.monotonic()))


def _killed(exc: BaseException) -> bool:
    from distributed import KilledWorker
    return isinstance(exc, KilledWorker)


def _lost(client, workers: set[str], future, result) -> str:
    """What the cluster lost, in words: the workers gone since the tasks were sent (Dask's reason for the
    cancelled tasks, 'already forgotten', names none), or the scheduler."""
    if future.status == "cancelled" and "scheduler-connection-lost" in str(getattr(result, "reason", "")):
        return "the connection to the scheduler was lost (it stopped, or the network failed)"
    try:
        gone = sorted(workers - set(client.scheduler_info(n_workers=-1)["workers"]))
    except Exception:         # the scheduler unreachable meanwhile: the workers are not known
        gone = []
    who, them = (f"worker {gone[0]}", "it") if len(gone) == 1 else (f"workers {', '.join(gone)}", "them") if gone \
        else ("a worker", "it")
    return (f"{who} left the cluster (killed, out of memory, or restarted), taking the folds' rows sent to {them} "
            "and the tasks on them")


def _numbered(i: int, *args) -> tuple[int, tuple]:
    return i, _fold(*args)


def fit_on_dask(search, X, y, scheduler: str) -> None:
    """search.fit(X, y) (a scikit-learn search) through joblib's Dask backend on the cluster of `scheduler`."""
    import joblib

    def fit(_):
        with joblib.parallel_backend("dask"):
            search.fit(X, y)
    on_dask(fit, scheduler)


def on_dask(run: Callable[[Any], Any], scheduler: str) -> Any:
    """run(client) with a client of the cluster of `scheduler`, its workers' threads limited; every future
    settled (cancelled where the work stopped early) before the client closes."""
    wait = check_scheduler(scheduler)           # its errors before any connection
    from distributed import Client

    from chainrule.workers import ThreadLimits
    _listening(scheduler)
    try:
        client = Client(scheduler, timeout=CONNECT_SECONDS)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ValidationError(f"cannot reach the Dask scheduler at {scheduler!r}: {exc}") from None
    except TypeError as exc:        # asked the scheduler's identity(n_workers=...), a worker has no such argument
        if "n_workers" not in str(exc):
            raise
        raise ValidationError(f"the server at {scheduler!r} is a Dask worker, not the scheduler: give the scheduler's "
                              "address, the one the workers were started with (8786 by default)") from None
    with _dask_quiet(), client:         # closed quiet too: its reconnecting, cancelled, logs a traceback
        try:
            client.wait_for_workers(1, timeout=None if wait == float("inf") else wait)
        except TimeoutError:
            raise ValidationError(f"the Dask scheduler at {scheduler!r} has no workers (waited {wait:g} s, "
                                  f"CHAINRULE_DASK_WAIT): start one with `dask worker {scheduler}`") from None
        client.register_plugin(ThreadLimits(1))
        try:
            return run(client)
        finally:
            _settle(client)


def check_scheduler(scheduler: str) -> float:
    """What a sweep on `scheduler` can refuse before it reads the file or connects: Dask not installed (ImportError,
    exit 5), a bad CHAINRULE_DASK_WAIT, an address not of Dask's form (or TLS without its settings). Returns the wait
    (`wait_s`)."""
    try:
        import distributed  # noqa: F401
    except ModuleNotFoundError as exc:
        from chainrule.extras import absent, missing
        if not absent(exc, "distributed"):       # Dask there but broken (tornado missing): its own error says which
            raise
        raise ImportError(missing("distributed", "--scheduler needs")) from None     # exit 5, a missing part
    wait = wait_s()
    _address(scheduler)
    return wait



def scheduler_address(scheduler: Any) -> str | None:
    """run_sweep's scheduler: None, an address, or a distributed Client's or cluster's scheduler address (what
    `dask.distributed` users hold: the sweep makes its own client of it, theirs left open). A Client holding no
    scheduler (closed, or asynchronous and not awaited), or anything else, refused naming what it is."""
    if scheduler is None or isinstance(scheduler, str):
        return scheduler                    # the address's form: `check_scheduler`'s
    client_scheduler = getattr(scheduler, "scheduler", None)     # Client.scheduler: its connection, with .address
    for address in (getattr(scheduler, "scheduler_address", None), getattr(client_scheduler, "address", None)):
        if isinstance(address, str) and address:
            return address
    if type(scheduler).__name__ == "Client":
        raise ValidationError("scheduler is a distributed Client connected to no scheduler (closed, or asynchronous "
                              "and not awaited): give an open Client, its cluster or the scheduler's address")
    raise ValidationError("scheduler must be a Dask scheduler's address ('tcp://host:8786'), a distributed Client or a "
                          f"cluster (LocalCluster, ...) or None; got {type(scheduler).__name__} {scheduler!r}")

#: the seconds a sweep waits for the scheduler's first worker, unless CHAINRULE_DASK_WAIT says
WAIT_S = 30.0


def wait_s() -> float:
    """CHAINRULE_DASK_WAIT seconds (`inf`: wait for ever), else WAIT_S: how long a sweep (the command's and
    run_sweep's) waits for a worker to join the scheduler before it refuses the cluster. Zero or less, or NaN,
    is an error naming the variable (Dask's wait_for_workers reads a timeout of 0 as none: it would wait for ever)."""
    from chainrule.training.meeting import env_seconds
    return env_seconds("CHAINRULE_DASK_WAIT", WAIT_S)


#: whether a sweep lets Dask's own loggers speak (`dask_logs()`: the command's --debug)
_DASK_LOGS: ContextVar[bool] = ContextVar("dask_logs", default=False)


@contextlib.contextmanager
def dask_logs() -> Iterator[None]:
    """Sweeps run inside show Dask's own log messages (its tracebacks of a lost scheduler, its retries): by default
    a sweep keeps them from stderr while its client runs, and its error (ClusterLost, ...) says what happened."""
    token = _DASK_LOGS.set(True)
    try:
        yield
    finally:
        _DASK_LOGS.reset(token)


class _Silence(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith("distributed")


@contextlib.contextmanager
def _dask_quiet() -> Iterator[None]:
    """Dask's loggers (distributed.*: each has its handler to stderr) silent meanwhile, unless `dask_logs()`: a
    scheduler killed mid-sweep printed the client's traceback (ERROR, connection reset) before the sweep's own line."""
    if _DASK_LOGS.get():
        yield
        return
    handlers = {h for name in list(logging.root.manager.loggerDict) if name.startswith("distributed")
                for h in getattr(logging.getLogger(name), "handlers", [])} | set(logging.root.handlers)
    silence = _Silence()
    for handler in handlers:
        handler.addFilter(silence)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(silence)


def _listening(scheduler: str, seconds: float = 5.0) -> None:
    """Refuse at once a scheduler address where nothing listens (a mistyped host or port): Dask's Client
    retries a refused connection until its timeout, and then names no reason."""
    import socket
    kind, host, port = _address(scheduler)
    if host is None:
        return
    try:
        conn = socket.create_connection((host, port), timeout=seconds)
    except OSError as exc:
        why = "timed out" if isinstance(exc, TimeoutError) else exc.strerror or str(exc)
        raise ValidationError(f"cannot reach the Dask scheduler at {scheduler!r}: connecting to {host} port {port}: "
                              f"{why} (is the scheduler running, and the address right?)") from None
    if kind == "tcp":
        with conn:
            _speaks_dask(conn, scheduler)
    else:
        conn.close()


def _address(scheduler: str) -> tuple[str, str | None, int | None]:
    """The scheduler address's (kind, host, port) (a host for tcp and tls only), or a ValidationError: not of Dask's
    form, or TLS without Dask's settings for it."""
    from distributed.comm.addressing import parse_address, parse_host_port
    if isinstance(scheduler, str) and not scheduler.strip():     # an unset variable's "$SCHEDULER": not this machine
        raise ValidationError(f"the Dask scheduler address is empty ({scheduler!r}); give one such as "
                              "tcp://host:8786, or none to run the fits on this machine")
    try:
        kind, where = parse_address(scheduler)
        host, port = parse_host_port(where) if kind in ("tcp", "tls") else (None, None)
    except (ValueError, TypeError) as exc:
        raise ValidationError(f"the Dask scheduler address {scheduler!r} is not one such as tcp://host:8786: "
                              f"{exc}") from None
    if kind == "tls":
        from distributed.security import Security
        if Security().get_connection_args("client")["ssl_context"] is None:
            raise ValidationError(f"the Dask scheduler address {scheduler!r} uses TLS, which needs Dask's "
                                  "distributed.comm.tls.* settings (its ca-file, and the client's cert and key: "
                                  "DASK_DISTRIBUTED__COMM__TLS__CA_FILE, ...); none are set")
    return kind, host, port


#: the seconds the Client has to connect, and a scheduler to send its handshake (which it sends as soon as its event
#: loop accepts the connection: a loop busy for seconds sends it late)
CONNECT_SECONDS = 10.0
#: more bytes than a scheduler's handshake ever has: a length read from another server's words ('HTTP/1.1' is 3.5e18)
HANDSHAKE_BYTES = 1 << 24


def _speaks_dask(conn, scheduler: str) -> None:
    """Refuse a port where another server listens (the dashboard's 8787, a web or SSH server): Dask's Client waited
    on a silent one for minutes, and read an answering one's first bytes as a length (out of memory: 3 EiB).
    A Dask scheduler speaks first: its handshake's length, 8 bytes, then the handshake."""
    import struct
    conn.settimeout(CONNECT_SECONDS)
    head, closed = b"", False
    try:
        while len(head) < 8 and not closed:
            more = conn.recv(8 - len(head))
            head, closed = head + more, not more
    except OSError:             # timed out, or reset
        pass
    if len(head) == 8 and 0 < struct.unpack("<Q", head)[0] <= HANDSHAKE_BYTES:
        return
    if not head and not closed:
        raise ValidationError(f"the server at {scheduler!r} sent nothing in {CONNECT_SECONDS:g} s: not a Dask "
                              "scheduler, a scheduler too busy to answer, or one that uses TLS (give tls://host:port)")
    said = f"it sent {head!r}" if head else "it closed the connection"
    raise ValidationError(f"the server at {scheduler!r} is not a Dask scheduler: a scheduler sends its handshake "
                          f"first, {said} (the dashboard's port, 8787, or another server's? the scheduler's is "
                          "printed where it started, 8786 by default)")


def _settle(client) -> None:
    """Cancel what the client still holds (the tasks sent before a fit failed or the user
    stopped it, the data it scattered), so that closing the client finds nothing pending: cancel
    returns once the scheduler has released them."""
    from distributed import Future
    held: list[Any] = [Future(key, client) for key in list(client.futures)]
    if held:
        client.cancel(held)


PARTIAL = "sweep_results.partial.csv"


def keep_finished(stop: SweepStopped, out) -> None:
    """Write the interrupted sweep's finished candidates (`stop.table`) to out/sweep_results.partial.csv, whole
    or not at all: never to sweep_results.csv, which holds a finished sweep's table (an earlier one, kept)."""
    from chainrule.backend.signals import ignored
    from chainrule.saving.files import atomic_write
    if stop.table is None:
        return
    path = out / PARTIAL
    with ignored():                  # a second Ctrl-C meanwhile: the finished rows are written first
        out.mkdir(parents=True, exist_ok=True)
        atomic_write(path, lambda f: stop.table.to_csv(f, index=False))
    stop.partial_path = path
