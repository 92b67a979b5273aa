"""A fitted chainrule estimator's export (see `onnx.to_onnx`): its predict and predict_proba as the graph's outputs
after its network's, its classes_ in the metadata; and, for `from_onnx`, that graph's network part alone."""
from __future__ import annotations

import json
from typing import Any

import numpy as np

from .onnx_tabular import class_outputs
from .onnx_target import estimator_kind


def backprop_estimator(obj: Any) -> bool:
    """Whether `obj` is a chainrule estimator (BackpropClassifier, BackpropRegressor), fitted or not."""
    import sys
    backprop = sys.modules.get("chainrule.sklearn.backprop")     # imported where an estimator exists
    return backprop is not None and isinstance(obj, backprop._Backprop)


def backprop_classifier(obj: Any) -> bool:
    """Whether `obj` is a chainrule classifier (BackpropClassifier), fitted or not."""
    return backprop_estimator(obj) and hasattr(obj, "predict_proba")


def fitted_estimator(obj: Any) -> Any:
    """`obj` if a fitted chainrule estimator, whose export adds what its network has not: a classifier's predict and
    classes_ (binary, multiclass, of one class or multi-label), a regressor's predict (its shape). Else None."""
    if not backprop_estimator(obj) or "network_" not in vars(obj):
        return None
    if not backprop_classifier(obj):
        return obj if isinstance(getattr(obj, "_y_1d", None), bool) else None
    kinds = ("binary", "multiclass", "unary", "multilabel-indicator")
    return obj if getattr(obj, "_kind", None) in kinds else None


def estimator_outputs(g, estimator, out: str, elem: int) -> tuple[list, dict[str, str]]:
    """A classifier's "label" and "probabilities" as its predict and predict_proba (a binary one's network gives
    classes_[1]'s probability p: the columns are 1 - p, p), and its classes in the metadata. "label", not
    "prediction", which marks a CSV model's graph (`chainrule export`, read by `chainrule info` as one). A classifier
    of one class gives it with probability 1.0 (its network's output times 0, plus 1: NaN in, NaN out as the rest).
    A multi-label one's "label" is its 0/1 matrix, each label's probability above 0.5."""
    if not backprop_classifier(estimator):
        return _regressor_outputs(g, estimator, out, elem), {"chainrule.task": "regression"}
    classes = estimator.classes_.tolist()
    told = {"chainrule.task": "classification", "chainrule.classes": json.dumps(classes, ensure_ascii=False)}
    if estimator._kind == "multilabel-indicator":
        return _multilabel_outputs(g, len(classes), out, elem, estimator.network_.dtype), told
    if estimator._kind == "unary":
        dtype = estimator.network_.dtype
        zero, one = (g.const(name, np.array(v, dtype=dtype)) for name, v in (("zero", 0), ("one", 1)))
        out = g.op("Add", [g.op("Mul", [out, zero], hint="certain"), one], hint="probabilities")
    if estimator._kind == "binary":
        one = g.const("one", np.ones((1, 1), dtype=estimator.network_.dtype))
        out = g.op("Concat", [g.op("Sub", [one, out], hint="other"), out], hint="probabilities", axis=1)
    named = f"the classes_ of {getattr(type(estimator), 'shown_as', type(estimator).__name__)}: {classes}"
    return class_outputs(g, classes, out, elem, named, "label"), told


def _regressor_outputs(g, estimator, out: str, elem: int) -> list:
    """A regressor's "variable" (skl2onnx's name for a regressor's output): its predict, (N,) where fitted on a 1-D y
    as predict gives it (skl2onnx's (N, 1) needs a reshape to compare or assign), else the network's (N, targets)."""
    from onnx import helper
    n = estimator.network_.n_outputs
    axis = [g.const("axis", np.array([1], dtype=np.int64))] if estimator._y_1d else []
    g.op("Squeeze" if estimator._y_1d else "Identity", [out, *axis], output="variable")
    return [helper.make_tensor_value_info("variable", elem, ["N"] if estimator._y_1d else ["N", n], doc_string=(
        "predict's values: " + ("one value per row" if estimator._y_1d else f"one column per target ({n})")))]


def _multilabel_outputs(g, count: int, out: str, elem: int, dtype) -> list:
    """A multi-label classifier's "label" (int64 0/1, predict's: p > 0.5) and "probabilities" (predict_proba's)."""
    from onnx import TensorProto, helper

    g.op("Identity", [out], output="probabilities")
    above = g.op("Greater", [out, g.const("half", np.array(0.5, dtype=dtype))], hint="above")
    g.op("Cast", [above], output="label", to=TensorProto.INT64)
    return [helper.make_tensor_value_info("label", TensorProto.INT64, ["N", count], doc_string=f"predict's 0/1 "
                                          f"matrix: 1 where a label's probability is above 0.5 ({count} labels)"),
            helper.make_tensor_value_info("probabilities", elem, ["N", count],
                                          doc_string="each label's probability, one column per label")]


def estimator_network(model):
    """Of an estimator's export (to_onnx(BackpropClassifier or BackpropRegressor)), its network's graph: the nodes to
    "output", without those after it (its predict, predict_proba) and their constants; any other model as it is."""
    if estimator_kind(model) is None:
        return model
    network = type(model)()
    network.CopyFrom(model)
    graph = network.graph
    del graph.node[1 + max(i for i, node in enumerate(graph.node) if "output" in node.output):]
    del graph.output[1:]
    read = _names_read(graph)
    kept = [t for t in graph.initializer if t.name in read]
    del graph.initializer[:]
    graph.initializer.extend(kept)
    return network


def _names_read(graph) -> set[str]:
    """Every tensor name the graph's nodes read, those of their subgraphs (an If's branches) too."""
    read = set()
    for node in graph.node:
        read.update(node.input)
        for attr in node.attribute:
            for sub in ([attr.g] if attr.HasField("g") else []) + list(attr.graphs):
                read |= _names_read(sub)
    return read
