"""A compressed CSV file read as pandas.read_csv reads one by its name (gzip, bzip2, xz or lzma; a zip, a tar or
a .tar.gz of one file): opened as its text, its decompressor's errors in the user's words; an archive of several
files, or of none, refused naming them. `opening.open_csv` and `opening.read_bytes` open every file through here.
"""
from __future__ import annotations

import io
import os
from typing import Any

from ..errors import ValidationError, plural
from .csvfile import short
from .filecontent import CUT_SHORT


class _Unpacking(io.RawIOBase):
    """A compressed file's text, read as pandas reads a data.csv.gz: its decompressor's errors (a file cut short, a
    corrupt block) said in the user's words wherever a reader meets them, not as an internal error."""

    def __init__(self, inner: Any, source: Any, name: str, kind: str):
        super().__init__()
        self.inner, self.source, self.name, self.kind = inner, source, name, kind

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return self.source.seekable()

    def readinto(self, buffer: Any) -> int:
        import lzma
        import zlib
        try:
            return self.inner.readinto(buffer)
        except (EOFError, OSError, zlib.error, lzma.LZMAError) as exc:
            raise ValidationError(f"CSV file {short(self.name, 200)} is {self.kind}-compressed and cannot be "
                                  f"decompressed ({exc}): the file is cut short or damaged ({CUT_SHORT})") from None

    def seek(self, offset: int, whence: int = 0) -> int:
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
            self.source.close()
        super().close()


def unpacked(name: str, source: Any, head: bytes) -> Any:
    """The text of a file compressed as pandas.read_csv reads one by its name (gzip, bzip2, xz or lzma, a zip of one
    file), told by its first bytes `head`: a buffered binary file that decompresses `source` (a seekable binary file,
    closed with it) as it is read; None for any other file (zstd and lz4, which need packages pandas does not
    require, are refused by `filekind.not_csv` with the command that unpacks them)."""
    import bz2
    import gzip
    import lzma

    from .filekind import PACKED, lzma_alone
    kind = next((PACKED[m][0] for m in PACKED if head.startswith(m)), None)
    if kind == "bzip2" and head[4:10] not in (b"1AY&SY", b"\x17rE8P\x90"):
        kind = None                                     # "BZh" alone can begin a header
    if kind is None and head.startswith(b"]") and lzma_alone(head):
        kind = "lzma"
    if kind == "zip":                                   # a pipe's zip: its list of files, at its end, is not read
        inner = _zip_member(name, source) if source.seekable() else None
    elif kind in ("gzip", "bzip2", "xz", "lzma"):       # a pipe's is decompressed as it comes (train /dev/stdin)
        inner = gzip.GzipFile(fileobj=source) if kind == "gzip" else (bz2.BZ2File if kind == "bzip2" else
                                                                      lzma.LZMAFile)(source)
    else:
        return _tar_member(name, source, head)
    if inner is None:
        return None
    text = io.BufferedReader(_Unpacking(inner, source, name, kind), 1 << 16)
    return _tar_member(name, text, text.peek(512)[:512]) or text      # a .tar.gz: read as pandas reads one


def _tar_member(name: str, source: Any, head: bytes) -> Any:
    """The one file of a tar archive (`head`: its first bytes), opened as pandas reads a .tar or .tar.gz of one
    file; None for any other file, or a tar piped (read once, it cannot be listed first). A tar of several files is
    refused, as pandas refuses it: piped, saved first (tar -x reads a compressed pipe only told how, -z or -j)."""
    import tarfile
    if not is_tar(head) or not source.seekable():
        return None
    try:
        files = [m for m in tarfile.open(fileobj=source, mode="r:").getmembers() if m.isfile()]
    except tarfile.TarError:
        files = []                                      # cut short: read as it is, named by `filekind.not_csv`
    if len(files) != 1:
        source.seek(0)
        if len(files) > 1:
            source.close()
            import shlex

            from .csvfile import names
            how = f"tar -xf {shlex.quote(name)}" if os.path.isfile(name) else "... > data.tar; tar -xf data.tar"
            raise ValidationError(f"CSV file {short(name, 200)} is a tar archive of {len(files)} files "
                                  f"{names([m.name for m in files], 5)}, not one CSV file: unpack it first ({how}) and "
                                  "give one of them")
        return None
    member = tarfile.open(fileobj=source, mode="r:").extractfile(files[0])
    return io.BufferedReader(_Unpacking(member, source, name, "tar"), 1 << 16)


def is_tar(head: bytes) -> bool:
    """Whether `head`, a file's first bytes, starts a tar archive: POSIX's ("ustar" at 257), or the older V7
    format's, which has no mark but a header whose checksum, written in octal digits, holds. A checksum field
    of none (text cut short by NUL bytes) is no tar's: tarfile takes it for 0, which a sum of signed bytes can be."""
    import tarfile
    if head[257:262] == b"ustar":
        return True
    if len(head) < 512 or b"\x00" not in head[:512] or not head[148:156].strip(b" \x00").isdigit():
        return False
    try:
        return bool(tarfile.TarInfo.frombuf(head[:512], "utf-8", "surrogateescape").name)
    except tarfile.TarError:
        return False


def _zip_member(name: str, source: Any) -> Any:
    """The one file of a zip archive, opened (pandas reads a zip of one file), unless the zip is a workbook, a model
    or holds several files: None, for `filekind.not_csv` to name it."""
    import zipfile

    from .filekind import model_kind, workbook
    source.seek(0)
    if workbook(source) or model_kind(os.path.expanduser(name)):
        return None
    try:
        archive = zipfile.ZipFile(source)
        files = [n for n in archive.namelist() if not n.endswith("/")]
        if len(files) == 1:
            return archive.open(files[0])
        if not files:
            source.close()
            n = len(archive.namelist())
            raise ValidationError(f"CSV file {short(name, 200)} is a zip archive that holds no files (only {n} "
                                  f"{plural(n, 'folder')}), not CSV text: give the CSV file itself, or a zip of it")
    except (zipfile.BadZipFile, OSError):
        pass
    source.seek(0)                                      # left at its start, for `filekind.not_csv` to look in
    return None
