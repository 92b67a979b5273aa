"""The small regression network the optimizer state-dict tests train twice, once here and once as torch's twin
(its weights copied), and torch's steps on it: one place for what those files share."""
import numpy as np

import chainrule as cr


def small_net() -> cr.Network:
    return cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


def torch_steps(model, topt, X: np.ndarray, Y: np.ndarray, n: int) -> None:
    """n full-batch steps of torch's optimizer on the mean squared error of (X, Y)."""
    import torch
    for _ in range(n):
        topt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
        topt.step()
