"""The explorer's edits: a weight typed in, an input or target of the editable batch, the optimizer and
its settings, the network's architecture. Each is a `Session` action (the session runs it atomically and
records it for Undo); here is what it changes, checked before the engine sees it."""
from __future__ import annotations

from typing import Any

from chainrule.errors import ValidationError

from . import engine, limits, trained, wording
from .engine import make_optimizer, resized
from .limits import check_architecture, integer, number
from .opening import GIVEN

OPTIMIZERS = {"sgd": ("lr",), "momentum": ("lr", "momentum"), "nesterov": ("lr", "momentum"),
              "adagrad": ("lr",), "rmsprop": ("lr", "alpha", "eps"), "adam": ("lr", "beta1", "beta2", "eps")}
OPT_DEFAULTS = {"lr": 0.5, "momentum": 0.9, "alpha": 0.99, "eps": 1e-8, "beta1": 0.9, "beta2": 0.999}


def set_param(s, name: str, value: float) -> None:
    """Set one weight or bias by its name (w5, b_h1)."""
    p = next((q for q in s.report["parameters"] if q["name"] == name), None)
    if p is None:
        raise ValidationError(f"set_param: {name!r} is not a weight or bias of this network")
    layer = s.net.dense_layers[p["layer"]]
    (layer.W if p["kind"] == "W" else layer.b)[tuple(p["index"])] = number(value, name, limits.MAX_VALUE)
    edited(s)


def set_value(s, what: str, sample: int, index: int, value: float) -> None:
    """Set one input or target of the (small, editable) batch. With categorical cross-entropy a
    target row is probabilities: the other classes' targets are rescaled to sum to 1 with it."""
    if s.mode in ("dataset", "csv"):
        raise ValidationError("inputs and targets come from the data set here; load the seed network to edit them")
    if what not in ("input", "target"):
        raise ValidationError(f"set_value: what must be 'input' or 'target'; got {what!r}")
    arr = (s.X if what == "input" else s.Y).copy()
    i, j = integer(sample, "sample", 0, arr.shape[0] - 1), integer(index, "index", 0, arr.shape[1] - 1)
    unit = s.report["inputs" if what == "input" else "targets"][j]["name"]       # named as the page's field
    arr[i, j] = value = number(value, unit if what == "input" else f"target {unit}", limits.MAX_VALUE)
    if what == "target" and s.net.loss_function.name == "categorical_crossentropy" and arr.shape[1] > 1:
        arr[i] = engine.class_row(s.Y[i], j, value)      # the row stays probabilities summing to 1
    if what == "input":
        s.X = arr
    else:
        s.Y = s.net.targets(arr)
    if s.sample_from and s.sample_from.startswith(GIVEN):       # the notebook's X and y
        s.sample_from = f"{GIVEN}, edited here (the arrays in your notebook stay as they are)."
    elif s.sample_from:
        s.sample_from = "Your sample (drawn at random when the model was opened, then edited)."
    edited(s)


def edited(s) -> None:
    """After an edit: the forward pass of the edited network shown, its point on the loss curve."""
    s.pristine = False
    s.phase, s.before, s.step_grads = "forward", None, None
    s._compute()
    record_edit(s)


def record_edit(s) -> None:
    """The loss curve ends at the readout's loss: an edit's point at the current step (a jump, where training had
    points before it; further edits there move that point), as the readout's "step N" is the edited network's."""
    h, E = s.history, s.batch["E"]
    if h["train"] and h["train"][-1] == E and h["test"][-1] == s.batch["E_test"]:
        return                          # an edit that leaves the loss as it was (the optimizer, a rate)
    if h["step"][-1] == s.steps and (len(h["step"]) == 1 or h["step"][-2] == s.steps):
        for k in h:
            h[k].pop()
    s._record()


def set_optimizer(s, name: str | None = None, **settings: float) -> None:
    """Choose the optimizer (sgd, momentum, nesterov, adagrad, rmsprop, adam) and its settings."""
    name = s.opt_name if name is None else name
    if not isinstance(name, str) or name not in OPTIMIZERS:
        raise ValidationError(f"optimizer must be one of {', '.join(OPTIMIZERS)}; got {name!r}")
    unknown = sorted(set(settings) - set(OPTIMIZERS[name]))
    if unknown:
        raise ValidationError(f"{name} has no setting {unknown[0]!r}; its settings are {list(OPTIMIZERS[name])}")
    values = {k: s.opt_settings.get(k, OPT_DEFAULTS[k]) for k in OPTIMIZERS[name]}
    values.update({k: limits.setting(k, v) for k, v in settings.items()})
    # the engine given the numbers as sent, so that its refusal quotes the one typed (β₁ "got 1", not 1.0)
    s.opt, s.opt_name, s.opt_settings = make_optimizer(name, {**values, **settings}), name, values
    if trained.taken(s.optimizer_from):     # a new optimizer, from step 0: the model's state is set aside
        s.message = wording.new_optimizer(s.weights_from)
    s.optimizer_from = None
    edited(s)


def set_architecture(s, **arch: Any) -> None:
    """Rebuild the network: hidden (units per layer), activations, output_activation, loss,
    init, seed, train_biases, and for the editable batch inputs/outputs (how many)."""
    new = {**s.arch, **arch}
    n_in, n_out = new.pop("inputs", s.X.shape[1]), new.pop("outputs", s.Y.shape[1])
    if s.mode in ("dataset", "csv") and (n_in, n_out) != (s.X.shape[1], s.Y.shape[1]):
        raise ValidationError("the data set fixes the number of inputs and outputs here")
    check_architecture(new, n_in, n_out)
    fixed = s.mode in ("dataset", "csv")         # the targets come from a file or a generated data set
    if fixed and new["loss"] == "binary_crossentropy" and ((s.Y < 0) | (s.Y > 1)).any():
        # the page's words for a typed target ("click it") would send the class to targets it cannot edit here
        raise ValidationError(f"binary_crossentropy needs targets from 0 to 1; this data set's are from "
                              f"{s.Y.min():g} to {s.Y.max():g} (as the network is trained on them) and "
                              "cannot be edited here: choose another Loss (Network)")
    resized_units = (n_in, n_out) != (s.X.shape[1], s.Y.shape[1])
    named = resized_units and (s.pre is not None or s.classes is not None)
    if resized_units:
        s.pre = s.classes = None     # a model file's columns and classes (a classifier's) no longer name the units
        if s.sample_from and s.sample_from.startswith(GIVEN):
            s.sample_from = f"{GIVEN}, resized here to the new number of inputs and outputs."
        elif s.sample_from:
            s.sample_from = "Your sample (drawn at random when the model was opened, then resized to the " \
                               "new number of inputs and outputs)."
    net, lost = engine.rebuilt(s.net, n_in, n_out, new)    # a model file's dtype, Dropout, alpha
    s.message = wording.rebuilt(new, s.weights_from, engine.unshown(net), lost, named)
    if s.weights_from and s.mode == "model":    # a network given to Explorer is "your network" already
        s.title = "A new network on your network's sample" if s.start.notebook else \
            f"Your network on the sample of {s.title}"
    s.weights_from = None
    X = resized(s.X, n_in, 0.5)
    s.X, s.net, s.arch = X, net, new
    s.Y = net.targets(engine.resized_targets(s.Y, n_out, new["loss"]))
    if s.mode == "seed":
        s.mode, s.title = "custom", "Your network on the seed's sample"
    s.opt, s.optimizer_from = make_optimizer(s.opt_name, s.opt_settings), None    # from step 0
    s.pristine = False
    s._fresh()
