"""torch's optimizer state dict, saved mid-schedule, loaded into chainrule's optimizer of the same schedule: torch's
param_groups keep the decayed rate but no epoch (its scheduler's last_epoch holds it), so the refusal says where the
epoch is, and with it given the run goes on as torch's (1e-12)."""
import pytest
from torch_twin import (
    X,
    Y,
    as_chainrule_dict,
    assert_weights_as_torch,
    small_net,
    step_lr_sgd,
    torch_epochs,
    torch_step_lr_run,
)

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")


def test_torch_state_dict_mid_schedule_without_epoch_is_refused_naming_the_scheduler_epoch():
    net = small_net()
    topt, _ = torch_step_lr_run(cr.to_torch(net), X, Y, 3)
    opt = step_lr_sgd().bind(net)
    with pytest.raises(ValidationError, match=r"no 'epoch'.*last_epoch") as refused:
        opt.load_state_dict(as_chainrule_dict(topt.state_dict()))
    assert "0.05" in str(refused.value) and "StepLR" in str(refused.value)
    assert "the schedule that trained it" not in str(refused.value)      # it was given that schedule


def test_torch_state_dict_mid_schedule_with_the_scheduler_epoch_goes_on_as_torch():
    net = small_net()
    model = cr.to_torch(net)
    topt, scheduler = torch_step_lr_run(model, X, Y, 3)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    sd = as_chainrule_dict(topt.state_dict())
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    opt = step_lr_sgd().bind(net)
    opt.load_state_dict(sd)
    assert opt.lr == topt.param_groups[0]["lr"]
    net.epochs_trained = scheduler.last_epoch        # the schedule's epoch is the network's count of epochs trained
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    torch_epochs(model, topt, scheduler, X, Y, 3)
    assert_weights_as_torch(net, model)


def test_the_refusal_is_docs_errors_rows_message():
    from pathlib import Path
    net = small_net()
    topt, _ = torch_step_lr_run(cr.to_torch(net), X, Y, 3)
    opt = step_lr_sgd().bind(net)
    with pytest.raises(ValidationError) as refused:
        opt.load_state_dict(as_chainrule_dict(topt.state_dict()))
    assert f"| {refused.value} |" in (Path(__file__).parent.parent / "docs" / "errors.md").read_text()
