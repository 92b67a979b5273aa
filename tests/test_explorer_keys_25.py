"""The explorer's bounds and keys. A refusal wrote "Points must be an integer from 4 to 2000" and "Seed ... from 0 to
2147483647" beside the step count's 1,000,000: every bound is now grouped in threes. In the drawing the arrow keys
did nothing: they now move the focus between its lines, neurons and targets in Tab's order (Home, End: the first and
the last), in a real browser (Playwright, Debian's chromium; test_explore_browser's fixtures)."""
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

from chainrule.errors import ValidationError
from chainrule.teach.explore import datasets

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own
ITEMS = '[data-id="graph"] [tabindex="0"]'


@pytest.mark.parametrize("args, field, bound", [({"n": 3}, "Points", 2000), ({"n": 2001}, "Points", 2000),
                                                ({"seed": -1}, "Seed", int(np.iinfo(np.int32).max))])
def test_a_refused_integer_writes_its_bound_in_threes(args, field, bound):
    with pytest.raises(ValidationError) as refused:
        datasets.make("xor", **args)
    said = str(refused.value)
    assert f"{field} must be an integer from " in said
    assert f" to {bound:,}; got " in said and not re.search(r"\d{4}", said.split("; got")[0])


def names(page) -> list[str]:
    return page.eval_on_selector_all(ITEMS, "items => items.map(e => e.getAttribute('data-name'))")


def focused(page) -> str:
    return page.evaluate("document.activeElement.getAttribute('data-name')")


def test_the_arrow_keys_move_between_the_drawings_weights(page):
    order = names(page)                       # Tab's order: the weights into each neuron, then the neurons
    assert order[:3] == ["w1", "w2", "b_h1"], order
    page.focus(ITEMS)
    scrolled = page.evaluate("window.scrollY")
    for key, at in [("ArrowRight", 1), ("ArrowDown", 2), ("ArrowLeft", 1), ("ArrowUp", 0), ("ArrowUp", 0),
                    ("End", len(order) - 1), ("ArrowRight", len(order) - 1), ("Home", 0)]:
        page.keyboard.press(key)
        assert focused(page) == order[at], (key, at)
    assert page.evaluate("window.scrollY") == scrolled        # no key scrolled the page under the drawing
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")                              # the weight the arrows reached opens as a click does
    expect(page.locator('[data-id="derivation"]')).to_contain_text("w2: the weight from i2 to h1")
    assert focused(page) == "w2"
