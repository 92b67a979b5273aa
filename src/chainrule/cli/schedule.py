"""train's --schedule: a learning-rate schedule written NAME[:KEY=VALUE,...] (step:step_size=10,gamma=0.5), made by
the engine's own classes (chainrule.optim's StepLR, ..., and the ReduceLROnPlateau callback) from --lr's rate: the
command line parses, the engine computes the rates."""
from __future__ import annotations

import argparse
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

from ..errors import ChainruleError, ValidationError, did_you_mean
from ..nn.numeric import as_whole, number_or_text
from ..training import callbacks
from ..training import cyclic_schedules as cyclic
from ..training import schedules as sched
from ..training.callbacks import ReduceLROnPlateau
from .optimizer import warnings_reworded
from .usage import OptionError

#: the names --schedule takes, and the engine's class each stands for (its class name is taken too, any case)
NAMES: dict[str, type] = {"step": sched.StepLR, "multistep": sched.MultiStepLR, "exponential": sched.ExponentialLR,
                          "cosine": sched.CosineAnnealingLR, "linear": sched.LinearLR, "constant": sched.ConstantLR,
                          "polynomial": sched.PolynomialLR, "restarts": cyclic.CosineAnnealingWarmRestarts,
                          "onecycle": cyclic.OneCycleLR, "plateau": callbacks.ReduceLROnPlateau}
#: the argument that --lr's rate is given as, where it is not lr: OneCycleLR's peak, max_lr
RATE: dict[type, str] = {cyclic.OneCycleLR: "max_lr"}
#: the keys that take a list: their later values follow after commas (milestones=30,60,gamma=0.5)
LISTS = {"milestones"}
#: the keys the command line gives itself: the rate is --lr's, and the callback's printing would break the lines
OWN = {"lr": "the starting rate is --lr's", "verbose": "the rate is in each epoch's line as 'lr'",
       "max_lr": "onecycle's max_lr (its peak rate) is --lr's"}
#: plateau's keys of Keras 2 that Python's ReduceLROnPlateau takes with a warning, and the command line refuses
KERAS2 = {"epsilon": "it is Keras 2's old name of min_delta: give min_delta"}
#: torch's keys that have no key here, and why (plateau takes Keras' names and counts)
TORCH = {"last_epoch": "a run goes on from its checkpoint's epoch with --checkpoint-dir and --resume",
         "threshold": "plateau takes Keras' min_delta for it (an absolute change: torch's threshold_mode='abs')",
         "threshold_mode": "plateau's min_delta is an absolute change (torch's 'abs'); a relative one is not taken",
         "eps": "plateau lowers the rate down to min_lr, however small the change",
         "epochs": "onecycle's total_steps counts epochs here (a schedule steps once an epoch): give total_steps",
         "steps_per_epoch": "onecycle's total_steps counts epochs here (a schedule steps once an epoch): give "
                            "total_steps"}
HELP = ("a learning rate that changes with the epochs, NAME[:KEY=VALUE,...] from --lr's rate, as "
        "torch.optim.lr_scheduler's (its argument names): step:step_size=10,gamma=0.5 (StepLR), "
        "multistep:milestones=30,60,gamma=0.1, exponential:gamma=0.95, cosine:T_max=100,eta_min=0 (CosineAnnealingLR), "
        "linear:start_factor=0.1,total_iters=5 (a warm-up), constant:factor=0.5,total_iters=5, "
        "polynomial:total_iters=100,power=1, restarts:T_0=10,T_mult=2 (CosineAnnealingWarmRestarts), "
        "onecycle:total_steps=100,pct_start=0.3 (OneCycleLR, counted in epochs; --lr is its max_lr, the peak, and it "
        "starts at max_lr/div_factor; three_phase=true or false; as torch's, it also moves --momentum, or adam's "
        "beta1, from max_momentum=0.95 down to base_momentum=0.85 and back, unless cycle_momentum=false), "
        "or plateau:factor=0.5,patience=3 (ReduceLROnPlateau, watching val_loss "
        "unless monitor=loss, in Keras' names and counts, not torch's: min_delta, an absolute change, for torch's "
        "threshold; Keras' patience p and cooldown c are torch's p-1 and c-1). Repeated, one after another as torch's "
        "SequentialLR: each later one written NAME@EPOCH, the 0-based epoch it starts at (its milestone), counting its "
        "own epochs from 0 there: --schedule linear:start_factor=0.1,total_iters=5 --schedule cosine@5:T_max=95 (a "
        "warm-up, then a decay); each epoch's line and the checkpoints' "
        "history.jsonl show the rate it trained with as 'lr'")


