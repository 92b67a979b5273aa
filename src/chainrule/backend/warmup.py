"""No job waits for Numba: when to load the compiled kernels, and compiling them in the background.

Importing Numba and loading the cached kernels costs about half a second, and compiling them
the first time about ten; a small job is done on NumPy before either would be. With the default
(`kernels.ENABLED == "auto"`, CHAINRULE_NUMBA unset) a job loads the kernels only when they are
compiled and cached already and its NumPy estimate is longer than `LOAD_SECONDS`; when they are
not cached it runs on NumPy and, once it is done (`job_done`) or COMPILE_AFTER seconds into it,
starts a background process (niced, detached: `python -m chainrule.backend.warmup`) that compiles
every kernel for float32 and float64 into Numba's cache and then writes a marker file, so that the
next long job finds them ready. Not beside a short job: on a 2-core machine the compiler slowed the
first 2-second job by a fifth to a half; a long one starts it anyway, for the jobs after it.
The tiny networks' loop (tiny.py) has one version per widths, activations and row count, a few
seconds of compiling each; that process compiles the seed network's. A job whose version no
process compiled yet runs on `loops.train` (compiled already; the same numbers in float64, in
float32 the last bits can differ), the whole job, and, if it is longer than LOAD_SECONDS, once it
is done starts one process that compiles the versions it lacked (`tiny_ready`, `job_done`:
`python -m chainrule.backend.warmup <dtype> <version> ...`), each with a marker of its own; one
such process at a time, and none beside the kernels' own: both take the one lock (both write tiny.py's
cache; with a lock each, taken after looking at the other's, two jobs ending at once could start both).
CHAINRULE_NUMBA=1 (`ENABLED = True`) always uses them, compiling in the job if needed;
CHAINRULE_NUMBA=0 never. `chainrule compile` compiles them ahead (`compile_all`). Numba loads only
from a cache folder it can write: compiled kernels in one this process cannot write are not
loaded (that would compile them again in the job), and the job runs on NumPy, warned once. A failed background
compiling leaves its cause beside the marker (`failure`): the jobs then start no more, warned once a process.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from . import bits, cachedir, csr, kernels, loops, tiny, units, views
from .compilelock import leftover, rename
from .compilelock import release as _release
from .compilelock import take as _take

LOAD_SECONDS = 0.6        # importing Numba and loading the cached kernels (measured: 0.35-0.6 s)
COMPILE_AFTER = 10.0      # seconds into a job on NumPy when the compiling starts if the job is not done
_next_look = 0.0
_timer: threading.Timer | None = None     # the compiling a job on NumPy will start (job_done, or the timer)
_timer_owner: object = None               # the job whose `prepare` started it
_guard = threading.Lock()
#: the compiling process this one started last; a thread waits for each (`_start`)
compiling: subprocess.Popen | None = None
COMMAND = [sys.executable, "-m", "chainrule.backend.warmup"]
SEED = (2, 2, 2, 0, 1, 1, 0, 1, 12)    # tiny.version of the seed's 2-2-2 sigmoid network, one sample a step
_source_keys: dict[tuple[str, ...], str] = {}
COMPILED = (kernels, bits, loops, views, tiny, csr, units)   # the modules Numba compiles and caches
_requested: set[tuple[str, tuple[int, ...]]] = set()      # the tiny versions this process asked for (`request_tiny`)
#: the float32 tiny versions a job of this process ran on `loops.train` (`tiny_ready`): the process keeps them there
_general: set[tuple[str, tuple[int, ...]]] = set()
_warned_cache = False     # whether this process said that the compiled kernels' cache cannot be written
#: why `prepare` left the last job on NumPy: "off" (CHAINRULE_NUMBA=0, or Numba not installed), "short" (done
#: before the kernels would load), "not ready" (not compiled and cached yet, or a cache it cannot use); "": it ran
#: them
left_on_numpy = ""
#: why the background compiling of these sources failed (its `.failed` file beside the marker); "": it did not
failed = ""


def prepare(seconds: float, owner: object = None) -> bool:
    """Whether a job that would take about `seconds` on NumPy runs the kernels (see the module); `owner`: the job,
    whose end alone (`job_done`) starts or cancels the timer this call starts (not another job's, ending in its
    middle: a fit in its callback, a thread's)."""
    global _next_look, _timer, _timer_owner, left_on_numpy, failed
    left_on_numpy = "off"
    if not kernels.ENABLED:
        return False
    kernels.check_mode()
    if kernels.ENABLED is True or kernels.numba is not None:
        left_on_numpy = ""
        return kernels.load(force=True)
    if kernels.BROKEN:                           # Numba, installed, failed to import: as if it were not
        return False
    left_on_numpy = "short" if seconds < LOAD_SECONDS else "not ready"
    if seconds < LOAD_SECONDS or time.monotonic() < _next_look:
        return False
    if ready():
        if cachedir.writable(quiet=True):
            loaded = kernels.load(force=True)
            left_on_numpy = "" if loaded else "off"
            return loaded
        _cannot_load()
        _next_look = time.monotonic() + 5.0
        return False
    _next_look = time.monotonic() + 5.0          # look again for the marker in a few seconds at most
    failed = failed or failure()
    if failed:           # not started again by every long job, silently: the fit warns (`training.compiled`)
        return False
    with _guard:
        if _timer is None:
            _timer, _timer_owner = threading.Timer(COMPILE_AFTER, _compile_once), owner
            _timer.daemon = True
            _timer.start()
    return False


def _cannot_load() -> None:
    """Compiled kernels in a cache folder this process cannot write: Numba loads only from a cache
    it can write (a container built as root and run as another user, a shared install), so loading
    them would compile them again in the job (12 s measured). The job runs on NumPy, warned once."""
    global _warned_cache
    if not _warned_cache:
        _warned_cache = True
        warnings.warn(f"chainrule: the compiled kernels in {cachedir.folder()} cannot be used: Numba reads only a "
                      "cache folder it can write, and this one cannot be written; jobs run on NumPy. Set "
                      "NUMBA_CACHE_DIR to a folder this user can write (and run `chainrule compile` with it)",
                      RuntimeWarning, stacklevel=4)


def job_done(start: bool = True, lacked: Sequence[tuple[str, tuple[int, ...]]] = (), owner: object = None) -> None:
    """The end of a job: the kernels it ran without (`prepare`) or the tiny versions it lacked
    (`lacked`: its own `request_tiny` answers, held by the job, not by this module: a job ending in another's
    middle starts nothing of the other's) are compiled now, in the background, unless the job's timer already
    did, or not (`start` False: a job the user stopped with Ctrl-C expects nothing to go on running); `owner`: the
    job, whose timer alone it takes (None: whichever)."""
    _compile_once(start, owner)
    if start and lacked:
        _start(COMMAND + [v for char, key in lacked for v in (char, ",".join(map(str, key)))], _lock())


def _compile_once(start: bool = True, owner: object = None) -> None:
    global _timer, _timer_owner
    with _guard:
        if owner is not None and owner is not _timer_owner:
            return
        timer, _timer, _timer_owner = _timer, None, None
    if timer is None:
        return
    timer.cancel()
    if timer is not threading.current_thread():
        timer.join()                             # no thread outlives the job
    if start:
        compile_in_background()


def failure() -> str:
    """Why the background compiling failed (Numba failing to import, or to compile; `_failed_path`); "": it did not."""
    with contextlib.suppress(OSError), open(_failed_path()) as f:
        return f.read().strip()
    return ""


def _failed_path() -> str:
    """The marker's name and NumPy's, SciPy's and llvmlite's versions, so that repairing any of them (Numba built
    for another NumPy: the usual fix changes NumPy, not Numba) starts a compiling again."""
    from importlib.metadata import PackageNotFoundError, version
    found = [np.__version__]
    for name in ("scipy", "llvmlite"):
        with contextlib.suppress(PackageNotFoundError):
            found.append(f"{name} {version(name)}")
    return marker().removesuffix(".ready") + f"-{hashlib.sha1('|'.join(found).encode()).hexdigest()[:8]}.failed"


def _record_failure(exc: Exception) -> None:
    """Kept for `failure`; not a full disk nor a lack of memory, which pass: the next long job compiles again."""
    if isinstance(exc, (OSError, MemoryError)):
        return
    lines = str(exc).strip().splitlines()
    with contextlib.suppress(OSError), open(_failed_path(), "w") as f:
        f.write(f"{type(exc).__name__}: {lines[0] if lines else ''}\n")


def ready() -> bool:
    """Whether every kernel of this source, Python and Numba is compiled and cached."""
    return os.path.exists(marker())


def marker() -> str:
    """The marker's path, named by the sources of every compiled module (a change to any of them,
    e.g. an upgrade, makes Numba's cache of that module stale), Python's and Numba's versions and
    the processor Numba compiles for (`cpu`)."""
    return os.path.join(cachedir.folder(), f"chainrule-kernels-{_sources()}.ready")


def cpu() -> str:
    """The processor Numba compiles for, as its cache tells them apart: Numba keeps compiled code
    per CPU name and features (`CPUCodegen.magic_tuple`), and code compiled for another processor
    (an image built on another machine, a cache shared between machines) is not found, so a job
    that loaded it would compile every kernel again (11 s measured). Asked of LLVM as Numba asks
    (llvmlite, which Numba imports anyway: about 50 ms, for a job long enough to load the kernels),
    NUMBA_CPU_NAME and NUMBA_CPU_FEATURES replacing the host's where set ("generic": no features)
    and NUMBA_ENABLE_AVX, which turns features off, counted as set."""
    import llvmlite.binding as ll
    name = os.environ.get("NUMBA_CPU_NAME") or None
    features = os.environ.get("NUMBA_CPU_FEATURES", "" if (name or "").lower() == "generic" else None)
    if features is None:
        try:
            features = ll.get_host_cpu_features().flatten()
        except RuntimeError:                    # Numba's answer where LLVM cannot tell
            features = ""
    return f"{name or ll.get_host_cpu_name()}|{features}|{os.environ.get('NUMBA_ENABLE_AVX', '')}"


def _sources() -> str:
    """The key of the compiled modules' sources, Python's and Numba's versions and the processor
    (hashed once a process)."""
    files = tuple(str(module.__file__) for module in COMPILED)
    if files not in _source_keys:
        from importlib.metadata import version
        key = hashlib.sha1(f"{sys.version}|{version('numba')}|{cpu()}".encode())
        for name in files:
            with open(name, "rb") as f:
                key.update(f.read())
        _source_keys[files] = key.hexdigest()[:16]
    return _source_keys[files]


def tiny_ready(dtype: Any, key: tuple[int, ...]) -> bool:
    """Whether a job runs the tiny networks' version `key` (tiny.py): with CHAINRULE_NUMBA=1
    always (compiled in the job if need be), else once this process or an earlier one compiled it.
    Where none did, the job runs on `loops.train` to its end (its answer is the job's, kept by it:
    `training.compiled.Job`; a version found compiled in its middle is not switched to: in float32 the two
    loops' last bits can differ), and, if it is long enough to load the kernels for, asks for the version
    (`request_tiny`). In float32 a version a job of this process ran on `loops.train` stays there for the process
    (`_general`): its version compiled meanwhile in the background is for the next process, so that the same fit
    called again gives the same bits; float64's two loops give the same numbers, and switch."""
    if kernels.ENABLED is True or tiny.ready(dtype, key):
        return True
    version = (np.dtype(dtype).char, key)
    if version in _general:
        return False
    if os.path.exists(_tiny_marker(dtype, key)):
        return True
    if version[0] != "d":        # float32: the same call later in this process takes the same loop, the same bits
        _general.add(version)
    return False


def request_tiny(dtype: Any, key: tuple[int, ...]) -> tuple[str, tuple[int, ...]] | None:
    """The tiny version `key` for the job that lacks it to have compiled once it is done (`job_done`'s `lacked`),
    once a process: None where another job asked for it already."""
    version = (np.dtype(dtype).char, key)
    if version in _requested:
        return None
    _requested.add(version)
    return version


def _tiny_marker(dtype: Any, key: tuple[int, ...]) -> str:
    name = f"chainrule-tiny-{_sources()}-{np.dtype(dtype).char}-{'.'.join(map(str, key))}.ready"
    return os.path.join(cachedir.folder(), name)


def compile_tiny(dtype: Any, key: tuple[int, ...]) -> str:
    """Compile the tiny version `key` into Numba's cache; returns its marker, written last."""
    kernels.load(force=True)
    tiny.compile_version(dtype, key)
    path = _tiny_marker(dtype, key)
    with open(path, "w") as f:
        f.write("compiled\n")
    return path


def _lock() -> str:
    """The lock of every compiling into this cache: the kernels', the tiny versions', `chainrule compile`."""
    return os.path.join(cachedir.folder(), "chainrule-kernels.compiling")


@contextlib.contextmanager
def compiling_here(report: Any = None) -> Iterator[None]:
    """Hold the lock while this process compiles (`chainrule compile`), once no other process
    compiles into this cache (a job's background compiling, another `chainrule compile`: each
    compiled everything beside the other), calling `report(pid)` once if it waits."""
    told = False
    while not _take(_lock()):
        if not told and report is not None:
            pid = ""
            with contextlib.suppress(OSError, UnicodeDecodeError):
                pid = Path(_lock()).read_text().strip().rpartition(" ")[2]
                report(pid if pid.isdigit() else "?")        # an empty lock (being written) names none yet
        told = True
        time.sleep(0.5)
    try:
        yield
    finally:
        _release(_lock(), os.getpid())


def compile_in_background() -> bool:
    """Start the compiling process unless one started in the last 10 minutes or the cache folder
    cannot be written (then the kernels are never ready in "auto": NumPy only), nor beside a
    process compiling tiny versions (the same lock: both write tiny.py's cache)."""
    return _start(COMMAND, _lock())


def _start(command: list[str], lock: str) -> bool:
    """Run `command` detached, niced, unless its `lock` is younger than 10 minutes or the cache
    folder cannot be written. Where the lock cannot be written (a disk full) or the process not
    started (Python's executable gone, no file descriptors left), False, without a word: the jobs
    run on NumPy, and the lock, released, holds no later compiling back (it did, 10 minutes)."""
    global compiling
    try:
        if not cachedir.writable(quiet=True) or not _take(lock):     # taken before the child exists
            return False
    except OSError:
        return False
    try:
        child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
    except BaseException as exc:
        _release(lock, os.getpid())
        if isinstance(exc, OSError):
            return False
        raise
    compiling = child
    with contextlib.suppress(OSError):      # else it names this process: held while it runs, 10 minutes at most
        rename(lock, child.pid)                      # then named after the child, which `compilelock.fresh` looks for
    # reaped as it ends, in a notebook or server too (else a zombie for the life of this process);
    # a Popen dropped while its child runs would warn "subprocess N is still running"
    threading.Thread(target=child.wait, name="chainrule-compiling", daemon=True).start()
    return True


def forget() -> int:
    """Remove what Numba's cache holds of chainrule (the entries of the compiled modules, the
    markers: `chainrule compile --force`), so that `compile_all` compiles every kernel again,
    where Numba would load entries it still finds valid, and the temporary files of locks left by a
    process killed as it wrote one (`compilelock.leftover`); returns the count of files removed."""
    folder = cachedir.folder()
    modules = tuple(os.path.splitext(os.path.basename(str(m.__file__)))[0] + "." for m in COMPILED)
    removed = 0
    for name in os.listdir(folder) if os.path.isdir(folder) else []:
        if (name.startswith(modules) and name.endswith((".nbi", ".nbc"))) or (
            name.startswith(("chainrule-kernels-", "chainrule-tiny-")) and name.endswith((".ready", ".failed"))) or (
            name.startswith("chainrule-") and ".compiling." in name and leftover(name, folder)):
            with contextlib.suppress(FileNotFoundError):         # removed meanwhile by another process
                os.unlink(os.path.join(folder, name))
                removed += 1
    return removed


def compile_all() -> str:
    """Compile every kernel for float32 and float64 (each argument type the engine passes) into
    Numba's cache; returns the marker file written last."""
    if not kernels.load(force=True):
        raise ImportError(f"numba fails to import ({kernels.BROKEN})" if kernels.BROKEN else "the kernels are off")
    for dt in (np.float64, np.float32):
        p = np.zeros(6, dt)
        kernels.bias_relu(np.zeros((2, 8), dt), np.zeros(8, dt), np.zeros((2, 8), dt))
        kernels.relu_backward(np.zeros((2, 8), dt), np.zeros((2, 8), dt), np.zeros((2, 8), dt), np.zeros(8, dt),
                              1e-30)
        kernels.adam(p, p.copy(), p.copy(), p.copy(), lr=0.1, b1=0.9, b2=0.99, eps=1e-8, wd=0.0, decoupled=False, t=1)
        kernels.sgd(p, p.copy(), p.copy(), lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, wd=0.0, first=True)
        for orders in (None, np.zeros((1, 2), np.int64)):
            loops.train(p[:3], p[3:], np.array([[2, 1, 0, 2]], np.int64), np.zeros(1, np.int64), np.zeros(1, dt),
                        0, False, np.zeros((2, 2), dt), np.zeros((2, 1), dt), orders, 1, 2, np.zeros(2, np.int64),
                        opt_id=0, lr=0.1, momentum=0.0, dampening=0.0, nesterov=False, wd=0.0, b1=0.9, b2=0.99,
                        eps=1e-8, decoupled=False, t=0, s1=p[:0], s2=p[:0], bounds=np.array([[0, 3]], np.int64))
        x = (np.array([0, 1, 2]), np.array([0, 1], np.int32), np.ones(2, dt))     # a CSR matrix of 2 rows
        for index in (np.int32, np.int64):   # SciPy's two index types: predict, evaluate, the NumPy fit loop
            ptr, idx = x[0].astype(index), x[1].astype(index)
            csr.matmul(ptr, idx, x[2], np.zeros((2, 2), dt), np.zeros((2, 2), dt))
            csr.matmul_t(ptr, idx, x[2], np.zeros((2, 2), dt), np.zeros((2, 2), dt))
            csr.gather(ptr, idx, x[2], np.zeros(1, np.int64), np.zeros(2, index), np.zeros(2, index), np.zeros(2, dt))
        compile_tiny(dt, SEED)          # the seed's 2-2-2 network: its own compiled version (tiny.py)
    path = marker()
    with open(path, "w") as f:
        f.write("compiled\n")
    return path


def _stop_on_sigterm(lock: str) -> None:
    """SIGTERM (a kill, a container stopped) removes the lock and ends the process at once: a
    SystemExit raised from the handler could land in a finalizer (Numba's compiling makes many),
    which would swallow it, and the compiling would go on."""
    def stop(signum: int, frame: Any) -> None:
        _release(lock, os.getpid())
        os._exit(128 + signum)
    signal.signal(signal.SIGTERM, stop)


if __name__ == "__main__":     # the background compilation: `prepare`'s, or `job_done`'s of tiny versions (dtype, key)
    requests = [(np.dtype(char), tuple(int(v) for v in key.split(","))) for char, key in zip(sys.argv[1::2],
                                                                                         sys.argv[2::2])]
    held = _lock()
    _stop_on_sigterm(held)
    os.nice(10)
    try:
        for request in requests:
            compile_tiny(*request)
        if not requests:
            compile_all()
    except Exception as exc:            # its output goes nowhere: the next long job says why (`failure`)
        if not requests:
            _record_failure(exc)
        raise
    finally:
        _release(held, os.getpid())        # unless taken over meanwhile (FRESH_SECONDS): then another's
