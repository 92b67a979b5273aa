"""Where a reading's warning points: the user's line that called chainrule, as pandas' find_stack_level does.

A fixed stacklevel names chainrule's own file whenever the same warning is reached by another path
(Preprocessing.fit, CsvStream.fit, read_csv); counting the frames inside the package names the caller's."""
from __future__ import annotations

import os
import sys
import sysconfig
from types import FrameType

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_STDLIB = os.path.abspath(sysconfig.get_paths()["stdlib"]) + os.sep


def caller_level() -> int:
    """The stacklevel, for a warnings.warn in the function calling this one, of the first frame outside chainrule
    and Python's own modules between (contextlib's, around CsvStream's reading); the first outside chainrule where
    no other is (the command line: its outermost frame)."""
    frame: FrameType | None = sys._getframe(1)    # the function that warns: stacklevel 1
    level, first = 1, None
    while frame is not None:
        name = frame.f_code.co_filename
        if not os.path.abspath(name).startswith(_PACKAGE):
            first = level if first is None else first
            if not (os.path.abspath(name).startswith(_STDLIB) or name.startswith("<frozen")):
                return level
        frame, level = frame.f_back, level + 1
    return first if first is not None else level - 1
