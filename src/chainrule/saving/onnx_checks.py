"""The checks of an exported network's graph (`to_onnx(..., checks=True)`, the default): it refuses
what `chainrule predict` refuses, and gives the finite outputs predict gives where a float32 layer's
net input overflows.

The plain pass runs first, and one number says whether anything needs care: the sum of the inputs
plus the sum of the outputs, times 0, is NaN if any of them is NaN or infinite (two reductions, a
few nodes on the hot path). Only then an `If` takes the careful path (rare, so its cost is free):
- a row of the input holding NaN or an infinite number is refused (predict: "X contains NaN or
  infinity");
- a float32 network's rows whose outputs are NaN or infinite are computed again as nn/overflow.py
  does: each layer in float64 (no product of float32 numbers overflows there), its output rounded
  to float32. A saturated sigmoid, tanh or softmax is then exact (a softmax of logits beyond float32
  is 0 or 1, not NaN); a layer whose outputs float32 cannot hold (a ReLU or linear unit beyond
  3.4e38) is refused, naming the layer. A float64 network has nothing wider to compute in: such rows
  are refused (predict scales them by a power of two instead, which the graph does not).
A sum that overflows with finite numbers only takes the careful path for nothing: it finds the same.

Each refusal is onnx_tabular's: a Reshape of an empty tensor to the count of the rows, which fails
unless it is 0, named with what is wrong (onnxruntime's error quotes the name); each reshapes the
previous one's output, so the first check that fails is the one reported. The outputs of the nodes
outside the If are named "chainrule.check.*" (CHECK), and the If's else branch is the Identity of the
plain pass: `from_onnx` reads the network past them.
"""
from __future__ import annotations

import numpy as np

ROWS = "the requested shape says on how many rows"
CHECK = "chainrule.check."         # the outputs of the checks' nodes start so (PREFIX + "check.")


def _elem(dtype) -> int:
    from onnx import TensorProto
    return TensorProto.DOUBLE if np.dtype(dtype) == np.float64 else TensorProto.FLOAT


def bad_rows(g, x: str, dtype) -> str:
    """A bool tensor (N,): True where a row of `x` (N, k) holds NaN or infinity (x * 0 is NaN there)."""
    zero = g.const("zero", np.array(0, dtype=dtype))
    one = g.const("axis1", np.array([1], dtype=np.int64))
    sums = g.op("ReduceSum", [g.op("Mul", [x, zero], hint="times0"), one], hint="rowsum", keepdims=0)
    return g.op("IsNaN", [sums], hint="badrow")


def refuse(g, previous: str, mask: str, message: str) -> str:
    """A Reshape of the empty tensor `previous` to the count of True in `mask` (N,), named `message`:
    it fails unless the count is 0, and gives an empty tensor again for the next check."""
    from onnx import TensorProto
    ones = g.op("Cast", [mask], hint="count", to=TensorProto.INT64)
    return g.op("Reshape", [previous, g.op("ReduceSum", [ones], hint="count", keepdims=1)], hint="check",
                node_name=message)


def checked_outputs(g, net, layers: list, x_in: str, out: str, output: str | None, checked_input: bool) -> str:
    """`out` (the plain pass of `layers`, (index, layer, W, b) of each Dense, reading `x_in`) checked
    as the module's docstring says; written to `output` if given. `checked_input`: `x_in` needs no check."""
    from onnx import helper
    elem = _elem(net.dtype)
    total = g.op("ReduceSum", [out], hint="check.sum", keepdims=0)
    if not checked_input:
        total = g.op("Add", [g.op("ReduceSum", [x_in], hint="check.sum", keepdims=0), total], hint="check.sum")
    zero = g.const("check.zero", np.array(0, dtype=net.dtype))
    failed = g.op("IsNaN", [g.op("Mul", [total, zero], hint="check.times0")], hint="check.failed")
    plain = g.branch()
    kept = plain.op("Identity", [out], hint="plain")
    careful = g.branch()
    redone = _careful(careful, net, layers, x_in, out, checked_input)
    result = output or g.name("output")
    g.nodes.append(helper.make_node(
        "If", [failed], [result], name=g.name("If"),
        then_branch=careful.graph("careful", helper.make_tensor_value_info(redone, elem, None)),
        else_branch=plain.graph("plain", helper.make_tensor_value_info(kept, elem, None))))
    return result


def _careful(b, net, layers: list, x_in: str, out: str, checked_input: bool) -> str:
    """The nodes of the careful path into branch `b`; returns its output's name."""
    from onnx import TensorProto

    from .onnx import activation_node
    guard = b.const("empty", np.zeros(0, dtype=np.float64))
    if not checked_input:
        guard = refuse(b, guard, bad_rows(b, x_in, net.dtype), f"input {x_in!r} has NaN or an infinite number "
                       f"(chainrule's predict refuses it: X contains NaN or infinity); {ROWS}")
    wrong = bad_rows(b, out, net.dtype)
    if net.dtype == np.float64:
        a = out
        guard = refuse(b, guard, wrong, "the network's outputs are NaN or infinite on these rows: inputs far outside "
                       "the range it was trained on make a layer overflow float64 (about 1.8e+308; chainrule's "
                       f"predict computes them again scaled by a power of two); {ROWS}")
    else:
        a = x_in
        for i, layer, W, bias in layers:
            double = [b.op("Cast", [v], hint=f"layer{i}.double", to=TensorProto.DOUBLE) for v in (a, W, bias)]
            z = b.op("Gemm", double, hint=f"layer{i}.careful")
            z = activation_node(b, layer.activation, z, np.float64, f"layer{i}.careful", None)
            a = b.op("Cast", [z], hint=f"layer{i}.careful", to=TensorProto.FLOAT)
            overflows = b.op("And", [wrong, bad_rows(b, a, net.dtype)], hint=f"layer{i}.overflows")
            guard = refuse(b, guard, overflows, (
                f"layer {i} ({layer!r}) overflows float32 on these rows: its outputs go beyond float32's largest "
                "number (about 3.4e+38), for inputs far outside the range it was trained on; scale the inputs as "
                f"they were scaled for training, or export the network in float64; {ROWS}"))
        one = b.const("axis1", np.array([1], dtype=np.int64))
        a = b.op("Where", [b.op("Unsqueeze", [wrong, one], hint="wrong"), a, out], hint="careful")
    checked = b.op("ReduceSum", [guard], hint="checked", keepdims=0)          # 0.0, once every check passed
    if net.dtype != np.float64:
        checked = b.op("Cast", [checked], hint="checked", to=TensorProto.FLOAT)
    return b.op("Add", [a, checked], hint="careful")
