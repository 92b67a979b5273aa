"""Optimizers: gradient descent and its remedies (momentum, adaptive learning rates).

Names, defaults and update formulas are PyTorch's `torch.optim`, so a model moved from
PyTorch follows the same trajectory. Each optimizer updates the network's one flat parameter
vector in a few vectorized calls; frozen parameters are left out (their slices are skipped).

The plain gradient-descent step of the seeds is `SGD(lr)`: w+ = w - lr * dE/dw.

`weight_decay` is torch's too, which differs from Keras': torch's (L2) adds weight_decay * w to the
gradient, AdamW's alone is decoupled (w *= 1 - lr * weight_decay); Keras decouples it on every optimizer.
So Keras' `Adam(weight_decay=d)` is `AdamW(weight_decay=d)` here, and Keras' SGD with momentum and
weight_decay has no equal (plain SGD's step is the same either way).
"""
from __future__ import annotations

import inspect
import math
from typing import Any, TypeVar

import numpy as np

from ..backend import kernels
from ..errors import ValidationError, unknown_name
from ..nn.checks import flag as _flag
from ..nn.checks import number as _number
from . import optimizer as _optimizer
from .cyclic_schedules import *  # noqa: F403 (CosineAnnealingWarmRestarts, OneCycleLR: chainrule.optim's too)
from .cyclic_schedules import __all__ as _cyclic
from .keras_names import refuse_unknown
from .optimizer import Optimizer, _compiled_update
from .schedules import *  # noqa: F403 (its __all__, the schedules and register_schedule, are chainrule.optim's too)
from .schedules import Schedule, schedule_from_config
from .schedules import __all__ as _schedules

#: the optimizers, their base and registry, and the schedules: `from chainrule.optim import *`, and where
#: `cr.StepLR` says the name lives (chainrule.__getattr__)
__all__ = ["SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "Optimizer", "register_optimizer", "get_optimizer",
           "optimizer_from_file", "schedule_from_config", *_schedules, *_cyclic]

_C = TypeVar("_C", bound="type[Optimizer]")


def _betas(betas: Any) -> tuple[float, float]:
    """A pair of numbers; as torch takes them, also an array or tensor of two, or 0-d arrays or tensors."""
    pair = betas if isinstance(betas, (tuple, list)) else np.asarray(betas) if hasattr(betas, "__array__") else None
    if pair is None or not isinstance(pair, (tuple, list)) and pair.ndim != 1 or len(pair) != 2:
        raise ValidationError(f"betas must be a pair (beta1, beta2); got {betas!r}")
    return (_number(pair[0], "betas[0]", high=1.0, high_inclusive=False),         # a 0-d array is its number
            _number(pair[1], "betas[1]", high=1.0, high_inclusive=False))


def _at_least_0(name: str) -> Any:
    return lambda v: _number(v, name)


def _bool(name: str) -> Any:
    return lambda v: _flag(v, name)


