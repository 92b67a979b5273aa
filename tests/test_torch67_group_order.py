"""torch's param groups in another order than the network's layers: torch numbers the parameters on across the groups,
so index 0 is then another layer's; the refusal said only that torch's Linear.weight is W's transpose, not why."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state  # noqa: E402


def _state(groups_of):
    torch.manual_seed(0)
    module = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).double()
    net = cr.from_torch(module)
    opt = torch.optim.Adam(groups_of(module), lr=0.01)
    module(torch.from_numpy(np.random.default_rng(0).normal(size=(5, 3)))).sum().backward()
    opt.step()
    ours = cr.optim.Adam(lr=0.01)
    ours.bind(net)
    return ours, from_torch_state(opt.state_dict())


def test_groups_in_the_networks_order_load():
    opt, sd = _state(lambda m: [{"params": m[0].parameters()}, {"params": m[2].parameters()}])
    opt.load_state_dict(sd)
    assert opt.state_dict()["state"][0]["exp_avg"].shape == (3, 4)


def test_groups_in_another_order_are_refused_saying_why():
    opt, sd = _state(lambda m: [{"params": m[2].parameters()}, {"params": m[0].parameters()}])
    assert sd["state"][0]["exp_avg"].shape == (4, 2)         # torch's index 0: the last layer's weight
    with pytest.raises(ValidationError, match=r"has shape \(4, 2\).*numbers the parameters on across its 2 param "
                                              r"groups, in the groups' order: give the groups in the network's order"):
        opt.load_state_dict(sd)
