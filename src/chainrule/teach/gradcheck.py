"""Numerical gradients: the independent check of backpropagation.

dE/dw ~ (E(w + eps) - E(w - eps)) / (2 eps) for every parameter, compared with the
analytic gradients the engine computes. At a kink of an activation (relu at net = 0) the
derivative is not defined and the central difference mixes the two slopes: gradcheck leaves
such samples out of the comparison, with a KinkWarning naming them.
"""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..callers import caller_level
from ..errors import ValidationError
from ..nn.checks import number

if TYPE_CHECKING:
    from ..nn.network import Network

#: where the built-in activations are not differentiable; another activation class may declare
#: its own with a `kinks` attribute (a tuple of net inputs)
KINKS: dict[str, tuple[float, ...]] = {"relu": (0.0,), "leaky_relu": (0.0,)}


class KinkWarning(UserWarning):
    """gradcheck left out samples that put a unit at a kink of its activation."""


class GradcheckWarning(UserWarning):
    """gradcheck found parameters whose backpropagated and numerical gradients disagree: named, so that the
    number it returns is not the only sign that a derivative is wrong."""


#: a relative error above this is a wrong derivative, not rounding (right gradients stay below 1e-5)
SUSPECT = 1e-3
#: a disagreement within this many times a central difference's rounding (2.2e-16 * E / eps) is rounding: right
#: gradients stay within about 1.3 times it, however large the loss
ROUNDED = 10.0


def _network(net, who: str) -> None:
    from .explain import network_argument
    network_argument(net, who, f"{'chainrule.' if who == 'gradcheck' else ''}{who}({{net}}, X, Y)")


def numerical_gradients(net: Network, X: ArrayLike, Y: ArrayLike, eps: float = 1e-6) -> np.ndarray:
    """Central differences of the loss with respect to every parameter (flat, like `net.params`), in float64.

    A float32 network is stepped in a float64 copy of itself (as `gradcheck` does): in float32, w + 1e-6 rounds
    to a step some ulps off, and the loss's own rounding (about 1e-7 * E) over 2 eps leaves the differences
    wrong by percents."""
    _network(net, "numerical_gradients")
    eps = number(eps, "eps", low_inclusive=False)
    net = _in_float64(net)
    X, Y = net.check_data(X, Y)
    E = _loss_at(net, X, Y, "numerical_gradients")
    with np.errstate(all="ignore"):
        numeric = _central(net, X, Y, eps)[0]
    _refuse_not_finite(net, numeric, E, "numerical_gradients", "central differences")
    return numeric


def _in_float64(net: Network) -> Network:
    """The network itself in float64, else a float64 copy with its weights: central differences need
    float64's 16 digits (a step of 1e-6 moves a float32 loss by about its last digit)."""
    if net.dtype == np.float64:
        return net
    from ..nn.layers import layer_from_config
    from ..nn.network import Network
    copy = Network([layer_from_config(c) for c in net.config()["layers"]], loss=net.loss_function, dtype="float64")
    copy.params[...] = net.params
    return copy


def _loss_at(net, X, Y, what: str) -> float:
    """The loss at the current parameters, which the central differences step around: a NaN or infinite
    one (targets or inputs too large for the dtype) leaves them nothing to compute, so it is refused in
    words, not returned as NaN beside NumPy's overflow warnings."""
    with np.errstate(all="ignore"):
        E = net.loss_value(net.run_forward(X), Y)
    _refuse_not_finite(net, np.zeros(1), E, what, "loss")
    return E


def _refuse_not_finite(net, values: np.ndarray, E: float, what: str, name: str) -> None:
    if np.isfinite(E) and np.isfinite(values).all():
        return
    said = f"the loss is {E}" if not np.isfinite(E) else f"the loss is {E:.3g} but its {name} are not finite"
    raise ValidationError(f"{what}: {said} at these inputs and targets ({net.loss_function.name} in "
                          f"{net.dtype.name}, whose numbers end near {np.finfo(net.dtype).max:.3g}): there is no "
                          "finite derivative to check. Scale the targets (and the inputs), e.g. to unit variance")


def _kinked(net) -> list[tuple[int, np.ndarray, str]]:
    """(index among the dense layers, its kinks, activation name) of each layer whose activation has kinks."""
    found = []
    for l, layer in enumerate(net.dense_layers):
        act = layer.activation
        kinks = tuple(getattr(act, "kinks", KINKS.get(act.name, ())))
        if kinks:
            found.append((l, np.asarray(kinks, dtype=float), act.name))
    return found


