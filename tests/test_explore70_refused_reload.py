"""A refused share link, reloaded (F5), in a real browser: the page says the link was refused again, never shows the
seed's network as if the link had opened. The fixtures are test_explore_browser's."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.session import Session

server, browser, page = fixtures.server, fixtures.browser, fixtures.page

DAMAGED = "eNqrVipTslIyVKoFAA"        # JSON without a version: "not one chainrule writes"


def refused(page):
    expect(page.locator('[data-id="error"]')).to_be_visible()
    expect(page.locator('[data-id="error"]')).to_contain_text("the shared link could not be opened")


def reloaded_and_refused(page):
    """F5, the page idle again: it says again that the link was refused."""
    page.reload()
    page.wait_for_selector('[data-id="etotal"]:not(:empty)')
    phone.idle(page)
    refused(page)


def pasted_then_reloaded(page):
    """The damaged link pasted into the address bar (refused), then F5."""
    page.evaluate("code => { location.hash = 's=' + code; }", DAMAGED)
    expect(page.locator('[data-id="error"]')).to_contain_text("not one chainrule writes")
    reloaded_and_refused(page)


def test_a_refused_link_opened_then_reloaded_is_refused_again(page, server):
    page.goto(f"{server}/#s={DAMAGED}")
    page.wait_for_selector('[data-id="etotal"]:not(:empty)')
    refused(page)
    reloaded_and_refused(page)


def test_a_refused_link_pasted_then_reloaded_is_refused_again(page):
    pasted_then_reloaded(page)


def test_a_refused_link_reloaded_keeps_the_tabs_own_work_and_says_so(page):
    """The tab's network stepped, a damaged link pasted, then F5: the reload opened a new seed session beside the
    refusal, the teacher's steps gone; it keeps this tab's session, and says again that the link was refused."""
    mine = Session()
    mine.act("step")
    page.click('[data-act="step"]')
    phone.idle(page)
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(mine.state()["E_total"]))
    pasted_then_reloaded(page)
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(mine.state()["E_total"]))
    expect(page.locator('[data-id="emeta"]')).to_contain_text("step 1")
