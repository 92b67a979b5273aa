"""A CSV file's bytes, opened and decoded, or refused in the user's words: a file that is not there, a folder, a
pipe where a file is read twice, a file that is not text (`filekind.not_csv`), NUL bytes, a byte that is not in the
encoding (named with its line), a UTF-16 or UTF-32 file told by its byte order mark. Every reader opens a file
here; a compressed one's text through `archives.unpacked`.
"""
from __future__ import annotations

import codecs
import io
import os
from typing import Any

from ..errors import ValidationError
from .advice import give
from .archives import unpacked
from .csvfile import short


def read_bytes(source) -> tuple[bytes, str, bool]:
    """The bytes of `source` (a path, or an object with read(): a text one's as UTF-8), its name, and whether it
    gave text."""
    if hasattr(source, "read"):                     # an open file, an upload, io.StringIO (text: read as UTF-8)
        name, data = str(getattr(source, "name", "<data>")), source.read()
        if not isinstance(data, (str, bytes)):
            raise ValidationError(f"CSV file {short(name, 200)}: read() gave {type(data).__name__}, not bytes or str: "
                                  "give the file's path, or the file opened to read (open(path, 'rb'), io.StringIO)")
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        from .filekind import not_csv
        if isinstance(data, bytes) and (inner := unpacked(name, io.BytesIO(raw), raw[:4096])) is not None:
            with inner:                             # a pipe's compressed bytes (cat data.csv.gz | train /dev/stdin)
                raw = inner.read()
        not_csv(name, raw[:4096], raw)              # a path's file is looked at as it is opened (open_csv)
        from .misnamed import json_text
        if (json := json_text(name, raw[:64])) is not None:    # open('x.json'), as the path 'x.json' is refused
            raise ValidationError(json)
        raw = raw[:len(raw) - dos_marks(raw[-16:])]
        return raw, name, isinstance(data, str)
    name = csv_path(source)
    with open_csv(name) as f:
        data = f.read()
    return data[:len(data) - dos_marks(data[-16:])], name, False     # a pipe's, which open_csv cannot look ahead in


def dos_marks(tail: bytes) -> int:
    """How many DOS end-of-file marks (Ctrl-Z, \\x1a) end a file whose last bytes are `tail`: old DOS programs and
    some exports still end a text file with one. pandas.read_csv reads it as one more row (a mark in the first
    column, the others missing), or glued to the last value ('1\\x1a', a class of its own); DOS and Windows' own
    tools (copy, type) read it as the end of the text, as every reader here does. A mark after a NUL byte is half
    of a UTF-16 character, left alone."""
    kept = tail.rstrip(b"\x1a")
    return 0 if kept.endswith(b"\x00") else len(tail) - len(kept)


def _last(f: Any, size: int) -> bytes:
    """The last 16 bytes of the file `f` of `size` bytes, read where they are: its read buffer (the first bytes,
    looked at already) is kept, not read again."""
    return os.pread(f.fileno(), 16, max(0, size - 16))


def csv_path(source: Any) -> str:
    """The path a reader opens (str, bytes or os.PathLike); anything else is refused saying where data already in
    memory goes, not passed to open() as its printed form (a DataFrame's was 'File name too long')."""
    try:
        return os.fsdecode(os.fspath(source))
    except TypeError:
        pass
    top = type(source).__module__.split(".")[0]
    kind = type(source).__name__ if top == "builtins" else f"{top} {type(source).__name__}"
    where = (" Data in memory goes to chainrule.sklearn's BackpropClassifier or BackpropRegressor (scikit-learn's "
             "GridSearchCV searches them) or to Network.fit" + ("; or write it to a file first: "
                                                               "df.to_csv('data.csv', index=False)"
                                                               if hasattr(source, "to_csv") else ""))
    raise ValidationError(f"expected a CSV file: its path (a str or pathlib.Path) or the file opened to read "
                          f"(open(path, 'rb')); got a {kind}.{where if hasattr(source, '__len__') else ''}")


