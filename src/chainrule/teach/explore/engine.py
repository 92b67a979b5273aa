"""The engine calls of a session: building a network from the page's description, the optimizer
of `cr.optim` for a name, the `explain` report of any size, reading an uploaded CSV file."""
from __future__ import annotations

import copy
import io
import math
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.errors import ValidationError, counted
from chainrule.nn.activations import get_activation
from chainrule.teach.numbers import fmt

from . import limits


def build(n_in: int, n_out: int, arch: dict, dtype: str = "float64") -> Any:
    """A network from an architecture description (init "seed": the seed's weights and biases)."""
    return _network(_dense(n_in, n_out, arch), arch, dtype)


def _dense(n_in: int, n_out: int, arch: dict) -> list[Any]:
    sizes = [n_in, *arch["hidden"], n_out]
    acts = [*arch["activations"], arch["output_activation"]]
    if arch["init"] == "seed":
        seed_net, *_ = cr.examples.seed_network()
        inits: list[tuple[Any, Any]] = [(d.W.copy(), d.b.copy()) for d in seed_net.dense_layers]
    else:
        bias = "torch_default" if arch["init"] == "torch_default" else "zeros"     # torch's nn.Linear draws both
        inits = [(arch["init"], bias)] * len(acts)
    return [cr.Dense(a, b, act, weight_init=w, bias_init=bias, trainable={"W": True, "b": bool(arch["train_biases"])})
            for a, b, act, (w, bias) in zip(sizes, sizes[1:], acts, inits)]


def _network(layers: list[Any], arch: dict, dtype: str) -> Any:
    return cr.Network(layers, loss=arch["loss"], seed=None if arch["init"] == "seed" else arch["seed"], dtype=dtype)


def rebuilt(old: Any, n_in: int, n_out: int, arch: dict) -> tuple[Any, list[str]]:
    """A network for `arch` (new weights) that keeps what the architecture card does not show of `old`
    (a model file's, `unshown`): its dtype, its Dropout layers where the layer they follow is still
    there, an activation's setting (leaky_relu's alpha) and frozen weights where the layer keeps its
    activation. Also the words for what could not be kept, for the page to say."""
    dense, old_dense, dtype = _dense(n_in, n_out, arch), old.dense_layers, old.dtype.name
    n_hidden = len(dense) - 1
    drops = _dropouts(old)
    layers: list[Any] = []
    for k, d in enumerate(dense):
        layers += [copy.deepcopy(x) for j, x in drops if j == k]           # the Dropout before Dense layer k
        if k < len(old_dense) and old_dense[k].activation.name == d.activation.name:
            d.activation = copy.deepcopy(old_dense[k].activation)
            if not old_dense[k].trainable_params["W"]:
                d.freeze("W")
        layers.append(d)
    lost = [f"the Dropout {fmt(x.rate)} {_after(j)} (the network has {counted(n_hidden, 'hidden layer')} now)"
            for j, x in drops if j > n_hidden]
    return _network(layers, arch, dtype), lost


def unshown(net: Any) -> list[str]:
    """What the Network card does not show of `net` (a model file's), in words: float32, its Dropout
    layers, an activation's setting that is not the default (leaky_relu's alpha), frozen weights."""
    dense = net.dense_layers
    said = [] if net.dtype.name == "float64" else [net.dtype.name]
    for k, d in enumerate(dense):
        default = get_activation(d.activation.name).config()
        said += [f"{d.activation.name}'s {key} {fmt(v)} in {_layer(k, len(dense) - 1)}"
                 for key, v in d.activation.config().items() if default.get(key) != v]
        if not d.trainable_params["W"]:
            said.append(f"the frozen weights of {_layer(k, len(dense) - 1)}")
    return said + [f"Dropout {fmt(x.rate)} {_after(j)}" for j, x in _dropouts(net)]


def _dropouts(net: Any) -> list[tuple[int, Any]]:
    """The layers of `net` that are not Dense (Dropout), each with the number of Dense layers before it."""
    dense = net.dense_layers
    return [(sum(x in dense for x in net.layers[:i]), layer) for i, layer in enumerate(net.layers)
            if layer not in dense]


