"""The explorer's card of a hidden weight or neuron reads each output's delta dE/dnet_o (0.138498562 for the seed's
w1) in its path lines, as `explain` does: the card writes it first, dE/dout_o * dout_o/dnet_o, as the report now
does before its hidden layer, and its value is torch autograd's."""
from __future__ import annotations

import re

import numpy as np
import pytest

pytest.importorskip("starlette")
from starlette.testclient import TestClient  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.teach.explore.server import create_app  # noqa: E402

TOKEN = "test-token"


def _derivation(name: str) -> list[dict]:
    client = TestClient(create_app(TOKEN))
    sid = client.post("/api/session", headers={"X-Token": TOKEN}, json={}).json()["session"]
    answer = client.post(f"/api/session/{sid}/select", headers={"X-Token": TOKEN}, json={"name": name})
    assert answer.status_code == 200, answer.text
    return answer.json()["state"]["derivation"]["lines"]


def _torch_output_deltas() -> list[float]:
    torch = pytest.importorskip("torch")
    net, X, Y, _ = cr.examples.seed_network()
    W1, b1, W2, b2 = (torch.tensor(a) for a in net.get_weights())
    z = (torch.sigmoid(torch.tensor(X) @ W1 + b1) @ W2 + b2).requires_grad_()
    (0.5 * ((torch.tensor(Y) - torch.sigmoid(z)) ** 2).sum()).backward()
    return z.grad[0].tolist()


@pytest.mark.parametrize("name", ["w1", "h2"])
def test_a_hidden_card_writes_each_output_delta_before_the_path_that_reads_it(name):
    lines = _derivation(name)
    lhs = [ln["lhs"] for ln in lines]
    to = "h1" if name == "w1" else name
    for k, o in enumerate(["o1", "o2"]):
        read = lhs.index(f"dE_{o}/dout_{to}")
        assert f"dE/dnet_{o}" in lhs[:read], lhs
        made = lines[lhs.index(f"dE/dnet_{o}")]
        assert made["formula"] == f"dE/dout_{o} * dout_{o}/dnet_{o}"
        assert float(made["value"]) == pytest.approx(_torch_output_deltas()[k], abs=1e-9)
        factors = [float(v.strip("()")) for v in made["numbers"].split(" * ")]
        assert np.prod(factors) == pytest.approx(float(made["value"]), abs=1e-8)
        assert re.match(rf"^\(?{re.escape(made['value'])}\)? \* ", lines[read]["numbers"])      # the number it reads
