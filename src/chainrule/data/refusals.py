"""What `Preprocessing.fit` and `train --stream` (`CsvStream.fit`) both refuse about a table's columns, in
one wording each, its advice in the words of who reads it (`advice.give`)."""
from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .advice import give
from .lines import missing_values, plural


def empty_in_training(column: str, weighted: bool = False) -> ValidationError:
    """A column whose values are all in the rows held out for validation (or, `weighted`, in rows of
    weight 0): nothing to fill its gaps with, nor to scale it by (`Preprocessing.fit` and `train
    --stream` alike)."""
    where = "held out for validation or of weight 0" if weighted else "held out for validation"
    return ValidationError(f"column {column!r} has no values in the training rows (its values are all in the rows "
                           f"{where}); leave it out ({give('leave out', column=repr(column))}), or fill it in")


def not_numeric_target(target: str, example: Any) -> ValidationError:
    """A regression target of text (`example`, its first value): `Preprocessing.fit` and `train --stream` alike."""
    example = example.item() if hasattr(example, "item") else example      # np.True_: said as the file's True
    return ValidationError(f"target column {target!r} is not numeric (e.g. {example!r}); regression needs numbers "
                           f"(use {give('task', task='classification')} for labels)")


def no_values(column: str, impute: str | None = None) -> ValidationError:
    """A feature column without a value (`Preprocessing.fit` and `train --stream` alike); one without a name
    either, pandas' 'Unnamed: 3', said as what it likely is: a separator ending every line, as some programs write.
    `impute` (the user asked gaps filled): said that imputing has no value to fill this column from."""
    why = (" (nor a name in the header: pandas names it so; a separator ends every line, or the sheet had an empty "
           "column)") if column.startswith("Unnamed: ") and column[9:].isdigit() else ""
    fill = (f"; {give('impute as', how=impute)} cannot fill it: a column's gaps are filled from its own values, and "
            "it has none") if impute is not None else ""
    return ValidationError(f"column {column!r} has no values at all{why}{fill}; leave it out "
                           f"({give('leave out', column=repr(column))}, or remove it from the file)")


def unfilled(n: int, detail: str) -> ValidationError:
    """`n` gaps without impute (`detail`: each column's lines), `Preprocessing.fit` and `train --stream` alike."""
    return ValidationError(f"{missing_values(n)} in {detail}. Fill {plural(n, 'it', 'them')} in, or use "
                           f"{give('impute any')}")


def missing_target(target: str, n: int, lines: str, given: Any = (), name: str | None = None, sep: str = ",",
                   encoding: str | None = None) -> ValidationError:
    """The refusal of a target with `n` missing values (`lines`: 'on lines 7 and 19'), whole or streamed, file or
    DataFrame: those rows have no label to learn from, so the remedy drops them, in its reader's words (the file
    written again without them, read with the missing-value markers it was read with: NA_MARKERS and `given`;
    `name`: the file's, where known; `sep` and `encoding` it was read with, also written with, so that the same
    options read the new file)."""
    import codecs
    import json
    import shlex
    import sys

    from .markers import NA_MARKERS, given_markers
    markers = list(dict.fromkeys([*NA_MARKERS, *given_markers(given)]))

    said = "" if (sep or ",") == "," else f", sep={json.dumps(sep)}"
    if encoding and codecs.lookup(encoding).name not in ("utf-8", "utf-8-sig"):
        said += f", encoding={json.dumps(encoding)}"

    def code(path: str, new: str) -> str:      # text kept as written, the target's markers read as missing
        column = json.dumps(target)
        return (f"pd.read_csv({path}, dtype=str, keep_default_na=False, na_values={{{column}: "
                f"{json.dumps(markers)}}}{said}).dropna(subset=[{column}]).to_csv({new}, index=False{said})")
    program = "import pandas as pd; " + code(json.dumps(name or "FILE.csv"), json.dumps("labelled.csv"))
    line = f"{shlex.quote(sys.executable or 'python3')} -c {shlex.quote(program)}"
    fix = give("drop unlabelled", column=repr(target), code=code("path", "new_path"), line=line,
               rows=plural(n, "that row", "those rows"))
    return ValidationError(f"target column {target!r} has {missing_values(n)} {lines}; "
                           f"{plural(n, 'that row has', 'those rows have')} no label to learn from or to score: "
                           f"leave {plural(n, 'it', 'them')} out ({fix})")


def read_as(table: Any) -> dict[str, Any]:
    """`missing_target`'s `given`, `name`, `sep` and `encoding`: how a table read by chainrule was read (its
    attrs["csv"], a dict of `read_csv` or of a stream's chunk; a DataFrame of the user's has none)."""
    csv = table if isinstance(table, dict) else getattr(table, "attrs", {}).get("csv", {})
    return {"given": csv.get("na_values"), "name": csv.get("name"), "sep": csv.get("sep") or ",",
            "encoding": csv.get("encoding")}


def empty_rows_at_end(table: Any) -> ValidationError | None:
    """The refusal of a DataFrame whose last rows are empty in every column, where its gaps would be refused: they
    are the empty rows a spreadsheet saves below its data (lines of separators only, ',,'), which pandas.read_csv
    reads as rows of missing values; None when its last row holds a value, or the table was read by chainrule (its
    readers refuse such a file, `sheetend`: a chunk's last rows are not the file's)."""
    import numpy as np

    from .lines import from_file, places
    if from_file(table) or len(table) == 0:
        return None
    empty = table.isna().all(axis=1).to_numpy()
    n = len(empty) - int(np.flatnonzero(~empty)[-1]) - 1 if not empty.all() else 0
    if n == 0:
        return None
    where = places(table, np.arange(len(empty) - n, len(empty)))[len("on "):]
    it, lines = plural(n, "it", "them"), plural(n, "that line", "those lines")
    return ValidationError(f"the table's last {plural(n, 'row', f'{n} rows')} ({where}) "
                           f"{plural(n, 'is an empty row', 'are empty rows')} (every column missing), as "
                           "pandas.read_csv reads the empty rows a spreadsheet saves below its data (lines of "
                           f"separators only, ',,'): drop {it} (df.dropna(how='all')), or delete {lines} from the file")
