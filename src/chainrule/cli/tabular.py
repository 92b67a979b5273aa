"""`chainrule train | predict | evaluate | info`: a CSV file in, a model file out, and back."""
from __future__ import annotations

import argparse
import sys

from ..errors import ValidationError

RAW = argparse.RawDescriptionHelpFormatter


def register(sub) -> None:
    p = sub.add_parser("train", help="train a network on a CSV file", formatter_class=RAW,
                       description="Train on a CSV file with a header row. Numeric columns are standardised, text "
                                   "columns one-hot encoded; the model file keeps that preprocessing.",
                       epilog="example:\n  chainrule train iris.csv --target species --hidden 16 --epochs 100 "
                              "--out iris.npz")
    p.add_argument("csv")
    p.add_argument("--target", required=True, help="the column to predict")
    p.add_argument("--out", required=True, help="model file to write (.npz)")
    p.add_argument("--hidden", default="64", help="hidden layer widths, comma separated (default 64; '' for none)")
    p.add_argument("--activation", default="relu")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--optimizer", default="adam")
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--val-split", type=float, default=0.2, help="fraction held out for validation (default 0.2)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--task", choices=["classification", "regression"], help="override the detected task")
    p.add_argument("--impute", choices=["mean", "median", "most_frequent"], help="fill missing feature values")
    p.add_argument("--dtype", choices=["float64", "float32"], default="float64")
    p.add_argument("--checkpoint-dir", help="write a checkpoint after every epoch into this folder")
    p.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --checkpoint-dir")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=train)

    p = sub.add_parser("predict", help="predict with a trained model", formatter_class=RAW,
                       description="Predict for every row of a CSV file with the columns the model was trained on.",
                       epilog="example:\n  chainrule predict iris.npz new.csv --out predictions.csv --proba")
    p.add_argument("model")
    p.add_argument("csv")
    p.add_argument("--out", help="CSV file to write (default: standard output)")
    p.add_argument("--proba", action="store_true", help="add the probability of each class")
    p.set_defaults(func=predict)

    p = sub.add_parser("evaluate", help="loss, accuracy or R2, and a confusion matrix", formatter_class=RAW,
                       description="Evaluate a trained model on a CSV file that has the target column.",
                       epilog="example:\n  chainrule evaluate iris.npz test.csv")
    p.add_argument("model")
    p.add_argument("csv")
    p.set_defaults(func=evaluate)

    p = sub.add_parser("info", help="what a model file holds", formatter_class=RAW,
                       description="Architecture, parameters, preprocessing and training history of a model file.",
                       epilog="example:\n  chainrule info iris.npz")
    p.add_argument("model")
    p.set_defaults(func=info)


def _hidden(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",") if s.strip()]
    except ValueError:
        raise ValidationError(f"--hidden must be comma-separated positive integers like 64,32; got {text!r}") from None
    if any(s < 1 for s in sizes):
        raise ValidationError(f"--hidden widths must be positive; got {text!r}")
    return sizes


def _check_out(path) -> None:
    """An output file's folder must exist (checked before any work is done)."""
    from pathlib import Path
    folder = Path(path).expanduser().resolve().parent
    if not folder.is_dir():
        raise ValidationError(f"cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")


def train(args) -> int:
    import numpy as np

    import chainrule as cr
    from ..nn.activations import get_activation
    from ..saving.npz import save
    from ..training.optim import get_optimizer
    from ..data.tabular import Preprocessing, read_csv

    # the arguments are checked before the (possibly long) reading and training
    hidden = _hidden(args.hidden)
    for name in ("epochs", "batch_size"):
        if getattr(args, name) < 1:
            raise ValidationError(f"--{name.replace('_', '-')} must be a positive integer; got {getattr(args, name)}")
    if not 0.0 <= args.val_split < 1.0:
        raise ValidationError(f"--val-split must be in [0, 1); got {args.val_split}")
    get_activation(args.activation)
    optimizer = get_optimizer(args.optimizer, lr=args.lr)
    _check_out(args.out)
    df = read_csv(args.csv)
    pre = Preprocessing.fit(df, args.target, task=args.task, impute=args.impute)
    X, y = pre.transform(df), pre.encode_target(df)
    classify = pre.task == "classification"
    widths = [X.shape[1], *hidden, len(pre.classes) if classify else 1]
    layers = [cr.Dense(a, b, args.activation if i < len(widths) - 2 else ("softmax" if classify else "linear"))
              for i, (a, b) in enumerate(zip(widths, widths[1:]))]
    net = cr.Network(layers, loss="categorical_crossentropy" if classify else "mse", dtype=args.dtype,
                     seed=args.seed)
    order = np.random.default_rng(args.seed).permutation(len(X))
    n_val = int(round(len(X) * args.val_split))
    if args.val_split and not 1 <= n_val < len(X):
        raise ValidationError(f"--val-split {args.val_split} leaves no validation or training rows of {len(X)}")
    val, tr = order[:n_val], order[n_val:]
    print(f"{pre.task} of {args.target!r}: {len(tr)} training and {n_val} validation rows, "
          f"{len(pre.numeric)} numeric and {len(pre.text)} text columns -> {X.shape[1]} inputs; "
          f"network {'-'.join(map(str, widths))}", file=sys.stderr)
    history = net.fit(X[tr], y[tr], epochs=args.epochs, batch_size=args.batch_size,
                      optimizer=optimizer,
                      validation_data=(X[val], y[val]) if n_val else None, seed=args.seed,
                      verbose=0 if args.quiet else 1, checkpoint_dir=args.checkpoint_dir, resume=args.resume)
    summary = {"epochs": len(history.epoch), **{k: v[-1] for k, v in history.history.items()}}
    save(net, args.out, extra={"tabular": pre.to_json(), "history": summary})
    metrics = _metrics(net, pre, X[val], y[val]) if n_val else {}
    shown = ", ".join(f"{k} {v:.4f}" for k, v in metrics.items())
    print(f"validation: {shown}" if shown else "no validation rows (--val-split 0)")
    print(f"saved {args.out}")
    return 0


