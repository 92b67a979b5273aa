"""What a file given as CSV is when its first bytes say it is not text: compressed (pandas reads a .csv.gz by its
name), a spreadsheet, a Parquet file. Refused by name with the way to a CSV file, not as "NUL bytes" or "not
UTF-8 text" (whose advice, --encoding, would read the bytes as text). Also Excel's "sep=;" first line, which
pandas reads as the header, in one message (`excel_text`) from the places that see it: `not_csv`, where every
reader opens a file, in its first 64 KiB decoded by their byte order mark; `chunks._chunks` in the encoding a
reader was given (a UTF-16 file without its mark); past 64 KiB of blank lines, the row check's header line, named
by `csvfile.ragged` when the rows under it are uneven, else by `header.wrong_header`."""
from __future__ import annotations

import io
from typing import Any

from ..errors import ValidationError

#: the first bytes of compressed files, the command that unpacks each file, and the one that unpacks a pipe
PACKED = {b"\x1f\x8b": ("gzip", "gunzip -k", "gunzip -c"), b"BZh": ("bzip2", "bunzip2 -k", "bunzip2 -c"),
          b"\xfd7zXZ\x00": ("xz", "unxz -k", "unxz -c"), b"PK\x03\x04": ("zip", "unzip", "funzip"),
          b"\x28\xb5\x2f\xfd": ("zstd", "unzstd", "unzstd -c")}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"        # Excel 97-2003 (.xls) and other Office files
ODS = b"application/vnd.oasis.opendocument.spreadsheet"       # the mimetype entry of LibreOffice's .ods
#: the package pandas.read_excel needs for each workbook
READER = {"xlsx": "openpyxl", "xls": "xlrd", "ods": "odfpy"}


def save_as(kind: str) -> str:
    """The way from a workbook of `kind` to a CSV file, naming the package pandas reads it with."""
    return ("save it as CSV from the spreadsheet (CSV UTF-8), or with pandas: pandas.read_excel(path).to_csv("
            f"new_path, index=False) (which needs {READER[kind]}: pip install {READER[kind]})")


def workbook(source: Any) -> str | None:
    """'xlsx' or 'ods' when the zip file `source` (a seekable binary file, left at its start, or its bytes) is a
    workbook: Excel's (an xl/ folder) or LibreOffice's (its mimetype says so); else None."""
    import zipfile
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            names = z.namelist()
            if any(n.startswith("xl/") for n in names):
                return "xlsx"
            return "ods" if "mimetype" in names and z.read("mimetype") == ODS else None
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        if not isinstance(source, bytes):
            source.seek(0)


def piped_workbook(head: bytes) -> str | None:
    """`workbook` of a zip file's first bytes `head` (a pipe's: its end, where the zip lists its files, is not yet
    read): the names of its first entries, as each entry's header gives them."""
    at = 0
    while head[at:at + 4] == b"PK\x03\x04" and len(head) >= at + 30:
        size, n, extra = (int.from_bytes(head[at + i:at + j], "little") for i, j in ((18, 22), (26, 28), (28, 30)))
        name = head[at + 30:at + 30 + n]
        if name.startswith(b"xl/"):
            return "xlsx"
        if name == b"mimetype":
            return "ods" if head[at + 30 + n + extra:].startswith(ODS) else None
        if head[at + 6] & 8:                      # its size comes after its data: the next entry cannot be found
            return None
        at += 30 + n + extra + size
    return None


def not_csv(name: str, head: bytes, source: Any = None) -> None:
    """Refuse a file whose first bytes `head` say what else it is, naming it and the way to a CSV file; `source`: the
    whole file (a seekable binary file, or its bytes) to look into a zip file (bzip2's "BZh" with its level and a
    block's mark after it: "BZh" alone can begin a header)."""
    from .csvfile import short
    shown = short(name, 200)
    zipped = head.startswith(b"PK\x03\x04")
    book = "xls" if head.startswith(OLE2) else None if not zipped else \
        workbook(source) if source is not None else piped_workbook(head)
    if book:
        raise ValidationError(f"{shown} is a spreadsheet workbook (Excel or LibreOffice), not CSV text: "
                              f"{save_as(book)}")
    if head.startswith(b"PAR1"):
        raise ValidationError(f"{shown} is a Parquet file, not CSV text: write it as CSV with pandas: "
                              "pandas.read_parquet(path).to_csv(new_path, index=False) (which needs pyarrow "
                              "or fastparquet: pip install pyarrow)")
    for magic, (kind, unpack, unpipe) in PACKED.items():
        if head.startswith(magic) and (magic != b"BZh" or head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")):
            if source is None:                    # a pipe: unpacked as it comes, into a file
                raise ValidationError(f"CSV file {shown} is {kind}-compressed, not text: decompress it first (e.g. "
                                      f"pipe it through {unpipe} > data.csv) and give the file it writes")
            raise ValidationError(f"CSV file {shown} is {kind}-compressed, not text: decompress it first (e.g. "
                                  f"{unpack} {shown}) and give the file it writes")
    if (excel := excel_line(_start(head, source))) is not None:
        raise ValidationError(f"CSV file {shown}: {excel}")


def _start(head: bytes, source: Any) -> bytes:
    """A file's first 64 KiB (`source`'s, left where it was; a pipe's first bytes `head`, all there is to read
    now): Excel's 'sep=;' line may come after blank lines, which pandas skips."""
    if source is None or isinstance(source, bytes):
        return head if source is None else source[:1 << 16]
    at = source.tell()
    source.seek(0)
    start = source.read(1 << 16)
    source.seek(at)
    return start


def excel_line(head: bytes | str) -> str | None:
    """What is wrong with a file whose first bytes `head` begin (after a byte order mark and blank lines) with
    Excel's "sep=;", the line it writes to name the separator, that pandas reads as the header; None otherwise.
    (`head` as text: decoded in the encoding a reader was given, a UTF-16 file's without its byte order mark.)"""
    from .csvfile import bom_encoding
    text = head if isinstance(head, str) else head.decode(bom_encoding(head) or "utf-8-sig", errors="replace")
    return excel_text(next((t for t in text.splitlines() if t.strip()), ""))


def excel_text(line: str) -> str | None:
    """`excel_line` of a file's first line that is not blank, `line` (also the header line a row check read: the
    line may come after more blank lines than the first bytes hold)."""
    from .advice import give
    from .csvfile import short
    from .separators import SEP_NAMES
    if len(line) != 5 or not line.lower().startswith("sep=") or line[4] in "\r\n\"":
        return None
    char = line[4]
    shown = SEP_NAMES.get(char, repr(char))
    return (f"its first line ({short(line)}) is the line Excel writes to name the separator, not the header: remove "
            f"that line and {give('sep', sep=shown, char=char)}")
