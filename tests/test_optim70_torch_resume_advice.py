"""torch's optimizer state dict saved with a scheduler (its param_groups hold 'initial_lr'), loaded into chainrule's
optimizer of the same schedule. Without an 'epoch' the schedule's epoch is unknown even where the rate matches epoch 0
(StepLR keeps one rate for several epochs), so it is refused rather than read as epoch 0. With the scheduler's
last_epoch given, the warning's advice (net.epochs_trained = ...) makes the run go on as torch's, not one epoch on."""
import re
import warnings

import numpy as np
import pytest
from torch_twin import small_net, torch_steps

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")
X = np.random.default_rng(0).normal(size=(16, 3))
Y = X @ np.array([[0.5], [-1.0], [2.0]]) + 0.1


def _as_ours(sd):
    return {"state": {i: {k: float(v) if k == "step" else v.numpy().T.copy() for k, v in e.items()}
                      for i, e in sd["state"].items()}, "param_groups": [dict(g) for g in sd["param_groups"]]}


def _torch_run(model, epochs):
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.StepLR(topt, step_size=2, gamma=0.5)
    for _ in range(epochs):
        torch_steps(model, topt, X, Y, 1)
        scheduler.step()
    return topt, scheduler


def _ours():
    return cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5), momentum=0.9)


def test_torch_dict_of_a_scheduler_without_epoch_is_refused_even_where_its_rate_is_epoch_0s():
    net = small_net()
    topt, scheduler = _torch_run(cr.to_torch(net), 1)
    assert scheduler.last_epoch == 1 and topt.param_groups[0]["lr"] == 0.1     # the rate of epoch 0 as well
    with pytest.raises(ValidationError, match=r"no 'epoch'.*scheduler\.last_epoch"):
        _ours().bind(net).load_state_dict(_as_ours(topt.state_dict()))


def test_a_dict_without_a_scheduler_or_of_chainrule_still_loads_at_epoch_0():
    net = small_net()
    model = cr.to_torch(net)
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_steps(model, topt, X, Y, 1)
    assert "initial_lr" not in topt.state_dict()["param_groups"][0] and topt.state_dict()["state"]
    opt = _ours().bind(net)
    opt.load_state_dict(_as_ours(topt.state_dict()))
    assert opt.epoch == 0 and opt.lr == 0.1


def test_following_the_warning_for_torchs_dict_goes_on_as_torch():
    net = small_net()
    model = cr.to_torch(net)
    topt, scheduler = _torch_run(model, 3)
    weights = [p.detach().numpy().T.copy() for p in model.parameters()]
    sd = _as_ours(topt.state_dict())
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    behind = small_net()
    behind.set_weights(weights)
    opt = _ours().bind(behind)
    opt.load_state_dict(sd)
    with pytest.warns(UserWarning, match=r"net\.epochs_trained = \d+") as said:
        behind.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    advised = int(re.search(r"net\.epochs_trained = (\d+)", " ".join(str(w.message) for w in said)).group(1))
    assert len(said) == 1, [str(w.message) for w in said]
    net.set_weights(weights)
    opt = _ours().bind(net)
    opt.load_state_dict(sd)
    net.epochs_trained = advised
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    for _ in range(3):
        torch_steps(model, topt, X, Y, 1)
        scheduler.step()
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)