def _metrics(net, pre, X, y) -> dict:
    import numpy as np
    result = net.evaluate(X, y)
    if pre.task == "regression":
        out = net.predict(X)[:, 0]
        ss_res = float(np.sum((y[:, 0] - out) ** 2))
        ss_tot = float(np.sum((y[:, 0] - y[:, 0].mean()) ** 2)) or 1.0
        result["r2"] = 1.0 - ss_res / ss_tot
        result["rmse"] = float(np.sqrt(ss_res / len(out))) * pre.y_scale
    return result


def _load(path):
    from ..saving.npz import load
    from ..data.tabular import Preprocessing
    net, extra = load(path, with_extra=True)
    if not extra or "tabular" not in extra:
        raise ValidationError(f"{path} is a chainrule model without CSV preprocessing; train it with `chainrule train`")
    return net, Preprocessing.from_json(extra["tabular"]), extra


def predict(args) -> int:
    import pandas as pd

    from ..data.tabular import read_csv
    net, pre, _ = _load(args.model)
    if args.proba and pre.task != "classification":
        raise ValidationError("--proba needs a classification model; this one is a regression")
    if args.out:
        _check_out(args.out)
    df = read_csv(args.csv)
    out = net.predict(pre.transform(df))
    result = pd.DataFrame({"prediction": pre.decode(out)})
    if args.proba:
        for j, c in enumerate(pre.classes):
            result[f"proba_{c}"] = out[:, j]
    if args.out:
        from ..saving.npz import atomic_write
        atomic_write(args.out, lambda f: f.write(result.to_csv(index=False).encode()))
        print(f"wrote {len(result)} predictions to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(result.to_csv(index=False))
    return 0


def evaluate(args) -> int:
    import numpy as np

    from ..data.tabular import read_csv
    net, pre, _ = _load(args.model)
    df = read_csv(args.csv)
    X, y = pre.transform(df), pre.encode_target(df)
    for k, v in _metrics(net, pre, X, y).items():
        print(f"{k}: {v:.6f}")
    if pre.task == "classification":
        pred = net.predict(X).argmax(axis=1)
        k = len(pre.classes)
        cm = np.zeros((k, k), dtype=int)
        np.add.at(cm, (y, pred), 1)
        names = [str(c) for c in pre.classes]
        width = max(8, *(len(n) for n in names)) + 1
        print("confusion matrix (rows: true class, columns: predicted)")
        print(" " * width + "".join(f"{n:>{width}}" for n in names))
        for n, row in zip(names, cm):
            print(f"{n:>{width}}" + "".join(f"{v:>{width}}" for v in row))
    return 0


def info(args) -> int:
    net, pre, extra = _load(args.model)
    print(net.summary())
    print(f"task: {pre.task} of {pre.target!r}" + (f", classes {pre.classes}" if pre.classes else ""))
    print(f"numeric columns (standardised): {pre.numeric}")
    for c in pre.text:
        print(f"text column {c!r} (one-hot): {pre.categories[c]}")
    if pre.fill:
        print(f"missing values filled ({pre.impute}): {pre.fill}")
    if net.optimizer is not None:
        print(f"optimizer: {net.optimizer!r}")
    history = extra.get("history") or {}
    if history:
        print("training: " + ", ".join(f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}"
                                       for k, v in history.items()))
    return 0
