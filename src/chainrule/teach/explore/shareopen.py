"""A share code opened: the network, data, optimizer and view it holds, put into a page's session, each part checked
as the page's own edits are (the code is text from anywhere: a link pasted, or typed)."""
from __future__ import annotations

import base64
import json
import zlib

import numpy as np

from chainrule.errors import ValidationError
from chainrule.saving.npzcheck import as_float

from . import engine, export, limits, trained

SHARED = "the share link"       # where a shared model page's weights came from (wording.rebuilt names it)


def _load_taken(s, taken, steps: int) -> None:
    """The step line's state a share code holds (`_taken_of`), checked against the network."""
    if not isinstance(taken, dict) or set(taken) != {"from", "before", "grads"}:
        got = sorted(taken) if isinstance(taken, dict) else f"a {type(taken).__name__}"
        raise ValidationError(f"share code: taken must hold from, before and grads; got {got}")
    low = 0 if taken["grads"] is None else steps - 1        # a Step's gradient: that one step, the last
    start = limits.integer(taken["from"], "share code: the step the last steps began from", low, steps - 1)
    n, segments = s.net.n_params, s.net.segments

    def arrays(values, what: str, checked) -> list[np.ndarray]:
        if not isinstance(values, list) or len(values) != n:
            got = f"{len(values)}" if isinstance(values, list) else f"a {type(values).__name__}"
            raise ValidationError(f"share code: {what} must be {n} values; got {got}")
        flat = np.array(checked(values, f"share code: {what}"), dtype=s.net.params.dtype)
        return [flat[a:b].reshape(getattr(layer, name).shape) for layer, name, a, b in segments]

    before = arrays(taken["before"], "the weights before the last steps", _weights)
    grads = None if taken["grads"] is None else arrays(
        taken["grads"], "the last step's gradient", lambda v, what: _state(v, what, s.net.params.dtype))
    s.before, s.run_from = before, start
    s.step_grads = None if grads is None else list(zip(grads[::2], grads[1::2]))


def _load_phase(s, phase) -> None:
    """The sender's phase: Backward draws the gradients of the weights shown; after Update the panel shows the pass
    of the weights before that one update (`taken`), the network holding the updated ones, as `Session.update`
    leaves it."""
    if not isinstance(phase, str) or phase not in ("forward", "backward", "update"):
        raise ValidationError(f"share code: phase must be one of forward, backward, update; got {phase!r}")
    if phase == "update":
        if s.before is None or s.step_grads is not None or s.run_from != s.steps - 1:
            got = ("none" if s.before is None else "a Step's gradient" if s.step_grads is not None
                   else f"steps {s.run_from + 1} to {s.steps}")
            raise ValidationError("share code: phase update must come with the weights before that one update "
                                  f"(taken, from step {max(s.steps - 1, 0)}, without a gradient); got {got}")
    s.phase = phase
    if phase == "update":
        s._compute_shown()


def _payload(code) -> dict:
    if code == "":      # half a link pasted: said, never the seed opened as if no link had been given
        raise ValidationError("the share code is empty (a share link holds it after #s=): copy the whole link")
    if not isinstance(code, str) or not 0 < len(code) <= limits.MAX_SHARE:
        got = f"{len(code):,} characters" if isinstance(code, str) else limits.received(code)
        raise ValidationError(f"a share code is a text of 1 to {limits.MAX_SHARE:,} characters; got {got}")
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        z = zlib.decompressobj()
        text = z.decompress(raw, 200_000)
        if z.unconsumed_tail:
            raise ValueError("too long")
        payload = json.loads(text, parse_int=lambda t: int(t) if len(t) <= 300 else float(t), object_hook=as_float)
    except (ValueError, zlib.error, RecursionError):
        raise ValidationError("the share code is damaged (copy the whole link)") from None
    v = payload.get("v") if isinstance(payload, dict) else None
    if isinstance(v, int) and not isinstance(v, bool) and v > export.VERSION:
        raise ValidationError(f"the share code was made by a newer chainrule (share code version {v}; this one reads "
                              f"versions 1 to {export.VERSION}): upgrade chainrule to open it")
    if not isinstance(v, int) or isinstance(v, bool) or v < 1:
        raise ValidationError("the share code is not one chainrule writes (copy the whole link)")
    return payload


