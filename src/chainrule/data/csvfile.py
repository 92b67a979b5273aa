"""Reading a CSV file as its author meant it, or saying exactly why not.

pandas alone guesses silently: a row with one field too many turns the first column into the
index and shifts every value (scikit-learn's own `wine_data.csv`, whose first line is a line of
counts, trains on 4 of its 13 columns), a row with too few is padded with gaps, a semicolon file
reads as one column, a Latin-1 file fails with a byte offset. Here the separator is detected
when only one candidate splits every line the same way (and the choice is reported), every row
must have as many fields as the header (else the error names the line), and the text is decoded
as UTF-8 unless another encoding is given.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
from typing import Any

from ..errors import ValidationError
from .advice import give, resave
from .fieldcount import rows_agree
from .lines import Lines, MultilineRowWarning, on_lines, over_lines, plural, quote_left_open, row_text, unclosed_quote
from .markers import na_markers
from .separators import SEP_NAMES, detect_separator, other_separator

BLOCK = 1 << 23           # bytes counted at a time by the row check's fast path (fieldcount.rows_agree)


def short(value: object, limit: int = 40) -> str:
    """repr(value), cut to `limit` characters: a 50 MB cell must not become a 50 MB message."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def names(values, limit: int = 8) -> str:
    """The first few of `values`, each shortened: for messages that list columns or categories."""
    values = list(values)
    shown = ", ".join(short(v) for v in values[:limit])
    return f"[{shown}" + (f", ... ({len(values) - limit} more)]" if len(values) > limit else "]")


def as_spelled(name: Any, columns: Any) -> Any:
    """`name` as the file spells it: the one column equal to it once both are stripped of surrounding
    spaces (a header "age, income" has ' income'), else `name` itself."""
    columns = [str(c) for c in columns]
    if name in columns:
        return name
    found = [c for c in columns if c.strip() == str(name).strip()]
    return found[0] if len(found) == 1 else name


def likely(name: Any, columns: list[str]) -> str | None:
    """The column of `columns` that `name` likely means: the same once case and surrounding spaces are set
    aside, else the closest spelling; None when none is close (a column merely holding it is not: 'x_squared'
    is not 'x', 'account_id' not 'c')."""
    import difflib
    key = str(name).strip().casefold()
    close = ([c for c in columns if c.strip().casefold() == key]
             or difflib.get_close_matches(str(name), columns, n=1, cutoff=0.7))
    return close[0] if close else None


def not_in_file(what: str, name: Any, columns: Any) -> ValidationError:
    """"{what} 'name' is not in the file", with the column it likely means (the same once case and
    surrounding spaces are set aside, or the closest spelling) and the file's columns."""
    columns = [str(c) for c in columns]
    close = likely(name, columns)
    hint = f" (did you mean {short(close)}?)" if close is not None else ""
    return ValidationError(f"{what} {short(name)} is not in the file{hint}; columns are {names(columns, 20)}")


def _read_bytes(source) -> tuple[bytes, str, bool]:
    if hasattr(source, "read"):                     # an open file, an upload, io.StringIO (text: read as UTF-8)
        name, data = str(getattr(source, "name", "<data>")), source.read()
        if not isinstance(data, (str, bytes)):
            raise ValidationError(f"CSV file {short(name, 200)}: read() gave {type(data).__name__}, not bytes or str: "
                                  "give the file's path, or the file opened to read (open(path, 'rb'), io.StringIO)")
        raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
        from .filekind import not_csv
        not_csv(name, raw[:4096], raw)              # a path's file is looked at as it is opened (open_csv)
        return raw, name, isinstance(data, str)
    name = str(source)
    with open_csv(name) as f:
        return f.read(), name, False


