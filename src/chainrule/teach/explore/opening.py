"""What a session opens: the seed network, a generated data set, a CSV table (the command line's or
an uploaded one), or a saved model with no data, for which a sample is drawn (`model_sample`).

Each sets the session's network, batch, architecture and optimizer through `Session._set_problem`;
`Session` runs them as its actions `reset`, `load` and `upload_csv` (undone if they fail).
"""
from __future__ import annotations

import copy
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.errors import ValidationError, counted

from ..numbers import cell
from . import datasets, limits, trained
from .engine import NamedBytes, arch_of, build, tabular

GIVEN = "Your samples X, y"      # how the page names the rows given to the notebook's Explorer (edits.py too)
SEED_ARCH = {"hidden": [2], "activations": ["sigmoid"], "output_activation": "sigmoid", "loss": "sse",
             "init": "seed", "seed": 0, "train_biases": False}
DATA_ARCH = {"hidden": [4, 4], "activations": ["tanh", "tanh"], "output_activation": "sigmoid",
             "loss": "binary_crossentropy", "init": "auto", "seed": 0, "train_biases": True}


def reset(s) -> None:
    """Back to what session `s` opened on."""
    start = s.start
    s.origin = "start" if (start.table is not None or start.net is not None) else "seed"
    if start.table is not None:
        load_table(s, start.table, start.target, start.name, start.net, start.pre)
    elif start.net is not None:
        net = copy.deepcopy(start.net)
        arch = arch_of(net)
        X, Y, how = model_sample(net, start.pre, arch["seed"]) if start.rows is None else start.rows
        holder = "Your network" if start.notebook else "The model file"     # never fitted, or its weights loaded
        opt, said = trained.page_optimizer(net.optimizer, ("sgd", {"lr": 0.5}), holder)
        s._set_problem("model", start.name, net, X, Y, None, None, arch, opt)
        trained.carry_state(net.optimizer, s.opt)
        s.optimizer_from = said
        s.pre, s.sample_from, s.classes = start.pre, how, start.classes
    else:
        load(s, "seed")
    if start.net is not None:       # named by its file (with a CSV file, start.name is the CSV file's)
        s.weights_from = start.name if start.table is None and start.name else "the model file"   # or "your network"


def model_sample(net, pre, seed: int) -> tuple[np.ndarray, np.ndarray, str]:
    """One sample for a model opened without data, drawn from `seed` (the Network card's Init seed,
    so the same file opens on the same sample), and the words saying where it came from. With the
    CSV preprocessing stored by `chainrule train`: a row of the file's columns (`raw_sample`), encoded
    by that preprocessing as `chainrule predict` encodes a file's rows; without: inputs uniform in
    [-1, 1]. The target: a class drawn at random, or for one output a value in [0, 1] (regression's
    standardized target: N(0, 1)). Two decimals: easy to read and to retype. Zeros would show
    nothing: with ReLU and zero biases every gradient is 0."""
    rng = np.random.default_rng(seed)
    if pre is not None:
        row = raw_sample(pre, rng)
        x = pre.transform(row, dtype=net.dtype, sparse=False)[0]
        cells = ", ".join(f"{c}={cell(v)}" if c in pre.numeric else f"{c}={v}" for c, v in row.iloc[0].items())
        where = (f"the row {cells} (numeric columns standard normal once standardized"
                 + (", one category of each text column" if pre.text else "") + ")")
    else:
        x = np.round(rng.uniform(-1, 1, net.n_inputs), 2)
        where = "inputs uniform in [-1, 1]"
    if net.task == "multiclass" or (net.n_outputs > 1 and net.loss_function.name == "categorical_crossentropy"):
        y = np.eye(net.n_outputs)[rng.integers(net.n_outputs)]
        target = "a class drawn at random"
    elif net.task == "binary":
        y = rng.integers(0, 2, net.n_outputs).astype(float)
        target = "targets drawn from 0 and 1"
    elif pre is not None and pre.task == "regression":
        y = np.round(rng.standard_normal(net.n_outputs), 2)
        target = "a standard normal target"
    else:
        y = np.round(rng.uniform(0, 1, net.n_outputs), 2)
        target = "targets uniform in [0, 1]"
    how = (f"A sample drawn at random (seed {seed}): {where}, {target}. Click an input or a target to change it, "
           "or choose Your CSV file (Data) to train on data.")
    return x.reshape(1, -1), y.reshape(1, -1), how


