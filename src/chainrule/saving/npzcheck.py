"""What `load` checks in a model file before it builds anything, and `save` in what it is about
to write (so that `save` never replaces a good file with one `load` refuses): the archive's
member list and expansion, the JSON description, the optimizer's state.
"""
from __future__ import annotations

import inspect
import json
import math
import zipfile
from pathlib import Path

import numpy as np

from ..data.filecontent import MAX_MEMBERS, members_listed, too_many
from ..errors import ChainruleError, ChainruleTypeError, ModelFileError, ValidationError, counted
from ..nn.layers import LAYERS
from .modelkind import named

#: a file's format version is the lowest that reads it (as pickle's protocols): 1, or 2 where its description holds
#: infinity or NaN as {"__float__": "Infinity"}, which a chainrule older than that form would take for a dict (those
#: that wrote it as version 1 read it, and still read version 1 alone: they refuse version 2 by name, as all older do)
#: 3 where the optimizer lists the parts whose SGD buffer has not started ("fresh": [[start, stop], ...], a layer
#: frozen so far: its first step starts it undamped, as torch's) or the state arrays a setting turned on since the
#: last step ("pending": made at the next step), which an older chainrule would refuse by key
FORMAT_VERSION, FLOAT_VERSION, FRESH_VERSION = 1, 2, 3
VERSIONS = (FORMAT_VERSION, FLOAT_VERSION, FRESH_VERSION)
MAX_PARAMS = 500_000_000  # refuse absurd sizes before allocating anything
#: a compressed description may expand to this much (chainrule stores it uncompressed: the size of
#: the file then bounds it, so anything `save` writes, `load` reads)
MAX_HEADER_BYTES = 16 * 2**20
#: compressed members may expand to this many times the file's size (a model's numbers compress
#: little: a frozen layer's zero Adam state took a whole file to 3.1 times), beyond a first 64 MiB
MAX_EXPANSION, FREE_EXPANSION = 50, 64 * 2**20
#: step and epoch counts beyond this are not exact as floats (and 10**400 is no float at all)
MAX_COUNT = 2**53


def check_member_list(path: Path, size: int) -> None:
    """Refuse an archive that lists more members than a model has, from its end record alone:
    before zipfile reads the member list (300,000 members took seconds and hundreds of MB)."""
    listed = members_listed(path, size)
    if listed is None:
        raise ModelFileError(f"{named(path)} is not a chainrule model file: it is not an .npz (zip) archive")
    count, directory = listed
    if too_many(count, directory):
        raise ModelFileError(f"{named(path)}: the archive lists {count} members ({directory} bytes of member list); a "
                             f"chainrule model has at most {MAX_MEMBERS} (description, parameters, optimizer "
                             "state): refused before reading them")


def check_expansion(path: Path, infos: list, size_on_disk: int) -> None:
    """Refuse a compressed file whose members expand far beyond its size (a zip bomb: a 234 KB file
    declaring 30M parameters took 723 MB) or would not fit in the memory available once read (a
    0.4 MB file of 50M zero weights took 1.2 GB): before reading them. `save` never compresses."""
    from ..data.memory import available_bytes
    if all(info.compress_type == zipfile.ZIP_STORED for info in infos):
        return                              # read as stored: no more than the file's own size
    total, free = sum(info.file_size for info in infos), available_bytes()
    if total > MAX_EXPANSION * size_on_disk + FREE_EXPANSION:
        raise ModelFileError(f"{named(path)}: its compressed members expand from {size_on_disk} to {total} bytes, "
                             f"{total // max(size_on_disk, 1)} times the file (a model's numbers compress little; at "
                             f"most {MAX_EXPANSION} times is read): refused before reading, as a possible zip bomb. "
                             "chainrule's save writes uncompressed files: a file you compressed yourself, write "
                             "with np.savez, not np.savez_compressed")
    if free is not None and 2 * total > free:          # reading holds the data about twice at its peak
        raise ModelFileError(f"{named(path)}: its compressed members expand from {size_on_disk} to {total} bytes, more "
                             f"than the memory available to read them ({free} bytes): refused before reading")