def open_csv(name: str) -> Any:
    """The file `name` opened for reading bytes (refused when it is not text: `filekind.not_csv`), or an error in
    the user's words."""
    try:
        f = open(os.path.expanduser(name), "rb")
    except FileNotFoundError:
        if name == "-":             # pandas' and many tools' name for standard input: not a name here
            raise ValidationError("CSV file '-' does not exist: standard input is not read as '-'; give /dev/stdin "
                                  "to train (it reads a pipe once, whole), or save the data to a file and give that "
                                  "(predict, evaluate and train --stream read a file more than once)") from None
        raise ValidationError(f"CSV file {short(name, 200)} does not exist") from None
    except IsADirectoryError:
        raise ValidationError(f"{short(name, 200)} is a folder, not a CSV file") from None
    except PermissionError:
        raise ValidationError(f"CSV file {short(name, 200)} cannot be read (permission denied)") from None
    from .filekind import not_csv
    try:
        not_csv(name, f.peek(4096)[:4096], f if f.seekable() else None)
    except BaseException:
        f.close()
        raise
    return f


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


def _decode(data: bytes, name: str, encoding: str | None) -> tuple[str, str]:
    """The file's text, after the one look for Excel's separator line (`filekind.refuse_excel_line`): on the text,
    or on the text before a NUL or undecodable byte, so that the line is named first, as it is by every reader."""
    from .filekind import refuse_excel_line
    at = -1 if wide(encoding) else data.find(b"\x00")
    if at >= 0:
        refuse_excel_line(name, data[:at].decode(encoding or "utf-8-sig", errors="replace"))
        raise nul_refusal(name, data, at)
    try:
        text = data.decode(encoding or "utf-8-sig")
    except LookupError:
        raise ValidationError(f"encoding {short(encoding)} is not known (e.g. utf-8, latin-1, cp1252)") from None
    except UnicodeDecodeError as exc:
        refuse_excel_line(name, data[:exc.start].decode(encoding or "utf-8-sig", errors="replace"))
        raise undecodable(name, encoding, data[exc.start], data[:exc.start].count(b"\n") + 1) from None
    refuse_excel_line(name, text)
    return text, encoding or "utf-8"


def nul_refusal(name: str, data: bytes, at: int, lines_before: int = 0) -> ValidationError:
    """The refusal of the file whose bytes `data` (after `lines_before` lines) hold their first NUL at `at`: a file
    that is text up to it and NUL bytes to its end was cut short as it was written (even a small one), else one
    with a NUL in its first 64 KiB is not text, and a NUL later on is named with its line."""
    if (at >= 65536 or lines_before) or (at > 0 and not data[at:].strip(b"\x00")):
        return nul_bytes(name, lines_before + data.count(b"\n", 0, at) + 1)
    return ValidationError(f"CSV file {short(name, 200)} is not a text file (it holds NUL bytes)")


def nul_bytes(name: str, line: int) -> ValidationError:
    """The refusal of a NUL byte after the file's first 64 KiB of text (on `line`): such a file was most often cut
    short while written (a crash, a full disk: the rest is NUL bytes), not a row with a field too few."""
    import shlex
    return ValidationError(f"CSV file {short(name, 200)}: line {line} holds NUL bytes, which text never does; a file "
                           "that ends in them was cut short as it was written (a crash, a full disk): remove them (the "
                           f"rows they stand for are lost: tr -d '\\000' < {shlex.quote(name)} > "
                           f"{shlex.quote(fixed(name))})")


def fixed(name: str) -> str:
    """The name of a file saved from `name` with its fault removed: cut.csv -> cut-fixed.csv, in its folder."""
    stem, dot, ext = os.path.basename(name).rpartition(".")
    return os.path.join(os.path.dirname(name), f"{stem}-fixed.{ext}" if dot and stem else f"{ext}-fixed")


def undecodable(name: str, encoding: str | None, byte: int, line: int) -> ValidationError:
    """The refusal of a byte that is not in the encoding, naming its line: every reader's words."""
    hint = give("encoding") if encoding is None else "it is in another encoding"
    return ValidationError(f"CSV file {short(name, 200)} is not {encoding or 'UTF-8'} text: byte 0x{byte:02x} on line "
                           f"{line} cannot be decoded; {hint}")


