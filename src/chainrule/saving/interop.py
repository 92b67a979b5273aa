"""Networks from PyTorch, scikit-learn, Keras and ONNX, and back to PyTorch.

Each importer reads a multilayer perceptron (dense layers and the activations chainrule has)
into a `chainrule.Network` with the same weights, so that chainrule can explain it step by step
or train it further. Anything else is refused, naming the first layer or operator that has no
chainrule form. Weights are copied as they are: W is (n_in, n_out) in chainrule, Keras,
scikit-learn and ONNX's MatMul, and the transpose of PyTorch's Linear.weight.
`from_onnx` lives in onnx_import.py, `from_sklearn` in sklearn_import.py, `from_torch` in
torch_import.py and `from_keras` in keras_import.py; all are here.

Files: `load_foreign` opens .onnx (protobuf, read by onnx) and .keras (read by Keras in safe
mode) files. PyTorch and scikit-learn files hold pickled code, which chainrule never loads:
import those models from Python with `from_torch` / `from_sklearn`.
"""
from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..data.filecontent import kind_of
from ..errors import ChainruleTypeError, ModelFileError, ValidationError
from ..nn.dropout import Dropout
from ..nn.flat import bias_free, torch_order
from ..nn.layers import Dense
from ..nn.network import Network
from ..training.optimizer_state import whole_step
from .files import check_path
from .keras_import import KERAS_BACKEND_PACKAGES, from_keras
from .mlp import BUILTIN_ACTIVATIONS, DAMAGED, SUPPORTED, import_first, refuse_non_finite
from .modelkind import not_a_file
from .npz import load
from .onnx_import import from_onnx
from .sklearn_import import SklearnSolver, from_sklearn, our_estimator, sklearn_optimizer
from .torch_import import from_torch

__all__ = ["from_torch", "to_torch", "from_keras", "from_onnx", "from_sklearn", "SklearnSolver", "sklearn_optimizer",
           "load_foreign", "to_torch_state", "from_torch_state"]