def _matrix(rows, name: str, n_cols: int) -> np.ndarray:
    if not isinstance(rows, list) or not 1 <= len(rows) <= 8 or not all(isinstance(r, list) for r in rows):
        raise ValidationError(f"share code: {name} must be 1 to 8 rows (lists); got {limits.held(rows)}")
    if any(len(r) != n_cols for r in rows):
        odd = next(r for r in rows if len(r) != n_cols)
        raise ValidationError(f"share code: every row of {name} needs {n_cols} values; got {len(odd)}")
    return np.array([[limits.number(v, f"share code: {name}", limits.MAX_VALUE) for v in r] for r in rows])


def load_share(s, code) -> None:
    """Put the state a share code holds into session `s` (checked like the page's own edits)."""
    p = _payload(code)
    data, arch, opt = p.get("data"), p.get("arch"), p.get("opt")
    if data is not None:
        if not isinstance(data, dict) or not set(data) <= {"name", "n", "noise", "seed"}:
            raise ValidationError("share code: data must name a data set, its size, noise and seed; "
                                  f"got {limits.held(data)}")
        s.load("dataset", **data)
    else:
        s.load("seed")
    if not isinstance(arch, dict):
        raise ValidationError(f"share code: the architecture must be a dict of its settings; got {limits.held(arch)}")
    if data is None:
        X, Y = p.get("X"), p.get("Y")
        n_in = len(X[0]) if isinstance(X, list) and X and isinstance(X[0], list) else 0
        n_out = len(Y[0]) if isinstance(Y, list) and Y and isinstance(Y[0], list) else 0
        if arch != s.arch or (n_in, n_out) != (2, 2):
            s.set_architecture(**arch, inputs=n_in, outputs=n_out)
        X, Y = _matrix(X, "X", n_in), _matrix(Y, "Y", n_out)
        if len(X) != len(Y):
            raise ValidationError(f"share code: X and Y need the same number of rows; got {len(X)} and {len(Y)}")
        s.X, s.Y = X, s.net.targets(Y)
    elif arch != s.arch:
        s.set_architecture(**arch)
    if p.get("net") is not None:
        s.net = engine.with_layers(s.net, p["net"])
        limits.check_model(s.net, "the shared network")
    values = p.get("params")
    if not isinstance(values, list) or len(values) != s.net.n_params:
        raise ValidationError(f"share code: expected {s.net.n_params} parameter values; got {limits.held(values)}")
    params = np.array(_weights(values, "share code: the network's weights"))
    s.net.params[:] = params
    if not isinstance(opt, list) or len(opt) != 2 or not isinstance(opt[1], dict):
        raise ValidationError(f"share code: the optimizer must be its name and settings, [name, {{setting: value}}]; "
                              f"got {limits.held(opt)}")
    s.set_optimizer(opt[0], **opt[1])
    state = p.get("opt_state")         # absent from codes written before it was kept
    if state is not None:
        _optimizer_state(s, state)
    steps = limits.integer(p.get("steps", 0), "share code: steps", 0, 10**9)
    if p.get("model") is not None:
        _model(s, p["model"])
    if trained.taken(s.optimizer_from) and s.opt.t < steps:    # its words count the file's steps as t - steps
        raise ValidationError(f"share code: the model's optimizer is at step {s.opt.t} but the page took {steps} "
                              "steps since the model file (copy the whole link)")
    s.sample = limits.integer(p.get("sample", 0), "share code: sample", 0, len(s.X) - 1)
    s._fresh()
    s.steps, s.history["step"] = steps, [steps]
    if p.get("taken") is not None and steps > 0:
        _load_taken(s, p["taken"], steps)
    _load_phase(s, p.get("phase", "forward"))
    if p.get("selected") is not None:       # the chain-rule panel's weight, refused in the share code's words
        if not isinstance(p["selected"], str) or p["selected"] not in s._names():
            raise ValidationError(f"share code: selected must name a weight, bias or neuron of this network; "
                                  f"got {p['selected']!r}")
        s.select(p["selected"])
    s.pristine = s.is_seed_start()


