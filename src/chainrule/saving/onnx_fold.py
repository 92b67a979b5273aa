"""The constants of an ONNX graph as `from_onnx` reads them: initializers, Constant nodes, and nodes that read
constants only (a weight's Transpose, a Cast, a Reshape), each computed only when a layer reads it, within a
byte budget, and each traced to the tensor of the file it comes from (layers sharing one are refused); and the
shapes and types a layer reads them as (a matrix, a bias, a float slope)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ValidationError, counted

#: the nodes that, reading constants only, are computed when a layer reads them: each keeps its input's size or
#: less, except Cast (float16 to float64: 4 times), which the byte budget bounds
FOLDED = {"Transpose", "Cast", "CastLike", "Reshape", "Squeeze", "Unsqueeze", "Flatten", "Neg"}
#: the bytes all computed constants may take, as a multiple of the file's own constants: a float16 weight cast to
#: float64 (the largest growth of a weight's Cast) and a node after it (its Transpose) fit
GROWTH = 4
#: what the computed constants may hold beyond GROWTH times the bytes of the file's own constants
SPARE_BYTES = 2 ** 20
#: the advice of a refusal of the budget: constants folded before the import, where each is computed once
FOLD_FIRST = "fold the file's constants first, e.g. with onnx-simplifier (python -m onnxsim in.onnx out.onnx)"


def held_bytes(graph: Any) -> int:
    """The bytes of the graph's own constants, initializers and Constant nodes wherever they stand: the budget
    of the computed ones is set before the first is computed, so that it does not hang on the nodes' order."""
    constant = [a.t if a.name == "value" else a for n in graph.node if n.op_type == "Constant"
                and n.domain in ("", "ai.onnx") for a in n.attribute if a.name in ("value", *LISTED)]
    return sum(t.ByteSize() for t in [*graph.initializer, *constant])


#: a Constant node's value given as numbers rather than a tensor (opset 12): the NumPy type ONNX defines for each
LISTED = {"value_float": np.float32, "value_floats": np.float32, "value_int": np.int64, "value_ints": np.int64}


def constant_tensor(node: Any, source: str, where: str) -> Any:
    """A Constant node's tensor, whichever attribute holds it: 'value', or a number or list of numbers
    (value_floats=[...] is a float32 vector, value_float a float32 scalar, as onnxruntime reads them)."""
    from onnx import helper, numpy_helper
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    if "value" in attrs:
        return attrs["value"]
    for name, dtype in LISTED.items():
        if name in attrs:
            return numpy_helper.from_array(np.asarray(attrs[name], dtype=dtype))
    raise ValidationError(f"{source}: {where} holds {sorted(attrs) or 'no value'}; chainrule reads a Constant of "
                          f"numbers: 'value' (a tensor) or {', '.join(LISTED)}")


def matrix(value: np.ndarray, where: str) -> np.ndarray:
    """A layer's weights: a 2-D array."""
    if value.ndim != 2:
        raise ValidationError(f"{where} multiplies by an array of shape {value.shape}; expected 2-D")
    return value


def bias_vector(value: np.ndarray, n_out: int, where: str) -> np.ndarray:
    """A bias of shape (n_out,) from a constant of shape (n_out,), (1, n_out) or one value."""
    if value.size == 1:
        return np.full(n_out, value.reshape(-1)[0], dtype=value.dtype)
    if value.shape not in ((n_out,), (1, n_out)):
        raise ValidationError(f"{where} adds a bias of shape {value.shape} to {counted(n_out, 'output')}; "
                              f"expected ({n_out},), (1, {n_out}) or one value")
    return value.reshape(-1).copy()


def float_scalar(value: np.ndarray, name: str, where: str) -> np.ndarray:
    """A PRelu's slope or a Dropout's ratio: a float in ONNX (an int64 Constant(value_int=1) makes the graph one
    onnxruntime refuses), never read as a float silently."""
    if value.dtype.kind != "f":
        raise ValidationError(f"{where} reads {name!r} of {value.dtype.name}; expected a float (float32 or float64), "
                              "as ONNX defines it")
    return value


def slope(value: np.ndarray, name: str, width: int, dtype: np.dtype, rank: int, where: str) -> np.ndarray:
    """A PRelu's slope (or to_onnx's float64 leaky_relu's alpha) as chainrule's one leaky_relu slope: of the layer's
    dtype (onnxruntime refuses a float64 slope in a float32 graph, and the reverse), of a shape that broadcasts along
    each row of `width` (torch's nn.PReLU(num_parameters=width), 1 or width per axis, the rows' axis 1), and one value
    however many it holds (a slope per unit trained apart has no chainrule form)."""
    value = float_scalar(value, name, where)
    if value.dtype != dtype:
        raise ValidationError(f"{where} reads the slope {name!r} of {value.dtype.name} after a {np.dtype(dtype).name} "
                              "layer; ONNX takes them of one type (onnxruntime refuses the graph): cast the slope to "
                              f"{np.dtype(dtype).name}")
    shape = value.shape
    if len(shape) > rank or any(d != 1 for d in shape[:-1]) or (shape and shape[-1] not in (1, width)):
        raise ValidationError(f"{where} reads the slope {name!r} of shape {shape}, which does not broadcast along rows "
                              f"of the layer's {width} units; expected one slope, or one per unit: shape (1,) or "
                              f"({width},)")
    if value.size > 1 and np.any(value != value.reshape(-1)[0]):
        raise ValidationError(f"{where} has {value.size} different slopes (from {value.min()!s} to {value.max()!s}); "
                              "chainrule's leaky_relu has one, the same for every unit")
    return value


