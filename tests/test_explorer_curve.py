"""The loss curve's axis names losses the curve has: its upper label is the highest loss drawn (the seed's
E_total of 0.298371109 before its first update, as the seed prints it), placed at that loss's height, not the
padded top of the plot (1.05 times it, 0.3133, a loss no step had). Oracle: the seed's printed figures and the
engine's network in chromium (test_explore_browser's fixtures: a server on 127.0.0.1, Debian's chromium)."""
import test_explore_browser as fixtures
import test_explorer_8
from playwright.sync_api import expect

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
