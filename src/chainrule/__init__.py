"""chainrule: backpropagation from first principles, vectorized with NumPy."""
from . import callbacks, datasets, errors, examples, formulas, init, optim
from .callbacks import EarlyStopping, History, ModelCheckpoint
from .diagnostics import GradientDiagnostics, GradientWarning
from .explain import explain
from .gradcheck import gradcheck
from .io import load
from .layers import Dense, Dropout
from .network import Network

__version__ = "0.1.0"
__all__ = ["Network", "Dense", "Dropout", "load", "gradcheck", "explain", "optim", "init", "errors",
           "examples", "callbacks", "datasets", "formulas", "EarlyStopping", "ModelCheckpoint", "History",
           "GradientDiagnostics", "GradientWarning", "__version__"]
