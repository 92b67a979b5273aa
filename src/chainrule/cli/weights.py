"""`chainrule train --weight COL`: a column of sample weights, not an input; and `--class-weight`.

Row i's loss counts w_i times in training and in the validation metrics (`Network.fit`'s
`sample_weight`; a weight of 2 is as if the row were in the file twice, 0 leaves it out). Every
row needs a number >= 0; an error names the column and the file's line. `--class-weight` is fit's
`class_weight` with the target's labels as the file writes them: the training rows only.
"""
from __future__ import annotations

import argparse
import csv
import math
import re
import sys
from typing import Any

import numpy as np

from ..data.scan import BIG
from ..data.statistics import by_class as by_class  # train: weights.by_class
from ..data.statistics import column_weights as checked  # noqa: F401  (train, predict: weights.checked)
from ..errors import ValidationError
from ..teach.width import say


def split_off(columns: Any, args: Any) -> Any:
    """The table (or list of column names) without the weight column, which must exist and be
    neither the target nor in --features or --drop."""
    from ..data.advice import give
    from ..data.csvfile import not_in_file, short
    col = args.weight
    names_ = list(columns.columns) if hasattr(columns, "columns") else list(columns)
    if col not in names_:
        raise not_in_file("--weight: column", col, names_, getattr(args, "csv", None))
    if col == args.target or col in args.features or col in args.drop:
        raise ValidationError(give("weight not input", column=short(col)))
    return columns.drop(columns=[col]) if hasattr(columns, "columns") else [c for c in names_ if c != col]


def take(df: Any, args: Any) -> tuple[Any, np.ndarray | None]:
    """(the table without the --weight column, its checked weights), or (df, None) without --weight ('' is a
    column name to look for, as sweep's: not the weights left out)."""
    if args.weight is None:
        return df, None
    return split_off(df, args), checked(df[args.weight], args.weight)


def check_parts(w: np.ndarray, n_val: int, args: Any) -> None:
    """Training rows and validation rows (the last n_val of `w`) must each weigh more than 0."""
    from ..data.csvfile import short
    for part, which in ((w[:len(w) - n_val], "training"), (w[len(w) - n_val:], "validation")):
        if part.size and not part.any():
            split = f" (--val-split {args.val_split})" if n_val else ""
            raise ValidationError(f"--weight column {short(args.weight)} is 0 on every {which} row{split}: at least "
                                  "one must weigh more than 0")
        summable(part, f"--weight column {short(args.weight)}", which)


def summable(w: np.ndarray, named: str, which: str) -> None:
    """Rows' weights whose sum passes float64's largest number (1.8e308) are refused in the options' words: train's
    loss and statistics divide by that sum (the weighted mean), which would be inf, its accuracy NaN, its inputs
    called infinite. Only the weights' ratios count there, so the remedy is a common factor."""
    from ..nn.sample_weight import summed
    if not math.isfinite(summed(w)):
        raise ValidationError(f"{named}: the {which} rows' weights sum past the largest number (1.8e+308), "
                              f"largest weight {float(np.max(w)):g}; only their ratios count, so divide them all by "
                              "one factor (e.g. 1e300 -> 1)")


def describe(w: np.ndarray, col: str) -> str:
    """One line: the weights' range and mean, and how many rows they leave out."""
    from ..data.csvfile import short
    zero = sum(int(np.count_nonzero(w[a:a + (1 << 20)] == 0)) for a in range(0, w.shape[0], 1 << 20))
    left = f"; {zero} row{'s' * (zero != 1)} of weight 0 count{'s' * (zero == 1)} in no loss" if zero else ""
    return f"sample weights from column {short(col)}: {w.min():g} to {w.max():g}, mean {w.mean():.4g}{left}"


def metrics(net: Any, pre: Any, X: Any, y: np.ndarray, w: np.ndarray) -> dict[str, float | None]:
    """`tabular.metrics` with row i counted w_i times (scikit-learn's metrics with sample_weight)."""
    if pre.task == "classification":
        from .tabular import evaluate_rows
        return dict(evaluate_rows(net, X, y, w))
    from .tabular import predict_rows
    return regression(pre, predict_rows(net, X), y, w)


