"""`chainrule evaluate`: a trained model's loss and accuracy (or errors) on a CSV file that has the target."""
from __future__ import annotations

import sys

from ..errors import ValidationError
from ..teach.width import columns, say
from . import weights
from .predict import add_chunk_option, checked, chunks, model_columns, not_a_pipe, one_column, swapped
from .reading import column_name
from .tabular import add_csv_options, as_in_file, as_trained, load_model, regression_metrics


def register(sub) -> None:
    p = sub.add_parser(
        "evaluate", help="loss, accuracy and a confusion matrix (or MSE, RMSE, MAE, R2)",
        description="Evaluate a trained model on a CSV file that has the target column. Regression errors are in "
                    "the target's own units.",
        epilog="example:\n  chainrule evaluate iris.npz iris.csv")
    p.add_argument("model", help="a model file written by `chainrule train`")
    p.add_argument("csv", help="rows with the target column: a CSV file with a header row")
    p.add_argument("--weight", metavar="COL", type=column_name("--weight", "a column of sample weights"),
                   help="a column of sample weights (numbers >= 0): row i counts w_i times in the loss, accuracy "
                        "or errors, as train --weight's validation metrics and evaluate(sample_weight=) compute them")
    add_csv_options(p)
    add_chunk_option(p)
    p.set_defaults(func=evaluate)


def evaluate(args) -> int:
    import numpy as np

    from ..data.csvfile import not_in_file, short
    swapped(args)
    net, pre, extra = load_model(args.model)
    not_a_pipe(args.csv)
    as_trained(args, pre, args.csv)
    info = checked(args, args.csv, used=[*pre.columns, pre.target, *([args.weight] if args.weight else [])])
    as_in_file(args, info["header"])
    if pre.target not in info["header"]:
        from ..data.applying import likely_said
        if not set(pre.columns) & set(info["header"]):
            model_columns(args, info, pre)          # none of the model's columns either: data of another model
        hint = likely_said([pre.target], [c for c in info["header"] if c not in pre.columns])    # ' y' of "x, y"
        raise one_column(args, info) or ValidationError(f"CSV file {short(args.csv, 200)}: target column "
                                                        f"{short(pre.target)} is not in the file{hint}: evaluate "
                                                        "compares the predictions with it")
    if args.weight is not None and args.weight not in info["header"]:
        raise not_in_file("--weight: column", args.weight, info["header"], args.csv)
    if args.weight is not None and args.weight in (pre.target, *pre.columns):
        raise ValidationError(f"the --weight column {short(args.weight)} is the model's target or one of its inputs: "
                              "give a column of weights the model does not use")
    trained_weight = extra.get("weight") if isinstance(extra.get("weight"), str) else None    # said below, if there
    model_columns(args, info, pre, keep=(pre.target, *[c for c in (args.weight, trained_weight) if c]))
    from .metrics import Metrics, Targets
    targets, outs, w = Targets(pre), [], []
    inputs: list | None = [] if pre.task == "classification" else None
    metrics = Metrics(net, short(args.csv)) if inputs is not None else None
    # text labels are matched as written: '007' is not the 7 pandas would make of it (train --text TARGET)
    for chunk, out in chunks(args, info, pre, net, text=pre.text_target, inputs=inputs):
        codes = targets.add(chunk)
        outs.append(out)
        if args.weight is not None:
            w.append(weights.checked(chunk[args.weight], args.weight, int(chunk.index[0]) + 2))
        if inputs is not None:       # one chunk's inputs at a time: memory does not grow with the file
            x = inputs.pop()
            if metrics is not None and codes is not None:
                metrics.add(chunk, x, codes, w[-1] if args.weight is not None else None)
    out, y = np.concatenate(outs), targets.array()
    del outs
    sample_weight = np.concatenate(w) if args.weight is not None else None
    if sample_weight is not None and not sample_weight.any():
        raise ValidationError(f"--weight column {short(args.weight)} is 0 on every row: at least one must weigh "
                              "more than 0")
    trained = extra.get("weight")
    if sample_weight is not None:
        say(weights.describe(sample_weight, args.weight), sys.stderr)
    elif isinstance(trained, str) and trained in info["header"]:
        say(f"the model was trained with --weight {short(trained)}, which this file has: these metrics are "
            f"unweighted (give --weight {short(trained)} to weigh the rows as train did)", sys.stderr)
    if metrics is not None:          # Network.evaluate's loss and accuracy (the loss from the logits): the engine's
        result = metrics.result()
    elif sample_weight is None:
        result = regression_metrics(pre, out, y)
    else:
        result = weights.regression(pre, out, y, sample_weight)
    from .metrics import beyond
    for k, v in result.items():
        say(f"{k}: undefined (the target is constant in this file)" if v is None else
            f"{k}: {beyond(result, k) or format(v, '.6g')}")
    if pre.task == "regression":
        say(f"(mse, rmse and mae in the units of {pre.target!r})")
    if pre.task == "classification":
        n_classes = len(pre.classes)
        cm = np.zeros((n_classes, n_classes), dtype=int)
        np.add.at(cm, (y, out.argmax(axis=1)), 1)
        say("confusion matrix (rows: true class, columns: predicted; numbers of rows, unweighted)"
            if sample_weight is not None else "confusion matrix (rows: true class, columns: predicted)")
        from .metrics import confusion_labels, confusion_lines
        print("\n".join(confusion_lines(confusion_labels(pre.classes), cm, columns(sys.stdout))))
    return 0
