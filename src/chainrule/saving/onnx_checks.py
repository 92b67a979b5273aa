"""The checks of an exported network's graph (`to_onnx(..., checks=True)`, the default): it refuses
what `chainrule predict` refuses, and gives the finite outputs predict gives where a layer's net input
overflows the network's dtype.

The plain pass runs first, and one number says whether anything needs care: the sum of every
layer's net input, times 0, is NaN if any of them is NaN or infinite (a reduction a layer, a few
nodes on the hot path; a NaN or infinite input makes the first layer's so, and a built-in activation
of finite net inputs is finite). The net inputs count, not only the outputs: a sigmoid or tanh of a net
input summed to inf (its terms overflowing, in an order where the exact sum is finite and of the other
sign) is a finite, wrong output. Only then an `If` takes the careful path (rare, so its cost is free):
- a row of the input holding NaN or an infinite number is refused (predict: "X contains NaN or
  infinity");
- the rows whose outputs or net inputs are NaN or infinite are computed again as nn/overflow.py does:
  each layer in double, each row's net input scaled by a power of two so that nothing overflows
  before the activation, its output rounded to the network's dtype. A saturated sigmoid, tanh or
  softmax is then exact (a softmax of logits beyond the dtype is 0 or 1, not NaN); a layer whose
  outputs the dtype cannot hold (a ReLU or linear unit beyond 3.4e38 in float32, 1.8e308 in float64)
  is refused, naming the layer.
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


def checked_outputs(g, net, layers: list, x_in: str, out: str, output: str | None, checked_input: bool,
                    shown: str | None = None, narrowed: bool = False) -> str:
    """`out` (the plain pass of `layers`, (index, layer, W, b, net input) of each Dense, reading `x_in`)
    checked as the module's docstring says; written to `output` if given. `checked_input`: `x_in` needs no check.
    `shown`: the graph input's name where `x_in` is its cast (to_onnx's input_type), for the refusal's words;
    `narrowed`: that cast is float64's to float32, which makes a number beyond float32's range infinite."""
    from onnx import helper
    elem = _elem(net.dtype)
    # a built-in activation of finite net inputs is finite, and a NaN or infinite input makes the first
    # layer's net inputs so: the net inputs say it all (the input and output where there is no Dense)
    watched = [z for *_, z in layers] or [out, *([] if checked_input else [x_in])]
    sums = [g.op("ReduceSum", [t], hint="check.sum", keepdims=0) for t in watched]
    total = g.op("Sum", sums, hint="check.sum") if len(sums) > 1 else sums[0]
    zero = g.const("check.zero", np.array(0, dtype=net.dtype))
    failed = g.op("IsNaN", [g.op("Mul", [total, zero], hint="check.times0")], hint="check.failed")
    plain = g.branch()
    kept = plain.op("Identity", [out], hint="plain")
    careful = g.branch()
    redone = _careful(careful, net, layers, x_in, out, checked_input, shown or x_in, narrowed)
    result = output or g.name("output")
    g.nodes.append(helper.make_node(
        "If", [failed], [result], name=g.name("If"),
        then_branch=careful.graph("careful", helper.make_tensor_value_info(redone, elem, None)),
        else_branch=plain.graph("plain", helper.make_tensor_value_info(kept, elem, None))))
    return result


def _careful(b, net, layers: list, x_in: str, out: str, checked_input: bool, shown: str, narrowed: bool) -> str:
    """The nodes of the careful path into branch `b`; returns its output's name."""
    from onnx import TensorProto

    guard = b.const("empty", np.zeros(0, dtype=np.float64))
    if not checked_input:
        beyond = f" or a number beyond float32's range ({np.finfo(np.float32).max:.2g}: predict refuses it too, X " \
            "has values too large for float32)" if narrowed else ""
        guard = refuse(b, guard, bad_rows(b, x_in, net.dtype), f"input {shown!r} has NaN or an infinite number{beyond} "
                       f"(chainrule's predict refuses it: X contains NaN or infinity); {ROWS}")
    wrong = bad_rows(b, out, net.dtype)             # the rows whose output or some layer's net input overflowed
    for *_, z in layers:
        wrong = b.op("Or", [wrong, bad_rows(b, z, net.dtype)], hint="wrong")
    kind, largest = net.dtype.name, f"{np.finfo(net.dtype).max:.2g}"
    a = x_in if checked_input else _zeroed(b, x_in, net.dtype, "input")
    powers = b.const("powers", 2.0 ** np.arange(-POWERS, POWERS + 1))      # one table for every layer
    for i, layer, W, bias, _ in layers:
        if net.dtype != np.float64:
            a = b.op("Cast", [a], hint=f"layer{i}.double", to=TensorProto.DOUBLE)
            W, bias = (b.op("Cast", [t], hint=f"layer{i}.double", to=TensorProto.DOUBLE) for t in (W, bias))
        z = _dense_exactly(b, layer, a, f"layer{i}.careful", (W, bias), powers)
        if net.dtype != np.float64:
            z = b.op("Cast", [z], hint=f"layer{i}.careful", to=TensorProto.FLOAT)
        a = z
        overflows = b.op("And", [wrong, bad_rows(b, a, net.dtype)], hint=f"layer{i}.overflows")
        guard = refuse(b, guard, overflows, (
            f"layer {i} ({layer!r}) overflows {kind} on these rows: its outputs go beyond {kind}'s largest number "
            f"(about {largest}), for inputs far outside the range it was trained on; scale the inputs as they were "
            "scaled for training" + (", or export the network in float64" if kind == "float32" else "") + f"; {ROWS}"))
        if i != layers[-1][0]:
            a = _zeroed(b, a, net.dtype, f"layer{i}")
    one = b.const("axis1", np.array([1], dtype=np.int64))
    a = b.op("Where", [b.op("Unsqueeze", [wrong, one], hint="wrong"), a, out], hint="careful")
    checked = b.op("ReduceSum", [guard], hint="checked", keepdims=0)          # 0.0, once every check passed
    if net.dtype != np.float64:
        checked = b.op("Cast", [checked], hint="checked", to=TensorProto.FLOAT)
    return b.op("Add", [a, checked], hint="careful")


