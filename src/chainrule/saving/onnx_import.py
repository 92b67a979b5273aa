"""`from_onnx`: a Network from an ONNX graph of a multilayer perceptron."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..data.filecontent import exported
from ..errors import ChainruleTypeError, ModelFileError, ValidationError
from ..nn.dropout import Dropout
from ..nn.layers import Dense
from ..nn.losses import LOSSES
from ..nn.network import Network
from .files import not_a_path
from .mlp import (
    attach_activation,
    build_network,
    dense_layer,
    dropout_layer,
    not_computable,
    stored_scalar,
    weights_dtype,
)
from .modelkind import not_a_file, not_onnx
from .onnx_checks import CHECK
from .onnx_estimator import estimator_network
from .onnx_fold import (
    FOLDED,
    Constants,
    bias_vector,
    constant_tensor,
    float_scalar,
    graph_opset,
    held_bytes,
    matrix,
    slope,
)
from .onnx_input import declared_rank, flat_rows, rows_input, weights_as_inputs
from .onnx_patterns import leaky_relu_pattern, sigmoid_pattern

ONNX_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softmax": "softmax"}
#: the node types from_onnx reads as a chain of layers (Greater and Neg only as to_onnx's leaky_relu and sigmoid)
READ = {"Gemm", "MatMul", "Add", *ONNX_ACTIVATIONS, "LeakyRelu", "PRelu", "Greater", "Neg", "Identity", "Dropout",
        "Flatten"}
#: the Cast of the graph's input read as predict's conversion: ONNX's FLOAT and DOUBLE
CAST_TO = {1: np.float32, 11: np.float64}
SUPPORTED = ("Gemm, MatMul, Add, Sigmoid (or 1 / (1 + Exp(-x))), Tanh, Relu, LeakyRelu, PRelu, Softmax, Identity, "
             "Dropout and Flatten of rows")


#: how to make a float16 (or bfloat16) ONNX model one chainrule reads
ONNX_CONVERT = ("convert the model to float32 first: export it again from its framework in float32, or cast its "
                "weights, e.g. for t in model.graph.initializer: t.CopyFrom(onnx.numpy_helper.from_array("
                "onnx.numpy_helper.to_array(t).astype('float32'), t.name))")


def from_onnx(path_or_model: Any, loss: str | None = None) -> Network:
    """A Network from an ONNX MLP graph: a chain of Gemm (or MatMul and Add) nodes and the
    activations Sigmoid, 1 / (1 + Exp(-x)) (to_onnx's sigmoid), Tanh, Relu, LeakyRelu, PRelu (one slope),
    Where(x > 0, x, x * alpha) (to_onnx's float64 leaky_relu), Softmax (last axis), with
    Identity, Dropout and a Flatten of rows (torch's nn.Flatten on a 2-D input) passed through. Weights
    must be initializers or Constant nodes, or nodes reading them only (a Transpose, Cast, Reshape:
    computed as onnx's reference implementation does, when a layer reads them, within four times the
    bytes of the file's constants; onnx_fold).
    A file or a ModelProto is checked by onnx.checker first; opsets before 7 or newer than the
    onnx package knows, and a Dropout with training_mode true, are refused. A graph exported by
    `to_onnx` with CSV preprocessing (one input per column) is refused; the checks of its other graphs
    (onnx_checks) are read past. `loss` None: the loss a graph of `to_onnx` names in its metadata,
    else categorical cross-entropy after a softmax and mse otherwise. The layers that graph's metadata
    says frozen are frozen again."""
    import onnx
    if isinstance(path_or_model, onnx.ModelProto):
        model, source = path_or_model, "the ONNX model"
        constants = [a.t for node in model.graph.node for a in node.attribute if a.HasField("t")]
        for t in list(model.graph.initializer) + constants:
            if t.data_location == onnx.TensorProto.EXTERNAL:
                where = {e.key: e.value for e in t.external_data}.get("location", "?")
                raise ValidationError(f"{source}: the tensor {t.name!r} keeps its data in an external file "
                                      f"({where!r}), which an in-memory model has no folder to read it from: give "
                                      "the .onnx file's path, or onnx.load it with its external data")
        try:
            onnx.checker.check_model(model)
        except Exception as exc:  # noqa: BLE001  (a model from anywhere: the checker's every complaint is the answer)
            raise ValidationError(f"{source} is not a valid ONNX model (onnx.checker): {_said(exc)}") from None
    else:
        if isinstance(path_or_model, Network):
            raise ChainruleTypeError("path must be a file name or an onnx.ModelProto; got a chainrule Network, which "
                                     "is one already (cr.to_onnx(net, path) writes its ONNX)")
        if not isinstance(path_or_model, (str, os.PathLike)):
            raise not_a_path(path_or_model, "path", "a file name (str or os.PathLike) or an onnx.ModelProto")
        source = str(path_or_model)
        if not Path(source).is_file():
            raise ModelFileError(not_a_file(Path(source), "onnx"))
        try:
            model = onnx.load(source)
            onnx.checker.check_model(model)
        except Exception as exc:  # noqa: BLE001  (a file from anywhere: every failure to read it is a bad file)
            raise ModelFileError(not_onnx(Path(source), _said(exc))) from None
    opset = graph_opset(model, source)
    model = estimator_network(model)
    graph = model.graph
    if exported(model):
        raise ValidationError(f"{source} is a graph written by `chainrule export` with its CSV preprocessing (inputs "
                              f"{[v.name for v in graph.input]}, the raw columns): no network alone; load the .npz it "
                              "was exported from (chainrule.load) for the network (`chainrule info` describes this "
                              "graph)")
    consts = Constants(source, opset, held_bytes(graph))
    for t in graph.initializer:
        consts.tensor(t.name, t)
    initializers = {t.name for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in consts]
    weights_as_inputs(graph, inputs, source)
    if len(inputs) != 1 or len(graph.output) != 1:
        raise ValidationError(f"{source}: an MLP graph has one input and one output; this one has inputs "
                              f"{[v.name for v in inputs]} and outputs {[v.name for v in graph.output]}")
    current = inputs[0].name
    items: list = []
    pending: dict | None = None            # a MatMul waiting for its Add
    weights: list[np.ndarray] = []

    def const(name: str, node) -> np.ndarray:
        if name not in consts:
            raise ValidationError(f"{source}: node {node.name!r} ({node.op_type}) takes {name!r}, which is not a "
                                  "constant; an MLP's weights are initializers")
        return consts.value(name)

    readers: dict[str, str] = {}           # a weight's initializer -> the node that reads it

    def weight(name: str, node, where: str) -> np.ndarray:
        """A layer's weights or bias, read by this node only (directly or through a Transpose, a Cast...):
        chainrule's layers each own theirs."""
        value = const(name, node)
        origin = consts.origin(name)
        if origin in readers:
            of = "" if origin == name else f" (computed from {origin!r})"
            raise ValidationError(f"{source}: {where} reads the weights {name!r}{of} that {readers[origin]} reads "
                                  "too: chainrule's layers each own their weights (training would untie them)")
        readers[origin] = where
        if value.dtype not in (np.float32, np.float64):
            kind = "initializer" if name in initializers else "constant"
            fix = ONNX_CONVERT if value.dtype.kind == "f" or "float" in value.dtype.name else "give it float32 weights"
            what = f"{source}: {where} reads the {kind} {name!r}, which"
            raise ValidationError(not_computable(what, value.dtype.name, fix))
        return value

    def _slope(value: np.ndarray, name: str, where: str) -> np.ndarray:
        """The slope after the Dense layer just read, one value of its dtype (after none: attach_activation's)."""
        if not items or items[-1][1] is None:
            return value
        W = items[-1][1][0]
        return slope(value, name, W.shape[-1], W.dtype, 1 if last_axis == (-1, 0) else 2, f"{source}: {where}")

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            items.append(dense_layer(pending["W"], pending.get("b"), "linear"))
            pending = None

    nodes, k = list(graph.node), -1
    # a Softmax's axis that is the last: 1 (or -1) of rows; 0 too of one sample (torch.onnx.export(model, x[0]) of
    # an opset < 13 writes Softmax's dim=0 as axis=0), whose layers keep the one axis
    last_axis = (-1, 0) if declared_rank(inputs[0]) == 1 else (-1, 1)
    ours = model.producer_name == "chainrule"
    cast_to = None                         # the dtype a Cast of the graph's input gives the first layer
    while k + 1 < len(nodes):
        k += 1
        node = nodes[k]
        where = f"node {k} {node.name!r} ({node.op_type})"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            consts.tensor(node.output[0], constant_tensor(node, source, where))
            continue
        if node.op_type == "Identity" and node.domain in ("", "ai.onnx") and node.input and node.input[0] in consts:
            consts.alias(node.output[0], node.input[0])     # a copy of a constant (torch.onnx.export writes them)
            continue
        if ours and node.output and node.output[0].startswith(CHECK):     # to_onnx's checks (onnx_checks)
            continue
        if ours and node.op_type == "If" and attrs["else_branch"].node and \
                list(attrs["else_branch"].node[-1].input) == [current]:     # the outputs' check: the plain pass
            current = node.output[0]
            continue
        if node.domain in ("", "ai.onnx") and node.op_type in FOLDED and all(n in consts for n in node.input if n):
            consts.node(node, where)     # a weight's Transpose, Cast...: computed when a layer reads it
            continue
        if node.op_type == "Cast" and node.domain in ("", "ai.onnx") and current == inputs[0].name == node.input[0] \
                and attrs.get("to") in CAST_TO:         # the input's cast to the weights' dtype (to_onnx's input_type)
            cast_to, current = CAST_TO[attrs["to"]], node.output[0]
            continue
        if node.domain not in ("", "ai.onnx"):
            raise ValidationError(f"{source}: {where} of domain {node.domain!r} has no chainrule form; an MLP graph "
                                  f"holds {SUPPORTED}")
        if node.op_type not in READ:        # named before the chain: a Conv's shape nodes read no layer's output
            raise ValidationError(f"{source}: {where} has no chainrule form; an MLP graph holds {SUPPORTED}")
        data = [name for name in node.input if name and name not in consts]
        if data != [current]:
            raise ValidationError(f"{source}: {where} does not continue the chain of layers (it reads {data}, "
                                  f"the chain is at {current!r})")
        if node.op_type in ("Gemm", "MatMul") and node.input[0] != current:
            raise ValidationError(f"{source}: {where} multiplies the constant {node.input[0]!r} by {current!r} "
                                  "(W @ x); a chainrule layer computes x @ W, each sample a row: give the chain as "
                                  "the first input")
        if node.op_type == "Add":
            if pending is None or "b" in pending:
                raise ValidationError(f"{source}: {where} does not follow a MatMul or a Gemm without its bias (C): "
                                      "chainrule reads Add only as the bias of such a layer")
            other = [n for n in node.input if n != current]
            pending["b"] = bias_vector(weight(other[0], node, where), pending["W"].shape[1], f"{source}: {where}")
            weights.append(pending["b"])
        elif node.op_type == "Gemm":
            flush()
            if attrs.get("transA", 0):
                raise ValidationError(f"{source}: {where} has transA=1; an MLP layer multiplies the samples as rows")
            W = matrix(weight(node.input[1], node, where), f"{source}: {where}")
            W = (W.T if attrs.get("transB", 0) else W) * np.asarray(attrs.get("alpha", 1.0), dtype=W.dtype)
            b = None
            if len(node.input) > 2 and node.input[2]:
                c = weight(node.input[2], node, where)      # beta in C's dtype: a float32 C of a float64 Gemm
                b = bias_vector(c * np.asarray(attrs.get("beta", 1.0), dtype=c.dtype), W.shape[1],   # stays float32,
                                f"{source}: {where}")       # refused as onnxruntime refuses it (weights_dtype)
            weights.extend([W] + ([] if b is None else [b]))
            if b is None:
                pending = {"W": W}          # an Add after it is its bias, as after a MatMul
            else:
                items.append(dense_layer(W, b, "linear"))
        elif node.op_type == "MatMul":
            flush()
            W = matrix(weight(node.input[1], node, where), f"{source}: {where}")
            weights.append(W)
            pending = {"W": W}
        elif node.op_type in ONNX_ACTIVATIONS or node.op_type in ("LeakyRelu", "PRelu"):
            flush()
            if node.op_type == "Softmax" and attrs.get("axis", -1) not in last_axis:
                raise ValidationError(f"{source}: {where} has axis={attrs['axis']}; chainrule's softmax is over "
                                      "the last axis")
            if node.op_type == "LeakyRelu":
                act: Any = {"name": "leaky_relu", "alpha": stored_scalar(np.float32(attrs.get("alpha", 0.01)))}
            elif node.op_type == "PRelu":
                act = {"name": "leaky_relu", "alpha": stored_scalar(_slope(const(node.input[1], node), node.input[1],
                                                                            where))}
            else:
                act = ONNX_ACTIVATIONS[node.op_type]
            attach_activation(items, act, f"{source}: {where}")
        elif node.op_type == "Greater":           # to_onnx's float64 leaky_relu: Where(x > 0, x, x * alpha)
            found = leaky_relu_pattern(nodes[k:k + 3], current, consts)
            if found is None:
                raise ValidationError(f"{source}: {where} is not the start of Where(x > 0, x, x * alpha), the one "
                                      "use of Greater chainrule reads (a leaky_relu)")
            flush()
            mul = nodes[k + 1]
            alpha = stored_scalar(_slope(found, [n for n in mul.input if n != current][0],
                                         f"node {k + 1} {mul.name!r} (Mul)"))
            attach_activation(items, {"name": "leaky_relu", "alpha": alpha}, f"{source}: {where}")
            k += 2
            node = nodes[k]
        elif node.op_type == "Neg":               # to_onnx's sigmoid: 1 / (1 + Exp(-x))
            if not sigmoid_pattern(nodes[k:k + 4], current, consts):
                raise ValidationError(f"{source}: {where} is not the start of 1 / (1 + Exp(-x)), the one use of Neg "
                                      "chainrule reads (a sigmoid)")
            flush()
            attach_activation(items, "sigmoid", f"{source}: {where}")
            k += 3
            node = nodes[k]
        elif node.op_type == "Identity":
            pass
        elif node.op_type == "Flatten":             # torch's nn.Flatten before the first Linear: rows stay rows
            layered = pending is not None or any(arrays is not None for _, arrays in items)   # a Dropout is no layer
            flat_rows(attrs, layered, inputs[0], f"{source}: {where}")
        elif node.op_type == "Dropout":
            flush()
            ratio = stored_scalar(np.float32(attrs["ratio"])) if "ratio" in attrs else 0.5
            if len(node.input) > 1 and node.input[1] in consts:
                ratio = stored_scalar(float_scalar(consts[node.input[1]], node.input[1], f"{source}: {where}"))
            if len(node.input) > 2 and node.input[2] and np.any(const(node.input[2], node)):
                raise ValidationError(f"{source}: {where} has training_mode true: ONNX drops at random even at "
                                      "inference then, which chainrule's predict never does; set it false (or "
                                      "leave the input out) for an inference Dropout")
            items.append(dropout_layer(ratio, f"{source}: {where}"))
        current = node.output[0]
    flush()
    rows_input(inputs[0], source)
    dims = inputs[0].type.tensor_type.shape.dim
    n_in = next((arrays[0].shape[0] for _, arrays in items if arrays is not None), None)
    if n_in is not None and dims and dims[-1].HasField("dim_value") and dims[-1].dim_value != n_in:
        raise ValidationError(f"{source}: the input {inputs[0].name!r} has {dims[-1].dim_value} features; the first "
                              f"layer takes {n_in}")
    if current != graph.output[0].name:
        raise ValidationError(f"{source}: the chain of layers ends at {current!r}, not at the output "
                              f"{graph.output[0].name!r}")
    props = {p.key: p.value for p in model.metadata_props}
    if loss is None:            # a graph of to_onnx says its network's loss; another's is guessed
        loss = props.get("chainrule.loss")
        loss = loss if loss in LOSSES else None
    dtype = weights_dtype(weights, source) if weights else cast_to or np.float64
    if cast_to is not None and np.dtype(cast_to) != dtype:
        raise ValidationError(f"{source}: the input {inputs[0].name!r} is cast to {np.dtype(cast_to).name}, but the "
                              f"layers' weights are {np.dtype(dtype).name}: a graph onnxruntime cannot run")
    net = build_network(items, loss, dtype)
    _freeze(net, props.get("chainrule.trainable"), source)
    return net


def _freeze(net: Network, stored: str | None, source: str) -> None:
    """Freeze again what to_onnx wrote as frozen: a list of each layer's trainable_params (None for Dropout)."""
    if stored is None:
        return
    try:
        flags = json.loads(stored)
    except (ValueError, RecursionError):     # RecursionError: brackets nested past Python's stack
        flags = None
    fits = isinstance(flags, list) and len(flags) == len(net.layers) and all(
        (f is None) == (type(layer) is Dropout) and (f is None or (
            isinstance(f, dict) and set(f) == {"W", "b"} and all(isinstance(v, bool) for v in f.values())))
        for f, layer in zip(flags, net.layers))
    if not fits:
        raise ValidationError(f"{source}: its metadata 'chainrule.trainable' is not a list of each layer's "
                              f"trainable parameters ({{'W': bool, 'b': bool}}, null for Dropout) of these "
                              f"{len(net.layers)} layers; got {stored[:100]!r}")
    for f, layer in zip(flags, net.layers):
        if isinstance(layer, Dense):
            layer.trainable = f



def _said(exc: Exception) -> str:
    """An exception's type and message on one line (the checker's runs over several)."""
    text = " ".join(line.strip() for line in str(exc).splitlines() if line.strip())
    return f"{type(exc).__name__}: {text[:300]}"
