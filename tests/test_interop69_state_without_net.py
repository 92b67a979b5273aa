"""`to_torch_state(sd)` without `net=` of a network with a layer built without a bias gave a state dict that torch's
`load_state_dict` refused in its own words (a group of another size): chainrule numbers that layer's frozen zero bias,
`to_torch(net)` has none. It is refused now naming `net=`, and with it the state loads and steps as torch's own."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch_twin import bias_free_steps_as_torch  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import to_torch_state  # noqa: E402

X = np.random.default_rng(2).normal(size=(10, 3))
Y = X[:, :1] * X[:, 2:] - X[:, 1:2]


def _trained(opt):
    torch.manual_seed(0)
    net = cr.from_torch(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)).double(), loss="mse")
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=len(X), shuffle=False, verbose=0)
    return net


@pytest.mark.parametrize("make", [lambda: cr.optim.Adam(lr=0.05), lambda: cr.optim.SGD(lr=0.05, momentum=0.9)],
                         ids=["Adam", "SGD-momentum"])
def test_a_bias_free_networks_state_without_net_is_refused_naming_net(make):
    opt = make()
    net = _trained(opt)
    with pytest.raises(ValidationError, match=r"to_torch_state: state\[1\] .*to_torch_state\(sd, net=net\)"):
        to_torch_state(opt.state_dict())
    bias_free_steps_as_torch(net, opt, opt.state_dict(), lambda params: torch.optim.Adam(params, lr=0.05)
                             if isinstance(opt, cr.optim.Adam) else torch.optim.SGD(params, lr=0.05, momentum=0.9),
                             X, Y)


def test_a_network_with_every_bias_still_converts_without_net():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    opt = cr.optim.Adam(lr=0.05)
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=len(X), shuffle=False, verbose=0)
    topt = torch.optim.Adam(cr.to_torch(net).parameters(), lr=0.05)
    topt.load_state_dict(to_torch_state(opt.state_dict()))
    assert sorted(topt.state_dict()["state"]) == [0, 1, 2, 3]
