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


def goes_on_as_torch(kind: str, settings: dict, convert, X: np.ndarray, Y: np.ndarray):
    """torch's optimizer `kind` takes two steps; its state dict, made chainrule's by `convert`, is loaded into
    chainrule's, and one more step of each gives torch's weights (1e-12). Returns chainrule's optimizer."""
    import torch
    net = small_net()
    model = cr.to_torch(net)
    topt = getattr(torch.optim, kind)(model.parameters(), **settings)
    torch_steps(model, topt, X, Y, 2)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    opt = getattr(cr.optim, kind)()
    opt.load_state_dict(convert(topt.state_dict()))
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    torch_steps(model, topt, X, Y, 1)
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)
    return opt
