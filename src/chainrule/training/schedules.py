"""Learning-rate schedules: the rate as a function of the epoch (0-based), like
torch.optim.lr_scheduler; an optimizer takes one as its `lr` (`chainrule.optim.StepLR`, ...)."""
from __future__ import annotations

import inspect
import math
import warnings
from bisect import bisect_right
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

import numpy as np

from ..callers import caller_level
from ..errors import ChainruleTypeError, ValidationError, did_you_mean, refusal, unknown_name
from ..nn.checks import _zero_d
from ..nn.checks import learning_rate as _learning_rate
from ..nn.checks import number as _number
from ..nn.checks import positive_int as _positive_int
from .cyclic_schedules import CosineAnnealingWarmRestarts, OneCycleLR
from .schedule_base import Schedule

__all__ = ["Schedule", "StepLR", "ExponentialLR", "CosineAnnealingLR", "MultiStepLR", "LinearLR", "ConstantLR",
           "PolynomialLR", "SequentialLR", "register_schedule"]

_S = TypeVar("_S", bound="type[Schedule]")


class _Decaying(Schedule):
    """A rate that never rises again: 0 once is 0 from then on."""

    def zero_from(self, epoch: int) -> bool:
        return self(epoch) == 0


class StepLR(_Decaying):
    """lr * gamma ** (epoch // step_size)."""

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1):
        self.lr, self.step_size = _learning_rate(lr), _positive_int(step_size, "step_size")
        self.gamma = _number(gamma, "gamma", low_inclusive=False, high=1.0)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** (epoch // self.step_size)

    def first_change(self) -> tuple[int, str] | None:
        return self.step_size, f"step_size={self.step_size}"

    def config(self) -> dict:
        return {"name": "StepLR", "lr": self.lr, "step_size": self.step_size, "gamma": self.gamma}


class ExponentialLR(_Decaying):
    """lr * gamma ** epoch."""

    def __init__(self, lr: float, gamma: float):
        # gamma > 1 grows the rate without bound (an OverflowError after a few hundred epochs)
        self.lr = _learning_rate(lr)
        self.gamma = _number(gamma, "gamma", low_inclusive=False, high=1.0)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** epoch

    def config(self) -> dict:
        return {"name": "ExponentialLR", "lr": self.lr, "gamma": self.gamma}


class CosineAnnealingLR(Schedule):
    """eta_min + (lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2, computed as lr * c + eta_min * (1 - c) with
    c = (1 + cos) / 2: a rate between lr and eta_min whatever their size (lr - eta_min and 1 + cos times it overflowed
    to -inf for eta_min=1e308)."""

    def __init__(self, lr: float, T_max: int, eta_min: float = 0.0):
        self.lr, self.T_max = _learning_rate(lr), _positive_int(T_max, "T_max")
        self.eta_min = _number(eta_min, "eta_min")

    def __call__(self, epoch: int) -> float:
        kept = (1 + math.cos(math.pi * epoch / self.T_max)) / 2       # the share of lr, in [0, 1]
        return self.lr * kept + self.eta_min * (1 - kept)

    def config(self) -> dict:
        return {"name": "CosineAnnealingLR", "lr": self.lr, "T_max": self.T_max, "eta_min": self.eta_min}


def _epochs(value, name: str, low: int) -> list[int]:
    """A list of epoch indices (integers >= low), or an error naming `name`; a 0-d integer array or tensor is its
    number, as the other arguments take it."""
    if not isinstance(value, (list, tuple)):
        raise ChainruleTypeError(f"{name} must be a list of epoch indices (integers); got {value!r} "
                                 f"({type(value).__name__})")
    value = [_zero_d(m, f"{name}[{i}]", "an integer (an epoch index)") for i, m in enumerate(value)]
    for i, m in enumerate(value):
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)):
            raise refusal(ChainruleTypeError(f"{name}[{i}] must be an integer (an epoch index); got {m!r} "
                                             f"({type(m).__name__})"), name, "an integer (an epoch index)", i)
        if m < low:
            expected = f"an integer >= {low} (an epoch index)"
            raise refusal(ValidationError(f"{name}[{i}] must be {expected}; got {m}"), name, expected, i)
    return [int(m) for m in value]