def open_csv(name: Any) -> Any:
    """The file `name` opened for reading bytes (refused when it is not text: `filekind.not_csv`), or an error in
    the user's words."""
    from .misnamed import folder_hint, json_text, missing_hint, stdin_json, unreadable_hint
    name = csv_path(name)
    try:
        f = open(os.path.expanduser(name), "rb")
    except FileNotFoundError:
        if name == "-":             # pandas' and many tools' name for standard input: not a name here
            raise ValidationError("CSV file '-' does not exist: standard input is not read as '-'; give /dev/stdin "
                                  "to train (it reads a pipe once, whole), or save the data to a file and give that "
                                  "(predict, evaluate and train --stream read a file more than once)"
                                  + stdin_json()) from None
        raise ValidationError(f"CSV file {short(name, 200)} does not exist{missing_hint(name)}") from None
    except IsADirectoryError:
        raise ValidationError(f"{short(name, 200)} is a folder, not a CSV file{folder_hint(name)}") from None
    except PermissionError:
        raise ValidationError(f"CSV file {short(name, 200)} cannot be read (permission denied)"
                              f"{unreadable_hint(name)}") from None
    except OSError as e:            # a name too long, a device that answers with an error: the system's words
        raise ValidationError(f"CSV file {short(name, 200)} cannot be opened: {e.strerror or e}") from None
    if f.isatty():                  # a read waited, silently, for typing
        stdin = _is_stdin(f)
        f.close()
        raise ValidationError(f"CSV file {short(name, 200)} is a terminal, "
                              + ("with nothing piped in" if stdin else "not a file (reading it waits for typing)")
                              + ": give a CSV file, or pipe one in (cat data.csv | chainrule ... /dev/stdin)")
    from .filekind import not_csv
    try:
        if (inner := unpacked(name, f, f.peek(4096)[:4096])) is not None:
            f = inner
        elif f.seekable() and (size := os.fstat(f.fileno()).st_size) and (marks := dos_marks(_last(f, size))):
            f = io.BufferedReader(_Ended(f, size - marks))      # pandas read the mark as one more row
        not_csv(name, f.peek(4096)[:4096], f if f.seekable() else None)
        if (json := json_text(name, f.peek(4096)[:4096], piped=not f.seekable() or _is_stdin(f))) is not None:
            raise ValidationError(json)
    except BaseException:
        f.close()
        raise
    return f


def _is_stdin(f: Any) -> bool:
    """Whether `f` is standard input (/dev/stdin, /dev/fd/0): a terminal there has nothing piped in, while a
    terminal named itself (/dev/tty) is one whatever is piped."""
    try:
        return os.path.sameopenfile(f.fileno(), 0)
    except OSError:                 # standard input closed
        return False


class _Ended(io.RawIOBase):
    """A file read only up to `end`: its DOS end-of-file marks (`dos_marks`) left out of every read and seek."""

    def __init__(self, inner: Any, end: int):
        super().__init__()
        self.inner, self.end = inner, end
        self.name = getattr(inner, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        left = self.end - self.inner.tell()
        if left <= 0:
            return 0
        view = memoryview(buffer)
        return self.inner.readinto(view[:min(len(view), left)])

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == io.SEEK_END:
            offset, whence = self.end + offset, io.SEEK_SET
        return self.inner.seek(offset, whence)

    def tell(self) -> int:
        return self.inner.tell()

    def fileno(self) -> int:
        return self.inner.fileno()

    def close(self) -> None:
        if not self.closed:
            self.inner.close()
        super().close()


def open_again(name: str) -> Any:
    """`open_csv` for a reader that reads the file more than once (its lines checked, or its first lines sniffed,
    then its rows read in chunks): a pipe (standard input, a shell's <(zcat data.csv.gz)) is empty the second
    time, so it is refused before the first."""
    f = open_csv(name)
    if not f.seekable():
        f.close()
        raise ValidationError(f"CSV file {short(name, 200)} is a pipe (standard input, or <(...) in a shell), not a "
                              "file: it is read more than once (its lines are checked first); save it to a file and "
                              "give that (e.g. zcat data.csv.gz > data.csv)")
    return f


#: byte order marks of the encodings whose text holds NUL bytes (UTF-32's first: it starts like UTF-16's)
BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))


def bom_encoding(head: bytes) -> str | None:
    """'utf-16' or 'utf-32' when a file's first bytes `head` are that encoding's byte order mark
    (Windows' "Unicode text" files) and a line ends in the first 64 KB so read, else None (UTF-8
    is read with or without its mark; binary data that starts so stays binary)."""
    enc = next((enc for bom, enc in BOMS if head.startswith(bom)), None)
    text = head[:65536].decode(enc, errors="ignore") if enc else ""
    return enc if "\n" in text or "\r" in text else None


