"""A hidden relu unit off (net <= 0) for every sample gets gradients of 0 on all its weights and its bias, and
explain said nothing of why. It now says so once, under the unit's dout/dnet line of zeros, in text and
Markdown, and the JSON marks the unit's parameters "off"; only where it is true (torch's gradients are 0 there)."""
from __future__ import annotations

import json

import numpy as np
import pytest

import chainrule as cr

torch = pytest.importorskip("torch")

X = np.array([[0.5, 0.1], [0.2, 0.9], [0.7, 0.3]])
Y = np.array([[1.0], [0.0], [1.0]])
W1 = np.array([[0.4, -0.8], [-0.3, -1.6]])        # h2's net is negative for every row above
B1 = np.array([0.1, 0.0])
W2, B2 = np.array([[0.9], [1.2]]), np.array([0.05])
NOTE = "h2 is off for every sample (net_h2 <= 0): relu's derivative is 0 there, so w3, w4, b_h2 get no gradient"


def _net(b_h2: float = 0.0) -> cr.Network:
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy")
    net.set_weights([W1, np.array([B1[0], b_h2]), W2, B2])
    return net


def _torch_grads(b_h2: float) -> list[np.ndarray]:
    params = [torch.tensor(a, dtype=torch.float64, requires_grad=True)
              for a in (W1, np.array([B1[0], b_h2]), W2, B2)]
    h = torch.relu(torch.tensor(X) @ params[0] + params[1])
    out = torch.sigmoid(h @ params[2] + params[3])
    torch.nn.BCELoss()(out, torch.tensor(Y)).backward()
    return [p.grad.numpy() for p in params]


def test_a_unit_off_for_every_sample_is_said_once_in_each_format():
    grads = _torch_grads(0.0)
    assert not grads[0][:, 1].any() and grads[1][1] == 0          # torch: h2's weights and bias learn nothing
    report = cr.explain(_net(), X, Y)
    text = report.text()
    assert text.count(NOTE) == 1, text
    assert text.index("dout_h2/dnet_h2 = 1 if net_h2 > 0 else 0 = [0, 0, 0]") < text.index(NOTE) < \
        text.index("dE/dw3 =")
    assert report.markdown().count(NOTE) == 1
    params = json.loads(json.dumps(report.to_dict()))["parameters"]
    assert {p["name"] for p in params if p["off"]} == {"w3", "w4", "b_h2"}
    by_name = {p["name"]: p["grad"] for p in params}
    np.testing.assert_allclose([by_name[n] for n in ("w1", "w3", "w2", "w4")], grads[0].ravel(), atol=1e-12)
    assert by_name["b_h2"] == grads[1][1] == 0


def test_no_note_where_the_unit_is_on_for_one_sample():
    grads = _torch_grads(0.7)                  # h2 on for the first row alone: its gradients are not all 0
    assert grads[0][:, 1].any()
    report = cr.explain(_net(0.7), X, Y)
    assert " is off " not in report.text() and " is off " not in report.markdown()
    assert not any(p["off"] for p in report.to_dict()["parameters"])


def test_one_sample_says_this_sample_and_cli_width_80(tmp_path):
    from conftest import cmd
    (tmp_path / "w.json").write_text(json.dumps([W1.tolist(), B1.tolist(), W2.tolist(), B2.tolist()]))
    r = cmd("explain", "--layers", "2,2,1", "--activation", "relu,sigmoid", "--loss", "binary_crossentropy",
            "--weights", "w.json",
            "--inputs", "0.5,0.1", "--targets", "1", "--width", "80", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    flat = " ".join(r.stdout.split())
    assert "h2 is off for this sample (net_h2 <= 0): relu's derivative is 0 there, so w3, w4, b_h2 get no " \
           "gradient" in flat
    assert max(len(line) for line in r.stdout.splitlines()) <= 80
