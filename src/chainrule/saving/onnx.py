"""Export a network to ONNX, with the CSV preprocessing of `chainrule train` in the graph.

The network part is one Gemm per Dense layer (x @ W + b, W stored as chainrule keeps it) and
the activation's own ONNX operator (sigmoid as 1 / (1 + Exp(-x)): see `sigmoid_nodes`; in float64,
leaky_relu as Where(x > 0, x, x * alpha): see `leaky_relu_float64`); Dropout is written as ONNX's
Dropout, the identity at inference, so that its rate comes back on import. The
batch dimension is dynamic ("N"); the graph computes in the network's dtype (float32 or float64).

A model trained by `chainrule train` keeps its preprocessing in the model file. Exported with it,
the graph takes the raw columns, one input per column named after it (numbers as double, text
as string, each of shape (N, 1)), and repeats chainrule's steps: missing numbers filled, then
(x - mean) / scale in double, text one-hot encoded by the ONNX-ML OneHotEncoder (unseen values
give all zeros), then cast to the network's dtype. Scaling is written as Sub and Div rather than
the ONNX-ML Scaler because Scaler only outputs float32: it would round the inputs of a float64
network, and even of a float32 one it would differ from chainrule's (float64 arithmetic, then one
rounding). Outputs: "prediction" (the class label, or the regression value in the target's
units) and, for a classifier, "probabilities" (one column per class, in the order of the classes).
What `chainrule predict` refuses (a gap with no fill value, an infinite number) the graph refuses,
onnxruntime's error naming the column (onnx_tabular builds that part). The metadata names the
network's loss and (where one is frozen) its layers' trainable parameters, which `from_onnx` reads back.
"""
from __future__ import annotations

import itertools
import json
import os
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn.checks import flag
from ..nn.dropout import Dropout
from ..nn.layers import Dense
from ..nn.losses import LOSSES
from ..nn.network import Network
from .files import atomic_write, check_path
from .mlp import BUILTIN_ACTIVATIONS, DAMAGED, IMPORT_FIRST, refuse_non_finite
from .onnx_checks import checked_outputs
from .onnx_estimator import estimator_outputs, fitted_estimator
from .onnx_tabular import (
    PREFIX,
    classes_cut,
    output_nodes,
    output_props,
    preprocessing_dict,
    preprocessing_nodes,
)
from .onnx_target import target_outputs, target_wrapper

MIN_OPSET = 17
LOSS_KEY = "chainrule.loss"        # metadata_props: the network's loss (a built-in's name)
TRAINABLE_KEY = "chainrule.trainable"  # metadata_props: each layer's trainable_params (JSON), where one is frozen
MAX_BYTES = 2**31 - 1              # protobuf's limit on one message: a whole .onnx file without external data
ML_OPSET = 3                       # the ai.onnx.ml version that goes with opset 17 and later
ACTIVATION_OPS = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "leaky_relu": "LeakyRelu",
                  "softmax": "Softmax", "linear": None}


def _onnx():
    try:
        import onnx
    except ModuleNotFoundError as exc:
        from ..extras import absent, missing
        if not absent(exc, "onnx"):          # onnx there but broken (protobuf missing): its own error says which
            raise
        raise ImportError(missing("onnx", "ONNX export needs")) from None
    return onnx


class _Graph:
    """Nodes and constants of the graph being built, with unique internal names."""

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.initializers: list[Any] = []
        self.ids = itertools.count(1)

    def name(self, hint: str) -> str:
        return f"{PREFIX}{hint}.{next(self.ids)}"

    def branch(self) -> _Graph:
        """The nodes of a subgraph (an If's branch): names unique with the graph's, constants in it."""
        child = _Graph()
        child.ids, child.initializers = self.ids, self.initializers
        return child

    def graph(self, name: str, output: Any) -> Any:
        """This branch as a GraphProto of no inputs and the one `output` (a ValueInfoProto)."""
        from onnx import helper
        return helper.make_graph(self.nodes, name, [], [output])

    def const(self, hint: str, value: np.ndarray) -> str:
        from onnx import numpy_helper
        name = self.name(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], hint: str | None = None, output: str | None = None,
           domain: str = "", node_name: str | None = None, **attrs) -> str:
        """Append a node; `node_name` names it for a user (onnxruntime's errors quote it)."""
        from onnx import helper
        out = output or self.name(hint or op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=node_name or self.name(op_type),
                                           domain=domain, **attrs))
        return out