def wide(encoding: str | None) -> bool:
    """Whether text in `encoding` holds NUL bytes (UTF-16, UTF-32): they do not say it is binary."""
    try:
        return codecs.lookup(encoding or "utf-8").name.startswith(("utf-16", "utf-32"))
    except LookupError:
        return False


def decode_text(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """The file's text, after the one look for Excel's separator line (`filekind.refuse_excel_line`): on the text,
    or on the text before a NUL or undecodable byte, so that the line is named first, as it is by every reader."""
    from .filekind import refuse_excel_line
    at = -1 if wide(encoding) else data.find(b"\x00")
    if at >= 0:
        refuse_excel_line(name, data[:at].decode(encoding or "utf-8-sig", errors="replace"), encoding, cut=True)
        raise nul_refusal(name, data, at)
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise ValidationError(f"encoding {short(encoding)} is not known (e.g. utf-8, latin-1, cp1252)") from None
    except UnicodeDecodeError as exc:
        refuse_excel_line(name, data[:exc.start].decode(encoding or "utf-8-sig", errors="replace"), encoding,
                          cut=True)
        raise undecodable(name, encoding, data[exc.start], data[:exc.start].count(b"\n") + 1) from None
    refuse_excel_line(name, text, encoding)
    return text, encoding or "utf-8"


def nul_refusal(name: str, data: bytes, at: int, lines_before: int = 0) -> ValidationError:
    """The refusal of the file whose bytes `data` (after `lines_before` lines) hold their first NUL at `at`: a file
    that is text up to it and NUL bytes to its end was cut short as it was written (even a small one), else one
    with a NUL in its first 64 KiB is not text, and a NUL later on is named with its line."""
    if (at >= 65536 or lines_before) or (at > 0 and not data[at:].strip(b"\x00")):
        return nul_bytes(name, lines_before + data.count(b"\n", 0, at) + 1)
    wide = utf16_unmarked(data[:4096])
    if wide:
        return ValidationError(f"CSV file {short(name, 200)} looks like {wide.upper()} text without a byte order mark "
                               f"(every second byte is NUL): {give('encoding named', encoding=wide)}")
    return ValidationError(f"CSV file {short(name, 200)} is not a text file (it holds NUL bytes)")


def utf16_unmarked(head: bytes) -> str | None:
    """'utf-16-le' or 'utf-16-be' when `head` reads as text of Latin letters in UTF-16 without its byte order mark
    (a NUL in every second byte, none in the others), else None."""
    head = head[:len(head) // 2 * 2]
    for encoding, zeros, letters in (("utf-16-le", head[1::2], head[0::2]), ("utf-16-be", head[0::2], head[1::2])):
        if len(head) >= 4 and zeros.count(0) >= 0.9 * len(zeros) and 0 not in letters:
            return encoding
    return None


def nul_bytes(name: str, line: int) -> ValidationError:
    """The refusal of a NUL byte after the file's first 64 KiB of text (on `line`): such a file was most often cut
    short while written (a crash, a full disk: the rest is NUL bytes), not a row with a field too few."""
    import shlex
    how = give("remove nul bytes", path_sh=shlex.quote(name), new_sh=shlex.quote(fixed(name)), path_py=repr(name),
               new_py=repr(fixed(name)))
    return ValidationError(f"CSV file {short(name, 200)}: line {line} holds NUL bytes, which text never does; a file "
                           "that ends in them was cut short as it was written (a crash, a full disk): remove them (the "
                           f"rows they stand for are lost: {how})")


def fixed(name: str) -> str:
    """The name of a file saved from `name` with its fault removed: cut.csv -> cut-fixed.csv, in its folder."""
    stem, dot, ext = os.path.basename(name).rpartition(".")
    return os.path.join(os.path.dirname(name), f"{stem}-fixed.{ext}" if dot and stem else f"{ext}-fixed")


def undecodable(name: str, encoding: str | None, byte: int, line: int) -> ValidationError:
    """The refusal of a byte that is not in the encoding, naming its line: every reader's words."""
    hint = give("encoding") if encoding is None else "it is in another encoding"
    return ValidationError(f"CSV file {short(name, 200)} is not {encoding or 'UTF-8'} text: byte 0x{byte:02x} on line "
                           f"{line} cannot be decoded; {hint}")
