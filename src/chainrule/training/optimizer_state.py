"""torch's `optimizer.state_dict()` / `load_state_dict(sd)`: the optimizer's settings, step count and state arrays
as plain Python and NumPy values, one state entry per parameter array of the network (`net.get_weights()`'s order
and shapes; torch's Linear.weight is the transpose of W), made from and put back into the same flat state that
`cr.save` writes (`Optimizer.saved_state`, `Optimizer.restore`). Nothing is pickled, so a dict of another kind,
shape or dtype is refused by name rather than run."""
from __future__ import annotations

import inspect
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import ChainruleError, ValidationError
from ..nn.checks import learning_rate
from .cyclic_schedules import OneCycleLR

if TYPE_CHECKING:
    from .optimizer import Optimizer

#: torch's param_group keys that say how torch computes, not what: read and left alone
TORCH_HOW = ("foreach", "capturable", "differentiable", "fused", "initial_lr")
#: the keys torch's OneCycleLR keeps in the param_group (checked against the optimizer's OneCycleLR)
ONE_CYCLE = ("max_lr", "min_lr", "max_momentum", "base_momentum")
#: chainrule's own keys, which a dict written by torch lacks: the optimizer keeps its own then
OWN = ("clip_norm", "clip_value", "epoch")
#: why step counts that differ from parameter to parameter are refused
ONE_STEP = ("chainrule counts one step for the whole network, as Keras does (a torch layer frozen for some steps has "
            "fewer)")
#: the squared gradients' averages or sums, never negative (a negative one gave NaN steps)
SQUARES = {"Adam": ("exp_avg_sq", "max_exp_avg_sq"), "RMSprop": ("square_avg",), "Adagrad": ("sum",)}


def layout_of(net: Any) -> list[tuple[str, tuple[int, ...]]]:
    """(what, shape) of each parameter array of `net`, in the flat vector's order (net.get_weights()')."""
    index = {id(layer): i for i, layer in enumerate(net.layers)}
    return [(f"{name} of layer {index[id(layer)]} ({type(layer).__name__})", tuple(getattr(layer, name).shape))
            for layer, name, _, _ in net.segments]


def state_problem(opt: Optimizer, state: dict) -> str | None:
    """What is wrong with an optimizer's state arrays (a negative average of squared gradients), or None."""
    for cls in type(opt).__mro__:
        for name in SQUARES.get(cls.__name__, ()) if cls.__module__.endswith("training.optim") else ():
            values = state.get(name)
            if values is not None and (values < 0).any():
                at = int(np.flatnonzero(values < 0)[0])
                return (f"the optimizer state {name!r} ({type(opt).__name__}'s sum or average of squared "
                        f"gradients, never negative) holds {values[at]} at index {at}")
    return None


def group_of(opt: Optimizer) -> dict:
    """The one param_group: torch's keys (lr, betas, ...) and chainrule's (clip_norm, clip_value, epoch)."""
    settings = {k: tuple(v) if k == "betas" else v for k, v in opt._settings().items()}
    decoupled = getattr(type(opt), "decoupled", None)          # Adam's and AdamW's: torch writes it
    extra = {} if decoupled is None else {"decoupled_weight_decay": decoupled}
    return {"lr": opt.lr, **settings, "maximize": False, **extra, "epoch": opt.epoch}


