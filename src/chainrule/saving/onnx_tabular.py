"""The CSV preprocessing of a `chainrule train` model as ONNX nodes (see `onnx.to_onnx`), and the
checks of the raw columns that `chainrule predict` makes.

ONNX has no operator that raises an error, so each check is a Reshape of an empty tensor to
(count,), the count of the rows that `chainrule predict` would refuse: it fails unless the count
is 0, and onnxruntime's error quotes the node's name, which says what is wrong and where
("... while running Reshape node. Name:'column 'x' has an infinite value ...' ... requested
shape:{1}"). The checks' empty outputs are summed (0.0) into the features, so that no runtime
leaves them out.
"""
from __future__ import annotations

import json
import os

import numpy as np

from ..data.columns import BOOLEAN_WORDS, boolean_meaning
from ..data.encode import TEXT_MISSING
from ..data.markers import NA_MARKERS
from ..errors import ChainruleTypeError, ValidationError
from .onnx_scaling import standardised_nodes, unstandardised_nodes

PREFIX = "chainrule."              # internal tensor names; a column may not start with it
# what onnxruntime makes of Python's None and pandas' NA in a string input: missing unless a category,
# as chainrule takes them in a DataFrame and in a CSV cell (encode.TEXT_MISSING)
RUNTIME_MISSING = TEXT_MISSING


def preprocessing_dict(pre) -> dict:
    """The preprocessing as its JSON dict (from a Preprocessing object or the dict itself)."""
    data = pre.to_json() if hasattr(pre, "to_json") else pre
    read = "extra['tabular'] of net, extra = chainrule.load(path, with_extra=True)"
    if isinstance(data, (str, os.PathLike)):
        raise ChainruleTypeError(f"preprocessing must be a Preprocessing or its JSON dict; got the file name "
                                 f"{str(data)!r}: give {read} (or `chainrule export MODEL OUT`)")
    if not isinstance(data, dict):
        raise ChainruleTypeError(f"preprocessing must be a Preprocessing or its JSON dict; got {type(pre).__name__}")
    if "tabular" in data and "target" not in data:
        raise ValidationError(f"preprocessing is a model file's extra dict (keys {sorted(data)[:8]}); give its "
                              f"'tabular' entry, {read}")
    needed = {"target", "task", "numeric", "text", "means", "scales", "categories", "fill", "classes",
              "y_mean", "y_scale"}
    missing = sorted(needed - set(data))
    if missing:
        raise ValidationError(f"preprocessing lacks {missing}: expected the 'tabular' entry of a model file "
                              "written by `chainrule train`")
    return data


def _gap(pre: dict, c: str) -> str:
    """Why a missing value in column `c` is refused: the model has no fill value for it (the words of
    `chainrule predict`'s refusal, encode.gap_message)."""
    if pre.get("impute") is None:
        return "the model was trained without gaps there: train with --impute to fill them"
    return (f"the model was trained with --impute {pre['impute']}, but its file, written by an older chainrule, "
            "keeps no fill value for this column: fill the gaps in, or train the model again")


def refuse_unless_zero(g, counts: list[tuple[str, str]]) -> str | None:
    """A check per (count, message): count is an int64 tensor of shape (1,), and the check a Reshape
    named `message` that fails unless it is 0. Returns a double scalar 0.0 that depends on them all."""
    if not counts:
        return None
    empty = g.const("empty", np.zeros(0, dtype=np.float64))
    checks = [g.op("Reshape", [empty, count], hint="check", node_name=message) for count, message in counts]
    both = g.op("Concat", checks, hint="checks", axis=0) if len(checks) > 1 else checks[0]
    return g.op("ReduceSum", [both], hint="checks", keepdims=0)


def per_column(g, bad: str, k: int, hint: str) -> list[str]:
    """The count of True of each column of `bad` (N, k): k int64 tensors of shape (1,)."""
    from onnx import TensorProto, helper
    counts = g.op("ReduceSum", [g.op("Cast", [bad], hint=hint, to=TensorProto.INT64),
                                g.const(f"{hint}.axis", np.array([0], dtype=np.int64))], hint=hint, keepdims=0)
    if k == 1:
        return [counts]
    outs = [g.name(f"{hint}.count") for _ in range(k)]
    g.nodes.append(helper.make_node("Split", [counts, g.const(f"{hint}.split", np.ones(k, dtype=np.int64))], outs,
                                    name=g.name("Split"), axis=0))
    return outs