def _after(k: int) -> str:
    """Where a Dropout layer sits, with k Dense layers before it."""
    return "on the inputs" if k == 0 else f"after hidden layer {k}"


def _layer(k: int, n_hidden: int) -> str:
    return "the output layer" if k == n_hidden else f"hidden layer {k + 1}"


# cr.optim's names of the settings, as the page's fields write them (template.js SETTING_NAMES)
PAGE_NAMES = {"lr": "η (learning rate)", "betas[0]": "β₁", "betas[1]": "β₂", "alpha": "α", "eps": "ε"}


def make_optimizer(name: str, s: dict) -> Any:
    """The optimizer of `cr.optim` for a name of OPTIMIZERS and its settings; a setting it refuses
    is named as the page's field is (β₁, not betas[0]), with the engine's reason."""
    try:
        return _optimizer(name, s)
    except ValidationError as e:
        said = str(e)
        engine_name = said.split(" ", 1)[0]
        if engine_name not in PAGE_NAMES:
            raise
        raise ValidationError(PAGE_NAMES[engine_name] + said[len(engine_name):]) from None


def _optimizer(name: str, s: dict) -> Any:
    o = cr.optim
    if name == "sgd":
        return o.SGD(s["lr"])
    if name in ("momentum", "nesterov"):
        return o.SGD(s["lr"], momentum=s["momentum"], nesterov=name == "nesterov")
    if name == "adagrad":
        return o.Adagrad(s["lr"])
    if name == "rmsprop":
        return o.RMSprop(s["lr"], alpha=s["alpha"], eps=s["eps"])
    return o.Adam(s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"])


OVERFLOWED = "so there is nothing finite to show"       # explain's words for a pass it refuses


def explain_all(net, X, Y, lr) -> dict:
    """`cr.explain(...).to_dict()`; for networks with more parameters than one report lists,
    the reports of each neuron merged (output layer first, as the report orders them). A pass that
    overflows, which explain refuses: `overflowed_report`, so the page still draws the network."""
    try:
        return cr.explain(net, X, Y, lr=lr).to_dict()
    except ValidationError as exc:
        if OVERFLOWED in str(exc):
            return overflowed_report(net, X, Y, str(exc))
        if "explain prints at most" not in str(exc):
            raise
        dense = net.dense_layers
        parts = [cr.explain(net, X, Y, lr=lr, layer=l, neuron=j).to_dict()
                 for l in reversed(range(len(dense))) for j in range(dense[l].n_out)]
        d = parts[0]
        d["parameters"] = [p for part in parts for p in part["parameters"]]
        return d


def overflowed_report(net, X, Y, refusal: str) -> dict:
    """What the page draws of a pass that overflows the network's dtype, which explain refuses (`refusal`,
    its words, shown by the page): explain's structure (`pass_data`) of the pass's own numbers as the engine
    computed them (infinity or NaN where it overflowed; never another dtype's), E_total the engine's, and each
    parameter with its delta alone, no chain rule written out. The teacher sees the network and can lower a
    weight or an input."""
    from chainrule.teach.explain import neuron_names, parameter_key, pass_data
    dense, names = net.dense_layers, neuron_names(net)
    with np.errstate(all="ignore"):
        E = net.backprop(X, Y)
        d = pass_data(net, Y)
    for l, lay in reversed(list(enumerate(dense))):        # explain's order: the output layer first
        for j in range(lay.n_out):
            for i in range(lay.n_in + 1):
                key = parameter_key(net, names, l, i, j)
                d["parameters"].append({**key, "trainable": lay.trainable_params[key["kind"]],
                                        "dE/dnet": [float(v) for v in lay.delta[:, j]]})
    return {"refused": refusal, **d, "E_total": float(E)}


def pass_numbers(net, X, Y, followed: int | None = None,
                 followed_refused: bool = False) -> tuple[float, list[tuple[np.ndarray, np.ndarray]], str | None]:
    """The error E of `net` on (X, Y), its gradients, and None; where the engine refuses a pass that
    overflows, the plain pass's own numbers (infinity, NaN: what a training step reads) and what the page
    says of it: the sample the chain-rule panel follows (`followed`, a row of X) where it overflows, else the
    first that does and that the panel's is finite (samples counted from 1, as the page counts; how many where
    their units or loss tell), in explain's words (the engine's name rows of X and layers from 0, and a dtype the
    page cannot set). `followed_refused`: explain refused the followed sample's pass (its gradient may overflow
    where its units and loss do not)."""
    try:
        return net.loss(X, Y), net.gradients(X, Y), None
    except ValidationError as exc:
        from chainrule.teach.explain import samples_fit
        with np.errstate(all="ignore"):
            E = net.backprop(X, Y)
        bad = np.flatnonzero(~samples_fit(net, Y, alone=True))      # the samples explain of each alone refuses
        # explain refuses a sample whose gradient overflows where its units and loss do not: not counted by them
        counted = not (followed_refused and followed is not None and followed not in bad)
        if not counted:
            bad = np.union1d(bad, [followed]).astype(int)
        grads, said = [(d.dW.copy(), d.db.copy()) for d in net.dense_layers], str(exc)
        if len(bad):
            on_panel = followed is not None and followed in bad
            k = followed if followed is not None and on_panel else int(bad[0])
            which = " (the one the chain-rule panel follows)" if on_panel else ""
            panel = "" if followed is None or on_panel else \
                f" (the chain-rule panel follows sample {followed + 1}, whose pass is finite)"
            try:
                cr.explain(net, X[k:k + 1], Y[k:k + 1])
            except ValidationError as one:
                how_many = f"{len(bad)} of the {len(X)} training samples overflow; " if counted else ""
                said = f"{how_many}sample {k + 1}{which}: {one}{panel}"
        return float(E), grads, said


def pass_loss(net, X, Y) -> float:
    """`net.loss`; where it refuses a pass that overflows, the plain pass's E (infinity or NaN)."""
    try:
        return net.loss(X, Y)
    except ValidationError:
        with np.errstate(all="ignore"):
            return float(net.backprop(X, Y))


def layers_of(net) -> dict | None:
    """What the page's architecture (`arch_of`) does not say of a model file's network: its Dropout
    layers, an activation's setting (leaky_relu's alpha), a layer's frozen weights, float32. None
    when the architecture says it all (a network the page built)."""
    plain = build(net.n_inputs, net.n_outputs, arch_of(net))
    if net.config() == plain.config():
        return None
    return {"layers": [layer.config() for layer in net.layers], "dtype": net.dtype.name}


def with_layers(net, described: Any) -> Any:
    """`net` (built from the architecture) rebuilt with the layers of `described` (`layers_of`):
    the same Dense sizes, the Dropout layers, activations, frozen parameters and dtype it lists."""
    from chainrule.nn.layers import layer_from_config
    if not isinstance(described, dict) or set(described) != {"layers", "dtype"} \
            or described["dtype"] not in ("float64", "float32") or not isinstance(described["layers"], list):
        got = (f"dtype {described['dtype']!r}" if isinstance(described, dict) and set(described) == {"layers", "dtype"}
               and isinstance(described["layers"], list) else limits.held(described))
        raise ValidationError(f"share code: net must list the layers and the dtype (float64 or float32); got {got}")
    configs, dense = described["layers"], net.dense_layers
    kinds = [c.get("type") if isinstance(c, dict) else None for c in configs]
    sizes = [(c.get("n_in"), c.get("n_out")) for c, k in zip(configs, kinds) if k == "Dense"]
    if not set(kinds) <= {"Dense", "Dropout"} or len(configs) > 2 * len(dense) + 1 \
            or sizes != [(d.n_in, d.n_out) for d in dense]:
        got = ", ".join(f"Dense {c.get('n_in')}→{c.get('n_out')}" if k == "Dense" else str(k)
                        for c, k in zip(configs, kinds))
        want = ", ".join(f"Dense {d.n_in}→{d.n_out}" for d in dense)
        raise ValidationError(f"share code: the layers must be the architecture's Dense layers ({want}), with Dropout "
                              f"between them; got {got or 'none'}")
    try:
        layers = [layer_from_config(c) for c in configs]
        return cr.Network(layers, loss=net.loss_function.name, dtype=described["dtype"])
    except (ValidationError, TypeError, ValueError, KeyError) as exc:
        raise ValidationError(f"share code: the layers are damaged ({exc})") from None


def arch_of(net) -> dict:
    dense = net.dense_layers
    return {"hidden": [d.n_out for d in dense[:-1]], "activations": [d.activation.name for d in dense[:-1]],
            "output_activation": dense[-1].activation.name, "loss": net.loss_function.name, "init": "auto",
            "seed": 0, "train_biases": all(d.trainable_params["b"] for d in dense)}


def class_row(row: np.ndarray, j: int, value: float) -> np.ndarray:
    """A categorical cross-entropy target row (probabilities summing to 1) with class j's target set
    to `value` and the other classes rescaled to share the rest (1 makes the row one-hot)."""
    if not 0 <= value <= 1:
        raise ValidationError(f"target: with categorical_crossentropy a target is a class probability from 0 to 1; "
                              f"got {value!r}")
    row = row.astype(float)
    others = np.arange(len(row)) != j
    total = row[others].sum()
    row[others] = row[others] * ((1 - value) / total) if total > 0 else (1 - value) / others.sum()
    row[j] = value
    return row


def thinned(history: dict[str, list], limit: int) -> dict[str, list]:
    """The loss curve's points, at most `limit`: past it the older half is thinned to every other
    point (the first point and the recent ones stay), so the curve keeps its shape and a page's
    answer stays small however long it trains. Of a pair thinned, a loss that overflowed (infinity,
    NaN) is the one kept: the chart marks it and its key says it."""
    n = len(history["step"])
    if n <= limit:
        return history

    def overflowed(i: int) -> bool:
        return any(v is not None and not math.isfinite(v) for v in (history["train"][i], history["test"][i]))
    pairs = range(1, n // 2, 2)           # after the first point, (i, i + 1): one of each kept
    older = [i + 1 if i + 1 < n // 2 and overflowed(i + 1) and not overflowed(i) else i for i in pairs]
    keep = [0, *older, *range(n // 2, n)]
    return {k: [v[i] for i in keep] for k, v in history.items()}


def resized_targets(Y: np.ndarray, k: int, loss: str) -> np.ndarray:
    """The batch's targets for k outputs; for categorical cross-entropy rows of probabilities
    (each row rescaled to sum to 1; an all-zero row uniform)."""
    Y = resized(Y, k, 0.5)
    if loss != "categorical_crossentropy" or k == 1:
        return Y
    Y = np.clip(Y, 0, None)
    total = Y.sum(axis=1, keepdims=True)
    return np.where(total > 0, Y / np.where(total > 0, total, 1), 1 / k)


def resized(a: np.ndarray, k: int, fill: float) -> np.ndarray:
    if a.shape[1] == k:
        return a
    out = np.full((a.shape[0], k), fill)
    m = min(k, a.shape[1])
    out[:, :m] = a[:, :m]
    return out


class NamedBytes:
    """Uploaded bytes that pandas reads like a file and error messages name like the file."""

    def __init__(self, data: bytes, name: str):
        self._buf, self.name = io.BytesIO(data), name

    def read(self, *args):
        return self._buf.read(*args)

    def __iter__(self):
        return iter(self._buf)

    def __str__(self) -> str:
        return self.name


def tabular():
    """read_csv and Preprocessing of `chainrule train` (wherever the package keeps them)."""
    from chainrule.data.tabular import Preprocessing, read_csv
    return read_csv, Preprocessing
