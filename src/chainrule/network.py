"""Network: a stack of layers, the loss, and the backpropagation that connects them.

All parameters live in one flat vector (`params`) and all gradients in another (`grads`);
each layer's W and b are views into them. The optimizer updates the whole network in a few
vectorized calls, and saving, loading and checkpointing copy one array.
"""
from __future__ import annotations

import math
from typing import Iterable, Sequence

import numpy as np

from . import _kernels
from . import validation as check
from .callbacks import Callback, History, make_progress
from .errors import ChainruleTypeError, TrainingDiverged, ValidationError
from .layers import Dense, Dropout, Layer
from .losses import Loss, get_loss
from .optim import SGD, Optimizer, get_optimizer

_DTYPES = {"float64": np.float64, "float32": np.float32}


def _as_dtype(dtype) -> np.dtype:
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dt is None or dt.name not in _DTYPES:
        raise ValidationError(f"dtype must be 'float64' or 'float32'; got {dtype!r}")
    return dt


def _not_finite(what: str) -> TrainingDiverged:
    return TrainingDiverged(f"{what}; the weights are those of the last finite step. Try a lower learning rate, "
                            "gradient clipping (clip_norm=...), or scaling the inputs.")


class Network:
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

    Examples
    --------
    >>> import numpy as np, chainrule as cr
    >>> net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")],
    ...                  loss="binary_crossentropy", seed=0)
    >>> X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]); y = np.array([0, 1, 1, 0])
    >>> net.forward(X).shape
    (4, 1)
    """

    def __init__(self, layers: Sequence[Layer], loss: str | Loss = "sse", *, dtype="float64",
                 seed: int | None = None):
        if isinstance(layers, Layer):
            layers = [layers]
        if not isinstance(layers, (list, tuple)) or not layers:
            raise ValidationError(f"layers must be a non-empty list of layers; got {layers!r}")
        for i, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise ChainruleTypeError(f"layers[{i}] must be a Layer such as Dense or Dropout; got {type(layer).__name__}")
        if len({id(layer) for layer in layers}) != len(layers):
            raise ValidationError("layers contains the same layer object twice; create a new layer for each position")
        dense = [layer for layer in layers if isinstance(layer, Dense)]
        if not dense:
            raise ValidationError("layers must contain at least one Dense layer")
        for a, b in zip(dense, dense[1:]):
            if a.n_out != b.n_in:
                raise ValidationError(f"layer {layers.index(b)} expects {b.n_in} inputs but the layer before it "
                                      f"gives {a.n_out} outputs")
        self.layers: list[Layer] = list(layers)
        self.loss_function: Loss = get_loss(loss)
        self.dtype = _as_dtype(dtype)
        seed = check.seed(seed)
        self.n_inputs: int = dense[0].n_in
        self.n_outputs: int = dense[-1].n_out
        if seed is not None:
            rng = np.random.default_rng(seed)
            for layer in self.layers:
                layer.initialize(rng)
        self._rng = np.random.default_rng(seed)
        self._build_buffers()
        self.optimizer: Optimizer | None = None
        self.history: History | None = None
        self.epochs_trained = 0
        self.stop_training = False

    # -- parameters ---------------------------------------------------------------------------
    def _build_buffers(self) -> None:
        shapes = [(layer, name, shape) for layer in self.layers for name, shape in layer.param_shapes()]
        total = sum(int(np.prod(shape)) for _, _, shape in shapes)
        self.params = np.empty(total, dtype=self.dtype)
        self.grads = np.zeros(total, dtype=self.dtype)
        self._segments: list[tuple[Layer, str, int, int]] = []
        offset = 0
        views: dict[int, dict[str, tuple]] = {}
        for layer, name, shape in shapes:
            size = int(np.prod(shape))
            p = self.params[offset:offset + size].reshape(shape)
            g = self.grads[offset:offset + size].reshape(shape)
            views.setdefault(id(layer), {})[name] = (p, g)
            self._segments.append((layer, name, offset, offset + size))
            offset += size
        for layer in self.layers:
            if isinstance(layer, Dense):
                v = views[id(layer)]
                layer._bind(v["W"][0], v["b"][0], v["W"][1], v["b"][1])
        # a layer needs dE/d(input) only when some layer below it has parameters
        below, self._need_input_grad = False, []
        for layer in self.layers:
            self._need_input_grad.append(below)
            below = below or bool(layer.param_shapes())
        self._fused = (isinstance(self.layers[-1], Dense)
                       and self.layers[-1].activation.name == self.loss_function.fused_with)

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
        slices: list[list[int]] = []
        for layer, name, start, stop in self._segments:
            if getattr(layer, "trainable_params", {}).get(name, True):
                if slices and slices[-1][1] == start:
                    slices[-1][1] = stop
                else:
                    slices.append([start, stop])
        if slices == [[0, self.params.size]]:
            return [slice(None)]          # everything learns: the optimizer updates the whole vector
        return [slice(a, b) for a, b in slices]

    def get_weights(self) -> list[np.ndarray]:
        """Copies of every parameter array, layer by layer (W, b, W, b, ...)."""
        return [getattr(layer, name).copy() for layer, name, _, _ in self._segments]

    def set_weights(self, weights: Sequence[np.ndarray]) -> None:
        """Set every parameter array from a list like `get_weights()` returns."""
        shapes = [(f"{name} of {layer!r}", getattr(layer, name).shape) for layer, name, _, _ in self._segments]
        checked = check.weight_arrays(weights, shapes, self.dtype)    # all checked before any is set
        for (_, _, a, b), w in zip(self._segments, checked):
            self.params[a:b] = w.reshape(-1)

    # -- the pass -----------------------------------------------------------------------------
    def _forward(self, X: np.ndarray, training: bool = False) -> np.ndarray:
        a = X
        for layer in self.layers:
            a = layer.forward(a, training)
        return a

    def _backward(self, Y: np.ndarray) -> None:
        """Fill `grads` (and every layer's dout/delta caches) from the cached forward pass."""
        last = self.layers[-1]
        if self._fused:
            g = last.backward_delta(self.loss_function.fused_delta(last.out, Y), self._need_input_grad[-1])
        else:
            g = last.backward(self.loss_function.grad(self._last_output, Y), self._need_input_grad[-1])
        for layer, need in zip(reversed(self.layers[:-1]), reversed(self._need_input_grad[:-1])):
            g = layer.backward(g, need)

    def _loss_value(self, out: np.ndarray, Y: np.ndarray) -> float:
        net = self.layers[-1].net if self._fused else None
        return self.loss_function.value(out, Y, net)

    def forward(self, X) -> np.ndarray:
        """Outputs for inputs X of shape (n_samples, n_inputs): shape (n_samples, n_outputs).

        Caches every layer's input, net input and output (read by `explain`)."""
        X = check.as_2d_array(X, "X", self.dtype, self.n_inputs)
        self._last_output = self._forward(X)
        return self._last_output

    def backprop(self, X, Y, training: bool = False) -> float:
        """One forward and backward pass: returns the error E and leaves the gradients in
        `grads` (and each layer's caches: x, net, out, dout, delta)."""
        X, Y = self._checked(X, Y)
        self._last_output = self._forward(X, training)
        E = self._loss_value(self._last_output, Y)
        self._backward(Y)
        return E

    def loss(self, X, Y) -> float:
        """The error E of the batch (a Python float), with the network's loss."""
        X, Y = self._checked(X, Y)
        out = self._last_output = self._forward(X)
        return self._loss_value(out, Y)

    def gradients(self, X, Y) -> list[tuple[np.ndarray, np.ndarray]]:
        """[(dE/dW, dE/db), ...] for every Dense layer, shapes of (W, b); frozen ones too."""
        self.backprop(X, Y)
        return [(layer.dW.copy(), layer.db.copy()) for layer in self.dense_layers]

    def step(self, X, Y, lr: float) -> float:
        """One plain gradient-descent update w+ = w - lr * dE/dw of every trainable parameter.

        Returns the error E computed in this step's forward pass, i.e. before the update."""
        X, Y = self._checked(X, Y)
        return self._train_batch(X, Y, SGD(lr))

    def train_steps(self, X, Y, steps: int, optimizer: Optimizer | str | None = None) -> float:
        """`steps` updates on the same batch (X, Y), checked once: the seeds' training loop in one
        call. The optimizer defaults to the network's (else SGD(lr=0.5), the seed's rate).
        Returns the error of the last step's forward pass (before its update)."""
        steps = check.positive_int(steps, "steps")
        X, Y = self._checked(X, Y)
        if optimizer is not None:
            self.optimizer = get_optimizer(optimizer)
        elif self.optimizer is None:
            self.optimizer = SGD(0.5)
        opt, slices = self.optimizer, self.trainable_slices()
        compiled = _kernels.epoch_args(self, opt, X, Y)
        if compiled is not None:      # the same steps in one compiled loop (the loop below is the reference)
            n = X.shape[0]
            losses, _, bad = _kernels.epoch(self, opt, compiled, X, Y, np.tile(np.arange(n), steps), n,
                                            np.zeros(1, np.int64), slices)
            if bad >= 0:
                raise self._diverged(_not_finite("the loss or a gradient became NaN or infinite"), 0, bad,
                                     where=f"at step {bad + 1}")
            return float(losses[-1])
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported by TrainingDiverged
            for _ in range(steps):
                E = self._train_batch(X, Y, opt, slices)
        return E

    def _train_batch(self, X: np.ndarray, Y: np.ndarray, optimizer: Optimizer,
                     slices: list[slice] | None = None) -> float:
        """The hot path: forward, error, backward, finiteness check, update. `slices` (the
        trainable parts, see `trainable_slices`) may be computed once by the caller."""
        out = self._last_output = self._forward(X, training=True)
        E = self._loss_value(out, Y)
        self._backward(Y)
        if not (math.isfinite(E) and math.isfinite(float(np.dot(self.grads, self.grads)))):
            raise _not_finite(f"the loss became {E}" if not math.isfinite(E) else "the gradient became NaN or infinite")
        optimizer.step(self.params, self.grads, self.trainable_slices() if slices is None else slices)
        return E

    # -- targets ------------------------------------------------------------------------------
    @property
    def task(self) -> str:
        """"multiclass" (softmax / categorical cross-entropy), "binary" (binary cross-entropy) or "regression"."""
        last = self.dense_layers[-1]
        if self.loss_function.name == "categorical_crossentropy" or last.activation.name == "softmax":
            return "multiclass"
        if self.loss_function.name == "binary_crossentropy":
            return "binary"
        return "regression"

    def _checked(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        X = check.as_2d_array(X, "X", self.dtype, self.n_inputs)
        Y = self.targets(Y)
        check.same_length(X, Y)
        return X, Y

    def targets(self, Y) -> np.ndarray:
        """Y as a (n_samples, n_outputs) array; integer class labels become one-hot rows."""
        try:
            arr = np.asarray(Y)
        except (TypeError, ValueError) as exc:
            raise ChainruleTypeError(f"Y must be a numeric array; could not convert it: {exc}") from None
        if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ChainruleTypeError(f"Y must be a numeric array; got an array of dtype {arr.dtype}")
        if np.iscomplexobj(arr):
            raise ChainruleTypeError("Y must be real; got complex values")
        k = self.n_outputs
        labels = arr.ndim == 1 or (arr.ndim == 2 and arr.shape[1] == 1 and k > 1)
        if labels and k == 1:
            arr = arr.reshape(-1, 1)
        elif labels:
            if self.task != "multiclass":
                raise ValidationError(f"Y of shape {arr.shape} does not fit a network with {k} outputs: "
                                      f"expected shape (n_samples, {k})")
            arr = self._one_hot(arr.reshape(-1), k)
        if arr.ndim != 2 or arr.shape[1] != k:
            raise ValidationError(f"Y must have shape (n_samples, {k}) for a network with {k} outputs; got {arr.shape}")
        if arr.shape[0] == 0:
            raise ValidationError("Y is empty: expected at least one sample")
        with np.errstate(over="ignore", invalid="ignore"):    # an overflowing cast is reported below
            arr = arr.astype(self.dtype, copy=False)
        check.check_finite(arr, "Y")
        name = self.loss_function.name
        if name == "binary_crossentropy" and ((arr < 0).any() or (arr > 1).any()):
            raise ValidationError("Y must lie in [0, 1] for binary_crossentropy; got values from "
                                  f"{arr.min():g} to {arr.max():g}")
        if name == "categorical_crossentropy":
            sums = arr.sum(axis=1)
            if (arr < 0).any() or not np.allclose(sums, 1.0, atol=1e-3):
                row = int(np.argmax(np.abs(sums - 1.0) + (arr < 0).any(axis=1)))
                raise ValidationError("Y rows must be one-hot or probabilities summing to 1 for categorical_crossentropy; "
                                      f"row {row} is {arr[row].tolist()}")
        return arr

    @staticmethod
    def _one_hot(labels: np.ndarray, k: int) -> np.ndarray:
        if labels.dtype.kind not in "iub":
            check.check_finite(labels, "Y (class labels)")
            if labels.size and not np.all(np.equal(np.mod(labels, 1), 0)):
                raise ValidationError(f"class labels in Y must be integers 0..{k - 1}; got non-integer values")
            if labels.size and (labels.min() < 0 or labels.max() >= k):
                raise ValidationError(f"class labels in Y must lie in 0..{k - 1} for a network with {k} outputs; "
                                      f"got values from {labels.min():g} to {labels.max():g}")
        labels = labels.astype(np.int64)
        if labels.size and (labels.min() < 0 or labels.max() >= k):
            raise ValidationError(f"class labels in Y must lie in 0..{k - 1} for a network with {k} outputs; "
                                  f"got values from {labels.min()} to {labels.max()}")
        Y = np.zeros((labels.size, k))
        Y[np.arange(labels.size), labels] = 1.0
        return Y

    def _n_correct(self, out: np.ndarray, Y: np.ndarray) -> float | None:
        task = self.task
        if task == "multiclass":
            return float(np.count_nonzero(out.argmax(axis=1) == Y.argmax(axis=1)))
        if task == "binary":
            return float(np.count_nonzero((out > 0.5) == (Y > 0.5))) / Y.shape[1]
        return None

    # -- training and use ---------------------------------------------------------------------
    def fit(self, X, Y, epochs: int = 1, batch_size: int | None = 32, optimizer: Optimizer | str | None = None,
            shuffle: bool = True, validation_data: tuple | None = None, validation_split: float = 0.0,
            callbacks: Iterable[Callback] = (), seed: int | None = None, verbose: int = 1,
            checkpoint_dir: str | None = None, resume: bool = False) -> History:
        """Train by mini-batch gradient descent; returns a History (Keras' `model.fit`).

        Parameters
        ----------
        X, Y : inputs (n_samples, n_inputs) and targets (n_samples, n_outputs), or integer
            class labels (n_samples,) for a softmax output.
        epochs : passes over the data.
        batch_size : samples per update; None for the whole set (full-batch gradient descent).
        optimizer : an optimizer of `chainrule.optim` or its name; kept on the network, so a
            later `fit` continues with its state. Default: the previous one, else Adam(lr=1e-3).
        shuffle : reshuffle the samples every epoch.
        validation_data : (X_val, Y_val) evaluated after each epoch.
        validation_split : fraction of the samples (the last ones, before shuffling) held out.
        callbacks : e.g. `EarlyStopping`, `ModelCheckpoint`.
        seed : seeds shuffling and dropout: same seed, same result, bit for bit.
        verbose : 0 silent, 1 progress bar, 2 one line per epoch.
        checkpoint_dir : write a checkpoint there at the end of every epoch (atomically).
        resume : continue from the last complete checkpoint in checkpoint_dir (if any); with
            the same arguments the result equals an uninterrupted run bit for bit.
        """
        epochs = check.positive_int(epochs, "epochs")
        shuffle, resume, seed = check.flag(shuffle, "shuffle"), check.flag(resume, "resume"), check.seed(seed)
        if checkpoint_dir is not None:
            check.path_like(checkpoint_dir, "checkpoint_dir")
        X, Y = self._checked(X, Y)
        if not isinstance(validation_split, (int, float)) or not 0.0 <= validation_split < 1.0:
            raise ValidationError(f"validation_split must be a number in [0, 1); got {validation_split!r}")
        if validation_split and validation_data is not None:
            raise ValidationError("give validation_data or validation_split, not both")
        if validation_split:
            n_val = int(round(X.shape[0] * validation_split))
            if n_val < 1 or n_val >= X.shape[0]:
                raise ValidationError(f"validation_split={validation_split} leaves {X.shape[0] - n_val} training and "
                                      f"{n_val} validation samples of {X.shape[0]}; both need at least one")
            X, Y, validation_data = X[:-n_val], Y[:-n_val], (X[-n_val:], Y[-n_val:])
        if validation_data is not None:
            if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
                raise ValidationError("validation_data must be a pair (X_val, Y_val)")
            validation_data = self._checked(*validation_data)
        n = X.shape[0]
        batch_size = n if batch_size is None else min(check.positive_int(batch_size, "batch_size"), n)
        if optimizer is not None:
            self.optimizer = get_optimizer(optimizer)
        elif self.optimizer is None:
            from .optim import Adam
            self.optimizer = Adam()
        opt = self.optimizer
        rng = np.random.default_rng(seed) if seed is not None else self._rng
        for layer in self.layers:
            if isinstance(layer, Dropout):
                layer.rng = rng
        history = History()
        if resume and checkpoint_dir is None:
            raise ValidationError("resume=True needs checkpoint_dir, the folder the checkpoints are in")
        first_epoch = 0
        if resume:
            from .checkpoint import restore
            first_epoch = restore(self, checkpoint_dir, rng, history)
            opt = self.optimizer if self.optimizer is not None else opt
            self.optimizer = opt
        cbs = [*make_progress(verbose), *callbacks, history]   # History last: it records what others add
        for cb in cbs:
            if not isinstance(cb, Callback):
                raise ChainruleTypeError(f"callbacks must be Callback instances; got {type(cb).__name__}")
            cb.set_network(self)
        self.stop_training = False
        params = {"epochs": epochs, "steps": -(-n // batch_size), "samples": n, "batch_size": batch_size}
        for cb in cbs:
            cb.on_train_begin(params)
        with np.errstate(over="ignore", invalid="ignore"):   # divergence is reported by TrainingDiverged
            self._epochs(X, Y, validation_data, first_epoch, epochs, batch_size, shuffle, rng, opt, cbs,
                         checkpoint_dir, history)
        for cb in cbs:
            cb.on_train_end()
        self.history = history
        return history

    def _epochs(self, X, Y, validation_data, first_epoch, epochs, batch_size, shuffle, rng, opt, cbs,
                checkpoint_dir, history) -> None:
        """The training loop of `fit`, epoch by epoch, batch by batch."""
        n = X.shape[0]
        classify = self.task != "regression"
        labels = Y.argmax(axis=1) if self.task == "multiclass" else None
        # only the callbacks that use the per-batch hooks are called per batch (the hot loop)
        begin = [cb for cb in cbs if type(cb).on_batch_begin is not Callback.on_batch_begin]
        end = [cb for cb in cbs if type(cb).on_batch_end is not Callback.on_batch_end]
        predicted = np.empty(n, dtype=np.intp) if labels is not None else None
        xbuf = np.empty((min(batch_size, n), X.shape[1]), dtype=X.dtype) if shuffle else None
        ybuf = np.empty((min(batch_size, n), Y.shape[1]), dtype=Y.dtype) if shuffle else None
        compiled = None
        if not [cb for cb in begin + end if not getattr(cb, "per_batch_optional", False)]:
            compiled = _kernels.epoch_args(self, opt, X, Y)
        for epoch in range(first_epoch, epochs):
            opt.set_epoch(self.epochs_trained)
            for cb in cbs:
                cb.on_epoch_begin(epoch)
            slices = self.trainable_slices()
            order = rng.permutation(n) if shuffle else None
            total, correct = 0.0, 0
            if compiled is not None:
                # small networks: the same epoch in one compiled loop (NumPy below is the reference)
                losses, correct, bad = _kernels.epoch(self, opt, compiled, X, Y,
                                                      np.arange(n) if order is None else order, batch_size,
                                                      labels if labels is not None else np.zeros(1, np.int64), slices)
                if bad >= 0:
                    raise self._diverged(_not_finite("the loss or a gradient became NaN or infinite"), epoch, bad)
                sizes = np.full(len(losses), batch_size, dtype=np.float64)
                sizes[-1] = n - batch_size * (len(losses) - 1)
                total = float(np.dot(losses, sizes))
                self._end_epoch(epoch, epochs, total, correct, n, classify, validation_data, cbs, checkpoint_dir,
                                rng, history)
                if self.stop_training:
                    break
                continue
            for batch, start in enumerate(range(0, n, batch_size)):
                if order is None:
                    idx = slice(start, start + batch_size)
                    xb, yb = X[idx], Y[idx]                       # views: nothing copied
                else:                                             # gathered into the reused batch buffers
                    idx = order[start:start + batch_size]
                    xb = np.take(X, idx, axis=0, out=xbuf[:idx.shape[0]], mode="clip")
                    yb = np.take(Y, idx, axis=0, out=ybuf[:idx.shape[0]], mode="clip")
                for cb in begin:
                    cb.on_batch_begin(batch)
                try:
                    E = self._train_batch(xb, yb, opt, slices)
                except TrainingDiverged as exc:
                    raise self._diverged(exc, epoch, batch) from None
                total += E * xb.shape[0]
                if labels is not None:
                    predicted[idx] = self._last_output.argmax(axis=1)     # compared once per epoch
                elif classify:
                    correct += self._n_correct(self._last_output, yb)
                for cb in end:
                    cb.on_batch_end(batch, {"loss": E})
            if labels is not None:
                correct = int(np.count_nonzero(predicted == labels))
            self._end_epoch(epoch, epochs, total, correct, n, classify, validation_data, cbs, checkpoint_dir,
                            rng, history)
            if self.stop_training:
                break

    def _end_epoch(self, epoch, epochs, total, correct, n, classify, validation_data, cbs, checkpoint_dir, rng,
                   history) -> None:
        self.epochs_trained += 1
        logs = {"loss": total / n}
        if classify:
            logs["accuracy"] = correct / n
        if validation_data is not None:
            for key, value in self._evaluate(*validation_data).items():
                logs["val_" + key] = value
        for cb in cbs:
            cb.on_epoch_end(epoch, logs)
        if checkpoint_dir is not None:
            from .checkpoint import write
            write(self, checkpoint_dir, epoch=epoch, epochs=epochs, rng=rng, history=history)

    def _diverged(self, exc: TrainingDiverged, epoch: int, batch: int, where: str | None = None) -> TrainingDiverged:
        """The error of `fit` for a diverged step: where (1-based epoch and batch), and what to try.
        The check runs before the update, so the weights are finite unless an update with finite
        gradients overflowed (then the message says so instead of promising the last finite step)."""
        msg = str(exc)
        if not np.isfinite(self.params).all():
            msg = msg.replace("the weights are those of the last finite step",
                              "the previous update overflowed, so some weights are NaN or infinite")
        return TrainingDiverged(f"training diverged {where or f'in epoch {epoch + 1}, batch {batch + 1}'}: {msg}")

    def predict(self, X, batch_size: int | None = None) -> np.ndarray:
        """The network's outputs for X (dropout off), in chunks of `batch_size` if given."""
        if batch_size is not None:
            batch_size = check.positive_int(batch_size, "batch_size")
        X = check.as_2d_array(X, "X", self.dtype, self.n_inputs)
        if batch_size is None or batch_size >= X.shape[0]:
            return self._forward(X).copy()
        return np.concatenate([self._forward(X[i:i + batch_size]) for i in range(0, X.shape[0], batch_size)])

    def predict_classes(self, X) -> np.ndarray:
        """Class indices: argmax for several outputs, 0/1 at 0.5 for one sigmoid output."""
        out = self.predict(X)
        return out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5).astype(np.int64)

    def evaluate(self, X, Y) -> dict[str, float]:
        """{"loss": E, "accuracy": fraction correct (classification only)} with dropout off."""
        return self._evaluate(*self._checked(X, Y))

    def _evaluate(self, X: np.ndarray, Y: np.ndarray) -> dict[str, float]:
        out = self._forward(X)
        result = {"loss": self._loss_value(out, Y)}
        if self.task != "regression":
            result["accuracy"] = self._n_correct(out, Y) / X.shape[0]
        return result

    # -- files and display --------------------------------------------------------------------
    def save(self, path, include_optimizer: bool = True) -> None:
        """Write the network to one .npz file (arrays + JSON architecture; never pickle).
        An existing file is replaced atomically."""
        from .io import save
        save(self, path, include_optimizer=include_optimizer)

    def config(self) -> dict:
        return {"layers": [layer.config() for layer in self.layers], "loss": self.loss_function.name,
                "dtype": self.dtype.name}

    def summary(self) -> str:
        lines = [f"Network(loss={self.loss_function.name!r}, dtype={self.dtype.name})"]
        for i, layer in enumerate(self.layers):
            n = sum(int(np.prod(s)) for _, s in layer.param_shapes())
            lines.append(f"  {i}: {layer!r:<50} {n:>8} parameters")
        lines.append(f"  total: {self.n_params} parameters")
        return "\n".join(lines)

    def __repr__(self):
        return f"Network({self.layers!r}, loss={self.loss_function.name!r}, dtype={self.dtype.name!r})"