def ragged(name: str, first: tuple[int, int, int], others: list[int], n_bad: int,
           header: tuple[int, int, str, int], other: str | None = None) -> ValidationError:
    """The refusal of rows whose count of fields is not the header's: `first` (its first line, last
    line, fields), the next few's first lines `others` and the count `n_bad`; `header` (its first
    line, last line, text, fields); `other` the separator that splits the file evenly where the one
    used does not."""
    start, end, n = first
    where = f"line {end}" if start == end else \
        f"the row on lines {start}-{end} (line {start}'s quote closes on line {end})"
    also = f" (also {on_lines(others, n_bad - 1)})" if n_bad > 1 else ""
    at = f"line {header[1]}" if header[0] == header[1] else f"lines {header[0]}-{header[1]}"
    if other is not None:
        shown = SEP_NAMES.get(other, repr(other))
        advice = f"{shown} splits every line evenly: is the separator {shown}? ({give('sep', sep=shown, char=other)})"
    else:
        advice = ("Every row needs one value per column; if the first line is not the header (some files start "
                  "with a line of counts), remove it")
    return ValidationError(f"CSV file {short(name, 200)}: {where} has {n} {plural(n, 'field')} but the header "
                           f"({at}: {short(header[2], 60)}) has {header[3]}{also}. {advice}")


def warn_over_lines(name: str, spans: list[tuple[int, int]], total: int, stacklevel: int = 5) -> None:
    """The MultilineRowWarning for `total` rows read over several lines (the first few `spans`), if any;
    `stacklevel`: the reader's caller, as warnings.warn counts from here."""
    if total:
        import warnings
        warnings.warn(over_lines(short(name, 200), spans, total), MultilineRowWarning, stacklevel=stacklevel)


def _ascii_based(encoding: str) -> bool:
    """Whether every ASCII character is its own single byte, never part of another character's bytes."""
    name = codecs.lookup(encoding).name
    return name in ("utf-8", "utf-8-sig", "ascii") or name.startswith(("iso8859-", "cp125"))


def _fast_header(text: str, data: bytes, sep: str, encoding: str, lines: Lines | None = None) -> list[str] | None:
    """The header when every row has as many fields, each line's fields counted as its separators
    + 1 on the bytes; None when the csv module must decide (quotes, a lone carriage return, a NUL,
    an encoding that is not ASCII underneath, a row that disagrees), so its messages stay as they are.
    `lines`: filled with the data rows' lines when the header is returned."""
    if ord(sep) > 127 or not _ascii_based(encoding) or b'"' in data or b"\x00" in data:
        return None
    if b"\r" in data and data.count(b"\r") != data.count(b"\r\n"):
        return None
    pos = line = 0
    while True:                                        # the header: the first line that is not blank
        if pos >= len(text):
            return None
        end = text.find("\n", pos) + 1 or len(text)
        try:
            row = next(csv.reader([text[pos:end]], delimiter=sep), [])
        except csv.Error:                              # the csv path words it
            return None
        pos, line = end, line + 1
        if row and not (len(row) == 1 and not row[0].strip()):
            break
    codec = "utf-8" if codecs.lookup(encoding).name == "utf-8-sig" else encoding   # a BOM inside is a character
    blanks: list[int] = []
    if not rows_agree(data, ord(sep), line, len(row), codec, blanks, BLOCK):
        return None
    if lines is not None:
        found = Lines.skipping(line + 1, blanks)
        lines.starts, lines.lines = found.starts, found.lines
    return row


