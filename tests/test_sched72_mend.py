"""Neighbours of OneCycleLR's cycle_momentum: torch's state dict under its default OneCycleLR (its param_group keeps
max_lr, min_lr, max_momentum and base_momentum) loads and goes on as torch's; Adam's beta1 driven to 1 by
max_momentum or base_momentum is refused when the optimizer is made, naming the argument, not at the cycle's epoch;
the CLI's adagrad under onecycle is a usage error naming --optimizer and the key to add."""
import pytest
from conftest import cmd
from torch_twin import X, Y, as_chainrule_dict, assert_weights_as_torch, small_net, torch_epochs

import chainrule as cr
from chainrule import optim
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("kind", ["sgd", "adam"])
@pytest.mark.parametrize("cycle_momentum", [True, False])
def test_torchs_dict_under_its_one_cycle_goes_on_as_torch(kind, cycle_momentum):
    net = small_net()
    model = cr.to_torch(net)
    make = {"sgd": lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9), "adam": lambda p: torch.optim.Adam(p, lr=0.1)}
    topt = make[kind](model.parameters())
    scheduler = torch.optim.lr_scheduler.OneCycleLR(topt, 0.1, total_steps=10, cycle_momentum=cycle_momentum)
    torch_epochs(model, topt, scheduler, X, Y, 4)
    sd = as_chainrule_dict(topt.state_dict())
    assert {"max_lr", "min_lr"} <= set(sd["param_groups"][0])
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    net.epochs_trained = scheduler.last_epoch
    schedule = optim.OneCycleLR(0.1, 10, cycle_momentum=cycle_momentum)
    opt = (optim.SGD(schedule, momentum=0.9) if kind == "sgd" else optim.Adam(schedule)).bind(net)
    opt.load_state_dict(sd)
    net.fit(X, Y, optimizer=opt, epochs=5, batch_size=len(X), shuffle=False, verbose=0)
    torch_epochs(model, topt, scheduler, X, Y, 5)
    assert_weights_as_torch(net, model)


def test_torchs_one_cycle_keys_of_another_cycle_are_refused_naming_them():
    net = small_net()
    topt = torch.optim.SGD(cr.to_torch(net).parameters(), lr=0.1, momentum=0.9)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(topt, 0.1, total_steps=10, max_momentum=0.9)
    sd = as_chainrule_dict(topt.state_dict())
    sd["param_groups"][0]["epoch"] = scheduler.last_epoch
    with pytest.raises(ValidationError, match=r"max_momentum.*0\.9.*OneCycleLR.*0\.95"):
        optim.SGD(optim.OneCycleLR(0.1, 10), momentum=0.9).bind(net).load_state_dict(sd)
    with pytest.raises(ValidationError, match=r"torch's OneCycleLR.*follows no schedule"):
        optim.SGD(0.1, momentum=0.9).bind(net).load_state_dict(sd)


@pytest.mark.parametrize("name", ["max_momentum", "base_momentum"])
def test_adams_beta1_of_one_is_refused_when_made_naming_the_argument(name):
    schedule = optim.OneCycleLR(0.1, 10, **{name: 1.0})
    optim.SGD(schedule)                                         # SGD's momentum may be 1, as torch's
    with pytest.raises(ValidationError, match=rf"{name}=1\.0.*Adam's beta1.*below 1"):
        optim.Adam(schedule)
    with pytest.raises(ValidationError, match=rf"{name}=1\.0.*AdamW's beta1"):
        optim.AdamW(optim.SequentialLR([optim.ConstantLR(0.1), schedule], [2]))


def test_cli_adagrad_under_onecycle_is_a_usage_error_naming_the_key_to_add(tmp_path):
    (tmp_path / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 5},{'xy'[i % 2]}\n" for i in range(20)))
    done = cmd("train", "t.csv", "--target", "y", "--epochs", "4", "--out", "m.npz", "--quiet", "--optimizer",
               "adagrad", "--schedule", "onecycle:total_steps=4", cwd=tmp_path)
    assert done.returncode == 2 and not (tmp_path / "m.npz").exists(), done.stderr
    line = done.stderr.strip().splitlines()[-1]
    assert "--optimizer adagrad" in line and "add cycle_momentum=false to --schedule 'onecycle:total_steps=4'" in line
    assert "argument --schedule" in line, line
