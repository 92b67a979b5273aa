"""The numbers a forward pass starts from, written before it: a batch's inputs (one value per sample) and each sum's
weights, one sample's inputs beside the columns of X they are (a DataFrame's names)."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..data.csvfile import short
from ..nn.target_checks import given_as_labels
from .escape import one_line, tex_text
from .notation import shortened
from .numbers import fmt


def batch_inputs(inputs: list[dict], every: bool, symbol: Callable[[str], str] = str) -> str:
    """A batch's inputs, one value per sample, "i1 = [0.05, 0.2], i2 = [0.1, 0.3]", before its forward pass: its sums
    are not substituted (one sample's are), so these and each sum's weights (`weights_note`) are the numbers it
    starts from. Every one where the first layer's sums are written out (`every`), else its ends. `symbol`: a name
    as written (LaTeX's i_{1})."""
    line = [f"{input_label(u, symbol)} = {fmt(u['value'])}" for u in inputs]
    said = ", ".join(line) if every else shortened(line)
    return said if symbol is str else re.sub(r"\.\.\. and (\d+) more", r"\\ldots\\text{ and \1 more}", said)


def weights_note(neuron: dict, symbol: Callable[[str], str] = str) -> str:
    """The weights and bias of a neuron of a batch's forward pass, "(w1 = 0.15, w2 = 0.2, b_h1 = 0.35)", written after
    its sum's value as its note: with the inputs' line, what recomputes the sum; dropped with it by a neuron slice.
    `symbol`: a name as written (LaTeX's w_{1})."""
    pairs = zip(neuron["weights"] + [neuron["bias"]], neuron["weight_values"] + [neuron["bias_value"]])
    return "(" + ", ".join(f"{symbol(w)} = {fmt(v)}" for w, v in pairs) + ")"


def input_label(unit: dict, symbol: Callable[[str], str] = str) -> str:
    """An input's name with the column of X it is, where X had named columns (a DataFrame's): "i1 (sepal_length)",
    the learner's own words beside the report's. `symbol`: a name as written (LaTeX's i_{1}, the column as text)."""
    column = unit.get("column")
    if column is None:
        return symbol(unit["name"])
    if symbol is str:
        return f"{unit['name']} ({one_line(column)})"
    return symbol(unit["name"]) + tex_text(f" ({one_line(column)})")


def name_columns(units: list[dict], table: Any) -> None:
    """Each unit's column where `table` (X for the inputs, Y for the targets) is a DataFrame with named columns, one
    per unit: the learner's own names, kept in the report's data."""
    columns = getattr(table, "columns", None)
    if columns is not None and len(columns) == len(units) and all(isinstance(c, str) for c in columns):
        for unit, column in zip(units, columns):
            unit["column"] = column


def inputs_line(inputs: list[dict], what: str = "inputs") -> str | None:
    """One sample's inputs (or the targets, of any samples: `what`) with their columns, "inputs: i1 (sepal_length) =
    5.1, ...", before its forward pass (its sums write the values, not the columns); None where X (Y) had no named
    columns."""
    if not any("column" in u for u in inputs):
        return None
    named = [{**u, "name": "target_" + u["name"]} if what == "targets" else u for u in inputs]    # as E_o1 reads it
    return f"{what}: " + shortened([f"{input_label(u)} = {fmt(u['value'][0] if len(u['value']) == 1 else u['value'])}"
                                    for u in named])


def target_classes(Y: Any, k: int, task: str) -> dict | None:
    """How the targets stand for classes where they do, for the report's line that ties the error's 1s and 0s to
    them: class labels (one per sample, as `nn.target_checks` reads them: a one-hot row each for k > 1 outputs, and
    a single sigmoid's column of 0s and 1s) or
    a binary cross-entropy's rows of 0/1 classes (one per output, several labels per sample); else None (numbers
    given as the targets, visible as such, or a binary cross-entropy's probabilities)."""
    if task not in ("multiclass", "binary"):
        return None
    arr = np.asarray(getattr(Y, "values", Y))
    if given_as_labels(arr.shape, k, column=task == "binary"):
        labels = [int(v) if float(v).is_integer() else float(v) for v in arr.reshape(-1)]
        if task == "binary" and not set(labels) <= {0, 1}:
            return None
        return {"labels": labels, "names": None, "one_hot": k > 1}
    if task == "binary" and np.isin(arr, (0, 1)).all():
        return {"labels": None, "names": None, "one_hot": False}
    return None


def targets_line(d: dict) -> tuple[str, str] | None:
    """"target_o1 = 1, target_o2 = 0: class 0 as a one-hot row", the line before the error that says where its 1s
    and 0s come from, as text and as LaTeX (None where the targets were given as numbers). A sigmoid's 0/1 labels
    are their own classes: "target_o1 = [1, 0]: each sample's class, 1 or 0" (not "classes 1, 0" again)."""
    said = d.get("target_classes")
    if said is None:
        return None
    n, labels, names = d["n_samples"], said["labels"], said.get("names")
    values = [(t["name"], fmt(t["value"][0] if n == 1 else t["value"])) for t in d["targets"]]
    if labels is None or not (said["one_hot"] or names):      # 0/1 classes written as the values: said once
        what = ("each output's own class, 1 or 0" if len(values) > 1 else
                "the sample's class, 1 or 0" if n == 1 else "each sample's class, 1 or 0")
    else:
        column = said.get("column")         # a trained model's target column: the outputs line's P('species' = ...)
        shown = [str(c) if nm is None else f"{c} ({short(column)} = {short(nm)})" if column else f"{c} ({one_line(nm)})"
                 for c, nm in zip(labels, names or [None] * len(labels))]
        what = ("class " if n == 1 else "classes ") + ", ".join(shown)
        if said["one_hot"]:
            what += " as a one-hot row" if n == 1 else " as one-hot rows, one per sample"
    plain = shortened([f"target_{o} = {v}" for o, v in values])
    tex = re.sub(r"\.\.\. and (\d+) more", r"\\ldots\\text{ and \1 more}",
                 shortened([f"target_{{{o}}} = {v}" for o, v in values]))
    return f"{plain}: {what}", f"{tex} \\quad {tex_text(what)}"