def to_onnx(net: Network, path: str | os.PathLike | None = None, opset: int = MIN_OPSET,
            preprocessing: Any = None, checks: bool = True, input_type: Any = None) -> Any:
    """Write `net` as an ONNX model (checked by onnx.checker) and return the ModelProto.

    Parameters
    ----------
    net : chainrule.Network of Dense and Dropout layers with built-in activations, or a fitted BackpropClassifier
        (binary, multiclass, of one class or multi-label): its network, with its predict and predict_proba as the
        outputs "label" and "probabilities" and its classes_ in the metadata (chainrule.classes), which its bare
        network_ has not; or a fitted BackpropRegressor: its network, with its predict as the output "variable"
        (shape (N,) where it was fitted on a 1-D y, as predict gives it; network_'s output is (N, 1)).
    path : file to write (.onnx); None only builds and returns the model.
    opset : ONNX opset version, 17 or later.
    preprocessing : the CSV preprocessing of a `chainrule train` model (a Preprocessing or its
        JSON dict, `extra["tabular"]` of `chainrule.load(path, with_extra=True)`): the graph
        then takes the raw columns and gives the predictions `chainrule predict` gives.
    checks : the graph refuses what `chainrule predict` refuses (NaN or infinite inputs, a layer's
        overflow; onnxruntime's error says what and where) and computes the rows where a layer's net
        input overflows again with care, as predict does (saving.onnx_checks). False leaves out every check:
        the bare network (NaN in, NaN out), a few microseconds faster per run.
    input_type : the dtype the graph's "input" takes (None: the network's). onnxruntime refuses any other than the
        one declared, where predict converts them all; e.g. "int64" for a service fed integer rows, "float64" for a
        float32 network fed double: a Cast to the network's dtype is then the graph's first node, as predict's
        astype. One of INPUT_TYPES, NumPy's name of one ("long", "i8") or torch's dtype (torch.long).
    """
    onnx = _onnx()
    from onnx import TensorProto, helper

    wrapper = target_wrapper(net)          # a regression's target rescaled: its inverse after the network
    estimator = fitted_estimator(net if wrapper is None else getattr(wrapper, "regressor_", None))
    if estimator is not None and preprocessing is not None:
        raise ValidationError("preprocessing is a `chainrule train` model's; an estimator's export takes the rows "
                              "its predict takes")
    net = net if estimator is None else estimator.network_
    if not isinstance(net, Network):
        raise ChainruleTypeError(_not_a_network(net))
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, np.integer):               # NumPy's integers are integers (np.bool_ is not one)
        opset = int(opset)
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        from ..data.advice import give  # `chainrule export` names its option: --opset
        raise ValidationError(f"{give('opset')} must be an integer from {MIN_OPSET} to {newest} (the newest this "
                              f"onnx package knows); got {opset!r}")
    checks = flag(checks, "checks")               # NumPy's bools too, as every other flag
    fed = _input_type(input_type, net.dtype, preprocessing)
    if path is not None:
        check_path(path)
    _fits_one_file(net.params.nbytes, "the network's weights take", path)     # before copying them into a graph
    elem = TensorProto.DOUBLE if net.dtype == np.float64 else TensorProto.FLOAT
    g = _Graph()
    if preprocessing is None:
        kind, cast = fed.name, fed != net.dtype
        said = (f"{kind} array of shape (N, {net.n_inputs}), as for predict: feed X.astype(np.{kind})"
                + (f", cast to the network's {net.dtype.name} in the graph" if cast else "")
                + ("; NaN or infinity is refused" if checks and fed.kind == "f" else ""))
        inputs = [helper.make_tensor_value_info("input", helper.np_dtype_to_tensor_dtype(fed), ["N", net.n_inputs],
                                                doc_string=said)]
        x = g.op("Cast", ["input"], hint="input.cast", to=elem, node_name="input as the network's dtype") \
            if cast else "input"
        out = network_nodes(g, net, x, output="output", checks=checks, shown="input",
                            narrowed=fed.itemsize > net.dtype.itemsize and fed.kind == "f")
        outputs = [helper.make_tensor_value_info("output", elem, ["N", net.n_outputs])]
        sizes = (f"{n} {word}{'s' * (n != 1)}" for n, word in ((net.n_inputs, "input"), (net.n_outputs, "output")))
        doc = f"chainrule network, {' -> '.join(sizes)} ({net.dtype.name})"
        told: dict[str, str] = {}
        if estimator is not None:      # predict's and predict_proba's answers, the classes_ named
            more, told = estimator_outputs(g, estimator, out, elem) if wrapper is None else \
                (target_outputs(g, wrapper, out, elem), {"chainrule.task": "regression"})
            outputs += more
            shown = getattr(type(estimator), "shown_as", type(estimator).__name__)     # a sweep's: the public name
            if wrapper is not None:
                shown = f"{type(wrapper).__name__} of {shown}, the target rescaled"
                outputs[0].doc_string = ("the network's own, regressor_.network_.predict's: the rescaled target, "
                                         "which 'variable' takes back to its units")
            doc += (f" and its classes_ {classes_cut(told['chainrule.classes'], len(estimator.classes_), 240)}"
                    if "chainrule.classes" in told else f" and its predict ({shown})")
    else:
        pre = preprocessing_dict(preprocessing)
        inputs, x = preprocessing_nodes(g, pre, net, checks)
        out = network_nodes(g, net, x, checks=checks, checked_input=True)
        outputs = output_nodes(g, pre, net, out)
        told = output_props(pre)              # what the outputs mean: the target, a classifier's classes
        doc = (f"chainrule network with its CSV preprocessing: the raw columns {pre['numeric'] + pre['text']} "
               f"-> {pre['task']} of {pre['target']!r} ({net.dtype.name})")
    graph = helper.make_graph(g.nodes, "chainrule", inputs, outputs, initializer=g.initializers, doc_string=doc)
    imports = [helper.make_opsetid("", opset)]
    if any(n.domain == "ai.onnx.ml" for n in g.nodes):
        imports.append(helper.make_opsetid("ai.onnx.ml", ML_OPSET))
    model = helper.make_model(graph, opset_imports=imports, producer_name="chainrule",
                              producer_version=_version(), doc_string=doc)
    model.ir_version = min(model.ir_version, _ir_version(opset))
    props = _trainable_props(net)                 # from_onnx reads them back
    props.update(told)
    if LOSSES.get(net.loss_function.name) is type(net.loss_function):
        props[LOSS_KEY] = net.loss_function.name
    if props:
        helper.set_model_props(model, props)
    _fits_one_file(_model_bytes(model), "the ONNX model takes", path)         # the weights and the graph's constants
    onnx.checker.check_model(model, full_check=True)
    if path is not None:          # written beside and renamed: a failed write keeps the previous file
        data = model.SerializeToString()        # never over a file of other data (see files.replaceable)
        atomic_write(path, lambda f: f.write(data), kind="onnx")
    return model