def regression(pre: Any, outputs: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, float | None]:
    """MSE, RMSE, MAE (in the target's units) and R2 of a regression's `outputs` and standardised
    targets `y`, row i counted w_i times (`evaluate --weight` too). As `tabular.regression_metrics`:
    in float64 and the standardised units, scaled back (a float32 network's outputs are not rounded
    to float32 in the target's units; a target near 1e300 does not overflow the squares)."""
    truth = np.asarray(y[:, 0], dtype=np.float64)
    out = np.asarray(outputs, dtype=np.float64)[:, 0]
    top = max(float(np.max(np.abs(truth))), float(np.max(np.abs(out)))) if truth.size else 0.0
    # values past 1e150 (a file far outside the training target's range): in units of a power of two near the
    # largest, which scales exactly, so the squares stay finite; ordinary values are not scaled at all
    unit = math.ldexp(1.0, min(math.frexp(top)[1], 1023)) if BIG < top < np.inf else 1.0     # 2**1024: inf
    t, err = truth / unit, truth / unit - out / unit
    square = float(np.average(err ** 2, weights=w))
    with np.errstate(over="ignore"):                   # an mse past 1.8e308: inf, said in words by the caller
        mse = float(np.float64(square) * (np.float64(unit) * np.float64(pre.y_scale)) ** 2)
    rmse = float(np.sqrt(square)) * unit * pre.y_scale
    mae = float(np.average(np.abs(err), weights=w)) * unit * pre.y_scale
    counted = t[w > 0]
    ss_tot = float(np.sum(w * (t - np.average(t, weights=w)) ** 2))      # as scikit-learn's r2_score sums
    constant = counted.size == 0 or np.ptp(counted) == 0      # a mean's rounding is no spread
    r2 = None if constant or ss_tot == 0 else 1.0 - float(np.sum(w * err ** 2)) / ss_tot
    return {"mse": mse, "rmse": rmse, "mae": mae, "r2": r2}


def class_weight_arg(text: str) -> str | list[tuple[str, float]]:
    """The argparse type of --class-weight: 'balanced', or LABEL=WEIGHT pairs separated by commas
    (a label is split from its weight at the last '='); a label holding a comma is written in double
    quotes, as a CSV cell: '"a,b"=2,c=1'."""
    if text.strip() == "balanced":
        return "balanced"
    if text.count('"') % 2 and re.search(r'(^|,)\s*"', text):
        raise argparse.ArgumentTypeError(f"--class-weight has a double quote that is not closed: {text!r}; a label "
                                         "holding a comma is written '\"a,b\"=2'")
    pairs, items = [], next(csv.reader([_quotes_after_spaces(text)]))     # a quoted label keeps its commas
    if not items:                                     # '' (an unset variable's "$WEIGHTS"): no weights said
        raise argparse.ArgumentTypeError("expected 'balanced' or LABEL=WEIGHT pairs (weights >= 0) separated by "
                                         "commas, e.g. 'yes=3,no=1'; got '' (leave --class-weight out for none)")
    for item in items:
        label, eq, number = item.rpartition("=")
        try:
            w = float(number)
        except ValueError:
            w = math.nan
        if not eq or not label.strip() or not math.isfinite(w) or w < 0:
            comma = ("; a label holding a comma is written in double quotes: '\"a,b\"=3'"
                     if not eq and len(items) > 1 else "")
            raise argparse.ArgumentTypeError(f"expected 'balanced' or LABEL=WEIGHT pairs (weights >= 0) separated by "
                                             f"commas, e.g. 'yes=3,no=1'; got {item!r}{comma}")
        pairs.append((label, w))
    return pairs


def _quotes_after_spaces(text: str) -> str:
    """`text` without the spaces between a separating comma and a quoted label: 'a=1, "b,c"=2' as train's class
    weights line writes it (a CSV reader takes a quote after a space as part of an unquoted cell, split at its
    comma). Spaces inside quotes, and before an unquoted label, are kept."""
    out, quoted = [], False
    for i, c in enumerate(text):
        if c == '"':
            quoted = not quoted
        elif c.isspace() and not quoted and text[:i].rstrip(" \t")[-1:] in ("", ",") \
                and text[i:].lstrip(" \t")[:1] == '"':
            continue
        out.append(c)
    return "".join(out)


