"""What a page takes away: the model (.npz for `chainrule.load`), the derivation (Markdown with
LaTeX, the `explain` report), and a share code that puts a small network's state in a URL (shareopen reads it)."""
from __future__ import annotations

import base64
import copy
import json
import math
import os
import tempfile
import zlib

import numpy as np

from chainrule.errors import ValidationError
from chainrule.saving.npzcheck import plain_json, uses_float_key
from chainrule.teach.numbers import fmt

from . import engine, limits, trained

MAX_SHARED_PARAMS = 400
VERSION = 5                     # of the share codes written (`_version`); every older one is read


def model_bytes(s) -> bytes:
    """The network as the .npz file `net.save` writes (with the CSV preprocessing when there is
    one, so `chainrule predict` can use it), with the page's optimizer and its state (step count,
    moments), so that `net.fit` goes on from where the page's training stopped (not a model file's
    optimizer as it was opened). Written in a private temporary folder, then read."""
    from chainrule.saving.npz import save
    kept, s.net.optimizer = s.net.optimizer, s.opt      # the page's optimizer, for this write only
    try:
        with tempfile.TemporaryDirectory(prefix="chainrule-explore-") as folder:
            path = os.path.join(folder, "model.npz")
            save(s.net, path, extra=None if s.pre is None else {"tabular": s.pre.to_json()})
            with open(path, "rb") as f:
                return f.read()
    finally:
        s.net.optimizer = kept


def markdown(s) -> str:
    """The `explain` report of the derivation shown in the page, as Markdown with LaTeX. After
    Update the page shows the forward pass of the weights before it (until Forward): so does this."""
    import chainrule as cr
    Xe, Ye, whole = s._explain_batch()
    lr = s.opt_settings["lr"] if (whole and s.opt_name == "sgd") else None
    net = s.net
    if s.phase == "update" and s.before is not None:
        net = copy.deepcopy(s.net)
        net.set_weights(s.before)
    dense = net.dense_layers
    sizes = "-".join(str(n) for n in [dense[0].n_in] + [d.n_out for d in dense])
    head = [f"# {s.title}", "", f"Network {sizes}, loss {s.net.loss_function.name}, "
            + ", ".join(f"layer {i + 1} {d.activation.name}" for i, d in enumerate(dense))
            + (f", learning rate {fmt(lr)}" if lr is not None
               else f", optimizer {trained.described(s.opt_name, s.opt_settings)}")
            + ("." if whole else f"; the derivation follows training sample {s.sample + 1} of {len(s.X)}."), ""]
    if net is not s.net:
        head[-1:] = [f"The weights before update {s.steps}, as the page shows them until Forward.", ""]
    head += _units(s)
    try:
        body = cr.explain(net, Xe, Ye, lr=lr).markdown()
    except ValidationError as exc:   # more parameters than one report lists: one report per layer
        if "explain prints at most" not in str(exc):
            raise
        body = "\n".join(cr.explain(net, Xe, Ye, lr=lr, layer=l, neuron=j).markdown()
                         for l in reversed(range(len(dense))) for j in range(dense[l].n_out))
    return "\n".join(head) + body


def _units(s) -> list[str]:
    """A CSV file's names of the units (a classifier's: its outputs'), as the page labels them: the report writes
    i1, o1."""
    from ..escape import code_span, one_line
    from .view import names
    named = names(s)
    if not named or not (named["inputs"] or named["outputs"]):
        return []

    def said(name) -> str:     # as the report's Markdown writes a name: on one line, as code (no HTML, no emphasis)
        return code_span(one_line(str(name)))
    scores = "the probability of " if named["scores"] else ""     # a binary classifier's one output
    outputs = ([f"o{k + 1} = {scores}class {said(c)}" for k, c in enumerate(named["outputs"])] if named["classes"]
               else [f"o1 = {said(named['target'])}"])
    columns = ", ".join(f"i{k + 1} = {said(c)}" for k, c in enumerate(named["inputs"] or []))
    inputs = [f"Inputs (column, or column=category): {columns}.", ""] if named["inputs"] else []
    return [*inputs, "Outputs: " + ", ".join(outputs) + ".", ""]


def share_code(s) -> str:
    """The share code alone (`shared`)."""
    return shared(s)[0]


