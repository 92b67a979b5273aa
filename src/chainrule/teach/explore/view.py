"""The JSON a page draws: a session's numbers, all read from the engine or its `explain` report."""
from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from ...nn.predict import predict
from ...saving.npzcheck import plain_json
from ...training.clipping import global_norm
from ...training.optim import Adagrad, Adam, RMSprop
from .. import last_digit
from ..escape import one_line
from ..notation import dropout_note, total_error
from ..numbers import cell, fmt, single_precision
from . import datasets, derive, limits, trained, wording
from .engine import unshown

GRID = 40   # cells per side of the decision-boundary picture


def state(s) -> dict:
    """Everything the page shows for session `s` (plain JSON: lists, numbers, strings, None); each
    number it draws also as the report writes it ("shown"), a float32 network's as float32's shortest."""
    with single_precision(s.report.get("dtype") == "float32"):
        return _state(s)


def shown(v):
    """`v` as the page writes it, the reports' rule (`derive.fmt`): one string per sample of a list."""
    return None if v is None else [shown(x) for x in v] if isinstance(v, list) else derive.fmt(v)


def _state(s) -> dict:
    d, dense, grads = s.report, s.net.dense_layers, s.batch["grads"]
    params = []
    for p in d["parameters"]:
        l, k, idx = p["layer"], 0 if p["kind"] == "W" else 1, tuple(p["index"])
        numbers = {"value": float((dense[l].W, dense[l].b)[k][idx]), "grad": float(grads[l][k][idx]),
                   "before": None if s.before is None else float(s.before[2 * l + k][idx])}
        params.append({"name": p["name"], "label": p["name"], "layer": l, "kind": p["kind"],
                       "index": p["index"], "from": p["from"], "to": p["to"], "trainable": p["trainable"],
                       **numbers, "shown": {key: shown(v) for key, v in numbers.items()}})
    delta = {p["to"]: p["dE/dnet"] for p in d["parameters"]}
    inputs = [{"name": u["name"], "value": u["value"], "shown": {"value": shown(u["value"])}} for u in d["inputs"]]
    for j, raw in enumerate(raw_inputs(s, inputs)):
        inputs[j]["shown"]["raw"] = raw
    layers = [{"activation": None, "units": inputs}]
    for layer in d["layers"]:
        units = []
        for nr in layer["neurons"]:
            numbers = {"net": nr["net"], "out": nr["out"], "delta": delta.get(nr["name"])}
            units.append({"name": nr["name"], **numbers, "bias": nr["bias"],
                          "shown": {key: shown(v) for key, v in numbers.items()}})
        layers.append({"activation": layer["activation"], "units": units})
    for drop in d.get("dropout", []):       # drawn on the column whose outputs it drops (the inputs: None)
        layers[0 if drop["after"] is None else drop["after"] + 1]["dropout"] = drop["rate"]
    out = {
        "mode": s.mode, "origin": s.origin, "start": s.start.name or None, "title": s.title, "phase": s.phase,
        "steps": s.steps, "message": s.message, "sample_from": s.sample_from,
        "refused": s.batch["refused"] and wording.for_page(s.batch["refused"]),     # a pass that overflows, in words
        "editable": s.mode not in ("dataset", "csv"), "can_undo": bool(s.changes.undone),
        "can_redo": bool(s.changes.redone),
        "loss": d["loss"], "E_total": s.batch["E"], "E_test": s.batch["E_test"], "E_how": total_line(s),
        "E_shown": {"total": shown(s.batch["E"]), "test": shown(s.batch["E_test"])},
        "n_train": len(s.X), "n_test": 0 if s.Xt is None else len(s.Xt),
        "explained": {"n": d["n_samples"], "whole_batch": len(s.X) == d["n_samples"],
                      "sample": s.sample, "E": d["E_total"]},
        "layers": layers, "params": params,
        **{key: [{**t, "shown": shown(t["value"])} for t in d[key]] for key in ("targets", "errors")},
        "grad_norms": [{"layer": ("output" if l == len(dense) - 1 else f"hidden {l + 1}"),
                        "norm": norm(g[0])} for l, g in enumerate(grads)], "norms_of": wording.norms_of(
                            s.phase, len(s.net.layers) > len(dense), bool(s.net.weight_penalty)),
        "history": s.history, "arch": s.arch, "unshown": unshown(s.net), "data": s.data, "names": names(s),
        "names_shown": names_shown(s),
        "target_scale": target_scale(s), "gradient_moves": gradient_moves(s),
        "step_scaled": step_scaled(s),
        "optimizer": {"name": s.opt_name, "settings": s.opt_settings},
        "optimizer_from": trained.now(s.optimizer_from, s.opt.t, s.steps,       # the count it is at now
                                      "in your network's fit" if s.start.notebook else "in the model file"),
        "selected": s.selected, "derivation": derivation(s),
        "seed": seed_view(s),
        "options": {"activations": limits.ACTIVATIONS, "losses": limits.LOSSES, "inits": limits.INITS,
                    "optimizers": {k: list(v) for k, v in _optimizers().items()}, "datasets": datasets.NAMES,
                    "max_units": limits.MAX_UNITS, "max_hidden": limits.MAX_HIDDEN_LAYERS,
                    "max_steps": limits.MAX_STEPS, "max_upload": limits.MAX_UPLOAD},
        **boundary(s),
    }
    return clean(out)


