"""The sample of `chainrule explain`: --inputs and --targets of a network given by options (checked against
its inputs and outputs, or a random one), and for a model from `chainrule train` a CSV row (--data, --row)
or raw column values (--inputs), preprocessed as in training, and the lines that say what i1, i2, ... are."""
from __future__ import annotations

import numpy as np

from ..data.statistics import standardised
from ..errors import ValidationError, closest, counted
from ..teach.numbers import fmt


def option_rows(text: str, name: str) -> np.ndarray:
    """--inputs or --targets of a network given by options: samples by ';', numbers by ','."""
    try:
        rows = [[float(v) for v in row.split(",")] for row in text.split(";") if row.strip()]
    except ValueError:                       # an empty field too ('0.05,,0.1'): not skipped
        raise ValidationError(f"--{name} must be numbers separated by ',' (samples by ';'); got {text!r}") from None
    if not rows:
        raise ValidationError(f"--{name} needs at least one sample of numbers separated by ','; got {text!r}")
    if len({len(r) for r in rows}) > 1:
        raise ValidationError(f"--{name}: every sample (separated by ';') needs the same number of values; got "
                              f"{', '.join(str(len(r)) for r in rows)} in {text!r}")
    bad = [v for row in rows for v in row if not np.isfinite(v)]
    if bad:
        raise ValidationError(f"--{name} must be finite numbers; got {bad[0]} in {text!r}")
    return np.array(rows)


def check_sample(net, X: np.ndarray, Y: np.ndarray) -> None:
    """--inputs and --targets against the network's inputs and outputs, in the options' words."""
    if X.shape[1] != net.n_inputs:
        raise ValidationError(f"--inputs has {counted(X.shape[1], 'value')} per sample; the network has "
                              f"{net.n_inputs} inputs (features)")
    labels = net.task == "multiclass"
    if Y.shape[1] != net.n_outputs and not (labels and Y.shape[1] == 1):
        raise ValidationError(f"--targets has {counted(Y.shape[1], 'value')} per sample; the network has "
                              f"{counted(net.n_outputs, 'output')}"
                              + (" (or give one class label per sample)" if labels else ""))
    if labels and Y.shape[1] == 1 and not np.isin(Y, np.arange(net.n_outputs)).all():
        bad = next(v for v in Y[:, 0] if v not in range(net.n_outputs))
        raise ValidationError(f"--targets: a class label is a whole number 0..{net.n_outputs - 1} (0 = o1, "
                              f"{net.n_outputs - 1} = o{net.n_outputs}); got {fmt(bad)}. Give e.g. --targets 0, or "
                              f"{counted(net.n_outputs, 'value')} per sample: --targets "
                              f"{_example(net.n_outputs, one_hot_row=True)}")
    if len(X) != len(Y):
        raise ValidationError(f"--inputs has {counted(len(X), 'sample')} and --targets {len(Y)}; give one "
                              "target row per sample")


def option_values(values) -> str:
    """Numbers as --inputs and --targets take them: 0.05,0.1 (not a list's [0.05, 0.1], which they refuse)."""
    return ",".join(f"{float(v):g}" for v in values)


def one_hot(label: int, k: int) -> str:
    """The one-hot row of class `label` of k classes, as --targets takes it (1,0,0 for class 0): what a class
    label stands for in the report's targets, one source for the messages that show it."""
    return option_values(np.eye(k)[label])


def _example(k: int, one_hot_row: bool = False) -> str:
    """k values as an option takes them: 1,0,0 (one_hot_row) or 0.5,0.5,0.5."""
    return one_hot(0, k) if one_hot_row else option_values([0.5] * k)


def missing_sample(net, args) -> ValidationError:
    """--inputs without --targets or the other way round: which one to add, and what it looks like."""
    if args.inputs is None:
        what = f"--inputs, {counted(net.n_inputs, 'value')} per sample: e.g. --inputs {_example(net.n_inputs)}"
    elif net.task == "multiclass":
        what = (f"--targets, a class label 0..{net.n_outputs - 1} per sample (e.g. --targets 0) or "
                f"{counted(net.n_outputs, 'value')}: e.g. --targets {_example(net.n_outputs, one_hot_row=True)}")
    else:
        what = f"--targets, {counted(net.n_outputs, 'value')} per sample: e.g. --targets {_example(net.n_outputs)}"
    neither = " (or neither, for a random sample)" if args.layers else ""
    return ValidationError(f"this network needs both --inputs and --targets; add {what}{neither}")


