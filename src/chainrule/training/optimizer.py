"""The optimizers' base class: what every update shares (the learning rate or its schedule, weight
decay, gradient clipping, the step count, per-parameter state arrays and work arrays), apart
from the formulas of each optimizer (`optim`), so a user's optimizer subclasses this alone.
"""
from __future__ import annotations

import warnings
import weakref
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar

import numpy as np

from ..backend import kernels
from ..callers import caller_level
from ..errors import ChainruleTypeError, ValidationError
from ..nn.checks import learning_rate as _learning_rate
from ..nn.checks import number as _number
from . import optimizer_state
from .clipping import clip_values, global_norm
from .keras_names import KerasNames
from .optimizer_params import SklearnParams
from .schedules import Schedule

_C = TypeVar("_C", bound="type[Optimizer]")


def _clip(name: str) -> Callable[[Any], float | None]:
    """The check of a clipping setting (clip_norm, clip_value): None (no clipping) or a finite number > 0."""
    return lambda value: None if value is None else _number(value, name, low_inclusive=False)


_clip_norm = _clip("clip_norm")
_clip_value = _clip("clip_value")

#: the exact classes whose update has a compiled kernel (a subclass runs its own `_update`), in the
#: order `_compiled_update` marked them: a tuple, not changed by a user
COMPILED_UPDATES: tuple[type[Optimizer], ...] = ()


def _compiled_update(cls: _C) -> _C:
    """Class decorator of a built-in optimizer (`optim`'s only: a kernel computes that class's own
    formulas): its exact class (no subclass) runs `_kernel_update`."""
    global COMPILED_UPDATES
    if cls.__module__ != f"{__package__}.optim":
        raise ChainruleTypeError(f"{cls.__name__} is not a built-in optimizer: the compiled updates are "
                                 "chainrule's own; a subclass runs its own _update")
    COMPILED_UPDATES = (*COMPILED_UPDATES, cls)
    return cls