def preprocessing_nodes(g, pre: dict, net, checks: bool = True) -> tuple[list, str]:
    """Graph inputs (one per column) and the nodes that turn them into the network's input; with
    `checks`, refusing what `chainrule predict` refuses."""
    from onnx import TensorProto, helper

    columns = pre["numeric"] + pre["text"]
    clash = [c for c in columns if not c or c.startswith(PREFIX) or c in ("prediction", "probabilities")]
    if clash:
        raise ValidationError(f"column name {clash[0]!r} cannot name an ONNX input (it is empty, starts with "
                              f"{PREFIX!r}, or is the name of an output: 'prediction', 'probabilities'); rename "
                              "the column and train again")
    width = len(pre["numeric"]) + sum(len(pre["categories"][c]) for c in pre["text"])
    if width != net.n_inputs:
        raise ValidationError(f"the preprocessing gives {width} inputs but the network takes {net.n_inputs}: "
                              "they are not from the same model file")
    rows = "the {} columns side by side: every input must have the same number of rows"
    inputs, blocks, counts = [], [], []
    numeric = pre["numeric"]
    if numeric:
        for c in numeric:
            fill = pre["fill"].get(c)
            gaps = f"NaN where missing: filled with {fill!r}" if fill is not None else \
                f"no gaps (NaN is {'refused' if checks else 'not checked: exported with no checks'})"
            inputs.append(helper.make_tensor_value_info(c, TensorProto.DOUBLE, ["N", 1],
                                                        doc_string=f"column {c!r}: numbers (double), {gaps}"))
        x = g.op("Concat", list(numeric), hint="numeric", axis=1, node_name=rows.format("number")) if len(numeric) > 1 \
            else numeric[0]
        if any(c in pre["fill"] for c in numeric):
            fill = np.array([[pre["fill"].get(c, np.nan) for c in numeric]], dtype=np.float64)
            x = g.op("Where", [g.op("IsNaN", [x]), g.const("fill", fill), x], hint="filled")
        x = standardised_nodes(g, x, np.array(pre["means"], dtype=np.float64),
                               np.array(pre["scales"], dtype=np.float64), "column")
        if checks:
            counts += numeric_checks(g, pre, x, np.dtype(net.dtype))
        blocks.append(x)
    for c in pre["text"]:
        cats = [str(v) for v in pre["categories"][c]]
        typed = pre.get("typed")
        more = other_spellings(cats) if typed is None or c in typed else {}     # as written: exact text
        fill = pre["fill"].get(c)
        runtime = RUNTIME_MISSING if c not in (pre.get("other") or {}) else ()    # capped: 'other' values
        markers = [m for m in dict.fromkeys((*NA_MARKERS, *(pre.get("na_values") or []), *runtime))
                   if m not in cats and m not in more]
        gaps = f"missing ({', '.join(map(repr, markers))}) filled with {fill!r}" if fill is not None else \
            f"no gaps (the missing markers {', '.join(map(repr, markers))} are " \
            f"{'refused' if checks else 'not checked: exported with no checks'})"
        inputs.append(helper.make_tensor_value_info(c, TensorProto.STRING, ["N", 1],
                                                    doc_string=f"column {c!r}: text (string), {gaps}"))
        # a missing value ("", NA, a marker of --na-values) gets the filled category; a fill value past
        # --max-categories (a most frequent value tied with more than the limit) is 'other': all zeros
        if fill is not None and str(fill) in cats:
            more.update({m: cats.index(str(fill)) for m in markers})
        elif fill is None and markers and checks:        # refused, as `chainrule predict` refuses it
            marked = g.op("OneHotEncoder", [c], hint="marked", domain="ai.onnx.ml", cats_strings=markers, zeros=1)
            n = g.op("Cast", [g.op("ReduceSum", [marked], hint="marked", keepdims=0)], hint="marked",
                     to=TensorProto.INT64)
            counts.append((g.op("Reshape", [n, g.const("one", np.array([1], dtype=np.int64))], hint="marked"),
                           f"column {c!r} has a missing value ({_gap(pre, c)}); the requested shape says on how "
                           "many rows"))
        onehot = g.op("OneHotEncoder", [c], hint="onehot", domain="ai.onnx.ml", cats_strings=cats + list(more),
                      zeros=1)
        onehot = g.op("Flatten", [onehot], hint="onehot", axis=1)
        if more:                                         # each other spelling adds to its category's column
            merge = np.eye(len(cats))[list(range(len(cats))) + list(more.values())].astype(np.float32)
            onehot = g.op("MatMul", [onehot, g.const("spellings", merge)], hint="onehot")
        if typed is None or c in typed:
            onehot = by_meaning(g, c, cats, onehot)
        blocks.append(g.op("Cast", [onehot], hint="onehot", to=TensorProto.DOUBLE))
    if len(blocks) > 1:
        x = g.op("Concat", blocks, hint="features", axis=1, node_name=rows.format("number and text"))
    else:
        x = blocks[0]
    zero = refuse_unless_zero(g, counts)
    if zero is not None:
        x = g.op("Add", [x, zero], hint="checked")
    if net.dtype != np.float64:
        x = g.op("Cast", [x], hint="features", to=TensorProto.FLOAT)
    return inputs, x


