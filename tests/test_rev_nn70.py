"""Neighbours of the other-framework spellings: each name of a function or loss chainrule lacks is told so (never
"did you mean" another), torch.nn.functional's logits losses are told where the sigmoid or softmax went, and a
torch LeakyReLU module of another slope is told the Dense activation of that slope."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, UnknownNameError

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("name", ["RReLU", "Softmax2d", "Hardshrink", "soft_shrink", "Threshold", "hard_silu"])
def test_other_activation_neighbours_told_to_register(name):
    """'RReLU' got "Did you mean 'relu'?", 'Softmax2d' "Did you mean 'softmax'?": other functions."""
    with pytest.raises(UnknownNameError) as err:
        cr.Dense(2, 3, name)
    assert "Did you mean" not in str(err.value) and "register_activation" in str(err.value)


@pytest.mark.parametrize("name", ["categorical_hinge", "CategoricalHinge", "binary_focal_crossentropy",
                                  "BinaryFocalCrossentropy", "categorical_focal_crossentropy", "SquaredHinge",
                                  "MeanSquaredLogarithmicError", "SoftMarginLoss", "CosineSimilarity"])
def test_other_loss_neighbours_told_to_register(name):
    """'categorical_hinge' got "Did you mean 'categorical_crossentropy'?", a focal loss its plain cross-entropy."""
    with pytest.raises(UnknownNameError) as err:
        cr.Network([cr.Dense(2, 1, "sigmoid")], loss=name)
    assert "Did you mean" not in str(err.value) and "register_loss" in str(err.value)


def test_functional_bce_with_logits_is_bce_after_a_sigmoid():
    """F.binary_cross_entropy_with_logits was refused ("did you mean 'binary_crossentropy'") though BCEWithLogitsLoss
    is taken; its value after a sigmoid output is torch's of the logits."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(5, 2)), rng.integers(0, 2, size=(5, 1)).astype(float)
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_cross_entropy_with_logits", seed=0)
    logits = torch.tensor(X @ net.layers[0].W + net.layers[0].b)
    expected = torch.nn.functional.binary_cross_entropy_with_logits(logits, torch.tensor(y)).item()
    np.testing.assert_allclose(net.loss_function.value(net.forward(X), y), expected, rtol=1e-12)


@pytest.mark.parametrize("name, inside", [("cross_entropy", "softmax"),
                                          ("binary_cross_entropy_with_logits", "sigmoid")])
def test_functional_logits_loss_after_linear_output_names_the_activation_inside(name, inside):
    """loss='cross_entropy' (F.cross_entropy, of the logits) after a linear output was not told, as
    'CrossEntropyLoss' is, that torch's softmax is inside the loss and chainrule's on the output layer."""
    with pytest.raises(cr.errors.ValidationError) as err:
        cr.Network([cr.Dense(2, 3 if inside == "softmax" else 1, "linear")], loss=name)
    assert f"loss={name!r} is torch.nn's loss of the logits, with the {inside} inside it" in str(err.value)


def test_torch_leaky_relu_module_of_another_slope_told_that_slope():
    """torch.nn.LeakyReLU(0.2) in the list was told activation='leaky_relu', chainrule's slope 0.01: other outputs.
    The activation it is told computes what the module computes."""
    with pytest.raises(ChainruleTypeError) as err:
        cr.Network([cr.Dense(2, 3), torch.nn.LeakyReLU(0.2)])
    told = "activation={'name': 'leaky_relu', 'alpha': 0.2}"
    assert told in str(err.value)
    net = np.linspace(-2, 2, 9)[None]
    np.testing.assert_allclose(cr.Dense(2, 3, {"name": "leaky_relu", "alpha": 0.2}).activation(net),
                               torch.nn.LeakyReLU(0.2)(torch.tensor(net)).numpy(), rtol=1e-15)
