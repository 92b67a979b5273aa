"""The explorer read by a teacher preparing a class and a student at home. A second `chainrule explore` on the port
of a first said only "Address already in use": it now says what may hold the port and which option picks another.
In the page (Playwright, Debian's chromium; test_explore_browser's fixtures): every tab read "chainrule explore",
Enter in the steps field did nothing, the Forward → Backward → Update marks looked like buttons that did nothing,
the as-published line after 10,000 steps set the seed's 0.0000351085 against the readout's 0.000035102 (the
correct figure to the seed's digits, 0.0000351019, nowhere), and a screen reader read ❚❚ as "light vertical bars".
"""
import socket
from decimal import Decimal

import numpy as np
import test_explore_browser as fixtures
from conftest import cmd
from playwright.sync_api import expect

from chainrule.teach.explore.derive import fmt

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own


def test_a_busy_port_names_the_option_that_picks_another():
    with socket.socket() as holder:                       # another program, say the first `chainrule explore`
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        done = cmd("explore", "--no-browser", "--port", port)
    assert done.returncode != 0 and done.stdout == ""       # nothing served, no URL printed
    said = done.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in said, said
    assert "another `chainrule explore`" in said and "--port 0 for any free one" in said, said


def seed_error_after(steps: int) -> float:
    """E_total of the seed's 2-2-2 network after `steps` updates, in plain NumPy: sigmoid layers, E = sum of
    (target - out)^2 / 2, eta 0.5, the biases 0.35 and 0.6 fixed, as the seed computes it."""
    x, t = np.array([0.05, 0.1]), np.array([0.01, 0.99])
    w1, w2 = np.array([[0.15, 0.2], [0.25, 0.3]]), np.array([[0.4, 0.45], [0.5, 0.55]])    # rows: h1, h2 / o1, o2

    def forward():
        h = 1 / (1 + np.exp(-(w1 @ x + 0.35)))
        return h, 1 / (1 + np.exp(-(w2 @ h + 0.6)))
    for _ in range(steps):
        h, o = forward()
        d_o = (o - t) * o * (1 - o)
        d_h = (w2.T @ d_o) * h * (1 - h)
        w2, w1 = w2 - 0.5 * np.outer(d_o, h), w1 - 0.5 * np.outer(d_h, x)
    return float(np.sum((t - forward()[1]) ** 2) / 2)


def test_a_first_visit_from_the_keyboard_and_a_screen_reader(page):
    """The tab names the network; the phase marks say what they mark and which buttons run them; the steps field
    trains on Enter (it did nothing); after the seed's 10,000 the as-published line writes the correct figure to the
    seed's digits beside the seed's (the readout's nine decimals read 0.000035102 against 0.0000351085); ▶ and its
    pause mark are named in words."""
    assert page.title() == "The seed's 2-2-2 network · chainrule explore"
    marks = page.get_attribute('[data-id="phases"]', "title")
    assert "The buttons Forward, Backward, Update and Step run them" in marks
    steps = page.locator('[data-id="train-steps"]')
    steps.focus()
    steps.fill("10000")
    page.keyboard.press("Enter")
    expect(page.locator('[data-id="emeta"]')).to_contain_text("step 10,000", timeout=30_000)
    expect(page.locator('[data-id="train"]')).to_have_text("Train")
    truth = Decimal(seed_error_after(10_000))
    assert page.inner_text('[data-id="etotal"]') == fmt(float(truth))           # nine decimals: 0.000035102
    page.check('[data-id="published"]')
    line = page.locator('[data-id="epublished"]')
    expect(line).to_contain_text("as published: 0.0000351085")                  # the seed's printed figure
    expect(line).to_contain_text(f"correct to the same digits: {truth.quantize(Decimal('1e-10'))}")
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_contain_text("xor")
    assert page.title() == f"{page.inner_text('[data-id=title]')} · chainrule explore"
    page.get_by_role("button", name="Train until paused").click()        # ▶, named in words for a screen reader
    page.get_by_role("button", name="Pause training").click()            # ❚❚ read "light vertical bars"
    expect(page.get_by_role("button", name="Train until paused")).to_have_text("▶")


def test_the_export_menu_closes_as_a_menu_does(page):
    """Opened, the Export menu stayed open over the drawing's output neuron after a click elsewhere and on Escape."""
    menu, export = page.locator('[data-id="export-menu"]'), page.locator('[data-id="export-menu"] summary')

    def is_open() -> bool:
        return menu.evaluate("m => m.open")
    export.click()
    assert is_open()
    page.locator(".menu-list").click(position={"x": 4, "y": 4})                  # inside it, not on an item: stays
    assert is_open()
    page.click('[data-id="etotal"]')
    assert not is_open()
    export.focus()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")                                                   # on "Model (.npz)"
    assert is_open() and page.evaluate("document.activeElement.dataset.export") == "model.npz"
    page.keyboard.press("Escape")
    assert not is_open()
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"          # the keyboard back on Export


def test_forward_or_backward_pressed_again_says_the_pass_is_shown_already(page):
    """The page opens on the forward pass: a first Forward click redrew the same numbers and looked like it did
    nothing; so did Backward pressed twice. Each now says the pass is shown and which button comes next, and the
    numbers stay the seed's forward pass (E_total = 0.298371109) until Backward."""
    info, total = page.locator('[data-id="info"]'), page.locator('[data-id="etotal"]')
    page.click('[data-act="forward"]')
    expect(info).to_contain_text("The forward pass of these weights is shown already")
    expect(info).to_contain_text("Backward computes the gradients next")
    assert total.inner_text() == "0.298371109"
    page.click('[data-act="backward"]')
    expect(info).to_be_hidden()                       # a pass the drawing did not show: nothing to say
    page.click('[data-act="backward"]')
    expect(info).to_contain_text("The gradients of these weights are shown already: Update applies them next")
    page.click('[data-act="update"]')
    expect(info).to_be_hidden()


def test_an_address_that_cannot_be_listened_on_is_written_as_a_url_writes_it():
    """--host 2001:db8::1 (IPv6's documentation prefix, on no machine) was refused as "2001:db8::1:8765", the port
    read as part of the address; and an address not of this machine got no word of why (only the system's words)."""
    v6 = cmd("explore", "--no-browser", "--host", "2001:db8::1", "--port", 8765)
    assert v6.returncode != 0 and "cannot listen on [2001:db8::1]:8765: " in v6.stderr, v6.stderr
    v4 = cmd("explore", "--no-browser", "--host", "192.0.2.1", "--port", 8765)        # TEST-NET-1, on no machine
    assert v4.returncode != 0 and v4.stdout == "", v4.stderr
    assert "cannot listen on 192.0.2.1:8765: " in v4.stderr and "192.0.2.1 is not an address of this machine" \
        in v4.stderr, v4.stderr
    assert "Traceback" not in v4.stderr + v6.stderr
