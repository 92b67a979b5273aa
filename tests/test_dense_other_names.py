"""What a Keras or PyTorch user writes first: Dense's keywords under Keras' and torch.nn.Linear's names, and the
losses under Keras' class names (keras.losses.get takes them) and torch.nn's. A misspelt keyword was Python's bare
"unexpected keyword argument", with no word of the name meant."""
import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.nn.losses import get_loss


@pytest.mark.parametrize("keyword, meant", [
    ({"kernel_initializer": "he_normal"}, "weight_init="), ({"bias_initializer": "zeros"}, "bias_init="),
    ({"use_bias": False}, "bias_init=0, trainable={'W': True, 'b': False}"),
    ({"bias": False}, "bias_init=0, trainable={'W': True, 'b': False}"),
    ({"in_features": 3}, "n_in="), ({"out_features": 2}, "n_out="),
    ({"name": "dense_1"}, "named by its place"), ({"dtype": "float32"}, "Network([...], dtype='float32')"),
    ({"kernel_regularizer": "l2"}, "weight_decay="), ({"device": "cpu"}, "on the CPU"),
    ({"activaton": "relu"}, "(did you mean activation=?)"), ({"weight_inti": "zeros"}, "(did you mean weight_init=?)"),
])
def test_a_keyword_dense_does_not_take_names_the_one_it_does(keyword, meant):
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{next(iter(keyword))}'") as raised:
        cr.Dense(3, 2, **keyword)
    assert meant in str(raised.value)


@pytest.mark.parametrize("keyword", ["use_bias", "bias"])
def test_asking_for_a_bias_is_not_told_to_drop_it(keyword):
    """use_bias=True and bias=True are Keras' and torch.nn.Linear's defaults (a bias that learns): the advice is to
    leave the keyword out, not the recipe for a layer without a bias."""
    assert torch.nn.Linear(3, 2, bias=True).bias.requires_grad
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{keyword}'") as raised:
        cr.Dense(3, 2, **{keyword: True})
    assert "bias_init=0" not in str(raised.value) and f"leave {keyword}= out" in str(raised.value)
    assert cr.Dense(3, 2).trainable_params["b"]                   # as chainrule's own default


def test_the_no_bias_advice_builds_a_layer_without_a_learning_bias():
    """The advice for use_bias=False / bias=False is a working call: after training the bias is still 0."""
    layer = cr.Dense(3, 2, bias_init=0, trainable={"W": True, "b": False})
    net = cr.Network([layer], loss="mse", seed=0)
    X = np.random.default_rng(0).normal(size=(20, 3))
    W0 = layer.W.copy()
    net.fit(X, X[:, :2] + 1.0, epochs=3, verbose=0)
    assert np.all(layer.b == 0.0) and np.all(layer.W != W0)


def keras_loss(name, out, Y):
    """Keras' loss of that name, its function on float64 tensors (its Loss object computes in floatx), per sample
    averaged. Keras' torch backend takes a mean in float32 even of float64 tensors: to 1e-7 only."""
    import keras
    fn = keras.losses.get(name).fn
    return float(np.mean(keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(Y, "float64"),
                                                      keras.ops.convert_to_tensor(out, "float64")))))


TORCH = {"MeanSquaredError": lambda p, y: torch.nn.functional.mse_loss(p, y),
         "BinaryCrossentropy": lambda p, y: torch.nn.functional.binary_cross_entropy(p, y),
         "CategoricalCrossentropy": lambda p, y: torch.nn.functional.nll_loss(torch.log(p), y.argmax(1))}


@pytest.mark.parametrize("name", sorted(TORCH))
def test_keras_class_names_of_losses_are_the_same_losses(name):
    rng = np.random.default_rng(0)
    out = rng.uniform(0.05, 0.95, size=(6, 3))
    if name == "CategoricalCrossentropy":
        out /= out.sum(axis=1, keepdims=True)
        Y = np.eye(3)[rng.integers(0, 3, 6)]
    else:
        Y = rng.integers(0, 2, size=(6, 3)).astype(float)
    got = get_loss(name).value(out, Y)
    assert got == pytest.approx(keras_loss(name, out, Y), rel=1e-7)
    assert got == pytest.approx(TORCH[name](torch.tensor(out), torch.tensor(Y)).item(), rel=1e-12)


def test_bce_with_logits_names_binary_crossentropy_after_a_sigmoid():
    """torch.nn.BCEWithLogitsLoss of the net input is binary cross-entropy of the sigmoid's output, as
    CrossEntropyLoss of the logits is categorical cross-entropy after a softmax."""
    rng = np.random.default_rng(1)
    net_in, Y = rng.normal(0, 3, size=(5, 2)), rng.integers(0, 2, size=(5, 2)).astype(float)
    want = torch.nn.BCEWithLogitsLoss()(torch.tensor(net_in), torch.tensor(Y)).item()
    net = cr.Network([cr.Dense(2, 2, "sigmoid")], loss="BCEWithLogitsLoss")
    assert net.loss_function.name == "binary_crossentropy"
    out = 1 / (1 + np.exp(-net_in))
    assert get_loss("BCEWithLogitsLoss").value(out, Y, net_in) == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("loss, inside", [("BCEWithLogitsLoss", "sigmoid"), ("CrossEntropyLoss", "softmax")])
def test_torch_logits_loss_after_a_linear_output_says_where_the_activation_went(loss, inside):
    """In torch these losses follow a linear last layer (they apply the sigmoid or softmax to the logits
    themselves); here the network applies it, so the refusal of a linear output names the loss as written and
    says so, not only 'binary_crossentropy' or 'categorical_crossentropy', names the user never wrote."""
    logits, Y = torch.tensor([[2.0, -1.0]]), torch.tensor([[1.0, 0.0]])
    assert getattr(torch.nn, loss)()(logits, Y).item() > 0            # torch takes the linear layer's output
    with pytest.raises(ValueError, match=f"loss='{loss}' is torch.nn's loss of the logits") as raised:
        cr.Network([cr.Dense(2, 2, "linear")], loss=loss)
    assert f"the {inside} is the output layer's activation" in str(raised.value)
    assert f"Use activation='{inside}'" in str(raised.value)
