"""Network: a stack of layers, the loss, and the backpropagation that connects them.

All parameters live in one flat vector (`params`) and all gradients in another (`grads`); each layer's W and b are
views into them (`flat.py`). The optimizer updates the whole network in a few vectorized calls, and saving, loading
and checkpointing copy one array.

`save`, `to_onnx` and `to_torch` hand the network to `chainrule.saving`, which sits above this module and is
imported when called; `fit`, `train_steps`, `predict` and `evaluate` are inherited from `keras_methods.py`. The
task and targets are in `evaluation.py`.
"""
from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast, overload

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ChainruleTypeError
from . import checks as check
from . import evaluation, flat
from . import sample_weight as sw
from .divergence import divergence, plain_update, sum_of_squares
from .inference import refuse_other_thread
from .keras_methods import CHUNK, KerasMethods
from .layers import Dense, Layer
from .losses import Loss, get_loss, l2_penalty
from .other_frameworks import instead_of
from .overflow import cached_wrong, finite_outputs
from .summary import Summary, keras_table

if TYPE_CHECKING:
    from ..training.callbacks import History


class Network(KerasMethods):
    """A feed-forward network trained by backpropagation.

    Parameters
    ----------
    layers : list of Layer
        `Dense` and `Dropout` layers, input to output; each Dense's n_in must equal the
        previous Dense's n_out.
    loss : str or Loss
        "sse" (the seeds' 1/2 sum of squares, averaged over samples), "mse",
        "binary_crossentropy" or "categorical_crossentropy".
    dtype : "float64" (default, exact) or "float32" (fast); kept through forward and backward.
    seed : int, optional
        Redraws every layer's initial weights from this seed (same seed, same network).

    Training and using it as Keras does, `fit`, `train_steps`, `predict`, `predict_classes` and `evaluate`, are
    inherited from `KerasMethods` (nn/keras_methods.py): `help()` lists them last.

    Examples
    --------
    >>> import numpy as np, chainrule as cr
    >>> net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")],
    ...                  loss="binary_crossentropy", seed=0)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 1, 1, 0])
    >>> net.forward(X).shape
    (4, 1)
    >>> history = net.fit(X, y, epochs=2000, optimizer=cr.optim.Adam(0.05), verbose=0)
    >>> net.predict_classes(X)
    array([0, 1, 1, 0])
    >>> net.evaluate(X, y, verbose=0)["accuracy"]
    1.0
    """

    _fit_thread: int | None = None      # the thread whose fit trains this network (nn/inference.py)
    #: MLPClassifier's alpha: each batch's error gains 0.5 * alpha * sum(W**2) / m over the Dense weights (not the
    #: biases), m its rows (or its sample weights' sum), dE/dW alpha * W / m; set by the scikit-learn estimators
    #: and from_sklearn. Trained by the NumPy loop (the compiled loops have no such term); loss, gradients and
    #: evaluate leave it out (as MLP's predict-time scores), fit's steps and their logged loss include it.
    weight_penalty: float = 0.0
    #: the class_weight of the last fit ('balanced' or [label, weight] pairs: `sample_weight.recorded`), which save
    #: records as `chainrule train --class-weight` does, so that `chainrule info` says how the model was trained
    class_weight_record: str | list | None = None
    # set by `flat.build_buffers`: the flat vectors, (layer, name, start, stop) of each parameter array in
    # them, whether a layer needs dE/d(input), whether the output's delta is the fused (out - target) / n
    params: np.ndarray
    grads: np.ndarray
    segments: list[tuple[Layer, str, int, int]]
    _need_input_grad: list[bool]
    fused_output: bool

    def __init__(self, layers: Sequence[Layer] | Layer, loss: str | Loss = "sse", *, dtype: Any = "float64",
                 seed: int | None = None):
        layers, sized = check.layer_stack(layers, Layer, instead_of)
        self.layers: list[Layer] = layers
        self.loss_function: Loss = get_loss(loss)
        evaluation.check_output(self.loss_function, sized, loss)
        self.dtype = check.as_dtype(dtype)
        seed = check.seed(seed)
        self.n_inputs: int = int(sized[0].n_in)
        self.n_outputs: int = int(sized[-1].n_out)
        if seed is not None:
            rng = np.random.default_rng(seed)
            for layer in self.layers:
                layer.initialize(rng)
        self.rng = np.random.default_rng(seed)            # shuffling and dropout when fit has no seed
        for layer in self.layers:                         # and dropout in step, train_steps, backprop
            if hasattr(layer, "rng"):
                layer.rng = self.rng
        self._build_buffers()
        self.optimizer: Any = None
        self.history: History | None = None
        self.epochs_trained = 0
        self.stop_training = False
        self.last_output: np.ndarray | None = None

    # -- parameters ---------------------------------------------------------------------------
    def _build_buffers(self) -> None:
        flat.build_buffers(self)

    def __getstate__(self) -> dict:
        """Pickle the weights, optimizer state and history, not the last pass's outputs (a cache as large as its
        batch: a full-batch fit's pickle would be its rows' size, not its weights')."""
        state = self.__dict__.copy()
        state["last_output"] = None
        return state

    def __setstate__(self, state: dict) -> None:
        """After unpickling (joblib, multiprocessing) the layers' W and b are copies: make them
        views of the flat buffers again, so that training updates what the layers use."""
        self.__dict__.update(state)
        self._build_buffers()

    @property
    def dense_layers(self) -> list[Dense]:
        return [layer for layer in self.layers if isinstance(layer, Dense)]

    @property
    def n_params(self) -> int:
        return int(self.params.size)

    def trainable_slices(self) -> list[slice]:
        """The parts of `params` that learn (frozen parameters are left out), merged where adjacent."""
        return flat.trainable_slices(self.segments, self.params.size)

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter array, layer by layer (W, b, W, b, ...)."""
        return [getattr(layer, name).copy() for layer, name, _, _ in self.segments]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set every parameter array from a list like `get_weights()` returns."""
        shapes = [(f"{name} of {layer!r}", getattr(layer, name).shape) for layer, name, _, _ in self.segments]
        checked = check.weight_arrays(weights, shapes, self.dtype)    # all checked before any is set
        for (_, _, a, b), w in zip(self.segments, checked):
            self.params[a:b] = w.reshape(-1)

    # -- the pass -----------------------------------------------------------------------------
    def run_forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        """The forward pass on an already checked array (see `check_data`): every layer caches
        its input, net input and output (so never beside a fit in another thread)."""
        refuse_other_thread(self)
        a = X
        for layer in self.layers:
            a = layer.forward(a, training)
        self.last_output = a
        return a

    def run_backward(self, Y: np.ndarray, c: np.ndarray | None = None) -> None:
        """Fill `grads` (and every layer's dout/delta caches) from the cached forward pass (`c`: sample weights)."""
        last = self.layers[-1]
        if self.fused_output:
            assert isinstance(last, Dense) and last.out is not None
            d = self.loss_function.fused_delta(last.out, Y)
            g = last.backward_delta(d if c is None else d * c[:, None], self._need_input_grad[-1])
        else:
            assert self.last_output is not None
            d = self.loss_function.grad(self.last_output, Y)
            g = last.backward(d if c is None else d * c[:, None], self._need_input_grad[-1])
        for layer, need in zip(reversed(self.layers[:-1]), reversed(self._need_input_grad[:-1])):
            g = layer.backward(g, need)

    def loss_value(self, out: np.ndarray, Y: np.ndarray, c: np.ndarray | None = None) -> float:
        """The error of outputs `out` just computed by the forward pass (the fused form reads the
        output layer's net input); weighted by the sample-weight factors `c` if given."""
        net = self.layers[-1].net if self.fused_output else None
        return self.loss_function.value(out, Y, net) if c is None else sw.value(self.loss_function, out, Y, net, c)

    def forward(self, X: ArrayLike) -> np.ndarray:
        """Outputs for inputs X of shape (n_samples, n_inputs): shape (n_samples, n_outputs).

        Caches every layer's input, net input and output (read by `explain`). Outputs that overflow are
        an error naming the layer, as predict's; rows whose exact outputs are finite (a softmax over
        logits beyond the dtype) get them (`overflow.py`), without NumPy's warnings; the hidden layers'
        caches keep the plain pass's values for those rows (inf where it overflowed)."""
        X = check.as_2d_array(X, "X", self.dtype, self.n_inputs)
        with np.errstate(all="ignore"):
            return finite_outputs(self, X, self.run_forward(X))

    def __call__(self, X: ArrayLike, training: bool = False) -> np.ndarray:
        """`net(X)`, as Keras' `model(x)` and torch's `module(x)`: the outputs for X. training=False (Keras' default)
        is `predict` (dropout off, in chunks); training=True a forward pass with dropout on, as Keras' training=True
        and a torch module in train mode."""
        if not isinstance(training, (bool, np.bool_)):
            raise TypeError(f"{type(self).__name__}(X, training=...) takes True or False; got {training!r}")
        if not training:
            return self.predict(X)
        X = check.as_2d_array(X, "X", self.dtype, self.n_inputs)
        with np.errstate(all="ignore"):
            return finite_outputs(self, X, self.run_forward(X, training=True))

    def backprop(self, X: ArrayLike, Y: ArrayLike, training: bool = False,
                 sample_weight: ArrayLike | None = None) -> float:
        """One forward and backward pass: returns the error E, the gradients left in `grads`."""
        X, Y = self.check_data(X, Y)
        c = sw.batch(sample_weight, X.shape[0], self.dtype)
        E = self.loss_value(self.run_forward(X, training), Y, c)
        self.run_backward(Y, c)
        return E

    def loss(self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None) -> float:
        """The error E of the batch (a Python float); with `sample_weight`, the weighted mean sum w_i E_i / sum w_i
        (scikit-learn's), as gradients: evaluate's and fit's default divides by the rows instead, as Keras' (their
        weight_reduction="mean_with_sample_weight" gives this one). A NaN or infinite E is an error
        (`evaluation.finite_loss`), not a NumPy warning; so are rows whose pass overflowed the dtype, which
        evaluate computes with care (`careful.py`): this pass is the one training steps on. Without `weight_penalty`
        (MLP's alpha), which fit's steps and the loss they log add (as MLP's loss_curve_ does)."""
        X, Y = self.check_data(X, Y)
        with np.errstate(all="ignore"):
            E = self.loss_value(out := self.run_forward(X), Y, sw.batch(sample_weight, X.shape[0], self.dtype))
            wrong = cached_wrong(self, X, out)
        return evaluation.finite_loss(self, E, X, CHUNK, wrong)

    def gradients(self, X: ArrayLike, Y: ArrayLike,
                  sample_weight: ArrayLike | None = None) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(dE/dW, dE/db), ...] for every Dense layer (frozen ones too) of `loss`'s E: without `weight_penalty`'s
        alpha * W / m, which fit's steps add. A NaN or infinite E or gradient, or rows through an overflow of the dtype,
        an error (`evaluation.finite_gradients`), as in `loss`: evaluate computes such rows' loss with care, but
        their gradient would be the plain pass's, which training steps on."""
        X, Y = self.check_data(X, Y)        # X as checked: the first layer (a Dropout) may cache none
        with np.errstate(all="ignore"):
            E = self.backprop(X, Y, sample_weight=sample_weight)
            wrong = cached_wrong(self, X, cast(np.ndarray, self.last_output))
        evaluation.finite_gradients(self, E, X, CHUNK, wrong)
        return [(layer.dW.copy(), layer.db.copy()) for layer in self.dense_layers]

    def step(self, X: ArrayLike, Y: ArrayLike, lr: float) -> float:
        """One plain gradient-descent update w+ = w - lr * dE/dw of every trainable parameter (lr >= 0 as
        torch.optim.SGD takes it: 0 leaves the weights). Returns the error E of this step's forward pass (before the
        update); a step that diverges (or whose update overflows) raises TrainingDiverged, changing nothing."""
        lr = check.learning_rate(lr)
        X, Y = self.check_data(X, Y)
        with np.errstate(all="ignore"):      # divergence is reported by TrainingDiverged
            E = self.train_batch(X, Y)
            plain_update(self.params, self.grads, self.trainable_slices(), lr)
        return E

    def train_batch(self, X: np.ndarray, Y: np.ndarray, c: np.ndarray | None = None,
                    weight_sum: float | None = None) -> float:
        """Forward (training mode), error, backward and the finiteness check on checked arrays
        (`c`: sample-weight factors, `weight_sum`: the weights' sum, the penalty's m): everything of one
        training step but the update. Raises TrainingDiverged."""
        out = self.run_forward(X, training=True)
        E = self.loss_value(out, Y, c)
        self.run_backward(Y, c)
        self.last_weight = m = X.shape[0] if weight_sum is None else weight_sum   # the penalty's m (0: weighs nothing)
        self.last_penalty = l2_penalty(self.dense_layers, self.weight_penalty, m) if self.weight_penalty else 0.0
        E += self.last_penalty
        if not (math.isfinite(E) and math.isfinite(sum_of_squares(self.grads))):
            raise divergence(self.grads, E)
        return E

    # -- targets (evaluation.py) --------------------------------------------------------------
    @property
    def task(self) -> str:
        """"multiclass" (softmax / categorical cross-entropy), "binary" (binary cross-entropy) or "regression"."""
        return evaluation.task(self)

    def check_data(self, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
        """X and Y as checked arrays of the network's dtype (class labels become one-hot rows)."""
        return evaluation.check_data(self, X, Y)

    def targets(self, Y: ArrayLike) -> np.ndarray:
        """Y as a (n_samples, n_outputs) array; integer class labels become one-hot rows."""
        return evaluation.targets(self, Y)

    def n_correct(self, out: np.ndarray, Y: np.ndarray) -> float | None:
        """Correct predictions among outputs `out` for targets Y (None for regression)."""
        return evaluation.n_correct(self.task, out, Y)

    # -- files and display --------------------------------------------------------------------
    def save(self, path: str | os.PathLike, overwrite: bool = True, include_optimizer: bool = True) -> None:
        """Write the network to one .npz file (arrays + JSON architecture; never pickle).
        An existing file is replaced atomically; `overwrite=False` refuses it, as save_weights does (Keras' save,
        whose second argument it is, asks). Named exactly `path`: `cr.save`; `cr.load` reads it back.

        Examples
        --------
        >>> import os, tempfile, numpy as np, chainrule as cr
        >>> net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
        >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
        >>> net.save(path)
        >>> X = np.array([[0.5, -1.0]])
        >>> bool((cr.load(path).predict(X) == net.predict(X)).all())
        True
        """
        from ..saving.npz import save
        save(self, path, overwrite, include_optimizer=include_optimizer)

    def _check_saveable(self) -> None:
        """Refuse what `save` would refuse for its classes (an unregistered schedule): a ModelCheckpoint
        asks before the first epoch, not at its first save."""
        from ..saving.npz import check_registered
        check_registered(self)

    def to_onnx(self, path: Any = None, opset: int = 17, preprocessing: Any = None, checks: bool = True) -> Any:
        """The network as an ONNX model (written to `path` if given): `saving.onnx.to_onnx`."""
        from ..saving.onnx import to_onnx
        return to_onnx(self, path, opset=opset, preprocessing=preprocessing, checks=checks)

    def to_torch(self) -> Any:
        """The network as a `torch.nn.Sequential` with the same weights: `saving.interop.to_torch`."""
        from ..saving.interop import to_torch
        return to_torch(self)

    def config(self) -> dict:
        return {"layers": [layer.config() for layer in self.layers], "loss": self.loss_function.name,
                "dtype": self.dtype.name}

    @overload
    def summary(self, print_fn: None = None) -> Summary: ...

    @overload
    def summary(self, print_fn: Callable[[str], Any]) -> None: ...

    def summary(self, print_fn: Callable[[str], Any] | None = None) -> Summary | None:
        """Keras' table: each layer with its output shape and parameter count, then the total, trainable and
        non-trainable (frozen) parameters, in 80 columns (`summary.keras_table`). Returned as a str, shown as the
        table at the prompt and in Jupyter (Keras' prints it). print_fn : called with the table, as Keras'
        (summary(print_fn=logger.info)); then None is returned, as Keras' does, so the prompt shows the table once
        (print_fn's), not twice.

        Examples
        --------
        >>> import chainrule as cr
        >>> cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")],
        ...            loss="categorical_crossentropy").summary()
        Network(loss='categorical_crossentropy', dtype=float64)
          -----------------------------------------------------------
          Layer                                 Output Shape  Param #
          -----------------------------------------------------------
          0: Dense(4, 8, activation='relu')     (None, 8)          40
          1: Dense(8, 3, activation='softmax')  (None, 3)          27
          -----------------------------------------------------------
          Total params: 67
          Trainable params: 67
          Non-trainable params: 0
        """
        table = keras_table(self)
        if print_fn is None:
            return table
        if not callable(print_fn):
            raise ChainruleTypeError(f"print_fn must be a function of the table's text (print, logger.info); "
                                     f"got {type(print_fn).__name__}")
        print_fn(table)
        return None

    def __repr__(self) -> str:
        return f"Network({self.layers!r}, loss={self.loss_function.name!r}, dtype={self.dtype.name!r})"