class Spec:
    """A parsed --schedule: the class, its arguments, the text as given (for the messages), and the epoch it starts
    at (NAME@EPOCH, a later one of several --schedule; None: the first)."""

    def __init__(self, cls: type, kwargs: dict[str, Any], text: str, start: int | None = None):
        self.cls, self.kwargs, self.text, self.start = cls, kwargs, text, start

    def __repr__(self) -> str:
        return f"Spec({self.cls.__name__}, {self.kwargs!r}, start={self.start})"


class Schedules(list):
    """The --schedule options given, in order (one after another as torch's SequentialLR where several); `refuse`
    says what only the other options tell wrong as argparse's usage errors are said (usage, exit 2)."""

    def refuse(self, message: str) -> NoReturn:
        # raised, said after the command's block as argparse's errors (usage, exit 2): parser.error printed it inside,
        # where --quiet drops stderr, and the command ended with 2 saying nothing
        raise OptionError(f"argument --schedule: {message}")

    def said(self) -> str:
        """The options as written: --schedule 'linear:...' --schedule 'cosine@5:...'."""
        return " ".join(f"--schedule {s.text!r}" for s in self)


class ScheduleAction(argparse.Action):
    """--schedule, repeatable: the first starts at epoch 0, each later one at its NAME@EPOCH, after the one before
    (torch's SequentialLR and its milestones); a plateau, which torch's SequentialLR refuses, comes alone."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        given = getattr(namespace, self.dest, None)
        specs = given if isinstance(given, Schedules) else Schedules()
        spec: Spec = values
        if ReduceLROnPlateau in (spec.cls, *(s.cls for s in specs)) and specs:
            raise argparse.ArgumentError(self, "plateau cannot be one of several --schedule (torch's SequentialLR "
                                               "refuses ReduceLROnPlateau: it lowers the rate on a watched number, "
                                               "not by epoch); give it alone")
        if not specs and spec.start is not None:
            raise argparse.ArgumentError(self, f"{spec.text!r} starts at epoch {spec.start}, but no --schedule "
                                               "comes before it: write the first one without @EPOCH (it starts at 0)")
        if specs and spec.start is None:
            raise argparse.ArgumentError(self, f"{spec.text!r} follows --schedule {specs[-1].text!r}: write the "
                                               f"epoch it starts at, as {spec.text.partition(':')[0]}@EPOCH:... "
                                               "(0-based, as torch's SequentialLR milestones)")
        if specs and spec.start is not None and spec.start <= (specs[-1].start or 0):
            raise argparse.ArgumentError(self, f"{spec.text!r} starts at epoch {spec.start}, not after the "
                                               f"--schedule before it ({specs[-1].text!r}, from epoch "
                                               f"{specs[-1].start or 0}); give the schedules in the order they run")
        specs.append(spec)
        setattr(namespace, self.dest, specs)


def _keys(cls: type) -> tuple[list[str], list[str]]:
    """The keys `cls` takes from the command line, and those of them it needs."""
    params = [p for p in inspect.signature(cls).parameters.values()
              if p.name not in OWN and p.name not in KERAS2 and p.name != RATE.get(cls)]
    return [p.name for p in params], [p.name for p in params if p.default is inspect.Parameter.empty]


def schedule_arg(text: str) -> Spec:
    """The argparse type of --schedule: the name, then its keys (each refusal names the key, what it takes and what
    was given), then the values, checked by the class itself (`_check`)."""
    name, _, rest = text.strip().partition(":")
    name, at, epoch = name.partition("@")
    start = _start(epoch, text) if at else None
    known = {n: c for n, c in NAMES.items()}
    known.update({c.__name__.lower(): c for c in NAMES.values()})
    cls = known.get(name.strip().lower())
    if cls is None:
        hint = did_you_mean(name, known, " (did you mean {!r}?)")
        raise argparse.ArgumentTypeError(f"unknown schedule {name.strip()!r}{hint}; expected one of "
                                         f"{', '.join(NAMES)}, as NAME:KEY=VALUE,... (e.g. step:step_size=10)")
    accepted, needed = _keys(cls)
    kwargs: dict[str, Any] = {}
    typed: dict[str, Any] = {}          # the values as written, for the refusals
    last = ""
    for item in ([] if not rest.strip() else rest.split(",")):
        key, eq, value = (s.strip() for s in item.partition("="))
        if not eq:                          # a list's later value (milestones=30,60)
            if last in LISTS and key:
                kwargs[last].append(number_or_text(key))
                typed[last].append(key)
                continue
            raise argparse.ArgumentTypeError(f"{name.strip()}: expected KEY=VALUE after the ':', separated by "
                                             f"commas (keys: {', '.join(accepted)}); got {item.strip()!r}")
        said = ("--lr is onecycle's max_lr (its peak rate)" if key in ("lr", RATE.get(cls)) and cls in RATE
                else OWN.get(key)) or (
            KERAS2.get(key) if cls is ReduceLROnPlateau else None)
        if said or (key in TORCH and key not in accepted):
            whose = "" if said and key != RATE.get(cls) else " (torch's)"
            raise argparse.ArgumentTypeError(f"{name.strip()}: key {key!r}{whose} is not taken here: "
                                             f"{said or TORCH[key]}; expected among {', '.join(accepted)}")
        if key not in accepted:
            hint = did_you_mean(key, accepted, " (did you mean {!r}?)")
            raise argparse.ArgumentTypeError(f"{name.strip()}: unknown key {key!r}{hint}; expected among "
                                             f"{', '.join(accepted)}")
        if key in kwargs:
            raise argparse.ArgumentTypeError(f"{name.strip()}: key {key!r} is given twice")
        if not value:
            raise argparse.ArgumentTypeError(f"{name.strip()}: key {key!r} has no value; write {key}=VALUE")
        kwargs[key] = [number_or_text(value)] if key in LISTS else _value(cls, key, value)
        typed[key] = [value] if key in LISTS else value
        last = key
    missing = [k for k in needed if k not in kwargs]
    if missing:
        example = f"{text.strip().partition(':')[0]}:{missing[0]}=10"        # cosine@3:T_max=10, its @EPOCH kept
        raise argparse.ArgumentTypeError(f"{name.strip()} needs {', '.join(f'{k}=...' for k in missing)} "
                                         f"(e.g. {example}); got {text.strip()!r}")
    _check(cls, kwargs, typed, name.strip())
    # the milestones as torch's MultiStepLR counts them (a multiset: 3,1 is 1,3), so a resume compares the rates
    return Spec(cls, {k: sorted(v) if k in LISTS else v for k, v in kwargs.items()}, text.strip(), start)


def _value(cls: type, key: str, value: str) -> Any:
    """A key's value as written: true or false (any case) for a key whose default is True or False (onecycle's
    three_phase), else a number, else the text (the class refuses what it does not take, naming the value)."""
    default = inspect.signature(cls).parameters[key].default
    if isinstance(default, bool) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return number_or_text(value)


def _start(epoch: str, text: str) -> int:
    """NAME@EPOCH's epoch: where a later --schedule starts (torch's SequentialLR milestone), a whole number >= 1."""
    value = as_whole(epoch)
    if value is None or value < 1:
        raise argparse.ArgumentTypeError(f"expected NAME@EPOCH with EPOCH a whole number >= 1 (the 0-based epoch "
                                         f"this schedule starts at, after the --schedule before it); got {text!r}")
    return value


def _check(cls: type, kwargs: dict[str, Any], typed: dict[str, Any], name: str) -> None:
    """The values checked by the class itself (made once with a stand-in rate, which no check of theirs reads),
    refused as argparse refuses the keys, quoting the value as typed (step_size=1e3, not 1000.0): the class's
    refusal carries the key, the list's item and what the key takes (errors.refusal)."""
    try:
        cls(**kwargs) if cls is ReduceLROnPlateau else cls(**{RATE.get(cls, "lr"): 0.1}, **kwargs)
    except ChainruleError as exc:
        key = (exc.argument or "").removeprefix(f"{cls.__name__}: ")     # the callback names itself in its checks
        if key in typed and exc.expected is not None:
            value = typed[key] if exc.index is None else typed[key][exc.index]
            item = "" if exc.index is None else f"[{exc.index}]"
            raise argparse.ArgumentTypeError(f"{name}: {key}{item} must be {exc.expected}; got {value!r}") from None
        said = str(exc).removeprefix(f"{cls.__name__}: ")     # the callback names itself; the option names it
        raise argparse.ArgumentTypeError(f"{name}: {said}") from None


