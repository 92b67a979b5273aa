"""`chainrule train`'s optimizer options (--optimizer, --lr, --momentum, --clip-norm, --clip-value) and the training
advice in their words: the engine's warnings and errors advise Python's `clip_norm=...` and "a lower learning rate",
which the command's user gives as --clip-norm and --lr."""
from __future__ import annotations

import argparse
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import chainrule as cr

from ..errors import UnknownNameError, ValidationError
from ..nn.divergence import REMEDIES
from .usage import OptionError

#: the engine's remedies after a loss that exploded or diverged (trainer, divergence, callbacks, checkpoint, MPI):
#: its one text, REMEDIES, which every message says whole
_REMEDIES = re.compile(r"([Tt])ry " + re.escape(REMEDIES) + r"(?: and targets)?")


def momentum(text: str) -> float:
    """--momentum: a finite number >= 0 (torch's SGD and RMSprop take any; 0.9 is usual)."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a finite number >= 0, e.g. 0.9; got {text!r}")
    return value


def _clipping(text: str, check: Callable[[Any], float | None]) -> float:
    """A clipping option's number (a finite number > 0), by the engine's own check, refused in the form of every
    numeric option."""
    try:
        value = check(float(text))
    except (ValueError, ValidationError):
        from .tabular import read_as_zero  # 1e-400: why a number typed above 0 is refused

        raise argparse.ArgumentTypeError(f"expected a finite number > 0, e.g. 1.0; got {text!r}{read_as_zero(text)}"
                                         ) from None
    assert value is not None
    return value


def clip_norm(text: str) -> float:
    """--clip-norm: the optimizers' clip_norm (the gradients' global L2 norm at most it, as
    torch.nn.utils.clip_grad_norm_)."""
    from ..training.optimizer import _clip_norm
    return _clipping(text, _clip_norm)


def clip_value(text: str) -> float:
    """--clip-value: the optimizers' clip_value (each gradient element in [-it, it], as
    torch.nn.utils.clip_grad_value_ and Keras' clipvalue)."""
    from ..training.optimizer import _clip_value
    return _clipping(text, _clip_value)


def _momentum_of_onecycle(args: argparse.Namespace, lr: Any) -> None:
    """A onecycle that moves the momentum (cycle_momentum, true by default) with an --optimizer that has none
    (adagrad): a usage error naming the key to add, in the option's words, before the engine's, in Python's."""
    cls = cr.optim.OPTIMIZERS.get(str(args.optimizer).lower())
    if cls is None or cls.momentum_setting is not None or not isinstance(lr, cr.optim.Schedule):
        return
    cycles = [part for part in getattr(lr, "schedules", [lr]) if isinstance(part, cr.optim.OneCycleLR)]
    specs = [spec for spec in args.schedule or () if spec.cls is cr.optim.OneCycleLR]
    moving = [spec.text for spec, cycle in zip(specs, cycles) if cycle.cycle_momentum]
    if moving:
        raise OptionError(f"argument --schedule: --schedule {moving[0]!r} moves the momentum with the rate, as torch's "
                          f"OneCycleLR (cycle_momentum=true, its default), and --optimizer {args.optimizer} has no "
                          f"momentum or beta1 (torch refuses it so): add cycle_momentum=false to --schedule "
                          f"{moving[0]!r}, or give --optimizer sgd, rmsprop, adam or adamw")


def build(args: argparse.Namespace, lr: Any) -> Any:
    """The optimizer of --optimizer, --lr (`lr`: its number or --schedule's schedule), --momentum (which only
    sgd and rmsprop have), --clip-norm and --clip-value."""
    given = {name: getattr(args, name) for name in ("clip_norm", "clip_value") if getattr(args, name, None) is not None}
    _momentum_of_onecycle(args, lr)
    try:
        optimizer = cr.optim.get_optimizer(args.optimizer, lr=lr, **given)
    except UnknownNameError as exc:
        raise ValidationError(str(exc).replace("optimizer=", "--optimizer ", 1)) from None
    if args.momentum is None:
        return optimizer
    if args.optimizer.lower() not in ("sgd", "rmsprop"):
        raise OptionError(f"--momentum is for --optimizer sgd or rmsprop; {args.optimizer!r} has no momentum "
                          "(leave --momentum out)")
    return cr.optim.get_optimizer(args.optimizer, lr=lr, momentum=args.momentum, **given)


def clipping(args: argparse.Namespace) -> str:
    """The advice to clip the gradients, as the command gives it (a lower --clip-norm or --clip-value where one was
    given)."""
    if getattr(args, "clip_value", None) is not None:
        return f"a lower --clip-value (it was {args.clip_value:g})"
    if args.clip_norm is None:
        return "gradient clipping (--clip-norm, e.g. 1)"
    return f"a lower --clip-norm (it was {args.clip_norm:g})"


def in_options(text: str, args: argparse.Namespace, rate: str, adam: bool = False) -> str:
    """The engine's remedies in `text` in the command's words: `rate` (schedule.lower_rate's) for the learning
    rate, --clip-norm for clip_norm=; the inputs and targets are scaled by train itself, so that advice is left
    out; `adam`: --optimizer adam too, after a divergence (not to a run that had adam or adamw)."""
    return reworded(text, advice(args, rate, adam))


def advice(args: argparse.Namespace, rate: str, adam: bool = False) -> str:
    """What to try, in the options' words (in_options')."""
    if adam and args.optimizer.lower() not in ("adam", "adamw"):
        return f"{rate}, {clipping(args)}, or --optimizer adam"
    return f"{rate} or {clipping(args)}"


def reworded(text: str, said: str) -> str:
    """`text` with the engine's remedies (REMEDIES) replaced by `said`, a command's own; other text as it was."""
    return _REMEDIES.sub(lambda m: f"{m[1]}ry {said}", text)


@contextmanager
def warned_in_options(args: argparse.Namespace, rate: Any) -> Iterator[None]:
    """Warnings shown during the block with their remedies in the command's words (`rate()`: the advice on the
    rate now); the command's own showwarning does the rest. Python's warnings (the API's) are not touched."""
    with warned_in(lambda text: in_options(text, args, rate())):
        yield


@contextmanager
def warned_in(words: Callable[[str], str]) -> Iterator[None]:
    """Warnings shown during the block with the engine's remedies put in a command's words (`words(text)`)."""
    with warnings_reworded(lambda message: words(str(message)) if _REMEDIES.search(str(message)) else message):
        yield


@contextmanager
def warnings_reworded(reword: Callable[[Any], Any]) -> Iterator[None]:
    """Warnings shown during the block go through `reword(message)` first: the command says the engine's warnings in
    its own words, and Python's callers (the API) keep the engine's."""
    shown = warnings.showwarning

    def show(message, category, filename, lineno, file=None, line=None):
        shown(reword(message), category, filename, lineno, file, line)

    warnings.showwarning = show
    try:
        yield
    finally:
        warnings.showwarning = shown


def diverged(text: str, args, rate: float) -> str:
    """TrainingDiverged's message with its advice in the options' words (the inputs are already scaled)."""
    from .schedule import lower_rate  # here: schedule.py imports this module
    lower = lower_rate(args, rate)
    said = in_options(text, args, lower, adam=True)
    if said != text:
        return said
    return f"{text.split(' Try ')[0]} Try {advice(args, lower, adam=True)}."

