"""Save and load networks: one .npz file, arrays plus a JSON description. Never pickle.

Layout of the file (format version 1; 2 where the description holds infinity or NaN, as {"__float__": "Infinity"};
3 where the optimizer's "fresh" lists the parts whose SGD buffer has not started, written only when dampening != 0,
or its "pending" the state arrays a setting turned on since the last step):
    "__format__"     JSON text: {"format": "chainrule", "version": 1, "network": {...}, "optimizer": {...}}
    "params"         the flat parameter vector (dtype of the network)
    "opt.<name>"     the optimizer's state arrays, when saved
The description holds "weight_penalty" (MLP's alpha, `Network.weight_penalty`) when it is not 0.
`load` opens it with allow_pickle=False, checks every entry against the description, and turns
anything else into ModelFileError. `save` writes a temporary file beside the target, flushes
and fsyncs it, then renames it over the target: a crash leaves the previous file intact.
"""
from __future__ import annotations

import json
import os
import warnings
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..callers import caller_level
from ..data.filecontent import file_kind, first_member, kind_of
from ..errors import ChainruleError, ChainruleTypeError, ModelFileError, ValidationError
from ..nn.filenames import a_file_name
from ..nn.layers import layer_from_config
from ..nn.network import Network
from ..nn.predict import mark_tabular
from ..nn.sample_weight import read_record, with_record
from ..training.optim import optimizer_from_file
from ..training.optimizer_state import state_problem
from . import modelkind
from . import npzcheck as check
from .files import atomic_write, check_path
from .modelkind import named
from .npzcheck import FORMAT_VERSION, MAX_HEADER_BYTES, MAX_PARAMS
from .npzmembers import array_header, members, read_member

__all__ = ["save", "load", "atomic_write", "check_path", "network_arrays", "FORMAT_VERSION", "MAX_PARAMS"]


def check_registered(net, include_optimizer: bool = True) -> None:
    """Every class in `net` must be the one its saved name loads back as: a user's class that is
    not registered (or a subclass that inherits a built-in's name) would load as another class. The
    optimizer only where it is saved (a sweep's best model is saved without it)."""
    from ..nn.activations import ACTIVATIONS
    from ..nn.layers import LAYERS
    from ..nn.losses import LOSSES
    from ..training.optim import OPTIMIZERS
    from ..training.schedules import SCHEDULES

    found: list[tuple[str, type, type | None, str]]
    found = [(f"layer {i}", type(layer), LAYERS.get(layer.config().get("type")), "register_layer")
             for i, layer in enumerate(net.layers)]
    found += [(f"the activation of layer {i}", type(layer.activation), ACTIVATIONS.get(layer.activation.name),
               "register_activation") for i, layer in enumerate(net.layers) if hasattr(layer, "activation")]
    found.append(("the loss", type(net.loss_function), LOSSES.get(net.loss_function.name), "register_loss"))
    if net.optimizer is not None and include_optimizer:
        found.append(("the optimizer", type(net.optimizer), OPTIMIZERS.get(type(net.optimizer).__name__.lower()),
                      "cr.optim.register_optimizer"))
        schedule = getattr(net.optimizer, "schedule", None)
        named = [(f"schedules[{i}] of the optimizer's {type(schedule).__name__}", each)  # SequentialLR's, saved
                 for i, each in enumerate(getattr(schedule, "schedules", []))]          # by their names too
        for what, each in [*named, ("the optimizer's schedule", schedule)]:    # the inner one first: the
            # SequentialLR's config() fails on an inner one's, which is the one to name
            if each is None:
                continue
            try:
                name = each.config().get("name")
            except NotImplementedError:
                name = None
            found.append((what, type(each), SCHEDULES.get(name), "cr.optim.register_schedule"))
    for what, cls, saved_as, how in found:
        hint = getattr(cls, "save_hint", None)         # a class that is not meant to be saved says what to do
        if cls is not saved_as:
            raise ChainruleTypeError(f"{what} is a {cls.__name__}, which would load back as "
                                     f"{'nothing' if saved_as is None else saved_as.__name__}: "
                                     + (hint or f"give it a name of its own and register it with {how} before saving"))


