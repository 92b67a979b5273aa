"""`chainrule compile`: the compiled kernels built now, into Numba's cache, for a container image
or a shared install, where the first job after each start would otherwise run on NumPy."""
from __future__ import annotations

import argparse
import time

from ..errors import ValidationError
from ..teach.width import say, word


def register(sub) -> None:
    p = sub.add_parser(
        "compile", help="compile the fast kernels now (a container image, a shared install)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Compile chainrule's kernels (the fast extra, Numba) for float32 and float64 into Numba's "
                    "cache and return when they are done: about a minute. The cache is the first folder this user "
                    "can write of NUMBA_CACHE_DIR, __pycache__ beside the package and the user's cache folder "
                    "(~/.cache/numba on Linux), as Numba chooses. Without it, the first job long enough to use "
                    "them runs on NumPy and then compiles them in the background for the jobs after it; in a "
                    "container started fresh each time, every first job would.\n\n"
                    "Run it where the jobs will run, with the same NUMBA_CACHE_DIR: in a Dockerfile after "
                    "`pip install '.[fast]'` in chainrule's checkout, say. Numba reads only a cache folder it "
                    "can write, so run it as the user whose jobs run, or give it a NUMBA_CACHE_DIR that user can "
                    "write. Numba compiles "
                    "for this machine's processor: on a machine with another, a job runs on NumPy and compiles "
                    "them behind it, as after an install. Tiny networks (at most 3 Dense layers, each at most 4 units "
                    "wide, the sse or mse loss, SGD, no softmax: the seed's, XOR's) train in a loop compiled for "
                    "each shape: the seed network's is compiled here; another shape's first job runs on the general "
                    "compiled loop, then compiles its own for the jobs after.",
        epilog="examples:\n  chainrule compile\n  NUMBA_CACHE_DIR=/opt/numba-cache chainrule compile --force")
    p.add_argument("--force", action="store_true",
                   help="remove chainrule's compiled kernels from the cache and compile them again")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        import numba
    except Exception as exc:           # installed but broken (built for another NumPy): AttributeError, SystemError...
        from ..extras import absent
        if isinstance(exc, ImportError) and absent(exc, "numba"):   # not installed: exit 5, the pip line
            raise
        raise ImportError(f"this command needs numba, which is installed but fails to import ({type(exc).__name__}: "
                          f"{exc}): repair it (pip install --upgrade numba)", name="numba") from exc
    try:
        import scipy  # noqa: F401
    except ModuleNotFoundError as exc:
        from ..extras import absent, install
        if not absent(exc, "scipy"):            # SciPy there but broken: its own error says what to mend
            raise
        raise ImportError("this command needs SciPy, whose BLAS Numba's matrix products call: "
                          + install(["scipy"], "fast")) from None

    from ..backend import cachedir, kernels, warmup
    kernels.check_mode()
    if kernels._MODE == "0":
        raise ValidationError("CHAINRULE_NUMBA=0 turns the compiled kernels off; unset it to compile them")
    folder = cachedir.folder()
    if not cachedir.writable(quiet=True):
        raise ValidationError(f"cannot write Numba's cache folder {folder!r}: set NUMBA_CACHE_DIR to a folder this "
                              "user can write, the same where the jobs run")
    if warmup.ready() and not args.force:
        return _already(folder, numba.__version__)
    with warmup.compiling_here(lambda pid: print(f"another process (pid {pid}) is compiling the kernels into "
                                                 f"{folder}; waiting for it", flush=True)):
        if warmup.ready() and not args.force:      # compiled by the process waited for
            return _already(folder, numba.__version__)
        if args.force:
            warmup.forget()                     # else Numba would load the entries it still finds valid
        start = time.perf_counter()
        warmup.compile_all()
    seconds = time.perf_counter() - start
    say(f"compiled chainrule's kernels for float32 and float64 into {word(folder)} in {seconds:.0f} s; "
        "jobs load them from there")
    return 0


def _already(folder: str, version: str) -> int:
    say(f"already compiled in {word(folder)} (for this chainrule, Python, Numba {version} and this processor); "
        "--force compiles them again")
    return 0
