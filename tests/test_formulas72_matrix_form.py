"""`chainrule explain --formulas` ends with the matrix form of the chain (all N samples at once, as the engine
computes it): its shapes are the network's own arrays' and every identity it prints holds for the engine's loss,
checked with torch autograd: row n of Delta is sample n's delta (dE_n/dZ_n), Delta^(l) = (Delta^(l+1) W^T) * f'(Z),
and the batch gradient of W and b is the mean (A^T Delta)/N, (1^T Delta)/N. The formulas gave the scalar chain only."""
from __future__ import annotations

import re

import numpy as np
import pytest
import torch
from conftest import cmd

import chainrule as cr
from chainrule.teach.formulas import general

NETS = [([2, 2, 2], ["sigmoid", "sigmoid"], "sse"),
        ([3, 4, 5, 3], ["tanh", "relu", "softmax"], "categorical_crossentropy"),
        ([4, 5, 1], ["leaky_relu", "sigmoid"], "binary_crossentropy"),
        ([2, 3, 2], ["linear", "tanh"], "mse"),
        ([3, 2], ["sigmoid"], "mse")]
TORCH = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
         "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01), "softmax": lambda z: torch.softmax(z, 1)}


def per_sample_loss(loss: str, out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """Each sample's error E_n, written from each loss's textbook definition (checked against the engine below)."""
    if loss == "sse":
        return 0.5 * ((t - out) ** 2).sum(1)
    if loss == "mse":
        return ((t - out) ** 2).mean(1)
    if loss == "binary_crossentropy":
        return -(t * torch.log(out) + (1 - t) * torch.log(1 - out)).mean(1)
    return -(t * torch.log(out)).sum(1)


def _network(widths, acts, loss):
    net = cr.Network([cr.Dense(a, b, f) for a, b, f in zip(widths, widths[1:], acts)], loss=loss, seed=3)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(6, widths[0]))
    if loss == "categorical_crossentropy":
        Y = np.eye(widths[-1])[rng.integers(0, widths[-1], 6)]
    else:
        Y = rng.uniform(0.1, 0.9, size=(6, widths[-1])).round() if loss == "binary_crossentropy" else \
            rng.uniform(0.1, 0.9, size=(6, widths[-1]))
    return net, X, Y


@pytest.mark.parametrize("widths,acts,loss", NETS)
def test_the_shapes_are_the_networks_arrays(widths, acts, loss):
    net, _, _ = _network(widths, acts, loss)
    text = general(net).split("## In matrix form")[1]
    for l, d in enumerate(net.dense_layers, 1):
        w = re.search(rf"\$W\^{{\({l}\)}}\$: (\d+) x (\d+), \$b\^{{\({l}\)}}\$: 1 x (\d+), .*?: N x (\d+)", text)
        assert w and (int(w[1]), int(w[2])) == d.W.shape and (int(w[3]),) == d.b.shape == (int(w[4]),), text
        assert f"$f_{{{l}}}$ is {acts[l - 1]}" in text
    assert f"$X = A^{{(0)}}$: N x {widths[0]};" in text


@pytest.mark.parametrize("widths,acts,loss", NETS)
def test_every_printed_identity_holds_for_the_engines_loss(widths, acts, loss):
    net, X, Y = _network(widths, acts, loss)
    text = general(net).split("## In matrix form")[1]
    L = len(acts)
    Ws = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    bs = [torch.tensor(d.b, requires_grad=True) for d in net.dense_layers]
    A, Zs, As = torch.tensor(X), [], [torch.tensor(X)]
    for l in range(L):
        Z = A @ Ws[l] + bs[l]
        Z.retain_grad()
        A = TORCH[acts[l]](Z)
        Zs.append(Z)
        As.append(A)
    E_n = per_sample_loss(loss, A, torch.tensor(Y))
    N = len(X)
    assert E_n.mean().item() == pytest.approx(net.evaluate(X, Y)["loss"], rel=1e-12)     # the engine's own E
    E_n.sum().backward(retain_graph=True)  # dE_n/dZ_n of each sample, in row n: the printed Delta
    Delta = [Z.grad for Z in Zs]
    for l in range(L - 1, 0, -1):         # printed: Delta^(l) = (Delta^(l+1) (W^(l+1))^T) * f_l'(Z^(l))
        assert rf"\Delta^{{({l})}} = \left(\Delta^{{({l + 1})}} (W^{{({l + 1})}})^{{T}}\right)" in text
        Zl = Zs[l - 1].detach().requires_grad_(True)
        fprime = torch.autograd.grad(TORCH[acts[l - 1]](Zl).sum(), Zl)[0]
        assert torch.allclose(Delta[l - 1], (Delta[l] @ Ws[l].detach().T) * fprime, rtol=1e-12, atol=1e-15)
    mean = torch.autograd.grad(per_sample_loss(loss, A, torch.tensor(Y)).mean(), Ws + bs)
    for l in range(1, L + 1):             # printed: dE/dW = (A^T Delta)/N, dE/db = (1^T Delta)/N
        assert rf"\frac{{\partial E}}{{\partial W^{{({l})}}}} = \frac{{1}}{{N}} (A^{{({l - 1})}})^{{T}}" in text
        assert torch.allclose(mean[l - 1], As[l - 1].detach().T @ Delta[l - 1] / N, rtol=1e-12, atol=1e-15)
        assert torch.allclose(mean[L + l - 1], Delta[l - 1].sum(0) / N, rtol=1e-12, atol=1e-15)
    net.fit(X, Y, epochs=1, batch_size=N, optimizer=cr.optim.SGD(lr=0.5), shuffle=False, verbose=0)
    for l in range(L):                    # the engine's step is the printed update with these gradients
        np.testing.assert_allclose(net.dense_layers[l].W, (Ws[l] - 0.5 * mean[l]).detach().numpy(), rtol=1e-12)


def test_the_command_prints_it_and_says_the_dropout_is_left_out():
    plain = cmd("explain", "--formulas")
    assert plain.returncode == 0 and "## In matrix form" in plain.stdout and "Dropout" not in plain.stdout
    net = cr.Network([cr.Dense(2, 3, "relu"), cr.Dropout(0.5), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=0)
    assert "Dropout layers are left out" in general(net)
