"""Exceptions of chainrule: each names the argument, what was expected and what was received."""
from __future__ import annotations

import difflib
from collections.abc import Iterable
from typing import TypeVar

#: the exceptions (the functions below are the messages' wording, for chainrule's own modules)
__all__ = ["ChainruleError", "ValidationError", "ChainruleTypeError", "UnknownNameError", "ParameterError",
           "TrainingDiverged", "ModelFileError"]


class ChainruleError(Exception):
    """Base class of every exception chainrule raises on purpose. A refusal of one argument's value also carries the
    argument as named, a list's item and what it takes (`refusal`), for a caller that says it in its own words (the
    command line quotes the value as typed: step_size=1e3, not 1000.0); None elsewhere."""

    argument: str | None = None
    index: int | None = None
    expected: str | None = None


class ValidationError(ChainruleError, ValueError):
    """An argument has the wrong value, shape or content."""


class ChainruleTypeError(ChainruleError, TypeError):
    """An argument has the wrong type."""


class UnknownNameError(ValidationError):
    """An activation, loss, optimizer or initializer name that does not exist."""


class ParameterError(ValidationError, ChainruleTypeError):
    """A scikit-learn estimator's parameter is refused (by fit, as scikit-learn checks them): both a
    ValueError and a TypeError, as scikit-learn's InvalidParameterError, so that code catching either
    for MLPClassifier catches it for BackpropClassifier too."""


class TrainingDiverged(ChainruleError, RuntimeError):
    """The loss or a gradient became NaN or infinite during training (or the gradient too large
    for its squares)."""


class ModelFileError(ChainruleError, ValueError):
    """A model file is missing, truncated, corrupted, of another version, or crafted."""


E = TypeVar("E", bound=ChainruleError)


def refusal(exc: E, argument: str, expected: str, index: int | None = None) -> E:
    """`exc`, carrying the argument it refuses, the item of a list (None: the whole), and what the argument takes."""
    exc.argument, exc.expected, exc.index = argument, expected, index
    return exc


def plural(n: int, one: str, many: str | None = None) -> str:
    """`one` when `n` is 1, else `many` (default `one` + 's'): 'line 3 has 1 field', 'a missing value'.
    Here, below every module that writes messages."""
    return one if int(n) == 1 else many or one + "s"


def label(value: object) -> str:
    """An index label or an array's index as messages name a row: 12 (never np.int64(12)), 'b', (1, 'a');
    a one-place tuple, the index into a 1-D array, as its number: 1."""
    import numbers
    if isinstance(value, tuple):
        return label(value[0]) if len(value) == 1 else f"({', '.join(label(v) for v in value)})"
    item = getattr(value, "item", None)
    if callable(item) and type(value).__module__ == "numpy":
        value = item()                          # np.int64(12) -> 12, np.str_('b') -> 'b'
    return str(value) if isinstance(value, numbers.Integral) else repr(value)


def counted(n: int, one: str, many: str | None = None) -> str:
    """'1 input', '3 inputs'."""
    return f"{n} {plural(n, one, many)}"


def unknown_name(kind: str, name: object, known: list[str], shown: str | None = None) -> UnknownNameError:
    """An UnknownNameError for `name`, listing the known names and suggesting the closest; `shown`: how the message
    names the value given (a command's option, `--scoring acuracy`), else `kind=name`."""
    return UnknownNameError(f"{shown or f'{kind}={name!r}'} is not known; expected one of {', '.join(known)}."
                            + did_you_mean(name, known))


def closest(name: object, known: Iterable[object], cutoff: float = 0.6) -> str | None:
    """The one of `known` that `name` likely means, the rule of every "did you mean" (so that a typo gets the same
    answer wherever it is made): the same once case and surrounding spaces are set aside, else the closest spelling
    with case set aside too (difflib's ratio at least 0.6: 'aeg' is 'age', 'VAL_LOSS' is 'val_loss'); None when
    none is close (a name merely held in a longer one is not: 'x' is not 'x_squared')."""
    names = [str(k) for k in known]
    folded: dict[str, str] = {}
    for k in names:
        folded.setdefault(k.strip().casefold(), k)         # the first spelling of names equal but for case
    key = str(name).strip().casefold()
    if key in folded:
        return folded[key]
    # a name held in one twice its length (or more) is part of that name, not a typo of it ('income' is not
    # 'incomes_2019', though difflib's ratio says 0.67); a name cut short by a letter or two still is ('learning_rat')
    typos = [k for k in folded if not _held(key, k)]
    close = difflib.get_close_matches(key, typos, n=1, cutoff=cutoff)
    return folded[close[0]] if close else None


def _held(a: str, b: str) -> bool:
    short, long = sorted((a, b), key=len)
    return short in long and len(long) >= 2 * len(short)


def did_you_mean(name: object, known: Iterable[object], form: str = " Did you mean {!r}?") -> str:
    """`form` holding the closest of `known` to `name` (see `closest`), or '' when none is close: the hint after a
    message's sentence, or in its own words ` (did you mean {!r}?)`."""
    close = closest(name, known)
    return "" if close is None else form.format(close)