def read_header(raw: np.ndarray, path) -> dict:
    """The JSON description, checked (ModelFileError beginning with `path` otherwise)."""
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ModelFileError(f"{named(path)}: '__format__' must be a JSON text, got an array of dtype {raw.dtype}")
    try:
        header = json.loads(str(raw), object_hook=as_float)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{named(path)}: '__format__' is not valid JSON: {exc}") from None
    except RecursionError:
        raise ModelFileError(f"{named(path)}: '__format__' is nested too deeply to be a chainrule "
                             f"description") from None
    if not isinstance(header, dict) or header.get("format") != "chainrule":
        raise ModelFileError(f"{named(path)} is not a chainrule model file")
    version = header.get("version")
    if type(version) is not int or version not in VERSIONS:     # 1.0 == 1, but no chainrule writes 1.0
        newer = type(version) is int and version > VERSIONS[-1]
        raise ModelFileError(f"{named(path)} has format version {version!r}; this chainrule reads versions "
                             f"{', '.join(map(str, VERSIONS[:-1]))} and {VERSIONS[-1]}" + (
                                 " (a newer chainrule wrote it: upgrade chainrule to read it)" if newer
                                 else " (no chainrule writes that version: the file is damaged or crafted)"))
    allowed = {"format", "version", "network", "optimizer", "epochs_trained", "extra", "extra_arrays", "weight_penalty"}
    if set(header) - allowed:
        raise ModelFileError(f"{named(path)}: unexpected keys in the description: {sorted(set(header) - allowed)}")
    penalty = header.get("weight_penalty", 0.0)
    if isinstance(penalty, bool) or not isinstance(penalty, (int, float)) or not 0 <= penalty < math.inf:
        raise ModelFileError(f"{named(path)}: weight_penalty must be a finite number >= 0 (MLP's alpha); got "
                             f"{penalty!r:.80}")
    if not _count(header.get("epochs_trained", 0)):
        raise ModelFileError(f"{named(path)}: epochs_trained must be an integer from 0 to 2**53; "
                             f"got {header.get('epochs_trained')!r}")
    if "extra" in header and not isinstance(header["extra"], dict):
        raise ModelFileError(f"{named(path)}: 'extra' must be a JSON object")
    names = header.get("extra_arrays", [])
    if (not isinstance(names, list) or not all(isinstance(k, str) and k.isidentifier() for k in names)
            or len(set(names)) != len(names)):
        raise ModelFileError(f"{named(path)}: 'extra_arrays' must be a list of distinct names; got {names!r}")
    net = header.get("network")
    if not isinstance(net, dict) or set(net) != {"layers", "loss", "dtype"} or not isinstance(net["layers"], list):
        raise ModelFileError(f"{named(path)}: the network description must have exactly 'layers', 'loss' and 'dtype'")
    total, previous = 0, None
    for i, layer in enumerate(net["layers"]):
        if not isinstance(layer, dict):
            raise ModelFileError(f"{named(path)}: layer {i} is not a description (dict)")
        cls = LAYERS.get(str(layer.get("type")))
        if cls is None:
            raise ModelFileError(f"{named(path)}: layer {i} has layer type {layer.get('type')!r}; "
                                 f"expected one of {sorted(LAYERS)}")
        cfg = {k: v for k, v in layer.items() if k != "type"}
        known = set(inspect.signature(cls.__init__).parameters) | set(getattr(cls, "config_only", ()))
        unexpected = sorted(set(cfg) - known)
        if unexpected:
            raise ModelFileError(f"{named(path)}: layer {i} ({layer['type']}) has unexpected keys {unexpected}")
        try:
            total += cls.n_params_of(cfg)           # from the description alone: nothing is allocated yet
        except ChainruleError as exc:
            raise ModelFileError(f"{named(path)}: layer {i} ({layer.get('type')}): {exc}") from None
        if total > MAX_PARAMS:
            raise ModelFileError(f"{named(path)} describes more than the limit of {MAX_PARAMS} parameters")
        n_in, n_out = cfg.get("n_in"), cfg.get("n_out")
        if n_in is not None:
            if previous is not None and n_in != previous:
                raise ModelFileError(f"{named(path)}: layer {i} expects {counted(n_in, 'input')} but the layer "
                                     "before it "
                                     f"gives {counted(previous, 'output')}")
            previous = n_out
    opt = header.get("optimizer")
    if opt is not None:
        if not isinstance(opt, dict) or set(opt) - {"fresh", "pending"} != {"config", "t", "epoch", "state"}:
            raise ModelFileError(f"{named(path)}: the optimizer description must have exactly 'config', 't', 'epoch' "
                                 "and 'state' (and 'fresh', 'pending')")
        for key, what in (("fresh", "'fresh' parts need"), ("pending", "'pending' state needs")):
            if key in opt and version < FRESH_VERSION:
                raise ModelFileError(f"{named(path)}: the optimizer's {what} format version {FRESH_VERSION}; the "
                                     f"file says version {version}: the file is damaged or crafted")
        fresh = opt.get("fresh", [])
        bounds = [x for pair in fresh for x in pair] if isinstance(fresh, list) and all(
            isinstance(pair, list) and len(pair) == 2 for pair in fresh) else None
        if bounds is None or not all(_count(x) for x in bounds) or bounds != sorted(set(bounds)) \
                or (bounds and bounds[-1] > total):
            raise ModelFileError(f"{named(path)}: the optimizer's fresh parts must be a list of increasing [start, "
                                 "stop] "
                                 f"ranges within the {total} parameters; got {str(fresh)[:60]}")
        if not isinstance(opt["config"], dict):
            raise ModelFileError(f"{named(path)}: the optimizer description has an invalid config: {opt['config']!r}")
        for key in ("t", "epoch"):
            if not _count(opt[key]):
                raise ModelFileError(f"{named(path)}: the optimizer's {key} must be an integer from 0 to 2**53; "
                                     f"got {repr(opt[key])[:40]}")
        for key in ("state", "pending"):
            state = opt.get(key, [])
            if (not isinstance(state, list) or not all(isinstance(k, str) and k.isidentifier() for k in state)
                    or len(set(state)) != len(state)):
                raise ModelFileError(f"{named(path)}: the optimizer {key} must be a list of distinct names; got "
                                     f"{state!r:.80}")
    header["_n_params"] = total
    return header