def build(specs: Schedules, lr: float, validation: bool, epochs: int,
          continued: bool = False) -> tuple[float | sched.Schedule, list, str]:
    """The optimizer's lr (a Schedule, a SequentialLR of several, or --lr's number with a ReduceLROnPlateau), the
    callbacks to add, and the schedules written out whole (`described`); a refusal is argparse's, naming the option.
    A later schedule starting at or after --epochs would never run: refused, not trained without it, unless the run
    can be `continued` (--checkpoint-dir: its checkpoints keep every schedule, and --resume with more --epochs
    reaches the later ones, as a run trained in parts)."""
    late = [s for s in specs if s.start is not None and s.start >= epochs]
    if late and not continued:
        specs.refuse(f"{late[0].text!r} starts at epoch {late[0].start}, which --epochs {epochs} never reaches (its "
                     f"epochs are 0 to {epochs - 1}); give an EPOCH below {epochs}, or more --epochs, or "
                     "--checkpoint-dir to train in parts (its checkpoints keep every schedule; --resume with more "
                     "--epochs reaches this one)")
    try:
        if specs[0].cls is ReduceLROnPlateau:
            plateau = specs[0].cls(**specs[0].kwargs)
            if plateau.monitor.startswith("val_") and not validation:
                specs.refuse(f"plateau watches {plateau.monitor!r}, which --val-split 0 leaves out (no validation "
                             "rows); give --val-split above 0, or monitor=loss")
            return lr, [plateau], described(specs[0], plateau)
        made = [s.cls(**{RATE.get(s.cls, "lr"): lr}, **s.kwargs) for s in specs]
        whole = " --schedule ".join(described(s, m) for s, m in zip(specs, made))    # as info writes it after one
        rates = made[0] if len(made) == 1 else sched.SequentialLR(made, [s.start for s in specs[1:]])
        try:                                # fit's refusal, before reading, in the options' words
            sched.past_end(rates, epochs, epochs)
        except ValidationError:
            last = rates.last_epoch()
            part = rates.ends()[0][1] if isinstance(rates, sched.SequentialLR) else len(specs) - 1
            if part < len(specs) - 1:           # a cycle that ends before the next --schedule starts
                span = (specs[part + 1].start or 0) - (specs[part].start or 0)
                specs.refuse(f"--schedule {specs[part].text!r} runs {span} epochs (to --schedule "
                             f"{specs[part + 1].text!r}) and has a rate for its epochs 0 to "
                             f"{made[part].last_epoch()} only (torch's scheduler refuses to step past them), and "
                             f"--epochs {epochs} trains to epoch {epochs - 1}: give it total_steps={span - 1} or "
                             "more, or the next --schedule an earlier @EPOCH, or fewer --epochs")
            specs.refuse(f"{specs.said()} has a rate for epochs 0 to {last} (counted from 0; torch's scheduler refuses "
                         f"to step past them), and --epochs {epochs} trains to epoch {epochs - 1}: give fewer --epochs "
                         f"or total_steps={epochs - (specs[-1].start or 0)} (torch's epochs * steps_per_epoch: one "
                         "cycle over the run)")
        return rates, [], whole
    except OptionError:
        raise
    except ChainruleError as exc:
        specs.refuse(f"{specs.said()}: {exc}")