def total_line(s) -> dict:
    """How the readout's E_total is made from the E_o (over the whole training batch), as the report writes it."""
    plain, _, words = total_error(s.report["loss"], [e["name"] for e in s.report["errors"]], len(s.X))
    return {"line": plain, "words": words}


def names(s) -> dict | None:
    """What the units stand for, where the data names it: a CSV file's input columns in the order
    `Preprocessing.transform` writes them (the numeric columns, then each text column's categories
    as column=value), its outputs (the classes, or the regression target) and classes; a generated
    data set's classes (class 0 and class 1; its one output is class 1's probability); a fitted classifier's
    outputs, by its classes_. `scores`: the one output is the probability of the class it names (a binary
    classifier's sigmoid: "P(yes)", never a bare "yes" that reads as both classes' name). None for the seed's and
    the user's own networks."""
    pre, given = s.pre, s.classes
    if s.mode == "model" and given and len(given) == s.net.n_outputs:       # Explorer(est): setosa, not o1
        return {"inputs": None, "outputs": given, "target": None, "classes": given, "scores": len(given) == 1}
    if s.mode in ("csv", "model") and pre is not None:       # a CSV file, or a model file's stored preprocessing
        classes = [str(c) for c in pre.classes] if pre.task == "classification" else []
        return {"inputs": [*pre.numeric, *(f"{c}={v}" for c in pre.text for v in pre.categories[c])],
                "outputs": classes or [pre.target], "target": pre.target, "classes": classes or None, "scores": False}
    if s.mode == "dataset":      # its one sigmoid output: the probability of class 1, "P(class 1)" as a classifier's
        return {"inputs": None, "outputs": ["1"], "target": None, "classes": ["class 0", "class 1"], "scores": True}
    return None


def names_shown(s) -> dict | None:
    """`names` as the page shows them, as the reports write a name (`one_line`: a name holding a line break, or
    starting with a quote, in repr's form), so that "a\\nb" does not read as two names, nor 's' as a name in quotes;
    `names` keeps the raw ones the page sends back (the target a dropdown chooses)."""
    named = names(s)
    if named is None:
        return None
    pre = s.pre

    def show(words):
        return None if words is None else [one_line(w) for w in words]
    inputs = None                       # a text column's category as `chainrule plot` writes it: column=value
    if named["inputs"] and pre is not None:
        inputs = [*show(pre.numeric), *(f"{one_line(c)}={one_line(v)}" for c in pre.text for v in pre.categories[c])]
    return {"inputs": inputs, "outputs": show(named["outputs"]), "classes": show(named["classes"]),
            "target": None if named["target"] is None else one_line(named["target"]), "scores": named["scores"]}


# optimizers whose step adds the past steps (a velocity, Adam's first moment): a weight need not move against its
# gradient's sign; gradient descent, AdaGrad and RMSprop (without momentum) always do
_PAST = ("momentum", "nesterov", "adam")


def gradient_moves(s) -> str | None:
    """Why a weight's step need not go against the sign of its dE/dw (the legend then says the gradient pushes
    it): the optimizer's past steps, or MLP's weight penalty, which the update adds and dE/dw leaves out; None
    where it always does (gradient descent, AdaGrad, RMSprop without a penalty)."""
    if s.opt_name in _PAST:
        return f"{trained.SHOWN[s.opt_name]} adds its past steps"
    alpha = s.net.weight_penalty
    return f"the weight penalty (alpha {fmt(alpha)}) adds alpha · w / m to a weight's gradient" if alpha else None


