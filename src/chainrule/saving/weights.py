"""Weights-only files: Keras' `save_weights` / `load_weights` habit (and ModelCheckpoint(save_weights_only=True)).

The file is an .npz of the parameter arrays, one per layer's W and b ("0.W", "0.b", ...), and a JSON
member `__weights__` naming them with their shapes and dtype; never pickle. It is written as the
model files are (files.atomic_write: a temporary file renamed over the old one) and replaces only
an empty file or another weights file. Loading checks every array's name and shape against the
network before any weight changes; a chainrule model file (.npz of `save`) is read as well, as
Keras' load_weights reads a whole .keras file.
"""
from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..data.filecontent import CUT_SHORT, MAX_MEMBERS, kind_of, members_listed, too_many
from ..errors import ModelFileError, ValidationError
from ..nn.filenames import name_ending, not_a_folder
from . import modelkind
from .files import HOLDS, atomic_write, check_path, file_kind, in_the_way, replaceable, writable_target
from .modelkind import named
from .npz import missing, non_finite, refuse_existing
from .npzcheck import check_expansion
from .npzmembers import array_header, members

#: the member that says a file holds chainrule weights (files.file_kind tells it by this name)
HEADER = "__weights__"
FORMAT = 1
#: kinds of `kind_of` that load_weights names with what reads them (Keras' .weights.h5, torch's state_dict, joblib's)
FOREIGN = ("torch", "keras", "pickle", "compressed", "hdf5", "onnx", "exported", "npy")


def names(net: Any) -> list[tuple[str, tuple[int, ...]]]:
    """Each parameter array's name in the file ("<layer index>.<W or b>") and shape, in get_weights' order."""
    return [(f"{net.layers.index(layer)}.{name}", tuple(getattr(layer, name).shape))
            for layer, name, _, _ in net.segments]


def weights_name(path: str | os.PathLike, shown: str) -> None:
    """save_weights' name rule (ModelCheckpoint(save_weights_only=True) checks it first, before any epoch): .npz,
    never Keras' .weights.h5, which is HDF5. `shown`: the argument and its value, as the message names them."""
    if not os.fspath(path).lower().endswith(".npz"):
        raise ValidationError(f"{shown} must end in .npz (chainrule's weights file, which load_weights reads; Keras' "
                              ".weights.h5 is HDF5, which chainrule does not write)")


def checkpoint_target(path: str, weights_only: bool, shown: str, fixed: bool) -> None:
    """ModelCheckpoint's file checked before training: with `weights_only` save_weights' name rule first, then save's
    rule for name endings; for a `fixed` name (no fields), a file of another kind than it writes in the way."""
    if weights_only:
        weights_name(path, f"{shown} (save_weights_only=True)")
    name_ending(path, "model", shown)           # not .h5, .keras: another format's ending
    if fixed:
        kind = ("weights", "chainrule weights") if weights_only else ("model", "a chainrule model")
        in_the_way(Path(path), *kind, f"ModelCheckpoint: {named(path)}")


def save_weights(net: Any, path: str | os.PathLike, overwrite: bool = True) -> None:
    """Write `net`'s weights to `path` (.npz); `overwrite=False` refuses an existing file, as Keras'
    (which asks). Non-finite weights are refused, as `save` refuses them: load_weights could not set them."""
    shown = os.fspath(check_path(path, "save_weights: filepath"))
    not_a_folder(path)              # 'w.npz/' or '.': a folder's name, not one that lacks .npz
    weights_name(path, f"save_weights: filepath {named(shown)}")
    target = writable_target(path)
    refuse_existing(path, overwrite, "save_weights")
    in_the_way(target, "weights", "chainrule weights", f"save_weights: {named(shown)}")
    where = non_finite(net, net.params)
    if where is not None:
        raise ValidationError(f"save_weights: cannot save: the weights contain NaN or infinity, first in {where}; "
                              "load_weights could not set them (did training diverge?)")
    replaceable(target, None, shown)            # a read-only file is refused, as save refuses it
    layout = names(net)
    header = {"format": FORMAT, "dtype": net.dtype.name, "arrays": [[n, list(s)] for n, s in layout]}
    arrays: dict[str, Any] = {HEADER: np.array(json.dumps(header))}
    arrays.update({n: w for (n, _), w in zip(layout, net.get_weights())})
    savez: Any = np.savez
    atomic_write(target, lambda f: savez(f, **arrays))