def network_arrays(net, include_optimizer: bool = True, extra: dict | None = None,
                   extra_arrays: dict[str, np.ndarray] | None = None, *,
                   version: int = FORMAT_VERSION) -> dict[str, np.ndarray]:
    """The arrays and JSON header that describe `net` (shared by save and checkpoints).
    `extra_arrays` are vectors of the parameters' size and dtype (a callback's best weights). The header says the
    lowest format version that reads it, at least `version` (a checkpoint whose history.jsonl needs 2)."""
    check_registered(net, include_optimizer)
    if extra is not None and not isinstance(extra, dict):
        raise ChainruleTypeError(f"extra must be a dict (text keys, JSON values) or None; got {type(extra).__name__}")
    header = {"format": "chainrule", "version": FORMAT_VERSION, "network": net.config(),
              "epochs_trained": net.epochs_trained}
    if net.weight_penalty:                # MLP's alpha (from_sklearn): training after load goes on with it
        header["weight_penalty"] = float(net.weight_penalty)
    arrays = {"params": net.params}
    opt = net.optimizer
    if include_optimizer and opt is not None:
        saved = opt.saved_state()
        header["optimizer"] = {"config": opt.config(), "t": opt.t, "epoch": opt.epoch, "state": sorted(saved)}
        problem = state_problem(opt, saved)
        if problem is not None:
            raise ValidationError(f"cannot save: {problem}; load would refuse the file")
        arrays.update({f"opt.{k}": v for k, v in saved.items()})
        pending = sorted(set(opt.state_names) - set(saved))    # a setting turned on since the last step: load
        if pending and (saved or opt.t > 0):                     # accepts these missing (made at the next step)
            header["optimizer"]["pending"] = pending
            version = max(version, check.FRESH_VERSION)
        fresh = opt.__dict__.get("_fresh")
        # SGD's buffer not started yet in these parts (a frozen layer), kept only where that changes a step: torch's
        # first buf = g, from a zero buffer m * 0 + (1 - dampening) * g, the same unless dampening != 0 (version 3);
        # the buffer put aside (momentum turned off) counts: turned on again, those parts still start undamped
        if fresh is not None and saved and getattr(opt, "dampening", 0):
            edges = np.flatnonzero(np.diff(np.concatenate([[0], fresh.view(np.int8), [0]])))
            header["optimizer"]["fresh"] = edges.reshape(-1, 2).tolist()
            version = max(version, check.FRESH_VERSION)
    for name, values in check.extra_vectors(net, extra_arrays).items():
        arrays[f"extra.{name}"] = values
    if extra_arrays:
        header["extra_arrays"] = sorted(extra_arrays)
    for key, values in arrays.items():
        where = non_finite(net, values)
        if where is not None:
            what = "the parameters" if key == "params" else f"the {key} vector (same layout as the parameters)"
            raise ValidationError(f"cannot save: {what} contain NaN or infinity, first in {where}; a model with "
                                  "non-finite weights predicts nothing (did training diverge?)")
    extra = with_record(net, extra)            # fit's class_weight, as train's --class-weight is recorded
    if extra:
        header["extra"] = extra
    try:
        header = {key: check.plain_json(value, key) for key, value in header.items()}
    except RecursionError:
        raise ChainruleTypeError("extra is nested too deeply for a model file's JSON description") from None
    if check.uses_float_key(header):       # the lowest version that reads it: 1 takes {"__float__": ...} for a dict
        version = max(version, check.FLOAT_VERSION)
    header["version"] = version
    arrays["__format__"] = np.array(json.dumps(header, allow_nan=False))    # standard JSON
    return arrays


def non_finite(net, values: np.ndarray) -> str | None:
    """Where the first NaN or infinity of a parameter-shaped vector lies ('W[0, 1] of layer 1
    (Dense(...))'), or None when every value is finite."""
    with np.errstate(over="ignore", invalid="ignore"):      # a sum of large finite weights may overflow: no warning
        if np.isfinite(np.add.reduce(values, axis=None)) or np.isfinite(values).all():
            return None
    at = int(np.flatnonzero(~np.isfinite(values))[0])
    for layer, name, start, stop in net.segments:
        if start <= at < stop:
            shape = getattr(layer, name).shape
            index = ", ".join(str(int(i)) for i in np.unravel_index(at - start, shape))
            return f"{name}[{index}] of layer {net.layers.index(layer)} ({layer!r}): {values[at]}"
    return f"value {at}"


