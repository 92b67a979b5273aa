"""The explorer with the keyboard and a screen reader only (a real browser: test_explore_browser's fixtures), its
controls found by their role and accessible name as a screen reader reads them. A hidden layer's activation menu had
no name (read as a bare "combobox", its row's number unsaid); the field that edits a bias or a target read its label's
subscript run into it ("bh1 =", "targeto1 ="), a name found nowhere else on the page; and the line that says a share
link was made and copied (or how far training got) was not a live region: a screen reader said nothing."""
import re

import test_explore_browser as fixtures
from playwright.sync_api import expect

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures

FOCUSED = "() => document.activeElement.getAttribute('aria-label')"


def test_a_hidden_layers_activation_menu_is_named_and_reached_by_tab(page):
    page.get_by_role("button", name="+ hidden layer").press("Enter")      # the seed's one hidden layer, and a second
    second = page.get_by_role("group", name="hidden layer 2", exact=True)
    expect(second.get_by_role("combobox", name="activation of hidden layer 2", exact=True)).to_have_count(1)
    first = page.get_by_role("group", name="hidden layer 1", exact=True)
    first.get_by_role("button", name="more units", exact=True).focus()
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "activation of hidden layer 1"
    page.get_by_role("combobox", name="activation of hidden layer 1", exact=True).select_option("tanh")
    expect(page.locator('[data-id="graph"] .col-sub').first).to_have_text("tanh")
    page.screenshot(path="/tmp/explore72-layers-after.png")


def test_a_bias_and_a_target_are_edited_with_the_keyboard_in_fields_named_as_drawn(page):
    page.get_by_role("button", name="b_h1 = 0.35", exact=True).press("Enter")
    field = page.get_by_role("textbox", name="b_h1", exact=True)
    field.fill("0.5")
    field.press("Enter")
    expect(page.get_by_role("button", name="b_h1 = 0.5", exact=True)).to_have_count(1)
    page.get_by_role("button", name=re.compile(r"^target of o1: ")).press(" ")
    target = page.get_by_role("textbox", name="target_o1", exact=True)
    target.fill("0.25")
    target.press("Enter")
    expect(page.get_by_role("button", name=re.compile(r"^target of o1: 0\.25 "))).to_have_count(1)


def test_a_share_link_made_with_the_keyboard_is_announced(page):
    page.get_by_role("button", name="Share", exact=True).press("Enter")
    expect(page.get_by_role("status")).to_contain_text(re.compile(r"^(Share link|Copied to the clipboard) .*#s="))
    page.screenshot(path="/tmp/explore72-share-after.png")
