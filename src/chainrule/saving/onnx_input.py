"""An ONNX graph's input as from_onnx reads it: its declared shape (rows of features, or one sample), a Flatten
of it that keeps rows as they are, and weights left as inputs with no values (an export without its parameters)."""
from __future__ import annotations

from typing import Any

from ..errors import ValidationError


def weights_as_inputs(graph: Any, inputs: list, source: str) -> None:
    """Refuse, naming them, weights that are inputs with no values (torch.onnx.export(..., export_params=False)):
    every input past the first read only as Gemm's B or C, MatMul's B or a 1-D Add operand (a bias); else it is data."""
    biases = {v.name for v in inputs[1:] if len(v.type.tensor_type.shape.dim) == 1}
    reads = [(node.op_type, i, name) for node in graph.node for i, name in enumerate(node.input)]
    weights = {(op, i, name) for op, i, name in reads if op == "Gemm" and i > 0 or op == "MatMul" and i == 1
               or op == "Add" and name in biases}
    extra = [v.name for v in inputs[1:]]
    if extra and all({r for r in reads if r[2] == e} <= weights and any(r[2] == e for r in reads) for e in extra):
        raise ValidationError(f"{source}: the weights {extra} are inputs of the graph with no values in the file "
                              "(torch.onnx.export(..., export_params=False) leaves them out): export the model with "
                              "its parameters (export_params=True, the default), which makes them initializers")


def flat_rows(attrs: dict, past_a_layer: bool, graph_input: Any, where: str) -> None:
    """A Flatten that keeps each row as it is (the identity): axis 1 (or -1) of a 2-D tensor, which the chain is
    past a layer (a Dense, not a Dropout, which keeps the input's shape), and the graph's input where it is
    declared 2-D; chainrule's networks take rows of numbers."""
    if attrs.get("axis", 1) not in (1, -1):
        raise ValidationError(f"{where} has axis={attrs['axis']}; chainrule reads a Flatten of axis 1 (or -1) only "
                              "(each sample a row)")
    if past_a_layer:
        return
    t = graph_input.type.tensor_type
    dims = declared_dims(graph_input)
    if not t.HasField("shape") or len(dims) != 2:
        shape = f"shape {tuple(dims)}" if t.HasField("shape") else "no declared shape"
        raise ValidationError(f"{where} flattens the input {graph_input.name!r} of {shape}; a chainrule network takes "
                              "rows of numbers, (N, features): export the model from a 2-D input (x.reshape(len(x), "
                              "-1)), or without the Flatten")


def declared_dims(graph_input: Any) -> list:
    """The input's declared shape: each axis' size, or its name ('N'), or '?'."""
    return [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?")
            for d in graph_input.type.tensor_type.shape.dim]


def declared_rank(graph_input: Any) -> int | None:
    """How many axes the input is declared with; None where its shape is not declared."""
    return len(declared_dims(graph_input)) if graph_input.type.tensor_type.HasField("shape") else None


def rows_input(graph_input: Any, source: str) -> None:
    """The graph's input declared as rows of features (N, features), or as one sample (features,): a model
    exported from one sample (torch.onnx.export(model, torch.randn(4))) computes each sample as the rows' graph
    does. An input of more axes is refused: ONNX's MatMul of an (N, 2, 3) input multiplies each of its N * 2 rows
    of 3 (an output of (N, 2, 1)), and an older Softmax (opset < 13) flattens the axes past its own, so its graph is
    not a network of rows. An input whose shape is not declared is taken as rows. The layers act on the last axis,
    so the export that keeps them takes each row of it as a sample (x.reshape(-1, x.shape[-1])); x.reshape(len(x),
    -1) would hand them rows of another width."""
    if not graph_input.type.tensor_type.HasField("shape"):
        return
    dims = declared_dims(graph_input)
    if len(dims) > 2:
        raise ValidationError(f"{source}: the input {graph_input.name!r} has shape {tuple(dims)}, {len(dims)}-D; "
                              "chainrule's layers take rows, (N, features): export the model from a 2-D input (the "
                              "layers act on each row of the last axis: x.reshape(-1, x.shape[-1]))")
