"""A deployer's reading of to_onnx: every loss and activation the docs list, float64 and float32, with and without
the checks, run by onnxruntime on batches of 1, 7 and 300 rows (the batch axis "N" dynamic), equal to predict to
1e-12 (float64) and 1e-6 (float32), the input "input" and the output "output", and from_onnx giving back the same
network (its loss from the metadata, its weights bit for bit)."""
import numpy as np
import pytest

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

import chainrule as cr  # noqa: E402

LOSSES = ["sse", "mse", "binary_crossentropy", "categorical_crossentropy"]
OUTPUTS = {"sse": "linear", "mse": "tanh", "binary_crossentropy": "sigmoid", "categorical_crossentropy": "softmax"}


@pytest.mark.parametrize("checks", [True, False])
@pytest.mark.parametrize("dtype", ["float64", "float32"])
@pytest.mark.parametrize("loss", LOSSES)
def test_every_loss_and_activation_runs_in_onnxruntime_as_predict(loss, dtype, checks):
    layers = [cr.Dense(3, 6, "relu"), cr.Dropout(0.2), cr.Dense(6, 5, {"name": "leaky_relu", "alpha": 0.3}),
              cr.Dense(5, 4, "sigmoid"), cr.Dense(4, 4, "linear"), cr.Dense(4, 2, OUTPUTS[loss])]
    net = cr.Network(layers, loss=loss, dtype=dtype, seed=3)
    model = cr.to_onnx(net, checks=checks)
    assert [v.name for v in model.graph.input] == ["input"] and [v.name for v in model.graph.output] == ["output"]
    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["N", 3]
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    for rows in (1, 7, 300):
        X = (3 * np.random.default_rng(rows).normal(size=(rows, 3))).astype(dtype)
        (out,) = session.run(None, {"input": X})
        assert out.dtype == np.dtype(dtype) and out.shape == (rows, 2)
        np.testing.assert_allclose(out, net.predict(X), rtol=0, atol=1e-12 if dtype == "float64" else 1e-6)
    back = cr.from_onnx(model)
    assert repr(back) == repr(net)
    for ours, theirs in zip(back.get_weights(), net.get_weights()):
        np.testing.assert_array_equal(ours, theirs)
