"""`to_torch_state(sd)` without `net=` refuses a state from before the first step (nothing in it tells a bias-free
layer), but Adagrad's holds its sums (initial_accumulator_value) then, a frozen bias's as the others': the state was
converted as if every layer had a bias and torch's load_state_dict refused it in its own words ("doesn't match the size
of optimizer's group"). Refused now naming net=; with it torch's step equals chainrule's."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402
from torch_twin import bias_free_steps_as_torch  # noqa: E402

from chainrule.saving.interop import to_torch_state  # noqa: E402

X = np.random.default_rng(70).normal(size=(10, 3))
Y = X[:, :1] * X[:, 2:] - X[:, 1:2]


def test_an_unstepped_adagrad_state_with_its_sums_is_refused_without_net_and_steps_as_torch_with_it():
    torch.manual_seed(70)
    net = cr.from_torch(nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 1)).double(), loss="mse")
    settings = {"lr": 0.1, "initial_accumulator_value": 0.1}
    opt = cr.optim.Adagrad(**settings).bind(net)
    sd = opt.state_dict()
    with pytest.raises(ValidationError, match=r"to_torch_state: the state holds no arrays .*to_torch_state\(sd, net="):
        to_torch_state(sd)
    bias_free_steps_as_torch(net, opt, sd, lambda params: torch.optim.Adagrad(params, **settings), X, Y)
