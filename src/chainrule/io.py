"""Save and load networks: one .npz file, arrays plus a JSON description. Never pickle.

Layout of the file (format version 1):
    "__format__"     JSON text: {"format": "chainrule", "version": 1, "network": {...}, "optimizer": {...}}
    "params"         the flat parameter vector (dtype of the network)
    "opt.<name>"     the optimizer's state arrays, when saved
`load` opens it with allow_pickle=False, checks every entry against the description, and turns
anything else into ModelFileError. `save` writes a temporary file beside the target, flushes
and fsyncs it, then renames it over the target: a crash leaves the previous file intact.
"""
from __future__ import annotations

import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from .errors import ChainruleError, ModelFileError

FORMAT_VERSION = 1
MAX_PARAMS = 500_000_000  # refuse absurd sizes before allocating anything


def atomic_write(path: str | os.PathLike, write) -> None:
    """Call `write(file_object)` on a temporary file in the target's folder, fsync, rename."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    try:  # make the rename itself durable
        dir_fd = os.open(path.parent or ".", os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def network_arrays(net, include_optimizer: bool = True, extra: dict | None = None) -> dict[str, np.ndarray]:
    """The arrays and JSON header that describe `net` (shared by save and checkpoints)."""
    header = {"format": "chainrule", "version": FORMAT_VERSION, "network": net.config(),
              "epochs_trained": net.epochs_trained}
    arrays = {"params": net.params}
    opt = net.optimizer
    if include_optimizer and opt is not None:
        header["optimizer"] = {"config": opt.config(), "t": opt.t, "epoch": opt.epoch,
                               "state": sorted(opt.state)}
        arrays.update({f"opt.{k}": v for k, v in opt.state.items()})
    if extra:
        header["extra"] = extra
    arrays["__format__"] = np.array(json.dumps(header))
    return arrays


def save(net, path, include_optimizer: bool = True, extra: dict | None = None) -> None:
    """Write `net` to `path` (.npz), replacing any previous file atomically."""
    arrays = network_arrays(net, include_optimizer, extra)
    atomic_write(path, lambda f: np.savez(f, **arrays))


def load(path, *, with_extra: bool = False):
    """Read a network written by `save`. Never executes code from the file.

    Raises ModelFileError for a missing, truncated, corrupted, wrong-version or crafted file."""
    from .layers import layer_from_config
    from .network import Network
    from .optim import get_optimizer

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"model file {str(path)!r} does not exist or is not a file")
    try:
        with np.load(path, allow_pickle=False) as data:
            names = set(data.files)
            if "__format__" not in names or "params" not in names:
                raise ModelFileError(f"{path} is not a chainrule model: it lacks the '__format__' or 'params' entry")
            header = _header(data["__format__"], path)
            expected = {"__format__", "params"} | {f"opt.{k}" for k in header.get("optimizer", {}).get("state", [])}
            if names != expected:
                raise ModelFileError(f"{path}: unexpected entries {sorted(names - expected)} or missing "
                                     f"{sorted(expected - names)}")
            cfg = header["network"]
            net = Network([layer_from_config(c) for c in cfg["layers"]], loss=cfg["loss"], dtype=cfg["dtype"])
            params = _array(data, "params", (net.n_params,), net.dtype, path)
            net.params[...] = params
            net.epochs_trained = int(header.get("epochs_trained", 0))
            if "optimizer" in header:
                o = header["optimizer"]
                opt = get_optimizer(dict(o["config"]))
                opt.t, opt.epoch = int(o["t"]), int(o["epoch"])
                opt.state = {k: _array(data, f"opt.{k}", (net.n_params,), net.dtype, path).copy() for k in o["state"]}
                net.optimizer = opt
    except ChainruleError as exc:
        if isinstance(exc, ModelFileError):
            raise
        raise ModelFileError(f"{path}: the model description is invalid: {exc}") from None
    except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError, AttributeError) as exc:
        raise ModelFileError(f"{path} could not be read as a chainrule model (truncated or corrupted?): "
                             f"{type(exc).__name__}: {exc}") from None
    return (net, header.get("extra")) if with_extra else net


def _header(raw: np.ndarray, path) -> dict:
    if raw.dtype.kind != "U" or raw.shape != ():
        raise ModelFileError(f"{path}: '__format__' must be a JSON text, got an array of dtype {raw.dtype}")
    try:
        header = json.loads(str(raw))
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path}: '__format__' is not valid JSON: {exc}") from None
    if not isinstance(header, dict) or header.get("format") != "chainrule":
        raise ModelFileError(f"{path} is not a chainrule model file")
    if header.get("version") != FORMAT_VERSION:
        raise ModelFileError(f"{path} has format version {header.get('version')!r}; this chainrule reads "
                             f"version {FORMAT_VERSION}")
    allowed = {"format", "version", "network", "optimizer", "epochs_trained", "extra"}
    if set(header) - allowed:
        raise ModelFileError(f"{path}: unexpected keys in the description: {sorted(set(header) - allowed)}")
    net = header.get("network")
    if not isinstance(net, dict) or set(net) != {"layers", "loss", "dtype"} or not isinstance(net["layers"], list):
        raise ModelFileError(f"{path}: the network description must have exactly 'layers', 'loss' and 'dtype'")
    total = 0
    for i, layer in enumerate(net["layers"]):
        if not isinstance(layer, dict):
            raise ModelFileError(f"{path}: layer {i} is not a description (dict)")
        if layer.get("type") == "Dense":
            if set(layer) - {"type", "n_in", "n_out", "activation", "trainable"}:
                raise ModelFileError(f"{path}: layer {i} has unexpected keys {sorted(set(layer) - {'type', 'n_in', 'n_out', 'activation', 'trainable'})}")
            n_in, n_out = layer.get("n_in"), layer.get("n_out")
            if not (isinstance(n_in, int) and isinstance(n_out, int) and 0 < n_in and 0 < n_out):
                raise ModelFileError(f"{path}: layer {i} has invalid sizes n_in={n_in!r}, n_out={n_out!r}")
            total += n_in * n_out + n_out
        elif layer.get("type") == "Dropout":
            if set(layer) != {"type", "rate"}:
                raise ModelFileError(f"{path}: layer {i} (Dropout) must have exactly 'type' and 'rate'")
    if total > MAX_PARAMS:
        raise ModelFileError(f"{path} describes {total} parameters, more than the limit of {MAX_PARAMS}")
    return header


def _array(data, name: str, shape: tuple, dtype: np.dtype, path) -> np.ndarray:
    arr = data[name]
    if arr.shape != shape or arr.dtype != dtype:
        raise ModelFileError(f"{path}: entry {name!r} has shape {arr.shape} and dtype {arr.dtype}; "
                             f"the description needs shape {shape} and dtype {dtype}")
    return arr