def step_scaled(s) -> str | None:
    """Why a red bar (a small ‖∂E/∂W‖) need not mean weights that hardly move: AdaGrad, RMSprop and Adam divide
    each weight's step by the root of its squared gradients so far, so η sets the step, not the gradient's size
    (while it is well above ε); None for gradient descent and momentum, whose step is η times the gradient."""
    if not isinstance(s.opt, (Adagrad, RMSprop, Adam)):
        return None
    return (f"{trained.SHOWN[s.opt_name]} divides each weight's step by the size of its gradients so far, so η "
            f"({fmt(s.opt.lr)}), not the gradient's size, sets how far its weights move")


def target_scale(s) -> dict | None:
    """A CSV file's regression target as the network sees it, standardised ((raw - mean) / spread): its column,
    mean and spread as the report writes numbers, so the page can say how a target or output reads in the
    file's units; None where the target is the file's own (classes, a generated data set, the seed)."""
    pre = s.pre
    if pre is None or pre.task == "classification" or s.net.n_outputs != 1:
        return None
    return {"name": one_line(pre.target), "mean": derive.fmt(float(pre.y_mean)),     # the name as the page shows it
            "spread": derive.fmt(float(pre.y_scale))}


def raw_inputs(s, inputs: list[dict]) -> list:
    """Each numeric column's input as the CSV file writes it (`mean + spread * x`, of the x the page shows:
    the words under the title write the drawn row so), as `shown` writes its value; None for the rest."""
    named = names(s)
    if not named or not named["inputs"]:
        return [None] * len(inputs)
    pre = s.pre

    def raw(j, x):
        return [raw(j, v) for v in x] if isinstance(x, list) else cell(pre.raw_value(j, float(x)))
    return [raw(j, u["shown"]["value"]) if j < len(pre.numeric) else None for j, u in enumerate(inputs)]


def _optimizers() -> dict:
    from .session import OPTIMIZERS
    return OPTIMIZERS


def derivation(s) -> dict | None:
    """The chain rule of the selected weight, bias or neuron, numbers plugged in."""
    name, d = s.selected, s.report
    if name is None:
        return None
    with single_precision(d.get("dtype") == "float32"):      # a float32 network's numbers as `explain` writes them
        return _derivation(s, name, d)


def _derivation(s, name: str, d: dict) -> dict:
    p = next((q for q in d["parameters"] if q["name"] == name), None)
    refused = d.get("refused")      # explain's refusal of a pass that overflows: no chain rule, the weight editable
    stands = ""                     # a column's or class's name: the page shows it as written, not read as notation
    if p is not None:
        lines = [] if refused else derive.parameter_lines(d, p, rows=len(s.X))      # a sample's: its term of the mean
        title = (f"{name}: the {'weight' if p['kind'] == 'W' else 'bias'} "
                 f"from {p['from'] or 'the bias unit'} to {p['to']}")
        batch = float(s.batch["grads"][p["layer"]][0 if p["kind"] == "W" else 1][tuple(p["index"])])
    else:
        lines = [] if refused else derive.neuron_lines(d, name)
        title = f"{name}: " + ("an input" if name.startswith("i") else "its forward pass and its delta dE/dnet")
        named = names_shown(s)
        if named and named["inputs"] and name.startswith("i"):     # a CSV file's column
            stands = f", column {named['inputs'][[u['name'] for u in d['inputs']].index(name)]}"
        outputs = [u["name"] for u in d["layers"][-1]["neurons"]]
        if named and named["classes"] and named["outputs"] and name in outputs:      # the class it stands for
            scores = "the probability of " if named["scores"] else ""       # a binary classifier's one output
            stands = f", {scores}class {named['outputs'][outputs.index(name)]}"
        title += stands
        batch = None
    editable = p is not None or (name.startswith("i") and s.mode not in ("dataset", "csv"))
    if refused:
        return {"name": name, "title": title, "named": stands, "lines": [], "note": wording.for_page(refused),
                "batch_grad": None, "editable": editable}
    if s.mode == "seed" and s.pristine and s.steps == 0:
        derive.published(lines, seed_figures())
    whole = len(s.X) == d["n_samples"]
    note = "" if whole else (f"Sample {s.sample + 1} of {len(s.X)}: the chain rule of this sample's error alone. "
                             + _batch_gradient(s, p, batch))
    if batch is not None and p is not None and p["kind"] == "W" and s.net.weight_penalty:      # what net.step takes
        batch += s.net.weight_penalty * p["value"] / len(s.X)
    drops = [dropout_note(q["rate"], q["after"], len(d["layers"])) for q in d.get("dropout", [])]
    drops += [wording.dropout_update(d, told=True)] if drops else []        # and what the update is, then
    note = " ".join([*(f"{t}." for t in drops), note]).strip()        # explain's pass is the inference one
    if p is not None and p["updated"] is None and p["trainable"] and whole:
        note = (note + " " + _other_update(s, p)).strip()
    plain = (f"{x['lhs']} = {x['formula']} = {x['numbers']} = {x['value']}" for x in lines if x.get("numbers"))
    for _, said in last_digit.notes(list(plain)):     # as the report says them, in the report's words
        note = f"{note} {said}.".strip()
    for x in lines:             # which pass and weights a gradient or an update line is of, in this phase
        x["when"] = wording.LINE_WHEN.get((s.phase, x.get("kind")))
    return {"name": name, "title": title, "named": stands, "lines": lines, "note": note, "batch_grad": batch,
            "editable": editable, "of": wording.PANEL_OF[s.phase], "step": _step_taken(s, p, whole)}