def save(net: Any, path: str | os.PathLike, overwrite: bool = True, include_optimizer: bool = True,
         extra: dict | None = None, extra_arrays: dict[str, np.ndarray] | None = None) -> None:
    """Write `net` to `path`, replacing a previous chainrule model atomically (`cr.save`, `Network.save`;
    keras.saving.save_model's arguments); `cr.load` reads it back. The file is named exactly `path` (NumPy's savez
    would add .npz: here "m" stays "m"); .npz is the habit. Refused, before anything is written: an existing file
    with overwrite=False (`refuse_existing`), a file of other data, a read-only file, another format's name
    (files.replaceable), what `load` would refuse. The new file is renamed over the old one: another hard link to
    the old one keeps the previous model (files.atomic_write)."""
    from ..nn.network import Network
    if isinstance(path, Network):
        raise ChainruleTypeError("save takes the network first, then the path: cr.save(net, path)")
    if not isinstance(net, Network):
        from .sklearn_import import our_estimator
        ours = our_estimator(net, "cr.save({net}, path)", "; to keep the whole {whole} (classes_, its parameters), "
                             "joblib.dump({model}, path) or pickle it")
        raise ChainruleTypeError(f"save writes a chainrule Network; got {type(net).__name__}" + (
            ours if ours else " (a model of another framework: import it first with cr.from_torch, from_keras, "
            "from_sklearn, from_onnx)"))
    a_file_name(check_path(path, "path"))      # before Path, which reads '' as '.' and drops a trailing '/'
    refuse_existing(path, overwrite, "save", include_optimizer)
    write(net, Path(path), include_optimizer, extra, extra_arrays)


def refuse_existing(path: str | os.PathLike, overwrite: Any, who: str, include_optimizer: Any = True) -> None:
    """Keras' overwrite=False (which asks; a library cannot): an existing file is refused, left as it is. One
    refusal for cr.save, Network.save and save_weights; include_optimizer checked too ("no" is truthy)."""
    from ..nn.checks import flag
    flag(include_optimizer, f"{who}: include_optimizer")
    if not flag(overwrite, f"{who}: overwrite") and os.path.isfile(path):
        raise FileExistsError(f"{who}: {named(path)} exists and overwrite=False; it was left as it is")


def missing(path: Path, said: str) -> str:
    """A missing file's message, naming the chainrule file beside it that was probably meant: save writes the name
    as given ("m", where NumPy's savez writes "m.npz"), so "m" and "m.npz" are two names. Another file there (a
    CSV "data" beside "data.npz") is not named."""
    other = path.with_name(path.name[:-4]) if path.name.lower().endswith(".npz") else Path(f"{path}.npz")
    kind = file_kind(other) if other.name and other.is_file() else None
    if kind in ("model", "weights"):
        said += (f"; {str(other)!r} is there (chainrule {kind}): a file is written under its name exactly as given "
                 "(never adding .npz, as NumPy's savez does), and read so: give that name")
    return said


def write(net: Network, path: Path, include_optimizer: bool = True, extra: dict | None = None,
          extra_arrays: dict[str, np.ndarray] | None = None, *, version: int = FORMAT_VERSION) -> None:
    """`save`'s writing, of a checked network and path; the file says at least format `version`."""
    arrays = network_arrays(net, include_optimizer, extra, extra_arrays, version=version)
    try:                            # load's checks, before the previous file is touched
        check.read_header(arrays["__format__"], modelkind.Said(f"cannot save {named(path)}"))
    except ModelFileError as exc:
        raise ValidationError(f"{exc}; load would refuse such a file, so nothing was written") from None
    savez: Any = np.savez          # NumPy's stubs type the keyword arrays as its flags
    atomic_write(path, lambda f: savez(f, **arrays), kind="model")


def load(path: str | os.PathLike, *extra_args: Any, with_extra: bool = False, compile: bool = True,
         safe_mode: bool = True, **unknown: Any) -> Any:
    """Read a network written by `save`. Never executes code from the file.

    The file is opened as a zip archive; the JSON description is read and checked first, then
    every array's header (dtype and shape) against the description, and only then the array
    data, with allow_pickle=False. Raises ModelFileError for a missing, truncated, corrupted,
    wrong-version or crafted file: anything that goes wrong while reading a file is reported
    as ModelFileError (with the underlying error's type and message).
    Keras' load_model's two flags: compile=False loads the network without its saved optimizer (the next fit
    takes its own, as an uncompiled Keras model; the loss is part of a chainrule network and stays); safe_mode
    changes nothing, since no file's code is ever run (safe_mode=True always holds)."""
    keras_load_flags(extra_args, unknown, compile, safe_mode, with_extra)
    net, extra, _ = load_all(path)
    mark_tabular(net, extra)            # a DataFrame of the CSV's columns is then refused, not read as inputs
    if not compile:
        net.optimizer = None
    return (net, extra) if with_extra else net


