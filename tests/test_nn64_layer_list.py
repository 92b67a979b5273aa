"""An item of Network's layer list that is no chainrule Layer (torch's or Keras' Flatten, an activation module,
another framework's layer) is named by its place, with what to give instead, and that gives torch's outputs."""
import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")
nn = torch.nn
X = np.random.default_rng(0).normal(size=(5, 3))


def _refusal(item):
    with pytest.raises(cr.errors.ChainruleTypeError) as raised:
        cr.Network([cr.Dense(3, 4, activation="tanh"), item, cr.Dense(4, 2)], loss="mse")
    return str(raised.value)


def _torch_out(model):
    with torch.no_grad():
        return model(torch.from_numpy(X)).numpy()


@pytest.mark.parametrize("make", [lambda: nn.Flatten(), lambda: __import__("keras").layers.Flatten(),
                                  lambda: "flatten"])
def test_a_flatten_in_the_middle_is_named_and_removing_it_gives_torch_outputs(make):
    said = _refusal(make())
    assert said.startswith("layers[1] must be a Layer") and "chainrule has no Flatten" in said and "remove it" in said
    net = cr.Network([cr.Dense(3, 4, activation="tanh", seed=1), cr.Dense(4, 2, seed=2)], loss="mse")
    torch_net = cr.to_torch(net)
    with_flatten = nn.Sequential(torch_net[0], torch_net[1], nn.Flatten(), torch_net[2])
    np.testing.assert_allclose(net.predict(X), _torch_out(with_flatten), rtol=1e-12)


@pytest.mark.parametrize("item, activation", [(nn.ReLU(), "relu"), (nn.LeakyReLU(0.01), "leaky_relu"),
                                              (nn.Sigmoid(), "sigmoid"), ("tanh", "tanh")])
def test_an_activation_module_in_the_list_is_told_to_be_the_dense_own(item, activation):
    said = _refusal(item)
    code = re.search(r"Dense\(n_in, n_out, activation=('\w+')\)", said).group(1)
    net = cr.Network([cr.Dense(3, 4, activation=eval(code), seed=1)], loss="mse")
    module = nn.Tanh() if isinstance(item, str) else item                 # the module the list was given
    np.testing.assert_allclose(net.predict(X), _torch_out(nn.Sequential(cr.to_torch(net)[0], module)), rtol=1e-12)
    assert activation in said


@pytest.mark.parametrize("item, importer", [(nn.Linear(4, 4), "cr.from_torch(model)"),
                                            (nn.Sequential(nn.Linear(4, 4)), "cr.from_torch(model)")])
def test_another_frameworks_layer_is_told_the_importer(item, importer):
    assert "it is torch's layer" in _refusal(item) and importer in _refusal(item)


@pytest.mark.parametrize("make", [lambda: nn.Identity(), lambda: "linear", lambda: "identity",
                                  lambda: __import__("keras").layers.Identity()])
def test_an_identity_in_the_list_is_told_to_be_removed_and_that_gives_torch_outputs(make):
    said = _refusal(make())
    assert "an identity computes nothing: remove it" in said, said
    net = cr.Network([cr.Dense(3, 4, activation="tanh", seed=1), cr.Dense(4, 2, seed=2)], loss="mse")
    torch_net = cr.to_torch(net)
    with_identity = nn.Sequential(torch_net[0], torch_net[1], nn.Identity(), torch_net[2])
    np.testing.assert_allclose(net.predict(X), _torch_out(with_identity), rtol=1e-12)


@pytest.mark.parametrize("make, rate", [(lambda: nn.Dropout(0.2), 0.2),
                                        (lambda: __import__("keras").layers.Dropout(0.3), 0.3)])
def test_another_frameworks_dropout_is_told_chainrules_dropout_of_its_rate(make, rate):
    code = re.search(r"give chainrule's own: (Dropout\([\d.]+\))", _refusal(make())).group(1)
    layer = eval(code, {"Dropout": cr.Dropout})
    assert layer.rate == rate
    cr.Network([cr.Dense(3, 4, activation="tanh"), layer, cr.Dense(4, 2)], loss="mse")   # now taken