def _check_rows(text: str, sep: str, name: str, data: bytes | None = None, encoding: str = "utf-8-sig",
                lines: Lines | None = None, check_sep: bool = False) -> list[str]:
    """The header's fields, after checking every row has as many (the error names the line).

    With `data`, the bytes `text` was decoded from with `encoding`, a file without quotes is
    counted with NumPy; any doubt, and every error, goes through the csv module. `lines`: filled
    with the data rows' lines."""
    header = _fast_header(text, data, sep, encoding, lines) if data is not None else None
    if header is None:
        header = _csv_rows(text, sep, name, lines, check_sep)
    from .header import as_pandas_names, wrong_header
    wrong = wrong_header(header)
    if wrong is not None:
        raise ValidationError(f"CSV file {short(name, 200)}: {wrong}")
    return as_pandas_names(header)



def _csv_rows(text: str, sep: str, name: str, lines: Lines | None = None, check_sep: bool = False) -> list[str]:
    """The header's fields through the csv module, after checking every row has as many; `lines`:
    filled with the line each data row starts on. Rows over several lines are warned about
    (MultilineRowWarning); `check_sep`: ragged rows' error asks whether `sep` (given) is the file's."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    header: list[str] | None = None
    row: list[str] = []
    n_bad = 0
    bad: list[tuple[int, int, int]] = []
    starts: list[int] = []
    spans: list[tuple[int, int]] = []                       # rows over several lines: the first few
    n_spans = 0
    after = 0                                               # the line the previous row ended on
    try:
        for row in reader:
            if not row or (len(row) == 1 and not row[0].strip()):
                after = reader.line_num
                continue                                    # blank lines are skipped, as pandas does
            if reader.line_num > after + 1:
                n_spans += 1
                spans = (spans + [(after + 1, reader.line_num)])[:5]
            if header is None:
                header, header_line, header_start = row, reader.line_num, after + 1
            else:
                starts.append(after + 1)
                if len(row) != len(header) and len(bad) < 6:
                    bad.append((after + 1, reader.line_num, len(row)))
                n_bad += len(row) != len(header)
            after = reader.line_num
    except csv.Error as exc:
        raise ValidationError(f"CSV file {short(name, 200)} could not be read near line {reader.line_num}: "
                              f"{exc}") from None
    if header is None:
        raise ValidationError(f"CSV file {short(name, 200)} is empty: expected a header row and data rows")
    if (quote := quote_left_open(text, row, starts[-1] if starts else header_start, sep)) is not None:
        raise ValidationError(unclosed_quote(short(name, 200), quote))
    if lines is not None:
        lines.extend(starts)
    if bad:
        raise ragged(name, bad[0], [b[0] for b in bad[1:]], n_bad,
                     (header_start, header_line, row_text(header, sep), len(header)),
                     other_separator(text, sep) if check_sep else None)
    warn_over_lines(name, spans, n_spans)
    return header


def check_marks(sep: str, decimal: str, thousands: str | None, name: str | None = None,
                encoding: str | None = None) -> None:
    """The decimal mark (one character, not the separator) and the thousands separator (None: none;
    one character, neither the decimal mark nor a digit; the separator when numbers are quoted, "1,234").
    `name` and `encoding`: the file's, for the advice to save it with another separator."""
    if len(decimal) != 1:
        raise ValidationError(f"the decimal mark must be one character other than the separator; got {short(decimal)}")
    if decimal == sep:          # pandas takes it, but a new file's unquoted 1,5 would be read as two fields
        how = "decimal other" if sep != "," else "decimal. sep" if thousands == "." else "decimal sep"
        raise ValidationError(f"the decimal mark {short(decimal)} is also the separator (an unquoted 1{decimal}5 "
                              f"would be two fields): {give(how, **resave(name, encoding))}")
    if thousands is not None and (len(thousands) != 1 or thousands == decimal or thousands in '"\r\n0123456789'):
        raise ValidationError("the thousands separator must be one character other than the decimal mark and a digit "
                              f"(e.g. , or . or a space); got {short(thousands)}")


