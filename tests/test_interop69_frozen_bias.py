"""A layer frozen whole whose bias is zero went to torch as `nn.Linear(bias=False)`, as if built without one: unfrozen
in torch, it could not learn the bias the chainrule network has. It keeps its bias now; a layer built without one
(torch's `Linear(bias=False)`, frozen weight or not) still has none."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402

X = np.random.default_rng(1).normal(size=(12, 3))
Y = np.sin(X[:, :1]) + X[:, 1:2]


def test_a_layer_frozen_whole_with_zero_bias_keeps_it_and_both_learn_it_alike_once_unfrozen():
    net = cr.Network([cr.Dense(3, 4, "tanh", weight_init="glorot_uniform"), cr.Dense(4, 1)], loss="mse", seed=3)
    layer = net.dense_layers[0]
    layer.b[...] = 0.0
    layer.freeze()
    module = cr.to_torch(net).train()
    assert module[0].bias is not None and not module[0].bias.requires_grad
    np.testing.assert_array_equal(module[0].bias.detach().numpy(), np.zeros(4))
    layer.unfreeze()
    for p in module.parameters():
        p.requires_grad_(True)
    net.fit(X, Y, optimizer=cr.optim.SGD(lr=0.1), epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    topt = torch.optim.SGD(module.parameters(), lr=0.1)
    topt.zero_grad()
    nn.functional.mse_loss(module(torch.from_numpy(X)), torch.from_numpy(Y)).backward()
    topt.step()
    assert np.any(layer.b != 0)
    for mine, theirs in zip(net.get_weights(), [p.detach().numpy() for p in module.parameters()], strict=True):
        np.testing.assert_allclose(mine, theirs.T if mine.ndim == 2 else theirs, rtol=0, atol=1e-12)


def test_a_bias_free_linear_with_a_frozen_weight_goes_back_without_a_bias():
    torch.manual_seed(0)
    source = nn.Sequential(nn.Linear(3, 4, bias=False), nn.ReLU(), nn.Linear(4, 1)).double()
    source[0].weight.requires_grad_(False)
    module = cr.to_torch(cr.from_torch(source))
    assert module[0].bias is None and not module[0].weight.requires_grad
    assert [k for k, _ in module.named_parameters()] == [k for k, _ in source.named_parameters()]
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), source(torch.from_numpy(X)).numpy(),
                                   rtol=0, atol=1e-12)