def state_dict(opt: Optimizer) -> dict:
    """torch's layout: {"state": {index: {"step": t, name: array}}, "param_groups": [{..., "params": [0, ...]}]}.
    A parameter whose SGD buffer has not started (a frozen layer) has no buffer, as torch has none."""
    saved = opt.saved_state()
    if not saved and not opt.__dict__.get("_layout") and "_listed" not in opt.__dict__:
        raise ValidationError(f"state_dict: this {type(opt).__name__} has no parameters yet (torch's optimizer is "
                              "made with them): bind it to its network first (opt.bind(net)), or fit with it")
    layout = opt.__dict__.get("_layout") or [("", v.shape) for v in list(saved.values())[:1]]
    dtype = opt.__dict__.get("_dtype")
    if not saved and not opt.t and type(opt).state_when_made and opt.__dict__.get("_layout") and dtype is not None:
        zeros = np.zeros(sum(math.prod(shape) for _, shape in layout), dtype=dtype)      # torch's state when made
        saved = {name: opt._new_state(name, zeros) for name in opt.state_names}
    state: dict[int, dict[str, Any]] = {}
    fresh, start = opt.__dict__.get("_fresh"), 0
    for i, (_, shape) in enumerate(layout):
        stop = start + math.prod(shape)
        not_started = fresh is not None and bool(fresh[start:stop].all())
        entry: dict[str, Any] = {"step": int(opt.t)}
        entry.update({k: saved[k][start:stop].reshape(shape).copy() for k in sorted(saved)
                      if not (not_started and k == "momentum_buffer" and opt.per_part_start)})
        if len(entry) > 1 or opt.t:
            state[i] = entry
        start = stop
    count = len(layout) if opt.__dict__.get("_layout") or saved else opt.__dict__.get("_listed", 0)
    return {"state": state, "param_groups": [{**group_of(opt), "params": list(range(count))}]}


def _refuse(what: str) -> ValidationError:
    return ValidationError(f"load_state_dict: {what}")


def _kind_of(keys: list[str]) -> str:
    """The built-in optimizers whose settings include `keys` (a dict of another kind), for the message."""
    from .optim import OPTIMIZERS
    ours = set(keys) - {"decoupled_weight_decay"}
    kinds = [cls.__name__ for cls in OPTIMIZERS.values() if ours <= set(inspect.signature(cls).parameters)]
    return f" (a state dict of {' or '.join(kinds)}?)" if kinds else ""


def _one_cycle_keys(opt: Optimizer, group: dict) -> list[str]:
    """The keys torch's OneCycleLR writes into the param_group (max_lr, min_lr; with cycle_momentum, max_momentum and
    base_momentum), taken where they are those of the optimizer's own OneCycleLR, else refused naming both."""
    keys = [k for k in ONE_CYCLE if k in group]
    if not keys:
        return []
    given = {k: group[k] for k in keys}
    cycles = [s for s in getattr(opt.schedule, "schedules", [opt.schedule]) if isinstance(s, OneCycleLR)]
    if not cycles:
        held = "no schedule" if opt.schedule is None else f"{type(opt.schedule).__name__}, no OneCycleLR"
        raise _refuse(f"param_groups[0] has {given}, torch's OneCycleLR's, and this {type(opt).__name__} follows "
                      f"{held}: give it the OneCycleLR that trained it (chainrule.optim.OneCycleLR)")
    for cycle in cycles:
        own = {"max_lr": cycle.max_lr, "min_lr": cycle.max_lr / cycle.div_factor / cycle.final_div_factor}
        if cycle.cycle_momentum:
            own.update(max_momentum=cycle.max_momentum, base_momentum=cycle.base_momentum)
        if set(keys) == set(own) and all(_near(given[k], own[k]) for k in keys):
            return keys
    raise _refuse(f"param_groups[0] has {given}, torch's OneCycleLR's, and this {type(opt).__name__}'s "
                  f"{cycles[-1]!r} has {own}: give it the OneCycleLR that trained it (torch's cycle_momentum writes "
                  "max_momentum and base_momentum)")


def _near(value: Any, want: float) -> bool:
    value = _number(value)
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isclose(value, want, rel_tol=1e-12)


