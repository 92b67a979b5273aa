"""The optimizer a model file was trained with, as the page's: its settings in the page's fields and
its state (step count, momentum buffer, moments), so that Step and Train go on as the model's next
`net.fit` step would. What the page has no field for (weight decay, clipping, amsgrad, a schedule,
an optimizer it does not offer) is set aside and said in words, never silently."""
from __future__ import annotations

import re
from typing import Any

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.numbers import fmt

from . import limits
from .engine import make_optimizer

TAKEN = "The optimizer is the model's"      # how the words begin where the page took the model's optimizer and state
# the page's names of its optimizers, as its Method menu shows them (template.js, OPT_NAMES)
SHOWN = {"sgd": "Gradient descent", "momentum": "Momentum", "nesterov": "Nesterov", "adagrad": "AdaGrad",
          "rmsprop": "RMSprop", "adam": "Adam"}


def described(name: str, settings: dict) -> str:
    """'adam (η 0.01, β₁ 0.9, ...)': an optimizer as the page's fields show it."""
    fields = ", ".join(f"{limits.SETTING_FIELDS[k].split(' ')[0]} {fmt(v)}" for k, v in settings.items())
    return f"{SHOWN[name]} ({fields})"


def page_optimizer(opt: Any, default: tuple[str, dict], holder: str = "The model file") -> tuple[tuple[str, dict], str]:
    """The page's (name, settings) for a model's optimizer `opt` (None: not saved), and the words saying
    where they came from and what was set aside. `default`: what the page opens with otherwise; `holder`: what
    holds no optimizer (a network given to the notebook's Explorer is no file)."""
    from .session import OPT_DEFAULTS as defaults
    if opt is None:
        name, settings = default
        return default, (f"{holder} holds no optimizer: the explorer opens it with "
                         f"{described(name, {**_fill(name, defaults), **settings})}, its default here.")
    mapped = _mapped(opt)
    if mapped is None:
        name, settings = default
        return default, (f"The model's optimizer {type(opt).__name__} is not one the explorer offers: it opens with "
                         f"{described(name, {**_fill(name, defaults), **settings})} instead, from step 0.")
    name, settings, aside = mapped
    outside = []
    for k, v in list(settings.items()):
        try:
            settings[k] = limits.setting(k, v)
        except ValidationError:             # eps 0, momentum from 1: the engine takes them, the page's field not
            settings[k] = defaults[k]
            outside.append(f"The model's {limits.SETTING_FIELDS[k]} {fmt(v)} is not one the page's field takes: "
                           f"{fmt(defaults[k])} here.")
    kept = [_WORDS[name]] if any(k in opt.state for k in make_optimizer(name, settings).state_names) else []
    whole = not (aside or outside or opt.schedule is not None)      # nothing set aside: fit's own next step
    said = [f"{TAKEN}: {type(opt).__name__} after {opt.t} "
            f"{'step' if opt.t == 1 else 'steps'}" + (f", with its {kept[0]}" if kept else "")
            + (": Step and Train go on as its training would." if whole else ".")]
    if aside:
        said.append("Set aside (the page has no field for it): " + ", ".join(aside) + ".")
    said += outside
    if opt.schedule is not None:
        said.append(f"The model's schedule ({type(opt.schedule).__name__}) is not followed here: the rate stays "
                    f"{fmt(settings['lr'])}, the rate of its last step.")
    return (name, settings), " ".join(said)


def _fill(name: str, defaults: dict) -> dict:
    from .session import OPTIMIZERS  # noqa: I001  (the session imports this module)
    return {k: defaults[k] for k in OPTIMIZERS[name]}


_WORDS = {"momentum": "momentum buffer", "nesterov": "momentum buffer", "adagrad": "sum of squared gradients",
          "rmsprop": "average of squared gradients", "adam": "first and second moments"}


def _mapped(opt: Any) -> tuple[str, dict, list[str]] | None:
    """(page name, settings, what is set aside) of a built-in optimizer; None for another."""
    o, kind = cr.optim, type(opt)
    aside = [f"weight_decay {fmt(opt.weight_decay)}" + (" (decoupled, AdamW's)" if kind is o.AdamW else "")] \
        if opt.weight_decay else []
    aside += [f"{k} {fmt(getattr(opt, k))}" for k in ("clip_norm", "clip_value") if getattr(opt, k) is not None]
    lr = opt.lr
    if kind is o.SGD:
        aside += [f"dampening {fmt(opt.dampening)}"] if opt.dampening else []
        if not opt.momentum:
            return "sgd", {"lr": lr}, aside
        return ("nesterov" if opt.nesterov else "momentum"), {"lr": lr, "momentum": opt.momentum}, aside
    if kind is o.Adagrad:
        aside += [f"{k} {fmt(getattr(opt, k))}" for k, v in (("lr_decay", 0), ("initial_accumulator_value", 0),
                                                           ("eps", 1e-10)) if getattr(opt, k) != v]
        return "adagrad", {"lr": lr}, aside
    if kind is o.RMSprop:
        aside += ([f"momentum {fmt(opt.momentum)}"] if opt.momentum else []) + (["centered"] if opt.centered else [])
        return "rmsprop", {"lr": lr, "alpha": opt.alpha, "eps": opt.eps}, aside
    if kind in (o.Adam, o.AdamW):
        aside += ["amsgrad"] if opt.amsgrad else []
        return "adam", {"lr": lr, "beta1": opt.betas[0], "beta2": opt.betas[1], "eps": opt.eps}, aside
    return None


def carry_state(model_opt: Any, page_opt: Any) -> None:
    """The model optimizer's step count and the state arrays the page's optimizer uses, copied into it
    (SGD's parts whose buffer has not started, too); nothing for an optimizer the page does not offer."""
    if model_opt is None or _mapped(model_opt) is None:
        return
    page_opt.t, page_opt.epoch = model_opt.t, model_opt.epoch
    for k in page_opt.state_names:
        if k in model_opt.state:
            page_opt.state[k] = model_opt.state[k].copy()
    fresh = model_opt.__dict__.get("_fresh")
    if fresh is not None and page_opt.per_part_start and page_opt.state:
        page_opt._fresh = fresh.copy()


_COUNT = re.compile(re.escape(TAKEN) + r": (\w+) after \d+ steps?")


def now(words: str | None, t: int, steps: int, before: str = "in the model file") -> str | None:
    """The words on the model's optimizer with the step count it is at now (`t`: the optimizer's; `steps`:
    the page's, taken since the file's): they were written when the file was opened, "after 3 steps",
    and said so after Train 100 too while the optimizer was at step 103. `before`: where the steps before the
    page's were taken."""
    if words is None or not taken(words):
        return words
    here = f" ({t - steps:,} {before}, {steps:,} on this page)" if steps else ""
    return _COUNT.sub(lambda m: f"{TAKEN}: {m[1]} after {t:,} {'step' if t == 1 else 'steps'}{here}", words, 1)


def taken(words: str | None) -> bool:
    """Whether a page's words on its optimizer (`optimizer_from`) say it took the model's, with its step
    count and moments (not a default the page opened with where the file holds none or one it does not offer)."""
    return words is not None and words.startswith(TAKEN)
