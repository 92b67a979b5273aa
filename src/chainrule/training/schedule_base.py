"""The Schedule base class alone, so that every module of schedules (schedules.py, cyclic_schedules.py) builds on it
and schedules.py can hold the registry of them all without an import cycle."""
from __future__ import annotations


class Schedule:
    """A learning rate as a function of the epoch (0-based)."""

    def __call__(self, epoch: int) -> float:
        raise NotImplementedError

    def config(self) -> dict:
        """The constructor arguments, plus "name" (the class)."""
        raise NotImplementedError

    def zero_from(self, epoch: int) -> bool:
        """Whether the rate is 0 at `epoch` and at every epoch after (training on would change nothing).
        Not known of a schedule that does not say: False."""
        return False

    def first_change(self) -> tuple[int, str] | None:
        """The first epoch whose rate is not epoch 0's, and the argument that sets it, for a rate that holds
        still until then (`unreached`); None for one that moves from epoch 1 on, or never."""
        return None

    def last_epoch(self) -> int | None:
        """The last epoch that has a rate (OneCycleLR's total_steps), so that a fit past it is refused before its
        first epoch (`past_end`); None: every epoch has one."""
        return None

    def moves_momentum(self) -> bool:
        """Whether the schedule sets the optimizer's momentum too (OneCycleLR's cycle_momentum, as torch's)."""
        return False

    def momentum(self, epoch: int) -> float | None:
        """The momentum for `epoch` (SGD's and RMSprop's momentum, Adam's beta1) where the schedule sets it; None:
        the optimizer's own."""
        return None

    def __repr__(self) -> str:
        try:
            cfg = self.config()
        except NotImplementedError:        # a user's schedule without config(): Python's own repr
            return super().__repr__()
        return f"{type(self).__name__}({', '.join(f'{k}={v!r}' for k, v in cfg.items() if k != 'name')})"
