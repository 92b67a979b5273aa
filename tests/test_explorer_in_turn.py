"""What the page asks while the server works: Undo or Redo asked faster than answered (Ctrl+Z held) stops at the
history, where the extra ones answered "nothing to undo"; a play (▶) ends when another network is put in place,
where it went on training the new one; a number with its power of ten is never broken across lines on a phone.
Oracle: the seed network trained by `Network.step` on its own, the steps counted; the browser's own line boxes."""
import re
import time

import test_explore_browser as fixtures
from playwright.sync_api import expect
from test_explorer_redo import seed_loss_after

from chainrule.teach.explore.derive import fmt

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots      # this module's own

CLICKS = """([act, n]) => { const b = document.querySelector(`[data-act="${act}"]`);
    for (let i = 0; i < n; i++) b.click(); }"""        # all of them before any answer: one turn of the page's script


def idle(page):
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


def train(page, steps):
    page.fill('[data-id="train-steps"]', str(steps))
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="train"]')).to_have_text("Train")


def test_undo_and_redo_asked_faster_than_answered_stop_at_the_history(page):
    step = page.locator('[data-id="emeta"]')
    train(page, 3)
    train(page, 4)                                   # two changes
    expect(step).to_have_text(re.compile("^step 7 "))
    page.evaluate(CLICKS, ["undo", 6])
    expect(step).to_have_text(re.compile("^step 0 "))
    idle(page)
    expect(page.locator('[data-id="error"]')).to_be_hidden()          # no "nothing to undo"
    assert page.inner_text('[data-id="etotal"]') == fmt(seed_loss_after(0))
    page.evaluate(CLICKS, ["redo", 5])
    expect(step).to_have_text(re.compile("^step 7 "))
    idle(page)
    expect(page.locator('[data-id="error"]')).to_be_hidden()
    assert page.inner_text('[data-id="etotal"]') == fmt(seed_loss_after(7))
    expect(page.locator('[data-act="redo"]')).to_be_disabled()


def test_a_play_ends_when_the_network_is_reset_or_another_chosen(page):
    step = page.locator('[data-id="emeta"]')
    page.fill('[data-id="train-steps"]', "5")
    for replace in (lambda: page.click('[data-act="reset"]'),
                    lambda: page.select_option('[data-id="data"]', "xor")):
        page.click('[data-id="play"]')
        expect(step).not_to_have_text(re.compile("^step 0 "))       # playing
        replace()
        expect(page.locator('[data-id="play"]')).to_have_text("▶")
        idle(page)
        time.sleep(0.5)                                             # a play going on would have trained by now
        idle(page)
        expect(step).to_have_text(re.compile("^step 0 "))
    assert page.inner_text('[data-id="title"]').startswith("xor")


# the line boxes of the text `what` inside element `sel` (across its text nodes): one line, one top
LINES = """([sel, what]) => { const nodes = [], w = document.createTreeWalker(document.querySelector(sel), 4);
    while (w.nextNode()) nodes.push(w.currentNode);
    const all = nodes.map(n => n.data).join(""), at = all.indexOf(what);
    if (at < 0) return null;
    const r = document.createRange(); let seen = 0;
    for (const n of nodes) {
      if (seen <= at && at < seen + n.length) r.setStart(n, at - seen);
      if (seen < at + what.length && at + what.length <= seen + n.length) r.setEnd(n, at + what.length - seen);
      seen += n.length;
    }
    return new Set([...r.getClientRects()].filter(q => q.width > 0).map(q => Math.round(q.top))).size; }"""


def test_a_number_with_its_power_of_ten_is_never_broken_on_a_phone(page, shots):
    page.focus('.edge[data-name="w1"]')
    page.keyboard.press("Enter")
    expect(page.locator(".editor label")).to_contain_text("w1")
    idle(page)
    page.fill(".editor input", "5.123456e-12")
    page.click(".editor button")
    idle(page)
    page.set_viewport_size({"width": 375, "height": 800})
    update = page.locator(".eq.update")
    expect(update).to_contain_text("5.123456 x 10^-12")
    page.wait_for_timeout(200)                      # laid out again for the phone's width
    assert page.evaluate(LINES, [".eq.update", "5.123456 x 10^-12"]) == 1
    assert page.evaluate(LINES, [".eq.update", "w1+ = w1"]) == 1     # the row itself does wrap: the check can see it
    assert update.evaluate("e => e.getBoundingClientRect().height") > 40
    update.screenshot(path=str(shots / "explore-power-unbroken-375.png"))


def test_the_readouts_test_error_is_never_broken_from_its_name_on_a_phone(page):
    page.select_option('[data-id="data"]', "moons")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^moons"))
    idle(page)
    test = re.search(r"test \S+$", page.inner_text('[data-id="emeta"]')).group(0)
    lines = set()
    for width in range(320, 440, 4):                 # somewhere here the line breaks around "test ..."
        page.set_viewport_size({"width": width, "height": 800})
        assert page.evaluate(LINES, ['[data-id="emeta"]', test]) == 1, width
        lines.add(page.evaluate("() => document.querySelector('[data-id=emeta]').getClientRects()[0].height"))
    assert len(lines) > 1                            # the readout's line did wrap at some of these widths


HUES = """async names => (await import("/static/charts.js")).classColours(names)"""


def test_a_class_named_after_a_colour_is_drawn_in_it_and_no_other_class_takes_that_colour(page):
    """Any case or spacing of the name; a class not named as a colour gets none of the colours named."""
    red, blue, cat, orange, green = page.evaluate(HUES, [" Red", "BLUE", "cat", "orange", "Green"])
    assert red[0] > 1.5 * max(red[1:]) and blue[2] > 1.5 * max(blue[:2]) and green[1] > max(green[0], green[2])
    assert orange[0] > orange[1] > orange[2]
    assert cat not in (red, blue, orange, green)
    assert len({tuple(c) for c in page.evaluate(HUES, [f"class {k}" for k in range(8)])}) == 8


def test_two_classes_naming_one_colour_get_two_and_a_name_of_javascripts_own_is_no_colour(page):
    """"Red" and "red", "grey" and "gray", "purple" and "violet": the first is drawn in that colour, the other in
    another, where both were drawn in one; "constructor" (a name every JavaScript object answers) was no colour,
    its swatch left blank."""
    for names in (["Red", "red"], ["grey", "gray"], ["purple", "violet", "magenta"], ["constructor", "cat"]):
        colours = page.evaluate(HUES, names)
        assert all(isinstance(c, list) and len(c) == 3 and all(0 <= v <= 255 for v in c) for c in colours), colours
        assert len({tuple(c) for c in colours}) == len(names), (names, colours)
    red = page.evaluate(HUES, ["Red", "red"])[0]
    assert red[0] > 1.5 * max(red[1:])                                # the first red is red
    grey = page.evaluate(HUES, ["grey", "gray"])[0]
    assert max(grey) - min(grey) < 30                                 # the first grey is grey
