"""A column read beside the inputs that is not one of them (`train --stream --weight`: the sample weights),
kept chunk by chunk in a temporary file, so that a long file's weights do not grow the memory with its rows."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import Any

import numpy as np


class Kept:
    """Column `column`'s values, read(cells, file line of the first) chunk by chunk as float64, in a
    temporary file (in memory from the point where the file cannot be written: the same values)."""

    def __init__(self, folder: str | None, column: str, read: Callable[[Any, int], np.ndarray]):
        self.file, self.n = tempfile.TemporaryFile(dir=folder), 0
        self.column, self.read = column, read
        self.parts: list[np.ndarray] = []

    def add(self, chunk: Any, line0: int) -> np.ndarray:
        """The chunk's values, kept."""
        values = np.asarray(self.read(chunk[self.column], line0), dtype=np.float64)
        if not self.parts:
            try:
                self.file.write(values.tobytes())
                self.n += len(values)
                return values
            except OSError:                      # no room: what the file holds whole, then memory
                self.file.seek(0)
                self.parts = [np.frombuffer(self.file.read(self.n * 8), dtype=np.float64).copy()]
        self.parts.append(values)
        return values

    def array(self) -> np.ndarray:
        """The values (a mapping of the file, which keeps it open once closed here)."""
        with self.file as f:
            if self.parts:
                return np.concatenate(self.parts)
            f.flush()
            return np.memmap(f, dtype=np.float64, mode="r+", shape=(max(self.n, 1),))[:self.n]
