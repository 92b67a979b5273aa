"""The Network's Keras-style methods: fit, train_steps, predict, predict_classes, evaluate, save_weights and
load_weights.

Each checks its own arguments and hands the network to the module that does the work: fit and train_steps to
`chainrule.training` (above this package, imported when called), predict to `predict.py`, evaluate to
`evaluation.py` and `metrics.py`, the weights files to `saving/weights.py`. `Network` (network.py) inherits
them; the pass, the gradients and the parameters they use are its own.
"""
from __future__ import annotations

import functools
import inspect
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeVar, cast, overload

import numpy as np
from numpy.typing import ArrayLike

from ..errors import ValidationError, did_you_mean
from . import checks as check
from . import evaluation
from . import sample_weight as sw
from .inference import fitting
from .metrics import as_list, for_network
from .metrics import evaluate as evaluate_named
from .metrics import metrics as named_metrics
from .predict import chunked, predict, refuse_csv_table
from .sparse import rows as sparse_rows
from .stage_hooks import StageHooks

if TYPE_CHECKING:
    from ..training.callbacks import History
    from .network import Network

#: rows per chunk of predict and evaluate (8 MB per 64-wide float64 layer)
CHUNK = 16384


#: Keras' Model methods chainrule has not, and what does their work here (said by `_KerasOnly`)
KERAS_ONLY = {
    "compile": "chainrule has no compile: the loss is Network(layers, loss=...), the optimizer and metrics are "
               "fit's (fit(X, y, optimizer='adam', metrics=['accuracy']))",
    "train_on_batch": "one update on one batch is train_steps(X, y, steps=1, optimizer=...)",
    "test_on_batch": "evaluate(X, y) gives the loss and accuracy of any rows",
    "predict_on_batch": "predict(X) takes any rows",
    "count_params": "the parameter count is the property n_params",
    "add": "a Network is built from its whole list of layers: Network([Dense(64, 16, 'relu'), Dense(16, 10, "
           "'softmax')], loss=...)",
}


_F = TypeVar("_F", bound=Callable[..., Any])


def keras_xy(method: _F) -> _F:
    """The method also takes Keras' names of its data, x= and y= (model.fit(x=X, y=y)), for X and Y; both names of
    one given: a TypeError naming them. Only the names the method has (predict's y= is refused as y, as Keras').
    An argument given twice (fit(X, y, X=X)), too many by position, one unknown (with the nearest name: epochs=
    for epoch=) or one missing (evaluate(X) without Y): a TypeError in the caller's words, naming the network's
    class, where Python's named this mixin (KerasMethods.fit() got multiple values for argument 'X')."""
    names = inspect.signature(method).parameters
    positional = [n for n, p in names.items() if p.kind is p.POSITIONAL_OR_KEYWORD][1:]      # after self
    keywords = [n for n, p in names.items() if p.kind is p.KEYWORD_ONLY][:2]
    required = [n for n in positional if names[n].default is names[n].empty]

    @functools.wraps(method)
    def taking(self: Any, *args: Any, **kwargs: Any) -> Any:
        called = f"{type(self).__name__}.{method.__name__}()"
        for keras, ours in (("x", "X"), ("y", "Y")):
            if keras in kwargs and ours in names:
                if ours in kwargs or len(args) > "XY".index(ours):
                    raise TypeError(f"{called} got both {ours} and {keras} (Keras' name of {ours}): give one")
                kwargs[ours] = kwargs.pop(keras)
        if len(args) > len(positional):
            by_name = ", ".join(f"{n}=" for n in keywords)
            raise TypeError(f"{called} takes at most {len(positional)} arguments by position "
                            f"({', '.join(positional)}); got {len(args)}"
                            + f": give the others by name ({by_name} ...)" * bool(by_name))
        for name in kwargs:
            if name not in names:
                raise TypeError(f"{called} got an unexpected keyword argument {name!r}"
                                + did_you_mean(name, [n for n in names if n != "self"], " (did you mean {}=?)"))
        for place, name in zip(ORDINALS, positional[:len(args)]):
            if name in kwargs:
                raise TypeError(f"{called} got {name} twice: as the {place} argument and as {name}=")
        for name in required:
            if name not in kwargs and positional.index(name) >= len(args):
                raise TypeError(f"{called} needs {name}, {MEANT.get(name, 'its ' + name)}" + (
                    ": evaluate(X, Y) (Keras' evaluate(x) of a dataset of (x, y) batches is not taken here: give its "
                    "arrays)" if (method.__name__, name) == ("evaluate", "Y") else ""))
        return method(self, *args, **kwargs)
    return cast(_F, taking)