def read_csv(source, *, sep: str | None = None, encoding: str | None = None, decimal: str = ".",
             thousands: str | None = None, na_values=None, text_columns=(), pandas_markers: bool = False,
             usecols: list[str] | None = None, kept=None):
    """Read a CSV file (a path, an open binary or text file, io.StringIO) with a header row into a DataFrame.

    sep : None detects it among , ; tab | (the one that splits every line evenly).
    thousands : the character between thousands in numbers (',' for 1,234), None for none.
    na_values : extra cell values that mean "missing" (e.g. ["?", "-"]), besides the empty cell,
        NA, NaN and nan (NA_MARKERS; a cell 'None' or 'null' is text, as written; encode.TEXT_MISSING
        says when a prediction takes 'None' as missing).
    text_columns : columns read as text, as written (codes 0001 and 1 are two categories; read as
        numbers they were one), as `chunks.iter_chunks` reads them.
    usecols : read only these columns, as text, for a file read before (its rows are not checked again,
        and attrs has no lines: the first reading's are the file's).
    kept : per column, the categories a model learnt: a missing marker among them is that category.
    The choices made are in `df.attrs["csv"]` (name, sep, sep_detected, encoding) to report them.
    """
    import pandas as pd
    csv.field_size_limit(2**31 - 1)            # the csv module's default of 128 KB per cell is not the file's
    data, name, was_text = _read_bytes(source)
    encoding = "utf-8" if was_text else encoding or bom_encoding(data)
    text, used_encoding = _decode(data, name, encoding)
    if not text or text.isspace():          # isspace stops at the first other character: no copy of the text
        raise ValidationError(f"CSV file {short(name, 200)} is empty: expected a header row and data rows")
    if sep is not None:
        sep = {"tab": "\t", "\\t": "\t"}.get(sep, sep)
        if len(sep) != 1 or sep in "\"\r\n":
            raise ValidationError(f"the separator must be one character such as , ; | or tab; got {short(sep)}")
        detected = False
    else:
        sep, detected = detect_separator(text, name)
    check_marks(sep, decimal, thousands, name, used_encoding)
    lines = Lines()
    header = usecols
    if usecols is None:                   # a second reading of some columns: the first checked the rows
        from .sheetend import refuse_separator_rows
        refuse_separator_rows(name, data, sep, encoding or "utf-8-sig")
        header = _check_rows(text, sep, name, data, encoding or "utf-8-sig", lines, check_sep=not detected)
    else:
        text_columns = usecols
    del text                              # pandas parses the bytes: a StringIO copy is 4 bytes a character
    try:
        df = pd.read_csv(io.BytesIO(data), sep=sep, decimal=decimal, thousands=thousands,
                         **na_markers(na_values, pandas_markers, kept, header or ()), index_col=False, usecols=usecols,
                         dtype={c: "str" for c in text_columns} or None,
                         encoding="utf-8-sig" if encoding is None else used_encoding)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValidationError(f"CSV file {short(name, 200)} could not be read: {str(exc).strip()[:200]}") from None
    if df.shape[0] == 0:
        raise ValidationError(f"CSV file {short(name, 200)} has a header but no data rows")
    df.columns = [str(c) for c in df.columns]
    df.attrs["csv"] = {"name": name, "sep": sep, "sep_detected": detected, "encoding": used_encoding}
    if usecols is None:
        df.attrs["lines"] = lines               # each data row's file line, for messages (lines.file_lines)
    return df


def describe_source(df) -> str:
    """One line saying how the file was read: rows, columns, separator (detected or given), encoding."""
    info = df.attrs.get("csv", {})
    sep = SEP_NAMES.get(info.get("sep", ","), repr(info.get("sep")))
    how = " (detected)" if info.get("sep_detected") else ""
    return (f"read {short(info.get('name', '<data>'), 200)}: {len(df)} {plural(len(df), 'row')}, {df.shape[1]} "
            f"columns, separator {sep}{how}, encoding {info.get('encoding', 'utf-8')}")
