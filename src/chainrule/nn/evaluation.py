"""What a network's outputs are measured against: the loss's fit with the output activation, the
task, the targets, the correct predictions and `Network.evaluate`.

The task (multiclass, binary, regression) follows from the loss and the output activation; it
decides how targets are read (class labels become one-hot rows) and what counts as correct.
`evaluate` runs over chunks of rows with `inference.outputs`, which writes nothing to the layers,
so that it may run while `fit` trains the same network in another thread.
"""
from __future__ import annotations

import math
import sys
import time
import warnings
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from ..backend.pages import Pages
from ..callers import caller_level
from ..errors import ValidationError
from . import checks as check
from . import predict
from . import sample_weight as sw
from .careful import mended
from .inference import refuse_rebound
from .layers import Layer
from .loss_outputs import OutputMismatch, output_mismatch, torch_logits_mismatch
from .losses import Loss
from .numeric import whole_file
from .overflow import checked_outputs, plain_pass_overflows
from .sparse import is_sparse, rows
from .target_checks import targets as checked_targets
from .target_checks import task_of

if TYPE_CHECKING:
    from .network import Network


CONVERTED_BYTES = 8 << 20      # a chunk of X converted by `evaluate` (a memmap, another dtype)
#: Keras' batch_size where none is given: the steps its verbose line counts, and evaluate's and predict's callbacks'
KERAS_BATCH = 32


def check_output(loss: Loss, sized: list[Layer], asked: object = None) -> None:
    """Refuse a softmax over one unit (its output is 1 whatever the input: its gradient is zero, so
    nothing below it learns) and an output activation the loss cannot use (cross-entropy after a
    linear, ReLU or tanh output is wrong: a negative loss, or the log of a negative number); warn
    for an unusual one, at the line that builds the network. `sized`: the layers with n_in, n_out; `asked`: the
    loss as the user named it (torch.nn's names of losses of the logits get their own words)."""
    for i, layer in enumerate(sized):
        if getattr(getattr(layer, "activation", None), "name", None) == "softmax" and layer.n_out == 1:
            where = "the output layer" if i == len(sized) - 1 else f"Dense layer {i}"
            raise ValidationError(f"{where} has activation='softmax' over n_out=1 unit: its output is always 1 and "
                                  "its gradient 0. Use 'sigmoid' for one output (a binary classifier), or one unit "
                                  "per class with 'softmax'")
    last = sized[-1]
    activation = getattr(last, "activation", None)
    found = None if activation is None else output_mismatch(loss, activation, int(last.n_out or 0))
    if isinstance(found, OutputMismatch):
        raise torch_logits_mismatch(asked, found)
    if found is not None:
        warnings.warn(found[1], UserWarning, stacklevel=caller_level())


def task(net: Network) -> str:
    """"multiclass", "binary" or "regression", from the loss and the output activation."""
    return task_of(net.loss_function.name, net.dense_layers[-1].activation.name)


