"""Training: the fit loop, optimizers and schedules, callbacks, checkpoints, gradient diagnostics."""