INPUT_TYPES = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint64", "uint32", "uint16",
               "uint8", "bool")


#: C's long as torch (torch.long), Java and NumPy on Linux and macOS read it: NumPy on Windows reads 32 bits, and a
#: graph's input must not change with the system that wrote it
LONG = {"long": "int64", "l": "int64", "ulong": "uint64", "L": "uint64"}

#: the input types' words whose size NumPy and another reader tell apart
AMBIGUOUS = {"float": "ONNX (its FLOAT)", "int": "C and ONNX (INT32)", "uint": "C (unsigned int)"}


def _input_type(input_type: Any, dtype, preprocessing: Any) -> np.dtype:
    """to_onnx's input_type as a NumPy dtype, one of INPUT_TYPES; the network's dtype where None."""
    if input_type is None:
        return np.dtype(dtype)
    if preprocessing is not None:
        raise ValidationError("input_type is for a network's one input; a `chainrule train` model's graph takes each "
                              "raw column as its type says (numbers as double, NaN where missing; text as string)")
    return input_dtype(input_type, f"the network's {np.dtype(dtype).name}")


def input_dtype(input_type: Any, network: str = "the network's dtype") -> np.dtype:
    """input_type (to_onnx's, export's --input-type) as one of INPUT_TYPES, any NumPy spelling of one ('double',
    'i8'; 'long' int64 on every system, see LONG) or torch's dtype (torch.long is int64); the words 'float', 'int'
    and 'uint' are refused, 64 bits to NumPy and 32 to ONNX (FLOAT) or C (int, unsigned int), where either reading
    surprises someone."""
    given = input_type
    if type(input_type).__module__ == "torch" and str(input_type).startswith("torch."):
        input_type = str(input_type).removeprefix("torch.")   # torch.long is 'torch.int64': torch's own name
    if isinstance(input_type, str) and input_type.strip() in LONG:
        input_type = LONG[input_type.strip()]
    word = input_type.strip().lower() if isinstance(input_type, str) else None
    if word in AMBIGUOUS:
        raise ValidationError(f"input_type {input_type!r} is {word}64 to NumPy but {word}32 to {AMBIGUOUS[word]}: say "
                              f"which, {word}32 or {word}64")
    try:
        fed = np.dtype(input_type)
    except TypeError:
        fed = None
    if fed is None or fed.name not in INPUT_TYPES:
        raise ValidationError(f"input_type must be one of {', '.join(INPUT_TYPES)} (the dtype onnxruntime "
                              f"is then fed, cast to {network} in the graph); got {given!r}")
    return np.dtype(fed.name)            # native byte order: ONNX has no other ('>i8' is int64 as onnxruntime is fed)


