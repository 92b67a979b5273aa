"""Which parts of training run compiled: a table from exact built-in classes to kernel ids.

The compiled loop (`backend.loops.train`) implements the built-in Dense layer, activations,
losses and the SGD/Adam updates. It is chosen only when every class in the network and the
optimizer is exactly one of those in the tables below: never by name, never by isinstance, so a
user's subclass (or a new activation, loss, layer or optimizer) always runs its own Python code
on the NumPy path, which is the reference the kernels are tested against. When no callback needs
Python between epochs (only the History: verbose=0, no validation, no checkpoints, no schedule)
the whole run is one compiled call (`run_all`).
"""
from __future__ import annotations

import importlib.util
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..backend import kernels, loops, tiny, warmup
from ..callers import caller_level
from ..errors import TrainingDiverged
from ..nn.activations import LeakyReLU, Linear, ReLU, Sigmoid, Softmax, Tanh
from ..nn.divergence import divergence
from ..nn.layers import Dense
from ..nn.losses import MSE, SSE, BinaryCrossentropy, CategoricalCrossentropy
from .callback import epoch_begin
from .callbacks import History
from .optim import SGD, Adam, AdamW
from .sparse_rows import SparseRows
from .streaming import OneHotRows

ACTIVATION_KERNELS = {Linear: 0, Sigmoid: 1, Tanh: 2, ReLU: 3, LeakyReLU: 4, Softmax: 5}
LOSS_KERNELS = {SSE: 0, MSE: 1, BinaryCrossentropy: 2, CategoricalCrossentropy: 3}
OPTIMIZER_KERNELS = {SGD: 0, Adam: 1, AdamW: 1}
LAYER_KERNELS = {Dense}
MAX_ORDERS = 8_000_000      # sample indices precomputed at once by run_all (64 MB)
_plans: dict[tuple, tuple | None] = {}
_NO_JOB = object()          # the owner of no timer (`job_done` of a fit that prepared nothing: a sequence's)


@dataclass
class Job:
    """What one job (a fit, a call of train_steps) decided before its training, held by it and handed to `run`,
    not by this module: two jobs in one process (threads, a fit in another's callback, a notebook's) never read
    each other's. `seconds`: its estimate on NumPy (a job long enough to load the kernels for has the tiny version
    it lacked compiled once done); `tiny_loop`: its compiled loop, True the tiny networks', False the general, as
    its checkpoint says (`prepare_run`) or as its first compiled epoch took, kept to its end (a version compiled
    meanwhile is not switched to: in float32 the loops' last bits can differ); None: not chosen yet. `lacked`: the
    tiny versions it asked for (`warmup.request_tiny`), compiled once it is done (`job_done`), not once another is."""
    seconds: float = 0.0
    tiny_loop: bool | None = None
    lacked: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)