def numeric_checks(g, pre: dict, x: str, dtype: np.dtype) -> list[tuple[str, str]]:
    """The (count, message) of each number column of the standardised `x`: NaN (a gap with no fill
    value), infinite, or too large for float32, refused as `chainrule predict` refuses them; one mask
    for all three (a comparison with NaN is false)."""
    numeric = pre["numeric"]
    top = g.const("largest", np.array(np.finfo(dtype).max, dtype=np.float64))
    bad = g.op("Not", [g.op("LessOrEqual", [g.op("Abs", [x], hint="size"), top], hint="finite")], hint="bad")
    large = "" if dtype == np.float64 else f", or one too large for the model's {dtype.name} once standardised"
    counts = []
    for n, c in zip(per_column(g, bad, len(numeric), "bad"), numeric):
        what = "an infinite value" if c in pre["fill"] else f"a missing value ({_gap(pre, c)}) or an infinite one"
        counts.append((n, f"column {c!r} has {what}{large}; the requested shape says on how many rows"))
    return counts


def other_spellings(categories: list[str]) -> dict[str, int]:
    """The spellings of a number or boolean category other than the stored one that `chainrule
    predict` takes as that category (encode.as_typed), with its index: categories learned from a
    column pandas read as numbers with gaps are stored as '10.0', and a file without gaps reads the
    same cell as '10' (a yes/no word in any case: `by_meaning`). The graph's OneHotEncoder matches text
    exactly."""
    import pandas as pd

    from ..data.encode import as_typed
    numbers = pd.to_numeric(pd.Series(categories, dtype="string"), errors="coerce")
    numbers = numbers.to_numpy(np.float64, na_value=np.nan)
    spellings: set[str] = set()
    for v in numbers:
        if np.isfinite(v):
            spellings.add(str(pd.Series([v], dtype=np.float64).astype("string")[0]))
            if v % 1 == 0 and abs(v) < 2**63:
                spellings.add(str(int(v)))
    candidates = sorted(spellings - set(categories))
    if not candidates:
        return {}
    codes = as_typed(categories, pd.Series(candidates, dtype="string"))
    return {text: int(code) for text, code in zip(candidates, codes) if code >= 0}


def by_meaning(g, c: str, cats: list[str], onehot: str) -> str:
    """`onehot` with a yes/no or true/false word in any case ('tRuE', 'YES') that matched no category read as the
    one category of its meaning ('True', or 'yes' of a yes/no column), as `chainrule predict` reads it
    (encode.as_typed, columns.boolean_meaning): the cell lowered (StringNormalizer) and matched to the words."""
    from onnx import TensorProto
    meant: dict[str, list[int]] = {}
    for k, category in enumerate(cats):
        if boolean_meaning(category) is not None:
            meant.setdefault(str(boolean_meaning(category)), []).append(k)
    words = [w for w, m in BOOLEAN_WORDS.items() if len(meant.get(m, [])) == 1]
    if not words:
        return onehot
    flat = g.op("Reshape", [c, g.const("flat", np.array([-1], dtype=np.int64))], hint="cells")
    # one cell more, cut off after: onnxruntime's StringNormalizer refuses 0 cells, a batch of 0 rows
    flat = g.op("Concat", [flat, g.const("pad", np.array([""], dtype=object))], hint="cells", axis=0)
    lowered = g.op("StringNormalizer", [flat], hint="lowered", case_change_action="LOWER",
                   locale="C")            # the words are ASCII: no language pack needed
    lowered = g.op("Slice", [lowered, *(g.const(k, np.array([v], dtype=np.int64)) for k, v in
                                        (("start", 0), ("end", -1)))], hint="lowered")
    lowered = g.op("Reshape", [lowered, g.const("column", np.array([-1, 1], dtype=np.int64))], hint="lowered")
    found = g.op("OneHotEncoder", [lowered], hint="words", domain="ai.onnx.ml", cats_strings=words, zeros=1)
    found = g.op("Cast", [g.op("Flatten", [found], hint="words", axis=1)], hint="words", to=TensorProto.FLOAT)
    to = np.zeros((len(words), len(cats)), dtype=np.float32)
    for i, w in enumerate(words):
        to[i, meant[BOOLEAN_WORDS[w]][0]] = 1.0
    matched = g.op("MatMul", [onehot, g.const("ones", np.ones((len(cats), 1), dtype=np.float32))], hint="matched")
    unmatched = g.op("Sub", [g.const("one", np.ones((1, 1), dtype=np.float32)), matched], hint="unmatched")
    meaning = g.op("MatMul", [found, g.const("meanings", to)], hint="meaning")
    return g.op("Add", [onehot, g.op("Mul", [meaning, unmatched], hint="meaning")], hint="onehot")


