"""What a file given as CSV is when its first bytes say it is not text: compressed (pandas reads a .csv.gz by its
name), a spreadsheet, a Parquet file. Refused by name with the way to a CSV file, not as "NUL bytes" or "not
UTF-8 text" (whose advice, --encoding, would read the bytes as text). Also Excel's "sep=;" first line, which
pandas reads as the header: looked for once per read, by `refuse_excel_line` on the first text a reader decodes
in the file's encoding (`read_csv` the whole file, the row check its first block, `chunks` its first lines), before
the separator is detected from those lines."""
from __future__ import annotations

import codecs
import io
import os
import re
from pathlib import Path
from typing import Any

from ..errors import ValidationError

#: the first bytes of compressed files, the command that unpacks each file, and the one that unpacks a pipe (none
#: for a zip: read from a file only)
PACKED = {b"\x1f\x8b": ("gzip", "gunzip -k", "gunzip -c"), b"BZh": ("bzip2", "bunzip2 -k", "bunzip2 -c"),
          b"\xfd7zXZ\x00": ("xz", "unxz -k", "unxz -c"), b"PK\x03\x04": ("zip", "unzip", ""),
          b"\x28\xb5\x2f\xfd": ("zstd", "unzstd", "unzstd -c"), b"\x04\x22\x4d\x18": ("lz4", "unlz4", "unlz4 -c")}
#: lzma's older format (FORMAT_ALONE, joblib's compress='lzma'), which has no magic number: its header with the
#: default properties (']'), told by its decoder (text after ']' is refused: its size field would be over 2**38)
LZMA_ALONE = ("lzma", "unlzma -k", "unlzma -c")
#: a ModelProto's first byte (the key of its ir_version, field 1): onnx.save's files, which hold no NUL byte
ONNX_START = b"\x08"
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


#: a model (chainrule's, or another framework's) or arrays given where a CSV file goes, by the kind that
#: filecontent.file_kind, or for a zip or binary file filecontent.kind_of, tells (not "unzip it", "NUL bytes")
MODEL_KINDS = {"model": "a chainrule model file (.npz)", "weights": "a weights file (save_weights)",
               "onnx": "an ONNX model", "exported": "an ONNX model", "keras": "a Keras model (.keras)",
               "torch": "a PyTorch file (torch.save)", "pickle": "a pickle",
               "hdf5": "an HDF5 file (a Keras .h5 model or .weights.h5 weights)", "npy": "a NumPy array (np.save)",
               "npz": "a NumPy archive of arrays (np.savez)"}


def model_kind(path: str) -> str | None:
    """What `path` is, from MODEL_KINDS, where it is a model or arrays rather than data; else None."""
    from .filecontent import file_kind, kind_of
    try:
        kind = file_kind(path) if os.path.isfile(path) else "none"
        return MODEL_KINDS.get(kind_of(Path(path))[0] if kind in ("zip", "binary") else kind)
    except OSError:
        return None


def not_csv(name: str, head: bytes, source: Any = None) -> None:
    """Refuse a file whose first bytes `head` say what else it is, naming it and the way to a CSV file; `source`: the
    whole file (a seekable binary file, or its bytes) to look into a zip file (bzip2's "BZh" with its level and a
    block's mark after it: "BZh" alone can begin a header)."""
    from .csvfile import short
    shown = short(name, 200)
    zipped = head.startswith(b"PK\x03\x04")
    if hasattr(source, "seek") and (zipped or b"\x00" in head or head[:1] in (b"\x80", ONNX_START)):   # not text
        what = model_kind(os.path.expanduser(name))
        if what is not None:
            raise ValidationError(f"CSV file {shown} is {what}, not CSV text: give a CSV file of data (a header "
                                  "row, then a row a sample)")
    book = "xls" if head.startswith(OLE2) else None if not zipped else \
        workbook(source) if source is not None else piped_workbook(head)
    if book:
        raise ValidationError(f"{shown} is a spreadsheet workbook (Excel or LibreOffice), not CSV text: "
                              f"{save_as(book)}")
    if head.startswith(b"PK\x05\x06"):              # a zip's end record alone: zipfile.ZipFile([]) written
        raise ValidationError(f"CSV file {shown} is an empty zip archive (it holds no files), not CSV text: give the "
                              "CSV file itself, or a zip of it")
    if head.startswith(b"PAR1"):
        raise ValidationError(f"{shown} is a Parquet file, not CSV text: write it as CSV with pandas: "
                              "pandas.read_parquet(path).to_csv(new_path, index=False) (which needs pyarrow "
                              "or fastparquet: pip install pyarrow)")
    for magic, (kind, unpack, unpipe) in [*PACKED.items(), (b"]", LZMA_ALONE)]:
        if head.startswith(magic) and (magic != b"BZh" or head[4:10] in (b"1AY&SY", b"\x17rE8P\x90")) and (
                magic != b"]" or lzma_alone(head)):
            if source is None and kind == "zip":  # a pipe: a zip lists its files at its end, read from a file
                raise ValidationError(f"CSV file {shown} is zip-compressed, which is not read from a pipe: save it "
                                      "first (... > data.zip) and give data.zip (a zip of one CSV file is read)")
            if source is None:                    # a pipe: unpacked as it comes, into a file
                raise ValidationError(f"CSV file {shown} is {kind}-compressed, not text: decompress it first "
                                      f"(... | {unpipe} > data.csv) and give data.csv")
            raise ValidationError(f"CSV file {shown} is {kind}-compressed, not text: decompress it first (e.g. "
                                  f"{unpack} {shown}) and give the file it writes")
    if b"\0" not in head and binary_head(head):     # a NUL: opening's refusal, which tells UTF-16 text without a mark
        what = "an image (PNG or JPEG)" if head.startswith(IMAGES) else "binary data (it holds control characters)"
        raise ValidationError(f"CSV file {shown} is {what}, not CSV text: give a CSV file of data (a header row, "
                              "then a row a sample)")


