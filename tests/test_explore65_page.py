"""The explorer's page in a real browser (Playwright, Debian's chromium, a server on 127.0.0.1 stopped by the fixture):
a share link's page starts its loss curve at the step the link was made, and the Loss card says why no points come
before it; a page from step 0 says nothing.

Oracles: the sender's step count as its readout says it, the receiving page's own curve (its first point's x at the
plot's left edge). Fixtures are test_explore_browser's."""
import test_explore_browser as fixtures
from playwright.sync_api import expect
from test_explore64b_share_view import received

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots     # this module's own
NOTE = '[data-id="loss-from"]'


def test_a_share_links_loss_card_says_its_curve_starts_at_the_shared_step(page, shots):
    expect(page.locator(NOTE)).to_be_hidden()           # from step 0: nothing to say
    page.locator('.edge[data-name="w5"]').dispatch_event("click")       # the panel the copy opens on
    for k in (1, 2, 3):
        page.click('[data-act="step"]')
        expect(page.locator('[data-id="emeta"]')).to_contain_text(f"step {k} ")
    other = received(page, shots, "share-loss-card.png")
    try:
        note = other.locator(NOTE)
        expect(note).to_be_visible()
        assert note.inner_text() == ("The curve starts at step 3: this page opened from a share link made after 3 "
                                     "steps, which holds the network, not the losses before it.")
        first = other.locator('svg[data-id="loss"] text.axis-label:not(.end):not(.middle)')     # the axis's start
        assert first.text_content() == "3"
        other.click('[data-act="step"]')
        expect(other.locator('[data-id="emeta"]')).to_contain_text("step 4 ")
        expect(note).to_contain_text("starts at step 3")       # still so after the copy's own steps
    finally:
        other.close()
