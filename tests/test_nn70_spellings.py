"""A network built as a PyTorch or Keras user spells it: a name that means the same here is taken (and computes
what torch computes), a name of something chainrule lacks is told so with the chainrule way, never a "did you mean"
that points at another function."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import UnknownNameError

torch = pytest.importorskip("torch")


def gradients_against_torch(activation: str, module) -> None:
    """The layer's output and dE/dW, dE/db with `activation` spelled as torch spells it, against autograd."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(6, 3)), rng.normal(size=(6, 2))
    net = cr.Network([cr.Dense(3, 2, activation)], loss="mse", seed=1)
    W, b = (torch.tensor(a, requires_grad=True) for a in (net.layers[0].W.copy(), net.layers[0].b.copy()))
    out = module(torch.tensor(X) @ W + b)
    torch.nn.functional.mse_loss(out, torch.tensor(y)).backward()
    np.testing.assert_allclose(net.forward(X), out.detach().numpy(), rtol=1e-12)
    grads = net.gradients(X, y)
    np.testing.assert_allclose(grads[0][0], W.grad.numpy(), rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(grads[0][1], b.grad.numpy(), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("name", ["LeakyReLU", "leakyrelu"])
def test_torch_leaky_relu_name_is_taken_with_torch_slope(name):
    """activation='LeakyReLU' (torch.nn.LeakyReLU, slope 0.01 as chainrule's) was refused with 'did you mean'."""
    gradients_against_torch(name, torch.nn.LeakyReLU())


def test_torch_identity_name_is_linear():
    """activation='Identity' (torch.nn.Identity) was refused; it is the linear activation."""
    gradients_against_torch("Identity", torch.nn.Identity())
    assert cr.Dense(2, 3, "Identity").activation.name == "linear"


@pytest.mark.parametrize("name", ["LogSoftmax", "log_softmax"])
def test_log_softmax_told_the_chainrule_way(name):
    """'LogSoftmax' got "Did you mean 'softmax'?": another function (its log) with other gradients."""
    with pytest.raises(UnknownNameError) as err:
        cr.Dense(2, 3, name)
    text = str(err.value)
    assert f"activation={name!r}" in text and "expected one of" in text and "Did you mean" not in text
    assert "activation='softmax'" in text and "loss='categorical_crossentropy'" in text


@pytest.mark.parametrize("name", ["GELU", "elu", "SELU", "softplus", "SiLU", "ReLU6"])
def test_other_activation_not_told_a_different_one(name):
    """'GELU' and 'elu' got "Did you mean 'relu'?": another function; it is told how to add one instead."""
    with pytest.raises(UnknownNameError) as err:
        cr.Dense(2, 3, name)
    text = str(err.value)
    assert "Did you mean" not in text and "expected one of" in text and "register_activation" in text


@pytest.mark.parametrize("name, torch_loss, output", [("cross_entropy", "CrossEntropyLoss", "softmax"),
                                                      ("binary_cross_entropy", "BCELoss", "sigmoid"),
                                                      ("mse_loss", "MSELoss", "linear")])
def test_torch_functional_loss_names_are_taken(name, torch_loss, output):
    """torch.nn.functional's names (F.cross_entropy, ...) were refused, cross_entropy with "did you mean
    'binary_crossentropy'"; each is the loss its torch.nn class name already gives."""
    assert type(cr.Network([cr.Dense(2, 3, output)], loss=name).loss_function) \
        is type(cr.Network([cr.Dense(2, 3, output)], loss=torch_loss).loss_function)


@pytest.mark.parametrize("name", ["mae", "mean_absolute_error", "L1Loss", "HuberLoss", "huber", "hinge",
                                  "KLDivLoss", "kl_divergence"])
def test_loss_chainrule_lacks_is_not_told_another(name):
    """loss='mae' got "Did you mean 'mse'?": another loss with other gradients; told how to add one instead."""
    with pytest.raises(UnknownNameError) as err:
        cr.Network([cr.Dense(2, 1)], loss=name)
    text = str(err.value)
    assert f"loss={name!r}" in text and "expected one of" in text and "Did you mean" not in text
    assert "register_loss" in text


def test_mismatched_sizes_name_the_argument_and_the_fix():
    """Dense(2, 3) then Dense(4, 1) said which layer but not which argument to change, nor to what."""
    with pytest.raises(cr.errors.ValidationError) as err:
        cr.Network([cr.Dense(2, 3, "relu"), cr.Dropout(0.5), cr.Dense(4, 1)])
    text = str(err.value)
    assert "layer 2 expects 4 inputs but the layer before it gives 3 outputs" in text
    assert text.startswith("Dense(4, 1, activation='linear') needs n_in=3, the n_out of layer 0 "
                           "Dense(2, 3, activation='relu')")
    cr.Network([cr.Dense(2, 3, "relu"), cr.Dropout(0.5), cr.Dense(3, 1)])       # the sizes it names are taken


@pytest.mark.parametrize("bad, received", [(0, "got 0"), (-2, "got -2"), (2.5, "got 2.5")])
def test_layer_of_no_units_names_the_layer(bad, received):
    """Dense(2, 0) said "n_out must be a positive integer; got 0" without naming Dense (a torch user's
    Linear(2, 0) says nothing at all until the first pass)."""
    with pytest.raises((cr.errors.ValidationError, cr.errors.ChainruleTypeError)) as err:
        cr.Dense(2, bad)
    assert str(err.value).startswith("Dense: n_out must be a positive integer") and received in str(err.value)
