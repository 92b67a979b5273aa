"""Keras' names on chainrule's optimizers: `learning_rate` for `lr`, as an argument of every optimizer
and as an attribute, which Keras code reads and sets (`self.model.optimizer.learning_rate = ...` in a
callback), both checked when set. Kept apart from optim.py, the formulas."""
from __future__ import annotations

import functools
import inspect
from typing import Any

from ..errors import ChainruleTypeError, ValidationError
from ..nn.checks import learning_rate

#: Keras' optimizer arguments that chainrule's (torch.optim's) spell otherwise: torch's argument, what to say. A plain
#: "unexpected keyword argument 'beta_1'" left a Keras user guessing. Not taken silently: Keras' epsilon is added
#: before Adam's bias correction (torch's eps after it) and inside RMSprop's square root, so the same number
#: is another step.
KERAS_ONLY = {"beta_1": ("betas", "betas=(beta_1, beta_2), torch's pair"),
              "beta_2": ("betas", "betas=(beta_1, beta_2), torch's pair"),
              "epsilon": ("eps", "eps (torch's, added to the root of the squared gradients' average; Keras puts its "
                                 "epsilon inside the root, or before Adam's bias correction: the same number is "
                                 "another step)"),
              "rho": ("alpha", "alpha (RMSprop's decay of the squared gradients' average)"),
              "global_clipnorm": ("clip_norm", "clip_norm (the norm of all the gradients together)"),
              "clipnorm": ("clip_norm", "clip_norm (the norm of all the gradients together; Keras' clipnorm clips "
                                        "each weight array's alone)")}

#: Keras' optimizer arguments taken as they are, for chainrule's of the same meaning: Keras' name -> chainrule's.
#: clipvalue clips each gradient element to [-clipvalue, clipvalue], as clip_value (torch's clip_grad_value_).
KERAS_ALIASES = {"learning_rate": "lr", "clipvalue": "clip_value"}

#: Keras' optimizer arguments (its Optimizer base's, and Keras 2's decay) with no equal here: what each means in
#: Keras and what to do instead. They were Python's bare "unexpected keyword argument".
KERAS_WITHOUT_EQUAL = {
    "use_ema": "Keras' moving average of the weights is not kept here: leave it out",
    "ema_momentum": "Keras' moving average of the weights (use_ema) is not kept here: leave it out",
    "ema_overwrite_frequency": "Keras' moving average of the weights (use_ema) is not kept here: leave it out",
    "loss_scale_factor": "Keras' loss scaling for float16 training; here float32 and float64 need none: leave it out",
    "gradient_accumulation_steps": "Keras steps once per so many batches; here give fit a batch_size that many times "
                                   "larger (the mean gradient of as many rows)",
    "decay": "Keras 2's learning-rate decay lr / (1 + decay * iterations); here give a schedule as lr "
             "(cr.optim.ExponentialLR, StepLR, ...: set per epoch)",
    "name": "optimizers have no name here: leave it out"}


def refuse_unknown(cls: type, given: dict[str, Any]) -> None:
    """A ChainruleTypeError for an argument optimizer `cls` does not take: one of Keras' without an equal
    (KERAS_WITHOUT_EQUAL) says what Keras means by it and what to do here; any other is named with the accepted
    ones. Direct construction (Adam(...)) and get_optimizer("adam", ...) raise the same."""
    refuse_keras_only(f"{cls.__name__}()", given, cls)
    accepted = inspect.signature(cls).parameters
    keras = [name for name in given if name in KERAS_WITHOUT_EQUAL and name not in accepted]
    if keras:
        said = "; ".join(f"{name}: {KERAS_WITHOUT_EQUAL[name]}" for name in keras)
        raise ChainruleTypeError(f"{cls.__name__}() does not take Keras' {', '.join(keras)}. {said}")
    if any(p.kind is p.VAR_KEYWORD for p in accepted.values()):
        return          # a subclass's **kwargs, passed on to its base's constructor, which checks them
    from .schedules import check_arguments
    check_arguments(cls, given, also=tuple(k for k, ours in KERAS_ALIASES.items() if ours in accepted or ours == "lr"))


