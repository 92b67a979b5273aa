"""chainrule: backpropagation from first principles, vectorized with NumPy.

The package, bottom up (each layer imports only the ones below it; docs/architecture.md):
errors -> backend (compiled kernels) -> nn (the engine) -> training, saving -> teach, data, cli,
sklearn. The names below are the public API. The engine is imported with the package; the rest
(optimizers, saving, the teaching tools, data sets) on first use of its name, so that
`import chainrule` stays fast for a command-line job.

A network learns XOR, with Keras' fit and the optimizers of torch.optim (help(cr.Network): every argument;
cr.explain: every number of one pass; chainrule.sklearn: the same engine as scikit-learn estimators):

>>> import chainrule as cr
>>> X, y = cr.examples.xor()
>>> net = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
>>> history = net.fit(X, y, epochs=300, batch_size=4, optimizer=cr.optim.Adam(lr=0.05), verbose=0, seed=0)
>>> (net.predict(X) > 0.5).astype(int).ravel()
array([0, 1, 1, 0])
>>> net.evaluate(X, y)["accuracy"]
1.0
"""
from __future__ import annotations

from .backend import signals  # noqa: F401 (first, 40 ms into the process: the command's early SIGTERM handler)

# isort: split
import importlib
import sys
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


#: where a name that is not top-level lives: (the module it is defined in, the name a user reaches it by, the module
#: to import it from: cr.examples and cr.init are attributes, not modules of their own); scikit-learn's estimators
#: are named, not imported, so that a typo never pays for importing scikit-learn
_HOMES = (("chainrule.training.optim", "chainrule.optim", "chainrule.optim"),
          ("chainrule.training.callbacks", "chainrule.callbacks", "chainrule.callbacks"),
          ("chainrule.errors", "chainrule.errors", "chainrule.errors"),
          ("chainrule.teach.examples", "chainrule.examples", "chainrule.teach.examples"),
          ("chainrule.data.datasets", "chainrule.datasets", "chainrule.datasets"),
          ("chainrule.nn.initializers", "chainrule.init", "chainrule.nn.initializers"))
_SKLEARN = ("BackpropClassifier", "BackpropRegressor")       # chainrule.sklearn.__all__


def _home(name: str) -> str:
    """': it is chainrule.optim.Adam (...)' for 'Adam': a PyTorch or Keras habit (torch.optim.Adam) points there."""
    if name in _SKLEARN:
        return f": it is chainrule.sklearn.{name} (from chainrule.sklearn import {name})"
    for module_name, shown, source in _HOMES:
        module = importlib.import_module(module_name)
        public = getattr(module, "__all__", None) or [n for n, v in vars(module).items() if not n.startswith("_")
                                                       and getattr(v, "__module__", None) == module_name]
        if name in public:
            return f": it is {shown}.{name} (from {source} import {name})"
    return ""


def __getattr__(name: str) -> Any:
    if name == "sklearn":                 # as cr.datasets: chainrule.sklearn without its own import line
        return importlib.import_module("chainrule.sklearn")
    if name not in _LAZY:
        where = "" if name.startswith("_") else _home(name)
        raise AttributeError(f"module 'chainrule' has no attribute {name!r}{where}", name=name,
                             obj=sys.modules[__name__])       # name and obj: Python's "Did you mean" for a typo
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
