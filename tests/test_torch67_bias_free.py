"""nn.Linear(bias=False) between chainrule and torch: the imported Dense's zero bias is frozen, so torch's optimizer
over `to_torch(net)` keeps no state for it (no gradient); that state dict loaded into chainrule's optimizer was refused
("state lacks parameters [1, 3] (not stepped...)"), though those are the parameters the network freezes. `to_torch`
gives such a layer no bias at all, and `from_torch_state(sd, net)` numbers torch's parameters as the network does.
Loaded, the next step equals torch's."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state  # noqa: E402

X = np.random.default_rng(0).normal(size=(16, 3))
Y = np.tanh(X[:, :1] - X[:, 1:2])


def _steps(module, opt, n):
    for _ in range(n):
        opt.zero_grad()
        ((module(torch.from_numpy(X)) - torch.from_numpy(Y)) ** 2).mean().backward()
        opt.step()


def test_the_state_of_torchs_optimizer_over_a_bias_free_network_loads_and_steps_as_torch():
    torch.manual_seed(0)
    source = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1, bias=False)).double()
    net = cr.from_torch(source, loss="mse")
    assert [layer.trainable_params for layer in net.dense_layers] == [{"W": True, "b": False}] * 2
    module = cr.to_torch(net).train()
    topt = torch.optim.Adam(module.parameters(), lr=0.05)
    _steps(module, topt, 3)
    assert sorted(topt.state_dict()["state"]) == [0, 1]          # the two weights: to_torch keeps no bias
    net = cr.from_torch(module, loss="mse")
    opt = cr.optim.Adam(lr=0.05)
    opt.bind(net)
    opt.load_state_dict(from_torch_state(topt.state_dict(), net))
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    _steps(module, topt, 1)
    for ours, theirs in zip(net.get_weights()[::2], module.parameters()):
        np.testing.assert_allclose(ours, theirs.detach().numpy().T, rtol=0, atol=1e-12)


def test_a_trainable_parameter_left_out_of_the_state_is_still_refused():
    torch.manual_seed(0)
    net = cr.from_torch(nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 1)).double(), loss="mse")
    module = cr.to_torch(net).train()
    topt = torch.optim.Adam(module.parameters(), lr=0.05)
    _steps(module, topt, 2)
    sd = from_torch_state(topt.state_dict())
    del sd["state"][1]                         # a bias that trains: its state is missing, not frozen
    opt = cr.optim.Adam(lr=0.05)
    opt.bind(net)
    with pytest.raises(ValidationError, match=r"state lacks parameters \[1\]"):
        opt.load_state_dict(sd)
