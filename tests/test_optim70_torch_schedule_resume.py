"""torch's optimizer state dict, saved mid-schedule, loaded into chainrule's optimizer of the same schedule: torch's
param_groups keep the decayed rate but no epoch (its scheduler's last_epoch holds it), so the refusal says where the
epoch is, and with it given the run goes on as torch's (1e-12)."""
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


def test_torch_state_dict_mid_schedule_without_epoch_is_refused_naming_the_scheduler_epoch():
    net = small_net()
    topt, _ = _torch_run(cr.to_torch(net), 3)
    opt = cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5), momentum=0.9).bind(net)
    with pytest.raises(ValidationError, match=r"no 'epoch'.*last_epoch") as refused:
        opt.load_state_dict(_as_ours(topt.state_dict()))
    assert "0.05" in str(refused.value) and "StepLR" in str(refused.value)
    assert "the schedule that trained it" not in str(refused.value)      # it was given that schedule


def test_torch_state_dict_mid_schedule_with_the_scheduler_epoch_goes_on_as_torch():
    net = small_net()
    model = cr.to_torch(net)
    topt, scheduler = _torch_run(model, 3)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    sd = _as_ours(topt.state_dict())
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    opt = cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5), momentum=0.9).bind(net)
    opt.load_state_dict(sd)
    assert opt.lr == topt.param_groups[0]["lr"]
    net.epochs_trained = scheduler.last_epoch        # the schedule's epoch is the network's count of epochs trained
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    for _ in range(3):
        torch_steps(model, topt, X, Y, 1)
        scheduler.step()
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)


def test_the_refusal_is_docs_errors_rows_message():
    from pathlib import Path
    net = small_net()
    topt, _ = _torch_run(cr.to_torch(net), 3)
    opt = cr.optim.SGD(cr.optim.StepLR(0.1, step_size=2, gamma=0.5), momentum=0.9).bind(net)
    with pytest.raises(ValidationError) as refused:
        opt.load_state_dict(_as_ours(topt.state_dict()))
    assert f"| {refused.value} |" in (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