# -- optimizers ------------------------------------------------------------------------------
@_compiled_update
class SGD(Optimizer):
    """Gradient descent, with optional momentum and Nesterov momentum (torch.optim.SGD).

    buf = momentum * buf + (1 - dampening) * g    (buf = g, undamped, at its first step: torch's, also
                                                   the first after momentum was turned on)
    w  -= lr * (g + momentum * buf if nesterov else buf)
    """

    @property
    def state_names(self) -> tuple[str, ...]:  # type: ignore[override]
        """The buffer while momentum is on: one set after construction (as in torch's param_groups)
        gets its buffer at the next step (it was a KeyError, or the compiled update ran over a buffer
        of length 0)."""
        return ("momentum_buffer",) if self.momentum else ()

    checks = {**Optimizer.checks, "momentum": _at_least_0("momentum"), "dampening": _at_least_0("dampening"),
              "nesterov": _bool("nesterov")}
    per_part_start = True        # a part stepped first later (a layer unfrozen) starts its buffer undamped
    switchable = ("momentum_buffer",)
    joint = ("momentum", "dampening", "nesterov")
    momentum_setting = "momentum"

    def __init__(self, lr: float | Schedule = 0.01, momentum: float = 0.0, dampening: float = 0.0,
                 nesterov: bool = False, weight_decay: float = 0.0, clip_norm: float | None = None,
                 clip_value: float | None = None):
        super().__init__(lr, weight_decay, clip_norm, clip_value)
        self.momentum, self.dampening, self.nesterov = momentum, dampening, nesterov     # `checks`
        self._joint_check({k: getattr(self, k) for k in self.joint})

    def _joint_check(self, settings):
        if settings["nesterov"] and (settings["momentum"] <= 0 or settings["dampening"] != 0):
            raise ValidationError(f"nesterov=True needs momentum > 0 and dampening = 0; got "
                                  f"momentum={settings['momentum']!r}, dampening={settings['dampening']!r}")

    def _config(self):
        return {"momentum": self.momentum, "dampening": self.dampening, "nesterov": self.nesterov}

    def _kernel_update(self, p, g, state):
        if not kernels.update_ok(p.shape[0], plain=self.momentum == 0) or not kernels.load():
            return self._update(p, g, state)
        kernels.sgd(p, g, state.get("momentum_buffer", p), lr=self.lr, momentum=self.momentum,
                    dampening=self.dampening, nesterov=self.nesterov, wd=self.weight_decay, first=self.starting)

    def _update(self, p, g, state):
        g = self._grad(p, g)
        tmp = self._work_array(p)
        if self.momentum:
            buf = state["momentum_buffer"]
            if self.starting:
                buf[...] = g
            else:
                buf *= self.momentum
                buf += np.multiply(g, 1.0 - self.dampening, out=tmp) if self.dampening else g
            g = np.add(np.multiply(buf, self.momentum, out=tmp), g, out=tmp) if self.nesterov else buf  # g + m * buf
        p -= np.multiply(g, self.lr, out=tmp)


class Adagrad(Optimizer):
    """Adaptive learning rates from the sum of squared gradients (torch.optim.Adagrad)."""

    state_names: tuple[str, ...] = ("sum",)
    state_when_made = True       # torch's Adagrad fills its sums with initial_accumulator_value when made
    checks = {**Optimizer.checks, "lr_decay": _at_least_0("lr_decay"), "eps": _at_least_0("eps"),
              "initial_accumulator_value": _at_least_0("initial_accumulator_value")}

    def __init__(self, lr: float | Schedule = 0.01, lr_decay: float = 0.0, weight_decay: float = 0.0,
                 initial_accumulator_value: float = 0.0, eps: float = 1e-10, clip_norm: float | None = None,
                 clip_value: float | None = None):
        super().__init__(lr, weight_decay, clip_norm, clip_value)
        self.lr_decay, self.initial_accumulator_value, self.eps = lr_decay, initial_accumulator_value, eps

    def _new_state(self, name, params):
        return np.full_like(params, self.initial_accumulator_value)

    def _config(self):
        return {"lr_decay": self.lr_decay, "initial_accumulator_value": self.initial_accumulator_value, "eps": self.eps}

    def _update(self, p, g, state):
        g = self._grad(p, g)
        clr = self.lr / (1 + (self.t - 1) * self.lr_decay)
        s = state["sum"]
        tmp, step = self._work_array(p), self._work_array(p, 2)
        s += np.multiply(g, g, out=tmp)
        np.add(np.sqrt(s, out=tmp), self.eps, out=tmp)
        p -= np.divide(np.multiply(g, clr, out=step), tmp, out=step)     # clr * g / (sqrt(s) + eps)