def described(spec: Spec, made: Any) -> str:
    """The schedule as --schedule writes it, every key given (the defaults too) as the class holds it (gamma=1 and
    gamma=1.0 alike), a later one with its @EPOCH: the model file and the checkpoints keep it, and a resumed run
    compares it, a plateau's settings too (its checkpointed state is its counts alone)."""
    name = next(n for n, c in NAMES.items() if c is spec.cls) + ("" if spec.start is None else f"@{spec.start}")
    values = {k: getattr(made, k) for k in _keys(spec.cls)[0]}
    return f"{name}:" + ",".join(f"{k}={','.join(map(str, v)) if isinstance(v, list) else v}"
                                 for k, v in values.items())


def check_resume(args: argparse.Namespace, schedule: str | None) -> tuple[Any, dict] | None:
    """--resume given another --schedule than its checkpoint's run had (or one where it had none, or none where it had
    one) is refused before training, in the options' words; so is a checkpoint cut short, corrupt or not a checkpoint
    (fit's own refusal, said before the CSV file is read: it was said after its reading lines); a checkpoint that is
    not train's is left to fit. Returns train's checkpoint as read (network, extra), else None."""
    if not (args.resume and args.checkpoint_dir):
        return None
    from ..errors import ModelFileError
    from ..saving.checkpoint import checkpoint_path
    from ..saving.npz import load_all
    path = checkpoint_path(args.checkpoint_dir)
    try:
        net, extra = load_all(path)[:2] if path.is_file() else (None, None)    # as fit's resume reads it
    except ModelFileError:
        raise
    except Exception:  # noqa: BLE001  (unreadable otherwise, e.g. a folder's permissions: the resume itself says why)
        return None
    if path.is_file() and not isinstance((extra or {}).get("checkpoint"), dict):
        raise ModelFileError(f"{path} is a model file, not a training checkpoint")     # fit's words
    if not isinstance(extra, dict) or "tabular" not in extra:
        return None
    had = extra.get("schedule")
    if had != schedule:
        def said(s: Any) -> str:
            return f"--schedule {s}" if s else "no --schedule"
        raise ValidationError(f"cannot resume from {str(path)!r}: its run had {said(had)}, this one has "
                              f"{said(schedule)}; resume with the --schedule it had, or use another --checkpoint-dir")
    return net, extra


