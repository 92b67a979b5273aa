"""A float32 network explained: the numbers are the float32 ones training computes, to the last digit
the report writes (float32's shortest round-trip decimal), checked against torch in float32."""
import re

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

X = np.array([[0.1, 0.2, 0.3], [0.4, -0.5, 0.6], [-0.7, 0.8, 0.9]], dtype=np.float32)
Y = np.array([[1, 0], [0, 1], [0.5, 0.5]], dtype=np.float32)


@pytest.mark.parametrize("seed", [0, 2, 4])
def test_a_float32_update_is_rounded_in_float32_as_a_training_step_rounds_it(seed):
    net = cr.Network([cr.Dense(3, 3, "tanh"), cr.Dense(3, 2, "linear")], loss="mse", dtype="float32", seed=seed)
    lr = 0.37
    report = cr.explain(net, X, Y, lr=lr)
    text = report.text()
    for p in report.to_dict()["parameters"]:
        # torch's float32 update of the report's own weight and gradient (those are checked elsewhere)
        w = torch.tensor(p["value"], dtype=torch.float32) - lr * torch.tensor(p["grad"], dtype=torch.float32)
        expected = np.float32(w.item())
        assert np.float32(p["updated"]) == expected, p["name"]
        shown = re.search(rf"^  {re.escape(p['name'])}\+ = .* = (\S+)$", text, re.M)
        assert shown is not None and np.float32(shown.group(1)) == expected, p["name"]
    net.step(X, Y, lr)                               # and it is the weight the step leaves
    for p in report.to_dict()["parameters"]:
        layer = net.dense_layers[p["layer"]]
        after = layer.W[tuple(p["index"])] if p["kind"] == "W" else layer.b[p["index"][0]]
        assert np.float32(p["updated"]) == after, p["name"]