def _trainable_props(net: Network) -> dict[str, str]:
    """The frozen parameters, so that a network exported and imported again fine-tunes as before
    (ONNX has no such notion); nothing where every parameter learns."""
    flags = [layer.trainable_params if type(layer) is Dense else None for layer in net.layers]
    if all(f is None or all(f.values()) for f in flags):
        return {}
    return {TRAINABLE_KEY: json.dumps(flags)}


def _model_bytes(model: Any) -> int | None:
    """The model's size as a file; None where protobuf cannot count it: beyond 2 GiB, ByteSize raises
    EncodeError ('Failed to serialize proto') as SerializeToString does."""
    from google.protobuf.message import EncodeError
    try:
        return model.ByteSize()
    except EncodeError:
        return None


def _fits_one_file(size: int | None, what: str, path) -> None:
    """Refuse, before anything is written, a model beyond protobuf's limit on one message (onnx.checker
    and SerializeToString fail there with words of their own); None: a size protobuf could not count."""
    if size is None or size > MAX_BYTES:
        kept = "nothing written" if path is None else f"{str(path)!r} not written"
        if path is not None and os.path.exists(path):
            kept += "; the file there is unchanged"
        said = "more than 2 GiB" if size is None else _size(size)
        raise ValidationError(f"{what} {said}, more than one ONNX file holds: {_size(MAX_BYTES)}, protobuf's limit "
                              f"on one message ({kept}). A chainrule model file (.npz) has no such limit: keep the "
                              "network in one")


def _size(n: int) -> str:
    """A size in the unit that reads best, with its exact count of bytes."""
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit} ({n:,} bytes)"
    return f"{n:,} byte{'s' * (n != 1)}"


def _not_a_network(net: Any) -> str:
    """What to export instead of `net`: a chainrule estimator's network, another framework's model imported."""
    said = f"net must be a chainrule.Network; got {type(net).__name__}"
    if isinstance(net, (str, os.PathLike)):
        return (f"{said} {str(net)!r}: to_onnx takes the network, not its file; load it first, "
                f"to_onnx(cr.load({str(net)!r}), path) (a model from `chainrule train`: `chainrule export` keeps its "
                "CSV preprocessing in the graph)")
    from .sklearn_import import our_estimator
    ours = our_estimator(net, "to_onnx({net}, path)", "; the graph gives what that predict gives, for X as float rows "
                         "of the network's dtype", whole=True)
    if ours:
        return f"{said}{ours}"
    return f"{said}{IMPORT_FIRST}"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("chainrule")
    except PackageNotFoundError:
        return "unknown"


def _ir_version(opset: int) -> int:
    """The IR version released with `opset`, so that runtimes of that time can read the file."""
    from onnx import helper
    for _, ir, op, *_ in helper.VERSION_TABLE:
        if op == opset:
            return ir
    return helper.VERSION_TABLE[-1][1]


