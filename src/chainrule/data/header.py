"""A CSV file's header seen from its first bytes: split by a separator, and the separator the file
seems to use. For the commands that choose a separator before reading a file (`predict` takes the
model's when it splits the header into the model's columns) and for the error that says a
separator is not the file's (the header read as one column), instead of "column 'y' is missing".
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from typing import Any

import numpy as np

from ..errors import ValidationError
from .advice import give
from .csvfile import short
from .opening import BOMS, bom_encoding, open_csv
from .separators import SEP_NAMES, detect_separator

HEAD = 1 << 16            # bytes read: the header and the lines detection looks at


def _head(path: Any, encoding: str | None) -> str:
    """The whole lines of the file's first HEAD bytes, as text ('' when they cannot be read so:
    the file's reading says why)."""
    try:
        with open_csv(path) as f:
            head = f.read(HEAD)
        if len(head) == HEAD:
            head = head[:head.rfind(b"\n") + 1] or head
        return head.decode(encoding or bom_encoding(head) or "utf-8-sig", errors="replace")
    except (ValidationError, LookupError, OSError):
        return ""


def _first_row(text: str, sep: str) -> list[str]:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    try:
        return next((r for r in rows if r and not (len(r) == 1 and not r[0].strip())), [])
    except csv.Error:
        return []


def header_fields(path: Any, sep: str, encoding: str | None = None) -> list[str]:
    """The file's header (its first row that is not blank) split by `sep`; [] when unreadable."""
    return as_pandas_names(_first_row(_head(path, encoding), sep))


def seems_separated(path: Any, encoding: str | None = None) -> str | None:
    """The separator the file's first lines seem to use (`detect_separator`'s), when it splits the
    header into more than one column; None when none does, or two fit."""
    text = _head(path, encoding)
    try:
        sep, _ = detect_separator(text)
    except ValidationError:
        return None
    return sep if len(_first_row(text, sep)) > 1 else None


def separator_for(path: Any, sep: str, columns: list[str], encoding: str | None = None) -> str:
    """Whether a model's separator `sep` reads the file `path` with its `columns`: "detected" when the
    file seems to use it too, "model" when only it splits the header into them (or no separator seems
    the file's: its errors then name what is missing), "other" when the file seems to use another."""
    seems = seems_separated(path, encoding)
    if seems == sep:
        return "detected"
    return "model" if seems is None or set(columns) <= set(header_fields(path, sep, encoding)) else "other"


def set_aside(path: Any, encoding: str, known: Any = ()) -> str | None:
    """Why the file `path` is not read in a model's `encoding` (latin-1, cp1252: any bytes decode, into other
    letters), or None: it starts with a byte order mark (UTF-8's, UTF-16's, UTF-32's), or the whole file is
    UTF-8 and holds bytes above 127 that read as more of the model's `known` names and categories (those not
    ASCII) in UTF-8 than in its encoding (a file saved again as UTF-8). Where both read as well, the model's
    encoding: the user told training what it is, and Latin-1 text that is UTF-8 ('Ã©') is its own file."""
    try:
        f = open_csv(path)
    except (ValidationError, OSError):
        return None
    wanted = sorted({k for k in known if isinstance(k, str) and not k.isascii()})[:64]    # a bounded search
    utf8, theirs = codecs.getincrementaldecoder("utf-8")(), codecs.getincrementaldecoder(encoding)()
    found: tuple[set[str], set[str]] = (set(), set())
    fits = [True, True]                     # the file decodes in UTF-8, in the model's encoding
    with f:
        first = True
        while chunk := f.read(1 << 20):
            if first and chunk.startswith((codecs.BOM_UTF8, *(bom for bom, _ in BOMS))):
                return "the file starts with a byte order mark"
            first = False
            for i, (decoder, seen) in enumerate(zip((utf8, theirs), found)):
                try:
                    text = decoder.decode(chunk, final=False) if fits[i] else ""
                except (UnicodeDecodeError, LookupError):
                    fits[i] = False
                    continue
                if not chunk.isascii():
                    seen.update(k for k in wanted if k not in seen and k in text)
            if not fits[0]:
                return None
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            return None
    if not fits[1]:
        return "the file is UTF-8"
    return "the file is UTF-8" if len(found[0]) > len(found[1]) else None


def one_column(path: Any, header: list[str], how: str, encoding: str | None = None) -> ValidationError | None:
    """The error for a `header` read as one column with the separator `how` says ("--sep ';'"), when
    the file seems to use another (a comma file read with --sep ';'), else None: the columns are not
    missing, the separator is wrong."""
    other = seems_separated(path, encoding) if len(header) == 1 else None
    if other is None or other not in header[0]:
        return None
    return ValidationError(f"the header was read as one column {short(header[0])} with {how}: is the separator "
                           f"{SEP_NAMES[other]}? ({give('sep', sep=SEP_NAMES[other], char=other)})")


