"""`chainrule predict | evaluate | info`: a trained model applied to a CSV file, or described."""
from __future__ import annotations

import sys

from ..errors import ValidationError
from .tabular import add_csv_options, load_model, metrics, output_path, read


def register(sub) -> None:
    p = sub.add_parser(
        "predict", help="predict with a trained model",
        description="Predict for every row of a CSV file that has the columns the model was trained on (other "
                    "columns, the target among them, are ignored). Rows keep their order.",
        epilog="examples:\n  chainrule predict iris.npz new.csv --proba --out predictions.csv\n"
               "  chainrule predict iris.npz new.csv --id name          # predictions on standard output")
    p.add_argument("model", help="a model file written by `chainrule train`")
    p.add_argument("csv", help="the rows to predict: a CSV file with a header row")
    p.add_argument("--out", default="-", help="CSV file to write; - for standard output")
    p.add_argument("--proba", action="store_true", help="add the probability of each class")
    p.add_argument("--id", metavar="COL", help="copy this column (a row id) into the predictions")
    add_csv_options(p)
    p.set_defaults(func=predict)

    p = sub.add_parser(
        "evaluate", help="loss and accuracy (or RMSE, MAE, R2), and a confusion matrix",
        description="Evaluate a trained model on a CSV file that has the target column. Regression errors are in "
                    "the target's own units.",
        epilog="example:\n  chainrule evaluate iris.npz test.csv")
    p.add_argument("model", help="a model file written by `chainrule train`")
    p.add_argument("csv", help="rows with the target column: a CSV file with a header row")
    add_csv_options(p)
    p.set_defaults(func=evaluate)

    p = sub.add_parser(
        "info", help="what a model file holds",
        description="Architecture, parameters, and (for `chainrule train` models) the preprocessing and "
                    "training summary of a model file.",
        epilog="example:\n  chainrule info iris.npz")
    p.add_argument("model", help="a model file (.npz) from `chainrule train` or Network.save()")
    p.set_defaults(func=info)


def model_columns(df, pre, keep: tuple[str, ...] = ()):
    """The columns the model uses (a missing one is an error); the others are named once and ignored."""
    from ..data.csvfile import names, short
    missing = [c for c in pre.columns if c not in df.columns]
    if missing:
        raise ValidationError(f"column {short(missing[0])} is missing: the model was trained on columns "
                              f"{names(pre.columns, 20)}")
    ignored = [c for c in df.columns if c not in pre.columns and c not in keep]
    if ignored:
        print(f"ignored columns the model does not use: {names(ignored, 20)}", file=sys.stderr)
    return df[pre.columns]


def outputs(net, X):
    """The network's outputs, refusing any that is not a finite number (a damaged model)."""
    import numpy as np
    out = net.predict(X)
    bad = ~np.isfinite(out).all(axis=1)
    if bad.any():
        raise ValidationError(f"the model gives NaN or infinite outputs for {int(bad.sum())} rows (first: line "
                              f"{int(np.flatnonzero(bad)[0]) + 2}); its weights are damaged or the inputs far "
                              "outside the training range")
    return out


def predict(args) -> int:
    import pandas as pd

    from ..data.csvfile import names, short
    from ..saving.npz import atomic_write
    out_path = output_path(args.out, {"model file": args.model, "CSV file": args.csv}, stdout_ok=True)
    net, pre, _ = load_model(args.model)
    if args.proba and pre.task != "classification":
        raise ValidationError("--proba needs a classification model; this one is a regression")
    df = read(args, args.csv)
    if args.id is not None and args.id not in df.columns:
        raise ValidationError(f"--id: column {short(args.id)} is not in the file; columns are {names(df.columns, 20)}")
    out = outputs(net, pre.transform(model_columns(df, pre, keep=(args.id,) if args.id else ())))
    result = pd.DataFrame({"prediction": pre.decode(out)})
    if args.id is not None:
        result.insert(0, args.id, df[args.id].to_numpy())
    if args.proba:
        for j, c in enumerate(pre.classes):
            result[f"proba_{c}"] = out[:, j]
    text = result.to_csv(index=False)
    if out_path is None:
        sys.stdout.write(text)
    else:
        atomic_write(out_path, lambda f: f.write(text.encode()))
        print(f"wrote {len(result)} predictions to {args.out}", file=sys.stderr)
    return 0


def evaluate(args) -> int:
    import numpy as np
    net, pre, _ = load_model(args.model)
    df = read(args, args.csv)
    if pre.target not in df.columns:
        from ..data.csvfile import short
        raise ValidationError(f"target column {short(pre.target)} is not in the file: evaluate compares the "
                              "predictions with it")
    X, y = pre.transform(model_columns(df, pre, keep=(pre.target,))), pre.encode_target(df)
    outputs(net, X)
    for k, v in metrics(net, pre, X, y).items():
        print(f"{k}: undefined (the target is constant in this file)" if v is None else f"{k}: {v:.6g}")
    if pre.task == "regression":
        print(f"(mse, rmse and mae in the units of {pre.target!r})")
    if pre.task == "classification":
        pred = net.predict(X).argmax(axis=1)
        n_classes = len(pre.classes)
        cm = np.zeros((n_classes, n_classes), dtype=int)
        np.add.at(cm, (y, pred), 1)
        labels = [str(c)[:20] for c in pre.classes]
        width = max(8, *(len(n) for n in labels)) + 1
        print("confusion matrix (rows: true class, columns: predicted)")
        print(" " * width + "".join(f"{n:>{width}}" for n in labels))
        for n, row in zip(labels, cm):
            print(f"{n:>{width}}" + "".join(f"{v:>{width}}" for v in row))
    return 0


def info(args) -> int:
    from ..data.csvfile import names, short
    net, pre, extra = load_model(args.model, need_preprocessing=False)
    print(net.summary())
    if pre is None:
        print("no CSV preprocessing (saved by Network.save): inputs are the network's raw features")
    else:
        classes = f", classes {names(pre.classes, 20)}" if pre.classes else ""
        print(f"task: {pre.task} of {short(pre.target)}{classes}")
        print(f"numeric columns (standardised): {names(pre.numeric, 20)}")
        for c in pre.text:
            other = f" + 'other' ({pre.other[c]} rarer values)" if c in pre.other else ""
            print(f"text column {short(c)} (one-hot): {names(pre.categories[c], 20)}{other}")
        if pre.fill:
            print(f"missing values filled ({pre.impute}): " + ", ".join(f"{short(k)}: {short(v)}"
                                                                        for k, v in list(pre.fill.items())[:20]))
    if net.optimizer is not None:
        print(f"optimizer: {net.optimizer!r}")
    history = extra.get("history") or {}
    if history:
        print("training: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                       for k, v in history.items()))
    return 0
