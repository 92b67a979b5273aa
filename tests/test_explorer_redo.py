"""Redo, as editors have it: the page had Undo only. Redo brings back what Undo went back from, until a new change;
a button beside Undo, and Ctrl+Shift+Z or Ctrl+Y (Ctrl+Z undoes), not while typing in a field, whose text the
browser undoes. Oracle: the seed network trained by `Network.step` on its own, the steps counted."""
import re

import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.session import Session

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # this module's own


def seed_loss_after(steps):
    net, X, Y, lr = cr.examples.seed_network()
    for _ in range(steps):
        net.step(X, Y, lr)
    return net.loss(X, Y)


def test_redo_brings_back_what_undo_went_back_from_until_a_new_change():
    _, X, Y, _ = cr.examples.seed_network()
    s = Session()
    s.act("train", {"steps": 5})
    s.act("set_param", {"name": "w1", "value": 0.1})
    assert not s.state()["can_redo"]
    s.act("undo")
    s.act("undo")
    assert s.steps == 0 and s.net.loss(X, Y) == seed_loss_after(0) and s.state()["can_redo"]
    s.act("redo")
    assert s.steps == 5 and s.net.loss(X, Y) == seed_loss_after(5)
    state = s.act("redo")
    assert s.net.dense_layers[0].W[0, 0] == 0.1 and state["can_undo"] and not state["can_redo"]
    with pytest.raises(ValidationError, match="nothing to redo"):
        s.act("redo")
    s.act("undo")
    s.act("select", {"name": "w2"})                 # looking is no change: Redo still there
    assert s.state()["can_redo"]
    s.act("train", {"steps": 1})                    # a new change: Redo cleared
    assert s.steps == 6 and not s.state()["can_redo"]
    with pytest.raises(ValidationError, match="nothing to redo"):
        s.act("redo")


def test_the_redo_button_and_keys(page):
    step = page.locator('[data-id="emeta"]')
    redo = page.locator('[data-act="redo"]')
    expect(redo).to_be_disabled()
    page.fill('[data-id="train-steps"]', "7")
    page.click('[data-id="train"]')
    expect(step).to_have_text(re.compile("^step 7 "))
    page.click('[data-act="undo"]')
    expect(step).to_have_text(re.compile("^step 0 "))
    redo.click()
    expect(step).to_have_text(re.compile("^step 7 "))
    assert page.inner_text('[data-id="etotal"]') == fmt(seed_loss_after(7))
    expect(redo).to_be_disabled()
    page.locator("body").press("Control+z")
    expect(step).to_have_text(re.compile("^step 0 "))
    page.locator("body").press("Control+Shift+Z")
    expect(step).to_have_text(re.compile("^step 7 "))
    page.locator("body").press("Control+z")
    expect(step).to_have_text(re.compile("^step 0 "))
    page.locator("body").press("Control+y")
    expect(step).to_have_text(re.compile("^step 7 "))
    field = page.locator('[data-id="train-steps"]')     # in a field: the browser's text undo, not the network's
    field.press("Control+z")
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    expect(step).to_have_text(re.compile("^step 7 "))


def test_the_keys_undo_a_change_made_in_a_menu_or_a_checkbox_the_keyboard_is_still_on(page):
    """A data set chosen in the Data menu, an optimizer in Method, leave the keyboard on that menu: Ctrl+Z there did
    nothing, the keys left to a field as if the browser undid its typing, which a menu or a checkbox has none of."""
    step = page.locator('[data-id="emeta"]')
    seed = page.inner_text('[data-id="etotal"]')
    assert seed == fmt(seed_loss_after(0))
    page.select_option('[data-id="data"]', "moons")
    expect(page.locator('[data-id="title"]')).not_to_contain_text("seed", ignore_case=True)
    page.focus('[data-id="data"]')
    page.keyboard.press("Control+z")
    expect(page.locator('[data-id="etotal"]')).to_have_text(seed)
    page.select_option('[data-id="opt"]', "adam")
    expect(page.locator('[data-act="undo"]')).to_be_enabled()
    page.focus('[data-id="opt"]')
    page.keyboard.press("Control+z")
    expect(page.locator('[data-id="opt"]')).to_have_value("sgd")
    page.locator('[data-id="published"]').focus()
    page.keyboard.press("Control+y")
    expect(page.locator('[data-id="opt"]')).to_have_value("adam")
    expect(step).to_have_text(re.compile("^step 0 "))


def test_undo_during_a_play_pauses_it_and_redo_brings_the_play_back(page):
    """▶ went on playing after Undo, training on from the state gone back to as a new change: Redo, cleared by the
    play's next request at once, could never bring back what the play had trained. Undo pauses it, as it ends a
    Train run; Redo brings back the play's steps. Oracle: the seed network trained by `Network.step`."""
    step = page.locator('[data-id="emeta"]')
    page.fill('[data-id="train-steps"]', "1")
    page.click('[data-id="play"]')
    expect(step).not_to_have_text(re.compile("^step 0 "))
    page.click('[data-act="undo"]')
    expect(page.locator('[data-id="play"]')).to_have_text("▶")
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    page.wait_for_timeout(200)                      # a play going on would have sent its next request by now
    expect(step).to_have_text(re.compile("^step 0 "))
    assert page.inner_text('[data-id="etotal"]') == fmt(seed_loss_after(0))
    redo = page.locator('[data-act="redo"]')
    expect(redo).to_be_enabled()
    redo.click()
    expect(step).not_to_have_text(re.compile("^step 0 "))
    played = int(page.inner_text('[data-id="emeta"]').split()[1].replace(",", ""))
    assert page.inner_text('[data-id="etotal"]') == fmt(seed_loss_after(played))
