"""Optimizer state dicts go both ways between chainrule and torch.optim, before any step and after some: torch's
loaded into chainrule's optimizer, and chainrule's into torch's, the next step's weights are torch's (1e-12).
Before the first step each state dict holds what torch's holds then (Adagrad: step 0 and its sums)."""
import numpy as np
import pytest
from torch_twin import small_net, torch_steps

import chainrule as cr

torch = pytest.importorskip("torch")
X = np.random.default_rng(0).normal(size=(16, 3))
Y = X @ np.array([[0.5], [-1.0], [2.0]]) + 0.1

CASES = [("SGD", {"lr": 0.05, "momentum": 0.9}), ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
         ("SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.1, "weight_decay": 0.01}),
         ("Adam", {"lr": 0.01}), ("Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01}),
         ("AdamW", {"lr": 0.01, "weight_decay": 0.05}),
         ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}), ("RMSprop", {"lr": 0.01}),
         ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "lr_decay": 0.01}), ("Adagrad", {"lr": 0.1})]


def _ours_steps(net, opt, n):
    if n:
        net.fit(X, Y, optimizer=opt, epochs=n, batch_size=len(X), shuffle=False, verbose=0)


def _as_torch(sd):
    """Ours as a torch user makes it: each array a tensor (transposed as torch's Linear.weight), the step a tensor."""
    return {"state": {i: {k: torch.tensor(float(v)) if k == "step" else torch.from_numpy(np.ascontiguousarray(v.T))
                          for k, v in e.items()} for i, e in sd["state"].items()},
            "param_groups": sd["param_groups"]}


def _as_ours(sd):
    return {"state": {i: {k: float(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                      for i, e in sd["state"].items()}, "param_groups": sd["param_groups"]}


def _same(net, model):
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind, settings", CASES)
@pytest.mark.parametrize("steps", [0, 3])
def test_torch_state_dict_loaded_into_chainrule_goes_on_as_torch(kind, settings, steps):
    net = small_net()
    model = cr.to_torch(net)
    topt = getattr(torch.optim, kind)(model.parameters(), **settings)
    torch_steps(model, topt, X, Y, steps)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    opt = getattr(cr.optim, kind)()
    opt.load_state_dict(_as_ours(topt.state_dict()))
    assert {k: opt.state_dict()["param_groups"][0][k] for k in settings} == settings
    _ours_steps(net, opt, 1)
    torch_steps(model, topt, X, Y, 1)
    _same(net, model)


@pytest.mark.parametrize("kind, settings", CASES)
@pytest.mark.parametrize("steps", [0, 3])
def test_chainrule_state_dict_loaded_into_torch_goes_on_as_chainrule(kind, settings, steps):
    net = small_net()
    opt = getattr(cr.optim, kind)(**settings).bind(net)
    _ours_steps(net, opt, steps)
    model = cr.to_torch(net)
    topt = getattr(torch.optim, kind)(model.parameters())
    ours = opt.state_dict()
    fresh = getattr(torch.optim, kind)(cr.to_torch(net).parameters(), **settings).state_dict()
    assert {i: sorted(e) for i, e in ours["state"].items()} == {i: sorted(e) for i, e in fresh["state"].items()} \
        or steps
    topt.load_state_dict(_as_torch(ours))
    _ours_steps(net, opt, 1)
    torch_steps(model, topt, X, Y, 1)
    _same(net, model)
    torch_steps(model, topt, X, Y, 1)                      # and the step after: torch's own count went on
    _ours_steps(net, opt, 1)
    _same(net, model)
