"""relu's and leaky_relu's dout/dnet with the net substituted, as the sigmoid's and tanh's take their out: a learner
checks 1 if net > 0 against the net line's number, and the value against PyTorch's derivative."""
from __future__ import annotations

import math
import re

import numpy as np
import torch

import chainrule as cr


def test_relu_and_leaky_relu_derivatives_substitute_the_net_the_net_line_writes():
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 1, "leaky_relu")], loss="sse", seed=4)
    W1, b1 = np.array([[0.5, -0.25], [0.75, -0.3]]), np.array([0.2, -0.1])
    W2, b2 = np.array([[0.7], [-0.8]]), np.array([-0.5])
    net.set_weights([W1, b1, W2, b2])
    X = np.array([[0.4, 0.2]])
    report = cr.explain(net, X, np.array([[0.5]]))
    z1 = torch.tensor(X @ W1 + b1, requires_grad=True)
    z2 = torch.tensor(np.maximum(X @ W1 + b1, 0) @ W2 + b2, requires_grad=True)
    torch.relu(z1).sum().backward()
    torch.nn.functional.leaky_relu(z2, 0.01).sum().backward()
    (n1, g1), (n2, g2) = (z1.detach(), z1.grad), (z2.detach(), z2.grad)
    truth = {"h1": (n1[0, 0], g1[0, 0]), "h2": (n1[0, 1], g1[0, 1]), "o1": (n2[0, 0], g2[0, 0])}
    text, markdown = report.text(), report.markdown()
    for name, (z, slope) in truth.items():
        written = re.search(rf"^  net_{name} = .* = (-?[\d.]+)$", text, re.M)[1]
        assert math.isclose(float(written), float(z), abs_tol=5e-10)
        else_ = "0" if name != "o1" else "0.01"
        m = re.search(rf"^  dout_{name}/dnet_{name} = 1 if net_{name} > 0 else {else_} = "
                      rf"1 if (\S+) > 0 else {else_} = (\S+)$", text, re.M)
        assert m and m[1] == written, text
        assert math.isclose(float(m[2]), float(slope), abs_tol=1e-12), (name, m[2], float(slope))
        assert rf"\mathbf{{1}}[{written} > 0]" in markdown, markdown        # LaTeX substitutes it as the text does