def _settings(opt: Optimizer, group: Any) -> dict[str, Any]:
    """The param_group's settings, each checked as its setter checks it: nothing is set before all pass."""
    name = type(opt).__name__
    if not isinstance(group, dict):
        raise _refuse(f"param_groups[0] must be a dict; got {type(group).__name__}")
    ours = {"lr", "params", *opt._settings()}
    unknown = [k for k in group if k not in ours | {"maximize", "decoupled_weight_decay", *TORCH_HOW, *OWN,
                                                     *_one_cycle_keys(opt, group)}
               or (k == "decoupled_weight_decay" and not hasattr(type(opt), "decoupled"))]
    if unknown:
        raise _refuse(f"param_groups[0] has {unknown}, which {name} does not take{_kind_of(unknown)}")
    missing = [k for k in sorted(ours - set(OWN)) if k not in group]
    if missing:
        raise _refuse(f"param_groups[0] lacks {missing}: {name}'s param_group has {sorted(ours)}")
    if group.get("maximize"):
        raise _refuse("param_groups[0] has maximize=True: chainrule's optimizers descend the loss (negate it instead)")
    ours_decoupled = getattr(type(opt), "decoupled", None)
    decoupled = group.get("decoupled_weight_decay", ours_decoupled)
    if decoupled != ours_decoupled:
        raise _refuse(f"param_groups[0] has decoupled_weight_decay={decoupled!r}, {name} has "
                      f"{ours_decoupled!r}: load it into {'AdamW' if decoupled else 'Adam'}")
    checks = type(opt).checks
    given = {k: tuple(map(_number, group[k])) if k == "betas" and isinstance(group[k], (list, tuple))
             else _number(group[k]) for k in opt._settings() if k in group}
    checked = {k: _checked(checks, k, v) for k, v in given.items()}
    if checked.get("clip_norm", opt.clip_norm) is not None and checked.get("clip_value", opt.clip_value) is not None:
        raise _refuse("param_groups[0] gives both clip_norm and clip_value: one of them must be None")
    return checked


def _number(value: Any) -> Any:
    """A one-number torch tensor or NumPy array (torch takes lr=torch.tensor(0.01), or of shape (1,), and betas of
    tensors, and writes them so in its state dict; a dict whose tensors were made arrays holds 0-d arrays) as that
    Python number; anything else as it is, for the setting's own check."""
    tensor = type(value).__module__.startswith("torch") and hasattr(value, "is_complex") and not value.is_complex()
    if (tensor or isinstance(value, np.ndarray) and value.dtype.kind in "iuf") and math.prod(value.shape) == 1:
        return value.item()
    return value


def _checked(checks: dict, key: str, value: Any) -> Any:
    """`value` as the setter of `key` checks it, a refusal naming the param_group's key."""
    try:
        return checks[key](value) if key in checks else value
    except ChainruleError as refusal:
        raise type(refusal)(f"load_state_dict: param_groups[0][{key!r}]: {refusal}") from refusal


def _array(i: int, key: str, value: Any) -> np.ndarray:
    """state[i][key] as a float64 or float32 array (the network's dtype), or refused by its key."""
    try:
        array = np.asarray(value)
    except (ValueError, TypeError) as error:
        raise _refuse(f"state[{i}][{key!r}] is not an array of numbers ({error})") from None
    if array.dtype not in (np.float64, np.float32):
        raise _refuse(f"state[{i}][{key!r}] must be a float64 or float32 array (the network's dtype); got "
                      f"{type(value).__name__} of dtype {array.dtype}")
    return array


def _params(opt: Optimizer, group: dict) -> list[tuple[str, tuple[int, ...]]] | int:
    """The optimizer's layout (bound to a network), or the number of parameters the dict lists."""
    params, layout = group["params"], opt.__dict__.get("_layout")
    if not isinstance(params, list) or params != list(range(len(params))) or any(type(i) is bool for i in params):
        raise _refuse(f"param_groups[0]['params'] must be the indices [0, 1, ..., n - 1]; got {params!r}")
    if layout is not None and len(params) != len(layout):
        raise _refuse(f"the state dict lists {len(params)} parameter arrays; this optimizer's network has "
                      f"{len(layout)}: {[shape for _, shape in layout]}{_torch_numbered(opt, len(params))}")
    return layout if layout is not None else len(params)


