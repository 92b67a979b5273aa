"""The target column's checks that are about its values: a regression's numbers, and class labels that are
one number written two ways."""
from __future__ import annotations

import warnings

from ..errors import ValidationError
from .columns import ColumnWarning
from .csvfile import names, short
from .lines import earliest, place


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
                      ColumnWarning, stacklevel=3)


class NotNumericTarget(ValidationError):
    """A regression target's cells that are not numbers: the first's place and text, and their count, which a file
    read in chunks adds up (cli.metrics.Targets)."""

    def __init__(self, name: str, where: str, cell: str, count: int, hint: str) -> None:
        self.name, self.where, self.cell, self.count, self.hint = name, where, cell, count, hint
        super().__init__(not_numeric_message(name, where, cell, count, hint))


def not_numeric_message(name: str, where: str, cell: str, count: int, hint: str) -> str:
    many = f" ({count} such cells)" if count > 1 else ""
    return f"target column {name!r} must be numeric for regression; {where} has {cell}{many}{hint}"


def pd_numeric(y, name):
    """The regression target `y` (column `name`) as float64, or the error naming its first cell that is not a number."""
    import pandas as pd
    values = pd.to_numeric(y, errors="coerce")
    if values.isna().any():
        mask = values.isna().to_numpy() & pd.notna(y).to_numpy()
        if not mask.any():
            raise ValidationError(f"target column {name!r} must be numeric for regression")
        first = earliest(y, mask)
        from .encode import _comma_hint  # 1,234.5: the option that reads it, as for an input column
        hint = _comma_hint(y.iloc[first], getattr(y, "attrs", {}).get("csv"))
        raise NotNumericTarget(name, place(y, first), short(y.iloc[first]), int(mask.sum()), hint)
    return values.to_numpy(dtype=float)


def constant_target(target: str, value: float, training: bool, detected: bool) -> ValidationError:
    """A numeric target of one value (on the rows its statistics come from): nothing to learn. A regression
    standardises its target by the standard deviation, 0 here; `detected` (no task given): a classifier, which
    needs two classes, is said too, as a small integer would have been taken for one."""
    rows = "every training row" if training else "every row"
    classes = "a classifier needs at least two classes, and " if detected else ""
    return ValidationError(f"target column {short(target)} has one value ({value:.15g}) on {rows}: nothing to learn "
                           f"({classes}a regression target cannot be standardised: its standard deviation is 0)")
