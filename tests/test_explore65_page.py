"""The explorer's page in a real browser (Playwright, Debian's chromium, a server on 127.0.0.1 stopped by the fixture):
a share link's page starts its loss curve at the step the link was made, and the Loss card says why no points come
before it; a page from step 0 says nothing.

Oracles: the sender's step count as its readout says it, the receiving page's own curve (its first point's x at the
plot's left edge). Fixtures are test_explore_browser's."""
import pytest
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


def test_a_phones_input_values_under_their_squares_stay_inside_the_drawing(page):
    """At 375 px the moons' inputs wrote their followed sample's values under the squares in full ("-0.352642198"),
    centred on a square 32 px from the drawing's edge: the sign and first digit fell outside it. Each value is now
    inside the drawing, its digits those of the input's own value (its tooltip), shortened where the full form
    does not fit."""
    page.set_viewport_size({"width": 375, "height": 740})
    page.select_option('[data-id="data"]', "moons")
    expect(page.locator('[data-id="title"]')).to_contain_text("moons")
    labels = page.locator('svg[data-id="graph"] .unit-label.under')
    expect(labels).to_have_count(2)
    drawing = page.locator('svg[data-id="graph"]').bounding_box()
    for k in range(2):
        box, text = labels.nth(k).bounding_box(), labels.nth(k).text_content()
        assert drawing["x"] <= box["x"] and box["x"] + box["width"] <= drawing["x"] + drawing["width"], (text, box)
        tooltip = page.locator('svg[data-id="graph"] g.unit.input > title').nth(k).text_content()
        value = float(tooltip.split(" = ")[1].split()[0].replace(",", ""))
        assert text and abs(float(text) - value) <= 10 ** -(len(text.split(".")[1])) / 2 * 1.0001, (text, value)


def test_a_long_share_links_box_shows_whole_lines_only(page):
    """The link's box scrolls at 4em: three lines of 1.3em and the top of a fourth, cut through its letters. It is as
    tall as its whole lines, at 1280 px and on a phone."""
    page.locator('.edge[data-name="w5"]').dispatch_event("click")
    page.click('[data-act="step"]')               # a link with the step line: longer than three lines
    for width in (1280, 375):
        page.set_viewport_size({"width": width, "height": 800})
        page.evaluate("() => document.querySelectorAll('.share-url').forEach(e => e.remove())")    # the last one's
        page.click('[data-id="share"]')
        box = page.locator(".share-url").first
        expect(box).to_contain_text("#s=")
        height, line, scrolled = box.evaluate("e => [e.clientHeight, parseFloat(getComputedStyle(e).lineHeight), "
                                              "e.scrollHeight]")
        assert scrolled > height, (width, scrolled, height)          # more lines than shown: the box scrolls
        assert height / line == pytest.approx(round(height / line), abs=0.05), (width, height, line)


def test_the_loss_axis_names_different_steps_at_its_two_ends_with_one_point(page):
    """A page's first point (step 0) is drawn at the left of an axis running to step 1, yet the right end read
    "step 0" too: both ends named one step. The right end names the step it stands at; with points at 0, 1 and 2
    it is the last point's, as before."""
    ends = 'svg[data-id="loss"] text.axis-label:not(.middle)'

    def axis():
        texts = page.locator(ends).all_text_contents()
        return texts[-2], texts[-1]             # the step axis's two labels, drawn after the loss's
    assert axis() == ("0", "step 1")
    for k in (1, 2):
        page.click('[data-act="step"]')
        expect(page.locator('[data-id="emeta"]')).to_contain_text(f"step {k} ")
    assert axis() == ("0", "step 2")