ORDINALS = ("first", "second", "third", "fourth", "fifth")
#: what a required argument of keras_xy's methods holds, said where it is missing (Python named this mixin)
MEANT = {"X": "the inputs (Keras' x), one row per sample", "Y": "the targets of X's rows (Keras' y)"}


class _KerasOnly:
    """A Keras Model method chainrule has not (`KERAS_ONLY`): reading it raises an AttributeError saying what does
    its work here. A descriptor, not a `__getattr__`: a property whose getter raises AttributeError then raises it
    once, as it is (a `__getattr__` is called after it and would run the getter again, or hide its error)."""

    def __init__(self, name: str):
        self.name = name

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        raise AttributeError(f"'{(owner or type(obj)).__name__}' object has no attribute {self.name!r} (Keras' "
                             f"Model.{self.name}): " + KERAS_ONLY[self.name], name=self.name, obj=obj)


class KerasMethods:
    """fit, train_steps, predict, predict_classes and evaluate of `Network`, which inherits them (and is the only
    class that does: each method's `net` is `self` as the Network it is)."""

    def __dir__(self) -> list[str]:
        """Not the names above, which only raise their hint (tab completion offers what works)."""
        return [name for name in super().__dir__() if name not in KERAS_ONLY]

    @keras_xy
    def fit(self, X: ArrayLike, Y: ArrayLike | None = None, *, epochs: int = 1, batch_size: int | None = 32,
            optimizer: Any = None, shuffle: bool | None = True, validation_data: tuple | None = None,
            validation_split: float = 0.0, callbacks: Sequence[Any] | None = (), seed: int | None = None,
            verbose: int | str = "auto", checkpoint_dir: str | None = None, resume: bool = False, comm: Any = None,
            sample_weight: ArrayLike | None = None, class_weight: dict | str | None = None,
            initial_epoch: int = 0, weight_reduction: str = "sum_over_batch_size", validation_freq: Any = 1,
            validation_batch_size: int | None = None, steps_per_epoch: int | None = None,
            validation_steps: int | None = None,
            metrics: list[str] | None = None, weighted_metrics: list[str] | None = None) -> History:
        """Train by mini-batch gradient descent; returns a History (Keras' `model.fit`; keywords after X, Y).

        Parameters
        ----------
        X, Y (or Keras' x=, y=) : inputs (n_samples, n_inputs) and targets (n_samples, n_outputs), or integer
            class labels (n_samples,) for a softmax output. A memmap (or h5py, zarr) X is read per
            batch (`training/streaming.py`); Y=None: X is a sequence of (x, y) batches (`sequence.py`).
        epochs : the index of the last epoch: passes over the data after `initial_epoch` (Keras'; default 0),
            the index of the first (fit(epochs=20, initial_epoch=10) trains 10, numbered 11-20).
        batch_size : samples per update; None for the whole set (full-batch gradient descent).
        optimizer : an optimizer of `chainrule.optim` or its name; kept on the network, so a
            later `fit` continues with its state. Default: the previous one, else Adam(lr=1e-3).
        shuffle : reshuffle the samples every epoch (Keras' None and 0 no, 1 yes). seed : seeds shuffling and
            dropout (bit for bit; from batch 128 on, with CHAINRULE_BLAS_THREADS fixed: backend/threads.py `Balance`).
        validation_data : (X_val, Y_val) evaluated after each epoch, or a sequence of (x, y) batches (a Keras
            PyDataset, a list of pairs) whatever X is; validation_split : the fraction
            of the samples held out instead: the last n - floor(n * (1 - split)), before shuffling (Keras).
        callbacks : e.g. `EarlyStopping`, `ModelCheckpoint`; Keras' `BackupAndRestore(dir)` is checkpoint_dir=dir with
            resume=True. verbose : 0 silent, 1 or 'auto' bar, 2 a line an epoch.
        checkpoint_dir : a checkpoint there after every epoch (atomic); resume : continue from it
            (with the same arguments the result equals an uninterrupted run bit for bit).
        comm : an mpi4py communicator: data-parallel training under mpiexec (`training/distributed.py`).
        sample_weight : one weight >= 0 per sample (`sample_weight.py`); validation_data may then be (X_val, Y_val,
            w_val). class_weight : {class index: weight} (Keras') or "balanced" (counted with sample_weight, as
            compute_class_weight): the rows' weights by class, times sample_weight (scikit-learn's rule; Keras refuses
            both); a sequence's batches' by class (a dict).
        metrics, weighted_metrics : Keras' compile's ["accuracy"]: counting each row once, or weighted
            ("weighted_accuracy" given both); neither: the weighted one (`nn/metrics.py`). weight_reduction : a
            weighted batch's loss, sum_i w_i E_i, divided by its rows, Keras' "sum_over_batch_size" (default), or by
            sum_i w_i, "mean_with_sample_weight" (scikit-learn's MLP: as if row i were repeated w_i times).
        validation_freq : Keras': validate every that many epochs (an integer), or after the epochs listed
            (numbered from 1: [1, 5, 10]); the logs of the other epochs have no val_ values.
        validation_batch_size : rows per chunk of the validation pass (default 16,384; Keras': batch_size).
        steps_per_epoch, validation_steps : Keras'; only None, or the epoch's own batches (one pass: the error
            says what to do).
        """
        try:                # under MPI, wrong on one rank alone: raised on every rank at their meeting (else a hang)
            from ..training.callbacks import keras_backup  # Keras' callback: checkpoint_dir, resume=True

            given, folder, resume, keras = keras_backup(callbacks, checkpoint_dir, check.flag(resume, "resume"))
            backup = None
            if folder is not None:
                from ..saving.checkpoint import BackupAndRestore
                backup = BackupAndRestore(check.path_like(folder, "checkpoint_dir"), resume=resume,
                                          delete_at_end=bool(keras and keras.delete_checkpoint), keras=bool(keras),
                                          double=bool(keras and keras.double_checkpoint))
            elif resume:
                raise ValidationError("resume=True needs checkpoint_dir, the folder the checkpoints are in")
        except Exception as exc:
            if comm is not None:
                from ..training.meeting import agree
                agree(comm, exc)
            raise
        from ..training.fitting import fit
        with fitting(net := cast("Network", self)):
            return fit(net, X, Y, epochs=epochs, batch_size=batch_size, optimizer=optimizer, shuffle=shuffle,
                       validation_data=validation_data, validation_split=validation_split, callbacks=given,
                       seed=seed, verbose=verbose, backup=backup, comm=comm,
                       sample_weight=sample_weight, metrics=metrics, weighted_metrics=weighted_metrics,
                       class_weight=class_weight, initial_epoch=initial_epoch, weight_reduction=weight_reduction,
                       validation_freq=validation_freq, validation_batch_size=validation_batch_size,
                       steps_per_epoch=steps_per_epoch, validation_steps=validation_steps)

    @keras_xy
    def train_steps(self, X: ArrayLike, Y: ArrayLike, steps: int, optimizer: Any = None) -> float:
        """`steps` updates on the same batch (X, Y), checked once: the seeds' training loop in one
        call. The optimizer defaults to the network's (else SGD(lr=0.5), the seed's rate).
        Returns the error of the last step's forward pass (before its update)."""
        from ..training.steps import train_steps
        return train_steps(cast("Network", self), X, Y, steps, optimizer)

    @keras_xy
    def predict(self, X: ArrayLike, batch_size: int | None = None, verbose: int | str = 0,
                callbacks: Sequence[Any] | None = (), steps: None = None) -> np.ndarray:
        """The network's outputs for X (dropout off), computed in chunks of `batch_size` rows
        (default: about 2 MB of buffers, at least 1,024 rows), so that memory does not grow with
        X's length. Rows whose outputs are NaN or infinite are computed again with care (`overflow.py`):
        their exact outputs where finite, else an error naming the layer that overflows.
        verbose : 0 silent; 1, 2 or 'auto' (Keras') a line once done. callbacks : Keras' on_predict_begin,
        on_predict_batch_begin/_end (logs {"outputs": the batch's rows}, batches of batch_size, else Keras' 32)
        and on_predict_end of those that define them (`StageHooks`: each batch computed between its hooks; a hook's
        `self.model.stop_predicting = True` ends the pass after its batch: the rows before it are returned)."""
        check.keras_pass_steps(steps, batch_size, "predict")      # steps: Keras' (None only, the whole of X)
        report = evaluation.Report("predict", verbose, batch_size)
        hooks = StageHooks(self, callbacks, "predict", 0 if verbose is None else verbose)   # None: Keras' silent
        if not hooks:
            return report.rows(predict(self, X, batch_size))     # in chunks, in place, in the network's dtype
        net = cast("Network", self)
        refuse_csv_table(net, X)
        inputs: Any = X if chunked(X, net) else check.as_2d_array(X, "X", net.dtype, net.n_inputs)  # memmap: by batch
        parts: list[np.ndarray] = []

        def batch(start: int, stop: int) -> dict:
            parts.append(predict(net, sparse_rows(inputs, start, stop), batch_size))
            return {"outputs": parts[-1]}

        def outputs(done: int) -> dict:             # Keras' on_predict_end gets no logs: {}
            parts[:] = parts if hooks.batched else [predict(net, sparse_rows(inputs, 0, done), batch_size)]
            return {}
        hooks.run(inputs.shape[0], batch_size, batch, outputs, lambda: predict(net, inputs, batch_size))
        return report.rows(np.concatenate(parts))

    @keras_xy
    def predict_classes(self, X: ArrayLike) -> np.ndarray:
        """Classes as `evaluate` counts them (`evaluation.classes`): argmax, or 0/1 at 0.5 per label."""
        net = cast("Network", self)
        return evaluation.classes(self.predict(evaluation.classifies(net, X)), net.task)

    @overload
    def evaluate(self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None, *,
                 batch_size: int | None = None, verbose: int | str = 0, return_dict: Literal[True] = True,
                 weight_reduction: str = "sum_over_batch_size", metrics: list[str] | None = None,
                 weighted_metrics: list[str] | None = None,
                 callbacks: Sequence[Any] | None = (), steps: None = None) -> dict[str, float]: ...

    @overload
    def evaluate(self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None, *,
                 batch_size: int | None = None, verbose: int | str = 0, return_dict: Literal[False],
                 weight_reduction: str = "sum_over_batch_size", metrics: list[str] | None = None,
                 weighted_metrics: list[str] | None = None,
                 callbacks: Sequence[Any] | None = (), steps: None = None) -> float | list[float]: ...

    @keras_xy
    def evaluate(self, X: ArrayLike, Y: ArrayLike, sample_weight: ArrayLike | None = None, *,
                 batch_size: int | None = None, verbose: int | str = 0, return_dict: bool = True,
                 weight_reduction: str = "sum_over_batch_size", metrics: list[str] | None = None,
                 weighted_metrics: list[str] | None = None, callbacks: Sequence[Any] | None = (),
                 steps: None = None) -> dict[str, float] | float | list[float]:
        """{"loss": E, "accuracy": fraction correct (classification only)} with dropout off; with `sample_weight`,
        the weighted loss and the weighted fraction correct; metrics, weighted_metrics : as fit's. batch_size : rows
        per chunk (default CHUNK); verbose : 0 silent; 1, 2 or 'auto' (Keras') a line with the results;
        return_dict : True by default, where Keras' default is False (the dict reads by name: the docs' habit);
        return_dict=False gives Keras' default form, [loss, accuracy] (the loss alone for regression, or with
        metrics=[]). steps : Keras'; only None (all of X).
        weight_reduction : the weighted loss's divisor: "sum_over_batch_size" (Keras') the rows' count,
        "mean_with_sample_weight" (scikit-learn's) the weights' sum (`sample_weight.py`). The loss excludes
        `weight_penalty` (MLP's alpha), as MLP's predict-time scores do; fit's logged loss includes it. Rows
        whose pass overflows the dtype are measured as predict gives them (`careful.py`); refused where it
        refuses them, or where even float64 cannot hold their logits. callbacks : Keras' on_test_begin,
        on_test_batch_begin/_end (logs: the results of the rows so far, batches of batch_size, else Keras' 32) and
        on_test_end (logs: the results) of those that define them (`StageHooks`: each batch measured between its
        hooks; a hook's `self.model.stop_evaluating = True` ends the pass after its batch, the results those of the
        rows before, as Keras')."""
        check.keras_pass_steps(steps, batch_size, "evaluate")
        mean = sw.by_weight(weight_reduction)
        chunk = CHUNK if batch_size is None else check.positive_int(batch_size, "batch_size")
        as_dict = check.flag(return_dict, "return_dict")
        report = evaluation.Report("evaluate", verbose, batch_size)
        net = cast("Network", self)
        rows, Y = evaluation.rows_and_targets(net, X, Y)
        if sample_weight is not None and np.ndim(sample_weight) == 0:    # Keras' evaluate(x, y, 32): its batch_size
            raise ValidationError(f"sample_weight, evaluate's third argument, must be one weight per sample; got "
                                  f"{sample_weight!r}. Keras' third is batch_size: give batch_size={sample_weight!r}")
        weight = None if sample_weight is None else sw.check(sample_weight, rows.shape[0])
        spec = for_network(named_metrics(metrics, weighted_metrics, net.task), net)    # float32 values as Keras'
        hooks, n = StageHooks(net, callbacks, "test", 0 if verbose is None else verbose), rows.shape[0]

        def measured() -> dict[str, float]:
            return evaluate_named(net, rows, Y, weight, chunk, mean, spec)
        if not hooks:
            results = report.results(measured(), n)
        else:                  # one pass: the results are the last batch's logs, as Keras' (no second pass)
            batch, ended = evaluation.Running(net, rows, Y, weight, chunk, mean).logged(
                lambda got: spec.named(got, got.pop("accuracy_once", None)), measured)
            results = hooks.run(n, batch_size, batch, lambda done: report.results(ended(done), done), measured)
        return results if as_dict else as_list(results, spec)    # Keras': the list in compile's order

    def save_weights(self, filepath: str | os.PathLike, overwrite: bool = True) -> None:
        """Keras' save_weights: the weights alone, to an .npz file that load_weights reads into a network of the
        same layers (saving/weights.py; `save` writes the whole network). The old file is replaced whole."""
        from ..saving.weights import save_weights
        save_weights(self, filepath, overwrite)

    def load_weights(self, filepath: str | os.PathLike) -> None:
        """Keras' load_weights: set the weights from a save_weights file (or a chainrule model file), every
        array's layer and shape checked first: a mismatch, named, leaves the network as it was."""
        from ..saving.weights import read_weights
        net = cast("Network", self)
        net.set_weights(read_weights(filepath, net))


for _name in KERAS_ONLY:        # each name read on a network raises its hint: the names listed once, above
    setattr(KerasMethods, _name, _KerasOnly(_name))

def checkpoint_target(path: str, weights_only: bool, shown: str, fixed: bool) -> None:
    """ModelCheckpoint's checks of its file before training, handed over to saving (as save_weights is):
    `saving.weights.checkpoint_target`."""
    from ..saving.weights import checkpoint_target as check_target
    check_target(path, weights_only, shown, fixed)