class MultiStepLR(_Decaying):
    """lr * gamma ** (the number of milestones <= epoch). As torch's, a milestone given twice counts
    twice (gamma ** 2 there) and the order does not matter."""

    def __init__(self, lr: float, milestones: list[int], gamma: float = 0.1):
        self.lr, self.milestones = _learning_rate(lr), _epochs(milestones, "milestones", 0)
        self.gamma = _number(gamma, "gamma", low_inclusive=False, high=1.0)

    def __call__(self, epoch: int) -> float:
        return self.lr * self.gamma ** sum(m <= epoch for m in self.milestones)

    def first_change(self) -> tuple[int, str] | None:
        later = [m for m in self.milestones if m > 0]        # a milestone 0 holds from the start
        return (min(later), f"milestones={self.milestones}") if later else None

    def config(self) -> dict:
        return {"name": "MultiStepLR", "lr": self.lr, "milestones": list(self.milestones), "gamma": self.gamma}


class LinearLR(_Decaying):
    """lr * factor, the factor going linearly from start_factor at epoch 0 to end_factor at total_iters,
    then kept (a warm-up from lr * start_factor to lr under the defaults)."""

    def __init__(self, lr: float, start_factor: float = 1.0 / 3, end_factor: float = 1.0, total_iters: int = 5):
        self.lr = _learning_rate(lr)
        self.start_factor = _number(start_factor, "start_factor", low_inclusive=False, high=1.0)
        self.end_factor = _number(end_factor, "end_factor", high=1.0)
        self.total_iters = _positive_int(total_iters, "total_iters")

    def __call__(self, epoch: int) -> float:
        step = (self.end_factor - self.start_factor) * min(self.total_iters, epoch) / self.total_iters
        return self.lr * (self.start_factor + step)

    def config(self) -> dict:
        return {"name": "LinearLR", "lr": self.lr, "start_factor": self.start_factor, "end_factor": self.end_factor,
                "total_iters": self.total_iters}


class ConstantLR(Schedule):
    """lr * factor before epoch total_iters, lr from then on. factor 0, which torch takes, is refused:
    torch divides by it at total_iters."""

    def __init__(self, lr: float, factor: float = 1.0 / 3, total_iters: int = 5):
        self.lr = _learning_rate(lr)
        self.factor = _number(factor, "factor", low_inclusive=False, high=1.0)
        self.total_iters = _positive_int(total_iters, "total_iters")

    def __call__(self, epoch: int) -> float:
        return self.lr if epoch >= self.total_iters else self.lr * self.factor

    def first_change(self) -> tuple[int, str] | None:
        return self.total_iters, f"total_iters={self.total_iters}"

    def config(self) -> dict:
        return {"name": "ConstantLR", "lr": self.lr, "factor": self.factor, "total_iters": self.total_iters}


class PolynomialLR(_Decaying):
    """lr * (1 - min(epoch, total_iters) / total_iters) ** power: 0 from total_iters on."""

    def __init__(self, lr: float, total_iters: int = 5, power: float = 1.0):
        # a negative power divides by 0 at total_iters
        self.lr, self.total_iters = _learning_rate(lr), _positive_int(total_iters, "total_iters")
        self.power = _number(power, "power")

    def __call__(self, epoch: int) -> float:
        return self.lr * (1.0 - min(self.total_iters, epoch) / self.total_iters) ** self.power

    def config(self) -> dict:
        return {"name": "PolynomialLR", "lr": self.lr, "total_iters": self.total_iters, "power": self.power}


