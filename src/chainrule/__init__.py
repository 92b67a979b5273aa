"""chainrule: backpropagation from first principles, vectorized with NumPy.

The package, bottom up (each layer imports only the ones below it; docs/architecture.md):
errors -> backend (compiled kernels) -> nn (the engine) -> training, saving -> teach, data, cli,
sklearn. The names below are the public API.
"""
from . import errors
from .nn import initializers as init
from .nn.activations import Activation, register_activation
from .nn.layers import Dense, Dropout, Layer, register_layer
from .nn.losses import Loss, register_loss
from .nn.network import Network
from .saving.npz import load
from .teach import examples, formulas, plot
from .teach.explain import explain
from .teach.gradcheck import gradcheck
from .training import callbacks, optim
from .training.callbacks import EarlyStopping, History, ModelCheckpoint
from .training.diagnostics import GradientDiagnostics, GradientWarning
from .data import datasets

__version__ = "0.1.0"
__all__ = ["Network", "Dense", "Dropout", "Layer", "Activation", "Loss", "load", "gradcheck", "explain", "optim",
           "init", "errors", "examples", "callbacks", "datasets", "formulas", "plot", "EarlyStopping", "ModelCheckpoint",
           "History", "GradientDiagnostics", "GradientWarning", "register_activation", "register_layer",
           "register_loss", "__version__"]