def _torch_numbered(opt: Optimizer, n: int) -> str:
    """Where `n` is the number of `to_torch(net)`'s parameters (a bias-free layer's Linear has no bias), the way round:
    `from_torch_state(sd, net)` numbers them as the network does."""
    owner = opt.__dict__.get("_owner")
    net = owner() if owner is not None else None
    if net is None:
        return ""
    from ..nn.flat import torch_order
    if n != len(torch_order(net)) or n == 2 * len(net.dense_layers):
        return ""
    return ("; to_torch(net) has no bias for a layer without one (Linear(bias=False)), so torch numbers "
            f"{n}: convert torch's state dict with from_torch_state(sd, net), which numbers them as the network does")


def _step(entries: dict, needed: bool) -> int:
    """The one step count of every entry (chainrule counts one for the whole network)."""
    steps: dict[int, int] = {}
    for i, entry in entries.items():
        if "step" not in entry:
            if needed:
                raise _refuse(f"state[{i}] lacks 'step'")
            continue
        step = whole_step(entry["step"])
        if step is None:
            raise _refuse(f"state[{i}]['step'] must be a whole number >= 0; got {entry['step']!r}")
        steps[i] = step
    if len(set(steps.values())) > 1:
        raise _refuse(f"the parameters' step counts differ ({steps}): {ONE_STEP}")
    return next(iter(steps.values()), 0)


def whole_step(value: Any) -> int | None:
    """A state's step (a number, NumPy's or torch's 0-d one) as an int, or None where it is none: True, a string,
    2.5 (never cut short) or a negative one; the one reading of a step, load_state_dict's and the torch conversions'."""
    if hasattr(value, "detach"):
        value = value.detach().cpu().numpy()
    array = np.asarray(value) if not isinstance(value, (str, bytes)) else np.asarray(None)
    if array.shape != () or array.dtype.kind not in "iuf":          # bool's kind is 'b': True is no step
        return None
    number = float(array)
    return int(number) if 0 <= number < 2**53 and number == int(number) else None


def _frozen(opt: Optimizer) -> set[int]:
    """The indices of the parameters the bound network freezes: torch keeps no state for them (no gradient), where
    chainrule's stays zero (a Linear without bias: its Dense's zero bias, frozen)."""
    owner = opt.__dict__.get("_owner")
    net = owner() if owner is not None else None
    if net is None:
        return set()
    return {i for i, (layer, name, _, _) in enumerate(net.segments) if not layer.trainable_params.get(name, True)}


def _one_group(groups: Any) -> list:
    """torch's param groups as one: several are taken where only their params differ (torch numbers the
    parameters on across the groups), refused naming the settings that differ where they do."""
    if not isinstance(groups, list) or not groups or not all(isinstance(g, dict) for g in groups):
        raise _refuse(f"param_groups must be a list of param groups (dicts); got {groups!r:.200}")
    if len(groups) == 1:
        return groups
    keys = sorted({k for g in groups for k in g} - {"params"})
    values = {k: [_number(g.get(k)) for g in groups] for k in keys}
    differ = {k: v for k, v in values.items() if any(not _same(x, v[0]) for x in v)}
    if differ:
        raise _refuse(f"param_groups has {len(groups)} groups whose settings differ ({differ}): chainrule's optimizer "
                      "has one of each for the whole network; give every torch param group the same settings, or "
                      "load only the state (the dict with one param group of the settings you want)")
    return [{**groups[0], "params": [i for g in groups for i in g.get("params", [])]}]


