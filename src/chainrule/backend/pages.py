"""Arrays mapped from files (np.memmap, and SciPy matrices built on them): the pages a process
reads or writes through a mapping stay in its resident memory until it lets them go.

Training on a file batch by batch would otherwise end with the whole file resident (5 GB at 10
million encoded rows), although the kernel could take it back. `Pages` hands the pages back
(madvise MADV_DONTNEED) each time the process holds about `budget` bytes more of them than when it
started: the data stays in the file and in the page cache (nothing is lost, written pages
included), and the next read of a page maps it again from there. So the memory of a streamed fit
is the same at one million rows and at ten million.

The budget (1 GiB) is a trade: a mapped page costs nothing to read again, a handed-back one a
page fault (which on Linux maps a whole run of pages around it: 256 random rows of a 528 MB CSR
file cost 1.6-2.6 ms more a batch when every read faulted), so the shuffled reads of a file
smaller than the budget never hand it back and train at full speed. Passes in order (writing the
encoded rows, the checks, evaluation) fault cheaply and hand back every IN_ORDER bytes. Shuffled
reads of a file larger than the budget do not map it at all: `FileReader` reads their rows with
preadv into the batch's buffer (about 2.5 microseconds a row from the page cache, where a fault on
a handed-back page cost about 9), so nothing of it stays resident. That costs time where the
page cache holds the file: an epoch on a 4 GiB memmap of 784-value rows took 11-13 s instead of
8 s. CHAINRULE_MAPPED_MIB=N sets the budget to N MiB: a budget above the file's size keeps it
mapped, for the speed, at a resident set the size of the file.
"""
from __future__ import annotations

import mmap
import os
import weakref
from typing import Any, cast

import numpy as np

PAGE = mmap.PAGESIZE
BUDGET = 2**30                # bytes of mapped pages a reader may hold before it hands them back
IN_ORDER = 64 * 2**20         # the budget of a pass in order (writing, checking): it reads no page twice
AROUND = 64 * 2**10           # what one random read can map at most (Linux maps 16 pages per fault)


def budget() -> int:
    """BUDGET, or CHAINRULE_MAPPED_MIB mebibytes where that is set."""
    text = os.environ.get("CHAINRULE_MAPPED_MIB", "").strip()
    if not text:
        return BUDGET
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"CHAINRULE_MAPPED_MIB must be a positive whole number of MiB; got {text!r}")
    return int(text) * 2**20


def _root(arr: Any) -> np.memmap | None:
    """The np.memmap made on the mmap that `arr` is a view of (numpy gives every view of a memmap
    the parent's `offset` and `filename`: only the one made on the mmap itself has the right ones);
    None for arrays not mapped by np.memmap, and for copy-on-write ones (mode "c": handing their
    pages back, or reading their file, would lose the user's changes)."""
    base = arr
    while base is not None and not (isinstance(base, np.memmap) and isinstance(base.base, mmap.mmap)):
        base = getattr(base, "base", None)
    if base is None or base.base.closed or getattr(base, "mode", "c") == "c":
        return None
    return base


def mappings(*arrays: Any) -> list[mmap.mmap]:
    """The shared mmaps of np.memmaps that the arrays (or a SciPy matrix's three arrays) are views of."""
    found: list[mmap.mmap] = []
    for arr in arrays:
        if all(hasattr(arr, a) for a in ("data", "indices", "indptr")) and not isinstance(arr, memoryview):
            found += [m for m in mappings(arr.data, arr.indices, arr.indptr) if all(m is not f for f in found)]
            continue
        root = _root(arr)
        if root is not None and all(root.base is not f for f in found):
            found.append(cast(mmap.mmap, root.base))
    return found


