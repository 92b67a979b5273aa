"""Where Numba keeps the compiled kernels on disk, and chainrule its markers (backend/warmup.py):
the folder Numba's cache locators choose for the modules of this folder, found without importing
Numba. Numba reads only a cache folder it can write, so which one it is depends on the user."""
from __future__ import annotations

import hashlib
import os
import sys
import tempfile
import warnings


def folder(root: str | None = None) -> str:
    """The folder where Numba keeps the compiled kernels (of every module of this folder) and
    chainrule its markers, chosen as Numba chooses (its cache locators, in their order): the first
    it can write of NUMBA_CACHE_DIR (or `root`; there, a subfolder named after this folder's path:
    the folder's name and the SHA-1 of its absolute path, so that installs at other paths keep
    their entries and markers apart), __pycache__ beside this file, and the user's cache folder
    (~/.cache/numba on Linux: a shared read-only install still caches, per user). Numba reads
    only a cache it can write; where none can be written, its first choice."""
    return _choose(root)[0]


def _choose(root: str | None) -> tuple[str, bool]:
    """(`folder`'s answer, whether it can be written), each candidate tested once."""
    here = os.path.dirname(os.path.abspath(__file__))
    sub = f"{os.path.basename(here)}_{hashlib.sha1(here.encode()).hexdigest()}"
    given = root or os.environ.get("NUMBA_CACHE_DIR")
    folders = ([os.path.join(given, sub)] if given else []) + [os.path.join(here, "__pycache__"),
                                                                 os.path.join(_user_cache(), sub)]
    chosen = next((f for f in folders if usable(f)), None)
    if given and not root and chosen is not None and chosen != folders[0]:
        _passed_over(given, chosen)
    return (folders[0], False) if chosen is None else (chosen, True)


_said_passed_over = False


def _passed_over(given: str, chosen: str) -> None:
    """Once a process: the NUMBA_CACHE_DIR the user set cannot be written, and Numba, without a
    word, caches elsewhere (an image built as root whose cache folder was not given to the user)."""
    global _said_passed_over
    if not _said_passed_over:
        _said_passed_over = True
        warnings.warn(f"chainrule: NUMBA_CACHE_DIR {given} cannot be written by this user; Numba caches the kernels "
                      f"in {chosen} instead", RuntimeWarning, stacklevel=4)


def _user_cache() -> str:
    """Numba's user-wide cache folder (its appdirs' user_cache_dir for "numba", without importing Numba)."""
    if sys.platform == "win32":
        return os.path.join(os.environ.get("LOCALAPPDATA", os.path.expanduser("~")), "numba", "Cache")
    if sys.platform == "darwin":
        return os.path.expanduser("~/Library/Caches/numba")
    return os.path.join(os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "numba")


def usable(path: str) -> bool:
    """Numba's test of a cache folder (`_CacheLocator.ensure_cache_path`): made if missing, and a
    file can be created in it."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
        return True
    except OSError:
        return False


def writable(quiet: bool = False) -> bool:
    """Whether Numba can keep the kernels on disk (`folder`: it reads only a folder it can
    write); where no folder can be written, they are compiled in memory instead, with one warning."""
    where, ok = _choose(None)
    if ok:
        return True
    if not quiet:
        warnings.warn(f"chainrule: Numba's cache folder {where} cannot be written; the kernels are compiled in "
                      "memory for this process (set NUMBA_CACHE_DIR to a writable folder to keep them)",
                      RuntimeWarning, stacklevel=3)
    return False