def _same(a: Any, b: Any) -> bool:
    """Whether two settings are the same (betas: tuples of one-number tensors compared as numbers)."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(_number(x), _number(y)) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except (TypeError, ValueError, RuntimeError):            # arrays or tensors of several numbers
        return a is b


def load_state_dict(opt: Optimizer, sd: Any) -> None:
    """Check everything in `sd`, then set the settings, the step count and the state arrays."""
    name = type(opt).__name__
    if not isinstance(sd, dict) or set(sd) != {"state", "param_groups"}:
        got = sorted(map(str, sd)) if isinstance(sd, dict) else type(sd).__name__
        raise _refuse(f"a state dict is a dict with the keys ['param_groups', 'state']; got {got}")
    groups, entries = _one_group(sd["param_groups"]), sd["state"]
    settings = _settings(opt, groups[0])
    layout = _params(opt, groups[0])
    n = layout if isinstance(layout, int) else len(layout)
    if not isinstance(entries, dict) or any(type(i) is bool or not isinstance(i, int) or not 0 <= i < n
                                                for i in entries):     # True is 1 to Python: a damaged dict
        raise _refuse(f"state must be a dict from parameter index (0 to {n - 1}) to its state; got keys "
                      f"{list(entries) if isinstance(entries, dict) else type(entries).__name__}")
    probe = type(opt).__new__(type(opt))
    probe.__dict__.update({k: v for k, v in opt.__dict__.items() if k not in settings})
    probe.__dict__.update(settings)               # the settings as they will be: which state they use
    names, allowed = set(probe.state_names), set(probe.state_names) | set(probe.switchable)
    arrays: dict[int, dict[str, np.ndarray]] = {}
    for i, entry in sorted(entries.items()):
        if not isinstance(entry, dict):
            raise _refuse(f"state[{i}] must be a dict of its state; got {type(entry).__name__}")
        unknown = [k for k in entry if k != "step" and k not in allowed]
        if unknown:
            raise _refuse(f"state[{i}] has {unknown}; {name} keeps {sorted(names)}: a state dict of another "
                          "optimizer or other settings")
        needed = [k for k in sorted(names) if k not in entry and not probe._may_lack(k)]
        if needed:
            raise _refuse(f"state[{i}] lacks {needed} ({name} with these settings keeps {sorted(names)})")
        arrays[i] = {k: _array(i, k, v) for k, v in entry.items() if k != "step"}
    t = _step(entries, needed=not opt.per_part_start)
    absent = [i for i in range(n) if i not in entries]
    if t and absent and not opt.per_part_start and not set(absent) <= _frozen(opt):
        raise _refuse(f"state lacks parameters {absent} (not stepped: torch's step 0) while the others have step "
                      f"{t}: {ONE_STEP}")
    found = [v.dtype for each in arrays.values() for v in each.values()]
    dtype = opt.__dict__.get("_dtype") or next(iter(found), None)
    shapes = ([shape for _, shape in layout] if not isinstance(layout, int)
              else [next(iter(arrays[i].values())).shape if arrays.get(i) else None for i in range(n)])
    for i, each in arrays.items():
        for key, v in each.items():
            if v.dtype != dtype or v.shape != shapes[i]:
                raise _refuse(f"state[{i}][{key!r}] has shape {v.shape} and dtype {v.dtype}; expected shape "
                              f"{shapes[i]} and dtype {dtype} (the network's parameter {i}"
                              f"{'' if isinstance(layout, int) else ', ' + layout[i][0]}; torch's Linear.weight is "
                              "the transpose of W)" + (f"; torch numbers the parameters on across its "
                              f"{len(sd['param_groups'])} param groups, in the groups' order: give the groups in the "
                              "network's order, first layer first" if len(sd["param_groups"]) > 1 else ""))
            if not np.isfinite(v).all():
                raise _refuse(f"state[{i}][{key!r}] holds NaN or infinity")
    if None in shapes and found:
        unknown = [i for i, shape in enumerate(shapes) if shape is None]
        raise _refuse(f"the state of parameters {unknown} holds no arrays (not stepped yet: a frozen layer), so their "
                      "shapes are unknown here: bind the optimizer to its network first (opt.bind(net)), then load")
    lr, epoch = _rate(opt, groups[0])
    flat, fresh = _flat(probe, arrays, shapes, dtype)
    problem = state_problem(probe, flat)
    if problem is not None:
        raise _refuse(problem)
    for key, value in settings.items():
        if key not in ("clip_norm", "clip_value"):
            setattr(opt, key, value)
    opt.clip_norm = opt.clip_value = None
    opt.clip_norm, opt.clip_value = settings.get("clip_norm"), settings.get("clip_value")
    if opt.schedule is None:
        opt.lr = lr
    opt.restore(t, epoch, flat, fresh)
    # the next fit's epoch behind the dict's: the schedule would start again, warned of, naming the epochs trained
    # (chainrule's 'epoch' is the last one trained; torch's scheduler.last_epoch, 'initial_lr' beside it, the next)
    opt._loaded_epoch = (epoch, epoch + ("initial_lr" not in groups[0]))
    opt._listed = n                   # the parameters listed, which an unbound optimizer's state_dict lists again
    if isinstance(layout, int) and found:
        opt._layout = [(f"parameter {i}", tuple(shape)) for i, shape in enumerate(shapes) if shape is not None]
        opt._dtype, opt._loaded = np.dtype(dtype), True


def _flat(probe: Optimizer, arrays: dict, shapes: list, dtype: Any) -> tuple[dict[str, np.ndarray], Any]:
    """The flat state vectors (a parameter without an entry: made afresh; SGD's buffer: not started, `_fresh`)."""
    if not arrays:
        return {}, None
    sizes = [math.prod(shape) for shape in shapes]
    edges = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    keys = sorted({k for each in arrays.values() for k in each})
    flat, fresh = {}, np.zeros(edges[-1], dtype=bool)
    for key in keys:
        flat[key] = probe._new_state(key, np.zeros(edges[-1], dtype=dtype))
        for i in range(len(shapes)):
            if key in arrays.get(i, {}):
                flat[key][edges[i]:edges[i + 1]] = arrays[i][key].reshape(-1)
            elif key == "momentum_buffer" and probe.per_part_start:
                fresh[edges[i]:edges[i + 1]] = True
    return flat, (fresh if fresh.any() and probe.per_part_start else None)


def _rate(opt: Optimizer, group: dict) -> tuple[float, int]:
    """The saved rate and epoch, checked; where the optimizer follows a schedule the rate must be the schedule's.
    torch's dict keeps no epoch (its scheduler's last_epoch does): of a scheduler ('initial_lr' in the group) the
    epoch is unknown even where the rate is epoch 0's (StepLR keeps a rate for several epochs), so it is asked for."""
    lr, epoch = group["lr"], group.get("epoch", opt.epoch)
    if not isinstance(epoch, int) or isinstance(epoch, bool) or epoch < 0:
        raise _refuse(f"param_groups[0]['epoch'] must be a whole number >= 0; got {epoch!r}")
    try:
        rate = learning_rate(_number(lr), "param_groups[0]['lr']")
    except ChainruleError as refusal:
        raise type(refusal)(f"load_state_dict: {refusal}") from refusal
    if opt.schedule is not None and "epoch" not in group and (rate != opt._scheduled(opt.schedule, epoch)
                                                              or "initial_lr" in group):
        raise _refuse(f"param_groups[0]['lr'] is {lr!r} and gives no 'epoch' (torch's keeps it in its scheduler: "
                      f"last_epoch), so the epoch of this {type(opt).__name__}'s schedule "
                      f"{type(opt.schedule).__name__} is unknown (read as epoch {epoch}, it gives "
                      f"{opt._scheduled(opt.schedule, epoch)!r}): add param_groups[0]['epoch'] = scheduler.last_epoch "
                      "(and set the network's epochs_trained to it), or load into an optimizer of a plain rate")
    if opt.schedule is not None and rate != opt._scheduled(opt.schedule, epoch):
        raise _refuse(f"param_groups[0]['lr'] is {lr!r}, but this {type(opt).__name__}'s schedule "
                      f"{type(opt.schedule).__name__} gives {opt._scheduled(opt.schedule, epoch)!r} at epoch {epoch}: "
                      "give the optimizer the schedule that trained it, or a plain rate")
    return rate, epoch
