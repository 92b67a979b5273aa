"""The state conversions given the optimizer itself (chainrule's or torch's) or the network first, torch users'
slips: the error names what was given and the call to write instead."""
from __future__ import annotations

import re

import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


@pytest.mark.parametrize("convert,name", [(to_torch_state, "to_torch_state"), (from_torch_state, "from_torch_state")])
def test_optimizer_given_for_its_state_dict(convert, name):
    net = _net()
    ours = cr.optim.Adam()
    ours.bind(net)
    theirs = torch.optim.Adam(cr.to_torch(net).parameters())
    for opt in (ours, theirs):
        with pytest.raises(ValueError, match=re.escape(f"got Adam, an optimizer: give its state dict, "
                                                       f"{name}(opt.state_dict())")):
            convert(opt)


@pytest.mark.parametrize("convert,name", [(to_torch_state, "to_torch_state"), (from_torch_state, "from_torch_state")])
def test_network_given_first(convert, name):
    with pytest.raises(ValueError, match=re.escape(f"got Network, the network: it comes second, "
                                                   f"{name}(opt.state_dict(), net=net)")):
        convert(_net())
