"""A network exported to ONNX and imported again keeps what a practitioner fine-tunes by: its frozen
layers stay frozen (ONNX has no such notion: the graph's metadata carries it, as it carries the loss)."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

onnx = pytest.importorskip("onnx")


def _frozen(dtype="float64"):
    return cr.Network([cr.Dense(2, 3, "tanh", trainable=False), cr.Dropout(0.25),
                       cr.Dense(3, 1, "sigmoid", trainable={"W": True, "b": False})],
                      loss="binary_crossentropy", seed=0, dtype=dtype)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_frozen_layers_come_back_frozen_and_stay_unchanged_by_training(tmp_path, dtype):
    pytest.importorskip("torch")
    net = _frozen(dtype)
    cr.to_onnx(net, tmp_path / "m.onnx")
    back = cr.from_onnx(tmp_path / "m.onnx")
    # torch's view of the same network: requires_grad as the original's
    grads = [p.requires_grad for p in cr.to_torch(back).parameters()]
    assert grads == [p.requires_grad for p in cr.to_torch(net).parameters()] == [False, False, True, False]
    W0, b1 = back.layers[0].W.copy(), back.layers[2].b.copy()
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(16, 2)).astype(dtype), rng.integers(0, 2, (16, 1)).astype(dtype)
    back.train_steps(X, y, 3)
    assert np.array_equal(back.layers[0].W, W0) and np.array_equal(back.layers[2].b, b1)
    assert not np.array_equal(back.layers[2].W, net.layers[2].W)        # the rest learns


def test_a_network_that_learns_everywhere_writes_no_trainable_metadata():
    net = cr.Network([cr.Dense(2, 1)], loss="mse", seed=0)
    keys = [p.key for p in cr.to_onnx(net).metadata_props]
    assert keys == ["chainrule.loss"]


def test_damaged_trainable_metadata_is_named():
    model = cr.to_onnx(_frozen())
    for p in model.metadata_props:
        if p.key == "chainrule.trainable":
            p.value = '[{"W": true}]'
    with pytest.raises(ValidationError, match=r"metadata 'chainrule.trainable' is not a list .* of these 3 layers"):
        cr.from_onnx(model)