def estimate(net, samples: int, epochs: int, batch_size: int) -> float:
    """A job's seconds on NumPy: a step's call overhead plus the matrix products."""
    steps = epochs * -(-samples // batch_size)
    n_dense = max(1, len(net.layers))
    return steps * (10e-6 + 12e-6 * n_dense) + 6.0 * net.n_params * samples * epochs / 2e10


def prepare(net, samples: int, epochs: int, batch_size: int) -> Job:
    """Decide, before a job, whether it runs the kernels: with Numba's default ("auto") a job too
    short to pay for loading them, or one whose kernels are not compiled yet, runs on NumPy
    (`backend.warmup`). Returns the job's `Job`, for `run`."""
    job = Job(estimate(net, samples, epochs, batch_size))
    warmup.prepare(job.seconds, job)
    _say_broken()
    return job


_said_broken = _said_failed = False


def _say_broken() -> None:
    """Numba installed but failing to import (`kernels.BROKEN`): the process trains on NumPy, warned once, at the
    user's line (here: the backend imports nothing of chainrule, `callers` included)."""
    global _said_broken, _said_failed
    if warmup.failed and not kernels.BROKEN and not _said_failed:
        _said_failed = True
        warnings.warn(f"chainrule: compiling the kernels in the background failed ({warmup.failed}); this process "
                      "trains on NumPy, the same numbers (`chainrule compile` shows the whole error and compiles them "
                      "again)", RuntimeWarning, stacklevel=caller_level())
    if kernels.BROKEN and not _said_broken:
        _said_broken = True
        warnings.warn(f"chainrule: numba is installed but fails to import ({kernels.BROKEN}); this process trains on "
                      "NumPy (repair it with pip install --upgrade numba, or set CHAINRULE_NUMBA=0)", RuntimeWarning,
                      stacklevel=caller_level())


def prepare_run(net, samples: int, epochs: int, batch_size: int, before: str | None) -> Job:
    """`prepare` for a run, where `before` is the path its checkpoint says the run's epochs took (`PATHS`; None: a
    new run, or a checkpoint that does not say). A resumed run takes that path again, so that it goes on bit for
    bit (the paths agree to the last bits only): the kernels (compiled in the job where they are not cached), and
    of the compiled loops the one it ran (the tiny networks' or the general), or NumPy where this process has not
    loaded the kernels. Where the run's first epoch then takes another path, `check_path` says so before its
    training. Returns the run's `Job`, its tiny loop as its checkpoint says."""
    if before is None:
        return prepare(net, samples, epochs, batch_size)
    job = Job(estimate(net, samples, epochs, batch_size))
    if before != "numpy" and kernels.ENABLED:
        kernels.check_mode()             # CHAINRULE_NUMBA=1 without Numba: what to install, before any warning
        if kernels.numba is None and kernels.ENABLED == "auto" and not warmup.ready():    # not a silent minute
            warnings.warn("chainrule: the resumed run's epochs so far ran with the compiled kernels, which are not "
                          "compiled here yet: this job loads them first, compiling any its cache lacks (up to about a "
                          "minute), so that it goes on bit for bit (CHAINRULE_NUMBA=0: at once on NumPy, its numbers "
                          "off in the last bits)",
                          RuntimeWarning, stacklevel=caller_level())
        loaded = kernels.load(force=True)
        _say_broken()
        if loaded:
            job.tiny_loop = {"tiny": True, "kernels": False}.get(before)     # "compiled" (an older record): either
            return job
    kernels.load()
    return job


#: the paths a run's epochs take, as its checkpoint records them (`saving.checkpoint`): "compiled" is an older
#: checkpoint's yes, which does not say which of the compiled loops ran
PATHS = {"numpy": "on NumPy", "kernels": "with the compiled kernels", "tiny": "with the tiny networks' compiled loop",
         "compiled": "with the compiled kernels"}


def check_path(before: str, path: str) -> None:
    """As a resumed run's first epoch takes `path`, before its training (`Trainer.taking`): where its checkpoint's
    epochs took another (`before`), the numbers may differ in the last bits from an uninterrupted run's, said with
    the one reason before an epoch's time is spent. Only a path really taken counts: a run on NumPy whatever the
    kernels (Adam's amsgrad, clip_norm, clip_value) is not warned of them."""
    if before == path or (before == "compiled" and path != "numpy"):
        return
    if before == "numpy":
        goes = _why(False)
    elif path == "numpy" and kernels.ENABLED and kernels.numba is not None:    # loaded: this fit takes none
        goes = "on NumPy, this fit's arguments or callbacks taking no compiled loop"
    elif path == "numpy":
        goes = _why(True)
    else:
        goes = PATHS[path] + ", this fit's arguments or callbacks taking no other"
    warnings.warn(f"chainrule: the resumed run's epochs so far ran {PATHS[before]}; it goes on {goes}, so its "
                  "numbers may differ in the last bits from an uninterrupted run's", RuntimeWarning,
                  stacklevel=caller_level())


def _why(before: bool) -> str:
    """The path a resumed run takes against its checkpoint's, and the one reason it must (the user can act on it)."""
    if not before:
        return "with the compiled kernels, " + ("as CHAINRULE_NUMBA=1 asks" if kernels.ENABLED is True else
                                                "which a job before loaded in this process (a new process "
                                                "runs on NumPy)")
    if kernels.ENABLED is False and kernels.AVAILABLE:
        return "on NumPy, as CHAINRULE_NUMBA=0 asks"
    if kernels.BROKEN:                   # installed, but its import failed (`kernels.load`)
        return f"on NumPy, numba failing to import here ({kernels.BROKEN})"
    lacking = [name for name in ("numba", "scipy") if importlib.util.find_spec(name) is None]
    return f"on NumPy, {' and '.join(lacking) or 'numba'} not being installed here (the 'fast' extra)"


def job_done(start: bool = True, job: Job | None = None) -> None:
    """After the job `prepare` was asked about (`backend.warmup.job_done`), with the tiny versions `job` lacked;
    `start`: False for a job the user stopped (Ctrl-C)."""
    if job is None:
        warmup.job_done(start, owner=_NO_JOB)
    else:
        warmup.job_done(start, job.lacked, job)


def epoch_plan(net, optimizer, X: Any = None, batch_size: int | None = None) -> tuple | None:
    """The static arguments of the compiled loop for `net` and `optimizer` (and inputs X, which
    must be a dense array or the rows of a sparse one), or None where it does not apply (then the
    fit loop runs its NumPy code, the reference)."""
    sparse = isinstance(X, SparseRows)
    # a sparse first layer's products are loops over its stored values, whatever its width (its
    # update still passes over all its weights, as the NumPy loop's does): the limits, which weigh
    # the loop's plain products against BLAS, are those of the layers above it
    first = net.layers[0] if sparse and net.layers else None
    size = net.n_params - (first.n_in * first.n_out if type(first) is Dense else 0)
    if not kernels.ENABLED or size > kernels.MAX_EPOCH_PARAMS or net.weight_penalty:
        return None                    # (the weights' penalty: NumPy's loop alone has it)
    if batch_size is not None and batch_size * size > kernels.MAX_EPOCH_WORK:
        return None                    # big batches: NumPy's BLAS products beat the compiled loop's
    if X is not None and not isinstance(X, np.ndarray) and (not sparse or X.loop_arrays() is None):
        return None                    # an out-of-core X (or a CSR one the loop does not take): its own code
    if not kernels.load():
        return None                    # not loaded (yet: "auto" loads them for a long job): not part of the key
    if len({start for _, start in optimizer._starts(net.n_params, net.trainable_slices(), clear=False)}) > 1:
        return None                    # SGD's buffer started in some parts, not yet in others (a layer unfrozen)
    layers = net.layers
    # everything the plan depends on, beyond the checks above: plans are reused by it (a call of
    # train_steps spends more time here than in a hundred of the seed's updates)
    key = (type(net.loss_function), net.fused_output, net.dtype, type(optimizer), optimizer.clip_norm,
           optimizer.clip_value, getattr(optimizer, "amsgrad", False),
           *((type(layer), getattr(layer, "n_in", 0), getattr(layer, "n_out", 0),
              type(act := getattr(layer, "activation", None)), getattr(act, "alpha", 0.0)) for layer in layers))
    if key not in _plans:
        if len(_plans) > 256:
            _plans.clear()
        _plans[key] = _plan(net, optimizer)
    return _plans[key]


def _plan(net, optimizer) -> tuple | None:
    """`epoch_plan` for a network whose parts it has not seen."""
    layers = net.layers
    if not all(type(layer) in LAYER_KERNELS for layer in layers):
        return None
    acts = [ACTIVATION_KERNELS.get(type(layer.activation)) for layer in layers]
    loss_id = LOSS_KERNELS.get(type(net.loss_function))
    opt_id = OPTIMIZER_KERNELS.get(type(optimizer))
    if None in acts or loss_id is None or opt_id is None or 5 in acts[:-1]:
        return None
    fused = net.fused_output
    if (loss_id in (2, 3) or acts[-1] == 5) and not fused:
        return None                    # the kernel has these losses and the softmax only in fused form
    if optimizer.clip_norm is not None or optimizer.clip_value is not None or getattr(optimizer, "amsgrad", False):
        return None                    # clipping: the NumPy loop's (its step clips, then the compiled update runs)
    w_offsets = [start for layer, name, start, _ in net.segments if name == "W"]
    layout = np.array([[layer.n_in, layer.n_out, a, a + layer.n_in * layer.n_out]
                       for layer, a in zip(layers, w_offsets)], dtype=np.int64)
    alpha = np.array([getattr(layer.activation, "alpha", 0.0) for layer in layers], dtype=net.dtype)
    kinds = np.array(acts, dtype=np.int64)
    return layout, kinds, alpha, loss_id, fused, opt_id, tiny.widths(layout, kinds, loss_id, fused, opt_id)


class Outcome(NamedTuple):
    """What a compiled run did: per-step errors, per-epoch correct predictions, each layer's
    ||dE/dW|| at each epoch's end (`run_all` hands them to the History, which sees the epochs after
    the run), the step whose loss or gradient was not finite (-1: none) and the error naming its
    cause in the NumPy loop's words."""
    losses: np.ndarray
    correct: np.ndarray
    norms: np.ndarray
    bad: int
    error: TrainingDiverged | None


def run(net, optimizer, plan: tuple, X: np.ndarray | SparseRows, Y: np.ndarray | OneHotRows,
        orders: np.ndarray | None, epochs: int, batch_size: int, labels: np.ndarray | None,
        slices: list[slice], norms: bool = False, taking: Callable[[str], None] | None = None,
        job: Job | None = None) -> Outcome:
    """`epochs` compiled epochs over the batches of `orders[e]` (None: the stored order), updating
    only inside `slices`; with `norms`, each layer's ||dE/dW|| at each epoch's end too (a pass over
    the gradient an epoch, which train_steps, one epoch a step, does not pay); `taking` is told the loop
    chosen before it trains (`Trainer.taking`: "tiny" or "kernels"); `job`: the job's (`prepare`), whose compiled
    loop this call chooses where it has none yet (None: a job of this call alone)."""
    layout, acts, alpha, loss_id, fused, opt_id, sizes = plan
    optimizer._ensure_state(net.params)
    # the loops start SGD's buffer as the gradient at their step t == 1: where the optimizer starts it (in every
    # slice at once: a plan is refused where some start and others do not)
    starting = optimizer._starts(net.n_params, slices)[0][1] if slices else optimizer.starting
    t = (0 if starting else max(optimizer.t, 1)) if type(optimizer) is SGD else optimizer.t
    state = optimizer.state
    s1 = state.get("momentum_buffer", state.get("exp_avg", net.params[:0]))
    s2 = state.get("exp_avg_sq", net.params[:0])
    bounds = np.array([s.indices(net.n_params)[:2] for s in slices], dtype=np.int64).reshape(-1, 2)
    b1, b2 = getattr(optimizer, "betas", (0.0, 0.0))
    csr, prefix = None, 0
    if isinstance(X, SparseRows):              # the rows [start, stop) of a CSR matrix, as its arrays
        csr, prefix = X.loop_arrays(), X.dense_prefix()
    else:
        X = np.ascontiguousarray(X, dtype=net.dtype)   # the dtype and layout the kernel was compiled for
    from_labels = isinstance(Y, OneHotRows)    # class labels kept as labels: the loop makes the one-hot rows
    if isinstance(Y, OneHotRows):
        labels = Y.labels64()
    else:
        Y = np.ascontiguousarray(Y, dtype=net.dtype)
    if labels is not None:
        labels = np.asarray(labels, np.int64)
    key = None if sizes is None or csr is not None or from_labels else tiny.version(sizes, acts, X.shape[0], batch_size)
    order = None if orders is None else np.ascontiguousarray(orders, dtype=np.int64)
    # tiny: compiled for its widths; the job's loop, chosen at its first call (a resumed run's by its checkpoint)
    job = job if job is not None else Job()
    tiny_loop = key is not None and loops.load()
    if key is not None and tiny_loop and job.tiny_loop is None:
        job.tiny_loop = warmup.tiny_ready(net.dtype, key)
        if not job.tiny_loop and job.seconds >= warmup.LOAD_SECONDS:
            version = warmup.request_tiny(net.dtype, key)
            if version is not None:
                job.lacked.append(version)      # compiled once the job is done (`job_done`)
    tiny_loop = tiny_loop and bool(job.tiny_loop)
    if taking is not None:
        taking("tiny" if tiny_loop else "kernels")
    if tiny_loop:
        assert key is not None
        losses, bad, bad_loss, layer_norms = tiny.train(
            key, net.params, net.grads, alpha, loss_id, X, Y, order, epochs, batch_size,
            lr=optimizer.lr, momentum=optimizer.momentum, dampening=optimizer.dampening,
            nesterov=optimizer.nesterov, wd=optimizer.weight_decay, t=t, s1=s1, bounds=bounds, norms=norms)
        correct = np.zeros(epochs)
    else:
        losses, correct, bad, bad_loss, layer_norms = loops.train(
            net.params, net.grads, layout, acts, alpha, loss_id, fused, X, Y, order, epochs, batch_size,
            labels if labels is not None else np.zeros(1, np.int64),
            opt_id=opt_id, lr=optimizer.lr, momentum=getattr(optimizer, "momentum", 0.0),
            dampening=getattr(optimizer, "dampening", 0.0), nesterov=getattr(optimizer, "nesterov", False),
            wd=optimizer.weight_decay, b1=b1, b2=b2, eps=getattr(optimizer, "eps", 0.0),
            decoupled=bool(getattr(optimizer, "decoupled", False)), t=t, s1=s1, s2=s2, bounds=bounds,
            csr=csr, dense_prefix=prefix, from_labels=from_labels, norms=norms)
    optimizer.t += len(losses)
    if len(losses) > 1:         # as the NumPy steps leave it: each step's own `_ensure_state` clears it
        optimizer.starting = False
    return Outcome(losses, correct, layer_norms, bad, None if bad_loss is None else divergence(net.grads, bad_loss))


def run_epoch(net, optimizer, plan: tuple, X: np.ndarray | SparseRows, Y: np.ndarray | OneHotRows, order: np.ndarray,
              batch_size: int, labels: np.ndarray | None,
              slices: list[slice], taking: Callable[[str], None] | None = None, job: Job | None = None
              ) -> tuple[np.ndarray, float, int, TrainingDiverged | None]:
    """One compiled epoch over the batches of `order`: (per-step errors, correct predictions,
    index of a diverging batch or -1, its error); `taking`, `job`: as `run`'s."""
    out = run(net, optimizer, plan, X, Y, order[None, :], 1, batch_size, labels, slices, taking=taking, job=job)
    return out.losses, float(out.correct[0]), out.bad, out.error


def run_steps(net, optimizer, plan: tuple, X: np.ndarray, Y: np.ndarray, steps: int,
              slices: list[slice], job: Job | None = None) -> tuple[np.ndarray, int, TrainingDiverged | None]:
    """`steps` updates on the whole batch (X, Y) in one compiled call, nothing gathered:
    (per-step errors, index of a diverging step or -1, its error); `job`: as `run`'s."""
    out = run(net, optimizer, plan, X, Y, None, steps, X.shape[0], None, slices, job=job)
    return out.losses, out.bad, out.error


def epoch_totals(losses: np.ndarray, n: int, batch_size: int) -> np.ndarray:
    """The summed error of each epoch from its per-step (batch-mean) errors, as the NumPy loop
    adds them up: E times the batch's size, batch after batch."""
    steps = -(-n // batch_size)
    sizes = np.full(steps, batch_size, dtype=np.float64)
    sizes[-1] = n - batch_size * (steps - 1)
    full = len(losses) // steps
    totals = [float(np.dot(losses[e * steps:(e + 1) * steps], sizes)) for e in range(full)]
    return np.array(totals, dtype=np.float64)


def run_all(trainer, first_epoch: int, epochs: int) -> bool:
    """The whole of `trainer.run`'s epochs in compiled calls when nothing needs Python between
    them (the History only, no validation, no schedule); the callbacks then see the same epochs
    in order. False (nothing done) where that does not hold."""
    net, opt = trainer.net, trainer.optimizer
    if type(trainer).__mro__[1] is not object:
        return False                   # a Trainer subclass (MPI) runs its own epochs
    if getattr(trainer, "weight", None) is not None or not getattr(trainer, "compilable", True):
        return False                   # sample weights (nn/sample_weight.py), target rows not summing to 1
    if any(type(cb) is not History for cb in trainer.callbacks) or trainer.validation_data is not None \
            or not isinstance(trainer.X, (np.ndarray, SparseRows)) \
            or getattr(opt, "schedule", None) is not None or epochs - first_epoch < 2:
        return False
    plan = epoch_plan(net, opt, trainer.X, trainer.batch_size)
    if plan is None:
        return False
    X, Y, bs = trainer.X, trainer.Y, trainer.batch_size
    n = X.shape[0]
    labels = Y.argmax(axis=1) if net.task == "multiclass" else None
    slices = net.trainable_slices()
    epoch = first_epoch
    while epoch < epochs:
        count = min(epochs - epoch, max(1, MAX_ORDERS // n))
        # the same draws, in the same order, as one permutation per epoch of the NumPy loop
        orders = np.stack([trainer.rng.permutation(n) for _ in range(count)]) if trainer.shuffle else None
        out = run(net, opt, plan, X, Y, orders, count, bs, labels, slices, norms=True, taking=trainer.taking,
                  job=trainer.job)
        totals = epoch_totals(out.losses, n, bs)
        trainer.note_kernels()
        for e in range(len(totals)):
            opt.set_epoch(net.epochs_trained)
            for cb in trainer.callbacks:      # Histories: the gradient buffer holds the run's last step's
                epoch_begin(cb, epoch + e)
                cb.replayed_norms = out.norms[e]
            trainer.end_epoch(epoch + e, totals[e], out.correct[e])
        for cb in trainer.callbacks:
            cb.replayed_norms = None
        if out.error is not None:
            steps = -(-n // bs)
            raise trainer.diverged(out.error, epoch + out.bad // steps, out.bad % steps)
        epoch += count
    return True