def _mapped_bytes() -> int | None:
    """This process's resident pages that belong to files (Linux: /proc/self/statm's third field,
    shared libraries included); None where the system does not say."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[2]) * PAGE
    except (OSError, IndexError, ValueError):
        return None


class Pages:
    """The pages of `arrays`' mappings held by this process, handed back every BUDGET bytes (a pass
    `in_order`, which reads no page twice: every IN_ORDER bytes)."""

    def __init__(self, *arrays: Any, in_order: bool = False):
        self._maps = [weakref.ref(m) for m in mappings(*arrays)]   # weak: an array's file goes when it does
        self.budget = IN_ORDER if in_order else budget() if self._maps else BUDGET
        self.others = _mapped_bytes() if self.maps else None   # file pages held for other reasons
        self.pending = 0                       # bytes possibly mapped since the last check
        self.since = 0                         # ... and since the last release

    def adopt(self, *arrays: Any) -> None:
        """Hand back the pages of these arrays' mappings too (a file-backed row order or labels
        read along with the inputs)."""
        held = self.maps
        self._maps = [weakref.ref(m) for m in held + [m for m in mappings(*arrays) if all(m is not f for f in held)]]
        if self.maps and self.others is None:
            self.others = _mapped_bytes()

    @property
    def maps(self) -> list[mmap.mmap]:
        """The mappings still open."""
        return [m for m in (r() for r in self._maps) if m is not None and not m.closed]

    def __bool__(self) -> bool:          # asked on every batch: data in memory answers at once
        return bool(self._maps) and bool(self.maps) and hasattr(mmap, "MADV_DONTNEED")

    def touched(self, rows: int, row_bytes: int, contiguous: bool = False) -> None:
        """Record a read or write of `rows` rows of `row_bytes` each; hand the pages back once the
        mappings hold more than the budget. Where the system says how many file pages this
        process holds (Linux), it is asked every budget / 16 bytes (one small file read);
        elsewhere the bytes are counted, a random row as the most one read can map."""
        if not self:
            return
        size = rows * row_bytes if contiguous else rows * max(row_bytes, AROUND)
        self.pending += size
        self.since += size
        if self.pending < self.budget // 16:
            return
        self.pending = 0
        now = _mapped_bytes()
        held = self.since if now is None or self.others is None else now - self.others
        if held >= self.budget:
            self.release()

    def release(self) -> None:
        """Unmap every page of the mappings from this process (they stay in the page cache)."""
        if not self:
            return
        for m in self.maps:
            m.madvise(mmap.MADV_DONTNEED)
        self.since = self.pending = 0
        self.others = _mapped_bytes()


def scratch(n: int, dtype: Any) -> np.ndarray:
    """A 1-D array of n elements in a temporary file that is gone once the array is (its name is
    removed at once where the system allows): the per-row indices and labels of data read from
    disk, which then cost this process no memory but the pages it holds (`Pages`)."""
    import tempfile  # here: its import costs `import chainrule` 5 ms
    size = max(n, 1) * np.dtype(dtype).itemsize
    with tempfile.TemporaryFile() as f:      # the mapping keeps the file open; the name is already gone
        try:                                 # the room reserved now: a full disk later would kill the process
            if hasattr(os, "posix_fallocate"):
                os.posix_fallocate(f.fileno(), 0, size)
        except OSError:                      # no room in the temporary folder: in memory, as before
            return np.empty(n, dtype=dtype)
        return np.memmap(f, dtype=dtype, mode="w+", shape=(max(n, 1),))[:n]


def file_of(arr: Any) -> tuple[str, int] | None:
    """(path, byte offset in it) of a C-contiguous array that is (a view of) a shared np.memmap of
    a file; None for anything else, or where the system has no preadv."""
    if not isinstance(arr, np.ndarray) or not arr.flags.c_contiguous or not hasattr(os, "preadv"):
        return None
    root = _root(arr)
    if root is None or not getattr(root, "filename", None):
        return None
    return str(root.filename), int(root.offset) + arr.__array_interface__["data"][0] - \
        root.__array_interface__["data"][0]


def _mapped_file(address: int) -> tuple[int, int] | None:
    """(device, inode) of the file mapped at `address` (Linux: /proc/self/maps), or None."""
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                fields = line.split()
                a, b = (int(x, 16) for x in fields[0].split("-"))
                if a <= address < b and len(fields) >= 5:
                    major, minor = (int(x, 16) for x in fields[3].split(":"))
                    return os.makedev(major, minor), int(fields[4])
    except (OSError, ValueError, IndexError):
        pass
    return None


class FileReader:
    """Byte ranges of an array's file read with preadv into a caller's buffer: nothing is mapped."""

    def __init__(self, fd: int, offset: int):
        self.fd, self.offset = fd, offset
        weakref.finalize(self, os.close, fd)

    @staticmethod
    def of(arr: Any) -> FileReader | None:
        """A reader of `arr`'s file, when the file at its path is still the one mapped (not deleted,
        not replaced: compared by device and inode); None otherwise (then reads go through the mapping)."""
        where = file_of(arr)
        if where is None:
            return None
        mapped = _mapped_file(arr.__array_interface__["data"][0])
        try:
            fd = os.open(where[0], os.O_RDONLY)
        except OSError:
            return None
        st = os.fstat(fd)
        if mapped != (st.st_dev, st.st_ino):
            os.close(fd)
            return None
        return FileReader(fd, where[1])

    def spans(self, starts: np.ndarray, sizes: np.ndarray, out: np.ndarray) -> None:
        """out's bytes <- the sizes[i] bytes at starts[i] of the array (in bytes), one after another."""
        view, pos, fd, offset = memoryview(cast(Any, out)).cast("B"), 0, self.fd, self.offset
        for start, size in zip(starts.tolist(), sizes.tolist()):
            done = 0
            while done < size:               # a network file system may return part of a range
                got = os.preadv(fd, [view[pos + done:pos + size]], offset + start + done)
                if got <= 0:
                    raise OSError(f"read {done} of {size} bytes at {offset + start} of a data file: was it cut short?")
                done += got
            pos += size


def reader(*arrays: Any) -> list[FileReader] | None:
    """Readers of the arrays' files, when they are all file-backed and together larger than the
    budget (shuffled reads would otherwise map them and hand them back, faulting); else None."""
    if any(file_of(a) is None for a in arrays) or sum(a.nbytes for a in arrays) <= budget():
        return None
    found = [FileReader.of(a) for a in arrays]
    return None if any(f is None for f in found) else cast(list, found)
