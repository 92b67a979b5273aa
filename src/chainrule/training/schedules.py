"""Learning-rate schedules: the rate as a function of the epoch (0-based), like
torch.optim.lr_scheduler; an optimizer takes one as its `lr` (`chainrule.optim.StepLR`, ...)."""
from __future__ import annotations

import math
from typing import TypeVar

from ..nn.checks import number as _number
from ..nn.checks import positive_int as _positive_int

_S = TypeVar("_S", bound="type[Schedule]")


class Schedule:
    """A learning rate as a function of the epoch (0-based)."""

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        """The constructor arguments, plus "name" (the class)."""
        raise NotImplementedError


class StepLR(Schedule):
    """lr * gamma ** (epoch // step_size)."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr, self.step_size = _number(lr, "lr", low_inclusive=False), _positive_int(step_size, "step_size")
        self.gamma = _number(gamma, "gamma", low_inclusive=False, high=1.0)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** (epoch // self.step_size)

    def config(self) -> dict:
        return {"name": "StepLR", "lr": self.lr, "step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(Schedule):
    """lr * gamma ** epoch."""

    def __init__(self, lr: float, gamma: float):
        # gamma > 1 grows the rate without bound (an OverflowError after a few hundred epochs)
        self.lr = _number(lr, "lr", low_inclusive=False)
        self.gamma = _number(gamma, "gamma", low_inclusive=False, high=1.0)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** epoch

    def config(self) -> dict:
        return {"name": "ExponentialLR", "lr": self.lr, "gamma": self.gamma}


class CosineAnnealingLR(Schedule):
    """eta_min + (lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2."""

    def __init__(self, lr: float, T_max: int, eta_min: float = 0.0):
        self.lr, self.T_max = _number(lr, "lr", low_inclusive=False), _positive_int(T_max, "T_max")
        self.eta_min = _number(eta_min, "eta_min")

    def __call__(self, epoch: int) -> float:
        return self.eta_min + (self.lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2

    def config(self) -> dict:
        return {"name": "CosineAnnealingLR", "lr": self.lr, "T_max": self.T_max, "eta_min": self.eta_min}


SCHEDULES: dict[str, type[Schedule]] = {cls.__name__: cls for cls in (StepLR, ExponentialLR, CosineAnnealingLR)}


def register_schedule(cls: _S) -> _S:
    """Class decorator: make a Schedule subclass known by its class name, the "name" its config()
    gives, so that an optimizer using it can be saved and loaded (a model file, a checkpoint). A
    built-in name cannot be taken over."""
    old = SCHEDULES.get(cls.__name__)
    if old is not None and old is not cls and old.__module__ == __name__:
        from ..errors import ValidationError
        raise ValidationError(f"schedule name {cls.__name__!r} belongs to the built-in one; give your class another "
                              "name")
    SCHEDULES[cls.__name__] = cls
    return cls
