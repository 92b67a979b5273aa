"""`Network.fit`'s entry: its arguments checked (all before any work), the checkpoint component, the optimizer and
callbacks, then the run: a `Trainer` (`trainer.py`), one over MPI ranks (`distributed.py`) or over a sequence of
batches (`sequence.py`)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError
from ..nn import checks as check
from ..nn import sample_weight as sw
from ..nn.metrics import metrics as named_metrics
from ..nn.network import Network
from .arguments import checked_data, epoch_count, first_epoch, keras_steps, split_fraction, validation_frequency
from .callbacks import Callback, History, make_progress
from .optim import Adam, get_optimizer
from .trainer import Trainer


def fit(net: Network, X, Y, *, epochs: int = 1, batch_size: int | None = 32, optimizer: Any = None,
        shuffle: bool | None = True, validation_data: tuple | None = None, validation_split: float = 0.0,
        callbacks: Iterable[Callback] | None = (), seed: int | None = None, verbose: int | str = "auto",
        backup: Any = None, comm: Any = None, sample_weight: Any = None,
        class_weight: Any = None, initial_epoch: int = 0, weight_reduction: str = "sum_over_batch_size",
        validation_freq: Any = 1, validation_batch_size: int | None = None, steps_per_epoch: int | None = None,
        validation_steps: int | None = None, metrics: Any = None, weighted_metrics: Any = None) -> History:
    """Check the arguments of `Network.fit` (all before any work), then train. `backup` is the
    checkpoint component (`saving.checkpoint.BackupAndRestore`), given by `Network.fit`; `comm`
    an MPI communicator for data-parallel training (`distributed.py`); `sample_weight` one weight
    per sample (`nn/sample_weight.py`: the NumPy loop, gathered by index like the targets); `class_weight`
    weighs the training rows by their class (`sample_weight.class_weights`), times sample_weight;
    `weight_reduction` divides a weighted batch's loss by its size (Keras') or its weights' sum (scikit-learn's);
    `validation_freq` and `validation_batch_size` are Keras' (`Trainer.validates`, rows per validation chunk);
    `steps_per_epoch` and `validation_steps` only None or one pass (`arguments.keras_steps`); `metrics` and
    `weighted_metrics` Keras' compile's (`nn/metrics.py`)."""
    try:                    # under MPI an error here is raised on every rank, naming this one (`agree`): a
        # check that failed on one rank alone left the others waiting out the timeout, or for ever after the meeting
        spec = named_metrics(metrics, weighted_metrics, net.task)
        mean = sw.by_weight(weight_reduction)
        freq = validation_frequency(validation_freq)
        chunk = validation_batch_size if validation_batch_size is None else \
            check.positive_int(validation_batch_size, "validation_batch_size")
        epochs, initial_epoch = epoch_count(epochs), first_epoch(initial_epoch)
        validation_split = split_fraction(validation_split, validation_data)   # 0 if overridden (a warning)
        shuffle, seed = shuffling(shuffle), check.seed(seed)
        for given, name in ((sample_weight, "sample_weight"), (class_weight, "class_weight")):
            if given is not None and comm is not None:
                raise ValidationError(f"{name} and comm (MPI) cannot be combined: weighted training runs in one "
                                      f"process; fit without comm, or without {name}")
        if Y is None and comm is not None:
            raise ValidationError("comm (MPI) needs arrays X, Y: every rank takes its shard of each batch")
        if Y is not None:
            X, Y, w, validation_data, w_val, batch_size = checked_data(net, X, Y, sample_weight, validation_data,
                                                                       validation_split, batch_size, class_weight)
        keras_steps(steps_per_epoch, validation_steps, batch_size, validation_batch_size,
                    None if steps_per_epoch is None else epoch_batches(X, Y, batch_size),
                    None if validation_steps is None else
                    validation_batches(validation_data, validation_batch_size or batch_size))
        if comm is not None and validation_data is not None and validation_data[1] is None:
            raise ValidationError("comm (MPI) needs validation_data as arrays (X_val, Y_val): every rank takes its "
                                  "shard of them; got a sequence of batches")
        if comm is not None:                # the callbacks and optimizer setup takes, checked before the meeting
            callbacks, _ = checked_callbacks(callbacks, 0), make_progress(verbose)    # a list: a generator once
            if optimizer is not None:
                get_optimizer(optimizer).bind(net)      # one that trained another network is refused
    except Exception as exc:
        if comm is not None:
            from .distributed import agree
            agree(comm, exc)
        raise
    if Y is None:                           # a Keras-style sequence of (x, y) or (x, y, w) batches
        if sample_weight is not None:       # Keras' refusal too
            raise ValidationError("sample_weight needs arrays X, Y; with a sequence of batches (Y=None) give each "
                                  "batch its weights: (x, y, sample_weight)")
        from .sequence import fit_batches
        net.class_weight_record = sw.recorded(class_weight)     # saved with the network: `chainrule info` says it
        return fit_batches(net, X, epochs=epochs, optimizer=optimizer, shuffle=shuffle,
                           validation_data=validation_data, validation_split=validation_split,
                           callbacks=callbacks, seed=seed, verbose=verbose, backup=backup,
                           initial_epoch=initial_epoch, validation_freq=freq, validation_chunk=chunk,
                           class_weight=class_weight, mean=mean, metrics=spec)
    if comm is not None:
        from .distributed import MPITrainer, check_sizes, prepare
        from .meeting import file_of_data
        verbose, seed = prepare(comm, verbose, seed)
        assert batch_size is not None       # checked_data's, with arrays X, Y
        check_sizes(comm, X.shape[0], batch_size, file_of_data(X, comm))
    cbs, rng = setup(net, optimizer, callbacks, verbose, seed)
    kwargs = {"batch_size": batch_size, "shuffle": shuffle, "rng": rng, "callbacks": cbs,
              "validation_data": validation_data, "backup": backup, "weight": w, "validation_weight": w_val,
              "initial_epoch": initial_epoch, "verbose": verbose, "mean": mean, "validation_freq": freq,
              "validation_chunk": chunk, "metrics": spec}
    trainer = Trainer(net, X, Y, **kwargs) if comm is None else MPITrainer(net, X, Y, comm, **kwargs)
    net.class_weight_record = sw.recorded(class_weight)     # once nothing refuses the fit: saved with the network
    return trainer.run(epochs)


def epoch_batches(X: Any, Y: Any, batch_size: int | None) -> int | None:
    """The batches an epoch trains: a sequence's len(), or the training rows' ceil(rows / batch_size)."""
    if Y is None:
        return len(X) if hasattr(X, "__len__") and not isinstance(X, (str, bytes)) else None
    return -(-X.shape[0] // batch_size) if batch_size else None


def validation_batches(given: Any, size: int | None) -> int | None:
    """The batches Keras' validation_steps would count in all of validation_data: a sequence's len() (checked_data's
    (batches, None) too), the rows' ceil(rows / size) of arrays (X_val, Y_val), numbers or lists of rows."""
    from .sequence import arrays  # sequence.py imports this module
    if given is None:
        return None
    if isinstance(given, tuple) and len(given) == 2 and given[1] is None:
        return epoch_batches(given[0], None, size)
    if not arrays(given):
        return epoch_batches(given, None, size)
    rows = given[0].shape[0] if hasattr(given[0], "shape") else len(given[0])
    return -(-rows // size) if size else None


#: what fit's shuffle takes, as Keras' fit reads it
TAKES = "shuffle must be True or False (or Keras' None: no shuffling, 1 or 0: True or False)"


def shuffling(shuffle: Any) -> bool:
    """Keras' `shuffle` as its fit reads it: None (falsy) shuffles nothing, 1 and 0 are True and False. Its 'batch'
    (rows shuffled only within batch-sized chunks, for HDF5 data) is refused, saying what to pass instead."""
    if isinstance(shuffle, str) and shuffle == "batch":
        raise ChainruleTypeError(f"{TAKES}; got 'batch' (str): Keras' shuffle='batch' (rows "
                                 "shuffled only within batch-sized chunks, for HDF5 data) is not taken: "
                                 "shuffle=True shuffles every row, shuffle=False none")
    if shuffle is None:
        return False
    if isinstance(shuffle, (int, np.integer)) and not isinstance(shuffle, (bool, np.bool_)) and shuffle in (0, 1):
        return bool(shuffle)
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ChainruleTypeError(f"{TAKES}; got {shuffle!r} ({type(shuffle).__name__})")
    return bool(shuffle)


def checked_callbacks(callbacks: Iterable[Callback] | None, verbose: int | str) -> list[Callback]:
    """The callbacks given, then the progress `verbose` asks for, each checked to be a Callback."""
    if isinstance(callbacks, Callback) or not isinstance(callbacks, Iterable | None):
        raise ChainruleTypeError(f"callbacks must be a list of Callback instances; got {type(callbacks).__name__}"
                                 + (" (put it in a list: callbacks=[...])" if isinstance(callbacks, Callback) else ""))
    # the progress last, as Keras' ProgbarLogger: its line shows what the others logged (learning_rate)
    cbs = [*(() if callbacks is None else callbacks), *make_progress(verbose)]
    for i, cb in enumerate(cbs):
        if not isinstance(cb, Callback):
            raise ChainruleTypeError(f"callbacks must be Callback instances; got {type(cb).__name__} (callbacks[{i}])"
                                     + not_a_callback(cb))
    return cbs


def not_a_callback(cb: Any) -> str:
    """What to give instead: an instance for a Callback class, chainrule's own for another library's callback."""
    if isinstance(cb, type) and issubclass(cb, Callback):
        return f": the class {cb.__name__} itself; give an instance, {cb.__name__}()"
    module = type(cb).__module__.split(".")[0]
    if module not in ("builtins", "chainrule", "__main__"):
        from . import callbacks as own  # chainrule.callbacks is this module under its public name
        name = type(cb).__name__          # sent to its namesake only where chainrule has one
        return (f": a {module} {name} is no chainrule callback; give chainrule.callbacks' own"
                + (f" (chainrule.callbacks.{name}())" if isinstance(getattr(own, name, None), type) else
                   ", or subclass chainrule.callbacks.Callback"))
    return ""


def setup(net: Network, optimizer: Any, callbacks: Iterable[Callback] | None, verbose: int | str,
          seed: int | None) -> tuple[list[Callback], np.random.Generator]:
    """The optimizer (kept on the network), the checked callbacks and the run's random generator; the callbacks
    checked first, so that a refused list leaves the network's optimizer as it was."""
    cbs = checked_callbacks(callbacks, verbose)
    if optimizer is not None:
        net.optimizer = get_optimizer(optimizer).bind(net)
    elif net.optimizer is None:
        net.optimizer = Adam().bind(net)
    return cbs, (np.random.default_rng(seed) if seed is not None else net.rng)
