"""Networks from PyTorch, scikit-learn, Keras and ONNX, and back to PyTorch.

Each importer reads a multilayer perceptron (dense layers and the activations chainrule has)
into a `chainrule.Network` with the same weights, so that chainrule can explain it step by step
or train it further. Anything else is refused, naming the first layer or operator that has no
chainrule form. Weights are copied as they are: W is (n_in, n_out) in chainrule, Keras,
scikit-learn and ONNX's MatMul, and the transpose of PyTorch's Linear.weight.

Files: `load_foreign` opens .onnx (protobuf, read by onnx) and .keras (read by Keras in safe
mode) files. PyTorch and scikit-learn files hold pickled code, which chainrule never loads:
import those models from Python with `from_torch` / `from_sklearn`.
"""
from __future__ import annotations

import math
import os
from pathlib import Path
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError

SUPPORTED = "sigmoid, tanh, relu, leaky_relu, softmax, linear"


def _dense(W: np.ndarray, b: np.ndarray | None, activation: Any, trainable: dict | None = None):
    """A Dense layer holding W (n_in, n_out) and b (zeros, frozen, when the source has no bias)."""
    W = np.asarray(W)
    layer = cr.Dense(W.shape[0], W.shape[1], activation, weight_init="zeros")
    if b is None:
        trainable = {**(trainable or {}), "b": False}
    if trainable:
        layer.trainable = trainable
    return layer, (W, np.zeros(W.shape[1]) if b is None else np.asarray(b).reshape(-1))


def _network(items: list, loss: str | None, dtype) -> cr.Network:
    """A Network from [(layer, arrays or None)], the arrays copied in after the buffers exist."""
    layers = [layer for layer, _ in items]
    dense = [layer for layer in layers if isinstance(layer, cr.Dense)]
    if not dense:
        raise ValidationError("the model has no dense (Linear/Dense/Gemm) layer to import")
    if loss is None:
        loss = "categorical_crossentropy" if dense[-1].activation.name == "softmax" else "mse"
    net = cr.Network(layers, loss=loss, dtype=np.dtype(dtype).name)
    for layer, arrays in items:
        if arrays is not None:
            layer.W[...], layer.b[...] = arrays
    return net


def _dtype(arrays: list[np.ndarray], what: str) -> np.dtype:
    kinds = {np.dtype(a.dtype) for a in arrays}
    if len(kinds) != 1 or next(iter(kinds)) not in (np.float32, np.float64):
        raise ValidationError(f"{what}: the weights must all be float32 or all float64; got "
                              f"{sorted(k.name for k in kinds)}")
    return next(iter(kinds))


def _scalar(value) -> float:
    """A stored slope or rate as a Python float; a float32 one as the shortest decimal that is
    the same float32 (0.01, not 0.009999999776), which chainrule rounds back to the same value."""
    value = np.asarray(value).reshape(-1)[0]
    return float(str(value)) if value.dtype == np.float32 else float(value)


def _attach(items: list, activation, where: str) -> None:
    """Give the Dense layer just read its activation (a lone activation has no chainrule form)."""
    if not items or not isinstance(items[-1][0], cr.Dense) or items[-1][0].activation.name != "linear":
        raise ValidationError(f"{where} does not follow a dense layer directly: chainrule puts each activation "
                              "inside a Dense layer")
    old = items[-1][0]
    items[-1] = (cr.Dense(old.W.shape[0], old.W.shape[1], activation, trainable=old.trainable_params, weight_init="zeros"),
                 items[-1][1])