def check_data(net: Network, X: ArrayLike, Y: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """X and Y checked against the network: its width, dtype and outputs, the same length."""
    predict.refuse_csv_table(net, X)
    X = check.as_2d_array(X, "X", net.dtype, net.n_inputs)
    check.one_sample_row(X.shape[0], Y, net.n_outputs)
    Y = targets(net, Y)
    check.same_length(X, Y)
    return X, Y


def rows_and_targets(net: Network, X: ArrayLike, Y: ArrayLike) -> tuple[Any, np.ndarray]:
    """`Network.evaluate`'s X and Y: `check_data`'s, except an X that is `chunked` (a memmap, another dtype, an
    HDF5 dataset), kept as it is to be converted and checked a chunk at a time; its length checked against Y's."""
    if not chunked(net, X):
        return check_data(net, X, Y)
    rows: Any = X
    whole_file(rows, "X")
    check.one_sample_row(rows.shape[0], Y, net.n_outputs)
    Y = targets(net, Y)
    check.same_length(rows, Y)
    return rows, Y


def chunked(net: Network, X: ArrayLike) -> bool:
    """An X that `evaluate` converts and checks a chunk at a time, as `predict` does, instead of
    whole (8 GiB for a 4 GiB float32 file and a float64 network): `predict.chunked`'s, except an
    in-memory array already in the network's dtype, checked whole (it costs no copy)."""
    return predict.chunked(X, net) and not (type(X) is np.ndarray and X.dtype == net.dtype)


def targets(net: Network, Y: ArrayLike) -> np.ndarray:
    """Y as (n_samples, n_outputs) of the network's dtype; class labels one-hot for a multiclass task."""
    return checked_targets(Y, net.n_outputs, net.task, net.loss_function.name, net.dtype)


def n_correct(task: str, out: np.ndarray, Y: np.ndarray) -> float | None:
    """Correct predictions: the argmax for multiclass, each output at 0.5 for binary (a fraction
    of a sample per output); None for regression."""
    if task == "multiclass":
        return float(np.count_nonzero(out.argmax(axis=1) == Y.argmax(axis=1)))
    if task == "binary":
        return float(np.count_nonzero((out > 0.5) == (Y > 0.5))) / Y.shape[1]
    return None


def classifies(net: Network, X: ArrayLike) -> ArrayLike:
    """`X`, when `net` classifies (predict_classes' refusal of a regressor: sigmoid outputs with sse, the seeds' XOR,
    are classes at 0.5)."""
    act = net.dense_layers[-1].activation.name if net.dense_layers else ""
    if net.task == "regression" and act != "sigmoid":
        raise ValidationError(f"predict_classes is for a classifier; this network regresses ({act} output, "
                              f"loss {net.loss_function.name!r}): its outputs are predict's")
    return X


def classes(out: np.ndarray, task: str = "multiclass") -> np.ndarray:
    """Predicted classes of outputs, as `n_correct` counts them: for a binary task each output at
    0.5 (shape (n_samples,) for one output, (n_samples, n_outputs) of 0/1 for several labels per
    sample); else the argmax of several outputs, or one output at 0.5."""
    if task == "binary" or out.shape[1] == 1:
        flags = (out > 0.5).astype(np.int64)
        return flags[:, 0] if out.shape[1] == 1 else flags
    return out.argmax(axis=1)


def evaluate(net: Network, X: np.ndarray, Y: np.ndarray, weight: np.ndarray | None, chunk: int,
             finite: bool = False, mean: bool = False) -> dict[str, float]:
    """The loss (and accuracy) of checked arrays, `chunk` rows at a time: the chunks' mean losses
    weighted by their sizes (with sample weights: by `sample_weight.factors`, `mean` its normalisation); rows
    whose pass overflowed from their outputs as predict gives them (`careful.py`). `finite` (Network.evaluate):
    a NaN or infinite loss is an error, predict's where it refuses rows, without NumPy's warnings; else
    (fit's validation) such a loss is returned as it is, NaN where no careful pass gives a row."""
    if not finite:
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            return measure(net, X, Y, weight, chunk, mean)
    failed: list[int] = []
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        result = measure(net, X, Y, weight, chunk, mean, failed)
    if failed:
        no_loss(net, X, chunk, failed)
    finite_loss(net, result["loss"], X, chunk)
    return result


def no_loss(net: Network, X: Any, chunk: int, failed: list[int]) -> None:
    """Refuse the rows `failed` of X, whose loss no careful pass gives: predict's refusal, naming the layer, where
    it refuses them too; else their outputs are finite but the logits the loss reads are beyond float64."""
    predict.predict(net, X, chunk)      # raises, naming the rows and the layer, where a layer overflows
    raise ValidationError(f"no loss for {len(failed)} of the {X.shape[0]} rows of X (first: row {failed[0]}): "
                          "their outputs are finite (predict gives them, computed again with care), but the output "
                          "layer's net input, which the loss reads, is beyond float64 even computed again in "
                          f"float64. {_scale(net)}")


def through_overflow(net: Network, loss: float, X: Any, chunk: int, wrong: list[int]) -> None:
    """Refuse a finite `loss` of `Network.loss` or `gradients` whose pass came through an overflowed net input on
    the rows `wrong` (evaluate computes such rows with care; these two feed training, whose steps read that pass):
    predict's refusal where a layer cannot give those rows; else the loss the engine's pass gives there is not the
    network's (a sigmoid's 1 of a sum that overflowed to +inf where the exact one is negative)."""
    predict.predict(net, X, chunk)      # raises, naming the rows and the layer, where a layer overflows
    raise ValidationError(f"the loss ({loss:.6g}) is not the network's: a layer's net input overflows {net.dtype.name} "
                          f"for {len(wrong)} of the {X.shape[0]} rows of X (first: row {wrong[0]}), and the engine's "
                          "pass (which the loss and its gradient read) came through the overflow, though predict, "
                          f"computing those rows again with care, gives their outputs (and evaluate their loss). "
                          f"{_scale(net)}")


def _scale(net: Network) -> str:
    """The advice of a refusal whose rows' net inputs overflow the dtype."""
    other = ", or use dtype='float64'" if net.dtype == np.float32 else ""
    return f"Scale the inputs as they were scaled for training{other}"


def finite_loss(net: Network, loss: float, X: Any, chunk: int, wrong: Any = ()) -> float:
    """`loss` when it is finite (and no row of `wrong` came through an overflow: `through_overflow`), else the
    error that says why (`evaluate`, `Network.loss` and `Network.gradients` share it): predict's, naming the rows,
    where the network's outputs are NaN or infinite; else the outputs are too far from the targets for the dtype."""
    if math.isfinite(loss):
        if len(wrong):
            through_overflow(net, loss, X, chunk, list(wrong))
        return loss
    predict.predict(net, X, chunk)      # raises, naming the rows and the layer, where the outputs overflow
    count, first = plain_pass_overflows(net, X, chunk)
    if count:
        raise ValidationError(f"the loss is {loss}: the network's pass overflows {net.dtype.name} for {count} of the "
                              f"{X.shape[0]} rows of X (first: row {first}), though its outputs, computed again with "
                              "care (predict's), are finite: a net input beyond the dtype (the logits of a saturated "
                              f"softmax or sigmoid), which the loss and its gradient read. {_scale(net)}")
    raise ValidationError(f"the loss is {loss} though the network's outputs are finite: they are too "
                          f"far from the targets for {net.dtype.name} ({net.loss_function.name}); the inputs are "
                          "far outside the range the network was trained on, or the targets need scaling")


def finite_gradients(net: Network, loss: float, X: Any, chunk: int, wrong: Any = ()) -> None:
    """`Network.gradients`' check of the pass just made: its loss (`finite_loss`), then its gradient."""
    finite_loss(net, loss, X, chunk, wrong)
    if not np.isfinite(net.grads).all():
        raise ValidationError(f"the gradient is NaN or infinite though the loss ({loss:.4g}) is finite: the "
                              f"inputs, or the network's weights, are too large for {net.dtype.name}; scale the inputs")


def measure(net: Network, X: Any, Y: Any, weight: np.ndarray | None, chunk: int, mean: bool = False,
            failed: list | None = None, read: Any = None) -> dict[str, float]:
    """`evaluate`'s results, whatever they are: a chunk whose plain pass overflowed takes its loss from
    `careful.mended` (`failed`: gets the rows no careful pass gives; their chunk's loss is NaN). `read(X, a, b)`:
    rows a..b of an X of another kind (fit's LazyRows), else an array, CSR matrix or memmap, converted a chunk at
    a time; with `weight`, the loss sum_i w_i E_i / n (Keras'; `mean`: / sum_i w_i), the weighted accuracy
    (Keras' `weighted_metrics=["accuracy"]`) and, as "accuracy_once", the one counting each row once (its
    `metrics=["accuracy"]`), from the same pass."""
    refuse_rebound(net)
    pages = Pages(X, in_order=True) if read is None else None      # a memmap: read a chunk at a time, handed back
    lazy = read is None and (bool(pages) or not (is_sparse(X) or predict.as_is(X, net.dtype)))       # `chunked`
    if lazy:                                 # a chunk converted to the network's dtype: about 8 MB of it
        chunk = min(chunk, max(1024, CONVERTED_BYTES // (net.n_inputs * net.dtype.itemsize)))

    def plain(X: Any, a: int, b: int) -> np.ndarray:
        xb = rows(X, a, b)
        if lazy:
            xb = check.converted(np.asarray(xb), net.dtype, rows=a)
        if pages:
            pages.touched(xb.shape[0], X.shape[1] * np.dtype(X.dtype).itemsize, contiguous=True)
        return xb

    read = plain if read is None else read
    n, kind = X.shape[0], net.task
    total = float(n) if weight is None else float(np.add.reduce(weight))
    loss, correct, once = 0.0, 0.0, 0.0
    xb = None
    for i in range(0, n, chunk):
        del xb                                   # the chunk before freed before the next is read: one held
        xb = read(X, i, i + chunk)
        out, last_net, lost = checked_outputs(net, xb)
        yb, wb = Y[i:i + chunk], None if weight is None else weight[i:i + chunk]
        if not len(lost):
            E = net.loss_function.value(out, yb, last_net if net.fused_output else None) if wb is None else \
                sw.value(net.loss_function, out, yb, last_net if net.fused_output else None,
                         sw.factors(wb, net.dtype, mean))
        if len(lost) or not math.isfinite(E):    # rows through an overflow, or logits spread beyond the dtype
            E, out, bad = mended(net, xb, yb, wb, mean, out, last_net, lost)
            if failed is not None:
                failed.extend((i + bad).tolist())
        if wb is None:
            loss += E * (out.shape[0] / n if n > chunk else 1.0)
        else:
            loss += E * (float(np.add.reduce(wb)) / total if mean else out.shape[0] / n)
        if kind != "regression":
            right = net.n_correct(out, yb) or 0.0
            correct += right if wb is None else sw.correct(kind, out, yb, wb)
            once += right                    # each row once, from the same outputs (Keras' metrics=["accuracy"])
    result = {"loss": loss}
    if kind != "regression":
        result["accuracy"] = correct / total
        if weight is not None:
            result["accuracy_once"] = once / n if n else 0.0
    return result


def step_time(elapsed: float, steps: int) -> str:
    """Keras' time a step: " 4ms/step", " 250us/step", " 2s/step"."""
    per = elapsed / max(steps, 1)
    if per >= 1 or per == 0:
        return f" {per:.0f}s/step"
    return f" {per * 1e3:.0f}ms/step" if per >= 1e-3 else f" {per * 1e6:.0f}us/step"


def format_logs(logs: dict[str, float], verbose: int) -> str:
    """Keras' " - name: value" for each log, in the logs' order: 4 decimals, or 4 significant digits
    (.4e) for values at most 1e-3 (verbose=1: in magnitude; verbose=2: any value up to 1e-3, negative
    ones too, as Keras' Progbar writes them)."""
    def number(v: float) -> str:
        return f"{v:.4f}" if (abs(v) if verbose == 1 else v) > 1e-3 else f"{v:.4e}"
    return "".join(f" - {k}: {number(float(v))}" for k, v in logs.items())


class Report:
    """Keras' `verbose` of predict and evaluate: 0 says nothing; 1, 2 and 'auto' Keras 3's line on stdout
    once done: 1 and 'auto' its bar's last state ("15/15 ━━━━━━━━━━━━━━━━━━━━ 0s 2ms/step - accuracy:
    0.9012 - loss: 0.3012", without its colours), 2 "15/15 - 0s - 2ms/step - ...". The steps are
    Keras' batches of `batch_size` rows (32 when None, as Keras), whatever the chunks computed."""

    def __init__(self, what: str, verbose: Any, batch_size: int | None = None):
        if not check.verbosity(verbose):
            raise ValidationError(f"{what}: verbose must be 0, 1, 2 or 'auto'; got {verbose!r} (Keras' {what} "
                                  "prints nothing for it, as for 0: give 0)")
        self.what, self.verbose, self.start = what, verbose, time.perf_counter()
        self.batch_size = KERAS_BATCH if batch_size is None else batch_size

    def rows(self, out: np.ndarray) -> np.ndarray:
        self.say(out.shape[0], {})
        return out

    def results(self, results: dict[str, float], n: int) -> dict[str, float]:
        self.say(n, results)
        return results

    def say(self, n: int, results: dict[str, float]) -> None:
        if self.verbose and not other_rank():
            took = time.perf_counter() - self.start
            steps = max(1, -(-n // self.batch_size))
            logs = format_logs(dict(sorted(results.items())), 2 if self.verbose == 2 else 1)   # Keras': sorted
            bar = f"- {took:.0f}s -" if self.verbose == 2 else f"{'━' * 20} {took:.0f}s"
            head = f"{steps}/{steps} {bar}"
            print(head + step_time(took, steps) + logs, file=sys.stdout, flush=True)


def other_rank() -> bool:
    """True in an MPI rank other than 0 of a job of several (where the script imported mpi4py; never imported here):
    evaluate's and predict's line is rank 0's alone, as fit's (Horovod's habit), not one a rank."""
    MPI = sys.modules.get("mpi4py.MPI")
    try:
        return bool(MPI is not None and MPI.Is_initialized() and not MPI.Is_finalized()
                    and MPI.COMM_WORLD.Get_rank() != 0)
    except Exception:          # an MPI that cannot answer: printed, as in one process
        return False


class Running:
    """`evaluate`'s results of the rows so far, batch after batch (Keras' on_test_batch_end logs): each batch measured
    once and its sums added, as Keras' running means (the rows so far measured again at each batch would take time
    quadratic in X's length); a sum over weights all zero so far is 0, as Keras' divide_no_nan. `part(X, Y, w)`:
    a batch's results (fit's validation: `streaming.validation`, NaN logged as Keras logs it), else `evaluate`'s."""

    def __init__(self, net: Network, X: Any, Y: np.ndarray, weight: np.ndarray | None, chunk: int, mean: bool,
                 part: Any = None):
        self.net, self.X, self.Y, self.weight, self.chunk, self.mean = net, X, Y, weight, chunk, mean
        self.part = part or (lambda X, Y, w: evaluate(net, X, Y, w, chunk, True, mean))
        self.sums = {"loss": 0.0, "accuracy": 0.0, "accuracy_once": 0.0, "rows": 0.0, "weight": 0.0}

    def __call__(self, start: int, stop: int) -> dict[str, float]:
        """The results of rows 0..stop, given those of 0..start were asked for last."""
        n = stop - start
        wb = None if self.weight is None else self.weight[start:stop]
        total = float(n) if wb is None else float(np.add.reduce(wb))
        weighted = wb is not None and total > 0
        got = self.part(self.X[start:stop], self.Y[start:stop], wb if weighted else None)
        sums = self.sums
        sums["rows"] += n
        sums["weight"] += total
        if wb is None or weighted:          # a batch of weights all zero adds nothing to the loss nor weighted sums
            sums["loss"] += got["loss"] * (total if self.mean and wb is not None else n)
            sums["accuracy"] += got.get("accuracy", 0.0) * total
        sums["accuracy_once"] += got.get("accuracy_once", got.get("accuracy", 0.0)) * n
        over = sums["weight"] if self.mean and wb is not None else sums["rows"]
        result = {"loss": sums["loss"] / over if over else 0.0}
        if "accuracy" in got:
            result["accuracy"] = sums["accuracy"] / sums["weight"] if sums["weight"] else 0.0
            if self.weight is not None:
                result["accuracy_once"] = sums["accuracy_once"] / sums["rows"]
        return result

    def logged(self, named: Any, whole: Any) -> tuple[Any, Any]:
        """(batch, ended) for `StageHooks.run`, one pass (evaluate's and fit's validation): each batch measured once,
        its logs `named(results)`; the results those of the last batch logged, as Keras'. `whole()`: all the rows'
        where no batch was measured (no batch hooks); rows a stop left that no batch ended on (a begin hook's stop,
        another MPI rank's) measured afresh, 0 where they weigh nothing."""
        logs: dict[str, Any] = {"rows": 0}

        def batch(start: int, stop: int) -> dict[str, float]:
            logs.update(rows=stop, named=named(self(start, stop)))
            return dict(logs["named"])

        def ended(done: int) -> dict[str, float]:
            if logs["rows"] == done:
                return dict(logs["named"])
            if done == self.X.shape[0]:
                return whole()
            return named(Running(self.net, self.X, self.Y, self.weight, self.chunk, self.mean, self.part)(0, done))
        return batch, ended
