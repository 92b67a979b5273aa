"""The seed's worked example, figure by figure (shared/seeds/001_56bd98b6111f8107.txt)."""
import subprocess
import sys
from decimal import Decimal

import numpy as np
import pytest

import chainrule as cr
from chainrule.teach.examples import SEED_FIGURES
from chainrule.teach.worked_example import at_digits, error_after_sequential_update, worked_example

# The three figures of the seed that a correct computation does not give (docs/seed-notes.md).
NOT_CORRECT = {"dE_o2/dout_h1", "E_total after 1 update", "E_total after 10,000 updates"}


@pytest.fixture(scope="module")
def figures():
    figs, _ = worked_example()
    return {f.key: f for f in figs}


@pytest.mark.parametrize("key", [k for k in SEED_FIGURES if k not in NOT_CORRECT])
def test_every_correct_seed_figure_to_its_printed_digits(figures, key):
    assert at_digits(figures[key].value, SEED_FIGURES[key]) == Decimal(SEED_FIGURES[key])


@pytest.mark.parametrize("key", sorted(NOT_CORRECT))
def test_seed_figures_that_differ_are_reproduced_by_the_documented_computation(figures, key):
    f = figures[key]
    assert not f.matches                       # the correct computation gives another number ...
    assert f.published_matches                 # ... and the documented one gives the seed's


def test_the_correct_values_of_the_three_differing_figures(figures):
    assert round(figures["dE_o2/dout_h1"].value, 12) == -0.019049118258
    assert round(figures["E_total after 1 update"].value, 9) == 0.291027774
    assert round(figures["E_total after 10,000 updates"].value, 10) == 0.0000351019


def test_seed_intro_error_figure(figures):
    assert figures["Error = 1/2 (0.191 - 1.0)^2"].matches


def test_seed_network_wiring_and_frozen_biases():
    net, X, Y, lr = cr.examples.seed_network()
    h, o = net.layers
    # w1: i1->h1, w2: i2->h1, w3: i1->h2, w4: i2->h2 (W[i, j] connects input i to neuron j)
    assert h.W[0, 0] == 0.15 and h.W[1, 0] == 0.20 and h.W[0, 1] == 0.25 and h.W[1, 1] == 0.30
    assert o.W[0, 0] == 0.40 and o.W[1, 0] == 0.45 and o.W[0, 1] == 0.50 and o.W[1, 1] == 0.55
    assert np.all(h.b == 0.35) and np.all(o.b == 0.60)
    assert X.shape == (1, 2) and Y.shape == (1, 2) and lr == 0.5
    net.step(X, Y, lr)
    assert np.all(h.b == 0.35) and np.all(o.b == 0.60)     # frozen: not updated
    assert h.W[0, 0] != 0.15                                 # weights learn


def test_step_is_plain_gradient_descent_and_returns_error_before_update():
    net, X, Y, lr = cr.examples.seed_network()
    E0 = net.loss(X, Y)
    grads = net.gradients(X, Y)
    W_before = [layer.W.copy() for layer in net.layers]
    assert net.step(X, Y, lr) == E0
    for layer, W, (dW, _) in zip(net.layers, W_before, grads):
        np.testing.assert_array_equal(layer.W, W - lr * dW)


def test_sequential_update_is_not_the_default():
    net, X, Y, lr = cr.examples.seed_network()
    net.step(X, Y, lr)
    assert net.loss(X, Y) != error_after_sequential_update()


def test_seed_gradients_by_hand_from_the_seed_formulas():
    """The first seed's results (a) and (b), written out for w5 and w1."""
    net, X, Y, _ = cr.examples.seed_network()
    net.forward(X)
    oh = net.layers[0].out[0]
    oo = net.layers[1].out[0]
    t = Y[0]
    dw5 = -(t[0] - oo[0]) * oo[0] * (1 - oo[0]) * oh[0]
    dw1 = -((t[0] - oo[0]) * oo[0] * (1 - oo[0]) * 0.40 + (t[1] - oo[1]) * oo[1] * (1 - oo[1]) * 0.50) \
        * oh[0] * (1 - oh[0]) * X[0, 0]
    (dW1, _), (dW2, _) = net.gradients(X, Y)
    assert dW2[0, 0] == pytest.approx(dw5, rel=1e-14)
    assert dW1[0, 0] == pytest.approx(dw1, rel=1e-14)


def test_chainrule_example_command_prints_every_figure():
    out = subprocess.run([sys.executable, "-m", "chainrule.cli", "example"], capture_output=True, text=True,
                         check=True).stdout
    for key, printed in SEED_FIGURES.items():
        if key not in NOT_CORRECT:
            assert printed in out, key
    assert "0.291027774" in out and "0.0000351019" in out
    assert out.count(" ok") >= len(SEED_FIGURES) - len(NOT_CORRECT)


def test_chainrule_example_as_published_shows_both():
    out = subprocess.run([sys.executable, "-m", "chainrule.cli", "example", "--as-published"],
                         capture_output=True, text=True, check=True).stdout
    assert out.count("reproduces the seed's") == 3
    assert "does NOT reproduce" not in out
    assert "0.291027924" in out and "0.0000351085" in out and "-0.019049119" in out


@pytest.mark.parametrize("as_published", [False, True])
def test_chainrule_example_markdown_keeps_each_result_its_own_item(as_published):
    """Markdown joins indented lines into one paragraph: the training results and the seed's
    differing figures are list items under their headings, as a Markdown renderer shows them."""
    from markdown_it import MarkdownIt

    from chainrule.teach.worked_example import render
    figs, report = worked_example()
    tokens = MarkdownIt().parse(render(figs, report, as_published=as_published, fmt="markdown"))
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    assert headings[-2:] == ["Training with the plain gradient-descent step (net.step, lr 0.5), biases fixed",
                             "Where the seed's figure is not the correct computation (3 of 31)"]
    items = [tokens[i + 2].content for i, t in enumerate(tokens) if t.type == "list_item_open"]
    assert [i.split(":")[0] for i in items] == ["E_total after 1 update", "E_total after 10,000 updates",
                                                 *sorted(NOT_CORRECT, key=list(SEED_FIGURES).index)]
    assert sum("reproduces the seed's" in i for i in items) == (3 if as_published else 0)
