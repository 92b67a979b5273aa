"""The notes `chainrule explain` writes beside a derivation, on the explorer's page too: why a fused output delta is
out - target (the same words as explain's, for the same network and sample), and what a sum written by its ends
(a softmax's denominator, a hidden delta's sum over a layer above of more than 4 units) left out."""
import re

import pytest

import chainrule as cr
from chainrule.teach.explore.session import Session, Start

torch = pytest.importorskip("torch")
from delta_oracle import torch_output_delta  # noqa: E402


def session(net):
    s = Session(Start(net, name="m.npz"))
    return s, s.X.copy(), s.Y.copy()


def lines_of(s, name):
    return s.act("select", {"name": name})["derivation"]["lines"]


def paragraph(text, start):
    """A note of explain's text, its wrapped lines joined (it starts a line with `start`, ends at a blank or an
    equation line)."""
    rows = text.splitlines()
    i = next(k for k, r in enumerate(rows) if r.strip().startswith(start))
    out = [rows[i].strip()]
    for r in rows[i + 1:]:
        if not r.strip() or " = " in r:
            break
        out.append(r.strip())
    return " ".join(out)


@pytest.mark.parametrize("last, loss", [("softmax", "categorical_crossentropy"), ("sigmoid", "binary_crossentropy")])
def test_a_fused_output_delta_says_why_in_explains_words(last, loss):
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, last)], loss=loss, seed=2)
    s, X, Y = session(net)
    k = s.sample
    why = paragraph(cr.explain(net, X[k:k + 1], Y[k:k + 1]).text(), "Why out")
    line = next(ln for ln in lines_of(s, "o2") if ln["lhs"] == "dE/dnet_o2")
    assert why in line["note"]
    assert line["raw"][0] == pytest.approx(torch_output_delta(net, X[k:k + 1], Y[k:k + 1])[0, 1], abs=1e-9)


def test_a_softmax_denominator_by_its_ends_says_what_it_left_out():
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 6, "softmax")], loss="categorical_crossentropy", seed=3)
    s, X, Y = session(net)
    k = s.sample
    said = paragraph(cr.explain(net, X[k:k + 1], Y[k:k + 1]).text(), "(the softmax's sum")
    out = next(ln for ln in lines_of(s, "o2") if ln["lhs"] == "out_o2")
    shown = out["formula"].split(" / ")[1].count("exp(net_")
    assert out["note"].startswith(said.split(";")[0].lstrip("("))
    assert f"{net.n_outputs - shown} of its {net.n_outputs} terms left out" in out["note"]
    assert out["raw"][0] == pytest.approx(net.predict(X[k:k + 1])[0, 1], abs=1e-9)


def test_a_hidden_delta_summed_by_its_ends_says_so_and_where_every_term_is():
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "tanh"), cr.Dense(3, 6, "sigmoid")],
                     loss="binary_crossentropy", seed=1)
    s, X, Y = session(net)
    k = s.sample
    line = next(ln for ln in lines_of(s, "w1") if ln["lhs"] == "dE/dnet_h2_1")
    shown = len(re.findall(r"dE/dnet_o\d+ \* w\d+", line["formula"]))
    assert f"{net.n_outputs - shown} of its {net.n_outputs} terms left out" in line["note"]
    assert "select h2_1" in line["note"]
    # the truth of the cut sum's total, and h2_1's own derivation writes a path line for every unit above
    a = torch.tensor(X[k:k + 1], requires_grad=True)
    nets = []
    for layer in net.dense_layers:
        z = a @ torch.tensor(layer.W) + torch.tensor(layer.b)
        z.retain_grad()
        nets.append(z)
        a = torch.sigmoid(z) if layer is net.dense_layers[-1] else torch.tanh(z)
    E = torch.nn.functional.binary_cross_entropy(a, torch.tensor(Y[k:k + 1]))
    E.backward()
    assert line["raw"][0] == pytest.approx(float(nets[1].grad[0, 0]), abs=1e-9)
    own = lines_of(s, "h2_1")
    whole = next(ln for ln in own if ln["lhs"] == "dE/dout_h2_1")
    assert len(whole["formula"].split(" + ")) == net.n_outputs and "..." not in whole["formula"]


@pytest.mark.parametrize("name,make", [("adam", lambda p: torch.optim.Adam(p, 0.5)),
                                       ("momentum", lambda p: torch.optim.SGD(p, 0.5, momentum=0.9))])
def test_after_update_another_optimizers_note_gives_the_value_it_made(name, make):
    """With an optimizer other than gradient descent the derivation ends at the gradient; after Update its
    note still said "press Update to see the new value", and named the optimizer by its key ("adam"), not as
    the Method menu does. After Update it gives the value the update made: torch.optim's, from the seed."""
    from chainrule.teach.explore.derive import fmt
    W2 = torch.tensor([[.4, .45], [.5, .55]], dtype=torch.float64, requires_grad=True)      # [o1, o2] x [h1, h2]
    x, t = torch.tensor([.05, .1], dtype=torch.float64), torch.tensor([.01, .99], dtype=torch.float64)
    W1 = torch.tensor([[.15, .2], [.25, .3]], dtype=torch.float64)
    opt = make([W2])
    (0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + .35) + .6) - t) ** 2).sum()).backward()
    opt.step()
    s = Session()
    s.act("set_optimizer", {"name": name})
    s.act("select", {"name": "w6"})
    shown = {"adam": "Adam", "momentum": "Momentum"}[name]
    assert s.state()["derivation"]["note"] == f"The update is {shown}'s (Optimizer); press Update to see the new value."
    note = s.act("update")["derivation"]["note"]
    assert note == (f"{shown}'s update (from this gradient and the optimizer's state) made w6 {fmt(W2[0, 1].item())}; "
                    "Forward shows the pass of the new weights."), note


def test_with_a_weight_penalty_the_legend_does_not_say_which_way_a_weight_goes(tmp_path):
    """A model with MLP's alpha is updated by w - η (dE/dw + alpha w / m), dE/dw shown without the penalty: under
    gradient descent the legend said "∂E/∂w > 0 (w goes down)" though the penalty can move it up (torch.optim's SGD
    with weight_decay alpha / m moves the seed's w7 so). The page's state says the gradient pushes there."""
    import argparse

    from chainrule.cli.explore import start
    net, X, Y, lr = cr.examples.seed_network()
    net.weight_penalty = 4.0
    net.save(tmp_path / "p.npz", include_optimizer=False)
    W2 = torch.tensor([[.4, .45], [.5, .55]], dtype=torch.float64, requires_grad=True)
    W1 = torch.tensor([[.15, .2], [.25, .3]], dtype=torch.float64)
    x, t = torch.tensor([.05, .1], dtype=torch.float64), torch.tensor([.01, .99], dtype=torch.float64)
    opt = torch.optim.SGD([W2], lr=lr, weight_decay=4.0 / 1)
    (0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + .35) + .6) - t) ** 2).sum()).backward()
    g, before = W2.grad.clone(), W2.detach().clone()
    opt.step()
    assert bool((g * (W2.detach() - before) > 0).any())         # a weight moves the way its gradient points
    s = Session(start(argparse.Namespace(model=str(tmp_path / "p.npz"), data=None, target=None)))
    s.act("set_optimizer", {"name": "sgd", "lr": lr})
    assert s.state()["gradient_moves"] == "the weight penalty (alpha 4) adds alpha · w / m to a weight's gradient"
    assert Session().state()["gradient_moves"] is None
    s = Session()
    s.act("set_optimizer", {"name": "adam"})
    assert s.state()["gradient_moves"] == "Adam adds its past steps"