def read_weights(path: str | os.PathLike, net: Any) -> list[np.ndarray]:
    """The arrays of a weights file (or of a chainrule model file) for `net`, checked: the same names and
    shapes as `net`'s, else a ValidationError naming the layer and both shapes. Nothing is set here."""
    shown = os.fspath(check_path(path, "load_weights: filepath"))
    if Path(path).is_dir():
        raise IsADirectoryError(f"load_weights: {modelkind.not_a_file(Path(path), 'weights')}")
    if not Path(path).is_file():
        said = f"load_weights: {named(shown)} does not exist (or is not a file){modelkind.not_expanded(Path(path))}"
        said += modelkind.dangling(Path(path))
        raise FileNotFoundError(missing(Path(path), said))
    kind = file_kind(path)
    if kind == "model":                 # Keras' load_weights reads a whole model file too
        from .npz import load
        try:
            other = load(path)
        except ModelFileError as exc:       # load's messages name the file first: said once
            said = str(exc)
            raise ModelFileError(f"load_weights: "
                                 f"{said if said.startswith(named(shown)) else f'{named(shown)}: {said}'}") from None
        stored = dict(zip((n for n, _ in names(other)), other.get_weights()))
        return _matched(stored, net, shown)
    if kind in ("weights", "zip") and not zipfile.is_zipfile(path):
        raise ModelFileError(f"load_weights: {named(shown)} is cut short ({CUT_SHORT}): a zip archive, as save_weights "
                             "writes, whose end (the member list) is missing; copy or save it again")
    if kind != "weights":
        found, said = kind_of(Path(path))
        if found == "onnx":         # kind_of names it bare (load adds its own advice): what reads its weights
            said += ": chainrule.from_onnx(path) reads it as a network, whose get_weights() set_weights takes"
        if found in FOREIGN:        # another framework's file, a pickle: what it is and what reads it, as load says
            raise ModelFileError(f"load_weights: {named(shown)} is not chainrule weights (written by save_weights) "
                                 f"nor a chainrule model: it is {said}")
        raise ModelFileError(f"load_weights: {named(shown)} holds {HOLDS.get(kind, kind)}, not chainrule weights "
                             "(written by save_weights) nor a chainrule model")
    try:
        _headers(Path(path), shown, net)          # before NumPy reads anything: a zip bomb, a crafted header
        with np.load(path, allow_pickle=False) as data:
            header = json.loads(str(data[HEADER][()]))
            fmt = header.get("format") if isinstance(header, dict) else None
            if type(fmt) is not int or fmt != FORMAT:       # 1.0 == 1, True == 1: never written; said as such
                raise ModelFileError(f"load_weights: {named(shown)} has weights format {fmt!r}; this chainrule reads "
                                     "format "
                                     f"{FORMAT} (" + ("a newer chainrule wrote it: upgrade chainrule to read it)"
                                     if type(fmt) is int and fmt > FORMAT else
                                     "no chainrule writes that format: the file is damaged or crafted)"))
            listed = [str(n) for n, _ in header["arrays"]]
            if sorted(listed) != sorted(set(data.files) - {HEADER}):
                raise ModelFileError(f"load_weights: {named(shown)}: the archive holds "
                                     f"{sorted(set(data.files) - {HEADER})}"
                                     f", its description lists {sorted(listed)}: the file is damaged or crafted")
            stored = {n: data[n] for n in listed}
    except ModelFileError:
        raise
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"load_weights: {named(shown)} could not be read as chainrule weights (truncated or "
                             f"corrupted?): {type(exc).__name__}: {exc}") from None
    return _matched(stored, net, shown)


