"""The seed's worked example read as a learner: the hidden layer's lines multiply dE/dnet_o1 (0.138498562) by a
weight, a number no line above had named (the output layer wrote dE/dout_o1 * dout_o1/dnet_o1 only inside each
gradient). Each output delta is now written once, before the first line that reads it, and equals torch's."""
from __future__ import annotations

import re

import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.width import fit_width


def _torch_output_deltas(net, X, Y, loss):
    torch = pytest.importorskip("torch")
    W1, b1, W2, b2 = (torch.tensor(a) for a in net.get_weights())
    h = torch.sigmoid(torch.tensor(X) @ W1 + b1)
    z = (h @ W2 + b2).requires_grad_()
    loss(torch.sigmoid(z), torch.tensor(Y)).backward()
    return z.grad


@pytest.mark.parametrize("n", [1, 2])
def test_every_output_delta_read_in_the_hidden_layer_is_written_before_it(n):
    net, X, Y, lr = cr.examples.seed_network()
    X, Y = np.vstack([X, [[0.3, -0.2]]])[:n], np.vstack([Y, [[0.5, 0.1]]])[:n]
    text = cr.explain(net, X, Y, lr=lr).text()
    lines = [line.strip() for line in text.splitlines()]
    grads = _torch_output_deltas(net, X, Y, lambda out, T: 0.5 * ((T - out) ** 2).sum() / n)
    for k, o in enumerate(["o1", "o2"]):
        reads = [i for i, line in enumerate(lines) if line.startswith(f"dE_{o}/dout_h1 = dE/dnet_{o} * ")]
        defined = [i for i, line in enumerate(lines) if line.startswith(f"dE/dnet_{o} = dE/dout_{o} * ")]
        assert reads and defined and defined[0] < reads[0], (o, text)
        value = lines[defined[0]].rsplit(" = ", 1)[1]
        numbers = [float(v) for v in re.findall(r"-?\d+\.\d+(?:e-?\d+)?", value)]
        assert numbers == pytest.approx(grads[:, k].tolist(), abs=1e-9), (value, grads)
        assert len(defined) == 1


def test_the_seed_at_80_columns_cuts_nothing():
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y, lr=lr)
    wrapped = fit_width(report.text(), 80)
    assert max(map(len, wrapped.splitlines())) <= 80
    assert "".join(wrapped.split()) == "".join(report.text().split())      # every character kept
