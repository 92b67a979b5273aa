"""chainrule: backpropagation from first principles, vectorized with NumPy.

The package, bottom up (each layer imports only the ones below it; docs/architecture.md):
errors -> backend (compiled kernels) -> nn (the engine) -> training, saving -> teach, data, cli,
sklearn. The names below are the public API. The engine is imported with the package; the rest
(optimizers, saving, the teaching tools, data sets) on first use of its name, so that
`import chainrule` stays fast for a command-line job.
"""
from __future__ import annotations

from .backend import signals  # noqa: F401 (first, 40 ms into the process: the command's early SIGTERM handler)

# isort: split
import importlib
from typing import TYPE_CHECKING, Any

from . import errors
from .nn import initializers as init
from .nn.activations import Activation, register_activation
from .nn.dropout import Dropout
from .nn.layers import Dense, Layer, register_layer
from .nn.losses import Loss, register_loss
from .nn.network import Network

if TYPE_CHECKING:      # what the lazy names below resolve to, for type checkers
    from .data import datasets
    from .saving.interop import from_keras, from_onnx, from_sklearn, from_torch, load_foreign, to_torch
    from .saving.npz import load, save
    from .saving.npz import load as load_model
    from .saving.onnx import to_onnx
    from .teach import examples, formulas, plot
    from .teach.explain import explain
    from .teach.gradcheck import gradcheck
    from .training import callbacks, optim
    from .training.callbacks import CSVLogger, EarlyStopping, History, ModelCheckpoint, ReduceLROnPlateau
    from .training.diagnostics import GradientDiagnostics, GradientWarning

#: public name -> (module, attribute or None for the module itself), imported on first access
_LAZY = {"load": ("chainrule.saving.npz", "load"), "save": ("chainrule.saving.npz", "save"),
         "load_model": ("chainrule.saving.npz", "load"),       # Keras' keras.models.load_model's name
         "examples": ("chainrule.teach.examples", None),
         "formulas": ("chainrule.teach.formulas", None), "plot": ("chainrule.teach.plot", None),
         "explain": ("chainrule.teach.explain", "explain"), "gradcheck": ("chainrule.teach.gradcheck", "gradcheck"),
         "callbacks": ("chainrule.training.callbacks", None), "optim": ("chainrule.training.optim", None),
         "EarlyStopping": ("chainrule.training.callbacks", "EarlyStopping"),
         "ModelCheckpoint": ("chainrule.training.callbacks", "ModelCheckpoint"),
         "History": ("chainrule.training.callbacks", "History"),
         "ReduceLROnPlateau": ("chainrule.training.callbacks", "ReduceLROnPlateau"),
         "CSVLogger": ("chainrule.training.callbacks", "CSVLogger"),
         "GradientDiagnostics": ("chainrule.training.diagnostics", "GradientDiagnostics"),
         "GradientWarning": ("chainrule.training.diagnostics", "GradientWarning"),
         "datasets": ("chainrule.data.datasets", None), "to_onnx": ("chainrule.saving.onnx", "to_onnx"),
         **{name: ("chainrule.saving.interop", name) for name in
            ("to_torch", "from_torch", "from_sklearn", "from_keras", "from_onnx", "load_foreign")}}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'chainrule' has no attribute {name!r}")
    module, attr = _LAZY[name]
    value = importlib.import_module(module)
    value = value if attr is None else getattr(value, attr)
    globals()[name] = value           # later accesses are plain lookups
    return value


def __dir__() -> list[str]:
    """The public names (tab completion shows the API, not this module's own imports such as Any)."""
    return sorted(__all__)


__version__ = "0.1.0"
__all__ = ["Network", "Dense", "Dropout", "Layer", "Activation", "Loss", "load", "load_model", "save", "gradcheck",
           "explain", "optim", "init", "errors", "examples", "callbacks", "datasets", "formulas", "plot",
           "EarlyStopping", "ModelCheckpoint", "History", "ReduceLROnPlateau", "CSVLogger", "GradientDiagnostics",
           "GradientWarning", "register_activation", "register_layer", "register_loss", "to_onnx", "to_torch",
           "from_torch", "from_sklearn", "from_keras", "from_onnx", "load_foreign", "__version__"]
