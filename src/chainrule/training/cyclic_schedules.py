"""The schedules whose rate rises again, torch.optim.lr_scheduler's CosineAnnealingWarmRestarts and OneCycleLR, each a
function of the epoch (0-based) as schedules.py's are. Stepped once an epoch: torch's `epoch` for these two is
whatever scheduler.step() is called after (often a batch); here it is always a training epoch."""
from __future__ import annotations

import math

from ..errors import ValidationError
from ..nn.checks import flag as _flag
from ..nn.checks import learning_rate as _learning_rate
from ..nn.checks import number as _number
from ..nn.checks import positive_int as _positive_int
from .schedule_base import Schedule

__all__ = ["CosineAnnealingWarmRestarts", "OneCycleLR"]


class CosineAnnealingWarmRestarts(Schedule):
    """eta_min + (lr - eta_min) * (1 + cos(pi * T_cur / T_i)) / 2: a cosine from lr down towards eta_min over T_i
    epochs, then back to lr (a restart); T_i is T_0, then T_mult times the one before after each restart. T_cur is
    the epochs since the last restart, as torch's scheduler counts them stepped once an epoch."""

    def __init__(self, lr: float, T_0: int, T_mult: int = 1, eta_min: float = 0.0):
        self.lr, self.T_0 = _learning_rate(lr), _positive_int(T_0, "T_0")
        self.T_mult, self.eta_min = _positive_int(T_mult, "T_mult"), _number(eta_min, "eta_min")

    def __call__(self, epoch: int) -> float:
        t_cur, t_i = epoch, self.T_0
        if self.T_mult == 1:
            t_cur = epoch % t_i
        while t_cur >= t_i:                                 # integers: the restarts fall exactly where torch's do
            t_cur, t_i = t_cur - t_i, t_i * self.T_mult
        return self.eta_min + (self.lr - self.eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2

    def config(self) -> dict:
        return {"name": "CosineAnnealingWarmRestarts", "lr": self.lr, "T_0": self.T_0, "T_mult": self.T_mult,
                "eta_min": self.eta_min}


class OneCycleLR(Schedule):
    """From max_lr / div_factor up to max_lr over the first pct_start of total_steps epochs, then down to
    max_lr / div_factor / final_div_factor at epoch total_steps - 1 (cosine or linear, anneal_strategy); with
    three_phase, back to the start rate at twice pct_start first. As torch's, counted in epochs here (torch's
    total_steps is often batches: give the epochs of the fit); its rate past total_steps is refused, as torch's
    scheduler refuses to step there. With cycle_momentum=True, torch's default, the optimizer's momentum (SGD's and
    RMSprop's momentum, Adam's and AdamW's beta1) moves the other way, from max_momentum down to base_momentum while
    the rate rises and back while it falls, as torch's sets it; an optimizer with neither (Adagrad) is refused, as
    torch refuses it. cycle_momentum=False moves the rate only."""

    def __init__(self, max_lr: float, total_steps: int, pct_start: float = 0.3, anneal_strategy: str = "cos",
                 div_factor: float = 25.0, final_div_factor: float = 1e4, three_phase: bool = False,
                 cycle_momentum: bool = True, base_momentum: float = 0.85, max_momentum: float = 0.95):
        self.max_lr, self.total_steps = _learning_rate(max_lr, "max_lr"), _positive_int(total_steps, "total_steps")
        self.pct_start = _number(pct_start, "pct_start", high=1.0)
        if anneal_strategy not in ("cos", "linear"):
            raise ValidationError(f"anneal_strategy must be 'cos' or 'linear'; got {anneal_strategy!r}")
        self.anneal_strategy = anneal_strategy
        self.div_factor = _number(div_factor, "div_factor", low_inclusive=False)
        self.final_div_factor = _number(final_div_factor, "final_div_factor", low_inclusive=False)
        self.three_phase = _flag(three_phase, "three_phase")
        self.cycle_momentum = _flag(cycle_momentum, "cycle_momentum")
        self.base_momentum = _number(base_momentum, "base_momentum", high=1.0)
        self.max_momentum = _number(max_momentum, "max_momentum", high=1.0)
        start, low = self.max_lr / self.div_factor, self.max_lr / self.div_factor / self.final_div_factor
        up = self.pct_start * self.total_steps - 1                       # torch's phase ends, in float as its
        self._phases = [(up, start, self.max_lr), (2 * up, self.max_lr, start), (self.total_steps - 1, start, low)] \
            if self.three_phase else [(up, start, self.max_lr), (self.total_steps - 1, self.max_lr, low)]
        begin = 0.0
        for end, _, _ in self._phases:
            if end == begin:                        # torch divides by 0 at that epoch
                raise ValidationError(f"pct_start={self.pct_start} with total_steps={self.total_steps} gives a phase "
                                      f"of no epochs (from epoch {begin:g} to {end:g}; torch divides by 0 there): give "
                                      "another pct_start or total_steps")
            begin = end

    def _phase(self, epoch: int) -> tuple[int, float]:
        """The phase `epoch` is in (its index in `_phases`) and how far into it (0 to 1), as torch's finds them."""
        if epoch > self.total_steps:
            raise ValidationError(f"OneCycleLR(total_steps={self.total_steps}) has no rate for epoch {epoch} (counted "
                                  "from 0; torch's scheduler refuses to step past total_steps): give total_steps of "
                                  "at least the epochs trained")
        begin = 0.0
        for i, (end, _, _) in enumerate(self._phases):
            if epoch <= end or i == len(self._phases) - 1:
                return i, (epoch - begin) / (end - begin)
            begin = end
        raise AssertionError("unreachable: the last phase takes every epoch")

    def _anneal(self, start: float, end: float, pct: float) -> float:
        if self.anneal_strategy == "linear":
            return (end - start) * pct + start
        return end + (start - end) / 2.0 * (math.cos(math.pi * pct) + 1)

    def __call__(self, epoch: int) -> float:
        i, pct = self._phase(epoch)
        return self._anneal(self._phases[i][1], self._phases[i][2], pct)

    def moves_momentum(self) -> bool:
        return self.cycle_momentum

    def momentum(self, epoch: int) -> float | None:
        if not self.cycle_momentum:
            return None
        high, low = self.max_momentum, self.base_momentum       # torch's: against the rate, flat in a third phase
        ends = [(high, low), (low, high), (high, high)] if self.three_phase else [(high, low), (low, high)]
        i, pct = self._phase(epoch)
        return self._anneal(*ends[i], pct)

    def last_epoch(self) -> int | None:
        return self.total_steps

    def config(self) -> dict:
        return {"name": "OneCycleLR", "max_lr": self.max_lr, "total_steps": self.total_steps,
                "pct_start": self.pct_start, "anneal_strategy": self.anneal_strategy, "div_factor": self.div_factor,
                "final_div_factor": self.final_div_factor, "three_phase": self.three_phase,
                "cycle_momentum": self.cycle_momentum, "base_momentum": self.base_momentum,
                "max_momentum": self.max_momentum}