def _headers(path: Path, shown: str, net: Any) -> None:
    """Each weight array's .npy header read alone (as `load` reads a model file): an archive of too many
    members, members that expand far beyond the file (a zip bomb), Python objects, or a header claiming more
    values than its member holds, refused before NumPy reads (or allocates) anything."""
    size = path.stat().st_size
    listed, needed = members_listed(path, size), len(names(net)) + 1
    if listed is not None and too_many(*listed, needed + MAX_MEMBERS):      # a deep network's file has many
        raise ModelFileError(f"load_weights: {named(shown)}: the archive lists {listed[0]} members ({listed[1]} "
                             "bytes of "
                             f"member list); weights for this network are {needed} (the description and one per "
                             "weight array): refused before reading them")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = members(zf, path, size)
            check_expansion(path, list(infos.values()), size)
            for name, info in infos.items():
                try:
                    array_header(zf, info, path, None, None)
                except ModelFileError:              # a ValueError too: its own words (Python objects, truncated)
                    raise
                except ValueError as exc:           # NumPy's words for a member that is no .npy array
                    raise ModelFileError(f"{named(path)}: entry {name!r} is not a NumPy array (.npy), as save_weights "
                                         f"writes each weight array: {exc}") from None
    except ModelFileError as exc:
        raise ModelFileError(f"load_weights: {exc}") from None


def _shapes(stored: dict[str, tuple[int, ...]], net: Any, shown: str) -> None:
    """Refuse `stored` shapes by name where a name or shape differs from `net`'s (the first such layer named)."""
    expected = names(net)
    for name, shape in expected:
        layer = net.layers[int(name.split(".")[0])]
        if name not in stored:
            raise ValidationError(f"load_weights: {named(shown)} has no {name.split('.')[1]} for layer "
                                  f"{name.split('.')[0]} ({layer!r}); it holds {_listing(stored)}, the network "
                                  f"needs {_listing(dict(expected))}")
        if tuple(stored[name]) != shape:
            raise ValidationError(f"load_weights: layer {name.split('.')[0]} ({layer!r}): {name.split('.')[1]} "
                                  f"has shape {tuple(stored[name])} in {named(shown)}, the network's is {shape}")
    extra = sorted(set(stored) - {n for n, _ in expected})
    if extra:
        raise ValidationError(f"load_weights: {named(shown)} holds {_listing(stored)}, more than the network's "
                              f"{_listing(dict(expected))}: its {extra} have no place in it")


def _matched(stored: dict[str, np.ndarray], net: Any, shown: str) -> list[np.ndarray]:
    """`stored` in `net`'s order, refused where a name or shape differs (the first such layer named), or where
    a value is no finite float."""
    expected = names(net)
    _shapes({name: values.shape for name, values in stored.items()}, net, shown)
    for name, _ in expected:            # save_weights refuses them: a file from elsewhere, or damaged
        kind = stored[name].dtype.kind
        if kind != "f":         # save_weights writes float32 or float64: bool or int weights are no file of its
            raise ModelFileError(f"load_weights: {named(shown)}: {name.split('.')[1]} of layer {name.split('.')[0]} "
                                 "holds "
                                 f"{stored[name].dtype} values, not " + ("numbers" if kind not in "biuc" else
                                 "floating-point numbers (save_weights writes float32 or float64)"))
        bad = np.flatnonzero(~np.isfinite(stored[name]))
        if bad.size:
            index = ", ".join(str(int(i)) for i in np.unravel_index(bad[0], stored[name].shape))
            raise ModelFileError(f"load_weights: {named(shown)}: {name.split('.')[1]}[{index}] of layer "
                                 f"{name.split('.')[0]} is {stored[name].flat[bad[0]]}: a network with NaN or "
                                 "infinite weights predicts nothing (written from a diverged training?)")
    return [stored[n] for n, _ in expected]


def _listing(arrays: dict[str, Any]) -> str:
    return ", ".join(f"{n} {tuple(getattr(a, 'shape', a))}" for n, a in arrays.items()) or "no arrays"
