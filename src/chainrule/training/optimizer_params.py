"""scikit-learn's get_params, set_params and clone on the optimizers, so that an estimator's get_params(deep=True)
lists optimizer__lr, optimizer__betas, ... and a grid sets them (GridSearchCV's set_params). Kept apart from
optimizer.py, what every update shares."""
from __future__ import annotations

import copy
import inspect
from typing import Any

from ..errors import unknown_name


class SklearnParams:
    """The optimizer's constructor arguments as scikit-learn's estimator parameters."""

    schedule: Any
    _lr: Any

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """scikit-learn's get_params: the constructor's arguments as set (lr a number, or its schedule), so that an
        estimator's get_params(deep=True) lists optimizer__lr, optimizer__betas, ... (`deep` changes nothing)."""
        names = [p.name for p in inspect.signature(type(self).__init__).parameters.values()
                 if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        return {name: self.schedule if name == "lr" and self.schedule is not None else getattr(self, name)
                for name in names if name == "lr" or hasattr(self, name)}

    def set_params(self, **params: Any) -> Any:
        """scikit-learn's set_params: the arguments named set in place (the state kept), checked together as the
        constructor checks them; a name the constructor lacks is refused, naming those it has."""
        known = self.get_params()
        for name in params:
            if name not in known:
                raise unknown_name("argument", name, list(known),
                                   f"{type(self).__name__}.set_params got {name!r}, which")
        made = type(self)(**{**known, **params})
        for name in params:
            if name == "lr":
                self.__dict__.update(schedule=made.schedule, _lr=made._lr)
            else:
                self.__dict__[name] = made.__dict__[name]
        return self

    def __sklearn_clone__(self) -> Any:
        """sklearn.base.clone's copy: the optimizer as it is (its arguments exactly, which its constructor would
        check into others: betas a tuple), as before it had get_params."""
        return copy.deepcopy(self)
