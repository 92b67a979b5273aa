"""Keras' names on chainrule's optimizers: `learning_rate` for `lr`, as an argument of every optimizer
and as an attribute, which Keras code reads and sets (`self.model.optimizer.learning_rate = ...` in a
callback). Kept apart from optim.py, the formulas."""
from __future__ import annotations

import functools
import inspect
from typing import Any

from ..errors import ChainruleTypeError
from ..nn.checks import number


class KerasNames:
    """The base of Optimizer: Keras' `learning_rate=` for `lr=`, and `optimizer.learning_rate`."""

    lr: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every optimizer takes Keras' `learning_rate=` for `lr=` (Adam(learning_rate=1e-3) was a TypeError)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or "learning_rate" in inspect.signature(init).parameters:
            return

        @functools.wraps(init)
        def keras_init(self: Any, *args: Any, learning_rate: Any = None, **kw: Any) -> None:
            if learning_rate is not None and (args or "lr" in kw):
                raise ChainruleTypeError(f"{type(self).__name__}() got both lr and learning_rate (Keras' name for lr): "
                                         "give one")
            init(self, *args, **kw, **({} if learning_rate is None else {"lr": learning_rate}))
        cls.__init__ = keras_init          # type: ignore[method-assign]

    @property
    def learning_rate(self) -> float:
        """Keras' name of `lr`: set in a callback, it is the rate of the steps that follow (it was an
        attribute nothing read, the rate unchanged)."""
        return float(self.lr)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self.lr = number(value, "optimizer.learning_rate", low_inclusive=False)
