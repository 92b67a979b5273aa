"""Keras' and torch's loss options through the other doors: torch loss objects and classes whose options change the
numbers, NumPy scalars equal to the default, Keras' axis=-1, and Keras' loss config dict; the advice checked against
torch's numbers."""
import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.errors import ParameterError, ValidationError
from chainrule.nn.activations import Softmax
from chainrule.nn.losses import MSE, BinaryCrossentropy, CategoricalCrossentropy, get_loss

Z = np.array([[2.0, -1.0, 0.5], [-3.0, 4.0, 1.0]])
LABELS = np.array([0, 2])


@pytest.mark.parametrize("obj, option", [
    (torch.nn.CrossEntropyLoss(label_smoothing=0.1), "label_smoothing=0.1"),
    (torch.nn.MSELoss(reduction="sum"), "reduction='sum'"),
    (torch.nn.BCELoss(reduction="none"), "reduction='none'"),
])
def test_torch_object_with_other_options_refused_not_told_its_name(obj, option):
    """Giving the name would silently drop the option: the refusal says what to do for it instead."""
    with pytest.raises(ParameterError, match=f"{type(obj).__name__}\\({option}\\) is not taken") as info:
        cr.Network([cr.Dense(3, 3, "softmax")], loss=obj)
    assert "give loss=" not in str(info.value)


@pytest.mark.parametrize("obj", [torch.nn.CrossEntropyLoss(weight=torch.ones(3)),
                                 torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(1))])
def test_torch_object_with_class_weights_refused(obj):
    with pytest.raises(ParameterError, match="sample_weight"):
        get_loss(obj)


def test_torch_object_at_defaults_still_told_its_name():
    obj = torch.nn.CrossEntropyLoss(reduction="mean", label_smoothing=0.0)
    with pytest.raises(ValidationError, match="give loss='CrossEntropyLoss'"):
        get_loss(obj)


def test_torch_loss_class_told_to_give_its_name():
    with pytest.raises(ValidationError, match="give loss='MSELoss'"):
        get_loss(torch.nn.MSELoss)


@pytest.mark.parametrize("option", [{"label_smoothing": np.float64(0.0)}, {"from_logits": np.False_},
                                    {"label_smoothing": np.float32(0)}, {"axis": -1}])
def test_numpy_scalars_at_the_default_and_keras_axis_taken(option):
    assert type(BinaryCrossentropy(**option)) is BinaryCrossentropy
    assert type(CategoricalCrossentropy(**option)) is CategoricalCrossentropy


def test_numpy_scalar_other_than_default_refused():
    with pytest.raises(ParameterError, match="smooth the targets"):
        CategoricalCrossentropy(label_smoothing=np.float64(0.1))
    with pytest.raises(ParameterError, match="axis=0"):
        CategoricalCrossentropy(axis=0)


def test_keras_config_dict_taken_at_defaults_and_checked_otherwise():
    """Keras' serialize(loss): {'class_name', 'config'}; its config's options go through the same check."""
    config = {"name": "categorical_crossentropy", "reduction": "sum_over_batch_size", "from_logits": False,
              "label_smoothing": 0.0, "axis": -1, "dtype": None}
    loss = get_loss({"class_name": "CategoricalCrossentropy", "config": config})
    assert type(loss) is CategoricalCrossentropy
    s = 0.1
    with pytest.raises(ParameterError, match="label_smoothing=0.1") as info:
        get_loss({"class_name": "CategoricalCrossentropy", "config": {**config, "label_smoothing": s}})
    assert "Y * (1 - s) + s / n_classes" in str(info.value)
    smoothed = np.eye(3)[LABELS] * (1 - s) + s / 3
    want = torch.nn.CrossEntropyLoss(label_smoothing=s)(torch.tensor(Z), torch.tensor(LABELS)).item()
    assert loss.value(Softmax()(Z.copy()), smoothed, Z) == pytest.approx(want, rel=1e-14)


def test_keras_config_dict_of_unknown_class_named():
    with pytest.raises(cr.errors.UnknownNameError, match="loss=.Hinge. is not known"):
        get_loss({"class_name": "Hinge", "config": {}})


def test_keras_loss_objects_options_read_not_dropped():
    """Keras' loss object of from_logits=True was told to give its name, which reads probabilities."""
    import keras
    with pytest.raises(ParameterError, match="from_logits=True.*activation"):
        get_loss(keras.losses.BinaryCrossentropy(from_logits=True))
    with pytest.raises(ParameterError, match="label_smoothing=0.1"):
        get_loss(keras.losses.CategoricalCrossentropy(label_smoothing=0.1))
    with pytest.raises(ValidationError) as info:
        get_loss(keras.losses.BinaryCrossentropy())
    assert str(info.value).startswith("loss=BinaryCrossentropy() is keras's loss object")
    assert "give loss='BinaryCrossentropy'" in str(info.value)


@pytest.mark.parametrize("name, cls", [("CategoricalCrossentropy", CategoricalCrossentropy),
                                       ("SparseCategoricalCrossentropy", CategoricalCrossentropy),
                                       ("BinaryCrossentropy", BinaryCrossentropy), ("MeanSquaredError", MSE)])
def test_keras_serialize_output_taken(name, cls):
    """keras.losses.serialize(loss) itself (with its 'module' and 'registered_name') gives the same loss."""
    import keras
    loss = get_loss(keras.losses.serialize(getattr(keras.losses, name)()))
    assert type(loss) is cls
