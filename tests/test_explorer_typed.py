"""A refused optimizer setting quotes the number typed: "got 0" for 0 and "got -1" for -1 (it said "got 0.0" and
"got -1.0", a number nobody typed). Oracle: the text typed into the page's field, in chromium (test_explore_browser's
fixtures: a server on 127.0.0.1, Debian's chromium)."""
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own


@pytest.mark.parametrize("method, field, typed", [
    ("sgd", "lr", "0"), ("sgd", "lr", "-1"), ("momentum", "momentum", "1"), ("adam", "eps", "0"),
    ("momentum", "momentum", "1.5"), ("adam", "beta1", "1"), ("rmsprop", "alpha", "2"),   # the engine's refusals
])
def test_a_refused_setting_quotes_the_number_typed(page, method, field, typed):
    page.select_option('[data-id="opt"]', method)
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    box = f'[data-setting="{field}"]'
    before = page.input_value(box)
    page.fill(box, typed)
    page.press(box, "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]').endswith(f"; got {typed}")
    assert page.input_value(box) == before
