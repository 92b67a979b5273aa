"""The seed-style derivation of one forward and backward pass, read from the engine's caches.

`explain(net, X, Y, lr)` runs `net.backprop` once and then only *reads*: each layer's cached
input x, net input, output, dE/dout and delta, and the gradients in `net.grads`. Nothing here
recomputes the math, so every number shown is the number training uses.

Names follow the seeds: inputs i1.., hidden neurons h1.. (h<layer>_<j> when there are several
hidden layers), outputs o1..; weights w1.. numbered neuron by neuron, layer by layer (for the
seed network exactly its w1..w8); the bias of neuron h1 is b_h1.
"""
from __future__ import annotations

import copy
import math
import os
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ChainruleError, ChainruleTypeError, ValidationError
from ..nn.checks import learning_rate
from ..nn.divergence import divergence_cause
from ..nn.dropout import Dropout
from ..nn.losses import l2_penalty, rows_sum_to_one
from . import notation, sample_lines
from .notation import bias_name, neuron_names, weight_name
from .report import MAX_PARAMETERS, Report, UnknownParameterError

if TYPE_CHECKING:
    from ..nn.network import Network

MAX_SAMPLES = 8


def fitting_layers(net: Network) -> list[int]:
    """The layers (0-based) explain writes out whole: at most MAX_PARAMETERS weights and biases."""
    return [k for k, lay in enumerate(net.dense_layers) if notation.layer_fits(lay.n_in, lay.n_out)]


def slice_advice(net: Network, layer: int | None) -> str:
    """The slices of a call too large to write out that are not: whole layers, then single neurons, only where
    they fit (a neuron of n inputs has n + 1 parameters), in Python's words (the command says them in its own
    through `notation.as_options`, as every other advice of the report)."""
    dense = net.dense_layers
    neurons = [k for k, lay in enumerate(dense) if notation.neuron_fits(lay.n_in)]
    if layer is not None and layer not in neurons:
        return (f"Its neurons have {dense[layer].n_in + 1} parameters each, too many to write out too (net.gradients "
                "and gradcheck give their numbers)")
    if layer is not None:
        last = dense[layer].n_out - 1
        return f"Explain a slice: explain(..., layer={layer}, neuron=J) for one neuron J in 0..{last} of it."
    fits = fitting_layers(net)
    if not fits and not neurons:
        return ("No layer or neuron of this network is small enough to write out (net.gradients and gradcheck give "
                "their numbers)")
    whole = (f"explain(net, X, Y, layer=L) for one layer L in {fits} (those of at most {MAX_PARAMETERS} parameters)"
             if fits else "")
    one = ("explain(..., layer=L, neuron=J) for one neuron" if len(neurons) == len(dense) else
           f"explain(..., layer=L, neuron=J) for one neuron of a layer L in {neurons}" if neurons else "")
    return "Explain a slice: " + ", or ".join(part for part in (whole, one) if part) + "."


def _vals(a) -> list[float]:
    return [float(v) for v in np.asarray(a).reshape(-1)]


