"""A layer without a bias between chainrule and torch: `from_torch` reads `nn.Linear(bias=False)` (and `from_keras`
`Dense(use_bias=False)`) as a frozen zero bias, and `to_torch` gave it back as `nn.Linear(bias=True)` holding zeros:
a parameter the source never had, which torch's optimizer, `state_dict()` and weight decay then see. It is none now,
both ways, and the optimizer's state dict is numbered as each side numbers the parameters (`net=`)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402

X = np.random.default_rng(0).normal(size=(16, 3))
Y = np.tanh(X[:, :1] - X[:, 1:2])


def _source():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 4, bias=False), nn.Tanh(), nn.Linear(4, 2), nn.ReLU(),
                         nn.Linear(2, 1, bias=False)).double()


def _steps(module, opt, n):
    for _ in range(n):
        opt.zero_grad()
        ((module(torch.from_numpy(X)) - torch.from_numpy(Y)) ** 2).mean().backward()
        opt.step()


def test_to_torch_gives_a_bias_free_layer_no_bias_and_it_round_trips():
    source = _source()
    module = cr.to_torch(cr.from_torch(source, loss="mse"))
    linears = [m for m in module if isinstance(m, nn.Linear)]
    assert [m.bias is None for m in linears] == [m.bias is None for m in source if isinstance(m, nn.Linear)]
    assert [k for k, _ in module.named_parameters()] == [k for k, _ in source.named_parameters()]
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), source(torch.from_numpy(X)).numpy(),
                                   rtol=0, atol=1e-12)
    back = cr.from_torch(module, loss="mse")
    assert [layer.trainable_params["b"] for layer in back.dense_layers] == [False, True, False]
    np.testing.assert_allclose(back.predict(X), source(torch.from_numpy(X)).detach().numpy(), rtol=0, atol=1e-12)


def test_a_trained_or_learning_bias_stays_a_bias():
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1)], loss="mse", seed=0)      # zero biases that learn
    net.dense_layers[1].trainable = {"W": True, "b": False}
    net.dense_layers[1].b[...] = 0.5                                                     # frozen, not zero
    module = cr.to_torch(net)
    assert all(m.bias is not None for m in module if isinstance(m, nn.Linear))
    assert module[0].bias.requires_grad and not module[2].bias.requires_grad


def test_a_keras_dense_without_bias_goes_to_torch_without_one():
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input(shape=(3,)), keras.layers.Dense(4, "tanh", use_bias=False, dtype="float64"),
                              keras.layers.Dense(1, dtype="float64")])
    net = cr.from_keras(model)
    module = cr.to_torch(net)
    assert module[0].bias is None and module[2].bias is not None
    with torch.no_grad():
        np.testing.assert_allclose(module(torch.from_numpy(X)).numpy(), net.predict(X), rtol=0, atol=1e-12)


def test_optimizer_state_both_ways_numbered_as_each_side_and_the_next_step_equal():
    net = cr.from_torch(_source(), loss="mse")
    opt = cr.optim.Adam(lr=0.05)
    net.fit(X, Y, optimizer=opt, epochs=2, batch_size=len(X), shuffle=False, verbose=0)
    module = cr.to_torch(net).train()
    topt = torch.optim.Adam(module.parameters(), lr=0.05)
    sd = to_torch_state(opt.state_dict(), net)
    assert sorted(sd["state"]) == [0, 1, 2, 3] and sd["param_groups"][0]["params"] == [0, 1, 2, 3]
    topt.load_state_dict(sd)
    _steps(module, topt, 2)
    again = cr.optim.Adam(lr=0.05)
    again.bind(net)
    again.load_state_dict(from_torch_state(topt.state_dict(), net))
    net.set_weights([p.detach().numpy().T.copy() if p is not None else np.zeros(m.out_features)
                     for m in module if isinstance(m, nn.Linear) for p in (m.weight, m.bias)])
    net.fit(X, Y, optimizer=again, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    _steps(module, topt, 1)
    torch_weights = [p.detach().numpy().T for p in module.parameters()]
    kept = [net.get_weights()[i] for i in (0, 2, 3, 4)]             # W0, W1, b1, W2: the biases torch has
    for mine, theirs in zip(kept, torch_weights, strict=True):
        np.testing.assert_allclose(mine, theirs, rtol=0, atol=1e-12)


def test_a_state_dict_of_other_parameters_than_the_networks_is_refused_naming_them():
    net = cr.from_torch(_source(), loss="mse")
    module = cr.to_torch(net).train()
    topt = torch.optim.Adam(list(module.parameters())[:2], lr=0.05)
    _steps(module, topt, 1)
    with pytest.raises(ValidationError, match=r"from_torch_state: .*parameters \[0, 1\], to_torch\(net\) has 4"):
        from_torch_state(topt.state_dict(), net)