def _count(value) -> bool:
    """A JSON integer (not a bool) from 0 to 2**53 (a float holds it exactly)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def missing_or_unexpected(path, names: set[str], expected: set[str]) -> ModelFileError:
    """What the archive lacks and what it has besides, each only when there is some."""
    parts = [f"{what} entries {sorted(found)}" for what, found in (("missing", expected - names),
                                                                     ("unexpected", names - expected)) if found]
    return ModelFileError(f"{named(path)}: {' and '.join(parts)} (the description lists those the file holds)")


#: infinity and NaN, which standard JSON has no number for (json.loads with parse_constant refusing them, JavaScript's
#: JSON.parse and jq read Python's Infinity as an error): written as {"__float__": "Infinity"} ("-Infinity", "NaN"),
#: which load reads back as the float; a dict of that one key is refused by save, whatever its value (reserved)
FLOAT_KEY, NON_FINITE = "__float__", ("Infinity", "-Infinity", "NaN")


def as_float(obj: dict):
    """json.loads' object_hook: a non-finite float as plain_json writes it, any other dict as it is."""
    if len(obj) == 1 and isinstance(obj.get(FLOAT_KEY), str) and obj[FLOAT_KEY] in NON_FINITE:
        return float(obj[FLOAT_KEY])
    return obj


