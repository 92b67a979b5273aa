"""What a file given as CSV is when its first bytes say it is not text: compressed (pandas reads a .csv.gz by its
name), a spreadsheet, a Parquet file. Refused by name with the way to a CSV file, not as "NUL bytes" or "not
UTF-8 text" (whose advice, --encoding, would read the bytes as text)."""
from __future__ import annotations

import io
from typing import Any

from ..errors import ValidationError

#: the first bytes of compressed files, and the command that unpacks each
PACKED = {b"\x1f\x8b": ("gzip", "gunzip -k"), b"BZh": ("bzip2", "bunzip2 -k"), b"\xfd7zXZ\x00": ("xz", "unxz -k"),
          b"PK\x03\x04": ("zip", "unzip"), b"\x28\xb5\x2f\xfd": ("zstd", "unzstd")}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"        # Excel 97-2003 (.xls) and other Office files
ODS = b"application/vnd.oasis.opendocument.spreadsheet"       # the mimetype entry of LibreOffice's .ods
SAVE_AS = ("save it as CSV from the spreadsheet (CSV UTF-8), or with pandas: "
           "pandas.read_excel(path).to_csv(new_path, index=False)")


def workbook(source: Any) -> bool:
    """Whether the zip file `source` (a seekable binary file, left at its start, or its bytes) is a workbook: Excel's
    (.xlsx: an xl/ folder) or LibreOffice's (.ods: its mimetype says so)."""
    import zipfile
    try:
        with zipfile.ZipFile(io.BytesIO(source) if isinstance(source, bytes) else source) as z:
            names = z.namelist()
            return any(n.startswith("xl/") for n in names) or ("mimetype" in names and z.read("mimetype") == ODS)
    except (zipfile.BadZipFile, OSError, KeyError):
        return False
    finally:
        if not isinstance(source, bytes):
            source.seek(0)


def not_csv(name: str, head: bytes, source: Any = None) -> None:
    """Refuse a file whose first bytes `head` say what else it is, naming it and the way to a CSV file; `source`: the
    whole file (a seekable binary file, or its bytes) to look into a zip file (bzip2's "BZh" with its level and a
    block's mark after it: "BZh" alone can begin a header)."""
    from .csvfile import short
    shown = short(name, 200)
    zipped = head.startswith(b"PK\x03\x04")
    if head.startswith(OLE2) or (zipped and source is not None and workbook(source)):
        raise ValidationError(f"{shown} is a spreadsheet workbook (Excel or LibreOffice), not CSV text: {SAVE_AS}")
    if head.startswith(b"PAR1"):
        raise ValidationError(f"{shown} is a Parquet file, not CSV text: write it as CSV with pandas: "
                              "pandas.read_parquet(path).to_csv(new_path, index=False)")
    for magic, (kind, unpack) in PACKED.items():
        if head.startswith(magic) and (magic != b"BZh" or head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")):
            raise ValidationError(f"CSV file {shown} is {kind}-compressed, not text: decompress it first (e.g. "
                                  f"{unpack} {shown}) and give the file it writes")