def _zeroed(b, a: str, dtype, hint: str) -> str:
    """`a` with its NaN and infinite numbers 0: the rows refused go on, so that the next layer's scaling
    is finite (the refusal is reported, not an index beyond the table of powers)."""
    zero = b.const(f"{hint}.zero", np.array(0, dtype=dtype))
    bad = b.op("IsNaN", [b.op("Mul", [a, zero], hint=f"{hint}.times0")], hint=f"{hint}.bad")
    return b.op("Where", [bad, zero, a], hint=f"{hint}.kept")


POWERS = 600          # the table of 2^-600 .. 2^600: each half of a scaling exponent (-1000 .. about 1100)


def _dense_exactly(b, layer, a: str, hint: str, weights: tuple[str, str], powers: str) -> str:
    """f(a @ W + b) in double for the double tensor `a`, the layer's W and b the double tensors `weights` (the
    plain pass's, cast: the file keeps each weight once), as nn/overflow.dense_exactly computes it: each
    row's net input scaled by 2^-s (s from the row's largest number and the layer's, so that nothing
    overflows before f), shifted by its maximum for a softmax, scaled back by 2^s and given to f. ONNX
    has no ldexp: 2^-s is two factors read from a table of powers of two (exact, and each normal)."""
    from onnx import TensorProto

    from .onnx import activation_node
    W, bias = layer.W.astype(np.float64), layer.b.astype(np.float64)
    e_W, e_b = (int(np.frexp(np.max(np.abs(v), initial=0.0))[1]) for v in (W, bias))
    magnitude = b.op("Abs", [a], hint=f"{hint}.abs")
    top = b.op("GatherElements", [magnitude, b.op("ArgMax", [magnitude], hint=f"{hint}.top", axis=1, keepdims=1)],
               hint=f"{hint}.top", axis=1)                                     # each row's largest, (N, 1)
    # floor(log2(top)); + 1 below makes it frexp's exponent, as predict's (the float log may be one off
    # near a power of two: a scale one power of two apart, which the margin of 2^1000 covers)
    e_a = b.op("Floor", [b.op("Mul", [b.op("Log", [top], hint=f"{hint}.log"),
                                      b.const(f"{hint}.log2e", np.array(1 / np.log(2.0)))], hint=f"{hint}.log2")],
               hint=f"{hint}.exponent")
    bits = 1 + max(e_W, 0) + int(W.shape[0]).bit_length() + 1
    s = b.op("Max", [b.op("Add", [e_a, b.const(f"{hint}.bits", np.array(float(bits)))], hint=f"{hint}.s"),
                     b.const(f"{hint}.least", np.array(float(max(e_b + 1, 0))))], hint=f"{hint}.s")
    s = b.op("Sub", [s, b.const(f"{hint}.margin", np.array(1000.0))], hint=f"{hint}.s")
    half = b.op("Floor", [b.op("Mul", [s, b.const(f"{hint}.half", np.array(0.5))], hint=f"{hint}.half")],
                hint=f"{hint}.half")
    halves = [half, b.op("Sub", [s, half], hint=f"{hint}.half")]
    W_name, b_name = weights

    def power(h: str, sign: float) -> str:          # 2^(sign * h) for an integer-valued double h, (N, 1)
        index = b.op("Add", [b.op("Mul", [h, b.const(f"{hint}.sign", np.array(sign))], hint=f"{hint}.index"),
                             b.const(f"{hint}.offset", np.array(float(POWERS)))], hint=f"{hint}.index")
        return b.op("Gather", [powers, b.op("Cast", [index], hint=f"{hint}.index", to=TensorProto.INT64)],
                    hint=f"{hint}.power", axis=0)

    down = [power(h, -1.0) for h in halves]
    scaled_a = b.op("Mul", [b.op("Mul", [a, down[0]], hint=f"{hint}.a"), down[1]], hint=f"{hint}.a")
    scaled_b = b.op("Mul", [b.op("Mul", [b_name, down[0]], hint=f"{hint}.b"), down[1]], hint=f"{hint}.b")
    z = b.op("Add", [b.op("MatMul", [scaled_a, W_name], hint=f"{hint}.z"), scaled_b], hint=f"{hint}.z")
    if layer.activation.name == "softmax":           # shifted by the row maximum, as softmax itself does
        row_max = b.op("GatherElements", [z, b.op("ArgMax", [z], hint=f"{hint}.max", axis=1, keepdims=1)],
                       hint=f"{hint}.max", axis=1)
        z = b.op("Sub", [z, row_max], hint=f"{hint}.shifted")
    up = [power(h, 1.0) for h in halves]
    z = b.op("Mul", [b.op("Mul", [z, up[0]], hint=f"{hint}.net"), up[1]], hint=f"{hint}.net")
    return activation_node(b, layer.activation, z, np.float64, hint, None)
