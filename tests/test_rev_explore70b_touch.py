"""The explorer's finger-sized controls, in a real browser (Playwright, Debian's chromium): the weights' table kept its
44 px buttons on a mouse too (iris's 35 rows three times as tall on a desktop, where nothing is tapped), and on a
touch screen a checkbox's line ("biases learn", "as published") stayed 18 to 20 px tall, though the page says every
field is a finger's size. The fixtures are test_explore_browser's."""
import pytest
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect
from test_explore70b_phone import iris

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # its fixtures
__all__ = ["iris"]


def test_the_weights_table_stays_compact_under_a_mouse(page, iris):
    """At 1280 px with a mouse iris's drawing has no weights' labels, so the table shows: its rows as tall as a line
    of its text (with a few pixels of padding), as before the names became buttons; the names still buttons."""
    assert page.evaluate("() => matchMedia('(pointer: fine)').matches")
    fixtures.upload_csv(page, iris, "species")
    phone.idle(page)
    table = page.locator('[data-id="weights"]')
    table.locator("summary").click()
    expect(table.locator("tbody tr")).to_have_count(35)
    heights = page.evaluate("""() => [...document.querySelectorAll('[data-id=weights] tbody tr')]
        .map(r => r.getBoundingClientRect().height)""")
    line = page.evaluate("""() => parseFloat(getComputedStyle(document.querySelector('[data-id=weights] tbody td'))
        .lineHeight) || 16""")
    assert max(heights) < line + 16, (max(heights), line)
    table.locator('tbody button[data-name="w5"]').click()
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w5: the weight from i1 to h2")


@pytest.mark.parametrize("width", [375, 768])
def test_a_checkboxs_line_is_a_fingers_size_on_a_touch_screen(page, width):
    """Each checkbox's label (the whole line toggles it) at least 44 px tall on a touch screen, as buttons are."""
    touch = {"enabled": True, "maxTouchPoints": 5}
    page.context.new_cdp_session(page).send("Emulation.setTouchEmulationEnabled", touch)
    page.set_viewport_size({"width": width, "height": 800})
    phone.idle(page)
    small = page.evaluate("""() => [...document.querySelectorAll('label')].filter(l => l.querySelector(
          'input[type=checkbox]') && l.getClientRects().length)
        .map(l => [l.textContent.trim(), l.getBoundingClientRect().height])""")
    assert len(small) >= 2, small                     # "as published" and "biases learn"
    assert [(name, h) for name, h in small if h < 44] == []