def explain(net: Network, X: Any, Y: Any, lr: float | None = None, *, layer: int | None = None,
            neuron: int | None = None) -> Report:
    """Explain one forward and backward pass of `net` on (X, Y), and with `lr` the update.

    Parameters
    ----------
    layer : int, optional
        Only list the parameters of this Dense layer (0 = first, -1 = last); needed for networks with
        more than MAX_PARAMETERS parameters.
    neuron : int, optional
        With `layer`: only the weights into this neuron of the layer (0 = first, -1 = last). Its text and
        Markdown write the forward pass of this neuron and the outputs alone, the other units they
        read as values on one line per layer (as `chainrule explain --neuron`); `to_dict()` keeps every unit.

    Examples
    --------
    >>> import chainrule as cr
    >>> net, X, Y, lr = cr.examples.seed_network()
    >>> report = cr.explain(net, X, Y, lr=lr)
    >>> round(report.parameter("w5")["grad"], 9)
    0.082167041
    """
    network_argument(net, "explain", "chainrule.explain({net}, X, Y)")
    if lr is not None:
        lr = learning_rate(lr)
    dense = net.dense_layers
    with np.errstate(over="ignore", invalid="ignore"):     # an overflow is refused below, in words
        E = net.backprop(X, Y)
    if not (math.isfinite(E) and np.isfinite(net.grads).all() and samples_fit(net, Y).all()):
        cause = divergence_cause(net.grads, E) if not math.isfinite(E) or not np.isfinite(net.grads).all() \
            else "a net input became infinite"
        raise ValidationError(f"explain: {cause}: with these inputs and weights the pass overflows {net.dtype} "
                              f"(numbers beyond about {np.finfo(net.dtype).max:.2g}), so there is nothing finite to "
                              "show; use smaller inputs or weights")
    x = dense[0].x
    assert x is not None          # cached by the forward pass just run
    n = x.shape[0]
    if layer is not None:
        layer = dense_index(net, layer)
    chosen = range(len(dense)) if layer is None else [layer]
    if neuron is not None and layer is None:
        raise ValidationError(f"neuron must be the index of a neuron of the chosen layer (give layer= too); got "
                              f"{neuron!r}")
    if neuron is not None and layer is not None:
        neuron = position(neuron, dense[layer].n_out, "neuron", "the index of a neuron of the chosen layer")
    n_listed = (dense[layer].n_in + 1 if neuron is not None and layer is not None else
                sum(dense[l].W.size + dense[l].b.size for l in chosen))
    if n > MAX_SAMPLES:
        raise ValidationError(f"explain shows at most {MAX_SAMPLES} samples; this call has {n}. Explain fewer: "
                              "explain(net, X[:1], Y[:1])")
    if n_listed > MAX_PARAMETERS and neuron is not None:      # no smaller slice: say so, not "choose a neuron"
        raise ValidationError(f"neuron {neuron} of layer {layer} has {n_listed} parameters (its weights and bias), "
                              f"more than the {MAX_PARAMETERS} explain shows: a neuron this wide is not written out "
                              "(net.gradients and gradcheck give its numbers)")
    if n_listed > MAX_PARAMETERS:
        raise ValidationError(f"explain prints at most {MAX_PARAMETERS} parameters; this call has {n_listed}. "
                              + slice_advice(net, layer))
    data = pass_data(net, Y, lr)
    sample_lines.name_columns(data["inputs"], X)    # a DataFrame's columns: said beside i1, i2, ... and o1, o2, ...
    sample_lines.name_columns(data["targets"], Y)
    data["target_classes"] = sample_lines.target_classes(Y, net.n_outputs, net.task)   # the 1s and 0s: said
    data["slice"] = None if layer is None else {"layer": int(layer), "neuron": None if neuron is None else int(neuron)}
    names = neuron_names(net)
    # MLP's alpha (from_sklearn): the engine's l2_penalty as a training step adds it, on copies (explain only reads)
    penalized = [SimpleNamespace(W=lay.W, dW=lay.dW.copy()) for lay in dense]
    data["weight_penalty"] = float(net.weight_penalty)
    data["E_penalty"] = l2_penalty(penalized, net.weight_penalty, n) if net.weight_penalty else None
    local = [_local(net, l) for l in range(len(dense))]      # each layer's dout/dnet, dE/dout and flushed mask
    zeroed = _zeroed(net, names, local)
    for l in reversed(list(chosen)):  # backward order: output layer first, as the seeds do
        lay = dense[l]
        last = l == len(dense) - 1
        nxt = None if last else dense[l + 1]
        deriv, dout, flushed = local[l]
        for j in range(lay.n_out):
            if neuron is not None and j != neuron:
                continue
            factors = {
                "dE/dout": None if dout is None or (last and net.fused_output) else _vals(dout[:, j]),
                "flushed": None if flushed is None or not flushed[:, j].any() else
                [bool(f) for f in flushed[:, j]],
                "dout/dnet": None if deriv is None else _vals(deriv[:, j]),
                "off": bool(deriv is not None and lay.activation.name in OFF and not deriv[:, j].any()),
                "dE/dnet": _vals(lay.delta[:, j]),
                "paths": None if nxt is None else [
                    {"via": names[l + 2][k], "dE/dnet": _vals(nxt.delta[:, k]),
                     "weight": weight_name(dense, l + 1, j, k), "w": float(nxt.W[j, k]),
                     "term": _vals(nxt.delta[:, k] * nxt.W[j, k]),
                     "zeroed": None if not zeroed[l + 1][:, k].any() else
                     [str(c) if c else None for c in zeroed[l + 1][:, k]],
                     "delta": notation.hidden_delta(dense, names, l + 1, k) if l + 2 < len(dense) else None}
                    for k in range(nxt.n_out)],
            }
            for i, frm in enumerate(names[l] + [None]):
                kind = "W" if frm is not None else "b"
                value = float(lay.W[i, j]) if frm else float(lay.b[j])
                grad = float(lay.dW[i, j]) if frm else float(lay.db[j])
                full = float(penalized[l].dW[i, j]) if frm and net.weight_penalty else None
                trainable = lay.trainable_params[kind]
                entry = {**parameter_key(net, names, l, i, j), "value": value,
                         "dnet/dparam": _vals(lay.x[:, i]) if frm else [1.0] * n, "grad": grad,
                         "trainable": trainable, **factors, "penalized_grad": full,
                         "updated": _updated(net.dtype, value, lr, grad if full is None else full)
                         if (lr is not None and trainable) else None}
                data["parameters"].append(entry)
    data["E_total_after"] = error_after_update(net, X, Y, lr) if lr is not None and not data["dropout"] else None
    return Report(data)


