"""`chainrule explain` (the seed network, the default) against every figure the seed prints, each on the line
that computes it, and the error after the update, which the seed reports after its first step."""
import copy
from decimal import Decimal

import pytest
from conftest import cmd

import chainrule as cr
from chainrule.teach.examples import SEED_FIGURES

# the seed's figure, and the start of the explain line that must end in it
LINES = {
    "net_h1": "net_h1 =", "out_h1": "out_h1 =", "out_h2": "out_h2 =", "net_o1": "net_o1 =",
    "out_o1": "out_o1 =", "out_o2": "out_o2 =", "E_o1": "E_o1 =", "E_o2": "E_o2 =", "E_total": "E_total =",
    "dE_total/dout_o1": "dE/dout_o1 =", "dout_o1/dnet_o1": "dout_o1/dnet_o1 =", "dE_total/dw5": "dE/dw5 =",
    "dE_o1/dnet_o1": "dE/dnet_o1 =", "dE_o1/dout_h1": "dE_o1/dout_h1 =", "dE_total/dout_h1": "dE/dout_h1 =",
    "dout_h1/dnet_h1": "dout_h1/dnet_h1 =", "dE_total/dw1": "dE/dw1 =",
    "w1+": "w1+ =", "w2+": "w2+ =", "w3+": "w3+ =", "w4+": "w4+ =",
    "w5+": "w5+ =", "w6+": "w6+ =", "w7+": "w7+ =", "w8+": "w8+ =",
}


@pytest.fixture(scope="module")
def text():
    r = cmd("explain", "--lr", "0.5", "--width", "0")
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("key", LINES)
def test_each_seed_figure_ends_its_own_line(text, key):
    ends = [line.strip().rsplit(" = ", 1)[-1] for line in text.splitlines() if line.strip().startswith(LINES[key])]
    assert ends, key
    seed = Decimal(SEED_FIGURES[key])
    # at the seed's digits: explain's 0.199561432 is the seed's 0.19956143, its 0.51130127 the seed's 0.511301270
    assert Decimal(ends[0]).quantize(seed) == seed


def test_the_eight_weight_gradients_are_the_engines():
    net, X, Y, lr = cr.examples.seed_network()
    (dW1, _), (dW2, _) = net.gradients(X, Y)
    report = cr.explain(net, X, Y, lr=lr)
    for n, (W, i, j) in enumerate([(dW1, 0, 0), (dW1, 1, 0), (dW1, 0, 1), (dW1, 1, 1),
                                   (dW2, 0, 0), (dW2, 1, 0), (dW2, 0, 1), (dW2, 1, 1)], start=1):
        assert report.parameter(f"w{n}")["grad"] == W[i, j]


def test_explain_says_the_error_after_the_update(text):
    """The seed follows its update with the error it leaves: 0.298371109 down to 0.291027924 (a correct computation
    gives 0.291027774, docs/seed-notes.md). explain's update says the same, as the engine's step gives it."""
    net, X, Y, lr = cr.examples.seed_network()
    after = copy.deepcopy(net)
    after.step(X, Y, lr)
    E1 = after.loss(X, Y)
    assert round(E1, 9) == 0.291027774
    update = text.split("Update (learning rate 0.5)")[1]
    assert "After this update, E_total = 0.291027774 (before it: 0.298371109)" in update
    assert cr.explain(net, X, Y, lr=lr).to_dict()["E_total_after"] == E1
    assert cr.explain(net, X, Y).to_dict()["E_total_after"] is None          # no lr, no update


def test_explain_error_after_the_update_markdown():
    net, X, Y, lr = cr.examples.seed_network()
    md = cr.explain(net, X, Y, lr=lr).markdown()
    assert "0.291027774" in md.split("## Update")[1]