class Optimizer(KerasNames, SklearnParams):
    """Base class. `step(params, grads, slices)` updates `params` in place.

    Parameters common to all: `lr` (a number or a Schedule), `weight_decay` (L2: adds
    weight_decay * w to the gradient, as torch.optim does), `clip_norm` (scale the gradients
    so their global L2 norm is at most clip_norm, as torch.nn.utils.clip_grad_norm_) or `clip_value`
    (each gradient element clipped to [-clip_value, clip_value], as torch.nn.utils.clip_grad_value_
    and Keras' clipvalue). One of the two at most: Keras refuses clipnorm with clipvalue too.

    The step count `t` (Adam's bias correction, Adagrad's decay) is one for the whole network, as
    Keras counts it; torch.optim counts per parameter. The two agree while every parameter trains;
    a layer frozen for some steps and then unfrozen takes its first updates at the network's `t`
    (under Adam, smaller ones than torch's: bias correction near 1 instead of 1 - beta). SGD's buffer
    starts as torch's, part by part: the gradient itself at a part's own first step (`per_part_start`).
    """

    #: names of the per-parameter state arrays
    state_names: tuple[str, ...] = ()
    #: whether `starting` is per part, as torch makes a parameter's state at its own first step (SGD's buffer: a
    #: layer unfrozen later starts it undamped); `_fresh` marks the entries not stepped since the state was made
    per_part_start = False
    #: whether torch's counterpart makes its state when made (Adagrad's sums): `state_dict` before the first step
    #: then holds that state at step 0, as torch's does, which torch's step reads
    state_when_made: ClassVar[bool] = False
    #: each setting's check (name -> the checked value), run whenever it is set: in the constructor and after it
    #: (`opt.momentum = -0.5` between fits, as torch's param_groups are edited, was used silently and climbed the
    #: gradient; a loaded file's and set_params' go through the constructor). A subclass adds its own.
    checks: ClassVar[dict[str, Callable[[Any], Any]]] = {
        "weight_decay": lambda v: _number(v, "weight_decay"), "clip_norm": _clip_norm, "clip_value": _clip_value}

    #: the setting a schedule's momentum moves (OneCycleLR's cycle_momentum): "momentum" (SGD's, RMSprop's) or
    #: "betas" (Adam's beta1), as torch's finds "momentum" or "betas" in the optimizer's defaults; None: neither
    momentum_setting: ClassVar[str | None] = None

    def __init__(self, lr: float | Schedule, weight_decay: float = 0.0, clip_norm: float | None = None,
                 clip_value: float | None = None):
        self.schedule: Schedule | None
        if isinstance(lr, Schedule) and lr.moves_momentum() and self.momentum_setting is None:
            raise ValidationError(f"{lr!r} moves the momentum with the rate (cycle_momentum=True, torch's default), "
                                  f"and {type(self).__name__} has no momentum or beta1 (torch: 'optimizer must "
                                  "support momentum or beta1 with `cycle_momentum` option enabled'): give "
                                  "cycle_momentum=False, or an optimizer with momentum (SGD, RMSprop, Adam, AdamW)")
        if isinstance(lr, Schedule) and self.momentum_setting == "betas":
            self._beta1_below_1(lr)
        if isinstance(lr, Schedule):
            self.schedule, rate = lr, self._scheduled(lr, 0)
        else:
            self.schedule, rate = None, _learning_rate(lr)
        self._lr: float = rate
        self.weight_decay = weight_decay        # (checked by __setattr__, as every setting in `checks`)
        self.clip_norm = clip_norm
        self.clip_value = clip_value            # (after clip_norm: `__setattr__` refuses the two together)
        self.t = 0          # steps taken
        self.epoch = 0      # set by fit, read by the schedule
        self.state: dict[str, np.ndarray] = {}
        self.starting = False

    #: settings the constructor checks together (SGD's nesterov, momentum and dampening) by `_joint_check`. Edited
    #: after it they are taken one by one, as torch's param_groups (a change of two passes through a pair the
    #: constructor refuses): saved so, load sets them after the constructor (`optim.optimizer_from_file`)
    joint: ClassVar[tuple[str, ...]] = ()

    def __setattr__(self, name: str, value: Any) -> None:
        check = type(self).checks.get(name)
        value = value if check is None else check(value)
        other = {"clip_norm": "clip_value", "clip_value": "clip_norm"}.get(name)
        if other is not None and value is not None and self.__dict__.get(other) is not None:
            raise ValidationError(f"{type(self).__name__} got both clip_norm and clip_value ({name}={value!r} with "
                                  f"{other}={self.__dict__[other]!r}): give one, the other None (Keras refuses "
                                  "clipnorm with clipvalue too)")
        super().__setattr__(name, value)

    def _joint_check(self, settings: dict[str, Any]) -> None:
        """Raise ValidationError where `settings` (those of `joint`, as they would be) do not go together."""

    def bind(self, net: Any) -> Optimizer:
        """This optimizer, bound to `net`: its step count and moments are that network's. One that
        trained another network is refused (reused across the folds of a cross-validation it
        started each fold with the last fold's moments and step count), as Keras refuses it."""
        owner = self.__dict__.get("_owner")
        if owner is not None and owner() is not net:
            name = type(self).__name__
            raise ValidationError(f"this {name} instance already trained another network (its step count and moments "
                                  f"belong to that one); give each network its own optimizer: {name}(...)")
        self.lay_out(net)
        self._owner = weakref.ref(net)
        return self

    def lay_out(self, net: Any) -> Optimizer:
        """Record `net`'s parameter arrays (what each is, its shape), which `state_dict` splits the flat state
        into. A layout `load_state_dict` took from the dict alone must be the network's: other shapes or dtype
        were state made afresh at the next step, silently."""
        layout = optimizer_state.layout_of(net)
        if self.__dict__.pop("_loaded", False):
            ours = [shape for _, shape in self._layout]
            if ours != [shape for _, shape in layout] or self._dtype != net.dtype:
                self._loaded = True
                raise ValidationError(f"the state this {type(self).__name__} loaded (load_state_dict) is for "
                                      f"parameter arrays {ours} of {self._dtype}; this network's are "
                                      f"{[shape for _, shape in layout]} of {net.dtype}")
        self._layout, self._dtype = layout, np.dtype(net.dtype)
        return self

    def set_epoch(self, epoch: int) -> None:
        loaded, trained = self.__dict__.pop("_loaded_epoch", (None, 0))   # a state dict's epoch, not trained on since
        if loaded is not None and epoch < loaded and self.schedule is not None:
            rate = self._scheduled(self.schedule, epoch)
            warnings.warn(f"this {type(self).__name__} loaded a state dict at epoch {loaded} of its schedule "
                          f"{type(self.schedule).__name__}, and the network's epochs_trained is {epoch}, the epoch the "
                          f"schedule reads: it starts again from there (rate {rate!r}, was {self.lr!r}); to go on, set "
                          f"net.epochs_trained = {trained} (the epochs the saved run trained) before fit",
                          UserWarning, stacklevel=caller_level())
        self.epoch = epoch
        if self.schedule is not None:
            self._lr = self._scheduled(self.schedule, epoch)
            self._set_momentum(self.schedule.momentum(epoch))

    def _beta1_below_1(self, schedule: Schedule) -> None:
        """Refuse, when made, a OneCycleLR that would set beta1 to 1 (at its first epoch or mid-fit)."""
        for part in getattr(schedule, "schedules", [schedule]):
            for name in ("max_momentum", "base_momentum") if part.moves_momentum() else ():
                value = getattr(part, name, 0.0)
                if value >= 1.0:
                    raise ValidationError(f"{name}={value!r} of {part!r} would set {type(self).__name__}'s beta1 to "
                                          "it, and beta1 must be below 1 (its bias correction divides by 1 - beta1**t, "
                                          f"0 at 1: torch's steps are NaN there): give a {name} below 1, or "
                                          "cycle_momentum=False")

    def _set_momentum(self, momentum: float | None) -> None:
        """Set the momentum (or Adam's beta1) a schedule gives, as torch's OneCycleLR sets the param_group's."""
        if momentum is None or self.momentum_setting is None:
            return
        if self.momentum_setting == "betas":
            self.betas = momentum, self.__dict__["betas"][1]
        else:
            setattr(self, self.momentum_setting, momentum)

    @staticmethod
    def _scheduled(schedule: Schedule, epoch: int) -> float:
        """The schedule's rate for `epoch`, checked as a rate given (a user's schedule may give NaN or text) and a
        Python float (a NumPy float64 would carry a float32 network's updates into float64)."""
        return _learning_rate(schedule(epoch), f"the rate {type(schedule).__name__} gave for epoch {epoch}")

    def _ensure_state(self, params: np.ndarray) -> None:
        """The state the settings use, made where missing. A setting turned off (momentum = 0) puts its
        state aside, taken back when turned on again, as torch keeps it; `state` then holds what load
        accepts (the settings' names: a file saved meanwhile lacks it, turned on after load it starts anew)."""
        names, state = self.state_names, self.state
        self.starting = False       # whether a state array is made afresh at this step (SGD's buffer: its first)
        for name in names:
            s = state.get(name)
            if s is None or s.shape != params.shape or s.dtype != params.dtype:
                kept = self.__dict__.get("_aside", {}).pop(name, None)
                fits = kept is not None and kept.shape == params.shape and kept.dtype == params.dtype
                state[name] = kept if fits else self._new_state(name, params)
                self.starting = self.starting or not fits
        if self.starting and self.per_part_start:
            self._fresh: np.ndarray | None = np.ones(params.shape[0], dtype=bool)
        if len(state) != len(names):             # only then: this runs at every step
            aside = self.__dict__.setdefault("_aside", {})
            for name in [k for k in state if k not in names]:
                aside[name] = state.pop(name)

    #: the network's parameter arrays (what, shape) and dtype, recorded by `lay_out`
    _layout: list[tuple[str, tuple[int, ...]]]
    _dtype: np.dtype

    #: state names a setting turns on or off (SGD's momentum, Adam's amsgrad, RMSprop's centered): a file may hold one
    #: the settings do not use (put aside, as in memory) or lack one they use (made at the next step, as in memory)
    switchable: ClassVar[tuple[str, ...]] = ()

    def saved_state(self) -> dict[str, np.ndarray]:
        """The state a file keeps: what the settings use and what a setting turned off put aside (torch keeps it;
        turned on again it is taken back), so that a saved run goes on as the one never saved."""
        return {**self.__dict__.get("_aside", {}), **self.state}

    def restore(self, t: int, epoch: int, arrays: dict[str, np.ndarray], fresh: np.ndarray | None) -> None:
        """Take back what `saved_state` gave (a file, a state dict): the arrays the settings do not use are put
        aside; `fresh` marks the entries whose SGD buffer has not started (None: all have)."""
        self.t, self.epoch = t, epoch
        if self.schedule is not None:
            self.set_epoch(epoch)           # first: a momentum it sets decides SGD's state names
        names = set(self.state_names)
        self.state = {k: v for k, v in arrays.items() if k in names}
        self.__dict__.pop("_aside", None)
        aside = {k: v for k, v in arrays.items() if k not in names}       # a setting turned off: kept
        if aside:
            self._aside = aside
        self._fresh = fresh

    def _may_lack(self, name: str) -> bool:
        """Whether a state dict may lack state `name` of a parameter: one a setting turned on since the last
        step (made at the next), or SGD's buffer of a part not stepped yet (torch's has none)."""
        return name in self.switchable or self.per_part_start

    def state_dict(self) -> dict:
        """torch's `optimizer.state_dict()`, plain Python and NumPy values: {"state": {i: {"step": t,
        "exp_avg": array, ...}}, "param_groups": [{"lr": ..., "betas": ..., "params": [0, 1, ...]}]}, one index
        per array of `net.get_weights()` (torch's Linear.weight is W's transpose). Copies: training goes on apart."""
        return optimizer_state.state_dict(self)

    def load_state_dict(self, state_dict: dict) -> None:
        """Take the settings, step count and state of `state_dict` (this kind's: `state_dict()`'s, or torch's
        converted to NumPy), all checked before any is set; the next steps go on as the saved optimizer's."""
        optimizer_state.load_state_dict(self, state_dict)

    def get_config(self) -> dict:
        """Keras' name of `config()`: the constructor arguments and "name"; `from_config` makes it again."""
        return self.config()

    @classmethod
    def from_config(cls, config: dict) -> Optimizer:
        """Keras' `Optimizer.from_config`: a new optimizer of these settings (no state), of this class."""
        from .optim import OPTIMIZERS, optimizer_from_file
        if not isinstance(config, dict):
            raise ChainruleTypeError(f"{cls.__name__}.from_config takes a dict (get_config()'s); got "
                                     f"{type(config).__name__}")
        name = config.get("name", cls.__name__)
        if not isinstance(name, str) or name.lower() != cls.__name__.lower():
            raise ValidationError(f"{cls.__name__}.from_config got the config of {name!r}: give it to that class, "
                                  "or to cr.optim.get_optimizer(config)")
        if OPTIMIZERS.get(cls.__name__.lower()) is not cls:
            raise ValidationError(f"{cls.__name__} is not registered: decorate it with cr.optim.register_optimizer")
        return optimizer_from_file({**config, "name": cls.__name__})

    def _new_state(self, name: str, params: np.ndarray) -> np.ndarray:
        """A state array made afresh: zeros (Adagrad's sum starts at its initial_accumulator_value)."""
        return np.zeros_like(params)

    def step(self, params: np.ndarray, grads: np.ndarray, slices: list[slice] | None = None) -> None:
        """One update of `params` (flat) from `grads`, only inside `slices` (all when None)."""
        self._ensure_state(params)
        slices = [slice(None)] if slices is None else slices
        if self.clip_norm is not None:
            total = global_norm(grads, slices)
            coef = self.clip_norm / (total + 1e-6)
            if coef < 1.0:
                grads = grads * coef
        elif self.clip_value is not None:
            grads = clip_values(grads, self.clip_value)
        self.t += 1
        # the compiled update only for the exact built-in classes (COMPILED_UPDATES): a subclass
        # runs its own `_update`, whatever it overrides
        update = self._kernel_update if type(self) in COMPILED_UPDATES and kernels.ENABLED else self._update
        parts = self._starts(params.shape[0], slices)
        if len(parts) == 1 and parts[0][0] == slice(None):
            update(params, grads, self.state)
            return
        for s, self.starting in parts:
            update(params[s], grads[s], {k: v[s] for k, v in self.state.items()})

    def _starts(self, n: int, slices: list[slice], clear: bool = True) -> list[tuple[slice, bool]]:
        """`slices` cut where their entries differ in whether this step starts their state (`per_part_start`),
        each with that; `clear`: those entries marked as stepped."""
        fresh = self.__dict__.get("_fresh")
        if fresh is None:
            return [(s, self.starting) for s in slices]
        clean = self.__dict__.get("_clean")      # the slices this `fresh` already holds stepped: not read again at
        if clean is None or clean[0] is not fresh:   # each step (a layer frozen for good keeps `fresh` for all of it)
            clean = self._clean = (fresh, set[tuple[int, int]]())
        parts, cleared = [], False
        for s in slices:
            a, b, _ = s.indices(n)
            if a >= b:
                continue
            if (a, b) in clean[1]:
                parts.append((slice(None) if (a, b) == (0, n) else slice(a, b), False))
                continue
            f = fresh[a:b]
            cuts = [a, *(np.flatnonzero(f[1:] != f[:-1]) + 1 + a).tolist(), b]
            parts += [(slice(None) if (x, y) == (0, n) else slice(x, y), bool(fresh[x]))
                      for x, y in zip(cuts, cuts[1:])]
            if clear:
                fresh[a:b] = False
                clean[1].add((a, b))
                cleared = True
        if cleared and not fresh.any():
            self._fresh = None
        return parts

    def _grad(self, p, g):
        """g + weight_decay * p (L2, in a work array), or g."""
        if not self.weight_decay:
            return g
        out = self._work_array(p, 1)
        return np.add(np.multiply(p, self.weight_decay, out=out), g, out=out)

    def _work_array(self, like: np.ndarray, k: int = 0) -> np.ndarray:
        """Work array `k` of `like`'s length and dtype, kept between steps: the updates compute in
        these, the same operations in the same order, not in new temporaries (fresh pages at every
        step for a large network: Adam in float64 3x slower)."""
        arrays, n = self.__dict__.setdefault("_work", {}), like.shape[0]
        if k not in arrays or arrays[k].shape[0] < n or arrays[k].dtype != like.dtype:
            arrays[k] = np.empty(n, dtype=like.dtype)
        return arrays[k][:n]

    def __getstate__(self) -> dict:
        # pickled and copied without work arrays, and unbound: a copy may train another network
        return {k: v for k, v in self.__dict__.items() if k not in ("_work", "_owner")}

    def __setstate__(self, state: dict) -> None:
        if "lr" in state:        # pickled when lr was a plain attribute
            state["_lr"] = state.pop("lr")
        state.setdefault("clip_value", None)        # pickled before clip_value was a setting
        self.__dict__.update(state)

    def _update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        """The NumPy update of one trainable part: the reference every compiled kernel equals."""
        raise NotImplementedError

    def _kernel_update(self, p: np.ndarray, g: np.ndarray, state: dict[str, np.ndarray]) -> None:
        self._update(p, g, state)

    def config(self) -> dict:
        """The constructor arguments (a schedule as its own config), plus "name" (the class)."""
        return {"name": type(self).__name__, "lr": self.lr if self.schedule is None else self.schedule.config(),
                **self._settings()}

    def _settings(self) -> dict:
        """The constructor arguments but the rate."""
        return {"weight_decay": self.weight_decay, "clip_norm": self.clip_norm, "clip_value": self.clip_value,
                **self._config()}

    def _config(self) -> dict:
        """The arguments a subclass adds."""
        return {}

    def __repr__(self):
        # a schedule as its own repr (SequentialLR(schedules=[LinearLR(lr=0.05, ...), ...]), not its config's dict,
        # which a user's schedule need not write
        shown = {"lr": self.lr if self.schedule is None else self.schedule, **self._settings()}
        args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
        return f"{type(self).__name__}({args})"