def _step_taken(s, p: dict | None, whole: bool) -> str | None:
    """After Step or Train (or Update, once Forward draws the new weights), where the steps just taken moved a
    trained weight: the panel explains the new weights, its gradient and update being the next step's."""
    if s.before is None or p is None or not p["trainable"] or s.phase == "update":
        return None
    l, k, idx = p["layer"], 0 if p["kind"] == "W" else 1, tuple(p["index"])
    before, now = derive.fmt(float(s.before[2 * l + k][idx])), derive.fmt(p["value"])
    grads = getattr(s, "step_grads", None)
    if grads is None:           # Train (many steps: no one gradient to name) or Update
        return wording.steps_taken(p["name"], before, now, s.run_from, s.steps)
    penalised = bool(s.net.weight_penalty) and p["kind"] == "W"      # the update took alpha * w / m with it
    return wording.step_taken(p["name"], before, now, derive.fmt(float(grads[l][k][idx])), s.steps, whole, penalised)


def _other_update(s, p: dict) -> str:
    """What the derivation says of the update of an optimizer other than gradient descent (the chain rule
    gives its gradient; the step also takes the optimizer's state): after Update, the value it made."""
    shown = trained.SHOWN[s.opt_name]
    if s.phase != "update":
        return f"The update is {shown}'s (Optimizer); press Update to see the new value."
    layer = s.net.dense_layers[p["layer"]]
    now = float((layer.W if p["kind"] == "W" else layer.b)[tuple(p["index"])])
    return (f"{shown}'s update (from this gradient and the optimizer's state) made {p['name']} {derive.fmt(now)}; "
            "Forward shows the pass of the new weights.")


def _batch_gradient(s, p: dict | None, batch: float | None) -> str:
    """The words on the whole batch's gradient of a sample's derivation: the mean over the batch's samples and,
    for a weight of a network with a weight penalty (MLP's alpha), the alpha * w / m that the update adds to it,
    m the batch's rows (net.step's l2_penalty)."""
    whole = "The gradient of the whole batch (the mean over its samples)"
    if batch is None:
        return f"{whole}, used for the update, is shown on the drawing."
    alpha, m = s.net.weight_penalty, len(s.X)
    if not (alpha and p is not None and p["kind"] == "W"):
        return f"{whole}, used for the update, is {derive.fmt(batch)}."
    name, w = p["name"], p["value"]
    return (f"{whole} is {derive.fmt(batch)}; the update takes it "
            f"with the weight penalty: dE/d{name} + alpha * {name} / m = {derive.fmt(batch)} + {derive.fmt(alpha)} * "
            f"{derive.factor(w)} / {m} = {derive.fmt(batch + alpha * w / m)}.")


@functools.lru_cache(maxsize=1)
def seed_figures() -> list[dict]:
    """Every figure the seed prints beside the engine's (`chainrule example --as-published`)."""
    from chainrule.teach import worked_example as we
    figures, _ = we.worked_example()
    return [{"key": f.key, "seed": f.seed, "value": str(we.at_digits(f.value, f.seed)),
             "published": None if f.published is None else str(we.at_digits(f.published, f.seed)),
             "matches": bool(f.matches), "note": f.note} for f in figures]


