"""save's extra_arrays and a path the shell would have expanded: refused with what was wrong, never a bare
AttributeError, and nothing written."""
import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError, ValidationError


@pytest.fixture
def net():
    return cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0, dtype="float32")


@pytest.mark.parametrize("given", [[1.0], (np.zeros(26),), np.zeros(26)])
def test_extra_arrays_that_is_no_dict_is_refused_by_name(net, given, tmp_path):
    with pytest.raises(ChainruleTypeError, match="extra_arrays must be a dict"):
        cr.save(net, tmp_path / "m.npz", extra_arrays=given)
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("value", ["list", "tuple", "float64"])
def test_an_extra_array_that_is_no_vector_of_the_networks_dtype_is_refused(net, value, tmp_path):
    vector = {"list": list(net.params), "tuple": tuple(net.params), "float64": net.params.astype(np.float64)}[value]
    with pytest.raises(ValidationError, match=r"extra array 'best' must be a NumPy vector like the parameters "
                                              r"\(\(26,\), float32\); got (list|tuple|\(26,\), float64)"):
        cr.save(net, tmp_path / "m.npz", extra_arrays={"best": vector})
    assert not (tmp_path / "m.npz").exists()


def test_an_extra_array_with_a_key_that_is_no_name_is_refused(net, tmp_path):
    with pytest.raises(ValidationError, match="extra_arrays: each name must be a Python identifier.*got 1$"):
        cr.save(net, tmp_path / "m.npz", extra_arrays={1: net.params.copy()})


def test_extra_arrays_come_back_exactly(net, tmp_path):
    from chainrule.saving.npz import load_all
    best = net.params * 2
    cr.save(net, tmp_path / "m.npz", extra_arrays={"best": best})
    _, _, arrays = load_all(tmp_path / "m.npz")
    assert arrays["best"].dtype == np.float32 and np.array_equal(arrays["best"], best)


@pytest.mark.parametrize("write", ["save", "save_weights", "to_onnx"])
def test_a_tilde_path_says_it_is_not_expanded(net, write, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)              # no folder named '~' here
    name = "~/no-such-folder-here/m." + ("onnx" if write == "to_onnx" else "npz")
    with pytest.raises(FileNotFoundError, match=r"'~' is not expanded: os\.path\.expanduser"):
        cr.to_onnx(net, name) if write == "to_onnx" else getattr(net, write)(name)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("read", ["load", "load_weights", "from_onnx"])
def test_reading_a_tilde_path_says_it_is_not_expanded(net, read, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "~/no-such-file-here." + ("onnx" if read == "from_onnx" else "npz")
    with pytest.raises((cr.errors.ModelFileError, FileNotFoundError),
                       match=r"does not exist.*'~' is not expanded: os\.path\.expanduser"):
        net.load_weights(name) if read == "load_weights" else getattr(cr, read)(name)
