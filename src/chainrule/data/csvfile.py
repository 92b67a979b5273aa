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
import warnings
from typing import Any

from ..callers import caller_level
from ..errors import ValidationError, closest
from .advice import give, resave
from .fieldcount import rows_agree
from .lines import Lines, MultilineRowWarning, on_lines, over_lines, plural, quote_left_open, row_text, unclosed_quote
from .markers import given_markers, na_markers
from .separators import SEP_NAMES, detect_separator, given_separator, other_separator

BLOCK = 1 << 23           # bytes counted at a time by the row check's fast path (fieldcount.rows_agree)


def short(value: object, limit: int = 40) -> str:
    """repr(value), cut to `limit` characters: a 50 MB cell must not become a 50 MB message."""
    return _cut(repr(value), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 3] + "..."


def names(values, limit: int = 8) -> str:
    """The first few of `values`, each shortened: for messages that list columns or categories. A name
    repeated (a header naming 'z' twice) is said once, with its count: ['y', 'z' (twice)]."""
    counts: dict[str, int] = {}              # keyed as written: 1 and True stay two, as the reader tells them
    for v in values:
        counts[repr(v)] = counts.get(repr(v), 0) + 1
    values = list(counts)

    def said(text: str) -> str:
        n = counts[text]
        return _cut(text, 40) + ("" if n == 1 else " (twice)" if n == 2 else f" ({n} times)")
    shown = ", ".join(said(v) for v in values[:limit])
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
    is not 'x', 'account_id' not 'c'). A column said to be another is a claim (a model's missing input paired with
    a file's column), so its bar is a little higher than a hint's: 'aeg' is 'age', but 'outcome' is not 'income'."""
    return closest(name, columns, cutoff=0.65)


def the_file(path: Any) -> str:
    """How a message names the file read: "CSV file 'iris.csv'" where its name is known (a command's one file:
    `train` and `train --stream` said "the file"), else "the file" (a DataFrame)."""
    return "the file" if path is None else f"CSV file {short(str(path), 200)}"


def not_in_file(what: str, name: Any, columns: Any, path: Any = None) -> ValidationError:
    """"{what} 'name' is not in the file" (after "CSV file 'x.csv': " given its `path`), with the column it likely
    means (the same once case and surrounding spaces are set aside, or the closest spelling) and the file's
    columns."""
    columns = [str(c) for c in columns]
    close = likely(name, columns)
    hint = f" (did you mean {short(close)}?)" if close is not None else ""
    if what.startswith("--") and not str(name).strip():      # an unset variable: `--weight "$W"`
        hint = " (the name is empty: leave the option out for none)"
    where = "" if path is None else f"{the_file(path)}: "
    return ValidationError(f"{where}{what} {short(name)} is not in the file{hint}; columns are {names(columns, 20)}")


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


def warn_over_lines(name: str, spans: list[tuple[int, int]], total: int) -> None:
    """The MultilineRowWarning for `total` rows read over several lines (the first few `spans`), if any;
    pointed at the reader's caller."""
    if total:
        warnings.warn(over_lines(short(name, 200), spans, total), MultilineRowWarning, stacklevel=caller_level())


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
                lines: Lines | None = None, check_sep: bool = False, used=None) -> list[str]:
    """The header's fields, after checking every row has as many (the error names the line).

    With `data`, the bytes `text` was decoded from with `encoding`, a file without quotes is
    counted with NumPy; any doubt, and every error, goes through the csv module. `lines`: filled
    with the data rows' lines. `used`: as `read_csv`'s."""
    header = _fast_header(text, data, sep, encoding, lines) if data is not None else None
    if header is None:
        header = _csv_rows(text, sep, name, lines, check_sep)
    from .header import as_pandas_names, wrong_header
    wrong = wrong_header(header, used)
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
             usecols: list[str] | None = None, kept=None, used=None):
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
    used : the columns a model reads, the only ones whose names must be unique (`header.twice_named`).
    The choices made are in `df.attrs["csv"]` (name, sep, sep_detected, encoding) to report them.
    """
    import pandas as pd

    from .selection import column_names
    text_columns = column_names(text_columns, "text_columns")  # 'zip' was 'z', 'i', 'p': read as numbers
    csv.field_size_limit(2**31 - 1)            # the csv module's default of 128 KB per cell is not the file's
    from .opening import bom_encoding, decode_text, read_bytes
    data, name, was_text = read_bytes(source)
    encoding = "utf-8" if was_text else encoding or bom_encoding(data)
    text, used_encoding = decode_text(data, name, encoding)
    if not text or text.isspace():          # isspace stops at the first other character: no copy of the text
        raise ValidationError(f"CSV file {short(name, 200)} is empty: expected a header row and data rows")
    if sep is not None:
        sep = given_separator(sep)
        detected = False
    else:
        sep, detected = detect_separator(text, name)
    check_marks(sep, decimal, thousands, name, used_encoding)
    lines = Lines()
    header = usecols
    if usecols is None:                   # a second reading of some columns: the first checked the rows
        from .sheetend import refuse_separator_rows
        refuse_separator_rows(name, data, sep, encoding or "utf-8-sig")
        header = _check_rows(text, sep, name, data, encoding or "utf-8-sig", lines, check_sep=not detected,
                             used=used)
    else:
        text_columns = usecols
    del text                              # pandas parses the bytes: a StringIO copy is 4 bytes a character
    try:
        with warnings.catch_warnings():     # a column of numbers and text: chainrule's checks name it, pandas' own
            warnings.simplefilter("ignore", pd.errors.DtypeWarning)     # warning ('Specify dtype option') is noise
            df = pd.read_csv(io.BytesIO(data), sep=sep, decimal=decimal, thousands=thousands,
                             **na_markers(na_values, pandas_markers, kept, header or ()), index_col=False,
                             usecols=usecols, dtype={c: "str" for c in text_columns} or None,
                             encoding="utf-8-sig" if encoding is None else used_encoding)
    except (pd.errors.ParserError, ValueError) as exc:
        raise ValidationError(f"CSV file {short(name, 200)} could not be read: {str(exc).strip()[:200]}") from None
    if df.shape[0] == 0:
        raise ValidationError(f"CSV file {short(name, 200)} has a header but no data rows")
    df.columns = [str(c) for c in df.columns]
    df.attrs["csv"] = {"name": name, "sep": sep, "sep_detected": detected, "encoding": used_encoding,
                       "decimal": decimal, "thousands": thousands, "na_values": given_markers(na_values)}
    if usecols is None:
        df.attrs["lines"] = lines               # each data row's file line, for messages (lines.file_lines)
        from .header import refuse_repeated_header
        refuse_repeated_header(df, name)
    return df


def describe_source(df) -> str:
    """One line saying how the file was read: rows, columns, separator (detected or given), encoding."""
    info = df.attrs.get("csv", {})
    sep = SEP_NAMES.get(info.get("sep", ","), repr(info.get("sep")))
    how = " (detected)" if info.get("sep_detected") else ""
    return (f"read {short(info.get('name', '<data>'), 200)}: {len(df)} {plural(len(df), 'row')}, {df.shape[1]} "
            f"columns, separator {sep}{how}, encoding {info.get('encoding', 'utf-8')}")