class RMSprop(Optimizer):
    """Divide by a running root mean square of the gradients (torch.optim.RMSprop)."""

    @property
    def state_names(self) -> tuple[str, ...]:  # type: ignore[override]
        """The averages the current settings use, as torch keeps them: the momentum buffer only while momentum is
        on (turned on later, or centered: from zeros)."""
        return ("square_avg",) + (("momentum_buffer",) if self.momentum else ()) + (("grad_avg",) if self.centered
                                                                                   else ())

    switchable = ("grad_avg", "momentum_buffer")
    momentum_setting = "momentum"

    checks = {**Optimizer.checks, "alpha": lambda v: _number(v, "alpha", high=1.0), "eps": _at_least_0("eps"),
              "momentum": _at_least_0("momentum"), "centered": _bool("centered")}

    def __init__(self, lr: float | Schedule = 0.01, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0.0,
                 momentum: float = 0.0, centered: bool = False, clip_norm: float | None = None,
                 clip_value: float | None = None):
        super().__init__(lr, weight_decay, clip_norm, clip_value)
        self.alpha, self.eps, self.momentum, self.centered = alpha, eps, momentum, centered     # checked: `checks`

    def _config(self):
        return {"alpha": self.alpha, "eps": self.eps, "momentum": self.momentum, "centered": self.centered}

    def _update(self, p, g, state):
        g = self._grad(p, g)
        sq = state["square_avg"]
        tmp, avg = self._work_array(p), self._work_array(p, 2)
        sq *= self.alpha
        sq += np.multiply(np.multiply(g, 1.0 - self.alpha, out=tmp), g, out=tmp)    # (1 - alpha) * g * g
        if self.centered:                           # sqrt(sq - ga * ga) + eps
            ga = state["grad_avg"]
            ga *= self.alpha
            ga += np.multiply(g, 1.0 - self.alpha, out=tmp)
            np.sqrt(np.subtract(sq, np.multiply(ga, ga, out=tmp), out=avg), out=avg)
        else:
            np.sqrt(sq, out=avg)
        avg += self.eps
        if self.momentum:
            buf = state["momentum_buffer"]
            buf *= self.momentum
            buf += np.divide(g, avg, out=tmp)
            p -= np.multiply(buf, self.lr, out=tmp)
        else:
            p -= np.divide(np.multiply(g, self.lr, out=tmp), avg, out=tmp)     # lr * g / avg


@_compiled_update
class Adam(Optimizer):
    """Momentum plus per-weight adaptive rates, bias-corrected (torch.optim.Adam).

    m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
    w -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    """

    decoupled = False

    @property
    def state_names(self) -> tuple[str, ...]:  # type: ignore[override]
        """The moments the current settings use (amsgrad set after construction: its maximum from zeros)."""
        return ("exp_avg", "exp_avg_sq") + (("max_exp_avg_sq",) if self.amsgrad else ())

    switchable = ("max_exp_avg_sq",)

    checks = {**Optimizer.checks, "betas": _betas, "eps": _at_least_0("eps"), "amsgrad": _bool("amsgrad")}
    momentum_setting = "betas"

    def __init__(self, lr: float | Schedule = 0.001, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.0, amsgrad: bool = False, clip_norm: float | None = None,
                 clip_value: float | None = None):
        super().__init__(lr, weight_decay, clip_norm, clip_value)
        self.betas, self.eps, self.amsgrad = betas, eps, amsgrad        # checked by `checks`

    def _config(self):
        return {"betas": list(self.betas), "eps": self.eps, "amsgrad": self.amsgrad}

    def _kernel_update(self, p, g, state):
        if self.amsgrad or not kernels.update_ok(p.shape[0]) or not kernels.load():
            return self._update(p, g, state)
        b1, b2 = self.betas
        kernels.adam(p, g, state["exp_avg"], state["exp_avg_sq"], lr=self.lr, b1=b1, b2=b2, eps=self.eps,
                     wd=self.weight_decay, decoupled=self.decoupled, t=self.t)

    def _update(self, p, g, state):
        b1, b2 = self.betas
        if self.decoupled:
            if self.weight_decay:
                p *= 1.0 - self.lr * self.weight_decay
        else:
            g = self._grad(p, g)
        m, v = state["exp_avg"], state["exp_avg_sq"]
        tmp = self._work_array(p)
        m *= b1
        m += np.multiply(g, 1.0 - b1, out=tmp)
        v *= b2
        v += np.multiply(np.multiply(g, g, out=tmp), 1.0 - b2, out=tmp)     # (1 - b2) * (g * g)
        if self.amsgrad:
            np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            v = state["max_exp_avg_sq"]
        step_size = self.lr / (1.0 - b1 ** self.t)
        denom = np.sqrt(v, out=tmp)
        denom /= math.sqrt(1.0 - b2 ** self.t)
        denom += self.eps
        p -= np.multiply(np.divide(m, denom, out=tmp), step_size, out=tmp)     # step_size * (m / denom)


