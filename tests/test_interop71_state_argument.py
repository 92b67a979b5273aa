"""The state conversions given the optimizer itself (chainrule's or torch's), the network first, or torch's module:
the error names what was given and the call to write instead, the way the state goes (an optimizer's state dict
is its own library's already: to_torch_state reads chainrule's, from_torch_state torch's)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402


def _net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)


def _optimizers():
    net = _net()
    ours = cr.optim.Adam()
    ours.bind(net)
    return net, ours, torch.optim.Adam(cr.to_torch(net).parameters())


@pytest.mark.parametrize("convert,name", [(to_torch_state, "to_torch_state"), (from_torch_state, "from_torch_state")])
def test_optimizer_given_for_its_state_dict(convert, name):
    net, ours, theirs = _optimizers()
    opt = ours if name == "to_torch_state" else theirs           # the optimizer whose state the conversion reads
    with pytest.raises(ValueError, match=re.escape(f"got Adam, an optimizer: give its state dict, "
                                                   f"{name}(opt.state_dict())")):
        convert(opt)
    convert(opt.state_dict(), net=net)                    # the call the message writes runs (net: not stepped)


def test_the_other_librarys_optimizer_is_sent_the_other_way():
    """torch's optimizer given to to_torch_state: its state is torch's already (to_torch_state of it would read
    torch's layout as chainrule's), and the other way round: the message names the conversion that reads it."""
    net, ours, theirs = _optimizers()
    with pytest.raises(ValueError, match=re.escape("got Adam, torch's optimizer: its state dict is torch's already "
                                                   "(its load_state_dict takes it); from_torch_state(opt.state_dict()) "
                                                   "gives it to chainrule")):
        to_torch_state(theirs)
    with pytest.raises(ValueError, match=re.escape("got Adam, chainrule's optimizer: its state dict is chainrule's "
                                                   "already (opt.load_state_dict takes it); "
                                                   "to_torch_state(opt.state_dict()) gives it to torch")):
        from_torch_state(ours)
    X = np.random.default_rng(0).normal(size=(8, 3))
    net.fit(X, X[:, :1], optimizer=ours, epochs=1, verbose=0)
    module = cr.to_torch(net)
    moved = torch.optim.Adam(module.parameters())
    moved.load_state_dict(to_torch_state(ours.state_dict()))      # the call the message writes: torch takes it
    np.testing.assert_array_equal(moved.state_dict()["state"][0]["exp_avg"].numpy().T,
                                  ours.state_dict()["state"][0]["exp_avg"])


@pytest.mark.parametrize("convert,name", [(to_torch_state, "to_torch_state"), (from_torch_state, "from_torch_state")])
def test_network_given_first(convert, name):
    with pytest.raises(ValueError, match=re.escape(f"got Network, the network: it comes second, "
                                                   f"{name}(opt.state_dict(), net=net)")):
        convert(_net())


def test_torch_module_is_no_optimizer():
    """torch's Module has a state_dict() too (its weights): it is not called an optimizer."""
    module = cr.to_torch(_net())
    with pytest.raises(ValueError, match=re.escape("got Sequential, a torch module: give chainrule's optimizer's "
                                                   "state dict and the network, "
                                                   "to_torch_state(opt.state_dict(), net=net)")):
        to_torch_state(module)
    with pytest.raises(ValueError, match=re.escape("got Sequential, a torch module: give its optimizer's state dict, "
                                                   "from_torch_state(opt.state_dict())")):
        from_torch_state(module)
