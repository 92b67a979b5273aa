"""save/load/to_onnx arguments as a practitioner passes them: a flag given as text is refused, not read as True;
NumPy's integers are integers; a folder given to load_weights is named as a folder."""
import numpy as np
import onnxruntime as ort
import pytest

import chainrule as cr
from chainrule.errors import ChainruleTypeError


def trained(dtype="float64"):
    X = np.random.default_rng(0).normal(size=(8, 3))
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2)], loss="mse", seed=0, dtype=dtype)
    net.fit(X, X[:, :2], epochs=1, optimizer="adam", verbose=0)
    return net, X


@pytest.mark.parametrize("value", ["no", "False", 0, None, 1.0])
@pytest.mark.parametrize("how", ["cr.save", "Network.save"])
def test_save_refuses_an_include_optimizer_that_is_no_bool(value, how, tmp_path):
    net, _ = trained()
    path = tmp_path / "m.npz"
    with pytest.raises(ChainruleTypeError, match="include_optimizer must be True or False"):
        cr.save(net, path, include_optimizer=value) if how == "cr.save" else net.save(path, include_optimizer=value)
    assert not path.exists()


@pytest.mark.parametrize("value", [False, np.False_])
def test_save_without_optimizer_still_takes_bools(value, tmp_path):
    net, _ = trained()
    cr.save(net, tmp_path / "m.npz", include_optimizer=value)
    assert cr.load(tmp_path / "m.npz").optimizer is None
    cr.save(net, tmp_path / "m.npz", include_optimizer=np.True_)
    assert type(cr.load(tmp_path / "m.npz").optimizer) is type(net.optimizer)


@pytest.mark.parametrize("value", ["no", 1, None])
def test_load_refuses_a_with_extra_that_is_no_bool(value, tmp_path):
    net, _ = trained()
    net.save(tmp_path / "m.npz")
    with pytest.raises(ChainruleTypeError, match="with_extra must be True or False"):
        cr.load(tmp_path / "m.npz", with_extra=value)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("opset", [np.int64(17), np.int32(19)])
def test_to_onnx_takes_numpy_integer_opsets(opset, dtype, tmp_path):
    net, X = trained(dtype)
    model = cr.to_onnx(net, tmp_path / "m.onnx", opset=opset)
    assert [(o.domain, o.version) for o in model.opset_import] == [("", int(opset))]
    session = ort.InferenceSession(str(tmp_path / "m.onnx"), providers=["CPUExecutionProvider"])
    for rows in (X[:1], X):
        (out,) = session.run(None, {"input": rows.astype(dtype)})
        atol = 1e-6 if dtype == "float32" else 1e-12
        np.testing.assert_allclose(out, net.predict(rows.astype(dtype)), rtol=0, atol=atol)


@pytest.mark.parametrize("opset", [np.float64(17), np.bool_(True), "17"])
def test_to_onnx_still_refuses_what_is_no_integer(opset, tmp_path):
    net, _ = trained()
    with pytest.raises(cr.errors.ValidationError, match="opset must be an integer"):
        cr.to_onnx(net, tmp_path / "m.onnx", opset=opset)
    assert not (tmp_path / "m.onnx").exists()


def test_load_weights_names_a_folder_as_a_folder(tmp_path):
    net, _ = trained()
    net.save_weights(tmp_path / "w.npz")
    with pytest.raises(IsADirectoryError, match=r"is a folder, not a file.*w\.npz"):
        net.load_weights(tmp_path)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        net.load_weights(tmp_path / "nope.npz")