class SequentialLR(Schedule):
    """schedules[i] from epoch milestones[i - 1] on, its epoch counted from 0 there (a warm-up, then
    another schedule), as torch's. Each schedule gives its own rate (torch's share the optimizer's lr):
    give them the same lr for torch's rates."""

    def __init__(self, schedules: list, milestones: list[int]):
        if not isinstance(schedules, (list, tuple)):
            raise ChainruleTypeError(f"schedules must be a non-empty list of schedules (LinearLR(...), ...); got "
                                     f"{schedules!r} ({type(schedules).__name__})")
        if not schedules:
            raise ValidationError("schedules must be a non-empty list of schedules (LinearLR(...), ...); got "
                                  f"{schedules!r}")
        self.schedules = [schedule_from_config(s, f"schedules[{i}]") for i, s in enumerate(schedules)]
        for i, s in enumerate(self.schedules):
            if isinstance(s, SequentialLR):
                raise ValidationError(f"schedules[{i}] is a SequentialLR; give its schedules and milestones in this "
                                      "one (torch's SequentialLR fails to restart one at its milestone)")
        self.milestones = _epochs(milestones, "milestones", 1)
        if len(self.milestones) != len(self.schedules) - 1:
            raise ValidationError(f"milestones must have one epoch fewer than schedules ({len(self.schedules) - 1} "
                                  f"for {len(self.schedules)} schedules); got {len(self.milestones)}: {milestones!r}")
        if any(a >= b for a, b in zip(self.milestones, self.milestones[1:])):
            raise ValidationError(f"milestones must be increasing (each schedule runs from one to the next); got "
                                  f"{milestones!r}")

    def __call__(self, epoch: int) -> float:
        i = bisect_right(self.milestones, epoch)
        return self.schedules[i](epoch - (self.milestones[i - 1] if i else 0))

    def zero_from(self, epoch: int) -> bool:
        # a later schedule starts again at its own epoch 0: only the last one's 0 stays
        i = bisect_right(self.milestones, epoch)
        last = i == len(self.schedules) - 1
        return last and self.schedules[i].zero_from(epoch - (self.milestones[i - 1] if i else 0))

    def first_change(self) -> tuple[int, str] | None:
        inner = self.schedules[0].first_change()
        if inner is not None and inner[0] < self.milestones[0]:
            return inner[0], f"schedules[0]'s {inner[1]}"
        moves = type(self.schedules[0]).first_change is Schedule.first_change     # moving from epoch 1 on
        return None if moves else (self.milestones[0], f"milestones={self.milestones}")

    def moves_momentum(self) -> bool:
        return any(s.moves_momentum() for s in self.schedules)

    def momentum(self, epoch: int) -> float | None:
        # as torch's with the schedulers made in the list's order: the part in force sets it; after a part that set
        # it, its last epoch's holds; before any, the one the last such part set when made (its epoch 0's)
        starts = [0, *self.milestones]
        i = bisect_right(self.milestones, epoch)
        own = self.schedules[i].momentum(epoch - starts[i])
        if own is not None:
            return own
        before = [j for j in range(i) if self.schedules[j].moves_momentum()]
        if before:
            return self.schedules[before[-1]].momentum(starts[before[-1] + 1] - starts[before[-1]] - 1)
        later = [s for s in self.schedules[i + 1:] if s.moves_momentum()]
        return later[-1].momentum(0) if later else None

    def last_epoch(self) -> int | None:
        return next((end for end, _ in self.ends()), None)

    def ends(self) -> list[tuple[int, int]]:
        """(the last epoch that has a rate, the part that ends there) for each part whose rates end (OneCycleLR's
        total_steps) before its next part starts, in the order they come: a fit past the first is refused."""
        starts, found = [0, *self.milestones], []
        for i, s in enumerate(self.schedules):
            last = s.last_epoch()
            if last is not None and (i == len(self.schedules) - 1 or starts[i] + last < starts[i + 1] - 1):
                found.append((starts[i] + last, i))
        return found

    def __repr__(self) -> str:
        return f"SequentialLR(schedules={self.schedules!r}, milestones={self.milestones!r})"

    def config(self) -> dict:
        return {"name": "SequentialLR", "schedules": [s.config() for s in self.schedules],
                "milestones": list(self.milestones)}


