"""What the page draws is true to what it stands for. The loss curve's axis names losses the curve has: its
upper label is the highest loss drawn (the seed's E_total of 0.298371109 before its first update, as the seed
prints it), placed at that loss's height, not the padded top of the plot (1.05 times it, 0.3133, a loss no step
had). Ten inputs' units are drawn apart. Oracle: the seed's printed figures and the drawing's geometry in chromium
(test_explore_browser's fixtures: a server on 127.0.0.1, Debian's chromium)."""
import pytest
import test_explore_browser as fixtures
import test_explorer_8
from playwright.sync_api import expect

import chainrule as cr

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own

LABELS = """() => [...document.querySelectorAll('[data-id="loss"] .axis-label.end')].slice(0, 2).map(e => ({
    text: e.textContent, y: Number(e.getAttribute('y')) }))"""
POINTS = """() => document.querySelector('[data-id="loss"] polyline').getAttribute('points').split(' ')
    .map(p => Number(p.split(',')[1]))"""


def test_the_loss_axis_is_labelled_at_the_highest_loss_drawn(page):
    page.click('[data-act="step"]')
    expect(page.locator('[data-id="loss"] polyline')).to_have_count(1)
    low, high = page.evaluate(LABELS)
    assert low["text"] == "0"                                         # a linear scale from 0
    assert high["text"] == test_explorer_8.short_form(0.298371109)    # the seed's E_total, step 0: 0.2984
    first, second = page.evaluate(POINTS)
    assert abs(high["y"] - 4 - first) < 0.2 and second > first        # beside the curve's first point, the highest


@pytest.mark.parametrize("width", [1280, 390])
def test_ten_inputs_are_drawn_apart(browser, width):
    """A model of 10 inputs (as `chainrule train` writes for diabetes.csv): its input boxes and hidden circles, 40 px
    each, were 34 px apart, each drawn over its neighbours."""
    net = cr.Network([cr.Dense(10, 4, "relu"), cr.Dense(4, 1, "linear")], loss="mse", seed=0)
    with fixtures.model_page(browser, net) as page:
        page.set_viewport_size({"width": width, "height": 900})
        expect(page.locator('[data-id="graph"] .unit')).to_have_count(15)
        page.wait_for_timeout(300)                                   # the drawing redrawn at its new width
        assert fixtures.intersecting(page.evaluate(fixtures.SHAPES)) == []
