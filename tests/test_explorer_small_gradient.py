"""The explorer's red bar (‖∂E/∂W‖ below 1e-4) said a layer's weights "hardly move at each update" under Adam,
which moved them ~300 times more than gradient descent would have: AdaGrad, RMSprop and Adam divide each step by
the gradients' size so far, so η sets the step. Truth: the weights' actual change over a Train, from one start,
under each optimizer; the page's words in chromium (test_explore_browser's fixtures)."""
import numpy as np
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.session import Session, Start

browser, shots = fixtures.browser, fixtures.shots  # this module's own
LR, STEPS = 0.01, 100


def small_gradient_net():
    """2-3-3-2 sigmoid, the later layers' weights made tiny: the first layer's ‖∂E/∂W‖ near 4e-8 (a red bar)."""
    net = cr.Network([cr.Dense(2, 3, "sigmoid"), cr.Dense(3, 3, "sigmoid"), cr.Dense(3, 2, "sigmoid")], loss="mse",
                     seed=0)
    net.dense_layers[2].W[:] *= 1e-4
    net.dense_layers[1].W[:] *= 1e-1
    return net


def trained(name):
    s = Session(Start(small_gradient_net(), name="m.npz"))
    s.set_optimizer(name, lr=LR)
    state = s.state()
    before = s.net.dense_layers[0].W.copy()
    s.train(STEPS)
    return state, float(np.abs(s.net.dense_layers[0].W - before).max())


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_words_follow_how_far_each_optimizer_moved_the_weights():
    state, descent = trained("sgd")
    assert state["grad_norms"][0]["norm"] < 1e-4 and state["step_scaled"] is None
    assert descent < 1e-3 * LR * STEPS                        # gradient descent: they hardly move, as said
    for name, shown in (("adam", "Adam"), ("rmsprop", "RMSprop"), ("adagrad", "AdaGrad")):
        state, moved = trained(name)
        assert state["grad_norms"][0]["norm"] < 1e-4
        assert moved > 0.1 * LR * STEPS and moved > 1000 * descent, (name, moved, descent)     # η set the steps
        assert state["step_scaled"] == (f"{shown} divides each weight's step by the size of its gradients so far, "
                                        f"so η ({LR:g}), not the gradient's size, sets how far its weights move")
    assert trained("momentum")[0]["step_scaled"] is None      # its step is η times a velocity of gradients


def with_adam(start):
    s = Session(start)
    s.set_optimizer("adam", lr=LR)
    return s


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_the_page_says_adam_moves_the_weights_of_a_red_bar(browser):
    with fixtures.model_page(browser, small_gradient_net(), session=with_adam) as page:
        note = page.locator('[data-id="norms-weak"]')
        expect(note).to_be_visible()
        text = note.inner_text()
        assert "hardly move at each update" not in text and "barely learns" not in text, text
        assert "(here: hidden 1, hidden 2), a small gradient; gradient descent would hardly move its weights, but " \
               "Adam divides each weight's step" in text, text
        title = page.locator('[data-id="norms"] .norm-row').first.get_attribute("title")
        assert title.endswith("(red: below 1e-4, small gradient)"), title
    with fixtures.model_page(browser, small_gradient_net()) as page:        # gradient descent: as it was
        expect(page.locator('[data-id="norms-weak"]')).to_contain_text("its weights hardly move at each update")
