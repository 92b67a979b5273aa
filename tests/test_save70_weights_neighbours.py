"""load_weights' neighbours of another library's file: an ONNX model was named bare ("it is an ONNX model", nothing
of what reads it, which load says) and one NumPy array (np.save) was said to hold "binary data"."""
import numpy as np

import chainrule as cr
from chainrule.errors import ModelFileError


def net(seed=0):
    return cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1)], loss="mse", seed=seed)


def refusal(model, path):
    before = model.params.copy()
    try:
        model.load_weights(str(path))
    except ModelFileError as exc:
        np.testing.assert_array_equal(model.params, before)         # nothing set
        return str(exc)
    raise AssertionError("load_weights read it")


def test_an_onnx_model_is_named_with_what_reads_its_weights_and_that_advice_works(tmp_path):
    source = net(1)
    cr.to_onnx(source, tmp_path / "m.onnx")
    model = net()
    message = refusal(model, tmp_path / "m.onnx")
    assert message == (f"load_weights: {str(tmp_path / 'm.onnx')!r} is not chainrule weights (written by save_weights) "
                       "nor a chainrule model: it is an ONNX model: chainrule.from_onnx(path) reads it as a network, "
                       "whose get_weights() set_weights takes")
    model.set_weights(cr.from_onnx(tmp_path / "m.onnx").get_weights())     # the advice, followed
    x = np.random.default_rng(0).normal(size=(5, 2))
    np.testing.assert_allclose(model.predict(x), source.predict(x), rtol=1e-6)


def test_one_numpy_array_is_named_as_such(tmp_path):
    np.save(tmp_path / "w.npy", np.zeros((2, 3)))
    message = refusal(net(), tmp_path / "w.npy")
    assert message == (f"load_weights: {str(tmp_path / 'w.npy')!r} is not chainrule weights (written by save_weights) "
                       "nor a chainrule model: it is one NumPy array (np.save)")