class ScheduleWarning(UserWarning):
    """A fit whose epochs end before its schedule's rate first changes (`unreached`): `subject`, the words that
    name the schedule's argument at the message's start, and `epoch`, the one it first changes at (a command
    names its own option for the subject: a SequentialLR's part in force at `epoch`), and `epochs`, the words that
    name the fit's epochs (epochs=3: the command's --epochs 3); `reach`, the remedy's words for the epochs that
    reach `epoch` (epochs=11: the command's --epochs 11, a sweep's grid's epochs)."""

    def __init__(self, message: str, subject: str = "", epoch: int = 0, epochs: str = "", reach: str = ""):
        super().__init__(message)
        self.subject, self.epoch, self.epochs, self.reach = subject, epoch, epochs, reach

    def reworded(self, subject: str, epochs: str, reach: str, sooner: str = "a schedule that changes sooner") -> str:
        """The message in another caller's words: its subject, epochs, remedy (`reach`) and other schedule."""
        said = str(self).replace(self.subject, subject, 1) if self.subject else str(self)
        said = said.replace(f"({self.epochs}", f"({epochs}", 1) if self.epochs else said
        said = said.replace(f"give {self.reach} or more", f"give {reach}", 1) if self.reach else said
        return said.replace(" a schedule that changes sooner ", f" {sooner} ", 1)


#: a fit of partial_fit's, one epoch a call, whose later calls reach the milestones: no ScheduleWarning. A context's
#: (each thread its own), not a warnings filter, which is the whole process's and would hide another thread's warning
_PARTIAL: ContextVar[bool] = ContextVar("chainrule_schedule_partial", default=False)


@contextmanager
def partial() -> Iterator[None]:
    """Within it, the fits are partial_fit's epochs (no ScheduleWarning), in this thread or task only."""
    token = _PARTIAL.set(True)
    try:
        yield
    finally:
        _PARTIAL.reset(token)


#: where a fit's ScheduleWarning goes instead of being shown (`kept`): a context's, as _PARTIAL
_KEPT: ContextVar[list | None] = ContextVar("chainrule_schedule_kept", default=None)


@contextmanager
def kept(into: list) -> Iterator[list]:
    """Within it, the fits' ScheduleWarnings are appended to `into`, not shown (in this thread or task only): a
    sweep's folds warned once each (scikit-learn's workers reset the warnings filters); the sweep says them once."""
    token = _KEPT.set(into)
    try:
        yield into
    finally:
        _KEPT.reset(token)


def unreached(schedule: Schedule, end: int, epochs: int, initial_epoch: int = 0, before: int = 0) -> None:
    """Warn once where the rate holds still up to `end` (the run's last epoch + 1, counted from 0 as the schedule's
    epochs are) and changes only after: MultiStepLR(milestones=[100]) in a fit of epochs=10 trains at lr throughout,
    as torch's does, silently; the numbers are not changed. A rate that does not change there (gamma=1, factor=1),
    and partial_fit's epochs (`partial`), are not warned of. `initial_epoch` and the epochs the network trained
    `before` (the schedule's count goes on from them) are named where there are any."""
    change = schedule.first_change()
    if _PARTIAL.get() or change is None or end - change[0] > 10_000:
        return
    held = schedule(0)              # a later schedule may start at the rate held (SequentialLR), within the fit too:
    if any(schedule(e) != held for e in range(change[0], end)):          # the first epoch whose rate is not
        return
    first = next((e for e in range(max(change[0], end), change[0] + 10_000) if schedule(e) != held), None)
    if first is None:
        return
    change = (first, change[1])
    subject = f"{type(schedule).__name__}'s {change[1]}"
    counts = f"epochs={epochs}" + f", initial_epoch={initial_epoch}" * bool(initial_epoch) \
        + f", after {before} trained before" * bool(before)
    needed = epochs + change[0] + 1 - end          # the epochs= whose fit trains epoch change[0]
    key = change[1].rpartition("'s ")[2].partition("=")[0]
    said = ScheduleWarning(f"{subject}: the rate first changes at epoch {change[0]} (counted from 0), and this fit "
                           f"ends at epoch {end - 1} ({counts}); it trains at {schedule(end - 1):.6g} throughout: to "
                           f"change it, give epochs={needed} or more, or a schedule that changes sooner (its {key} "
                           "within the epochs)", subject, change[0], f"epochs={epochs}", f"epochs={needed}")
    into = _KEPT.get()
    if into is not None:
        into.append(said)
        return
    warnings.warn(said, stacklevel=caller_level())


