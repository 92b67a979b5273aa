"""`train --quiet`: as Keras' and scikit-learn's verbose=0, nothing on stderr but warnings and refusals. The
command's notes (what it read, the columns, the rows and network, the progress bar or epoch lines, where a resumed
run starts) are dropped; its results on stdout (the validation line, the file saved) are kept."""
from __future__ import annotations

import io
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager


class Dropped(io.TextIOBase):
    """Standard error while the notes are dropped: no terminal, nothing kept."""

    def write(self, text: str) -> int:
        return len(text)


@contextmanager
def quieted(quiet: bool) -> Iterator[None]:
    """With `quiet`, the block's writes to sys.stderr dropped but its warnings, shown on the stderr of before; a
    refusal raised in the block is said after it (the command's own error line). Without, nothing changes."""
    if not quiet:
        yield
        return
    said, shown = sys.stderr, warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        dropped, sys.stderr = sys.stderr, said
        try:
            shown(message, category, filename, lineno, file, line)
        finally:
            sys.stderr = dropped

    sys.stderr, warnings.showwarning = Dropped(), show
    try:
        yield
    finally:
        sys.stderr, warnings.showwarning = said, shown