def network_nodes(g: _Graph, net, x: str, output: str | None = None, checks: bool = False,
                  checked_input: bool = False, shown: str | None = None, narrowed: bool = False) -> str:
    """Append the layers of `net` to the graph, reading tensor `x`; return the output's name. With
    `checks`, the graph refuses what predict refuses (onnx_checks.checked_outputs); `checked_input`:
    `x` is already checked (the CSV preprocessing's features); `shown`: the name its refusal gives `x`;
    `narrowed`: `x` is the input's cast from float64 to float32 (onnx_checks.checked_outputs)."""
    layers, first = [], x                # (index, layer, W, b, net input) of each Dense, for the checks
    plain = output if not checks else None
    refuse_non_finite(net, DAMAGED)
    for i, layer in enumerate(net.layers):
        last = i == len(net.layers) - 1
        if type(layer) is Dropout:     # the identity at inference; the node keeps the rate
            rate = g.const(f"layer{i}.rate", np.array(layer.config()["rate"], dtype=net.dtype))
            x = g.op("Dropout", [x, rate], hint=f"layer{i}.out", output=plain if last else None)
            continue
        if type(layer) is not Dense:
            raise ValidationError(f"layer {i} ({type(layer).__name__}) has no ONNX form; to_onnx exports "
                                  "the built-in Dense and Dropout layers")
        act = layer.activation
        if BUILTIN_ACTIVATIONS.get(act.name) is not type(act):
            raise ValidationError(
                f"layer {i}'s activation {type(act).__name__} has no ONNX form; to_onnx exports the built-in "
                f"activations {', '.join(ACTIVATION_OPS)}")
        W, b = g.const(f"layer{i}.W", layer.W), g.const(f"layer{i}.b", layer.b)
        linear = ACTIVATION_OPS[act.name] is None
        x = g.op("Gemm", [x, W, b], hint=f"layer{i}.net", output=plain if last and linear else None)
        layers.append((i, layer, W, b, x))
        x = activation_node(g, act, x, net.dtype, f"layer{i}", plain if last and not linear else None)
    if checks:
        x = checked_outputs(g, net, layers, first, x, output, checked_input, shown, narrowed)
    return x


def activation_node(g: _Graph, act, x: str, dtype, hint: str, output: str | None) -> str:
    """The activation `act` applied to `x` (in `dtype`), written to `output` if given."""
    op = ACTIVATION_OPS[act.name]
    if op is None:
        return g.op("Identity", [x], output=output) if output else x
    if op == "LeakyRelu" and np.dtype(dtype) == np.float64:
        return leaky_relu_float64(g, x, act.config().get("alpha", 0.0), hint, output)
    if op == "Sigmoid":
        return sigmoid_nodes(g, x, dtype, hint, output)
    attrs: dict[str, Any] = {"axis": -1} if op == "Softmax" else {}
    if op == "LeakyRelu":
        attrs["alpha"] = act.config().get("alpha", 0.0)
    return g.op(op, [x], hint=f"{hint}.out", output=output, **attrs)


def sigmoid_nodes(g: _Graph, x: str, dtype, hint: str, output: str | None) -> str:
    """1 / (1 + Exp(-x)), chainrule's own formula. onnxruntime's Sigmoid kernels lose the small outputs
    (float64: off by 1e-3 of the value at x = -30, 0 from -40; float32: 0.02% at -10, 17% at -15, 0 from -20), where
    its Exp is accurate; below x = -709 (float32: -88) Exp(-x) is infinite and the output 0, as predict's."""
    one = g.const(f"{hint}.one", np.array(1, dtype=dtype))
    e = g.op("Exp", [g.op("Neg", [x], hint=f"{hint}.neg")], hint=f"{hint}.exp")
    return g.op("Reciprocal", [g.op("Add", [e, one], hint=f"{hint}.denominator")], hint=f"{hint}.out", output=output)


def leaky_relu_float64(g: _Graph, x: str, alpha: float, hint: str, output: str | None) -> str:
    """Where(x > 0, x, x * alpha), chainrule's own formula. LeakyRelu keeps alpha as a float32
    attribute (0.01 -> 0.0099999998), and onnxruntime's CPU provider has no float64 kernel of
    LeakyRelu or PRelu for opset 19 and later (it refuses the model)."""
    positive = g.op("Greater", [x, g.const(f"{hint}.zero", np.array(0.0))], hint=f"{hint}.positive")
    scaled = g.op("Mul", [x, g.const(f"{hint}.alpha", np.array(alpha))], hint=f"{hint}.scaled")
    return g.op("Where", [positive, x, scaled], hint=f"{hint}.out", output=output)