def seed_view(s) -> dict | None:
    if s.mode != "seed":
        return None
    figures = seed_figures()
    key = {1: "E_total after 1 update", 10_000: "E_total after 10,000 updates"}.get(s.steps)
    published = next((f for f in figures if f["key"] == key), None) if s.pristine and s.phase != "update" else None
    return {"figures": figures, "published_E": published, "pristine": s.pristine, "readings": SEED_READINGS}


# Where the seed's own text disagrees with its computations, as the page reads it (docs/seed-notes.md): a
# student comparing its list of values or its names with the drawing finds these first.
SEED_READINGS = [
    "The seed lists b1=0.3, but every figure it computes uses 0.35 (net_h1 = 0.15*0.05 + 0.2*0.1 + 0.35*1 = "
    "0.3775): b_h1 and b_h2 are 0.35 here.",
    "The seed's b1 and b2 are one bias per layer; here each neuron has its own (b_h1, b_h2; b_o1, b_o2), starting "
    "at the seed's value. Like the seed's, they are fixed: only w1..w8 are updated (Network: biases learn).",
    "Its hidden-layer section writes net_h1 = w1*i1 + w3*i2 + b1; its forward pass (and every number) uses "
    "w2 from i2 to h1, as drawn here.",
]


def boundary(s) -> dict:
    """For 2-D data: the points and the network's decision over a grid (Playground's picture)."""
    net = s.net
    if s.mode not in ("dataset", "csv") or net.n_inputs != 2 or net.task == "regression":
        return {"points": None, "boundary": None}
    sets = [(s.X, s.Y, False)] + ([] if s.Xt is None else [(s.Xt, s.Yt, True)])
    allX = np.vstack([x for x, _, _ in sets])
    lo, hi = allX.min(axis=0), allX.max(axis=0)
    pad = (hi - lo) * 0.08 + 1e-9
    lo, hi = lo - pad, hi + pad
    xs = np.linspace(lo[0], hi[0], GRID)
    ys = np.linspace(hi[1], lo[1], GRID)           # top row first, as the picture is drawn
    gx, gy = np.meshgrid(xs, ys)
    out = predict(net, np.c_[gx.ravel(), gy.ravel()], finite=False)      # drawn as the network gives it
    cls, conf = decide(out)
    points: dict[str, list] = {"x": [], "cls": [], "test": []}
    for X, Y, test in sets:
        points["x"] += X.tolist()
        points["cls"] += decide(Y)[0].tolist()
        points["test"] += [test] * len(X)
    return {"points": points, "boundary": {"x": [float(lo[0]), float(hi[0])], "y": [float(lo[1]), float(hi[1])],
                                           "n": GRID, "cls": cls.tolist(), "conf": np.round(conf, 3).tolist()}}


def decide(out: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class and confidence in [0, 1] of network outputs (one output: threshold 0.5)."""
    if out.shape[1] == 1:
        return (out[:, 0] >= 0.5).astype(int), np.clip(np.abs(out[:, 0] - 0.5) * 2, 0, 1)
    k = out.shape[1]
    top = out.max(axis=1)
    return out.argmax(axis=1), np.clip((top - 1 / k) / (1 - 1 / k), 0, 1)


def norm(g: np.ndarray) -> float:
    """The Euclidean norm of `g` in float64, by clipping's rule (training.clipping.global_norm): a float32 network's
    squares overflow from 1.8e19 (its norm then read infinite, the page's bar blank and red), and where float64's
    overflow (1e154) or vanish (below 1.5e-154, a sigmoid saturated at net -400) it is scaled by the largest entry."""
    flat = np.asarray(g, dtype=np.float64).ravel()
    return global_norm(flat, [slice(None)])


def clean(x: Any) -> Any:
    """Standard JSON: NumPy scalars to Python, infinity and NaN as {"__float__": "Infinity"} ("-Infinity", "NaN"),
    the rule of a model file's description and of the share code (the page's numbers.js `revive` reads them back;
    None stays for what has no value, as a test loss where there is no test set)."""
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [clean(v) for v in x]
    if isinstance(x, (float, np.floating)):
        return float(x) if math.isfinite(x) else plain_json(float(x), "the page's state")
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x
