"""`Network.train_steps`: the seeds' training loop, `steps` updates on one batch checked once, in one
compiled loop when the network's classes allow (the NumPy loop is the reference)."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import TrainingDiverged
from ..nn import checks as check
from ..nn.inference import fitting
from ..nn.losses import rows_known, rows_sum_to_one
from ..nn.network import Network
from . import compiled
from .diverged import diverged, last_update_diverged
from .optim import SGD, get_optimizer


def train_steps(net: Network, X, Y, steps: int, optimizer: Any = None) -> float:
    """`Network.train_steps`: `steps` updates on one batch, compiled when the classes allow."""
    steps = check.positive_int(steps, "steps")
    with fitting(net, "train_steps"):      # not beside a fit in another thread; layers still net.params' views
        return _train_steps(net, X, Y, steps, optimizer)


def _train_steps(net: Network, X, Y, steps: int, optimizer: Any) -> float:
    X, Y = net.check_data(X, Y)
    if optimizer is not None:
        net.optimizer = get_optimizer(optimizer).bind(net)
    elif net.optimizer is None:
        net.optimizer = SGD(0.5).bind(net)
    opt, slices = net.optimizer, net.trainable_slices()
    job = compiled.prepare(net, X.shape[0], steps, X.shape[0])
    known = rows_sum_to_one(net.loss_function, Y)
    plan = compiled.epoch_plan(net, opt, X, X.shape[0]) if known else None
    stopped = False
    try:
        if plan is not None:      # the same steps in one compiled loop (the loop below is the reference)
            losses, bad, error = compiled.run_steps(net, opt, plan, X, Y, steps, slices, job)
            if error is not None:
                raise diverged(net, error, f"at step {bad + 1}")
            E = float(losses[-1])
        else:
            with np.errstate(over="ignore", invalid="ignore"), rows_known(net.loss_function, known):
                for i in range(steps):                           # divergence is reported by TrainingDiverged
                    try:
                        E = net.train_batch(X, Y)
                    except TrainingDiverged as exc:
                        raise diverged(net, exc, f"at step {i + 1}") from None
                    opt.step(net.params, net.grads, slices)
    except (KeyboardInterrupt, SystemExit):
        stopped = True
        raise
    finally:
        compiled.job_done(not stopped, job)      # what this job lacked (kernels, a tiny version), not beside it
    if not np.isfinite(net.params).all():          # the last step's update: no forward pass came after it
        raise last_update_diverged(f"step {steps}", net)
    return E
