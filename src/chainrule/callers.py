"""Where a warning points: the line of the user's code that called chainrule, as pandas' find_stack_level does.

A fixed stacklevel names chainrule's own file whenever the same warning is reached by another path
(Preprocessing.fit, CsvStream.fit, read_csv; fit through Trainer or MPITrainer); counting the frames inside the
package names the caller's. One rule for every package (data, training): it imports nothing of chainrule."""
from __future__ import annotations

import functools
import os
import sys
import sysconfig
from types import FrameType

_PACKAGE = os.path.dirname(os.path.abspath(__file__)) + os.sep


@functools.lru_cache(maxsize=1)
def _libraries() -> tuple[str, ...]:
    """The folders of Python's own modules and of the installed libraries (a virtual environment's, the user's)."""
    import site
    paths = sysconfig.get_paths()
    sites = [*site.getsitepackages(), site.getusersitepackages()] if hasattr(site, "getsitepackages") else []
    return tuple({os.path.abspath(p) + os.sep for p in (paths["stdlib"], paths["purelib"], paths["platlib"], *sites)})


def caller_level() -> int:
    """The stacklevel, for a warnings.warn in the function calling this one, of the first frame outside chainrule
    and outside the libraries and Python's own modules between (scikit-learn's cross_val_score, joblib's loop,
    contextlib's, around CsvStream's reading), however many calls lie between; the first outside chainrule where
    no other is (the command line, a worker process: its outermost frame)."""
    frame: FrameType | None = sys._getframe(1)    # the function that warns: stacklevel 1
    level, first = 1, None
    while frame is not None:
        name = frame.f_code.co_filename
        if not os.path.abspath(name).startswith(_PACKAGE):
            first = level if first is None else first
            if not (os.path.abspath(name).startswith(_libraries()) or name.startswith("<frozen")):
                return level
        frame, level = frame.f_back, level + 1
    return first if first is not None else level - 1
