"""The explorer on a phone (375 px) and a tablet (768 px), in a real browser (Playwright, Debian's chromium): no element
reaches past the page's width, and none holds content wider than its own box (a row of buttons pushed out of its
card), measured from the layout itself. The fixtures (a server on 127.0.0.1, stopped by the module, and the browser)
are test_explore_browser's."""
import pytest
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures

# Every element shown: [what, its name, its measures] where its box leaves the page's width, or where its content is
# wider than its box without being a scroll container (overflow-x auto or scroll, which the reader can scroll).
OVERFLOWS = """() => {
  const out = [], width = document.documentElement.clientWidth;
  for (const e of document.querySelectorAll("body *")) {
    if (!e.checkVisibility()) continue;
    const box = e.getBoundingClientRect(), style = getComputedStyle(e);
    if (!box.width && !box.height) continue;
    const name = `${e.tagName.toLowerCase()}.${e.getAttribute("class") || ""}[${e.getAttribute("data-id") || ""}]`;
    if (box.right > width + 0.5 || box.left < -0.5) out.push(["past the page", name, box.left, box.right, width]);
    const scrolls = ["auto", "scroll"].includes(style.overflowX);
    if (!(e instanceof SVGElement) && e.scrollWidth > e.clientWidth + 1 && !scrolls)
      out.push(["cut", name, e.scrollWidth, e.clientWidth]);
  }
  return out;
}"""


def overflows_at(page, width, shots, name):
    page.set_viewport_size({"width": width, "height": 900})
    phone.idle(page)
    page.wait_for_timeout(50)           # the container queries' layout settled
    page.screenshot(path=str(shots / f"explore69-{name}-{width}.png"), full_page=True)
    return page.evaluate(OVERFLOWS)


@pytest.mark.parametrize("width", [375, 768])
def test_nothing_overflows_the_seed_page_with_a_chain_rule_open(page, shots, width):
    """At 768 px the controls column is 240 px: Forward, Backward and Update (217 px) stuck out of their 210 px card."""
    page.click('[data-act="backward"]')
    page.focus('.edge[data-name="w1"]')
    page.keyboard.press("Enter")
    expect(page.locator(".derivation .eq").first).to_be_visible()
    assert overflows_at(page, width, shots, "seed") == []
    assert fixtures.no_horizontal_overflow(page)


@pytest.mark.parametrize("width", [375, 768])
def test_nothing_overflows_a_data_set_page_after_training(page, shots, width):
    """Moons: its charts, sample picker and wider drawing, trained for 100 steps."""
    page.select_option('[data-id="data"]', "moons")
    expect(page.locator('[data-id="sample-row"]')).to_be_visible()
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="emeta"]')).to_contain_text("step 100")
    assert overflows_at(page, width, shots, "moons") == []
    assert fixtures.no_horizontal_overflow(page)
