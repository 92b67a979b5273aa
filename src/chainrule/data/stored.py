"""The CSV preprocessing stored in a model file, checked before it is used.

A model file is data from anywhere: a crafted or damaged description (a scale of 0 or NaN, a
mean missing for a column, categories that are not text, classes listed twice) would otherwise
give wrong predictions without an error. Every field is checked here against what
`Preprocessing.fit` writes; anything else is a ModelFileError naming the field.
"""
from __future__ import annotations

import math

from ..errors import ModelFileError
from .csvfile import short

FIELDS = {"target", "task", "numeric", "text", "means", "scales", "categories", "fill", "impute", "classes",
          "y_mean", "y_scale", "other", "na_values", "typed", "decimal", "thousands",
          "sep", "encoding"}
IMPUTE = ("mean", "median", "most_frequent")


def _bad(what: str, got: object) -> ModelFileError:
    return ModelFileError(f"the model file's CSV preprocessing is invalid: {what}; got {short(got, 60)}")


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _names(data: dict, key: str) -> list:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad(f"'{key}' must be a list of column names", value)
    if len(set(value)) != len(value):
        raise _bad(f"'{key}' lists a column twice", value)
    return value


def check_stored(data) -> dict:
    """`data` (the model file's 'tabular' entry) if every field is what `fit` writes, else ModelFileError."""
    if not isinstance(data, dict):
        raise _bad("expected a description (a JSON object)", type(data).__name__)
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise _bad(f"unknown field {short(unknown[0])}", unknown)
    target, task = data.get("target"), data.get("task")
    if not isinstance(target, str):
        raise _bad("'target' must be a column name", target)
    if task not in ("classification", "regression"):
        raise _bad("'task' must be 'classification' or 'regression'", task)
    numeric, text = _names(data, "numeric"), _names(data, "text")
    if not numeric and not text:
        raise _bad("no feature columns", data.get("numeric"))
    both = set(numeric) & set(text) | ({target} & set(numeric + text))
    if both:
        raise _bad(f"column {short(sorted(both)[0])} is listed twice (numeric, text or target)", sorted(both))
    for key in ("means", "scales"):
        values = data.get(key, [])
        if not isinstance(values, list) or len(values) != len(numeric) or not all(_number(v) for v in values):
            raise _bad(f"'{key}' must hold one finite number per numeric column ({len(numeric)})", values)
    if any(v <= 0 for v in data.get("scales", [])):
        raise _bad("'scales' must be positive", data.get("scales"))
    cats = data.get("categories", {})
    if not isinstance(cats, dict) or set(cats) != set(text):
        raise _bad("'categories' must have one list per text column", cats if not isinstance(cats, dict) else
                   sorted(cats))
    for c, values in cats.items():
        if not isinstance(values, list) or not values or not all(isinstance(v, str) for v in values) \
                or len(set(values)) != len(values):
            raise _bad(f"the categories of column {short(c)} must be distinct texts", values)
    impute, fill = data.get("impute"), data.get("fill", {})
    if impute is not None and impute not in IMPUTE:
        raise _bad(f"'impute' must be one of {', '.join(IMPUTE)} or null", impute)
    if not isinstance(fill, dict) or (fill and impute is None):
        raise _bad("'fill' must map columns to values (and needs 'impute')", fill)
    for c, v in fill.items():
        ok = _number(v) if c in numeric else isinstance(v, str) and c in text
        if not ok:
            raise _bad(f"the fill value of column {short(c)} does not fit the column", v)
    classes = data.get("classes", [])
    if not isinstance(classes, list) or not all(isinstance(v, (str, int, float, bool)) for v in classes):
        raise _bad("'classes' must be a list of labels", classes)
    if task == "classification" and (len(classes) < 2 or len({(type(v), v) for v in classes}) != len(classes)):
        raise _bad("a classification needs at least two distinct classes", classes)
    if task == "regression" and classes:
        raise _bad("a regression has no classes", classes)
    for key in ("y_mean", "y_scale"):
        if key in data and not _number(data[key]):
            raise _bad(f"'{key}' must be a finite number", data[key])
    if data.get("y_scale", 1.0) <= 0:
        raise _bad("'y_scale' must be positive", data.get("y_scale"))
    other = data.get("other", {})
    if not isinstance(other, dict) or not all(c in text and isinstance(n, int) and not isinstance(n, bool) and n > 0
                                              for c, n in other.items()):
        raise _bad("'other' must map text columns to positive counts", other)
    na_values, typed = data.get("na_values"), data.get("typed")
    if na_values is not None and (not isinstance(na_values, list) or not all(isinstance(v, str) for v in na_values)):
        raise _bad("'na_values' must be a list of texts or null", na_values)
    if typed is not None and (_names(data, "typed") is None or not set(typed) <= set(text)):
        raise _bad("'typed' must list text columns or be null", typed)
    for key in ("decimal", "thousands"):
        mark = data.get(key)
        if mark is not None and not (isinstance(mark, str) and len(mark) == 1 and not mark.isdigit()):
            raise _bad(f"'{key}' must be one character (not a digit) or null", mark)
    sep, encoding = data.get("sep"), data.get("encoding")
    if sep is not None and not (isinstance(sep, str) and len(sep) == 1 and sep not in '"\r\n'):
        raise _bad("'sep' must be one character (not a quote or line end) or null", sep)
    if encoding is not None and not (isinstance(encoding, str) and _known(encoding)):
        raise _bad("'encoding' must be the name of a text encoding or null", encoding)
    return data


def _known(encoding: str) -> bool:
    import codecs
    try:
        return codecs.lookup(encoding) is not None
    except LookupError:
        return False