def keras_load_flags(extra_args: tuple, unknown: dict, compile: Any, safe_mode: Any,
                     with_extra: Any = False) -> None:
    """`load`'s refusal of what it does not take (Keras' custom_objects, a second positional argument), naming
    what it takes, instead of Python's bare TypeError; its flags checked to be booleans ("no" is truthy)."""
    takes = "load (load_model) takes path, with_extra=, compile= and safe_mode= (Keras' flags)"
    if extra_args:
        raise ChainruleTypeError(f"{takes}; got {len(extra_args)} more positional argument(s): {extra_args!r}")
    if unknown:
        hint = (" A custom layer or loss is found by its registered name: register it with cr.register_layer or "
                "cr.register_loss before loading") if "custom_objects" in unknown else ""
        raise ChainruleTypeError(f"{takes}; got {', '.join(f'{k}=' for k in unknown)}.{hint}")
    for value, name in ((compile, "compile"), (safe_mode, "safe_mode"), (with_extra, "with_extra")):
        if not isinstance(value, bool | np.bool_):
            raise ChainruleTypeError(f"{takes}: {name} must be True or False; got {value!r} ({type(value).__name__})")


def load_all(path: str | os.PathLike) -> tuple[Network, dict | None, dict[str, np.ndarray]]:
    """`load`, returning (network, extra JSON or None, extra arrays by name)."""
    path = Path(check_path(path, "path"))
    if not path.is_file():
        raise ModelFileError(missing(path, modelkind.not_a_file(path)))
    try:
        return _load(path)
    except ModelFileError:
        raise
    except ChainruleError as exc:
        raise ModelFileError(f"{named(path)}: the model description is invalid: {exc}") from None
    except Exception as exc:   # a file from anywhere: every failure to read it is a bad file
        raise ModelFileError(f"{named(path)} could not be read as a chainrule model (truncated or corrupted?): "
                             f"{type(exc).__name__}: {exc}") from None


