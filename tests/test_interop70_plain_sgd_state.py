"""`to_torch_state(sd)` without `net=` refuses a state whose bias never moved (a frozen one, none in torch where the
layer has no bias), but plain SGD keeps no arrays (nor does any optimizer before its first step): nothing told, the
state was converted as if every layer had a bias, and torch's load_state_dict refused it for a bias-free network in its
own words ("doesn't match the size of optimizer's group"). Where nothing tells it is refused naming `net=`; with it
the state loads and torch's step equals chainrule's."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch_twin import bias_free_steps_as_torch  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import to_torch_state  # noqa: E402

X = np.random.default_rng(70).normal(size=(10, 3))
Y = X[:, :1] * X[:, 2:] - X[:, 1:2]


def _net():
    torch.manual_seed(70)
    return cr.from_torch(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)).double(), loss="mse")


@pytest.mark.parametrize("kind, epochs", [("SGD", 2), ("SGD", 0), ("Adam", 0)], ids=["plain-SGD", "SGD-unstepped",
                                                                                     "Adam-unstepped"])
def test_a_state_with_nothing_to_tell_by_is_refused_without_net_and_steps_as_torch_with_it(kind, epochs):
    net, opt = _net(), getattr(cr.optim, kind)(lr=0.05)
    if epochs:
        net.fit(X, Y, optimizer=opt, epochs=epochs, batch_size=len(X), shuffle=False, verbose=0)
    else:
        opt.bind(net)                  # before its first step: torch's optimizer made with the module's parameters
    sd = opt.state_dict()
    with pytest.raises(ValidationError, match=r"to_torch_state: the state holds no arrays .*to_torch_state\(sd, net="):
        to_torch_state(sd)
    bias_free_steps_as_torch(net, opt, sd, lambda params: getattr(torch.optim, kind)(params, lr=0.05), X, Y)
