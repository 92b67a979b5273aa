"""The activations `to_onnx` writes as several nodes, recognised where `from_onnx` meets their first: its float64
leaky_relu, Where(x > 0, x, x * alpha), and its sigmoid, 1 / (1 + Exp(-x)) (each node one ONNX defines for every
dtype); a chain of other nodes is not one of them (None or False), which from_onnx refuses naming the node."""
from __future__ import annotations

import numpy as np

from .onnx_fold import Constants


def leaky_relu_pattern(nodes: list, x: str, consts: Constants) -> np.ndarray | None:
    """alpha when `nodes` are Greater(x, 0), Mul(x, alpha), Where(that, x, this); else None."""
    if len(nodes) < 3 or [n.op_type for n in nodes] != ["Greater", "Mul", "Where"]:
        return None
    greater, mul, where = nodes
    zero = consts.get(greater.input[1]) if list(greater.input[:1]) == [x] else None
    others = [name for name in mul.input if name != x]
    alpha = consts.get(others[0]) if len(others) == 1 and len(mul.input) == 2 else None
    if zero is None or np.any(zero != 0) or alpha is None or alpha.size == 0:
        return None
    if list(where.input) != [greater.output[0], x, mul.output[0]]:
        return None
    return alpha


def sigmoid_pattern(nodes: list, x: str, consts: Constants) -> bool:
    """Whether `nodes` are Neg(x), Exp, Add(that, 1) and Reciprocal (or Div(1, that)): a sigmoid."""
    if len(nodes) < 4 or [n.op_type for n in nodes[:3]] != ["Neg", "Exp", "Add"]:
        return False
    neg, exp, add, last = nodes[:4]
    one = [consts.get(name) for name in add.input if name != exp.output[0]]
    chained = list(neg.input) == [x] and list(exp.input) == [neg.output[0]] and exp.output[0] in add.input
    if not (chained and len(one) == 1 and one[0] is not None and one[0].size == 1 and np.all(one[0] == 1)):
        return False
    if last.op_type == "Reciprocal":
        return list(last.input) == [add.output[0]]
    numerator = consts.get(last.input[0]) if last.op_type == "Div" and len(last.input) == 2 else None
    return numerator is not None and numerator.size == 1 and bool(np.all(numerator == 1)) and \
        last.input[1] == add.output[0]
