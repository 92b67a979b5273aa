"""Plain SGD's state (and any optimizer's before its first step) goes to torch with `net=`, the argument its error
asks for (docs/interop.md's example of it runs in tests/test_docs.py, its output compared)."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
from chainrule.saving.interop import to_torch_state  # noqa: E402


@pytest.mark.parametrize("make", [lambda: cr.optim.SGD(lr=0.1), lambda: cr.optim.Adam(lr=0.1)])
def test_error_without_net_says_exactly_what_to_pass(make):
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)
    opt = make()
    opt.bind(net)
    if isinstance(opt, cr.optim.SGD):
        X = np.random.default_rng(0).normal(size=(8, 3))
        net.fit(X, X[:, :1], optimizer=opt, epochs=1, verbose=0)
    with pytest.raises(ValueError, match=re.escape("to_torch_state(sd, net=net)")):
        to_torch_state(opt.state_dict())
    module = cr.to_torch(net)
    topt = (torch.optim.SGD if isinstance(opt, cr.optim.SGD) else torch.optim.Adam)(module.parameters(), lr=0.1)
    topt.load_state_dict(to_torch_state(opt.state_dict(), net=net))
    assert topt.state_dict()["param_groups"][0]["params"] == [0, 1, 2, 3]