def lzma_alone(head: bytes) -> bool:
    """Whether `head` starts a stream of lzma's older format: a whole header (13 bytes) its decoder takes."""
    import lzma
    try:
        lzma.LZMADecompressor(lzma.FORMAT_ALONE).decompress(head[:4096], 1)
    except lzma.LZMAError:
        return False
    return len(head) >= 13


#: bytes no text holds: the control characters but tab, the line ends, form feed and escape (terminal colours)
CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
#: the first bytes of images (PNG, JPEG), none of them text in any encoding a CSV file is written in
IMAGES = (b"\x89PNG", b"\xff\xd8\xff")


def binary_head(head: bytes) -> bool:
    """Whether a file's first bytes `head` are binary data, not text: a NUL byte, an image's start, or control
    characters in more than one byte in twenty (random bytes hold about one in ten). A NUL alone told them apart,
    and a long binary file holds one in its first kilobytes, but a short one may not: a few bytes of an image or of
    random data were said to be text, "a CSV file of data?". Text keeps its stray control characters (a pasted
    backspace or bell, even in a short file or packed in the first kilobytes) and DOS's end-of-file marks, one or
    a run of them padding the file: refused as binary, such a file could not be read at all."""
    if b"\0" in head or head.startswith(IMAGES):
        return True
    controls = len(CONTROL.findall(head.rstrip(b"\x1a\r\n")))     # DOS's end-of-file marks end text
    return controls * 20 > len(head)


_TEXT = re.compile(r"[^\s\ufeff]")         # a file's first character that is not blank (nor a byte order mark)
_LINE_END = re.compile(r"[\r\n]")


def refuse_excel_line(name: str, text: str, encoding: str | None = None, cut: bool = False) -> bool:
    """Refuse the file `name` when its first line that is not blank, in `text` (the file's start decoded in its
    `encoding`), is Excel's "sep=;", the line it writes to name the separator, that pandas reads as the header
    (quoted too, '"sep=;"', as a program that quotes every cell writes it; after a UTF-8 byte order mark read in
    another encoding, 'ï»¿' in latin-1). The one look per read: found without splitting `text` into lines (it may
    be the whole file). `cut`: `text` ends at a byte that is not text (a NUL, one not in the encoding), so its last
    line is not whole and not looked at. Returns whether `text` held that line (False: blank lines only, the next
    block's text decides)."""
    if cut:
        text = text[:max(text.rfind("\n"), text.rfind("\r")) + 1]
    first = _TEXT.search(text)
    if first is None:
        return False
    start = max(text.rfind("\n", 0, first.start()), text.rfind("\r", 0, first.start())) + 1
    end = _LINE_END.search(text, first.start())
    line = text[start:end.start() if end else len(text)].lstrip("\ufeff")
    mark = _utf8_mark(encoding)
    line = line[len(mark):] if mark and line.startswith(mark) else line
    if len(line) == 7 and line[0] == line[-1] == '"':
        line = line[1:-1]
    if (excel := excel_text(line)) is not None:
        from .csvfile import short
        raise ValidationError(f"CSV file {short(name, 200)}: {excel}")
    return True


def _utf8_mark(encoding: str | None) -> str:
    """UTF-8's byte order mark as text in `encoding` ('ï»¿' in latin-1 and cp1252; '' where it is not text)."""
    try:
        return codecs.BOM_UTF8.decode(encoding or "utf-8-sig")
    except (LookupError, UnicodeDecodeError):
        return ""


def excel_text(line: str) -> str | None:
    """What is wrong with a file whose first line that is not blank is `line`, when it is Excel's "sep=;"; None
    otherwise."""
    from .advice import give
    from .csvfile import short
    from .separators import SEP_NAMES
    if len(line) != 5 or not line.lower().startswith("sep=") or line[4] in "\r\n\"":
        return None
    char = line[4]
    shown = SEP_NAMES.get(char, repr(char))
    return (f"its first line ({short(line)}) is the line Excel writes to name the separator, not the header: remove "
            f"that line and {give('sep', sep=shown, char=char)}")
