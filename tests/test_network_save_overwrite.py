"""Network.save(path, overwrite=False), Keras' Model.save argument (its second, as here): it was an unexpected
keyword (a TypeError), and save_weights already took it. An existing file is refused and left as it was."""
import inspect

import numpy as np
import pytest

import chainrule as cr


def test_save_takes_keras_overwrite_as_its_second_argument(tmp_path):
    keras = pytest.importorskip("keras")
    assert list(inspect.signature(keras.Model.save).parameters)[1:3] == ["filepath", "overwrite"]
    assert list(inspect.signature(cr.Network.save).parameters)[1:3] == ["path", "overwrite"]
    net = cr.Network([cr.Dense(3, 1)], loss="mse", seed=0)
    path = tmp_path / "m.npz"
    net.save(path, overwrite=False)                   # no file yet: written
    before = path.read_bytes()
    other = cr.Network([cr.Dense(3, 1)], loss="mse", seed=1)
    with pytest.raises(FileExistsError, match=r"save: .*m\.npz' exists and overwrite=False; it was left as it is"):
        other.save(path, overwrite=False)
    assert path.read_bytes() == before
    other.save(path)                                  # the default replaces it, as before
    np.testing.assert_array_equal(cr.load(path).params, other.params)


def test_overwrite_must_be_a_flag(tmp_path):
    with pytest.raises(cr.errors.ChainruleTypeError, match="save: overwrite"):
        cr.Network([cr.Dense(3, 1)], loss="mse").save(tmp_path / "m.npz", overwrite="no")