def _central(net, X, Y, eps) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """The central differences, and for each kinked layer a (samples, units) mask of the units that
    some step of +-eps carried across (or onto) a kink."""
    kinked = _kinked(net)
    dense = net.dense_layers
    crossed = {l: np.zeros((X.shape[0], dense[l].n_out), dtype=bool) for l, _, _ in kinked}
    grads = np.zeros(net.n_params)
    saved = net.params.copy()
    try:
        for i in range(net.n_params):
            net.params[i] = saved[i] + eps
            plus = net.loss_value(net.run_forward(X), Y)
            nets = {l: dense[l].net.copy() for l in crossed}
            net.params[i] = saved[i] - eps
            minus = net.loss_value(net.run_forward(X), Y)
            for l, kinks, _ in kinked:
                p, m = nets[l][..., None] - kinks, dense[l].net[..., None] - kinks
                crossed[l] |= ((np.sign(p) != np.sign(m)) & (p != m)).any(axis=-1)
            net.params[i] = saved[i]
            grads[i] = (plus - minus) / (2 * eps)
    finally:
        net.params[...] = saved
    return grads, crossed


def _kink_message(net, crossed, eps) -> tuple[np.ndarray, str]:
    """The samples at a kink, and what to tell about them."""
    from .notation import neuron_names, shortened
    names = neuron_names(net)
    acts = {l: (name, kinks) for l, kinks, name in _kinked(net)}
    bad = np.flatnonzero(np.any([c.any(axis=1) for c in crossed.values()], axis=0))
    parts = []
    for s in bad[:5]:
        for l, c in crossed.items():
            units = [names[l + 1][j] for j in np.flatnonzero(c[s])]
            if units:
                name, kinks = acts[l]
                at = " or ".join(f"{k:g}" for k in kinks)
                parts.append(f"sample {s} puts {shortened(units)} at net = {at} (a step of eps={eps:g} in a "
                             f"parameter moves {'it' if len(units) == 1 else 'them'} across), a kink of {name}")
    more = f"; and {len(bad) - 5} more samples" if len(bad) > 5 else ""
    return bad, "; ".join(parts) + more + ": the numerical gradient is not defined there"


def gradcheck(net: Network, X: ArrayLike, Y: ArrayLike, eps: float = 1e-6, floor: float = 1e-5) -> float:
    """Max relative error between analytic and central-difference gradients.

    Relative error |a - n| / max(|a| + |n|, floor): 1e-5 or less means backpropagation is
    right; a wrong derivative gives 1e-2 or more. Central differences carry a rounding error of
    about 1e-16 * E / eps = 1e-10, so gradients smaller than `floor` (1e-5) are compared relative
    to `floor`. float32 networks are checked in float64 copies of themselves.

    A sample that puts a unit at a kink of its activation (relu, leaky_relu at net = 0: a step of
    eps moves the unit across it) has no derivative to check: it is left out, with a KinkWarning
    naming the sample and the units; if every sample is, a ValidationError says so.

    Examples
    --------
    >>> import chainrule as cr
    >>> net, X, Y, lr = cr.examples.seed_network()
    >>> cr.gradcheck(net, X, Y) < 1e-7
    True
    """
    _network(net, "gradcheck")
    eps = number(eps, "eps", low_inclusive=False)
    floor = number(floor, "floor", low_inclusive=False)
    net = _in_float64(net)
    Xc, Yc = net.check_data(X, Y)
    E = _loss_at(net, Xc, Yc, "gradcheck")
    with np.errstate(all="ignore"):
        numeric, crossed = _central(net, Xc, Yc, eps)
    _refuse_not_finite(net, numeric, E, "gradcheck", "central differences")
    if any(c.any() for c in crossed.values()):
        bad, message = _kink_message(net, crossed, eps)
        keep = np.setdiff1d(np.arange(Xc.shape[0]), bad)
        if not keep.size:
            raise ValidationError(f"gradcheck: {message}. Every sample is at a kink: nothing left to compare; give "
                                  "other samples, or move the parameters off the kink (nonzero biases)")
        warnings.warn(f"gradcheck left out {len(bad)} of {Xc.shape[0]} samples: {message}", KinkWarning,
                      stacklevel=caller_level())
        Xc, Yc = Xc[keep], Yc[keep]
        numeric = _central(net, Xc, Yc, eps)[0]
    with np.errstate(all="ignore"):
        net.run_forward(Xc)
        net.run_backward(Yc)
    analytic = net.grads.copy()
    _refuse_not_finite(net, analytic, E, "gradcheck", "gradients")
    _refuse_rounding(E, eps, analytic, floor)
    denom = np.maximum(np.abs(analytic) + np.abs(numeric), floor)
    rel = np.abs(analytic - numeric) / denom
    worst = float(np.max(rel)) if rel.size else 0.0
    if worst > SUSPECT:
        # a disagreement within the central differences' own rounding (a large loss) accuses no derivative
        wrong = (rel > SUSPECT) & (np.abs(analytic - numeric) > ROUNDED * _rounding(E, eps))
        said = _disagreement(net, analytic, numeric, rel, worst, wrong) if wrong.any() else \
            _rounding_message(E, eps, analytic, numeric, worst)
        warnings.warn(said, GradcheckWarning, stacklevel=caller_level())
    return worst