def _model(s, model) -> None:
    """A model file's page: its title, where its sample came from, and its CSV preprocessing (the
    columns that name its inputs, the statistics an export writes back), checked against the network."""
    from chainrule.errors import ChainruleError

    from .engine import tabular
    if not isinstance(model, dict) or not set(model) <= {"title", "sample_from", "pre", "optimizer_from", "classes"}:
        raise ValidationError("share code: model must hold a title, where its sample came from and its preprocessing;"
                              f" got {limits.held(model)}")
    classes = model.get("classes")
    odd = [c for c in classes if not isinstance(c, str) or len(c) > 1000] if isinstance(classes, list) else [classes]
    if classes is not None and (odd or len(classes) != s.net.n_outputs):
        got = (limits.received(classes) if not isinstance(classes, list) else f"{len(classes)} of them"
               if len(classes) != s.net.n_outputs else f"a text of {len(odd[0]):,} characters"
               if isinstance(odd[0], str) else limits.received(odd[0]))
        raise ValidationError(f"share code: the model's classes must be {s.net.n_outputs} texts (of at most 1000 "
                              f"characters), one per output; got {got}")
    texts = [model.get("title"), model.get("sample_from"), model.get("optimizer_from")]
    if not isinstance(texts[0], str) or not all(t is None or (isinstance(t, str) and len(t) <= 1000) for t in texts):
        which, held = next((w, v) for w, v in zip(("title", "sample's origin", "optimizer's words"), texts)
                          if not (isinstance(v, str) and len(v) <= 1000) and (v is not None or w == "title"))
        raise ValidationError("share code: the model's title, its sample's origin and its optimizer's words must be "
                              f"texts (of at most 1000 characters); got its {which}: {limits.held(held)}")
    pre = None
    if model.get("pre") is not None:
        _, Preprocessing = tabular()
        try:
            pre = Preprocessing.from_json(model["pre"])
        except ChainruleError as exc:
            raise ValidationError(f"share code: the model's preprocessing is damaged ({exc})") from None
        n_out = len(pre.classes) if pre.task == "classification" else 1
        if (pre.n_features, n_out) != (s.net.n_inputs, s.net.n_outputs):
            raise ValidationError(f"share code: the preprocessing gives {pre.n_features} inputs and {n_out} "
                                  f"outputs; the network has {s.net.n_inputs} and {s.net.n_outputs}")
    s.mode, s.title, s.sample_from, s.pre, s.optimizer_from = "model", texts[0][:1000], texts[1], pre, texts[2]
    s.classes = classes
    s.weights_from = SHARED


def _optimizer_state(s, state) -> None:
    """The optimizer's step count and per-parameter arrays, checked against the optimizer chosen."""
    names = set(s.opt.state_names)
    # a state a setting turns on (SGD's momentum buffer) may be absent after steps: a model's momentum turned on
    # since its last step; made at the next step, as the engine makes it (and `cr.load` takes such a file)
    later = names & set(s.opt.switchable)
    if isinstance(state, dict) and state.get("t") == 0 and set(state) == {"t"}:
        return                          # no step yet: no moments
    if not isinstance(state, dict) or not (names - later) | {"t"} <= set(state) <= names | {"t"}:
        raise ValidationError(f"share code: the {s.opt_name} optimizer's state needs t and {sorted(names)}; "
                              f"got {limits.held(state)}")
    s.opt.t = limits.integer(state["t"], "share code: the optimizer's step count", 0, 10**9)
    n = s.net.n_params
    for name in sorted(names & set(state)):
        values = state[name]
        if not isinstance(values, list) or len(values) != n:
            raise ValidationError(f"share code: the optimizer's {name} needs {n} values; got {limits.held(values)}")
        s.opt.state[name] = np.array(_state(values, f"share code: the optimizer's {name}", s.net.params.dtype),
                                     dtype=s.net.params.dtype)


def _weights(values: list, what: str) -> list[float]:
    """A share code's weights (the network's, and those before its last steps), as the page takes a typed one."""
    return [limits.number(v, what, limits.MAX_VALUE) for v in values]


def _state(values: list, what: str, dtype) -> list[float]:
    """A gradient or an optimizer's moments: finite in the network's dtype (1e300 is infinity in float32)."""
    return [limits.number(v, what, min(1e300, float(np.finfo(dtype).max))) for v in values]

