"""The refusals interop69 added are listed in docs/errors.md with their messages; each row is what the call prints.
The refusal of `to_torch_state(sd)` without `net=` also fires where `to_torch` keeps the frozen bias (a layer frozen
whole, or a bias frozen non-zero): its message said the layer was built without a bias, which it need not be; it says
now that the state cannot tell, and `net=` converts either case as torch numbers it."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from test_errors import _documented_messages  # noqa: E402
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError, ValidationError  # noqa: E402
from chainrule.saving.interop import to_torch_state  # noqa: E402

X = np.random.default_rng(6).normal(size=(10, 3))
Y = X[:, :1] - X[:, 1:2] * X[:, 2:]


def test_a_state_dict_given_to_from_torch_says_its_row():
    torch.manual_seed(0)
    model = nn.DataParallel(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)))
    with pytest.raises(ChainruleTypeError) as info:
        cr.from_torch(model.state_dict())
    assert str(info.value) == _documented_messages()["from_torch a state_dict"]


@pytest.mark.parametrize("freeze", ["whole", "bias non-zero"])
def test_a_frozen_bias_torch_keeps_is_refused_without_net_in_words_that_hold_and_net_converts_it(freeze):
    net = cr.Network([cr.Dense(3, 4, "tanh", bias_init=0.3 if freeze != "whole" else "zeros"), cr.Dense(4, 1)],
                     loss="mse", seed=0)
    net.dense_layers[0].freeze(*(() if freeze == "whole" else ("b",)))
    opt = cr.optim.Adam(lr=0.05)
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=len(X), shuffle=False, verbose=0)
    module = cr.to_torch(net).train()
    assert module[0].bias is not None                          # torch keeps this bias: the layer was built with one
    with pytest.raises(ValidationError) as info:
        to_torch_state(opt.state_dict())
    assert str(info.value) == _documented_messages()["to_torch_state without net of a frozen bias"]
    topt = torch.optim.Adam(module.parameters(), lr=0.05)
    topt.load_state_dict(to_torch_state(opt.state_dict(), net=net))
    topt.zero_grad()
    nn.functional.mse_loss(module(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    topt.step()
    net.fit(X, Y, optimizer=opt, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    for mine, theirs in zip(net.get_weights(), [p.detach().numpy() for p in module.parameters()], strict=True):
        np.testing.assert_allclose(mine, theirs.T if mine.ndim == 2 else theirs, rtol=0, atol=1e-12)