@_compiled_update
class AdamW(Adam):
    """Adam with decoupled weight decay: w *= 1 - lr * weight_decay before the Adam step."""

    decoupled = True

    def __init__(self, lr: float | Schedule = 0.001, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8,
                 weight_decay: float = 0.01, amsgrad: bool = False, clip_norm: float | None = None,
                 clip_value: float | None = None):
        super().__init__(lr, betas, eps, weight_decay, amsgrad, clip_norm, clip_value)


#: the built-ins with a compiled update (SGD, Adam, AdamW), a tuple: `Optimizer.step` runs their kernel
COMPILED_UPDATES = _optimizer.COMPILED_UPDATES

OPTIMIZERS: dict[str, type[Optimizer]] = {cls.__name__.lower(): cls for cls in (SGD, Adagrad, RMSprop, Adam, AdamW)}


def register_optimizer(cls: _C) -> _C:
    """Class decorator: make an Optimizer subclass known by its lower-case class name (saved files).
    A built-in name cannot be taken over."""
    old = OPTIMIZERS.get(cls.__name__.lower())
    if old is not None and old is not cls and old.__module__ == __name__:
        raise ValidationError(f"optimizer name {cls.__name__.lower()!r} belongs to the built-in {old.__name__}; "
                              "give your class another name")
    OPTIMIZERS[cls.__name__.lower()] = cls
    return cls


def get_optimizer(optimizer: Optimizer | str | dict, **kwargs: Any) -> Optimizer:
    """An Optimizer from an instance, or a name ("sgd", "adam", ...) and its arguments."""
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, dict):
        cfg = dict(optimizer)
        name = cfg.pop("name", None)
        if isinstance(cfg.get("lr"), dict):
            cfg["lr"] = schedule_from_config(cfg["lr"], "lr")
        if "betas" in cfg:
            cfg["betas"] = tuple(cfg["betas"])
        return get_optimizer(name, **cfg)
    if not isinstance(optimizer, str) or optimizer.lower() not in OPTIMIZERS:
        raise unknown_name("optimizer", optimizer, sorted(OPTIMIZERS))
    cls = OPTIMIZERS[optimizer.lower()]
    refuse_unknown(cls, kwargs)
    return cls(**kwargs)


def optimizer_from_file(config: dict) -> Optimizer:
    """The optimizer a saved config describes. The settings its constructor checks together (`joint`: SGD's
    nesterov tie) are set after it, one by one with their own checks, as they were edited (torch's param_groups
    take such a pair): a file `save` wrote of an optimizer torch steps loads and goes on."""
    cls = OPTIMIZERS.get(str(config.get("name")).lower())
    if cls is None or not cls.joint:
        return get_optimizer(config)
    defaults = {k: inspect.signature(cls.__init__).parameters[k].default for k in cls.joint}
    opt = get_optimizer({**config, **defaults})
    for name in cls.joint:
        if name in config:
            setattr(opt, name, config[name])
    return opt