def notebook_rows(net, X: Any, y: Any, batch: int) -> tuple[np.ndarray, np.ndarray, str]:
    """The rows given to the notebook's Explorer (X, y) as the page's samples, checked as fit checks them and
    against the page's limits, and the page's words for them (which sample the chain rule follows, and where)."""
    from chainrule.nn.checks import as_2d_array, check_finite, same_length
    if X is None or y is None:
        raise ValidationError(f"Explorer: give X and y together (the samples and their targets); got "
                              f"{'X' if y is None else 'y'} alone")
    X = as_2d_array(X, "X", net.dtype, net.n_inputs)
    check_finite(X, "X")
    Y = net.targets(y)
    same_length(X, Y, "X", "y")
    if len(X) > limits.MAX_ROWS:
        raise ValidationError(f"Explorer: X has {len(X):,} rows; the explorer trains on at most {limits.MAX_ROWS:,} "
                              f"(give a part, X[:{limits.MAX_ROWS}], y[:{limits.MAX_ROWS}])")
    how = (f"{GIVEN}: 1 sample." if len(X) == 1 else
           f"{GIVEN}: {len(X):,} samples; choose which one the chain rule follows under Sample "
           f"(numbered from 1, X[0] is sample 1)." if len(X) > batch else
           f"{GIVEN}: {len(X)} samples, the chain rule of the whole batch; Sample shows one of them "
           f"(numbered from 1, X[0] is sample 1).")
    return X, Y, how


def raw_sample(pre, rng: np.random.Generator) -> Any:
    """A row of the columns `pre` was fitted on (a one-row DataFrame): each numeric column its mean plus
    a standard normal (two decimals) times its scale, so that it standardizes to that number; each
    text column one of its categories."""
    import pandas as pd
    z = np.round(rng.standard_normal(len(pre.numeric)), 2)
    cells: dict[str, Any] = {c: [pre.raw_value(j, z[j])] for j, c in enumerate(pre.numeric)}
    for c in pre.text:
        cells[c] = [pre.categories[c][rng.integers(len(pre.categories[c]))]]
    return pd.DataFrame(cells, columns=pre.columns)


def load(s, what: str, name: str = "moons", n: int = 200, noise: float = 0.1, seed: int = 0) -> None:
    """The seed network, a generated data set, or (what="start") what the session opened on."""
    if what == "start":
        return reset(s)
    s.origin = what
    if what == "seed":
        net, X, Y, lr = cr.examples.seed_network()
        s._set_problem("seed", "The seed's 2-2-2 network", net, X, Y, None, None, dict(SEED_ARCH), ("sgd", {"lr": lr}))
        s.pristine = True
        return None
    if what != "dataset":
        raise ValidationError(f"load: what must be 'seed', 'dataset' or 'start'; got {what!r}")
    Xall, y = datasets.make(name, n, noise, seed)
    order = np.random.default_rng(seed).permutation(len(y))
    n_test = max(1, round(0.3 * len(y)))
    test, train = order[:n_test], order[n_test:]
    net = build(2, 1, DATA_ARCH)
    Y = y.reshape(-1, 1).astype(float)
    s._set_problem("dataset", f"{name}: {len(train)} training and {n_test} test points", net,
                   Xall[train], Y[train], Xall[test], Y[test], dict(DATA_ARCH), ("adam", {"lr": 0.03}))
    s.data = {"name": name, "n": n, "noise": noise, "seed": seed}
    return None