def graph_opset(model: Any, source: str) -> int:
    """The graph's opset of the default domain, refused where chainrule cannot know what its operators mean:
    before 7 (Dropout's default is_test=0 meant training mode), or past what the installed onnx package knows
    (a later opset may change an operator; onnx's checker and reference implementation know none of it)."""
    import onnx
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    if opset < 7:
        raise ValidationError(f"{source}: the model is of opset {opset}; chainrule reads opset 7 and later, as ONNX "
                              "Runtime does (before it, Dropout's default is_test=0 meant training mode)")
    known = onnx.defs.onnx_opset_version()
    if opset > known:
        raise ValidationError(f"{source}: the model is of opset {opset}, newer than the installed onnx package "
                              f"{onnx.__version__} knows (opset {known} at most), so what its operators mean is not "
                              f"known here: update onnx (pip install -U onnx), or export at opset {known} or earlier")
    return opset


class Constants:
    """The graph's constants by name, each value computed on first read (`value`), never before."""

    def __init__(self, source: str, opset: int, held: int) -> None:
        self.source, self.opset = source, opset
        self._tensors: dict[str, Any] = {}         # an initializer's or Constant node's TensorProto, unread
        self._nodes: dict[str, tuple[Any, str]] = {}     # a folded node's output -> (node, where)
        self._alias: dict[str, str] = {}           # an Identity's output -> the constant it copies
        self._origin: dict[str, str] = {}          # each constant -> the tensor of the file it is computed from
        self._values: dict[str, np.ndarray] = {}
        self.held = held                           # the bytes of the file's constants (held_bytes)
        self.used = 0                              # the bytes of the values computed from them

    def __contains__(self, name: object) -> bool:
        return name in self._origin

    def tensor(self, name: str, tensor: Any) -> None:
        """An initializer or a Constant node's value: read when a layer reads it."""
        self._tensors[name], self._origin[name] = tensor, name

    def alias(self, name: str, of: str) -> None:
        """An Identity of a constant: the same value, not a copy."""
        target = self._alias.get(of, of)
        self._alias[name], self._origin[name] = target, self._origin[of]

    def node(self, node: Any, where: str) -> None:
        """A node of constants only: computed when a layer reads one of its outputs."""
        for name in node.output:
            if name:
                self._nodes[name], self._origin[name] = (node, where), self._origin[node.input[0]]

    def origin(self, name: str) -> str:
        """The initializer or Constant node a constant is computed from (a weight's Transpose: the weight)."""
        return self._origin[name]

    def get(self, name: str) -> np.ndarray | None:
        """The constant's value, or None where `name` is no constant."""
        return self.value(name) if name in self else None

    def __getitem__(self, name: str) -> np.ndarray:
        return self.value(name)

    def value(self, name: str) -> np.ndarray:
        """The constant's value, computing the nodes it needs (not recursively: a chain may be long)."""
        from onnx import numpy_helper
        stack = [self._alias.get(name, name)]
        while stack:
            top = stack[-1]
            if top in self._values:
                stack.pop()
            elif top in self._tensors:
                if self._tensors[top].data_type == 8:       # STRING: Python objects, many times the file's bytes
                    raise ValidationError(f"{self.source}: the constant {top!r} holds strings, and a layer's "
                                          "weights are computed from it: weights are numbers")
                self._values[top] = numpy_helper.to_array(self._tensors[top])
                stack.pop()
            else:
                node, where = self._nodes[top]
                needed = [self._alias.get(n, n) for n in node.input if n]
                missing = [n for n in needed if n not in self._values]
                if missing:
                    stack.extend(missing)
                    continue
                self._compute(node, where, [self._values[n] for n in needed])
                stack.pop()
        return self._values[self._alias.get(name, name)]

    def _compute(self, node: Any, where: str, inputs: list[np.ndarray]) -> None:
        """A node's outputs by onnx's reference implementation of the graph's opset, a Cast to strings refused (its
        size is not known before), the bytes of all computed values within GROWTH times the file's constants'."""
        import onnx
        from onnx.reference import ReferenceEvaluator
        where, itemsize = f"{self.source}: {where}", inputs[0].itemsize
        if node.op_type in ("Cast", "CastLike"):
            to = next((a.i for a in node.attribute if a.name == "to"), None)
            target = inputs[1].dtype if node.op_type == "CastLike" and len(inputs) > 1 else \
                np.dtype(onnx.helper.tensor_dtype_to_np_dtype(to)) if to is not None else None
            if target is not None and target.kind in "OSU":
                raise ValidationError(f"{where} casts a constant to strings, whose bytes are not known before they "
                                      "are computed; chainrule computes a Cast of constants to numbers only")
            itemsize = target.itemsize if target is not None else itemsize     # no 'to': onnx's failure says so
        budget = GROWTH * self.held + SPARE_BYTES
        size = inputs[0].size * itemsize * len([n for n in node.output if n])     # each keeps its input's size
        if self.used + size > budget:
            raise ValidationError(f"{where} reads constants only, and computing it would make {self.used + size} "
                                  f"bytes of computed constants, past the {budget} this file allows ({GROWTH} times "
                                  f"its constants' {self.held} bytes, and {SPARE_BYTES}): {FOLD_FIRST}")
        try:
            feeds = {n: v for n, v in zip([n for n in node.input if n], inputs)}
            values = ReferenceEvaluator(node, opsets={"": self.opset}).run(None, feeds)
        except Exception as exc:  # noqa: BLE001  (a node from anywhere: whatever it fails with is the answer)
            from .onnx_import import _said
            raise ValidationError(f"{where} reads constants only, and computing it failed: {_said(exc)}") from None
        results = {name: np.asarray(v) for name, v in zip(node.output, values) if name}
        self.used += sum(v.nbytes for v in results.values())
        self._values.update(results)
