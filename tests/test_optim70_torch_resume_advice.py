"""torch's optimizer state dict saved with a scheduler (its param_groups hold 'initial_lr'), loaded into chainrule's
optimizer of the same schedule. Without an 'epoch' the schedule's epoch is unknown even where the rate matches epoch 0
(StepLR keeps one rate for several epochs), so it is refused rather than read as epoch 0. With the scheduler's
last_epoch given, the warning's advice (net.epochs_trained = ...) makes the run go on as torch's, not one epoch on."""
import re
import warnings

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
    torch_steps,
)

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")


def test_torch_dict_of_a_scheduler_without_epoch_is_refused_even_where_its_rate_is_epoch_0s():
    net = small_net()
    topt, scheduler = torch_step_lr_run(cr.to_torch(net), X, Y, 1)
    assert scheduler.last_epoch == 1 and topt.param_groups[0]["lr"] == 0.1     # the rate of epoch 0 as well
    with pytest.raises(ValidationError, match=r"no 'epoch'.*scheduler\.last_epoch"):
        step_lr_sgd().bind(net).load_state_dict(as_chainrule_dict(topt.state_dict()))


def test_a_dict_without_a_scheduler_or_of_chainrule_still_loads_at_epoch_0():
    net = small_net()
    model = cr.to_torch(net)
    topt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    torch_steps(model, topt, X, Y, 1)
    assert "initial_lr" not in topt.state_dict()["param_groups"][0] and topt.state_dict()["state"]
    opt = step_lr_sgd().bind(net)
    opt.load_state_dict(as_chainrule_dict(topt.state_dict()))
    assert opt.epoch == 0 and opt.lr == 0.1


def test_following_the_warning_for_torchs_dict_goes_on_as_torch():
    net = small_net()
    model = cr.to_torch(net)
    topt, scheduler = torch_step_lr_run(model, X, Y, 3)
    weights = [p.detach().numpy().T.copy() for p in model.parameters()]
    sd = as_chainrule_dict(topt.state_dict())
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    behind = small_net()
    behind.set_weights(weights)
    opt = step_lr_sgd().bind(behind)
    opt.load_state_dict(sd)
    with pytest.warns(UserWarning, match=r"net\.epochs_trained = \d+") as said:
        behind.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    advised = int(re.search(r"net\.epochs_trained = (\d+)", " ".join(str(w.message) for w in said)).group(1))
    assert len(said) == 1, [str(w.message) for w in said]
    net.set_weights(weights)
    opt = step_lr_sgd().bind(net)
    opt.load_state_dict(sd)
    net.epochs_trained = advised
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net.fit(X, Y, optimizer=opt, epochs=3, batch_size=len(X), shuffle=False, verbose=0)
    torch_epochs(model, topt, scheduler, X, Y, 3)
    assert_weights_as_torch(net, model)
