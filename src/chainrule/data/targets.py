"""The target column's checks that are about its values: a regression's numbers, and class labels that are
one label written several ways (one number, '1' and '1.0'; one word, 'Yes' and 'yes ')."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ValidationError
from .columns import ColumnWarning, boolean_column, boolean_meaning
from .csvfile import names, short
from .lines import earliest, place, plural, written
from .statistics import unstandardised


def warn_equal_numbers(target: str, classes: list) -> None:
    """Text labels that are one number written two ways ('1' and '1.0', a column that also holds
    'yes') are two classes: said, as the user most likely meant one."""
    import pandas as pd
    text = [c for c in classes if isinstance(c, str)]
    numbers = pd.to_numeric(pd.Series(text, dtype="string"), errors="coerce")
    same = numbers[numbers.notna() & numbers.duplicated(keep=False)]
    if len(same):
        spelled = [text[i] for i in same.index if numbers[i] == same.iloc[0]]
        warnings.warn(f"target column {short(target)} has the labels {names(spelled, 5)}, one number written "
                      f"{len(spelled)} ways: they are {len(spelled)} classes; write them alike if they are one",
                      ColumnWarning, stacklevel=caller_level())


def label_key(label: str) -> str:
    """A text label with its case and the spaces around it put aside: 'Yes', 'yes' and a spreadsheet's 'Yes '
    alike, which pandas and scikit-learn read as three classes."""
    return label.strip().casefold()


def warn_sheet_errors(target: str, classes: list, given: Any = ()) -> None:
    """A spreadsheet's error cell ('#DIV/0!') or a missing-value marker ('?', UCI's) among a target's labels would
    be learnt as a class of its own: said, as the same cells among numbers are refused (textnumbers.SHEET_ERRORS),
    each with its remedy (the markers `given` kept in it: --na-values replaces them)."""
    from .markers import marks_fix, missing_marks
    from .textnumbers import SHEET_ERRORS, names_of

    errors = [label for label in classes if isinstance(label, str) and label.strip().upper() in SHEET_ERRORS]
    marks = missing_marks(classes)
    if errors:
        are = "a spreadsheet error cell" if len(errors) == 1 else "spreadsheet error cells"
        warnings.warn(f"target column {short(target)} has {are} among its labels, {names_of(errors)} (a formula that "
                      "failed where the sheet was saved), each learnt as a class of its own: export the sheet again "
                      "with its formulas fixed, or leave those rows out", ColumnWarning, stacklevel=caller_level())
    if marks:
        fix = marks_fix(marks, given, "those rows, which have no label to learn from, are then named by line to "
                        "leave out", "leave those rows out")        # as written: ' ?' is no '?'
        warnings.warn(f"target column {short(target)} has {names_of(marks)} among its labels, a common marker of a "
                      f"missing value (as in UCI's data sets), learnt as a class of its own: if it marks an unknown "
                      f"label, {fix}", ColumnWarning, stacklevel=caller_level())


def warn_label_spellings(target: str, classes: list) -> None:
    """Text labels that differ only in case or in the spaces around them ('Yes', 'yes', ' Yes', a spreadsheet's
    'No ') are as many classes: said, as the user most likely meant one."""
    text = [label for label in classes if isinstance(label, str)]
    # yes/no words ('yes', 'Y', 'true'), one meaning each, as an input column of them is read (columns.BOOLEAN_WORDS)
    words = len(text) == len(classes) and boolean_column([t.strip() for t in text])
    alike: dict[str, list[str]] = {}
    for label in text:
        alike.setdefault(str(boolean_meaning(label.strip())) if words else label_key(label), []).append(label)
    groups = [spelled for spelled in alike.values() if len(spelled) > 1]
    if not groups:
        return
    said = " and ".join(names(spelled, 5) for spelled in groups[:3]) + (f" and {len(groups) - 3} more" if
                                                                      len(groups) > 3 else "")
    # 'Yes' and 'yes ' differ only in case or spaces, whether yes/no words or not; 'yes' and 'Y' are other words
    cased = all(len({label_key(label) for label in spelled}) == 1 for spelled in groups)
    how = "differ only in case or in the spaces around them" if cased else "are one yes/no written several ways"
    warnings.warn(f"target column {short(target)} has labels that {how}: "
                  f"{said}; each is as many classes as it has spellings: write them alike if they are one class",
                  ColumnWarning, stacklevel=caller_level())


class NotNumericTarget(ValidationError):
    """A regression target's cells that are not numbers: the first's place and text, and their count, which a file
    read in chunks adds up (cli.metrics.Targets)."""

    def __init__(self, name: str, where: str, cell: str, count: int, hint: str) -> None:
        self.name, self.where, self.cell, self.count, self.hint = name, where, cell, count, hint
        super().__init__(not_numeric_message(name, where, cell, count, hint))


def not_numeric_message(name: str, where: str, cell: str, count: int, hint: str) -> str:
    many = f" ({count} such cells)" if count > 1 else ""
    return f"target column {name!r} must be numeric for regression; {where} has {cell}{many}{hint}"


def pd_numeric(y, name, index: int | None = None):
    """The regression target `y` (column `name`) as float64, or the error naming its first cell that is not a number."""
    import pandas as pd

    from .textnumbers import as_numbers
    values = as_numbers(y)                              # a Python int of 400 digits: NaN, a cell named below
    if values.isna().any():
        mask = values.isna().to_numpy() & pd.notna(y).to_numpy()
        if not mask.any():
            raise ValidationError(f"target column {name!r} must be numeric for regression")
        first = earliest(y, mask)
        hint = cell_hint(name, y.iloc[first], getattr(y, "attrs", {}).get("csv"))
        raise NotNumericTarget(name, place(y, first), short(str(y.iloc[first])), int(mask.sum()), hint)
    return finite_target(values.to_numpy(dtype=float), y, name, index)


def cell_hint(name: str, cell: object, read: dict | None) -> str:
    """What to do with a target cell that is no number, as for an input column: the read_csv option that reads
    '1,234.5' (`read`: the file's reading), or train's words for '0x1F', '１２', a 400-digit number; '' for a word."""
    from .hints import comma_hint
    from .oddnumbers import odd_hint
    return comma_hint(cell, read) or odd_hint(name, cell)


def text_target(name: str, cells: list, counts: list[int], locate, read: dict | None,
                example: object) -> ValidationError:
    """train's refusal of a regression target read as text (`cells`: its values, `counts` of each, `locate(mask)`:
    the one of those in `mask` a reader meets first, and its line; `example`: the column's first value): the first
    cell that is no number named, its line and what to do, in predict's and evaluate's words (`NotNumericTarget`),
    not the column's first, ordinary value; a column of labels alone is told to use a classifier (`example`).
    `Preprocessing.fit` and `train --stream` alike."""
    import pandas as pd

    from .oddnumbers import odd_kind
    from .refusals import not_numeric_target
    from .textnumbers import as_numbers
    bad = as_numbers(pd.Series(cells, dtype=object), read).isna().to_numpy()     # 400 digits: NaN
    if not bad.any():                            # a 25-digit whole number, a float to to_numeric: read as text
        bad = np.array([odd_kind(str(c)) is not None for c in cells], dtype=bool)
    if not bad.any():
        return not_numeric_target(name, example)
    first, where = locate(bad)
    from .advice import give
    hint = cell_hint(name, cells[first], read)
    if not hint and bad.all():                   # labels alone; a column of '1,234.5' or '1_000' still told how
        return not_numeric_target(name, example)
    hint = hint or (f": regression needs numbers: correct the cell or leave its row out (use "
                    f"{give('task', task='classification')} if the column holds labels)")
    return NotNumericTarget(name, where, short(str(cells[first])), int(np.asarray(counts)[bad].sum()), hint)


def finite_target(values: np.ndarray, y, name: str, index: int | None = None) -> np.ndarray:
    """A regression target's numbers (`values`, of the Series `y`), refused where one is infinite ('inf' or
    'Infinity' in a CSV, which pandas reads as numbers): its mean and standard deviation would be inf and NaN, and
    every scaled target NaN. The first such cell named, its line and text, as an input column's is (`index`: the
    target's place among the file's columns, to quote the cell as written)."""
    bad = np.isinf(values)
    if bad.any():
        first, n = earliest(y, bad), int(bad.sum())
        many = f"; {n} such values" if n > 1 else ""
        raise ValidationError(f"target column {short(name)} has an infinite value on {place(y, first)} "
                              f"({written(y, first, index=index)}{many}): a regression target must be finite numbers; "
                              "remove the row or write its value")
    return values


def constant_target(target: str, value: float, training: bool, detected: bool) -> ValidationError:
    """A numeric target of one value (on the rows its statistics come from): nothing to learn. A regression
    standardises its target by the standard deviation, 0 here; `detected` (no task given): a classifier, which
    needs two classes, is said too, as a small integer would have been taken for one."""
    rows = "every training row" if training else "every row"
    classes = "a classifier needs at least two classes, and " if detected else ""
    return ValidationError(f"target column {short(target)} has one value ({value:.15g}) on {rows}: nothing to learn "
                           f"({classes}a regression target cannot be standardised: its standard deviation is 0)")


def a_table(df, call: str, advice: str) -> None:
    """`df` must be a pandas DataFrame, whose columns `call` takes by name: an array or a list is refused naming
    what was given and `advice`, the DataFrame to build (it failed as "'numpy.ndarray' object has no attribute
    'columns'")."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        from ..errors import ChainruleTypeError
        raise ChainruleTypeError(f"{call} takes a pandas DataFrame (its columns are read by name); got "
                                 f"{type(df).__name__}: {advice}")
    named_alike(df.columns, call)
    for c, kind in df.dtypes.items():   # NumPy would keep the real part alone, with a ComplexWarning from deep inside
        if getattr(kind, "kind", "") == "c":     # (the dtypes at once: a Series a column costs seconds at 10,000)
            imaginary = np.flatnonzero(np.imag(df[c].to_numpy()))
            at = int(imaginary[0]) if imaginary.size else 0
            raise ValidationError(f"{call}: column {short(c)} holds complex numbers ({df[c].iloc[at]} on "
                                  f"{place(df, at)}); a network reads real numbers: give the real and imaginary "
                                  f"parts as two columns, e.g. df[{str(c) + '_re'!r}], df[{str(c) + '_im'!r}] = "
                                  f"df[{c!r}].to_numpy().real, df[{c!r}].to_numpy().imag")


def named_alike(columns: Any, call: str) -> None:
    """Column labels that are booleans (True, False) or one number of two types (1 and 1.0, True and 1): pandas
    takes a list of booleans as a mask, not as names ("Item wrong length"), and Python finds 1 equal to True, so
    one would be taken for the other (the target's twin silently left out). Refused, with the rename that fixes
    it; text names ('True', 'nan', '1', as read_csv reads a header) and integer ones (pd.DataFrame(X)'s) are fine.
    A name given twice is refused too (pandas hands a table for df[c], and its errors said nothing of the names)."""
    if columns.inferred_type != "string":      # not text names only (pandas knows it at once)
        mixed(columns, call)
    if not columns.is_unique:                 # pd.concat of tables that share a column: df[c] is then a table
        twice = columns[columns.duplicated()][0]
        raise ValidationError(f"{call}: the table has {int((columns == twice).sum())} columns named {short(twice)}; "
                              "a column is read by its name: rename or drop the others (pd.read_csv names a "
                              "repeated header 'x.1'), e.g. df = df.loc[:, ~df.columns.duplicated()]")


def mixed(columns: Any, call: str) -> None:
    """`named_alike`'s boolean labels and twins (1 and 1.0) of a table whose labels are not all text."""
    flags = [c for c in columns if isinstance(c, (bool, np.bool_))]
    seen: dict[Any, Any] = {}
    twins = []
    for c in columns:
        if not isinstance(c, str) and c in seen and type(seen[c]) is not type(c):
            twins = [seen[c], c]
            break
        seen.setdefault(c, c)
    if not flags and not twins:
        return
    if flags:
        one = len(flags) == 1
        labels, are = ", ".join(repr(c) for c in flags[:3]), "is a boolean" if one else "are booleans"
        said = f"label{'' if one else 's'} {labels} {are}, which pandas takes as a mask, not as names"
    else:
        said = f"labels {twins[0]!r} and {twins[1]!r} are one value to Python, so one would be taken for the other"
    raise ValidationError(f"{call}: the table's column {said}; name the columns as text, e.g. "
                          "df.columns = df.columns.map(str) (as pd.read_csv reads a header)")


def decoded(out, task: str, classes: list, y_scale: float, y_mean: float, target: str) -> np.ndarray:
    """`Preprocessing.decode`: outputs checked, then a regression's un-scaled in float64 or the classes' labels.
    A value NaN or infinite is refused, as predict refuses it by its lines, never handed on to be written."""
    out = checked_outputs(out, task, classes)
    if task != "regression":
        return np.array(classes, dtype=object)[out.argmax(axis=1)]
    values = unscaled(out, y_scale, y_mean)
    beyond = ~np.isfinite(values)
    if beyond.any():
        refuse_nonfinite(beyond, f"predictions are beyond float64's range as {target!r} is scaled back",
                         why_beyond(np.asarray(out)[beyond, 0], y_scale, y_mean, target))
    return values


PLAUSIBLE = 10.0        # standard deviations from the training target's mean that a prediction may well reach


def why_beyond(out, y_scale: float, y_mean: float, target: str) -> str:
    """Why predictions (the network's standardised `out` of those rows) pass float64's largest magnitude once
    scaled back, from the training target's mean and standard deviation the model keeps: a target this close to
    1.8e308 leaves no room for a prediction a few standard deviations from its mean (the target is to be scaled
    down, and the predictions up again); an output far beyond every target trained on is the inputs' or weights'."""
    near = float(np.min(np.abs(out)))
    trained = f"the training mean of {short(target)} ({y_mean:.4g}; standard deviation {y_scale:.4g})"
    if near <= PLAUSIBLE:
        factor = f"{10.0 ** np.floor(np.log10(max(abs(y_mean), y_scale))):.0e}"
        return (f"they pass float64's limit (±1.8e+308) {near:.3g} standard deviations from {trained}, a target "
                "this close to the limit leaving no room for predictions beyond its own values. Scale the target "
                f"down before training (e.g. divide {short(target)} by {factor} in the file) and keep the "
                f"predictions in those units: multiplied back by {factor}, those past the limit are again beyond "
                "float64")
    return (f"the network's outputs there are {near:.3g} standard deviations or more from {trained}, far beyond "
            "every target it was trained on: its inputs are far outside the training range, or its weights damaged")


def as_written(values: np.ndarray, out: np.ndarray, y_scale: float) -> np.ndarray:
    """A regression's predictions (`values`, un-scaled in float64 from the network's `out`) as a file writes them:
    those of a float32 network with float32's digits (0.3, not 0.30000001192092896, the float64 of a float32),
    each where float32 holds it to the network's own step there (`y_scale` times float32's step at the output, at
    least at 1): a target's mean near 1e8 keeps its float64 digits, which float32 would round to 8. A float64
    network's as they are."""
    out = np.asarray(out)
    if out.dtype != np.float32:
        return values
    with np.errstate(over="ignore", invalid="ignore"):
        short = values.astype(np.float32)
        step = abs(y_scale) * np.spacing(np.maximum(np.abs(out[:, 0]), np.float32(1))).astype(np.float64)
        fits = np.abs(short.astype(np.float64) - values) <= step
    if fits.all():
        return short
    written = values.astype(object)
    written[fits] = list(short[fits])
    return written


def unscaled(out, y_scale: float, y_mean: float) -> np.ndarray:
    """A regression's outputs in the target's units, unchecked (NaN where an output is)."""
    return unstandardised(np.asarray(np.asarray(out)[:, 0], dtype=np.float64), y_mean, y_scale)


def checked_outputs(out, task: str, classes: list):
    """Network outputs for `decode`, one row a sample and a column per class (one for a regression), a classifier's
    finite: another width was decoded silently (argmax over 5 columns of a 2-class model), a 1-D array failed in
    NumPy, and a NaN row became the first class."""
    out = np.asarray(out)
    width, what = (1, "a regression") if task == "regression" else (len(classes), f"one per class of {len(classes)}")
    if out.ndim != 2 or out.shape[1] != width or out.dtype.kind not in "fiu":
        got = f"shape {out.shape}" if out.dtype.kind in "fiu" else f"an array of {out.dtype}"
        raise ValidationError(f"decode takes the network's outputs as numbers of shape (n_rows, {width}) ({what}: "
                              f"net.predict(pre.transform(df[pre.columns]))); got {got}")
    refuse_nonfinite(~np.isfinite(out).all(axis=1), "outputs are NaN or infinite",
                     "they have no class" if task != "regression" else "they have no value in the target's units")
    return out


def refuse_nonfinite(bad: np.ndarray, what: str, why: str) -> None:
    """decode's refusal of rows (`bad`, a mask) that would be written as NaN, infinite or the first class."""
    if bad.any():
        count = int(bad.sum())
        whose = "1 row's" if count == 1 else f"{count} rows'"
        raise ValidationError(f"decode: {whose} {what} (first: row {int(np.flatnonzero(bad)[0])}): {why}")


class UnseenClasses(ValidationError):
    """Target labels the model has no output for (a test file's class that training never saw): the classes,
    the rows at `rows` (positions in the table) named `where`, so that a file read in chunks can add them up."""

    def __init__(self, target: str, unknown: list, rows: np.ndarray, where: str, classes: list) -> None:
        self.unknown, self.rows = unknown, rows
        super().__init__(unseen_classes_message(target, unknown, where, rows.size, classes))


def unseen_classes_message(target: str, unknown: list, where: str, count: int, classes: list) -> str:
    """'target column 'y' has a class unseen in training, ['c'], on line 4 (1 row; the model's classes: ...)'."""
    return (f"target column {short(target)} has {plural(len(unknown), 'a class', 'classes')} unseen in training, "
            f"{names(unknown, 5)}, {where} ({count} {plural(count, 'row')}; the model's classes: {names(classes, 20)})"
            + written_otherwise(unknown, classes))


def written_otherwise(unknown: list, classes: list) -> str:
    """'' or the note that unseen labels are the model's classes written another way ('Yes ' for 'Yes'), which
    the list of classes shows only by a quote's place."""
    known = {label_key(c): c for c in classes if isinstance(c, str)}
    pairs = [(u, known[label_key(u)]) for u in unknown if isinstance(u, str) and label_key(u) in known]
    if not pairs:
        return ""
    said = ", ".join(f"{short(u)} is the class {short(c)}" for u, c in pairs[:3])
    return f"; {said} in another case or with spaces around it: write the labels as training did"