def watched(specs: Schedules | None, scheduled: list, logged: list[str]) -> None:
    """A plateau watching a number the run does not log would lower nothing (a warning, then the rate kept): refused
    before training, as argparse refuses the option, naming the numbers the run logs."""
    for plateau in scheduled:
        if specs is not None and plateau.monitor not in logged:
            specs.refuse(f"plateau watches {plateau.monitor!r}, which this run does not log; expected monitor= one of "
                         f"{', '.join(logged)}")


def lower_rate(args: argparse.Namespace, rate: float) -> str:
    """What to lower after training diverged: --lr, unless --schedule took the rate above it (cosine's eta_min), where
    a lower --lr changes nothing of the rate that diverged."""
    if args.schedule is not None and rate > args.lr:
        return f"a --schedule whose rate stays lower ({args.schedule.said()} took it to {rate:g} from --lr {args.lr:g})"
    return f"a lower --lr (it was {args.lr:g})"


@contextmanager
def named_as_given(specs: Schedules | None, continued: bool = False) -> Iterator[None]:
    """The engine's ScheduleWarning shown during the block names the --schedule given (the one in force where the
    rate first changes), not its class and argument (StepLR's step_size=10), and --epochs, not epochs=; a run that
    can be `continued` (--checkpoint-dir: a part of a run trained in parts) is told --resume reaches it too."""
    def reword(message: Any) -> Any:
        if specs and isinstance(message, sched.ScheduleWarning) and message.subject:
            spec = [s for s in specs if (s.start or 0) <= message.epoch][-1]
            needed = message.reach.removeprefix("epochs=")     # --resume goes on to them from the checkpoints
            said = message.reworded(f"--schedule {spec.text!r}", f"--epochs {message.epochs.removeprefix('epochs=')}",
                                    f"--epochs {needed} or more" + " (with --resume, this run goes on to them)"
                                    * bool(continued), "a --schedule that changes sooner")
            sequential = message.subject.startswith("SequentialLR's milestones")        # the @EPOCHs
            return said.replace("(its milestones within", "(its @EPOCH within", 1) if sequential else said
        return message

    with warnings_reworded(reword):
        yield


def shown(key: str, value: float) -> str:
    """A logged number as the epoch lines and `info` write it: a rate in 4 significant digits (a rate of 1e-05 is not
    0.0000), the metrics in 4 decimals."""
    return f"{key} {value:.4g}" if key in ("lr", "learning_rate") else f"{key} {value:.4f}"


class RateLog(callbacks.Callback):
    """Each epoch's logs get the rate the epoch trained with as 'lr', the optimizer's own number (read at the
    epoch's start: a plateau lowers it at the end): the epoch lines and the checkpoint's history show it. The
    plateau's own 'learning_rate' (the same rate rounded to float32, as Keras logs it) is left out: one name."""

    def on_epoch_begin(self, epoch: int) -> None:
        self.rate = float(self.network.optimizer.lr)

    def on_epoch_end(self, epoch: int, logs: dict[str, float]) -> None:
        logs.pop("learning_rate", None)
        logs["lr"] = self.rate


def resume_refusal(exc: ChainruleError) -> ChainruleError:
    """fit's refusal to resume another run's checkpoint, where the optimizer or the network differs, with the
    options that make it (fit names its optimizer's config and its Network, which the command line's user never
    wrote). Another --schedule is refused
    before, by check_resume."""
    text = str(exc)
    if text.startswith("cannot resume") and "what differs: the optimizer (" in text:
        return ValidationError(f"{text} (the optimizer is --optimizer, --lr, --momentum, --clip-norm, --clip-value and "
                               "--schedule: give the ones the checkpoint's run had)")
    if text.startswith("the checkpoint in ") and " is of another network: " in text:     # fit's words: Network(...)
        return ValidationError(f"{text} (the network is the input columns (--features, --drop, --text), --hidden, "
                               "--activation and --dtype: give the ones the checkpoint's run had, or use another "
                               "--checkpoint-dir)")
    return exc

