"""A value's editor with the keyboard only (a real browser: test_explore_browser's fixtures). The target's one action
is its editing, yet Enter on it left the focus in the drawing, its field past the drawing's dozens of items for Tab
to walk; and Escape in an editor did nothing: the way back to the drawn weight, bias, input or target was Shift+Tab
through every item again, a target's editor never closed."""
import re

import test_explore_browser as fixtures
from playwright.sync_api import expect

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures

FOCUSED = "() => [document.activeElement.getAttribute('class'), document.activeElement.getAttribute('aria-label')]"


def test_enter_on_a_target_puts_the_focus_in_its_field_and_escape_closes_it_back_on_the_target(page):
    page.get_by_role("button", name=re.compile(r"^target of o1: ")).press("Enter")
    expect(page.get_by_role("textbox", name="target_o1", exact=True)).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("0.25")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"^target of o1: 0\.25 "))).to_have_count(1)
    page.get_by_role("textbox", name="target_o1", exact=True).press("Escape")
    expect(page.get_by_role("textbox", name="target_o1", exact=True)).to_have_count(0)     # closed: the chain rule
    expect(page.locator('[data-id="graph"] .target[data-name="o1"]')).to_be_focused()


def test_escape_in_a_bias_or_an_inputs_editor_puts_the_focus_back_on_it_in_the_drawing(page):
    page.get_by_role("button", name="b_h1 = 0.35", exact=True).press("Enter")
    page.get_by_role("textbox", name="b_h1", exact=True).press("Escape")
    drawn, name = page.evaluate(FOCUSED)
    assert drawn.startswith("edge selected") and name == "b_h1 = 0.35"
    page.keyboard.press("ArrowRight")                                      # moving on in the drawing, from there
    assert page.evaluate(FOCUSED)[0].startswith("edge")
    page.locator('[data-id="graph"] .unit[data-name="i1"]').press("Enter")
    page.get_by_role("textbox", name="i1", exact=True).press("Escape")
    expect(page.locator('[data-id="graph"] .unit[data-name="i1"]')).to_be_focused()
