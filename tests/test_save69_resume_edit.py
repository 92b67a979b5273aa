"""A checkpoint resumed after an edit to the network (an activation changed, a layer added): the refusal names the
layer that differs, both versions of it, and what to do, as a resume of another run's checkpoint says."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

X, Y = np.random.default_rng(0).normal(size=(8, 2)), np.zeros((8, 1))


def _run(folder, layers, **kw):
    cr.Network(layers, loss="mse", seed=0).fit(X, Y, epochs=2, verbose=0, checkpoint_dir=folder, **kw)


def test_an_edited_layer_is_named_with_both_versions_and_the_way_out(tmp_path):
    folder = tmp_path / "ck"
    _run(folder, [cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)])
    before = (folder / "checkpoint.npz").read_bytes()
    with pytest.raises(ValidationError) as info:
        _run(folder, [cr.Dense(2, 3, "relu"), cr.Dense(3, 1)], resume=True)
    said = str(info.value)
    assert "layer 0 is Dense(2, 3, activation='tanh') in the checkpoint, Dense(2, 3, activation='relu') now" in said
    assert "Dense(3, 1" not in said                       # the layers alike are left out
    assert "use another checkpoint_dir, or delete the checkpoint to start over" in said
    assert (folder / "checkpoint.npz").read_bytes() == before


def test_a_layer_added_is_counted(tmp_path):
    folder = tmp_path / "ck"
    _run(folder, [cr.Dense(2, 1)])
    with pytest.raises(ValidationError, match=r"1 layer in the checkpoint, 2 now: .*use another checkpoint_dir"):
        _run(folder, [cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], resume=True)


@pytest.mark.parametrize("change, says", [({"loss": "sse"}, "the loss is 'mse' in the checkpoint, 'sse' now"),
                                          ({"dtype": "float32"}, "the dtype is 'float64' in the checkpoint, "
                                                                 "'float32' now")])
def test_another_loss_or_dtype_is_named_alone(tmp_path, change, says):
    folder = tmp_path / "ck"
    _run(folder, [cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)])
    with pytest.raises(ValidationError) as info:
        cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], **{"loss": "mse", "seed": 0, **change}).fit(
            X, Y, epochs=3, verbose=0, checkpoint_dir=folder, resume=True)
    said = str(info.value)
    assert f"is of another network: {says}. Resume with the network it was written by" in said, said
    assert "Dense(" not in said, said                   # the layers, alike, are left out