def plain_json(value, where: str):
    """`value` as standard JSON holds it, NumPy scalars as Python numbers, infinity and NaN as {"__float__": ...}
    (`FLOAT_KEY`); a ChainruleTypeError naming `where` for what JSON would refuse or change (a key that is not text
    comes back as text)."""
    if isinstance(value, np.generic) and value.dtype.kind in "biuf":
        value = {"b": bool, "i": int, "u": int, "f": float}[value.dtype.kind](value)
    if isinstance(value, float) and not math.isfinite(value):
        return {FLOAT_KEY: "NaN" if value != value else "Infinity" if value > 0 else "-Infinity"}
    if isinstance(value, dict) and list(value) == [FLOAT_KEY]:
        raise ChainruleTypeError(f"{where} is a dict of the one key {FLOAT_KEY!r}, which is reserved: a model file's "
                                 f"JSON description writes infinity and NaN as {{{FLOAT_KEY!r}: 'Infinity'}} "
                                 "('-Infinity', 'NaN'), which load reads back as floats; use another key")
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str):
                raise ChainruleTypeError(f"{where} has the key {key!r} ({type(key).__name__}): JSON keys are text, "
                                         f"so it would load back as {str(key)!r}; use text keys")
        return {k: plain_json(v, f"{where}[{k!r}]") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain_json(v, f"{where}[{i}]") for i, v in enumerate(value)]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    raise ChainruleTypeError(f"{where} is a {type(value).__name__}, which a model file's JSON description cannot "
                             "hold (text, numbers, True/False/None, lists and dicts of them)")


def standard_json(value, where: str, **options) -> str:
    """`value` as standard JSON text (`plain_json`: infinity and NaN as {"__float__": ...}); `options` go to
    json.dumps (indent)."""
    return json.dumps(plain_json(value, where), allow_nan=False, **options)


def uses_float_key(value) -> bool:
    """Whether `plain_json`'s `value` holds infinity or NaN as {"__float__": ...}: a file that needs format
    version 2."""
    if isinstance(value, dict):
        return list(value) == [FLOAT_KEY] or any(uses_float_key(v) for v in value.values())
    return isinstance(value, list) and any(uses_float_key(v) for v in value)


def schedule_warning(opt) -> str | None:
    """A warning when the optimizer's schedule gives a learning rate of 0 from its epoch on (an
    ExponentialLR decayed to nothing): training it further would silently change nothing."""
    schedule = getattr(opt, "schedule", None)
    if schedule is None or opt.lr != 0 or schedule(0) == 0 or not schedule.zero_from(opt.epoch + 1):
        return None
    return (f"the optimizer's learning-rate schedule {type(schedule).__name__} gives 0.0 at its stored epoch "
            f"{opt.epoch} and after: fitting this network further would not change its weights (give fit a new "
            "optimizer to train it more)")


def extra_vectors(net, extra_arrays) -> dict:
    """`save`'s extra_arrays (a callback's best weights), each a vector of the parameters' size and dtype."""
    if extra_arrays is not None and not isinstance(extra_arrays, dict):
        raise ChainruleTypeError(f"extra_arrays must be a dict of NumPy vectors by name or None; got "
                                 f"{type(extra_arrays).__name__}")
    for name, values in (extra_arrays or {}).items():
        if not isinstance(name, str) or not name.isidentifier():     # stored as extra.<name>, loaded back by it
            raise ValidationError(f"extra_arrays: each name must be a Python identifier (letters, digits and _, "
                                  f"not starting with a digit), as it comes back by name; got {name!r}")
        if not isinstance(values, np.ndarray) or values.shape != net.params.shape \
                or values.dtype != net.params.dtype:
            got = f"{values.shape}, {values.dtype}" if isinstance(values, np.ndarray) else type(values).__name__
            raise ValidationError(f"extra array {name!r} must be a NumPy vector like the parameters "
                                  f"({net.params.shape}, {net.params.dtype}); got {got}")
    return extra_arrays or {}