def _load(path: Path) -> tuple[Network, dict | None, dict[str, np.ndarray]]:
    if not zipfile.is_zipfile(path):        # say what it is: an ONNX model, a pickle, a CSV file
        raise ModelFileError(modelkind.not_a_zip(path))
    size_on_disk = path.stat().st_size
    try:
        check.check_member_list(path, size_on_disk)
    except ModelFileError as exc:       # a PyTorch file of many tensors: named by its first member
        raise ModelFileError(modelkind.foreign_zip(path, [first_member(path)]) or str(exc)) from None
    with zipfile.ZipFile(path) as zf:
        foreign = modelkind.foreign_zip(path, zf.namelist())        # a PyTorch or Keras file
        if foreign is not None:
            raise ModelFileError(foreign)
        infos = members(zf, path, size_on_disk)
        check.check_expansion(path, list(infos.values()), size_on_disk)
        names = set(infos)
        if "__format__" not in names and "__weights__" in names:      # file_kind's "weights" (weights.HEADER)
            raise ModelFileError(f"{named(path)} holds chainrule weights (written by save_weights), not a whole "
                                 "model: read "
                                 "them with Network.load_weights into a network of the same layers")
        kind, said = kind_of(path) if not names & {"__format__", "params"} else ("model", "")
        if kind == "npz":                                                        # np.savez's own arrays
            raise ModelFileError(f"{named(path)} is not a chainrule model file: it is {said}; {modelkind.WRITTEN} "
                                 "(a network's arrays, as get_weights gives them: net.set_weights(arrays) into a "
                                 "network of the same layers, then net.save)")
        if "__format__" not in names or "params" not in names:
            raise ModelFileError(f"{named(path)} is not a chainrule model: it lacks the '__format__' or 'params' entry")
        described = infos["__format__"]
        if described.compress_type != zipfile.ZIP_STORED and described.file_size > MAX_HEADER_BYTES:
            raise ModelFileError(f"{named(path)}: the compressed description expands to {described.file_size} bytes, "
                                 f"more than the limit of {MAX_HEADER_BYTES} for compressed descriptions")
        header = check.read_header(read_member(zf, described, path, None, None), path)
        opt_header = header.get("optimizer")
        expected = ({"__format__", "params"} | {f"opt.{k}" for k in (opt_header or {}).get("state", [])}
                    | {f"extra.{k}" for k in header.get("extra_arrays", [])})
        if names != expected:
            raise check.missing_or_unexpected(path, names, expected)
        cfg = header["network"]
        dtype = np.dtype(cfg["dtype"]) if cfg["dtype"] in ("float64", "float32") else None
        if dtype is None:
            raise ModelFileError(f"{named(path)}: dtype must be 'float64' or 'float32'; got {cfg['dtype']!r}")
        n = header["_n_params"]
        for name in sorted(names - {"__format__"}):      # headers first: no data is read before all fit
            array_header(zf, infos[name], path, (n,), dtype)
        net = Network([layer_from_config(c) for c in cfg["layers"]], loss=cfg["loss"], dtype=cfg["dtype"])
        if net.n_params != n:
            raise ModelFileError(f"{named(path)}: the description gives {net.n_params} parameters, the check counted "
                                 f"{n}")
        vectors = {name: read_member(zf, infos[name], path, (n,), dtype) for name in sorted(names - {"__format__"})}
        for name, values in vectors.items():
            where = non_finite(net, values)
            if where is not None:
                what = "the parameters" if name == "params" else f"the {name} vector"
                raise ModelFileError(f"{named(path)}: {what} contain NaN or infinity, first in {where}; refused "
                                     "(a model with non-finite weights predicts nothing)")
        net.params[...] = vectors["params"]
        net.epochs_trained = header.get("epochs_trained", 0)
        net.weight_penalty = float(header.get("weight_penalty", 0.0))
        net.class_weight_record = read_record((header.get("extra") or {}).get("class_weight"))  # saved again
        if opt_header is not None:
            opt = optimizer_from_file(dict(opt_header["config"]))
            state, pending = opt_header["state"], opt_header.get("pending", [])
            names, switchable = set(opt.state_names), set(opt.switchable)
            crafted = [k for k in pending if k not in switchable or k not in names or k in state]
            if crafted:
                raise ModelFileError(f"{named(path)}: the optimizer's 'pending' state {crafted} is not one a setting "
                                     f"turned on since the last step ({type(opt).__name__}'s: "
                                     f"{sorted(switchable & names)}, absent from the file's {sorted(state)}): "
                                     "the file is damaged or crafted")
            missing = names - set(state) - set(pending)
            if (set(state) - names - switchable or missing) and (state or opt_header["t"] > 0):
                raise ModelFileError(f"{named(path)}: the optimizer {type(opt).__name__} keeps state "
                                     f"{sorted(opt.state_names)}; the file has {sorted(state)}")
            if "fresh" in opt_header and not (opt.per_part_start and state):
                raise ModelFileError(f"{named(path)}: the optimizer's 'fresh' parts mark where SGD's momentum buffer "
                                     "has not "
                                     f"started; this {type(opt).__name__} keeps no such buffer (its state: "
                                     f"{sorted(state)}): the file is damaged or crafted")
            fresh = np.zeros(net.n_params, dtype=bool) if opt_header.get("fresh") else None
            for start, stop in opt_header.get("fresh") or []:
                fresh[start:stop] = True                                    # type: ignore[index]
            opt.restore(opt_header["t"], opt_header["epoch"], {k: vectors[f"opt.{k}"] for k in state}, fresh)
            opt.lay_out(net)                     # its state_dict() splits the state by the network's arrays
            problem = state_problem(opt, opt.saved_state())     # what save checks: the arrays put aside too
            if problem is not None:
                raise ModelFileError(f"{named(path)}: {problem}: the file is damaged or crafted")
            net.optimizer = opt
            warned = check.schedule_warning(opt)
            if warned is not None:
                warnings.warn(f"{named(path)}: {warned}", UserWarning, stacklevel=caller_level())
    arrays = {name[len("extra."):]: v for name, v in vectors.items() if name.startswith("extra.")}
    return net, header.get("extra"), arrays
