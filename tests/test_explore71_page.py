"""The explorer page in a real browser (test_explore_browser's fixtures: a server on 127.0.0.1, Debian's chromium):
the chain rule's hint named "Weights and biases" on a desktop, where that list is not shown; a refused pick in that
list scrolled the page down to a chain-rule card that had not changed (the row left from under the finger)."""
import pytest
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

from chainrule.teach.explore.server import MAX_SESSIONS

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots
HINT = "Weights and biases"


def hint_shown(page) -> bool:
    return HINT in page.inner_text('[data-id="derivation"]')


def test_the_chain_rule_hint_names_the_weights_list_only_where_it_is_shown(page):
    for width in (1280, 375, 1280):          # the list comes and goes with the width: so does the hint
        page.set_viewport_size({"width": width, "height": 800})
        phone.idle(page)
        listed = page.locator('[data-id="weights"]').is_visible()
        expect(page.locator('[data-id="graph"] .wlabel')).to_have_count(0 if listed else 12)
        assert hint_shown(page) == listed, (width, page.inner_text('[data-id="derivation"]'))
    assert not hint_shown(page)


def test_a_refused_pick_in_the_weights_list_keeps_the_page_where_it_was(page, server):
    page.set_viewport_size({"width": 375, "height": 800})
    phone.idle(page)
    table = page.locator('[data-id="weights"]')
    table.locator("summary").click()
    row = table.locator('tbody button[data-name="w5"]')
    # this page's session ended as the server ends it, by as many newer pages as it keeps
    page.evaluate("""async ([n, token]) => { for (let k = 0; k < n; k++)
        await fetch("/api/session", { method: "POST", headers: { "X-Token": token, "Content-Type": "application/json" },
                                      body: "{}" }); }""", [MAX_SESSIONS, fixtures.TOKEN])
    row.scroll_into_view_if_needed()
    where = "() => document.querySelector('[data-id=weights] button[data-name=w5]').getBoundingClientRect().top"
    before = page.evaluate(where)
    row.click()
    expect(page.locator('[data-id="error"]')).to_contain_text("session has ended")
    phone.idle(page)
    # the row where the finger left it (the banner opening above it moves the page's content, not what is seen)
    assert abs(page.evaluate(where) - before) <= 1
    expect(page.locator('[data-id="derivation"]')).not_to_contain_text("w5: the weight")


@pytest.mark.parametrize("width", [1280, 1000, 768, 390])
def test_share_and_export_sit_together_and_on_the_first_row_where_it_has_room(page, width, shots):
    """At 768 px (a tablet) Share and Export wrapped to a row of their own under a first row with room for them (a
    spacer's gap pushed them over). On a phone they may wrap, side by side, inside
    the window."""
    page.set_viewport_size({"width": width, "height": 800})
    phone.idle(page)
    where = {"data": '[data-id="data"]', "share": '[data-id="share"]', "export": '[data-id="export-menu"] summary'}
    box = {k: page.locator(sel).bounding_box() for k, sel in where.items()}
    page.locator("header").first.screenshot(path=str(shots / f"explore71-header-{width}.png"))
    middle = {k: b["y"] + b["height"] / 2 for k, b in box.items()}
    assert abs(middle["share"] - middle["export"]) <= 1 and box["share"]["x"] < box["export"]["x"]
    assert box["export"]["x"] + box["export"]["width"] <= width
    if width >= 768:
        assert abs(middle["share"] - middle["data"]) <= 4, box