# -- PyTorch ---------------------------------------------------------------------------------
def to_torch(net: Network) -> Any:
    """The network as a `torch.nn.Sequential` with the same weights and dtype (new parameters:
    training one does not change the other), in eval mode as `predict` (Dropout off; `.train()`
    before training it). Frozen parameters get requires_grad=False; a layer built without a bias (`flat.bias_free`:
    from_torch's and from_keras' reading of one, or Dense's bias alone frozen at zero) has none:
    `nn.Linear(bias=False)`, as the source had it. A layer frozen whole keeps its bias, zero or not, so that unfrozen
    in torch it learns one."""
    import torch
    from torch import nn
    if not isinstance(net, Network):
        ours = our_estimator(net, "to_torch({net})")
        hint = ours or import_first(net, "to_torch({net})")
        raise ChainruleTypeError(f"net must be a chainrule.Network; got {type(net).__name__}{hint}")
    dtype = torch.float64 if net.dtype == np.float64 else torch.float32
    refuse_non_finite(net, DAMAGED)
    modules: list = []
    for i, layer in enumerate(net.layers):
        if type(layer) is Dropout:
            modules.append(nn.Dropout(layer.config()["rate"]))
            continue
        if type(layer) is not Dense:
            raise ValidationError(f"layer {i} ({type(layer).__name__}) has no PyTorch form; supported: Dense, Dropout")
        act = layer.activation
        if BUILTIN_ACTIVATIONS.get(act.name) is not type(act):
            raise ValidationError(f"layer {i}'s activation {type(act).__name__} has no PyTorch form; "
                                  f"supported: {SUPPORTED}")
        bias = not bias_free(layer)
        linear = nn.Linear(layer.W.shape[0], layer.W.shape[1], bias=bias, dtype=dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(layer.W.T)))
            if bias:
                linear.bias.copy_(torch.from_numpy(layer.b.copy()))
                linear.bias.requires_grad_(layer.trainable_params["b"])
        linear.weight.requires_grad_(layer.trainable_params["W"])
        modules.append(linear)
        if act.name == "leaky_relu":
            modules.append(nn.LeakyReLU(act.config()["alpha"]))
        elif act.name == "softmax":
            modules.append(nn.Softmax(dim=-1))     # a sample alone (1-D) too
        elif act.name != "linear":
            modules.append({"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[act.name]())
    return nn.Sequential(*modules).eval()


def _state_parts(sd: Any, what: str) -> tuple[dict, list]:
    """`sd`'s state and param_groups, or a refusal naming what a state dict is."""
    if not isinstance(sd, dict) or set(sd) != {"state", "param_groups"}:
        got = (str(sorted(map(str, sd))) if isinstance(sd, dict) else type(sd).__name__) + _given_instead(sd, what)
        raise ValidationError(f"{what}: a state dict is a dict with the keys ['param_groups', 'state'] "
                              f"(optimizer.state_dict()'s); got {got}")
    state = sd["state"]
    bad = [i for i, entry in state.items() if not isinstance(entry, dict)] if isinstance(state, dict) else None
    if bad is None or bad:
        got = type(state).__name__ if bad is None else f"{type(state[bad[0]]).__name__} at index {bad[0]!r}"
        raise ValidationError(f"{what}: a state dict's 'state' is a dict of parameter index -> dict of its state "
                              f"(step and arrays); got {got}")
    keys = [i for i in state if type(i) is bool or not isinstance(i, (int, np.integer))]
    steps = [i for i, entry in state.items() if type(entry.get("step")) is bool]
    if keys or steps:           # True is 1 to Python (and to torch's tensor): read so, a damaged dict passes
        got = f"the key {keys[0]!r}" if keys else f"state[{steps[0]!r}]['step'] = {state[steps[0]]['step']!r}"
        raise ValidationError(f"{what}: a state dict's 'state' maps each parameter's index (an int) to its state, "
                              f"the step a whole number; got {got}: the dict is damaged")
    return state, copy.deepcopy(sd["param_groups"])


def _given_instead(given: Any, what: str) -> str:
    """What a state conversion was given for a state dict (a network, a torch module, an optimizer of either
    library) and the call to write instead: the optimizer's own library's state dict goes the other way."""
    if isinstance(given, Network):
        return f", the network: it comes second, {what}(opt.state_dict(), net=net)"
    values = list(given.values()) if isinstance(given, dict) else given if isinstance(given, (list, tuple)) else None
    if values and all(isinstance(v, np.ndarray) or hasattr(v, "detach") for v in values):
        weights = ("a model's weights (its state_dict()" if isinstance(given, dict) else "weights (get_weights()'s, "
                   "or a model's parameters") + "), not an optimizer's state"
        return (f", {weights}: to_torch(net) takes the network's weights to torch; give the optimizer's, "
                "to_torch_state(opt.state_dict())" if what == "to_torch_state" else
                f", {weights}: from_torch(model) reads a model's weights with its layers; give the optimizer's, "
                "from_torch_state(optimizer.state_dict())")
    if not callable(getattr(given, "state_dict", None)):
        return ""
    if callable(getattr(given, "parameters", None)):                     # torch.nn.Module: its weights, no state
        return (", a torch module: give chainrule's optimizer's state dict and the network, "
                "to_torch_state(opt.state_dict(), net=net)" if what == "to_torch_state" else
                ", a torch module: give its optimizer's state dict, from_torch_state(opt.state_dict())")
    ours = type(given).__module__.split(".")[0] == "chainrule"
    if ours == (what == "to_torch_state"):
        return f", an optimizer: give its state dict, {what}(opt.state_dict())"
    if ours:
        return (", chainrule's optimizer: its state dict is chainrule's already (opt.load_state_dict takes it); "
                "to_torch_state(opt.state_dict()) gives it to torch")
    return (", torch's optimizer: its state dict is torch's already (its load_state_dict takes it); "
            "from_torch_state(opt.state_dict()) gives it to chainrule")


def _floats(what: str, i: Any, key: str, values: Any) -> np.ndarray:
    """A state array as float32 or float64 NumPy (a tensor's values copied), or a refusal naming it."""
    if hasattr(values, "detach"):
        _on_meta(what, i, key, values)
        kind = str(values.dtype).removeprefix("torch.")
        values = values.detach().cpu().numpy() if kind in ("float32", "float64") else np.asarray(None)
    else:
        kind = str(getattr(values, "dtype", type(values).__name__))
    values = np.asarray(values)
    if values.dtype not in (np.float32, np.float64):
        raise ValidationError(f"{what}: state[{i!r}][{key!r}] must be an array of float32 or float64; got {kind}")
    return values


def _refuse_own_side(sd: dict, what: str) -> None:
    """A state dict already of the side `what` converts to: converted again, each W-shaped array would be transposed
    silently (a square W's to wrong numbers), so chainrule's own state dict given to from_torch_state (NumPy arrays, the
    step an int; torch's turned to NumPy has a 0-d array's step, or none) or torch's given to to_torch_state (tensors)
    is refused, saying which call takes it as it is."""
    torch_arrays = what == "to_torch_state"
    for i, entry in sd["state"].items():
        ours = type(entry.get("step")) is int       # chainrule's step: a Python int (torch's a tensor, or its .numpy())
        for key, value in entry.items():
            if key != "step" and (hasattr(value, "detach") if torch_arrays else isinstance(value, np.ndarray) and ours):
                kind, owner, taker = (("a torch tensor", "torch's optimizer.state_dict()", "torch's load_state_dict")
                                      if torch_arrays else ("a NumPy array", "chainrule's opt.state_dict()",
                                                            "chainrule's opt.load_state_dict"))
                other = "from_torch_state" if torch_arrays else "to_torch_state"
                raise ValidationError(f"{what}: state[{i!r}][{key!r}] is {kind}: this is {owner} already, which "
                                      f"{taker} takes as it is ({what} would transpose each weight's array); "
                                      f"{other} converts it for the other library")


def _on_meta(what: str, i: Any, key: str, value: Any) -> None:
    """Refuse a tensor on torch's 'meta' device, a shape with no values (another device's, a GPU's, is copied)."""
    if getattr(getattr(value, "device", None), "type", None) == "meta":
        raise ValidationError(f"{what}: state[{i!r}][{key!r}] is on the 'meta' device: it has a shape but no values "
                              "(an optimizer of a model built without its weights); give the state dict of an "
                              "optimizer that has stepped on real parameters")


def _step(what: str, i: Any, value: Any) -> int:
    """A state's step (torch's 0-d tensor, or a number) as a whole number, never one cut short (2.5 is no step)."""
    _on_meta(what, i, "step", value)
    number = whole_step(value)
    if number is None:
        raise ValidationError(f"{what}: state[{i!r}]['step'] must be a whole number >= 0; got {value!r}")
    return number


def _renumbered(sd: dict, net: Network | None, what: str, to_torch: bool) -> dict:
    """`sd` with its parameters numbered as the other side numbers them: `to_torch(net)` has no parameter for a
    bias-free layer's bias (chainrule's frozen zero one), so its indices after that one differ from chainrule's."""
    if net is None:
        still = _still_biases(sd["state"]) if to_torch else []
        if still is None and any(isinstance(g, dict) and g.get("params") for g in sd["param_groups"]):
            raise ValidationError(f"{what}: the state holds no arrays to tell a frozen bias by (plain SGD keeps none, "
                                  "nor does an optimizer before its first step), and without the network chainrule "
                                  "cannot tell whether to_torch(net) has each bias: a layer built without one has none "
                                  "there (Linear(bias=False)), and torch's load_state_dict then refuses the groups' "
                                  f"sizes; give the network, {what}(sd, net=net), which numbers them as torch does")
        if still:
            raise ValidationError(f"{what}: state[{still[0]}] (a bias: chainrule numbers each layer's W, b) has not "
                                  "moved while the others have, as a frozen one's, and without the network chainrule "
                                  "cannot tell whether to_torch(net) has it: a layer built without a bias has none "
                                  "there (Linear(bias=False)), and torch numbers the parameters after it one lower; "
                                  f"give the network, {what}(sd, net=net), which numbers them as torch does either way")
        return sd
    if not isinstance(net, Network):
        raise ChainruleTypeError(f"{what}: net must be the chainrule.Network the state dict is of; got "
                                 f"{type(net).__name__}{import_first(net, what + '(sd, {net})')}")
    order = torch_order(net)
    ours = 2 * len(net.dense_layers)
    theirs = dict(enumerate(order)) if not to_torch else {i: j for j, i in enumerate(order)}
    size = ours if to_torch else len(order)
    state, groups = sd["state"], sd["param_groups"]
    listed = sorted(i for g in groups if isinstance(g, dict) for i in g.get("params", []))
    if listed != list(range(size)) or any(i not in range(size) for i in state):
        side = ("chainrule's optimizer over net", "net") if to_torch else \
            ("torch's optimizer over to_torch(net)'s parameters", "to_torch(net)")
        raise ValidationError(f"{what}: the state dict is not one of {side[0]}: it numbers the parameters "
                              f"{listed}, {side[1]} has {size} (0 to {size - 1})")
    gone = {i - 1 for i in range(1, ours, 2) if i not in order} if not to_torch else set()   # a bias-free W's index
    return {"state": {theirs[i]: entry for i, entry in state.items() if i in theirs},
            "param_groups": [{**g, "params": sorted([theirs[i] for i in g["params"] if i in theirs]
                                                    + [theirs[i] + 1 for i in g["params"] if theirs.get(i) in gone])}
                             for g in groups]}


def _still_biases(state: dict) -> list[int] | None:
    """The biases (odd indices) whose state arrays never moved (all zero, or none) while another's did: frozen ones;
    None where no array moved (plain SGD keeps none) or no step was taken: nothing tells."""
    def moved(entry: dict) -> bool:
        return any(np.any(v) for v in entry.values() if isinstance(v, np.ndarray) and v.dtype.kind == "f")
    stepped = any(whole_step(entry.get("step", 0)) != 0 for entry in state.values())
    if not stepped or not any(moved(entry) for entry in state.values()):
        return None         # before a step Adagrad's sums are initial_accumulator_value, a frozen bias's as the others'
    return sorted(i for i, entry in state.items() if i % 2 == 1 and not moved(entry))


def to_torch_state(sd: dict, net: Network | None = None) -> dict:
    """chainrule's `opt.state_dict()` as torch.optim's `load_state_dict` takes it for `to_torch(net)`'s
    parameters: each array a tensor in Linear's layout (W's transpose, a copy: torch's steps leave `sd` as it
    was), the step a tensor as torch writes it (torch's SGD counts no steps: its state is the momentum buffer alone,
    none for plain SGD). Give `net` where a layer has no bias (torch then numbers the
    parameters after it otherwise); without it, a state whose bias never moved (a frozen one) is refused, and so is
    one with no arrays to tell by (plain SGD's, any optimizer's before its first step)."""
    import torch
    _state_parts(sd, "to_torch_state")
    _refuse_own_side(sd, "to_torch_state")
    state, groups = _state_parts(_renumbered(sd, net, "to_torch_state", True), "to_torch_state")
    counted = not any(isinstance(g, dict) and "dampening" in g for g in groups)     # SGD's group: torch's counts none
    converted = {i: {k: torch.tensor(float(_step("to_torch_state", i, v))) if k == "step" else
                     torch.from_numpy(np.array(_floats("to_torch_state", i, k, v).T, order="C"))
                     for k, v in entry.items() if counted or k != "step"} for i, entry in state.items()}
    return {"state": {i: entry for i, entry in converted.items() if entry}, "param_groups": groups}


def from_torch_state(sd: dict, net: Network | None = None) -> dict:
    """torch.optim's `state_dict()` of a module's parameters (`to_torch(net)`'s, or one `from_torch` read) as
    chainrule's `opt.load_state_dict` takes it: NumPy arrays in W's layout, the step a whole number. Give `net`
    where a layer has no bias (`Linear(bias=False)`: chainrule numbers its frozen zero bias, torch has none)."""
    what = "from_torch_state"
    _state_parts(sd, what)
    _refuse_own_side(sd, what)
    state, groups = _state_parts(_renumbered(sd, net, what, False), what)
    return {"state": {i: {k: _step(what, i, v) if k == "step" else _floats(what, i, k, v).T.copy()
                          for k, v in entry.items()} for i, entry in state.items()}, "param_groups": groups}


# -- files -----------------------------------------------------------------------------------
def load_foreign(path: str | os.PathLike, loss: str | None = None) -> Network:
    """A Network from a model file, chosen by its suffix: .onnx (from_onnx), .keras (Keras in
    safe mode, then from_keras) or .npz (chainrule's own). Pickle-based files are refused."""
    suffix = Path(check_path(path)).suffix.lower()
    if suffix == ".onnx":
        return from_onnx(path, loss=loss)
    if not Path(path).is_file():
        raise ModelFileError(not_a_file(Path(path)))
    if suffix == ".keras":
        import zipfile
        if not zipfile.is_zipfile(path):                      # Keras says "File not found" of such a file
            raise ModelFileError(f"{path} is not a Keras model file: a .keras file is a zip archive, this one is not")
        kind, said = kind_of(Path(path))
        if kind in ("model", "torch", "npz"):           # Keras said "There is no item named 'config.json'" of them
            rename = "; its name should end in .npz" if kind == "model" else ""
            raise ModelFileError(f"{path} is not a Keras model file, though named .keras: it is {said}{rename}")
        os.environ.setdefault("KERAS_BACKEND", "torch")      # only if the user chose no backend
        try:
            import keras
        except ModuleNotFoundError as exc:        # Keras, or its backend: in no extra of chainrule's, so named here
            backend = os.environ["KERAS_BACKEND"]
            package = KERAS_BACKEND_PACKAGES.get(backend, backend)
            raise ImportError(f"reading {path} (a Keras file) needs Keras 3 and its backend ({backend}, "
                              f"KERAS_BACKEND's): pip install 'keras>=3.0' {package}".rstrip()
                              + f"; Python said: {exc}", name=exc.name) from None
        try:
            model = keras.saving.load_model(path, compile=False, safe_mode=True)
        except Exception as exc:  # noqa: BLE001  (a file from anywhere: every failure to read it is a bad file)
            raise ModelFileError(f"{path} could not be read by Keras: {type(exc).__name__}: "
                                 f"{str(exc).splitlines()[0] if str(exc) else ''}") from None
        return from_keras(model, loss=loss)
    if suffix == ".npz":
        return load(path)
    if suffix in (".pt", ".pth", ".pkl", ".pickle", ".joblib", ".bin"):
        raise ValidationError(f"{path}: {suffix} files hold pickled code, which chainrule never loads; load the model "
                              "in Python and use chainrule.from_torch or chainrule.from_sklearn")
    keras = ("; an .h5 file of Keras: load it with keras.models.load_model, then chainrule.from_keras(model)"
             if suffix in (".h5", ".hdf5") else "")
    raise ValidationError(f"{path}: unknown model file type {suffix!r}; expected .npz, .onnx or .keras{keras}")