def positional_names(cls: type) -> list[str]:
    """The arguments that positional ones fill in `cls`'s constructor: its own, or where it passes *args on, those of
    the first base whose constructor takes them by name."""
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        params = [] if init is None else list(inspect.signature(init).parameters.values())[1:]
        if params and not any(p.kind is p.VAR_POSITIONAL for p in params):
            return [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return []


def refuse_keras_only(owner: str, given: dict[str, Any], takes: Any) -> None:
    """A ChainruleTypeError naming torch's argument for each of Keras' names in `given` (KERAS_ONLY) that the
    callable `takes` does not take while it takes torch's: a registered optimizer's own `epsilon` is its own, and
    Adam is not told to give RMSprop's alpha for rho (Keras' Adam has no rho either)."""
    accepted = inspect.signature(takes).parameters
    found = [name for name in given if name in KERAS_ONLY and name not in accepted and KERAS_ONLY[name][0] in accepted]
    if found:
        advice = {KERAS_ONLY[name][1]: [n for n in found if KERAS_ONLY[n] == KERAS_ONLY[name]] for name in found}
        said = "; ".join(f"for {', '.join(names)} give {what}" for what, names in advice.items())
        raise ChainruleTypeError(f"{owner} takes torch.optim's arguments, not Keras' {', '.join(found)}: {said}")


class KerasNames:
    """The base of Optimizer: Keras' `learning_rate=` for `lr=` and `clipvalue=` for `clip_value=`, and
    `optimizer.learning_rate`."""

    _lr: float
    schedule: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Every optimizer takes Keras' `learning_rate=` for `lr=` (Adam(learning_rate=1e-3) was a TypeError), and
        `clipvalue=` for `clip_value=` where it takes clip_value (Keras' code ran here refused it)."""
        super().__init_subclass__(**kwargs)
        init = cls.__dict__.get("__init__")
        if init is None or "learning_rate" in inspect.signature(init).parameters:
            return
        positions = positional_names(cls)

        @functools.wraps(init)
        def keras_init(self: Any, *args: Any, learning_rate: Any = None, clipvalue: Any = None, **kw: Any) -> None:
            refuse_unknown(cls, {**kw, **({} if clipvalue is None else {"clipvalue": clipvalue})})  # the class whose
            given = dict(zip(positions, args)) | kw           # __init__ this is (a subclass calls it by super())
            for keras, value in (("learning_rate", learning_rate), ("clipvalue", clipvalue)):
                ours = KERAS_ALIASES[keras]
                if value is not None and ours in given:
                    raise ChainruleTypeError(f"{type(self).__name__}() got both {ours} and {keras} (Keras' name for "
                                             f"{ours}): give one")
                if value is not None:
                    kw[ours] = value
            init(self, *args, **kw)
        cls.__init__ = keras_init          # type: ignore[method-assign]

    @property
    def learning_rate(self) -> float:
        """Keras' name of `lr`: set in a callback, it is the rate of the steps that follow (it was an
        attribute nothing read, the rate unchanged)."""
        return float(self.lr)

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._set_lr(value, "optimizer.learning_rate")

    @property
    def lr(self) -> float:
        """The rate of the next steps: a callback's (ReduceLROnPlateau) or the user's between fits."""
        return self._lr

    @lr.setter
    def lr(self, value: float) -> None:
        self._set_lr(value, "optimizer.lr")

    def _set_lr(self, value: Any, name: str) -> None:
        """Set the rate, checked (a text or a negative rate failed deep in NumPy, or climbed the
        gradient). One following a schedule is refused, as Keras refuses it: the schedule set it back
        at the next epoch, silently; its own rate (a callback sharing it across processes) is accepted."""
        lr = learning_rate(value, name)
        # (a subclass may set lr before Optimizer.__init__ ran)
        if getattr(self, "schedule", None) is not None and lr != getattr(self, "_lr", None):
            raise ValidationError(f"{name} cannot be set to {value!r}: this {type(self).__name__} follows a schedule "
                                  f"({type(self.schedule).__name__}), which sets the rate at every epoch; give the "
                                  "optimizer a number as lr to set its rate")
        self._lr = lr
