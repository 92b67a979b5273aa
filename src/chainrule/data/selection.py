"""Which columns of a table train: the target, the features (all but those dropped, or those named), the text
columns among them; names given wrongly (a list as one string, a column not in the file, the target among the
inputs) refused in their reader's words (advice.give: the arguments', the command's options).
"""
from __future__ import annotations

from typing import Any

from ..errors import ValidationError
from .advice import give
from .csvfile import short


def column_names(cols: Any, argument: str) -> Any:
    """The column names, None read as none (as run_sweep reads it). A list given as one string is refused:
    iterated, text_columns='city' was read as the columns 'c', 'i', 't' and 'y' ("text column 'c' is not in the
    file")."""
    if cols is None:
        return ()
    if isinstance(cols, str):
        from ..errors import ChainruleTypeError
        raise ChainruleTypeError(f"{argument} must be a list of column names, e.g. [{cols!r}]; got the string "
                                 f"{cols!r}, which would be read one character a column")
    return cols


def select_columns(df, target: str, features: list[str], drop: list[str], text: tuple[str, ...] | list[str] = ()):
    """(the table with the target and the feature columns only, file order kept; the columns left
    out), as train and sweep choose them; a text column left out by `drop` or `features` is named as
    such (it is in the file). The messages name features, drop and text in their reader's words
    (advice.give: the arguments', the command's options). The caller says what was left out, if it speaks."""
    from .csvfile import not_in_file
    named = {"features": give("features"), "drop": give("drop argument"), "text": give("text argument")}
    for key, cols in (("features", features), ("drop", drop)):
        for c in cols:
            if c not in df.columns:
                raise not_in_file(f"{named[key]}: column", c, df.columns, df.attrs.get("csv", {}).get("name"))
    if target in drop or target in features:
        given = named["drop"] if target in drop else named["features"]       # the one that named it
        raise ValidationError(f"the target column {short(target)} cannot be in {given}: it is what the inputs "
                              "predict, not one of them")
    both = [c for c in features if c in drop]       # --drop was ignored beside --features (the column trained on)
    if both:
        raise ValidationError(f"column {short(both[0])} is in both {named['features']} and {named['drop']}: an "
                              "input cannot also be left out; give it in one of them")
    keep = set(features) | {target} if features else set(df.columns) - set(drop)
    left = [c for c in df.columns if c not in keep]
    for c in (c for c in text if c in left):
        why = f"is in {named['drop']}" if c in drop else f"is not among {named['features']}"
        raise ValidationError(f"{named['text']}: column {short(c)} {why}, so it is not an input; give one or the "
                              "other")
    return df[[c for c in df.columns if c in keep]], left