def upload_csv(s, data: bytes, filename: str, target: str | None) -> list[str] | None:
    """A CSV file sent by the page, read and preprocessed as `chainrule train` does. Without a
    target, returns the columns to choose from (and loads nothing)."""
    read_csv, _ = tabular()
    table = read_csv(NamedBytes(data, filename))
    if not target:
        return list(table.columns)
    load_table(s, table, target, filename, None)
    s.origin = "upload"
    return None


def load_table(s, table, target: str | None, name: str, model: Any, stored: Any = None) -> None:
    """A CSV table (80% training rows, 20% test rows from 10 rows on), preprocessed as `chainrule
    train` does (statistics from the training rows), for a new network (one tanh hidden layer) or
    for `model`; with `stored`, the model file's own preprocessing (`chainrule train`'s statistics,
    which its weights were trained on), as `chainrule evaluate` reads a file."""
    _, Preprocessing = tabular()
    if len(table) > limits.MAX_ROWS:
        raise ValidationError(f"{name} has {len(table)} rows; the explorer trains on at most {limits.MAX_ROWS} "
                              "(use `chainrule train` for larger files)")
    if not isinstance(target, str):
        raise ValidationError(f"choose the target column of {name}; columns are {list(table.columns)}")
    order = np.random.default_rng(0).permutation(len(table))
    n_test = round(0.2 * len(table)) if len(table) >= 10 else 0
    test, train = order[:n_test], order[n_test:]
    rows = np.zeros(len(table), bool)
    rows[train] = True
    # the statistics (means, scales, categories) from the training rows alone, as `chainrule train`
    # (and scikit-learn) fit them: the test rows must not shape the inputs they are scored on
    if stored is not None and stored.target != target:
        raise ValidationError(f"the model was trained to predict column {stored.target!r}; the target given is "
                              f"{target!r}")
    pre = stored if stored is not None else Preprocessing.fit(table, target, train=rows if n_test else None)
    try:
        X = pre.transform(table, sparse=False)      # the explorer draws every input: dense
    except ValidationError as exc:      # the model's columns, not this file's: say which file lacks them
        if stored is None or name in str(exc):
            raise
        raise ValidationError(f"{name}: {exc}") from None
    classify = pre.task == "classification"
    if X.shape[1] > limits.MAX_INPUTS or (classify and len(pre.classes) > limits.MAX_UNITS):
        raise ValidationError(f"{name} gives {X.shape[1]} inputs and {len(pre.classes)} classes; the explorer "
                              f"draws at most {limits.MAX_INPUTS} inputs and {limits.MAX_UNITS} classes")
    n_out = len(pre.classes) if classify else 1
    arch = {"hidden": [4], "activations": ["tanh"], "output_activation": "softmax" if classify else "linear",
            "loss": "categorical_crossentropy" if classify else "mse", "init": "auto", "seed": 0,
            "train_biases": True}
    net = build(X.shape[1], n_out, arch) if model is None else copy.deepcopy(model)
    if net.n_inputs != X.shape[1] or net.n_outputs != n_out:
        raise ValidationError(f"the model has {counted(net.n_inputs, 'input')} and {counted(net.n_outputs, 'output')}; "
                              f"{name} gives {counted(X.shape[1], 'input')} and {counted(n_out, 'output')}")
    Y = net.targets(pre.encode_target(table))
    opt, said = ("adam", {"lr": 0.01}), None
    if model is not None:       # the optimizer the model was trained with, where the page offers it
        opt, said = trained.page_optimizer(net.optimizer, opt)
    s._set_problem("csv", f"{name}: {pre.task} of {target!r}, {len(train)} training and {n_test} test rows",
                   net, X[train], Y[train], X[test] if n_test else None, Y[test] if n_test else None,
                   arch if model is None else arch_of(net), opt)
    trained.carry_state(net.optimizer, s.opt)
    s.pre, s.optimizer_from = pre, said
