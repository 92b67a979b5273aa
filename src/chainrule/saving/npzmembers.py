"""The members of a model file's archive, read so that no file can run code or take more memory than it holds:
each a plain .npy entry, listed once, neither encrypted nor claiming more bytes than the file has; an entry's
.npy header (dtype and shape) checked against the description before any of its data is read; the data read
with allow_pickle=False (never true: an object array is refused by its header, never unpickled). A file
saved on a machine of the other byte order is read as the same numbers.
"""
from __future__ import annotations

import math
import zipfile
from pathlib import Path

import numpy as np

from ..errors import ModelFileError
from .modelkind import named


def members(zf: zipfile.ZipFile, path: Path, size_on_disk: int) -> dict[str, zipfile.ZipInfo]:
    """The archive's .npy entries by name (without .npy); anything else, a name twice, an encrypted entry or one
    stored with more bytes than the whole file refused."""
    infos: dict[str, zipfile.ZipInfo] = {}
    for info in zf.infolist():
        if not info.filename.endswith(".npy") or info.filename[:-4] in infos:
            raise ModelFileError(f"{named(path)}: unexpected member {info.filename!r} in the archive")
        if info.flag_bits & 0x1:
            raise ModelFileError(f"{named(path)}: member {info.filename!r} is encrypted")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size > size_on_disk:
            raise ModelFileError(f"{named(path)}: member {info.filename!r} claims {info.file_size} bytes, more than "
                                 f"the file holds ({size_on_disk}); truncated or crafted")
        infos[info.filename[:-4]] = info
    return infos


def array_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path, shape, dtype):
    """Read only the .npy header of a member and check it against the expected shape and dtype."""
    with zf.open(info) as f:
        version = np.lib.format.read_magic(f)
        if version == (1, 0):
            got_shape, _, got_dtype = np.lib.format.read_array_header_1_0(f)
        elif version in ((2, 0), (3, 0)):
            got_shape, _, got_dtype = np.lib.format.read_array_header_2_0(f)
        else:
            raise ModelFileError(f"{named(path)}: entry {info.filename!r} has an unknown .npy version {version}")
        held = info.file_size - f.tell()        # the bytes of data after the header
    name = info.filename[:-4]
    if got_dtype.hasobject:
        raise ModelFileError(f"{named(path)}: entry {name!r} holds Python objects (dtype {got_dtype}); refused, "
                             "never unpickled")
    count = math.prod(got_shape)
    if count * got_dtype.itemsize > held:     # before NumPy allocates (or reads short) what the header declares
        raise ModelFileError(f"{named(path)}: entry {name!r} holds {held} bytes, fewer than its {count} "
                             "values "
                             f"need ({count * got_dtype.itemsize} bytes of {got_dtype}; truncated or crafted)")
    if shape is not None and (got_shape != shape or got_dtype.newbyteorder("=") != dtype):   # a file from a
        raise ModelFileError(f"{named(path)}: entry {name!r} has shape {got_shape} and dtype {got_dtype}; "
                             f""   # big-endian
                             f"the description needs shape {shape} and dtype {dtype}")      # machine: read, swapped
    return got_shape, got_dtype


def read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path, shape, dtype) -> np.ndarray:
    """A member's array, its header checked first (`array_header`), never unpickled."""
    array_header(zf, info, path, shape, dtype)
    with zf.open(info) as f:
        arr = np.lib.format.read_array(f, allow_pickle=False)
    if dtype is not None and arr.dtype != dtype and arr.dtype.newbyteorder("=") == dtype:
        arr = arr.astype(dtype)             # the other byte order (saved on a big-endian machine): the same numbers
    if shape is not None and (arr.shape != shape or arr.dtype != dtype):
        raise ModelFileError(f"{named(path)}: entry {info.filename[:-4]!r} has shape {arr.shape} and dtype "
                             f"{arr.dtype}; "
                             f"the description needs shape {shape} and dtype {dtype}")
    return arr
