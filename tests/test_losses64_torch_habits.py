"""Losses and activations as a PyTorch or Keras user reaches for them: torch's NLLLoss, torch's loss objects,
Keras' from_logits / label_smoothing / reduction, each taken where it is the engine's own behaviour and otherwise
refused saying what to give instead; the advice checked against torch's numbers. And ReLU's derivative at a NaN
unit: torch's rule (the unit is on), the rule its backward already follows."""
from pathlib import Path

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.errors import ParameterError, UnknownNameError, ValidationError
from chainrule.nn.activations import ReLU, Softmax
from chainrule.nn.losses import MSE, SSE, BinaryCrossentropy, CategoricalCrossentropy, get_loss

Z = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 1.0], [0.0, 0.0, 0.0]])
LABELS = np.array([0, 1, 2])


def ours(y):
    return CategoricalCrossentropy().value(Softmax()(Z.copy()), y, Z)


@pytest.mark.parametrize("name", ["NLLLoss", "nll_loss", "nll"])
def test_nllloss_refusal_names_what_gives_its_numbers(name):
    with pytest.raises(UnknownNameError) as info:
        get_loss(name)
    message = str(info.value)
    assert "softmax" in message and "'categorical_crossentropy'" in message and "log-probabilities" in message
    nll = torch.nn.NLLLoss()(torch.log_softmax(torch.tensor(Z), 1), torch.tensor(LABELS)).item()
    assert ours(np.eye(3)[LABELS]) == pytest.approx(nll, rel=1e-14)


def test_torch_nllloss_object_gets_the_same_advice():
    with pytest.raises(UnknownNameError, match="categorical_crossentropy"):
        get_loss(torch.nn.NLLLoss())


@pytest.mark.parametrize("name", ["MSELoss", "CrossEntropyLoss", "BCEWithLogitsLoss", "BCELoss"])
def test_torch_loss_object_told_to_give_its_name(name):
    obj = getattr(torch.nn, name)()
    with pytest.raises(ValidationError, match=f"give loss='{name}'") as info:
        cr.Network([cr.Dense(3, 3, "softmax")], loss=obj)
    assert "Did you mean" not in str(info.value)     # CrossEntropyLoss() was 'binary_crossentropy'?
    assert type(get_loss(name)) is type(get_loss(name.lower()))


@pytest.mark.parametrize("cls", [BinaryCrossentropy, CategoricalCrossentropy, MSE])
@pytest.mark.parametrize("option", [{"reduction": "mean"}, {"reduction": "sum_over_batch_size"}])
def test_reduction_that_is_the_mean_is_taken(cls, option):
    assert type(cls(**option)) is cls


@pytest.mark.parametrize("cls", [BinaryCrossentropy, CategoricalCrossentropy])
def test_keras_defaults_taken(cls):
    assert type(cls(from_logits=False, label_smoothing=0.0)) is cls


@pytest.mark.parametrize("cls", [BinaryCrossentropy, CategoricalCrossentropy])
def test_from_logits_true_refused_naming_the_output_activation(cls):
    with pytest.raises(ParameterError, match="from_logits=True.*activation") as info:
        cls(from_logits=True)
    assert isinstance(info.value, TypeError)          # code catching the TypeError of an unknown argument


@pytest.mark.parametrize("cls", [BinaryCrossentropy, CategoricalCrossentropy, MSE])
@pytest.mark.parametrize("reduction", ["sum", "none", None])
def test_other_reductions_refused_saying_the_loss_is_the_mean(cls, reduction):
    with pytest.raises(ParameterError, match="mean over the batch"):
        cls(reduction=reduction)


@pytest.mark.parametrize("cls", [SSE, MSE])
def test_unknown_option_named(cls):
    with pytest.raises(ParameterError, match="label_smoothing=0.1"):
        cls(label_smoothing=0.1)


def test_label_smoothing_advice_gives_torch_numbers():
    s = 0.1
    with pytest.raises(ParameterError) as info:
        CategoricalCrossentropy(label_smoothing=s)
    assert "Y * (1 - s) + s / n_classes" in str(info.value)
    smoothed = np.eye(3)[LABELS] * (1 - s) + s / 3
    want = torch.nn.CrossEntropyLoss(label_smoothing=s)(torch.tensor(Z), torch.tensor(LABELS)).item()
    assert ours(smoothed) == pytest.approx(want, rel=1e-14)


def test_binary_label_smoothing_advice_is_keras_formula():
    with pytest.raises(ParameterError, match=r"Y \* \(1 - s\) \+ s / 2"):
        BinaryCrossentropy(label_smoothing=0.2)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_relu_derivative_at_nan_is_torchs(dtype):
    net = np.array([np.nan, -1.0, 0.0, 2.0, np.inf, -np.inf], dtype=dtype)
    t = torch.tensor(net, requires_grad=True)
    torch.relu(t).sum().backward()
    out = ReLU()(net)
    np.testing.assert_array_equal(ReLU().derivative(out, net), t.grad.numpy())
    np.testing.assert_array_equal(ReLU().backward(np.ones_like(net), out, net), t.grad.numpy())


DOC = (Path(__file__).parents[1] / "docs" / "errors.md").read_text()


@pytest.mark.parametrize("case, call", [
    ("loss NLLLoss", lambda: get_loss("NLLLoss")),
    ("loss from_logits=True", lambda: BinaryCrossentropy(from_logits=True)),
    ("loss label_smoothing", lambda: CategoricalCrossentropy(label_smoothing=0.1)),
    ("torch loss object", lambda: get_loss(torch.nn.CrossEntropyLoss())),
])
def test_errors_md_rows_are_the_messages(case, call):
    row = next(line for line in DOC.splitlines() if line.startswith(f"| {case} | "))
    cls, message = row.split(" | ")[1:3]
    with pytest.raises(ValidationError) as info:
        call()
    assert (f"`{type(info.value).__name__}`", str(info.value)) == (cls, message.replace("\\|", "|"))