# -- PyTorch ---------------------------------------------------------------------------------
def from_torch(module, loss: str | None = None) -> cr.Network:
    """A Network from a `torch.nn.Sequential` of Linear layers and activations.

    Accepted: Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax (over the last dimension),
    Identity, Dropout, and nested Sequential. A parameter with requires_grad=False is frozen;
    a Linear without bias gets a zero, frozen bias. `loss` defaults to categorical cross-entropy
    after a softmax and mse otherwise (PyTorch's MSELoss).
    """
    import torch
    from torch import nn
    if not isinstance(module, nn.Sequential):
        raise ChainruleTypeError(f"module must be a torch.nn.Sequential of Linear layers and activations; "
                                 f"got {type(module).__name__}")
    items: list = []
    weights: list[np.ndarray] = []

    def walk(seq: nn.Sequential, prefix: str) -> None:
        for name, m in seq.named_children():
            where = f"layer {prefix}{name} ({type(m).__name__})"
            if isinstance(m, nn.Sequential):
                walk(m, f"{prefix}{name}.")
            elif type(m) is nn.Linear:
                W = m.weight.detach().cpu().numpy().T
                b = None if m.bias is None else m.bias.detach().cpu().numpy()
                weights.extend([W] + ([] if b is None else [b]))
                trainable = {"W": m.weight.requires_grad, "b": m.bias is not None and m.bias.requires_grad}
                items.append(_dense(W, b, "linear", trainable))
            elif type(m) in (nn.Sigmoid, nn.Tanh, nn.ReLU):
                _attach(items, {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu"}[type(m)], where)
            elif type(m) is nn.LeakyReLU:
                _attach(items, {"name": "leaky_relu", "alpha": m.negative_slope}, where)
            elif type(m) is nn.Softmax:
                if m.dim not in (1, -1):
                    raise ValidationError(f"{where} takes the softmax over dim={m.dim}; chainrule's softmax is over "
                                          "the outputs of each sample (dim=1 or -1)")
                _attach(items, "softmax", where)
            elif type(m) is nn.Identity:
                continue
            elif type(m) is nn.Dropout:
                items.append((cr.Dropout(m.p), None))
            else:
                raise ValidationError(f"{where} has no chainrule form; supported: Linear, Sigmoid, Tanh, ReLU, "
                                      "LeakyReLU, Softmax, Identity, Dropout")

    with torch.no_grad():
        walk(module, "")
    return _network(items, loss, _dtype(weights, "module") if weights else np.float64)


def to_torch(net) -> Any:
    """The network as a `torch.nn.Sequential` with the same weights and dtype (new parameters:
    training one does not change the other). Frozen parameters get requires_grad=False."""
    import torch
    from torch import nn
    if not isinstance(net, cr.Network):
        raise ChainruleTypeError(f"net must be a chainrule.Network; got {type(net).__name__}")
    from .onnx import builtin_activations
    builtins = builtin_activations()
    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    modules: list = []
    for i, layer in enumerate(net.layers):
        if type(layer) is cr.Dropout:
            modules.append(nn.Dropout(layer.config()["rate"]))
            continue
        if type(layer) is not cr.Dense:
            raise ValidationError(f"layer {i} ({type(layer).__name__}) has no PyTorch form; supported: Dense, Dropout")
        act = layer.activation
        if builtins.get(act.name) is not type(act):
            raise ValidationError(f"layer {i}'s activation {type(act).__name__} has no PyTorch form; "
                                  f"supported: {SUPPORTED}")
        linear = nn.Linear(layer.W.shape[0], layer.W.shape[1], dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.W.T)))
            linear.bias.copy_(torch.from_numpy(layer.b.copy()))
        linear.weight.requires_grad_(layer.trainable_params["W"])
        linear.bias.requires_grad_(layer.trainable_params["b"])
        modules.append(linear)
        if act.name == "leaky_relu":
            modules.append(nn.LeakyReLU(act.config()["alpha"]))
        elif act.name == "softmax":
            modules.append(nn.Softmax(dim=1))
        elif act.name != "linear":
            modules.append({"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[act.name]())
    return nn.Sequential(*modules)


# -- Keras -----------------------------------------------------------------------------------
KERAS_ACTIVATIONS = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "relu", "softmax": "softmax",
                     "linear": "linear"}


def _keras_activation(fn, where: str):
    """chainrule's activation for a Keras activation function (by its registered name)."""
    import keras  # type: ignore[import-untyped]
    name = keras.activations.serialize(fn) if fn is not None else "linear"
    if isinstance(name, dict):
        name = name.get("config", {}).get("name", name.get("class_name"))
    if name == "leaky_relu":                         # Keras' leaky_relu function: negative_slope=0.2
        return {"name": "leaky_relu", "alpha": 0.2}
    if name not in KERAS_ACTIVATIONS:
        raise ValidationError(f"{where} uses the activation {name!r}, which has no chainrule form; supported: "
                              f"{SUPPORTED}")
    return KERAS_ACTIVATIONS[name]


def from_keras(model, loss: str | None = None) -> cr.Network:
    """A Network from a built Keras 3 `Sequential` of Dense layers.

    Accepted: Dense (with any supported activation), Dropout, Activation, ReLU (plain),
    LeakyReLU, Softmax (last axis) and InputLayer. `loss` defaults as in `from_torch`.
    """
    import keras  # type: ignore[import-untyped]
    from keras import layers as kl  # type: ignore[import-untyped]
    if not isinstance(model, keras.Sequential):
        raise ChainruleTypeError(f"model must be a keras.Sequential of Dense layers; got {type(model).__name__}")
    if not model.built:
        raise ValidationError("the Keras model is not built: give it an Input(shape=...) or call it on data first")
    items: list = []
    weights: list[np.ndarray] = []
    for i, layer in enumerate(model.layers):
        where = f"layer {i} ({type(layer).__name__} {layer.name!r})"
        if type(layer) is kl.Dense:
            arrays = [np.asarray(w) for w in layer.get_weights()]
            weights.extend(arrays)
            W, b = arrays[0], (arrays[1] if layer.use_bias else None)
            items.append(_dense(W, b, "linear", {"W": layer.trainable, "b": layer.trainable}))
            act = _keras_activation(layer.activation, where)
            if act != "linear":
                _attach(items, act, where)
        elif type(layer) is kl.Dropout:
            items.append((cr.Dropout(float(layer.rate)), None))
        elif type(layer) is kl.Activation:
            act = _keras_activation(layer.activation, where)
            if act != "linear":
                _attach(items, act, where)
        elif type(layer) is kl.ReLU:
            if layer.max_value is not None or float(layer.negative_slope) != 0.0 or float(layer.threshold) != 0.0:
                raise ValidationError(f"{where} has max_value, negative_slope or threshold set; chainrule's relu "
                                      "is max(x, 0)")
            _attach(items, "relu", where)
        elif type(layer) is kl.LeakyReLU:
            _attach(items, {"name": "leaky_relu", "alpha": float(layer.negative_slope)}, where)
        elif type(layer) is kl.Softmax:
            if layer.axis not in (-1, 1):
                raise ValidationError(f"{where} takes the softmax over axis={layer.axis}; chainrule's is over -1")
            _attach(items, "softmax", where)
        elif type(layer) is kl.InputLayer:
            continue
        else:
            raise ValidationError(f"{where} has no chainrule form; supported: Dense, Dropout, Activation, ReLU, "
                                  "LeakyReLU, Softmax")
    return _network(items, loss, _dtype(weights, "model") if weights else np.float32)


# -- ONNX ------------------------------------------------------------------------------------
ONNX_ACTIVATIONS = {"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu", "Softmax": "softmax"}


def from_onnx(path_or_model, loss: str | None = None) -> cr.Network:
    """A Network from an ONNX MLP graph: a chain of Gemm (or MatMul and Add) nodes and the
    activations Sigmoid, Tanh, Relu, LeakyRelu, PRelu (one slope), Where(x > 0, x, x * alpha)
    (to_onnx's float64 leaky_relu), Softmax (last axis), with
    Identity and Dropout passed through. Weights must be initializers or Constant nodes.
    A graph exported by `to_onnx` with CSV preprocessing (one input per column) is refused."""
    import onnx
    from onnx import numpy_helper
    if isinstance(path_or_model, onnx.ModelProto):
        model, source = path_or_model, "the ONNX model"
    else:
        if not isinstance(path_or_model, (str, os.PathLike)):
            raise ChainruleTypeError(f"path must be a file name or an onnx.ModelProto; got {type(path_or_model).__name__}")
        source = str(path_or_model)
        if not Path(source).is_file():
            raise cr.errors.ModelFileError(f"ONNX file {source!r} does not exist or is not a file")
        try:
            model = onnx.load(source)
            onnx.checker.check_model(model)
        except Exception as exc:  # noqa: BLE001  (a file from anywhere: every failure to read it is a bad file)
            raise cr.errors.ModelFileError(f"{source} is not a valid ONNX model: {type(exc).__name__}: "
                                           f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
    graph = model.graph
    consts = {t.name: numpy_helper.to_array(t) for t in graph.initializer}
    inputs = [v for v in graph.input if v.name not in consts]
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
        return consts[name]

    def flush() -> None:
        nonlocal pending
        if pending is not None:
            items.append(_dense(pending["W"], pending.get("b"), "linear"))
            pending = None

    nodes, k = list(graph.node), -1
    while k + 1 < len(nodes):
        k += 1
        node = nodes[k]
        where = f"node {k} {node.name!r} ({node.op_type})"
        attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            if "value" not in attrs:
                raise ValidationError(f"{source}: {where} holds no tensor 'value'")
            consts[node.output[0]] = numpy_helper.to_array(attrs["value"])
            continue
        if node.domain not in ("", "ai.onnx"):
            raise ValidationError(f"{source}: {where} of domain {node.domain!r} has no chainrule form; an MLP graph "
                                  "holds Gemm, MatMul, Add and activations")
        data = [name for name in node.input if name and name not in consts]
        if data != [current]:
            raise ValidationError(f"{source}: {where} does not continue the chain of layers (it reads {data}, "
                                  f"the chain is at {current!r})")
        if node.op_type == "Add":
            if pending is None or "b" in pending:
                raise ValidationError(f"{source}: {where} does not follow a MatMul: chainrule reads Add only as "
                                      "the bias of a MatMul layer")
            other = [n for n in node.input if n != current]
            pending["b"] = _bias(const(other[0], node), pending["W"].shape[1], f"{source}: {where}")
            weights.append(pending["b"])
        elif node.op_type == "Gemm":
            flush()
            if attrs.get("transA", 0):
                raise ValidationError(f"{source}: {where} has transA=1; an MLP layer multiplies the samples as rows")
            W = const(node.input[1], node)
            W = (W.T if attrs.get("transB", 0) else W) * np.asarray(attrs.get("alpha", 1.0), dtype=W.dtype)
            b = None
            if len(node.input) > 2 and node.input[2]:
                b = _bias(const(node.input[2], node) * np.asarray(attrs.get("beta", 1.0), dtype=W.dtype),
                          W.shape[1], f"{source}: {where}")
            weights.extend([W] + ([] if b is None else [b]))
            items.append(_dense(W, b, "linear"))
        elif node.op_type == "MatMul":
            flush()
            W = const(node.input[1], node)
            if W.ndim != 2:
                raise ValidationError(f"{source}: {where} multiplies by an array of shape {W.shape}; expected 2-D")
            weights.append(W)
            pending = {"W": W}
        elif node.op_type in ONNX_ACTIVATIONS or node.op_type in ("LeakyRelu", "PRelu"):
            flush()
            if node.op_type == "Softmax" and attrs.get("axis", -1) not in (-1, 1):
                raise ValidationError(f"{source}: {where} has axis={attrs['axis']}; chainrule's softmax is over "
                                      "the last axis")
            if node.op_type == "LeakyRelu":
                act: Any = {"name": "leaky_relu", "alpha": _scalar(np.float32(attrs.get("alpha", 0.01)))}
            elif node.op_type == "PRelu":
                slope = const(node.input[1], node)
                if slope.size != 1:
                    raise ValidationError(f"{source}: {where} has {slope.size} slopes; chainrule's leaky_relu has one")
                act = {"name": "leaky_relu", "alpha": _scalar(slope)}
            else:
                act = ONNX_ACTIVATIONS[node.op_type]
            _attach(items, act, f"{source}: {where}")
        elif node.op_type == "Greater":           # to_onnx's float64 leaky_relu: Where(x > 0, x, x * alpha)
            alpha = _leaky_relu_pattern(nodes[k:k + 3], current, consts)
            if alpha is None:
                raise ValidationError(f"{source}: {where} is not the start of Where(x > 0, x, x * alpha), the one "
                                      "use of Greater chainrule reads (a leaky_relu)")
            flush()
            _attach(items, {"name": "leaky_relu", "alpha": alpha}, f"{source}: {where}")
            k += 2
            node = nodes[k]
        elif node.op_type == "Identity":
            pass
        elif node.op_type == "Dropout":
            flush()
            ratio = _scalar(np.float32(attrs["ratio"])) if "ratio" in attrs else 0.5
            if len(node.input) > 1 and node.input[1] in consts:
                ratio = _scalar(consts[node.input[1]])
            items.append((cr.Dropout(ratio), None))
        else:
            raise ValidationError(f"{source}: {where} has no chainrule form; an MLP graph holds Gemm, MatMul, Add, "
                                  "Sigmoid, Tanh, Relu, LeakyRelu, PRelu, Softmax, Identity and Dropout")
        current = node.output[0]
    flush()
    if current != graph.output[0].name:
        raise ValidationError(f"{source}: the chain of layers ends at {current!r}, not at the output "
                              f"{graph.output[0].name!r}")
    return _network(items, loss, _dtype(weights, source) if weights else np.float64)


def _bias(value: np.ndarray, n_out: int, where: str) -> np.ndarray:
    """A bias of shape (n_out,) from a constant of shape (n_out,), (1, n_out) or one value."""
    if value.size == 1:
        return np.full(n_out, value.reshape(-1)[0], dtype=value.dtype)
    if value.shape not in ((n_out,), (1, n_out)):
        raise ValidationError(f"{where} adds a bias of shape {value.shape} to {n_out} outputs; expected ({n_out},)")
    return value.reshape(-1).copy()


def _leaky_relu_pattern(nodes: list, x: str, consts: dict) -> float | None:
    """alpha when `nodes` are Greater(x, 0), Mul(x, alpha), Where(that, x, this); else None."""
    if len(nodes) < 3 or [n.op_type for n in nodes] != ["Greater", "Mul", "Where"]:
        return None
    greater, mul, where = nodes
    zero = consts.get(greater.input[1]) if list(greater.input[:1]) == [x] else None
    others = [name for name in mul.input if name != x]
    alpha = consts.get(others[0]) if len(others) == 1 and len(mul.input) == 2 else None
    if zero is None or np.any(zero != 0) or alpha is None or alpha.size != 1:
        return None
    if list(where.input) != [greater.output[0], x, mul.output[0]]:
        return None
    return _scalar(alpha)


# -- scikit-learn ----------------------------------------------------------------------------
SKLEARN_ACTIVATIONS = {"identity": "linear", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu",
                       "softmax": "softmax"}


def from_sklearn(estimator) -> cr.Network:
    """A Network from a fitted scikit-learn MLPClassifier or MLPRegressor.

    The forward pass equals `predict_proba` (multiclass), its second column (binary: one
    sigmoid output) or `predict` (regression). The loss is sklearn's: categorical cross-entropy
    after softmax, binary cross-entropy after the logistic output, "sse" for squared_error
    (whose gradient, out - y, is sklearn's). For the sgd and adam solvers the network's
    optimizer is an `SklearnSolver` that carries on the estimator's own update, state included:
    one chainrule training step on a batch equals `partial_fit` on it.
    """
    from sklearn.neural_network import MLPClassifier, MLPRegressor  # type: ignore[import-untyped]
    if not isinstance(estimator, (MLPClassifier, MLPRegressor)):
        raise ChainruleTypeError(f"estimator must be a scikit-learn MLPClassifier or MLPRegressor; "
                                 f"got {type(estimator).__name__}")
    if not hasattr(estimator, "coefs_"):
        raise ValidationError(f"the {type(estimator).__name__} is not fitted: call fit or partial_fit first")
    hidden = estimator.activation
    out_act = estimator.out_activation_
    for what, name in (("activation", hidden), ("output activation", out_act)):
        if name not in SKLEARN_ACTIVATIONS:
            raise ValidationError(f"the estimator's {what} {name!r} has no chainrule form; supported: "
                                  f"{', '.join(SKLEARN_ACTIVATIONS)}")
    if isinstance(estimator, MLPRegressor):
        if estimator.loss != "squared_error":
            raise ValidationError(f"MLPRegressor(loss={estimator.loss!r}) has no chainrule loss; supported: "
                                  "'squared_error'")
        loss = "sse"
    else:
        loss = "categorical_crossentropy" if out_act == "softmax" else "binary_crossentropy"
    n = len(estimator.coefs_)
    items = [_dense(W, b, SKLEARN_ACTIVATIONS[hidden if i < n - 1 else out_act])
             for i, (W, b) in enumerate(zip(estimator.coefs_, estimator.intercepts_))]
    net = _network(items, loss, _dtype(list(estimator.coefs_) + list(estimator.intercepts_), "estimator"))
    if estimator.solver in ("sgd", "adam"):
        net.optimizer = SklearnSolver(net, estimator)
    return net


def _sklearn_flat(net, per_param: list[np.ndarray]) -> np.ndarray:
    """sklearn's [coefs..., intercepts...] arrays as chainrule's flat vector (W, b per layer)."""
    n = len(net.dense_layers)
    return np.concatenate([np.ravel(a) for i in range(n) for a in (per_param[i], per_param[n + i])]) \
        .astype(net.dtype)


class SklearnSolver(cr.optim.Optimizer):
    """scikit-learn's MLP update, carried on by chainrule: for each batch of n samples,
    sklearn's L2 term alpha * W / n is added to the weights' gradients (not the biases'), then
    chainrule's SGD (sklearn's momentum and Nesterov, at its current learning rate) or Adam
    (sklearn's betas; its epsilon, which sklearn adds before the bias correction, moved to
    chainrule's place) takes the step from the estimator's state. A multilabel classifier's
    gradient is scaled by the number of labels (sklearn sums the log-loss over labels, chainrule's
    binary cross-entropy averages it). sklearn's invscaling/adaptive schedules are not
    continued. Saved with the network, it is stored as the SGD or Adam inside (without L2).
    """

    def __init__(self, net: cr.Network, estimator: Any) -> None:
        est = estimator
        sk = getattr(est, "_optimizer", None)
        if est.solver == "sgd":
            lr = float(sk.learning_rate) if sk is not None else float(est.learning_rate_init)
            inner: cr.optim.Optimizer = cr.optim.SGD(lr, momentum=est.momentum,
                                                     nesterov=bool(est.nesterovs_momentum and est.momentum > 0))
            if sk is not None and est.momentum > 0:
                velocity = _sklearn_flat(net, sk.velocities)
                if np.any(velocity):
                    inner.state["momentum_buffer"] = -velocity / lr
                    inner.t = 1
        else:
            inner = cr.optim.Adam(float(est.learning_rate_init), betas=(est.beta_1, est.beta_2), eps=est.epsilon)
            if sk is not None and sk.t > 0:
                inner.state = {"exp_avg": _sklearn_flat(net, sk.ms), "exp_avg_sq": _sklearn_flat(net, sk.vs)}
                inner.t = int(sk.t)
        super().__init__(inner.lr)
        self.inner, self.net, self.alpha = inner, net, float(est.alpha)
        self.epsilon = float(getattr(est, "epsilon", 0.0))
        self.scale = float(net.n_outputs) if net.loss_function.name == "binary_crossentropy" else 1.0
        self.state, self.t = inner.state, inner.t
        offsets = np.cumsum([0] + [s for layer in net.dense_layers for s in (layer.W.size, layer.b.size)])
        self.weights = [slice(int(offsets[2 * i]), int(offsets[2 * i + 1])) for i in range(len(net.dense_layers))]

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        self.inner.set_epoch(epoch)

    def step(self, params: np.ndarray, grads: np.ndarray, slices: list[slice] | None = None) -> None:
        x = self.net.layers[0].x           # the batch of this step (cached by the forward pass)
        if x is None:
            raise ValidationError("SklearnSolver.step follows a forward pass of its network on the batch")
        g = grads * self.scale if self.scale != 1.0 else grads.copy()
        for s in self.weights:
            g[s] += (self.alpha / x.shape[0]) * params[s]
        if isinstance(self.inner, cr.optim.Adam):
            self.inner.eps = self.epsilon / math.sqrt(1.0 - self.inner.betas[1] ** (self.inner.t + 1))
        self.inner.step(params, g, slices)
        self.state, self.t = self.inner.state, self.inner.t

    def config(self) -> dict:
        return self.inner.config()

    def __repr__(self) -> str:
        return f"SklearnSolver({self.inner!r}, alpha={self.alpha})"


# -- files -----------------------------------------------------------------------------------
def load_foreign(path: str | os.PathLike, loss: str | None = None) -> cr.Network:
    """A Network from a model file, chosen by its suffix: .onnx (from_onnx), .keras (Keras in
    safe mode, then from_keras) or .npz (chainrule's own). Pickle-based files are refused."""
    if not isinstance(path, (str, os.PathLike)):
        raise ChainruleTypeError(f"path must be a file name (str or os.PathLike); got {type(path).__name__}")
    suffix = Path(path).suffix.lower()
    if suffix == ".onnx":
        return from_onnx(path, loss=loss)
    if not Path(path).is_file():
        raise cr.errors.ModelFileError(f"model file {str(path)!r} does not exist or is not a file")
    if suffix == ".keras":
        os.environ.setdefault("KERAS_BACKEND", "torch")      # only if the user chose no backend
        import keras  # type: ignore[import-untyped]
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001  (a file from anywhere: every failure to read it is a bad file)
            raise cr.errors.ModelFileError(f"{path} could not be read by Keras: {type(exc).__name__}: "
                                           f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        return from_keras(model, loss=loss)
    if suffix == ".npz":
        return cr.load(path)
    if suffix in (".pt", ".pth", ".pkl", ".pickle", ".joblib", ".bin"):
        raise ValidationError(f"{path}: {suffix} files hold pickled code, which chainrule never loads; load the model "
                              "in Python and use chainrule.from_torch or chainrule.from_sklearn")
    raise ValidationError(f"{path}: unknown model file type {suffix!r}; expected .npz, .onnx or .keras")