def error_after_update(net: Network, X: Any, Y: Any, lr: float) -> float | None:
    """E_total on the same samples after the update shown (the seed's "the total error is now down to"), by the
    engine's own step on a copy: None where that step refuses (it diverges), or where the step's kernels refuse the
    CHAINRULE_NUMBA setting (explain trains nothing: it still explains, without this line)."""
    from ..backend import kernels
    try:
        kernels.check_mode()
    except ValueError:
        return None
    after = copy.deepcopy(net)
    try:
        after.step(X, Y, lr)
        return after.loss(X, Y)
    except ChainruleError:
        return None


def samples_fit(net: Network, Y: Any, alone: bool = False) -> np.ndarray:
    """Per sample of the pass `net.backprop` just ran on (X, Y), whether explain writes it out: its net inputs, its
    error E (the sum of its loss terms), dE/dout, dE/dnet and dE/dW = dE/dnet * the layer's input all within the
    network's dtype (NaN, infinity or beyond: not). explain refuses a pass where a sample does not; `alone`: each
    sample as explain of it alone would see it, its derivatives not divided among the n samples (the explorer's
    count, from one pass of them all, of the samples explain refuses). explain's refusal rule, written once."""
    dense = net.dense_layers
    x = dense[0].x
    assert x is not None          # cached by the pass just run
    n, top = x.shape[0], float(np.finfo(net.dtype).max)
    share = n if alone else 1

    def largest(v) -> np.ndarray:             # each sample's largest |v| (NaN where it has one)
        return np.abs(np.asarray(v, dtype=np.float64).reshape(n, -1)).max(axis=1, initial=0)
    with np.errstate(all="ignore"):
        terms = net.loss_function.terms(dense[-1].out, net.targets(Y), dense[-1].net if net.fused_output else None)
        fits = np.abs(np.asarray(terms, dtype=np.float64).reshape(n, -1).sum(axis=1)) <= top
        for d in dense:          # a ReLU unit that is off reads an overflowed dE/dout as NaN: dE/dout too
            delta = largest(d.delta) * share
            dout = delta if d.dout is None else largest(d.dout) * share
            fits &= (largest(d.net) <= top) & (delta <= top) & (dout <= top) & (delta * largest(d.x) <= top)
    return fits


def pass_data(net: Network, Y: Any, lr: float | None = None) -> dict:
    """The pass `net.backprop` just ran, in `Report.to_dict`'s structure, all but its parameters (an empty list) and
    slice: read from the engine's caches, for explain's report and for the explorer's drawing of a pass that
    explain refuses (its numbers as they are, infinity or NaN where it overflowed). The one writing of it."""
    dense, names, loss = net.dense_layers, neuron_names(net), net.loss_function
    x, out = dense[0].x, dense[-1].out
    assert x is not None          # cached by the pass just run
    Yt = net.targets(Y)
    # the terms as the loss's value computes them (from the net input in the fused forms), so that
    # the printed E_total is their sum also when an output saturates
    terms = loss.terms(out, Yt, dense[-1].net if net.fused_output else None)
    return {
        "loss": loss.name, "dtype": str(net.dtype), "n_samples": x.shape[0], "lr": lr, "fused": net.fused_output,
        "scale": loss.scale(out),
        "rows_sum_to_one": rows_sum_to_one(loss, Yt),     # the engine's own test: which fused delta it took
        "inputs": [{"name": nm, "value": _vals(x[:, i])} for i, nm in enumerate(names[0])],
        "targets": [{"name": nm, "value": _vals(Yt[:, j])} for j, nm in enumerate(names[-1])],
        "layers": [_layer_data(net, names, l) for l in range(len(dense))],
        "errors": [{"name": f"E_{nm}", "value": _vals(terms[:, j])} for j, nm in enumerate(names[-1])],
        "E_total": float(terms.sum() / loss.scale(out)), "parameters": [], "dropout": _dropout(net),
    }