def _rounding(E: float, eps: float) -> float:
    """The rounding error of a central difference: the loss's last digit (2.2e-16 * E) over the step."""
    return float(np.finfo(np.float64).eps * abs(E) / eps)


def _rounding_message(E: float, eps: float, analytic: np.ndarray, numeric: np.ndarray, worst: float) -> str:
    return (f"gradcheck: the largest relative error {worst:.3g} is the central differences' rounding, not a wrong "
            f"derivative: the loss is {E:.3g}, so a central difference is rounded by about 2.2e-16 * E / eps = "
            f"{_rounding(E, eps):.2g}, and no disagreement passes {ROUNDED:g} times that (the largest: "
            f"{float(np.max(np.abs(analytic - numeric))):.2g}). Scale the targets (and the inputs), e.g. to unit "
            "variance, for a check that can tell")


def _parameter_names(net, layer, pname: str, size: int) -> list[str]:
    """The names of a parameter array's entries: a Dense layer's as explain writes them (w5, b_o1), another
    layer's as name[index]."""
    from .notation import bias_name, neuron_names, weight_name
    dense = net.dense_layers
    if layer in dense and pname in ("W", "b"):
        l = dense.index(layer)
        if pname == "b":
            return [bias_name(n) for n in neuron_names(net)[l + 1]]
        return [weight_name(dense, l, i, j) for i in range(layer.n_in) for j in range(layer.n_out)]
    shape = getattr(layer, pname, np.empty(size)).shape
    return [f"{pname}[{', '.join(map(str, np.unravel_index(k, shape)))}]" for k in range(size)]


def _disagreement(net, analytic: np.ndarray, numeric: np.ndarray, rel: np.ndarray, worst: float,
                  wrong: np.ndarray) -> str:
    """Which layers' parameters disagree, how many, and the worst one's two numbers."""
    from .notation import shortened
    parts = []
    for i, layer in enumerate(net.layers):
        segments = [(name, a, b) for owner, name, a, b in net.segments if owner is layer]
        bad = [(f, k) for name, a, b in segments
               for f, k in zip(range(a, b), _parameter_names(net, layer, name, b - a)) if wrong[f]]
        if not bad:
            continue
        if layer in net.dense_layers:          # explain's order: w1, w2, ... neuron by neuron, then the biases
            bad.sort(key=lambda fk: (fk[1].startswith("b"), int(fk[1][1:]) if fk[1].startswith("w") else fk[0]))
        act = getattr(getattr(layer, "activation", None), "name", None)
        label = f"layer {i} ({type(layer).__name__}{f', activation {act}' if act else ''})"
        f, name = max(bad, key=lambda fk: rel[fk[0]])
        total = sum(b - a for _, a, b in segments)
        parts.append(f"{label}: {len(bad)} of its {total} parameters ({shortened([k for _, k in bad])}), the worst "
                     f"dE/d{name}: {analytic[f]:.9g} by backpropagation, {numeric[f]:.9g} numerically")
    return (f"gradcheck: backpropagation and central differences disagree (largest relative error {worst:.3g}; "
            f"right gradients stay below 1e-5): {'; '.join(parts)}. A derivative there is wrong (an activation's "
            "derivative, a layer's backward), or an activation has a kink that a step of eps crosses and its "
            "class does not declare (kinks = (...))")


def _refuse_rounding(E: float, eps: float, analytic: np.ndarray, floor: float) -> None:
    """A loss so large that rounding it (about 2.2e-16 * E, divided by eps in a central difference) is
    larger than every gradient leaves the comparison measuring rounding: its number would say nothing."""
    noise = _rounding(E, eps)
    largest = float(np.max(np.abs(analytic))) if analytic.size else 0.0
    if noise > max(largest, floor):
        raise ValidationError(f"gradcheck: the loss is {E:.3g} at these inputs and targets, so large that the central "
                              f"differences' rounding error (about 2.2e-16 * E / eps = {noise:.2g}) exceeds every "
                              f"gradient (the largest {largest:.3g}): the check would compare rounding, not "
                              "derivatives. Scale the targets (and the inputs), e.g. to unit variance")