def past_end(schedule: Schedule, end: int, epochs: int) -> None:
    """Refuse, before its first epoch, a fit that trains past its schedule's last rate (`end`: the run's last epoch +
    1), rather than at that epoch with the ones before it trained."""
    last = schedule.last_epoch()
    if isinstance(schedule, SequentialLR) and last is not None and end - 1 > last:
        i = schedule.ends()[0][1]
        if i < len(schedule.schedules) - 1:
            part, starts = schedule.schedules[i], [0, *schedule.milestones]
            raise ValidationError(f"SequentialLR's schedules[{i}], {part!r}, runs from epoch {starts[i]} to "
                                  f"{starts[i + 1] - 1} ({starts[i + 1] - starts[i]} epochs, milestones="
                                  f"{schedule.milestones}) and has rates for its epochs 0 to {part.last_epoch()} "
                                  "only (torch's scheduler refuses to step past them): this fit "
                                  f"(epochs={epochs}) would train to epoch {end - 1}, its epoch "
                                  f"{min(end, starts[i + 1]) - 1 - starts[i]}; give it total_steps="
                                  f"{starts[i + 1] - starts[i] - 1} or more, or an earlier milestone after it, or "
                                  "fewer epochs")
    if last is not None and end - 1 > last:
        raise ValidationError(f"{schedule!r} has a rate for epochs 0 to {last} (counted from 0; torch's scheduler "
                              f"refuses to step past them), and this fit (epochs={epochs}) would train to epoch "
                              f"{end - 1}: give fewer epochs, or a schedule of {end} epochs (OneCycleLR's total_steps)")


#: every schedule by name
SCHEDULES: dict[str, type[Schedule]] = {cls.__name__: cls for cls in (
    StepLR, ExponentialLR, CosineAnnealingLR, MultiStepLR, LinearLR, ConstantLR, PolynomialLR, SequentialLR,
    CosineAnnealingWarmRestarts, OneCycleLR)}


def schedule_from_config(schedule: Schedule | dict, what: str = "schedule") -> Schedule:
    """A Schedule, or one made from its config() (as saved files hold it)."""
    if isinstance(schedule, Schedule):
        return schedule
    if not isinstance(schedule, dict):
        raise ChainruleTypeError(f"{what} must be a schedule (StepLR(...), ...) or its config (a dict); got "
                                 f"{schedule!r} ({type(schedule).__name__})")
    cfg = dict(schedule)
    name = cfg.pop("name", None)
    if name not in SCHEDULES:
        raise unknown_name("schedule", name, sorted(SCHEDULES))
    check_arguments(SCHEDULES[name], cfg)
    return SCHEDULES[name](**cfg)


def check_arguments(cls: type, given: dict, also: tuple[str, ...] = ()) -> None:
    """Refuse an argument `cls` does not take (a config's misspelt key gave a bare TypeError), naming
    it, the expected ones and the closest. `also`: names taken another way (Keras' learning_rate)."""
    accepted = list(inspect.signature(cls).parameters)
    unknown = sorted(set(given) - set(accepted) - set(also))
    if unknown:
        raise ChainruleTypeError(f"{cls.__name__} got unknown argument(s) {unknown}; expected among {accepted}."
                                 + did_you_mean(unknown[0], accepted))


def register_schedule(cls: _S) -> _S:
    """Class decorator: make a Schedule subclass known by its class name, the "name" its config()
    gives, so that an optimizer using it can be saved and loaded (a model file, a checkpoint). A
    built-in name cannot be taken over."""
    old = SCHEDULES.get(cls.__name__)
    if old is not None and old is not cls and old.__module__.startswith(__name__.rpartition(".")[0] + "."):
        raise ValidationError(f"schedule name {cls.__name__!r} belongs to the built-in one; give your class another "
                              "name")
    SCHEDULES[cls.__name__] = cls
    return cls