def output_nodes(g, pre: dict, net, out: str) -> list:
    """"prediction" (label or value) and, for a classifier, "probabilities"."""
    from onnx import TensorProto, helper

    elem = TensorProto.DOUBLE if net.dtype == np.float64 else TensorProto.FLOAT
    if pre["task"] == "regression":
        if net.n_outputs != 1:
            raise ValidationError(f"a regression preprocessing needs a network with 1 output; it has {net.n_outputs}")
        # un-scaled in double whatever the network's dtype, as Preprocessing.decode: float32 steps are 8 near 1e8
        if net.dtype != np.float64:
            out = g.op("Cast", [out], hint="prediction", to=TensorProto.DOUBLE)
        y = unstandardised_nodes(g, out, np.array(pre["y_mean"], dtype=np.float64),
                                 np.array(pre["y_scale"], dtype=np.float64), "prediction")
        g.op("Squeeze", [y, g.const("axis", np.array([1], dtype=np.int64))], output="prediction")
        return [helper.make_tensor_value_info("prediction", TensorProto.DOUBLE, ["N"],
                                              doc_string=f"the predicted {pre['target']!r}, in its own units")]
    classes = pre["classes"]
    if net.n_outputs != len(classes):
        raise ValidationError(f"the preprocessing has {len(classes)} classes but the network has {net.n_outputs} "
                              "outputs: they are not from the same model file")
    return class_outputs(g, classes, out, elem, f"the classes of {pre['target']!r}: {classes}")


def class_outputs(g, classes: list, probabilities: str, elem: int, named: str, label: str = "prediction") -> list:
    """`label` (the label of the most probable class) and "probabilities" (one column per class)."""
    from onnx import helper

    labels, label_elem = _labels(classes)
    g.op("Identity", [probabilities], output="probabilities")
    index = g.op("ArgMax", [probabilities], hint="class", axis=1, keepdims=0)
    g.op("Gather", [g.const("classes", labels), index], output=label, axis=0)
    named = classes_cut(named, len(classes), 1000)
    return [helper.make_tensor_value_info(label, label_elem, ["N"], doc_string=f"the predicted class, one of "
                                          f"{named}"),
            helper.make_tensor_value_info("probabilities", elem, ["N", len(classes)],
                                          doc_string=f"one column per class, in the order of {named}")]


def classes_cut(named: str, count: int, limit: int) -> str:
    """`named` (text naming the classes) cut to about `limit` characters where it says so; the metadata's
    chainrule.classes has them all."""
    if len(named) <= limit:
        return named
    return f"{named[:limit - 40]} ... ({count} classes: chainrule.classes in the metadata)"


def output_props(pre: dict) -> dict[str, str]:
    """The metadata a deployer reads (InferenceSession.get_modelmeta().custom_metadata_map, where onnxruntime
    shows no output's doc_string): the target, and a classifier's classes (JSON), the order of the
    probabilities' columns."""
    props = {"chainrule.target": str(pre["target"]), "chainrule.task": str(pre["task"])}
    if pre["task"] != "regression":
        props["chainrule.classes"] = json.dumps(pre["classes"], ensure_ascii=False)   # as written: é, not \u00e9
    return props


def _labels(classes: list) -> tuple[np.ndarray, int]:
    """The class labels as a constant tensor of their own type (bool, integer, number or text)."""
    from onnx import TensorProto
    if all(isinstance(c, bool) for c in classes):
        return np.array(classes, dtype=bool), TensorProto.BOOL
    if all(isinstance(c, int) and not isinstance(c, bool) for c in classes):
        return np.array(classes, dtype=np.int64), TensorProto.INT64
    if all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in classes):
        return np.array(classes, dtype=np.float64), TensorProto.DOUBLE
    return np.array([str(c) for c in classes], dtype=object), TensorProto.STRING
