"""A share link pasted into the address bar of a tab already on the explorer, in a real browser (Playwright, Debian's
chromium): only the URL's #s= part changes, so the browser does not load the page again, and the link's network
never opened (the page went on showing its own, the address bar the link). The fixtures (a server on 127.0.0.1,
stopped by the module, and the browser) are test_explore_browser's."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

from chainrule.teach.explore import export
from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.session import Session

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures


def test_a_share_link_pasted_in_the_same_tab_opens_and_undo_goes_back(page):
    shared = Session()
    shared.act("set_param", {"name": "w5", "value": 1.5})
    shared.act("step")
    code = export.share_code(shared)
    assert fixtures.etotal(page) == fmt(Session().state()["E_total"])
    page.evaluate("code => { location.hash = 's=' + code; }", code)          # as typed in the address bar: no load
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(shared.state()["E_total"]))
    expect(page.locator('[data-id="emeta"]')).to_contain_text("step 1")
    assert "#s=" not in page.url                                     # a reload shows this tab's session, not the link
    page.reload()
    page.wait_for_selector('[data-id="etotal"]:not(:empty)')
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(shared.state()["E_total"]))
    page.click('[data-act="undo"]')
    phone.idle(page)
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(Session().state()["E_total"]))


def test_an_empty_share_link_pasted_in_the_same_tab_is_refused_in_words(page):
    page.evaluate("() => { location.hash = 's='; }")
    expect(page.locator('[data-id="error"]')).to_contain_text("the share code is empty")
    assert fixtures.etotal(page) == fmt(Session().state()["E_total"])