def random_sample(net, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """One seeded sample in [0, 1) and a target that fits the loss, for a network given only by --layers."""
    rng = np.random.default_rng(seed)
    X = rng.random((1, net.layers[0].n_in)).round(2)
    if net.task == "multiclass":       # a class drawn as the inputs are, said as a label (targets: its one-hot row)
        label = int(rng.integers(net.n_outputs))
        Y = np.array([label])
        targets = f"{label} (class {label} = o{label + 1}, one-hot {one_hot(label, net.n_outputs)})"
    elif net.task == "binary":         # binary cross-entropy: each output's target a class, 0 or 1, as labels are
        Y = (rng.random((1, net.n_outputs)) >= 0.5).astype(float)
        targets = f"{option_values(Y[0])} (each a class, 0 or 1)"
    else:
        Y = rng.random((1, net.n_outputs)).round(2)
        targets = option_values(Y[0])
    return X, Y, (f"a random sample (--seed {seed}): --inputs {option_values(X[0])} --targets {targets}; give "
                  "--inputs and --targets for your own")


def _one_sample(text: str, option: str, what: str) -> str:
    """A trained model's --inputs or --targets: one sample (several are explained one at a time)."""
    samples = [s for s in text.split(";") if s.strip()]
    if len(samples) > 1:
        raise ValidationError(f"{option} with a model from `chainrule train` takes one sample ({what}); got "
                              f"{len(samples)} separated by ';' in {text!r}: explain them one at a time")
    return samples[0] if samples else text


def _inputs_row(args, pre):
    """--inputs of a trained model as a one-row table of its columns; an empty cell is missing, filled
    as `chainrule predict` fills it when the model was trained with --impute."""
    import pandas as pd

    from ..data.csvfile import names, short
    text = _one_sample(args.inputs, "--inputs", "one raw value per column, separated by ','")
    values = [v.strip() for v in text.split(",")]
    if len(values) != len(pre.columns):
        raise ValidationError(f"--inputs has {counted(len(values), 'value')}; the model's columns are "
                              f"{names(pre.columns, 20)} ({len(pre.columns)})")
    cells: list = []
    for c, v in zip(pre.columns, values):
        if v == "":
            if c not in pre.fill:
                why = ("it was trained without --impute" if pre.impute is None else
                       "its file, written by an older chainrule, keeps no fill value for this column")
                raise ValidationError(f"--inputs: column {short(c)} is empty, and the model has no value to fill "
                                      f"a missing cell with ({why}): give a value")
            cells.append(float("nan") if c in pre.numeric else None)
        elif c in pre.numeric:
            number = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
            if not np.isfinite(number):
                empty = " (or an empty cell, filled as in training)" if c in pre.fill else ""
                raise ValidationError(f"--inputs: column {short(c)} needs a finite number{empty}; got {short(v)}")
            cells.append(float(number))
        else:
            cells.append(v)
    return pd.DataFrame([cells], columns=pre.columns)


def tabular_sample(args, pre) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """X, Y and the header lines of one row of a trained model's CSV columns (from --data/--row or
    --inputs), preprocessed."""
    from ..data.csvfile import names, read_csv, short
    from ..data.markers import learnt
    if args.data:
        from ..data.opening import open_again
        from .tabular import as_trained
        open_again(args.data).close()                   # a pipe: refused, as predict and evaluate refuse it
        as_trained(args, pre, args.data)                # as train read its file, unless the options say otherwise
        from .predict import as_the_models
        try:
            df = read_csv(args.data, sep=args.sep, encoding=args.encoding, decimal=args.decimal,
                          thousands=args.thousands, na_values=[*(pre.na_values or []), *args.na_values] or None,
                          pandas_markers=pre.na_values is None, kept=learnt(pre),
                          text_columns=[*pre.text, *pre.text_target],        # labels '007' as evaluate reads them
                          used=[*pre.columns, pre.target])     # a name twice among the others: as predict reads it
        except ValidationError as exc:          # a mark, encoding or separator of the model file: said so
            raise as_the_models(args, exc) from None
        if not 1 <= args.row <= len(df):
            raise ValidationError(f"--row must be 1..{len(df)} (the data rows of {args.data}); got {args.row}")
        row = df.iloc[[args.row - 1]]
        from ..data.lines import file_lines
        where = f"row {args.row} (line {int(file_lines(df, [args.row - 1])[0])}) of {args.data}"
    else:
        if args.inputs is None:
            raise ValidationError(f"give a sample: --data FILE --row N, or --inputs with one value per column "
                                  f"{names(pre.columns, 20)}")
        row = _inputs_row(args, pre)
        where = "--inputs"
    if args.data and any(c not in row.columns for c in pre.columns):
        from argparse import Namespace

        from .predict import model_columns
        header = list(df.columns)           # another separator, other columns: said as predict and evaluate say them
        model_columns(Namespace(**{**vars(args), "csv": args.data}), {**df.attrs["csv"], "header": header}, pre,
                      keep=tuple(header))           # (the columns explain uses are its lines' own: none said ignored)
    X = pre.transform(row[pre.columns])
    X = np.asarray(X.toarray() if hasattr(X, "toarray") else X, dtype=float)     # one row: dense
    replaced = []
    if args.targets is not None:
        label = _one_sample(args.targets, "--targets", "one class name" if pre.task == "classification" else
                            f"one value of {short(pre.target)}").strip()
        if pre.task == "classification":
            known = {str(c): i for i, c in enumerate(pre.classes)}
            if label not in known:
                if "," in label:            # a one-hot row or several names, as --layers' targets are given
                    raise ValidationError(f"--targets of a model from `chainrule train` is one class name (the "
                                          f"report writes its one-hot row); got {label.count(',') + 1} values "
                                          f"separated by ',' in {short(label)}; classes are {names(pre.classes, 20)}")
                close = closest(label, known)
                hint = f" (did you mean {short(close)}?)" if close is not None else ""
                raise ValidationError(f"--targets {short(label)} is not a class of the model{hint}; classes are "
                                      f"{names(pre.classes, 20)}")
            Y = np.array([known[label]])
        else:
            value = option_rows(label, "targets")
            if value.shape != (1, 1):
                raise ValidationError(f"--targets for this regression model is one number (its "
                                      f"{short(pre.target)}); got {counted(value.shape[1], 'value')} in {label!r}")
            Y = standardised(value, pre.y_mean, pre.y_scale)      # the engine's: finite near 1.8e308
        if pre.target in row.columns and not row[pre.target].isna().iloc[0]:
            replaced = [f"target: --targets {short(label)} replaces the row's own {short(pre.target)} = "
                        f"{short(row[pre.target].iloc[0])}"]
    elif pre.target in row.columns:
        Y = pre.encode_target(row)
    elif args.data:                                     # the file named, as evaluate names it
        raise ValidationError(f"CSV file {short(args.data, 200)}: target column {short(pre.target)} is not in the "
                              "file: explain computes the error with it (or give it: --targets)")
    else:
        raise ValidationError(f"give the target: --targets, or a --data file with the column {short(pre.target)}")
    return X, Y, [f"sample: {where}", *_describe_inputs(pre, row, X), *replaced]


def _operands(raw: str, mean: float, scale: float, shown: str) -> tuple[str, str]:
    """The mean and spread with the fewest digits (4 or more) whose printed arithmetic gives `shown`."""
    for digits in range(4, 18):
        m, s = f"{mean:.{digits}g}", f"{scale:.{digits}g}"
        if fmt((float(raw) - float(m)) / float(s)) == shown:
            return m, s
    return repr(mean), repr(scale)


def _describe_inputs(pre, row, X) -> list[str]:
    """What i1, i2, ... and o1, o2, ... are: the columns, their raw values (or the fill of a missing
    one) and the scaling, each line's numbers enough to redo its arithmetic by hand."""
    from ..data.csvfile import short
    how = {"most_frequent": "most frequent value"}.get(str(pre.impute), str(pre.impute))
    lines, k = [], 0
    for j, c in enumerate(pre.numeric):
        gap = bool(row[c].isna().iloc[0])
        raw = f"{float(pre.fill[c] if gap else row[c].iloc[0]):.15g}"
        shown = fmt(X[0, k])                # as the report's lines write i1
        mean, scale = _operands(raw, pre.means[j], pre.scales[j], shown)
        filled = f"   (missing -> filled with the training {how} {raw})" if gap else ""
        mean = f"({mean})" if str(mean).startswith("-") else mean             # 0.64 - (-0.085), as the report writes
        lines.append(f"  i{k + 1} = {short(c)} standardised: ({raw} - {mean}) / {scale} = {shown}{filled}")
        k += 1
    for c in pre.text:
        n = len(pre.categories[c])
        gap = bool(row[c].isna().iloc[0])
        value = pre.fill[c] if gap else row[c].iloc[0]
        filled = f"   (missing -> filled with the training most frequent value {short(value)})" if gap else ""
        bits = X[0, k:k + n].astype(int).tolist()
        lines.append(f"  i{k + 1}..i{k + n} = {short(c)} one-hot {pre.categories[c][:6]}"
                     f"{'...' if n > 6 else ''}: {short(value)} -> {bits[:12]}{'...' if n > 12 else ''}{filled}")
        k += n
    if pre.task == "classification":
        lines.append("  outputs: " + ", ".join(f"o{j + 1} = P({short(pre.target)} = {short(c)})"
                                               for j, c in enumerate(pre.classes[:12]))
                     + (f", ... ({len(pre.classes)} classes)" if len(pre.classes) > 12 else ""))
    else:
        mean, scale = _exact_enough(pre.y_mean, pre.y_scale), _exact_enough(pre.y_scale, pre.y_scale)
        mean = f"({mean})" if mean.startswith("-") else mean
        lines.append(f"  output o1 = ({short(pre.target)} - {mean}) / {scale}: the prediction is o1 * {scale} + {mean}")
    return lines


def _exact_enough(value: float, scale: float) -> str:
    """`value` with the fewest digits (4 or more) within 1e-10 * scale of it: o1 * scale + mean then
    redone by hand differs from the model's prediction by less than the report's ninth decimal of o1."""
    for digits in range(4, 18):
        if abs(float(f"{value:.{digits}g}") - value) <= 1e-10 * abs(scale):
            return f"{value:.{digits}g}"
    return repr(float(value))
