"""The explorer on a phone, in a real browser (Playwright, Debian's chromium): a chain-rule line wraps after an
operator, never before a minus (read as a negative number); the weights the drawing has no room to label can be
read in a table; the page says that the drawing's blue and orange are a weight's sign, not a class. The fixtures
(a server on 127.0.0.1, stopped by the module, and the browser) are test_explore_browser's."""
import re

import test_explore_browser as fixtures
from playwright.sync_api import expect

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures

# Each chain-rule line's text as laid out: its visual lines (a character left of the one before starts one), the
# notes under it left out.
VISUAL_LINES = """() => [...document.querySelectorAll(".eq")].map(row => {
    const w = document.createTreeWalker(row, 4), lines = [""];
    let left = -Infinity;
    while (w.nextNode()) {
      const n = w.currentNode;
      if (n.parentElement.closest(".eq-note, .eq-published")) continue;
      for (let i = 0; i < n.length; i++) {
        const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
        const box = [...r.getClientRects()].find(q => q.width > 0);
        if (!box) continue;
        if (box.left < left - 1) lines.push("");        // back to the left: a new line (a subscript stays on its own)
        left = box.left;
        lines[lines.length - 1] += n.data[i];
      }
    }
    return lines.map(line => line.trim());
})"""


def visual_lines_at(page, widths):
    """Each chain-rule line's visual lines (VISUAL_LINES) at each of these page widths, with the width."""
    for width in widths:
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_timeout(30)
        for lines in page.evaluate(VISUAL_LINES):
            yield width, lines


def idle(page):
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


def test_a_chain_rule_line_never_starts_a_line_with_an_operator_on_a_phone(page, shots):
    """At 375 px the line of ∂E/∂out_o1 broke as "-(0.01" over "- 0.75136507)": the second reads as a negative;
    nor is a minus sign parted from the bracket it negates."""
    page.focus('.edge[data-name="w5"]')
    page.keyboard.press("Enter")
    expect(page.locator(".eq").first).to_contain_text("0.75136507")       # the seed's out_o1
    wrapped = 0
    for width, lines in visual_lines_at(page, range(320, 444, 6)):
        wrapped += len(lines) > 1
        starts = [line for line in lines[1:] if re.match(r"[-+·=/] ", line)]
        assert starts == [], (width, lines)
        signs = [line for line in lines[:-1] if re.search(r"(^|[^ ])-$", line)]     # "= -" over "(0.01 ..."
        assert signs == [], (width, lines)
    assert wrapped > 20                              # the lines do wrap at these widths: the check can see it
    page.set_viewport_size({"width": 375, "height": 800})
    page.locator(".derivation").screenshot(path=str(shots / "explore-chain-rule-375.png"))


def test_a_phone_reads_every_weight_after_an_update_in_a_table(page, shots):
    """The seed's figures after one step (w5+ = 0.35891648, w1+ = 0.149780716): in the table, with the value before."""
    page.set_viewport_size({"width": 375, "height": 800})
    labels = page.locator('[data-id="graph"] .wlabel')
    expect(labels).to_have_count(0)                  # no room for the labels on the drawing (redrawn on the resize)
    table = page.locator('[data-id="weights"]')
    expect(table).to_be_visible()
    page.click('[data-act="step"]')
    idle(page)
    table.locator("summary").click()
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(12)                   # w1..w8 and the four biases
    expect(table.locator("thead")).to_contain_text("before")
    w5 = table.locator('tr[data-name="w5"] td:not(.joins)').all_inner_texts()
    w1 = table.locator('tr[data-name="w1"] td:not(.joins)').all_inner_texts()
    assert w5[:2] == ["0.4", "0.35891648"] and w1[:2] == ["0.15", "0.149780716"]
    table.screenshot(path=str(shots / "explore-weights-table-375.png"))
    page.set_viewport_size({"width": 1280, "height": 800})       # the labels drawn: no table
    expect(labels).not_to_have_count(0)
    expect(table).to_be_hidden()


SWATCH = "sel => getComputedStyle(document.querySelector(sel)).backgroundColor"


def test_the_page_says_the_weights_blue_and_orange_are_a_sign_not_a_class(page):
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    idle(page)
    classes = page.locator('[data-id="class-key"] .class-swatch').evaluate_all(
        "s => s.map(i => getComputedStyle(i).backgroundColor)")
    signs = [page.evaluate(SWATCH, '[data-id="legend"] .k-pos'), page.evaluate(SWATCH, '[data-id="legend"] .k-neg')]
    assert set(signs) <= set(classes)                # the same two colours on one page ...
    expect(page.locator('[data-id="legend"]')).to_contain_text("sign, not a class")       # ... said apart, twice
    expect(page.locator('[data-id="boundary-card"]')).to_contain_text("blue and orange are a weight's sign")
