"""Adagrad's sums travel: a state after some steps, given to torch.optim.Adagrad (and torch's back to chainrule),
goes on for 5 more steps in both libraries with the same weights and sums to 1e-12."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402

KW = dict(lr=0.05, initial_accumulator_value=0.1, lr_decay=0.01, eps=1e-10)
RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=(16, 3)), RNG.normal(size=(16, 2))


def _torch_steps(module, topt, n):
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    for _ in range(n):
        topt.zero_grad()
        (((module(Xt) - Yt) ** 2).mean()).backward()        # chainrule's mse: the mean over rows and outputs
        topt.step()


def _same(net, module, opt, topt):
    for i, layer in enumerate(net.dense_layers):
        np.testing.assert_allclose(layer.W, module[2 * i].weight.detach().numpy().T, rtol=0, atol=1e-12)
        np.testing.assert_allclose(layer.b, module[2 * i].bias.detach().numpy(), rtol=0, atol=1e-12)
    ours, theirs = opt.state_dict()["state"], from_torch_state(topt.state_dict())["state"]
    assert ours.keys() == theirs.keys()
    for k in ours:
        assert ours[k]["step"] == theirs[k]["step"]
        np.testing.assert_allclose(ours[k]["sum"], theirs[k]["sum"], rtol=0, atol=1e-12)


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0)


def test_chainrule_adagrad_state_goes_on_in_torch():
    net = _net()
    opt = cr.optim.Adagrad(**KW)
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=8, shuffle=False, verbose=0)     # 6 steps
    module = cr.to_torch(net).double().train()
    topt = torch.optim.Adagrad(module.parameters(), **KW)
    topt.load_state_dict(to_torch_state(opt.state_dict()))
    assert float(topt.state_dict()["state"][0]["sum"].sum()) > 4 * 3 * 0.1 + 1e-3     # the sums, not the start
    _torch_steps(module, topt, 5)
    net.fit(X, Y, optimizer=opt, epochs=5, batch_size=16, shuffle=False, verbose=0)
    _same(net, module, opt, topt)


def test_torch_adagrad_state_goes_on_in_chainrule():
    torch.manual_seed(0)
    module = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    topt = torch.optim.Adagrad(module.parameters(), **KW)
    _torch_steps(module, topt, 4)
    net = cr.from_torch(module, loss="mse")
    opt = cr.optim.Adagrad(**KW)
    opt.bind(net)
    opt.load_state_dict(from_torch_state(topt.state_dict()))
    _torch_steps(module, topt, 5)
    net.fit(X, Y, optimizer=opt, epochs=5, batch_size=16, shuffle=False, verbose=0)
    _same(net, module, opt, topt)


@pytest.mark.parametrize("name,kw", [("Adagrad", KW), ("RMSprop", dict(lr=0.05)), ("SGD", dict(lr=0.05, momentum=0.9))])
def test_bias_free_layer_state_goes_on_in_torch_with_net(name, kw):
    torch.manual_seed(0)
    source = torch.nn.Sequential(torch.nn.Linear(3, 4, bias=False), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    net = cr.from_torch(source, loss="mse")
    opt = getattr(cr.optim, name)(**kw)
    net.fit(X, Y, optimizer=opt, epochs=3, batch_size=8, shuffle=False, verbose=0)
    module = cr.to_torch(net).train()
    topt = getattr(torch.optim, name)(module.parameters(), **kw)
    topt.load_state_dict(to_torch_state(opt.state_dict(), net=net))
    _torch_steps(module, topt, 5)
    net.fit(X, Y, optimizer=opt, epochs=5, batch_size=16, shuffle=False, verbose=0)
    np.testing.assert_allclose(net.dense_layers[0].W, module[0].weight.detach().numpy().T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.dense_layers[1].W, module[2].weight.detach().numpy().T, rtol=0, atol=1e-12)
    np.testing.assert_allclose(net.dense_layers[1].b, module[2].bias.detach().numpy(), rtol=0, atol=1e-12)
