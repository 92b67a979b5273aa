"""The explorer page in a real browser (test_explore_browser's fixtures): on a phone a refused action far down the
page (a pick in Weights and biases, the page's session ended) kept the page where it was, but its banner, at the
page's top, stayed off-screen: nothing seen said why the tap did nothing."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

from chainrule.teach.explore.server import MAX_SESSIONS

server, browser, page = fixtures.server, fixtures.browser, fixtures.page


def in_view(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_a_refused_pick_far_down_a_phones_page_shows_its_banner_in_view(page, server):
    page.set_viewport_size({"width": 375, "height": 700})
    phone.idle(page)
    table = page.locator('[data-id="weights"]')
    table.locator("summary").click()
    page.evaluate("""async ([n, token]) => { for (let k = 0; k < n; k++)
        await fetch("/api/session", { method: "POST", headers: { "X-Token": token, "Content-Type": "application/json" },
                                      body: "{}" }); }""", [MAX_SESSIONS, fixtures.TOKEN])
    row = table.locator('tbody button[data-name="w5"]')
    row.scroll_into_view_if_needed()
    assert not in_view(page, 'header.top')          # far down: the page's top, where the banner opens, is not seen
    before = page.evaluate("() => scrollY")
    row.click()
    expect(page.locator('[data-id="error"]')).to_contain_text("session has ended")
    phone.idle(page)
    assert in_view(page, '[data-id="error"]'), page.locator('[data-id="error"]').bounding_box()
    assert page.evaluate("() => scrollY") >= before - 1        # seen where the page stayed, not by going back up
    page.click('[data-id="error-close"]')
    expect(page.locator('[data-id="error"]')).to_be_hidden()
