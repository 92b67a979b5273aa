"""Weights without their layers given where a model or an optimizer's state goes: a torch state_dict turned NumPy
(`.numpy()` of each tensor), a list of weights (`get_weights()`'s, chainrule's and Keras' W (n_in, n_out), or torch's
parameters, (n_out, n_in): a square one reads either way), an optimizer's state dict given to from_torch, a model's
weights given to the state conversions. Each was met by "got dict" / "got list" alone; each is now refused naming the
call that takes it, and following the advice gives torch's outputs to 1e-12."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")
from torch import nn  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.errors import ChainruleTypeError, ValidationError  # noqa: E402
from chainrule.saving.interop import from_torch_state, to_torch_state  # noqa: E402

X = np.random.default_rng(72).normal(size=(6, 3))


def _model():
    torch.manual_seed(72)
    return nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2)).double()


@pytest.mark.parametrize("wrap", [lambda sd: sd, lambda sd: {"model_state_dict": sd, "epoch": 3}],
                         ids=["state_dict", "checkpoint"])
def test_a_state_dict_turned_numpy_is_told_how_to_load_it_and_the_advice_gives_torchs_outputs(wrap):
    model = _model()
    as_numpy = {k: v.numpy() for k, v in model.state_dict().items()}
    with pytest.raises(ChainruleTypeError, match=r"4 NumPy arrays: '0.weight'.*load \{k: torch.from_numpy\(v\) for k, "
                                                 r"v in (sd|checkpoint\['model_state_dict'\]).items\(\)\}"):
        cr.from_torch(wrap(as_numpy))
    fresh = nn.Sequential(nn.Linear(3, 3), nn.Tanh(), nn.Linear(3, 2)).double()
    fresh.load_state_dict({k: torch.from_numpy(v) for k, v in as_numpy.items()})
    with torch.no_grad():
        np.testing.assert_allclose(cr.from_torch(fresh).predict(X), model(torch.from_numpy(X)).numpy(),
                                   rtol=1e-12, atol=1e-12)


def test_a_list_of_weights_is_refused_naming_both_layouts_and_set_weights_gives_the_networks_outputs():
    net = cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 2)], loss="mse", seed=1)
    model = cr.to_torch(net)
    for weights, kind in ((net.get_weights(), "arrays"), ([p.detach().numpy() for p in model.parameters()], "arrays"),
                          (list(model.parameters()), "tensors"), (tuple(net.get_weights()), "arrays")):
        with pytest.raises(ChainruleTypeError, match=rf"got a (list|tuple) of 4 {kind} \(shapes \(3, 3\), \(3,\), "
                                                     r".*torch's Linear.weight is \(n_out, n_in\), chainrule's and "
                                                     r"Keras' W \(n_in, n_out\).*cr.from_torch\(model\).*"
                                                     r"net.set_weights\(weights\)"):
            cr.from_torch(weights)
    again = cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 2)], loss="mse", seed=2)
    again.set_weights(net.get_weights())
    with torch.no_grad():
        np.testing.assert_allclose(again.predict(X), model(torch.from_numpy(X)).numpy(), rtol=1e-12, atol=1e-12)


def test_an_optimizers_state_dict_given_to_from_torch_names_from_torch_state():
    model = _model()
    topt = torch.optim.Adam(model.parameters())
    with pytest.raises(ChainruleTypeError, match=r"got an optimizer's state dict \('state' and 'param_groups'\), not a "
                                                 r"model: give the model, .*from_torch_state\(sd\)"):
        cr.from_torch(topt.state_dict())


@pytest.mark.parametrize("convert, advice", [(to_torch_state, r"to_torch\(net\) takes the network's weights"),
                                             (from_torch_state, r"from_torch\(model\) reads a model's weights")])
def test_a_models_weights_given_to_the_state_conversions_name_the_call_that_takes_them(convert, advice):
    net = cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 2)], loss="mse", seed=1)
    for weights, what in ((cr.to_torch(net).state_dict(), r"a model's weights \(its state_dict\(\)\)"),
                          (net.get_weights(), r"weights \(get_weights\(\)'s, or a model's parameters\)")):
        with pytest.raises(ValidationError, match=rf"; got .*, {what}, not an optimizer's state: {advice}"):
            convert(weights)