def describe_classes(class_weight: str | dict[int, float], pre: Any, labels: np.ndarray,
                     w: np.ndarray | None = None, model: str = "MODEL") -> str:
    """One line: each class's weight ('balanced': from the training rows' `labels`, as fit computes it).
    Weights that leave no training row counting (times --weight's `w`) are an error in the options' words. Each
    class as --class-weight takes it, LABEL=W, so the line can be given back as the option."""
    from ..nn.sample_weight import class_table
    k = len(pre.classes)
    labels = np.asarray(labels, dtype=np.int64)
    table = class_table(class_weight, labels, k, w)       # the engine's table, which fit trains with
    rows = table[labels] if w is None else table[labels] * np.asarray(w)
    with_weight = " times the --weight column" if w is not None else ""
    if labels.size and not rows.any():
        raise ValidationError(f"--class-weight{with_weight} gives every training row the weight 0: at least one "
                              "must weigh more than 0")
    summable(rows, f"--class-weight{with_weight}", "training")
    unweighed = np.zeros(k, dtype=bool)   # 'balanced': a class whose rows all weigh 0 has no count (its table's 1 is
    if isinstance(class_weight, str) and w is not None:       # no weight; scikit-learn's is inf): said so
        unweighed = (np.bincount(labels, minlength=k) > 0) & (np.bincount(labels, weights=rows > 0, minlength=k) == 0)
    from .numbers import exact
    shown = ", ".join(f"{as_written(c)} (its rows weigh 0)" if z else f"{as_written(c)}={exact(float(t))}"
                      for c, t, z in list(zip(pre.classes, table, unweighed))[:20])
    from .tabular import more_classes
    more = more_classes(k, model)
    how = " ('balanced', from the training rows)" if isinstance(class_weight, str) else ""
    return f"class weights{how}: {shown}{more}"


def as_written(label: Any) -> str:
    """A class label as --class-weight takes it, LABEL of LABEL=W: as the file writes it, not its repr (the class 1
    is 1, not '1'); one holding a comma, a quote, a line break or spaces around it in double quotes, as a CSV cell
    (its line break kept: pasted between single quotes, the option reads it back); whole, however long: a cut label
    names no class."""
    text = str(label)
    if any(c in text for c in ',"\n\r') or text != text.strip() or not text:
        return '"' + text.replace('"', '""') + '"'
    return text


#: the preprocessing's fields that --weight weighs (its statistics)
STATISTICS = ("means", "scales", "fill", "categories", "other", "y_mean", "y_scale")


def as_checkpointed(pre: Any, args: Any, unweighted: Any) -> Any:
    """The preprocessing to resume with: `pre`, but where --resume --weight meets a checkpoint written
    before the weights weighed the statistics (its means, scales, categories are those of every row, as
    `unweighted()` learns them again), that one, with a line saying so: its network was trained on
    those inputs, and a checkpoint is resumed as it was (the fingerprint compares the inputs)."""
    if not (args.resume and args.weight and args.checkpoint_dir):
        return pre
    import chainrule as cr

    from ..data.csvfile import short
    from ..saving.checkpoint import checkpoint_path
    path = checkpoint_path(args.checkpoint_dir)
    try:
        saved = (cr.load(path, with_extra=True)[1] or {}).get("tabular") if path.is_file() else None
    except Exception:  # noqa: BLE001  (an unreadable checkpoint: the resume itself says why)
        return pre
    if not isinstance(saved, dict):
        return pre

    def same(a: dict) -> bool:
        return all(a.get(k) == saved.get(k) for k in STATISTICS)
    if same(pre.to_json()):
        return pre
    old = unweighted()
    if not same(old.to_json()):
        return pre                       # another table: the resume names what differs
    say(f"resuming with the checkpoint's preprocessing, learnt without the --weight column {short(args.weight)} "
        "(an older chainrule's); a new run weighs its statistics", sys.stderr)
    return old