def shared(s) -> tuple[str, str]:
    """(code, note): a short text (URL-safe) that holds the network, its batch or data set, and the optimizer with
    its state (step count, momentum or Adam's moments: at most 3 values per parameter)."""
    if s.mode == "csv":
        name = s.title.split(": ", 1)[0]
        raise ValidationError(f"a share link cannot hold the rows of a CSV file ({name}); export the model (.npz) "
                              "and send it with the file instead")
    if s.net.n_params > MAX_SHARED_PARAMS:
        raise ValidationError(f"share links hold networks of up to {MAX_SHARED_PARAMS} parameters; this one has "
                              f"{s.net.n_params} (export the model instead)")
    _check_shareable(s)
    payload = {"v": 1, "mode": s.mode, "arch": s.arch, "params": s.net.params.tolist(),
               "opt": [s.opt_name, s.opt_settings], "data": s.data,
               "X": None if s.data else s.X.tolist(), "Y": None if s.data else s.Y.tolist(),
               # the optimizer's step count and moments: the copy's next steps are the original's
               "steps": s.steps, "opt_state": {"t": s.opt.t, **{k: v.tolist() for k, v in s.opt.state.items()}}}
    described = engine.layers_of(s.net)     # a model file's Dropout, float32, alpha: not in the architecture
    if described is not None:
        payload["net"] = described
    if s.mode == "model":       # a model file's: its name, its CSV preprocessing (columns, statistics), its sample
        payload["model"] = {"title": s.title, "sample_from": s.sample_from,
                            "pre": None if s.pre is None else s.pre.to_json()}
        if s.optimizer_from:        # the model's optimizer, taken and set aside: said on the shared page too
            payload["model"]["optimizer_from"] = s.optimizer_from
        if s.classes:               # a fitted classifier's classes_ naming the outputs (setosa, not o1)
            payload["model"]["classes"] = list(s.classes)
    if s.selected is not None:      # the chain-rule panel's weight, and where the last steps moved it (its step line)
        payload["selected"] = s.selected
    payload["sample"] = s.sample        # the row the panel follows, and the phase: the receiver's panel is the sender's
    # the step line's weights left out before the network is refused: where the link would be too long, or where
    # the weights before the last steps are past what the copy takes (`_weights`: a run that came back from them)
    # (the note tells the sender so, as a refused link is told)
    before = [float(v) for w in (s.before or []) for v in np.ravel(w)]
    worst = max(before, key=lambda v: math.inf if math.isnan(v) else abs(v), default=0.0)
    before_ok = math.isfinite(worst) and abs(worst) <= limits.MAX_VALUE
    code = _encoded(s, {**payload, "phase": s.phase, **_taken_of(s)}) if before_ok else ""
    why = "" if before_ok else (f"one of them is {limits.roughly(worst)}, outside what a link holds "
                                f"({limits.between(limits.MAX_VALUE)})")
    if not code or len(code) > limits.MAX_SHARE:
        why = why or f"with them the link would be longer than {limits.MAX_SHARE:,} characters, the most a link holds"
        code = _encoded(s, {**payload, "phase": "forward" if s.phase == "update" else s.phase})
    if len(code) > limits.MAX_SHARE:         # refused here, not by the page that opens it
        raise ValidationError(f"this page's share link would be {len(code):,} characters; links open up to "
                              f"{limits.MAX_SHARE:,} (long column names or categories): export the model (.npz) "
                              "instead")
    if not why or s.before is None:
        return code, ""
    opens = " and it opens on Forward, the pass of the new weights" if s.phase == "update" else ""
    # one sentence in the page's words: the chain rule's line after a step, which the receiver's page opens without
    return code, (f"The link leaves out the weights before the last steps, as {why}, so its chain-rule panel lacks "
                  f"the line \"The step just taken ... moved ... from ... to ...\"{opens}.")


def _encoded(s, payload: dict) -> str:
    plain = plain_json(payload, "the share link")
    plain["v"] = _version(plain, s.opt.state_names)
    raw = zlib.compress(json.dumps(plain, separators=(",", ":"), allow_nan=False).encode(), 9)
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _taken_of(s) -> dict:
    """What the panel's step line reads after Step or Train (in Forward and Backward), and after Update the weights
    whose pass it shows: the weights before the last steps, the step count then, and the gradient of a single Step
    (an older chainrule ignores it: its page opens without that line)."""
    if s.before is None:
        return {}
    grads = None if s.step_grads is None else np.concatenate([x.ravel() for g in s.step_grads for x in g]).tolist()
    return {"taken": {"from": s.run_from, "before": np.concatenate([w.ravel() for w in s.before]).tolist(),
                      "grads": grads}}


def _version(plain: dict, names) -> int:
    """The oldest version that reads this code, so that an older chainrule opens it where it can and refuses it
    (as not one it writes) where it would misread it. 1: the first codes. 2: a model's infinity or NaN (a class
    of inf) as its file writes it, {"__float__": "Infinity"} (as the file's format version: an older chainrule
    refuses it rather than read a dict). 3: a model's optimizer in words (model.optimizer_from), or an optimizer
    state without an array it has not started (SGD's momentum buffer after a model's momentum was turned on).
    4: the sender's view (a phase past Forward, a sample past the first, the panel's weight, the step line), which
    a chainrule reading 1 to 3 would ignore, opening another view without a word. 5: a fitted classifier's class
    names (model.classes), which a chainrule reading 1 to 4 refuses as a damaged model."""
    if "classes" in (plain.get("model") or {}):
        return 5
    if plain.get("phase", "forward") != "forward" or plain.get("sample", 0) != 0 or "selected" in plain \
            or "taken" in plain:
        return 4
    state = plain["opt_state"]
    later = state["t"] != 0 and not set(names) <= set(state)
    if later or "optimizer_from" in (plain.get("model") or {}):
        return 3
    return 2 if uses_float_key(plain) else 1


def _check_shareable(s) -> None:
    """Refuse, with the reason, a state that `load_share` would refuse: weights past what a page
    accepts (limits.MAX_VALUE, as typed in), not finite, or an optimizer state past 1e300. The
    farthest value is named (w3, as the drawing labels it) and written as a person reads it."""
    dense = s.net.dense_layers
    weights = [(p["name"], float((dense[p["layer"]].W, dense[p["layer"]].b)[p["kind"] == "b"][tuple(p["index"])]))
               for p in s.report["parameters"]]
    arrays = [(limits.MAX_VALUE, weights),
              *((1e300, [(f"the optimizer's {k}", float(v)) for v in np.ravel(a)]) for k, a in s.opt.state.items())]
    for bound, values in arrays:
        past = [(name, v) for name, v in values if not (math.isfinite(v) and abs(v) <= bound)]
        if past:
            name, worst = max(past, key=lambda nv: math.inf if math.isnan(nv[1]) else abs(nv[1]))
            raise ValidationError(f"a share link holds values {limits.between(bound)}, as the page accepts "
                                  f"them; in this network {name} is {limits.roughly(worst)}: lower the learning "
                                  "rate and Undo or Reset, or export the model (.npz) instead")