OFF = ("relu", "leaky_relu")       # units whose derivative is 0 for net <= 0 (leaky_relu: with alpha=0)


def _layer_data(net: Network, names: list[list[str]], l: int) -> dict:
    """Dense layer `l` of the pass: its activation, its neurons' sums and outputs, weights and bias; a softmax's
    dE/dout and Jacobian sum where it is not fused with the loss."""
    dense = net.dense_layers
    lay = dense[l]
    jacobian = lay.activation.name == "softmax" and lay.dout is not None and not (lay is dense[-1] and
                                                                               net.fused_output)
    return {
        "index": l, "activation": lay.activation.name, "alpha": lay.activation.config().get("alpha"),
        "dE/dout": [_vals(lay.dout[:, j]) for j in range(lay.n_out)] if jacobian else None,
        "softmax_sum": _vals((lay.dout * lay.out).sum(axis=1)) if jacobian else None,
        "neurons": [{"name": nm, "net": _vals(lay.net[:, j]), "out": _vals(lay.out[:, j]),
                     "bias": bias_name(nm), "bias_value": float(lay.b[j]),
                     "weights": [weight_name(dense, l, i, j) for i in range(lay.n_in)],
                     "weight_values": [float(w) for w in lay.W[:, j]],
                     "inputs": names[l]}
                    for j, nm in enumerate(names[l + 1])],
    }


def parameter_key(net: Network, names: list[list[str]], l: int, i: int, j: int) -> dict:
    """Which parameter an entry of `parameters` is: the weight from input i (i == n_in: the bias) to neuron j of
    Dense layer l, by name, layer, kind, index, from and to."""
    frm, to = (names[l] + [None])[i], names[l + 1][j]
    return {"name": weight_name(net.dense_layers, l, i, j) if frm else bias_name(to), "layer": l,
            "kind": "W" if frm else "b", "index": [i, j] if frm else [j], "from": frm, "to": to}


def _flushed(lay, nxt, deriv) -> tuple[np.ndarray | None, np.ndarray | None]:
    """dE/dout of a layer and where its delta dE/dout * dout/dnet was set to 0 by the engine as too small
    to matter (`nn.layers.flush_small`), or None; dE/dout as backward computed it (`notation.layer_dout`)."""
    if lay.dout is None or deriv is None:
        return lay.dout, None
    dout = notation.layer_dout(lay, nxt)
    with np.errstate(all="ignore"):
        flushed = (lay.delta == 0) & (dout * deriv != 0)
    return dout, flushed if flushed.any() else None


def _local(net: Network, l: int) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Dense layer `l`'s dout/dnet (None where fused with the loss or not elementwise), its dE/dout and where the
    engine flushed its delta (`_flushed`): computed once, for the report's factors and for `_zeroed`."""
    dense = net.dense_layers
    lay, nxt = dense[l], dense[l + 1] if l + 1 < len(dense) else None
    deriv = (None if (nxt is None and net.fused_output) or not lay.activation.elementwise
             else lay.activation.derivative(lay.out, lay.net))
    return (deriv, *_flushed(lay, nxt, deriv))


def _zeroed(net: Network, names: list[list[str]], local: list[tuple]) -> list[np.ndarray]:
    """Per layer, per sample and unit, the unit whose delta the engine set to 0 as too small (`_flushed`) where
    this unit's delta reads 0 because of it: the unit itself, or one above that all its nonzero paths read
    ("" elsewhere). The layers below a flushed delta read its 0, and their notes point at it. `local`: `_local`'s
    of each layer."""
    dense, found = net.dense_layers, list[np.ndarray]()
    for l in reversed(range(len(dense))):
        lay, nxt = dense[l], dense[l + 1] if l + 1 < len(dense) else None
        deriv, _, flushed = local[l]
        cause = np.where(flushed, np.array(names[l + 1], dtype=object), "") if flushed is not None else \
            np.full(lay.delta.shape, "", dtype=object)
        if nxt is not None and deriv is not None:      # a 0 read through the layer above: its cause
            above = found[-1]
            for s, j in zip(*np.nonzero((lay.delta == 0) & (cause == "") & (deriv != 0))):
                paths = [k for k in range(nxt.n_out) if nxt.W[j, k] != 0]
                if paths and all(above[s, k] for k in paths):
                    cause[s, j] = above[s, paths[0]]
        found.append(cause)
    return found[::-1]