def as_pandas_names(header: list[str]) -> list[str]:
    """The header's names as pandas names the DataFrame's columns: an empty one (a header ",a" or a separator
    at the line's end) is 'Unnamed: i', i its place from 0; the line check and a DataFrame's reader then agree."""
    return [name if name != "" else f"Unnamed: {i}" for i, name in enumerate(header)]


def wrong_header(header: list[str], used: Any = None) -> str | None:
    """What is wrong with the file's `header`: a name twice once the empty ones are named as pandas names them (by
    their place: two are not the same name); None when nothing is. (Excel's separator line was refused before the
    rows were read: `filekind.refuse_excel_line`.) `used`: the columns a model reads (None: every column); a name
    twice that it does not read is no fault, as `twice_named` says."""
    return twice_named(as_pandas_names(header), used)


def twice_named(header: list[str], used: Any = None) -> str | None:
    """What is wrong with a header that names a column twice (which pandas would rename 'a.1' silently),
    with both places and the fix; None when every name is unique. `used`: the columns a model reads, where
    predict and evaluate read a file: a name twice among the others is left, as pandas reads it ('a', 'a.1'),
    unless a used column is named as pandas would rename it ('a.1', not 'a.b')."""
    seen: dict[str, int] = {}
    for i, col in enumerate(header, 1):
        if col in seen and (used is None or any(re.fullmatch(rf"{re.escape(col)}(\.\d+)?", u) for u in used)):
            return (f"the column name {short(col)} appears twice in the header (columns {seen[col]} and {i}); column "
                    "names must be unique: rename one of them")
        seen[col] = i
    return None


#: a header repeated among the rows: what it is, and what to do
REPEATED = ("files joined with their headers (e.g. cat a.csv b.csv) keep one for each file after the first, read as "
            "a row of text; remove those lines, keeping the first line's header")
#: the same in a DataFrame (no file): frames read with header=None and joined keep each one's header as a row
REPEATED_FRAME = ("frames read with header=None and joined (pd.concat) keep each file's header as a row of text, "
                  "which made every column text; read each file with its header and join those (pd.concat("
                  "[pd.read_csv(f) for f in files], ignore_index=True)), or remove those rows and read the columns "
                  "as numbers again (e.g. df = df[df[{column}] != {column}].apply(pd.to_numeric) where every column "
                  "holds numbers)")


def refuse_repeated_header(df: Any, name: str | None) -> None:
    """Refuse data rows that repeat the header, as files joined with their headers (cat a.csv b.csv) hold one for
    each file after the first: pandas reads it as a row of text, so every column became text and the message was
    "target column 'y' must be numeric", or a category per number. Looked for only where every column whose name
    is no number was read as text (else no row can repeat the header). `name` None: a DataFrame given as it is
    (Preprocessing.fit's), its rows named as the DataFrame's."""
    import pandas as pd

    from .csvfile import short
    from .lines import places
    # the columns' names and kinds at once: a Series a column costs seconds on a file of 10,000 columns
    number = pd.to_numeric(pd.Series(list(df.columns), dtype=object), errors="coerce").notna().to_numpy()
    kinds = np.array([pd.api.types.is_numeric_dtype(t) for t in df.dtypes], dtype=bool)
    if number.all() or kinds[~number].any():
        return
    numeric = [c for c, is_number in zip(df.columns, number) if is_number]
    named = [c for c, is_number in zip(df.columns, number) if not is_number]
    same = np.ones(len(df), dtype=bool)
    for c in [*named, *numeric]:        # the whole row repeats the header, a column named '2020' too
        col = df[c]
        if pd.api.types.is_numeric_dtype(col):
            same &= (col == float(c)).to_numpy(dtype=bool, na_value=False)
        else:
            same &= (col.astype("string").str.strip() == str(c).strip()).to_numpy(dtype=bool, na_value=False)
        if not same.any():
            return
    at = np.flatnonzero(same)
    header = f"({', '.join(short(c) for c in list(df.columns)[:4])}{', ...' if df.shape[1] > 4 else ''})"
    if name is None:
        raise ValidationError(f"the DataFrame repeats its header, its column names {header}, "
                              f"{places(df, at[:3], len(at))}: {REPEATED_FRAME.format(column=short(named[0]))}")
    raise ValidationError(f"CSV file {short(name, 200)} repeats its header {places(df, at[:3], len(at))} {header}: "
                          f"{REPEATED}")
