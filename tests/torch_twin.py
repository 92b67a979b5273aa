"""The small regression network the optimizer state-dict tests train twice, once here and once as torch's twin
(its weights copied), and torch's steps on it: one place for what those files share."""
import numpy as np

import chainrule as cr

#: the regression data those files train on: 16 samples of 3 features, a linear target
X = np.random.default_rng(0).normal(size=(16, 3))
Y = X @ np.array([[0.5], [-1.0], [2.0]]) + 0.1


def small_net() -> cr.Network:
    return cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


def torch_steps(model, topt, X: np.ndarray, Y: np.ndarray, n: int) -> None:
    """n full-batch steps of torch's optimizer on the mean squared error of (X, Y)."""
    import torch
    for _ in range(n):
        topt.zero_grad()
        torch.nn.functional.mse_loss(model(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
        topt.step()


def as_chainrule_dict(sd: dict) -> dict:
    """torch's optimizer state dict as chainrule's reads it: NumPy arrays, transposed as its weights are."""
    return {"state": {i: {k: float(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                      for i, e in sd["state"].items()}, "param_groups": [dict(g) for g in sd["param_groups"]]}


def torch_step_lr_run(model, X: np.ndarray, Y: np.ndarray, epochs: int):
    """torch's SGD (0.1, momentum 0.9) under StepLR (step_size 2, gamma 0.5), `epochs` full-batch epochs trained;
    returns (optimizer, scheduler) to go on with `torch_epochs`."""
    import torch
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(topt, step_size=2, gamma=0.5)
    torch_epochs(model, topt, scheduler, X, Y, epochs)
    return topt, scheduler


def torch_epochs(model, topt, scheduler, X: np.ndarray, Y: np.ndarray, epochs: int) -> None:
    """`epochs` full-batch epochs of torch's optimizer, its scheduler stepped after each."""
    for _ in range(epochs):
        torch_steps(model, topt, X, Y, 1)
        scheduler.step()


def step_lr_sgd() -> cr.optim.SGD:
    """chainrule's optimizer of `torch_step_lr_run`'s schedule."""
    return cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5), momentum=0.9)


def assert_weights_as_torch(net: cr.Network, model) -> None:
    """chainrule's weights equal torch's twin's (1e-12)."""
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)


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
    assert_weights_as_torch(net, model)
    return opt


def bias_free_steps_as_torch(net: cr.Network, opt, sd: dict, make_torch_optimizer, X: np.ndarray,
                             Y: np.ndarray) -> None:
    """`sd` (opt's state over a network whose layer 0 has no bias) given to torch's optimizer with net=: torch's one
    full-batch step equals chainrule's next epoch on the parameters torch has (W0, W1, b1) to 1e-12."""
    from chainrule.saving.interop import to_torch_state
    module = cr.to_torch(net).train()
    topt = make_torch_optimizer(module.parameters())
    topt.load_state_dict(to_torch_state(sd, net=net))
    torch_steps(module, topt, X, Y, 1)
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    kept = [net.get_weights()[i] for i in (0, 2, 3)]            # W0, W1, b1: the parameters torch has
    for mine, theirs in zip(kept, [p.detach().numpy().T for p in module.parameters()], strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)