def _updated(dtype: np.dtype, value: float, lr: float, grad: float) -> float:
    """w - lr * dE/dw in the network's dtype, as `Network.step` computes it: a float32 network's update
    rounded in float32 at each operation, not in float64 (which can differ in the last digit shown)."""
    t = np.dtype(dtype).type
    with np.errstate(over="ignore"):        # an update that overflows is shown as inf, as step refuses it
        return float(t(value) - t(lr) * t(grad))


def _dropout(net: Network) -> list[dict]:
    """Each Dropout layer: its rate and the Dense layer it follows (None: on the inputs)."""
    found, dense = [], -1
    for lay in net.layers:
        if lay in net.dense_layers:
            dense += 1
        elif isinstance(lay, Dropout):
            found.append({"rate": float(lay.rate), "after": None if dense < 0 else dense})
    return found


# a model of another framework, by the top of its class's module: the call that converts it (scikit-learn's are
# told by `our_estimator`, which knows a Pipeline's last step, a search's best estimator and a model with no import)
_CONVERTERS = {"torch": "chainrule.from_torch(model)", "keras": "chainrule.from_keras(model)",
               "tensorflow": "chainrule.from_keras(model)", "onnx": "chainrule.from_onnx(model)"}


def network_argument(net: Any, who: str, use: str, name: str = "net") -> None:
    """Refuse a `net` that is not a chainrule Network, saying what converts it: a model of scikit-learn, PyTorch,
    Keras or ONNX, a chainrule estimator (its .network_), seed_network()'s tuple or a file's name (not an
    AttributeError on dense_layers deep inside). `use`: the call, '{net}' where the network goes. The teaching
    functions' one check of it."""
    from ..nn.network import Network
    if isinstance(net, Network):
        return
    said = f"{who}: {name} must be a chainrule Network; got {type(net).__name__}"
    if isinstance(net, tuple) and net and isinstance(net[0], Network):
        raise ChainruleTypeError(f"{said}; unpack the example first: net, X, Y, lr = chainrule.examples.seed_network()")
    if isinstance(net, (str, os.PathLike)):
        raise ChainruleTypeError(f"{said} {str(net)!r}: {who} takes the network, not its file; load it first, "
                                 f"{use.format(net=f'chainrule.load({str(net)!r})')}")
    from ..saving.sklearn_import import our_estimator
    ours = our_estimator(net, use)
    convert = _CONVERTERS.get(type(net).__module__.split(".")[0])
    raise ChainruleTypeError(said + (ours or (f"; a model of another framework converts with {convert}"
                                              if convert else "")))


def dense_index(net: Network, layer: Any) -> int:
    """`layer` as an index of `net.dense_layers` (a Python or NumPy integer in range, not a bool), else the error
    that says the range: explain's and `formulas.weight_gradient`'s one check of it."""
    n = len(net.dense_layers)
    return position(layer, n, "layer", "an index of a Dense layer")


def position(v: Any, n: int, what: str, expected: str) -> int:
    """`v` as an index into `n` things, negative ones counted from the end as Python's (-1 the last), else the
    error naming `what`, `expected` and the range."""
    if not (is_index(v) and -n <= v < n):
        ends = "0 or -1" if n == 1 else f"0..{n - 1} or -{n}..-1"
        raise ValidationError(f"{what} must be {expected}, {ends} (from the end); got {v!r}")
    return int(v) % n


def is_index(v: Any) -> bool:
    """An integer (Python or NumPy), not a bool."""
    return isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_))


__all__ = ["MAX_PARAMETERS", "MAX_SAMPLES", "Report", "UnknownParameterError", "dense_index", "explain",
           "is_index", "position", "network_argument", "neuron_names", "samples_fit"]
