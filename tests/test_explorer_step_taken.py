"""After Step the chain-rule panel says the step just taken: "moved w5 from A to B, with the gradient dE/dw5 = g".
That g must be the gradient the update took: with MLP's weight penalty its alpha * w / m added (torch autograd of
E + 0.5 * alpha * sum(W^2) / m), with dropout the dropped-out pass's (gradient descent's own rule, A - lr * g = B,
for every weight of the layer after the dropout); and an optimizer other than gradient descent takes the penalty
too, as fit does (torch.optim.Adam on the penalised error)."""
import argparse
import re

import torch

import chainrule as cr
from chainrule.cli.explore import start
from chainrule.teach.explore.session import Session, Start

ALPHA = 4.0


def penalised_seed(tmp_path, optimizer):
    """The seed's network with MLP's alpha, opened as a model file (a sample drawn for it), `optimizer` at lr 0.5."""
    net, _, _, _ = cr.examples.seed_network()
    net.weight_penalty = ALPHA
    net.save(tmp_path / "p.npz", include_optimizer=False)
    s = Session(start(argparse.Namespace(model=str(tmp_path / "p.npz"), data=None, target=None)))
    s.act("set_optimizer", {"name": optimizer, "lr": 0.5})
    s.act("select", {"name": "w5"})
    return s


def penalised_error(s, W1, W2):
    """The seed's E (sigmoid layers, the sum of 1/2 (target - out)^2, the mean over rows) plus MLP's penalty."""
    b1, b2 = (torch.tensor(lay.b) for lay in s.net.dense_layers)
    out = torch.sigmoid(torch.sigmoid(torch.tensor(s.X) @ W1 + b1) @ W2 + b2)
    E = (0.5 * ((torch.tensor(s.Y) - out) ** 2).sum(dim=1)).mean()
    return E + 0.5 * ALPHA * ((W1 ** 2).sum() + (W2 ** 2).sum()) / len(s.X)


def weights(s):
    return [torch.tensor(lay.W, requires_grad=True) for lay in s.net.dense_layers]


def said_gradient(state):
    """The number after the last "=" of the step line."""
    return float(re.findall(r"= (-?[\d.e+-]+)\.$", state["derivation"]["step"])[0])


def test_the_step_line_says_the_gradient_with_the_weight_penalty_that_the_update_took(tmp_path):
    s = penalised_seed(tmp_path, "sgd")
    W1, W2 = weights(s)
    g = torch.autograd.grad(penalised_error(s, W1, W2), W2)[0][0, 0].item()     # w5: h1 -> o1
    state = s.act("step")
    w5 = next(p for p in state["params"] if p["name"] == "w5")
    assert abs(w5["before"] - 0.5 * g - w5["value"]) < 1e-12            # the step took it
    assert abs(said_gradient(state) - g) < 1e-8, state["derivation"]["step"]
    assert "alpha" in state["derivation"]["step"]


def test_adam_takes_the_weight_penalty_as_fit_does(tmp_path):
    s = penalised_seed(tmp_path, "adam")
    W1, W2 = weights(s)
    opt = torch.optim.Adam([W2], lr=0.5, betas=(0.9, 0.999), eps=1e-8)
    penalised_error(s, W1, W2).backward()
    g = W2.grad[0, 0].item()
    opt.step()
    state = s.act("step")
    w5 = next(p for p in state["params"] if p["name"] == "w5")
    assert abs(w5["value"] - W2[0, 0].item()) < 1e-12
    assert abs(said_gradient(state) - g) < 1e-8, state["derivation"]["step"]


def test_with_dropout_the_step_line_says_the_gradient_of_the_dropped_out_pass():
    net = cr.Network([cr.Dense(2, 4, "sigmoid"), cr.Dropout(0.5), cr.Dense(4, 2, "sigmoid")], loss="mse", seed=1)
    s = Session(Start(net, name="d.npz"))
    s.act("set_optimizer", {"name": "sgd", "lr": 0.5})
    s.act("step")
    names = [p["name"] for p in s.report["parameters"] if p["layer"] == 1 and p["kind"] == "W"]
    stayed = 0
    for name in names:
        state = s.act("select", {"name": name})
        p = next(q for q in state["params"] if q["name"] == name)
        assert abs(p["before"] - 0.5 * said_gradient(state) - p["value"]) < 1e-8, state["derivation"]["step"]
        stayed += p["before"] == p["value"]
    assert stayed, "no weight after a dropped unit: the case is not tested"
