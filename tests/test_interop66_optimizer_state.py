"""An optimizer's state dict before it knows its parameters, and the conversions to and from torch.optim's
(`to_torch_state`, `from_torch_state`) checked by going on as torch goes on, both ways."""
import numpy as np
import pytest
from torch_twin import small_net, torch_steps

import chainrule as cr
from chainrule.saving.interop import from_torch_state, to_torch_state

torch = pytest.importorskip("torch")
X = np.random.default_rng(3).normal(size=(12, 3))
Y = X @ np.array([[1.0], [-0.5], [0.25]])
KINDS = [("SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}), ("Adam", {"lr": 0.01, "weight_decay": 0.01}),
         ("AdamW", {"lr": 0.01}), ("RMSprop", {"lr": 0.01, "centered": True, "weight_decay": 0.01}),
         ("Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "lr_decay": 0.01, "weight_decay": 0.01})]


def _fit(net, opt, n):
    net.fit(X, Y, optimizer=opt, epochs=n, batch_size=len(X), shuffle=False, verbose=0)


def _same(net, model):
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("kind, settings", KINDS)
def test_state_dict_before_bind_is_refused_saying_to_bind_and_once_bound_is_torchs_at_step_0(kind, settings):
    opt = getattr(cr.optim, kind)(**settings)
    with pytest.raises(cr.errors.ValidationError, match=rf"^state_dict: this {kind} has no parameters yet .*"
                                                        r"opt\.bind\(net\)"):
        opt.state_dict()
    net = small_net()
    ours = opt.bind(net).state_dict()
    theirs = getattr(torch.optim, kind)(cr.to_torch(net).parameters(), **settings).state_dict()
    assert ours["param_groups"][0]["params"] == theirs["param_groups"][0]["params"]
    assert sorted(ours["state"]) == sorted(theirs["state"])
    for i, entry in theirs["state"].items():                 # Adagrad's sums, made with the optimizer
        assert sorted(ours["state"][i]) == sorted(entry)
        np.testing.assert_array_equal(ours["state"][i]["sum"], entry["sum"].numpy().T)


@pytest.mark.parametrize("kind, settings", KINDS)
def test_to_torch_state_is_what_torch_loads_and_goes_on_as_chainrule(kind, settings):
    net = small_net()
    opt = getattr(cr.optim, kind)(**settings)
    _fit(net, opt, 2)
    model = cr.to_torch(net).train()
    topt = getattr(torch.optim, kind)(model.parameters(), **settings)
    topt.load_state_dict(to_torch_state(opt.state_dict()))
    torch_steps(model, topt, X, Y, 2)
    _fit(net, opt, 2)
    _same(net, model)


@pytest.mark.parametrize("kind, settings", KINDS)
def test_from_torch_state_is_what_chainrule_loads_and_goes_on_as_torch(kind, settings):
    net = small_net()
    model = cr.to_torch(net).train()
    topt = getattr(torch.optim, kind)(model.parameters(), **settings)
    torch_steps(model, topt, X, Y, 2)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    opt = getattr(cr.optim, kind)()
    opt.load_state_dict(from_torch_state(topt.state_dict()))
    torch_steps(model, topt, X, Y, 2)
    _fit(net, opt, 2)
    _same(net, model)


def test_a_float32_adam_state_goes_to_torch_as_float32_and_on_as_torch():
    net = cr.Network([cr.Dense(3, 4, activation="tanh"), cr.Dense(4, 1)], loss="mse", seed=0, dtype="float32")
    x, y = X.astype(np.float32), Y.astype(np.float32)
    opt = cr.optim.Adam(lr=0.01)
    net.fit(x, y, optimizer=opt, epochs=2, batch_size=len(x), shuffle=False, verbose=0)
    model = cr.to_torch(net).train()
    topt = torch.optim.Adam(model.parameters(), lr=0.01)
    sd = to_torch_state(opt.state_dict())
    assert sd["state"][0]["exp_avg"].dtype == torch.float32
    topt.load_state_dict(sd)
    torch_steps(model, topt, x, y, 3)
    net.fit(x, y, optimizer=opt, epochs=3, batch_size=len(x), shuffle=False, verbose=0)
    for ours, theirs in zip(net.get_weights(), model.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("convert", [to_torch_state, from_torch_state])
def test_the_conversions_refuse_what_is_not_a_state_dict_naming_its_keys(convert):
    with pytest.raises(cr.errors.ValidationError, match=rf"^{convert.__name__}: a state dict is a dict with the keys "
                                                        r"\['param_groups', 'state'\].*got \['lr'\]"):
        convert({"lr": 0.1})


def _layer_groups(model, **second):
    return [{"params": list(model[0].parameters())}, {"params": list(model[2].parameters()), **second}]


@pytest.mark.parametrize("kind, settings", KINDS)
def test_torchs_param_groups_of_the_same_settings_load_as_one_and_go_on_as_torch(kind, settings):
    net = small_net()
    model = cr.to_torch(net).train()
    topt = getattr(torch.optim, kind)(_layer_groups(model), **settings)
    torch_steps(model, topt, X, Y, 2)
    net.set_weights([p.detach().numpy().T.copy() for p in model.parameters()])
    opt = getattr(cr.optim, kind)()
    opt.load_state_dict(from_torch_state(topt.state_dict()))
    assert opt.state_dict()["param_groups"][0]["params"] == [0, 1, 2, 3]
    torch_steps(model, topt, X, Y, 2)
    _fit(net, opt, 2)
    _same(net, model)


def test_torchs_param_groups_of_different_rates_are_refused_naming_the_rates():
    model = cr.to_torch(small_net())
    topt = torch.optim.Adam(_layer_groups(model, lr=0.1), lr=0.01)
    with pytest.raises(cr.errors.ValidationError, match=r"^load_state_dict: param_groups has 2 groups whose settings "
                                                        r"differ \(\{'lr': \[0\.01, 0\.1\]\}\).*the same settings"):
        cr.optim.Adam().load_state_dict(from_torch_state(topt.state_dict()))
