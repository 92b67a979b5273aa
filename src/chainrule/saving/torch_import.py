"""`from_torch`: a `torch.nn.Sequential` of Linear layers and activations read into a Network, layer by layer in
order (never its forward's code); anything else refused naming the layer and what to give instead."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn.network import Network
from .mlp import attach_activation, build_network, dense_layer, dropout_layer, not_computable, weights_dtype
from .sklearn_import import not_importable


def from_torch(module: Any, loss: str | None = None) -> Network:
    """A Network from a `torch.nn.Sequential` of Linear layers and activations.

    Accepted: Linear, Sigmoid, Tanh, ReLU, LeakyReLU, Softmax (over the last dimension),
    Identity, Dropout, a Flatten that leaves rows as they are (the identity) and nested Sequential. A parameter
    with requires_grad=False is frozen;
    a Linear without bias gets a zero, frozen bias. `loss` defaults to categorical cross-entropy
    after a softmax and mse otherwise (PyTorch's MSELoss). Refused: a Sequential subclass with its
    own forward (it computes something else than its layers in order) and weights shared between
    layers (chainrule's layers each own theirs: training would untie them); a module of the user's own is told
    the Sequential of its layers to give, a state_dict (alone or in a training checkpoint
    dict) how to load it into its model, an nn.ModuleList the Sequential of its layers, a TorchScript module (jit
    script or trace) the eager model instead; a ModuleList or TorchScript module inside the Sequential alike, for its
    place. A `torch.compile`d
    Sequential, and one in DataParallel or DistributedDataParallel, is read through to the module it wraps.
    """
    import torch
    from torch import nn
    module = _uncompiled(module)
    if isinstance(module, (nn.ModuleList, torch.jit.ScriptModule)):
        raise ChainruleTypeError(_list_or_script(module, torch))
    if isinstance(module, nn.Module) and not isinstance(module, nn.Sequential):
        traced = " (a torch.fx GraphModule, traced)" if isinstance(module, torch.fx.GraphModule) else ""
        raise ChainruleTypeError(f"module must be a torch.nn.Sequential of Linear layers and activations; got "
                                 f"{type(module).__name__}{traced}, {_own_forward(module, 'model')}")
    if _state_dict_like(module, torch):
        raise ChainruleTypeError(_weights_alone(module))
    if isinstance(module, Mapping) and any(_state_dict_like(v, torch) for v in module.values()):
        raise ChainruleTypeError(_checkpoint(module, torch))
    if isinstance(module, Mapping) and set(module) == {"state", "param_groups"}:
        raise ChainruleTypeError("module must be a torch.nn.Sequential of Linear layers and activations; got an "
                                 "optimizer's state dict ('state' and 'param_groups'), not a model: give the model, "
                                 "and convert that dict for chainrule's optimizer with from_torch_state(sd)")
    if isinstance(module, (list, tuple)) and module and all(isinstance(v, (np.ndarray, torch.Tensor)) for v in module):
        raise ChainruleTypeError(_weights_list(module))
    if not isinstance(module, nn.Sequential):
        raise not_importable("module must be a torch.nn.Sequential of Linear layers and activations", module)
    items: list = []
    weights: list[np.ndarray] = []
    owners: dict[int, str] = {}          # id of each parameter read -> the layer that holds it
    last: list = []                      # the last Linear read (its place, its outputs), then the Flattens after it

    def own_forward(seq: Any, where: str) -> None:
        if type(seq).forward is not nn.Sequential.forward:
            raise ValidationError(f"{where} is a {type(seq).__name__}, a Sequential with its own forward, which "
                                  "computes something else than its layers in order; give a plain nn.Sequential")

    def hooked(m: Any) -> bool:
        """Forward hooks change what a module computes (torch.nn.utils.prune recomputes its weight in one)."""
        return any(getattr(m, a, None) for a in ("_forward_hooks", "_forward_pre_hooks"))

    if hooked(module) or any(getattr(torch.nn.modules.module, a, None)
                             for a in ("_global_forward_hooks", "_global_forward_pre_hooks")):
        raise ValidationError("the module, or torch globally, has forward hooks, which change what it computes: "
                              "remove them first (torch.nn.utils.prune.remove for pruning)")

    def walk(seq: nn.Sequential, prefix: str) -> None:
        for name, m in seq._modules.items():     # named_children() would skip a module given twice
            m = _uncompiled(m)
            where = f"layer {prefix}{name} ({type(m).__name__})"
            _unready(m, where, f"{prefix}{name}")
            if hooked(m):
                raise ValidationError(f"{where} has forward hooks, which change what it computes (pruning recomputes "
                                      "its weight in one): remove them first (torch.nn.utils.prune.remove)")
            if isinstance(m, nn.Sequential):
                own_forward(m, where)
                walk(m, f"{prefix}{name}.")
            elif type(m) is nn.Linear:
                _chains(m, where, last)
                for p in (m.weight, m.bias):
                    if p is not None and id(p) in owners:
                        raise ValidationError(f"{where} shares its weights with {owners[id(p)]}: chainrule's layers "
                                              "each own their weights (training would untie them); give each Linear "
                                              "its own")
                    if p is not None:
                        owners[id(p)] = where
                W = _torch_values(m.weight, where, f"{prefix}{name}.weight").T
                b = None if m.bias is None else _torch_values(m.bias, where, f"{prefix}{name}.bias")
                weights.extend([W] + ([] if b is None else [b]))
                trainable = {"W": m.weight.requires_grad, "b": m.bias is not None and m.bias.requires_grad}
                items.append(dense_layer(W, b, "linear", trainable))
            elif type(m) in (nn.Sigmoid, nn.Tanh, nn.ReLU):
                attach_activation(items, {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu"}[type(m)], where)
            elif type(m) is nn.LeakyReLU:
                attach_activation(items, {"name": "leaky_relu", "alpha": m.negative_slope}, where)
            elif type(m) is nn.Softmax:
                if m.dim not in (1, -1):
                    raise ValidationError(f"{where} takes the softmax over dim={m.dim}; chainrule's softmax is over "
                                          "the outputs of each sample (dim=1 or -1)")
                attach_activation(items, "softmax", where)
            elif isinstance(m, (nn.ModuleList, torch.jit.ScriptModule)):
                raise ValidationError(_list_or_script(m, torch, f"{where} is", _reference(f"{prefix}{name}")))
            elif type(m) is nn.Identity:
                continue
            elif type(m) is nn.Dropout:
                items.append(dropout_layer(m.p, where))
            elif type(m) is nn.Flatten:
                _flatten(m, where, f"{prefix}{name}", after_linear=bool(weights))
                last.extend([where] if last else [])
            else:
                ref = _reference(f"{prefix}{name}")
                raise ValidationError(f"{where} has no chainrule form; supported: Linear, Sigmoid, Tanh, ReLU, "
                                      "LeakyReLU, Softmax, Identity, Dropout, Flatten that leaves rows as they are, "
                                      "Sequential"
                                      + (f"; it is {_own_forward(m, ref)}" if next(m.children(), None) else ""))

    own_forward(module, "the module")
    with torch.no_grad():
        walk(module, "")
    return build_network(items, loss, weights_dtype(weights, "module", TORCH_CONVERT) if weights else np.float64)


def _list_or_script(module: Any, torch: Any, got: str = "", ref: str = "") -> str:
    """The refusal of an nn.ModuleList (layers with no forward: their order is the list's) or a TorchScript module
    (torch.jit.script's or trace's compiled code, whose layers are no longer Linear): what to give instead. `got`
    names a layer inside the model and `ref` its Python place (model[1]): the advice then puts the fix there."""
    given = not got
    got = got or "module must be a torch.nn.Sequential of Linear layers and activations; got"
    if isinstance(module, torch.nn.ModuleList):
        layers = f"nn.Sequential(*{ref or 'model_list'})"
        what = ("its layers applied in the list's order (the same weights), with each activation a module in it "
                "(nn.ReLU() for torch.relu)")
        return (f"{got} a ModuleList of {len(module)} layers, which has no forward (torch computes nothing with it"
                + (f"): give {layers}, {what}" if given else f": the forward of the model around it fails): put "
                   f"{layers} in its place ({ref} = {layers}; {what}), then give the model"))
    how = "torch.jit.trace" if isinstance(module, torch.jit.TracedModule) else "torch.jit.script"
    ref = ref or "scripted"
    load = (f"model.load_state_dict({ref}.state_dict())" if given else
            f"eager = nn.Sequential(...) (the same layers); eager.load_state_dict({ref}.state_dict()); {ref} = eager; "
            "then give the model")
    name = f" {type(module).__name__}," if given else ""
    return (f"{got}{name} a TorchScript module ({how}'s compiled code, whose layers are no longer "
            f"torch.nn's Linear): give the eager {'model' if given else 'module'} it was made from (the one passed to "
            f"{how}{'' if given else ', in its place in the model'}), or build that nn.Sequential again and load "
            f"these weights into it: {load}")


def _state_dict_like(obj: Any, torch: Any) -> bool:
    """A state_dict: a non-empty mapping of names to tensors, or to NumPy arrays (one turned NumPy, `.numpy()` each)."""
    return isinstance(obj, Mapping) and bool(obj) and all(isinstance(k, str) for k in obj) and (
        all(isinstance(v, torch.Tensor) for v in obj.values()) or all(isinstance(v, np.ndarray) for v in obj.values()))


def _weights_list(weights: list | tuple) -> str:
    """The refusal of a list of weight arrays (`get_weights()`'s, `list(model.parameters())`): no layers, and no layout
    to tell by (a square one reads as torch's (n_out, n_in) and as chainrule's and Keras' W (n_in, n_out) alike)."""
    shapes = ", ".join(str(tuple(v.shape)) for v in weights[:4]) + (", ..." if len(weights) > 4 else "")
    kind = "tensors" if all(hasattr(v, "detach") for v in weights) else "arrays"
    return (f"module must be a torch.nn.Sequential of Linear layers and activations; got a {type(weights).__name__} "
            f"of {len(weights)} {kind} (shapes {shapes}), weights without the layers, whose layout nothing tells "
            "(torch's Linear.weight is (n_out, n_in), chainrule's and Keras' W (n_in, n_out): a square one reads "
            "either way): torch's (list(model.parameters()), a state_dict's values) come with their model, give it, "
            "cr.from_torch(model); chainrule's or Keras' (get_weights()) go into a network of those layers, "
            "net.set_weights(weights)")


def _weights_alone(sd: Mapping, ref: str = "sd", got: str = "a state_dict") -> str:
    """The refusal of a state_dict (names -> tensors, or NumPy arrays: turned back into tensors in the advice, in
    torch's layout as they are): the weights without the layers that compute with them;
    `ref` is how the advice names it, `got` what was given."""
    keys = list(sd)
    wrapped = all(isinstance(k, str) and k.startswith("module.") for k in keys)
    numpy = not all(hasattr(v, "detach") for v in sd.values())
    value = "torch.from_numpy(v)" if numpy else "v"
    strip = (" (its keys start with 'module.', DataParallel's: load {k.removeprefix('module.'): " + value +
             f" for k, v in {ref}.items()}})" if wrapped else
             f" (NumPy arrays, which load_state_dict does not take: load {{k: torch.from_numpy(v) for k, v in "
             f"{ref}.items()}})" if numpy else "")
    kind = "NumPy arrays" if numpy else "tensors"
    return (f"module must be a torch.nn.Sequential of Linear layers and activations; got {got} ({len(keys)} "
            f"{kind}: {', '.join(map(repr, keys[:3]))}{', ...' if len(keys) > 3 else ''}), the weights without the "
            f"layers: build the model, load them with model.load_state_dict({ref}){strip}, then cr.from_torch(model)")


def _checkpoint(ckpt: Mapping, torch: Any) -> str:
    """The refusal of a training checkpoint (PyTorch's tutorial saves {'model_state_dict': ..., 'optimizer_state_dict':
    ..., 'epoch': ...}): the state_dict advice, naming the key that holds the model's weights."""
    held = [k for k, v in ckpt.items() if _state_dict_like(v, torch)]
    keys = list(ckpt)
    listed = ", ".join(map(repr, keys[:4])) + (", ..." if len(keys) > 4 else "")
    others = (f"; its {', '.join(map(repr, held[1:]))} also hold{'s' if len(held) == 2 else ''} a state_dict, "
              "each loaded into its own model" if len(held) > 1 else "")
    return _weights_alone(ckpt[held[0]], f"checkpoint[{held[0]!r}]",
                          f"a training checkpoint (a dict of {listed}) whose {held[0]!r} is a state_dict") + others


def _unready(m: Any, where: str, key: str) -> None:
    """Refuse a layer whose weights are not yet numbers it holds: a lazy one never run (its parameters do not exist
    until the first forward, which makes it a Linear) or one whose weight a parametrization (weight_norm,
    spectral_norm, orthogonal) computes in each forward; each told its own way round (not the hooks' words)."""
    from torch.nn.modules.lazy import LazyModuleMixin
    from torch.nn.utils import parametrize
    ref = _reference(key)
    if isinstance(m, LazyModuleMixin) and m.has_uninitialized_params():  # type: ignore[misc]
        raise ValidationError(f"{where} has not been run yet: its weights do not exist until its first forward "
                              "(torch's lazy modules take their sizes from the first batch); run the model once on "
                              "a batch (model(x)), which makes it a Linear, then import it")
    for hook in getattr(m, "_forward_pre_hooks", {}).values():      # torch.nn.utils.weight_norm's, spectral_norm's
        kind = {"WeightNorm": "weight_norm", "SpectralNorm": "spectral_norm"}.get(type(hook).__name__)
        if kind and type(hook).__module__ == f"torch.nn.utils.{kind}":
            raise ValidationError(f"{where}'s {hook.name!r} is recomputed in each forward by torch.nn.utils.{kind} "
                                  "(a hook); chainrule reads plain weights: keep their values with "
                                  f"torch.nn.utils.remove_{kind}({ref}, {hook.name!r}) first, then import the model")
    if parametrize.is_parametrized(m):
        names = ", ".join(repr(n) for n in m.parametrizations)
        raise ValidationError(f"{where}'s {names} is parametrized (weight_norm, spectral_norm, orthogonal: torch "
                              "computes it in each forward); chainrule reads plain weights: keep their values with "
                              f"torch.nn.utils.parametrize.remove_parametrizations({ref}, {names.split(', ')[0]}) "
                              "(each parametrized name), then import the model")


def _chains(m: Any, where: str, last: list) -> None:
    """A Linear's inputs must be the outputs of the Linear before it, refused naming torch's places (the network's
    own refusal would count Dense layers only) and any Flatten between, which leaves rows as they are."""
    if last and m.in_features != last[1]:
        between = last[2:]
        note = (f"; {', '.join(between)} between them leaves each row as it is (a Linear's outputs are rows), so it "
                "adds no inputs" if between else "")
        raise ValidationError(f"{where} takes {m.in_features} inputs, but {last[0]} gives {last[1]} outputs{note}: "
                              "torch's forward fails on this model too")
    last[:] = [where, m.out_features]


def _flatten(m: Any, where: str, key: str, after_linear: bool) -> None:
    """A Flatten that leaves rows (batch, features) as they are is the identity: nothing to read. One with
    start_dim == end_dim is the identity on any input, and one with start_dim < 0 <= end_dim on any torch runs it on
    (rows: on more dims its start comes after its end); Flatten() before any Linear may flatten images the network
    never sees: refused, with the model without it to import. Any other is refused saying what it does to rows."""
    start, end = m.start_dim, m.end_dim
    dims = f"flattens dims {start} to {end} (start_dim={start}, end_dim={end})"
    if not all(isinstance(d, int) and -2 <= d <= 1 for d in (start, end)):
        raise ValidationError(f"{where} {dims}, out of range for rows (batch, features), which have dims 0 and 1 "
                              "(or -2 and -1): torch's forward fails on them; give Flatten() or remove it")
    first, last = start % 2, end % 2
    if first > last:
        raise ValidationError(f"{where} {dims}: on rows (batch, features) its start_dim comes after its end_dim, "
                              "so torch's forward fails; give Flatten() or remove it")
    if first != last:
        raise ValidationError(f"{where} {dims}: it would flatten rows (batch, features) into one vector "
                              "(batch * features,), mixing the samples, where chainrule's network keeps one row "
                              "per sample; give Flatten() (start_dim=1, end_dim=-1) or remove it")
    if after_linear or start == end or start < 0 <= end:     # the last: on more dims than rows start comes after end
        return
    rest = "cr.from_torch(model[1:])" if key == "0" else \
        f"m = copy.deepcopy(model); del {_reference(key, 'm')}; cr.from_torch(m)"    # the layers before it kept
    if first == 0:          # Flatten(0, -2): the batch dim, joined on more dims with those after it
        raise ValidationError(f"{where} {dims}: on rows (batch, features) it leaves them as they are, but on samples "
                              "of more dims it joins the batch with the dims after it ((batch, a, features) becomes "
                              "(batch * a, features)), mixing the samples, where chainrule's network keeps one row "
                              f"per sample; import the model without it ({rest})")
    raise ValidationError(f"{where} flattens each sample into a row, which chainrule takes as it is: import the model "
                          f"without it ({rest}) and give the network X.reshape(len(X), -1)")


def _reference(key: str, name: str = "model") -> str:
    """Python that names the layer at `key` (its place, e.g. '2.fc') inside the model called `name`."""
    return name + "".join(f"[{k}]" if k.isdigit() else f".{k}" for k in key.split("."))


def _own_forward(module: Any, ref: str) -> str:
    """What to give instead of a module that is no Sequential (from_torch reads a Sequential's layers in order,
    never a forward's code): a Sequential of the module's own layers, `ref` naming it in the example."""
    from torch import nn
    if next(module.children(), None) is None and type(module).__module__.startswith("torch.nn."):
        return f"one layer: give nn.Sequential({ref})"
    parts: list[str] = []
    last_linear = False
    for name, m in module.named_children():          # registration order, which forward need not follow
        if type(m) is nn.Linear and last_linear:
            parts.append("nn.ReLU()")
        indexed = isinstance(module, (nn.Sequential, nn.ModuleList))      # a GraphModule's '0' is no index
        parts.append((f"{ref}[{name}]" if indexed else f"getattr({ref}, {name!r})") if name.isdigit() else
                     f"{ref}.{name}")
        last_linear = type(m) is nn.Linear
    example = ", ".join(parts) if parts else f"{ref}.fc1, nn.ReLU(), {ref}.fc2"
    give = "give that instead" if ref == "model" else \
        f"put that in its place in the model ({ref} = nn.Sequential({example})), then give the model"
    return (f"a module of its own whose forward chainrule does not read (it reads an nn.Sequential's layers in "
            f"order): build an nn.Sequential of its layers in the order its forward applies them, each activation "
            f"as a module (nn.ReLU() for torch.relu), e.g. nn.Sequential({example}), and {give} (the layers are the "
            f"module's own: the same weights)")


def _uncompiled(module: Any) -> Any:
    """The module a wrapper that computes what it wraps computes holds: `torch.compile`'s (OptimizedModule, `_orig_mod`)
    and DataParallel's or DistributedDataParallel's (`module`, on a GPU's replicas), one in another too; any other
    module as it is. No compiled wrapper exists before torch._dynamo is imported: nothing is imported here."""
    import sys

    from torch import nn
    compiled = getattr(sys.modules.get("torch._dynamo.eval_frame"), "OptimizedModule", None)
    while True:
        if compiled is not None and isinstance(module, compiled):
            module = module._orig_mod
        elif isinstance(module, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            module = module.module
        else:
            return module


TORCH_CONVERT = "convert the model first with model.float() (float32) or model.double() (float64)"


def _torch_values(p: Any, where: str, key: str) -> np.ndarray:
    """A Linear's weight or bias (`key`: its state_dict name) as a NumPy array, refused in words where it
    holds no numbers chainrule computes with: none at all (the 'meta' device), or not float32/float64
    (bfloat16 and float8 have no NumPy form; float16 would be a third dtype of network)."""
    import torch
    if p.is_meta:
        raise ValidationError(f"{where}: its parameter {key!r} is on the 'meta' device: it has a shape but no "
                              "values (a model built without its weights); load the weights first, e.g. "
                              "model.to_empty(device='cpu') then model.load_state_dict(state_dict)")
    if p.dtype not in (torch.float32, torch.float64):
        fix = TORCH_CONVERT if p.dtype.is_floating_point else "give the model float32 or float64 weights"
        raise ValidationError(not_computable(f"{where}: its parameter {key!r}", p.dtype, fix))
    return p.detach().cpu().numpy()
