"""The explorer on a phone (375 px), in a real browser (Playwright, Debian's chromium): Tab walks the cards in the
order they are seen (style.css stacks them in another order than the markup's), and the drawing writes the sample's
input values beside its inputs, as it does at 1280 px. The fixtures (a server on 127.0.0.1, stopped by the module,
and the browser) are test_explore_browser's."""
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect

from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.session import Session

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures

# the card the focus is in and where it stands on the page (its top, from the page's start); null outside the cards
WHERE = """() => { const card = document.activeElement.closest('.layout .card');
                   return card && [card.className, card.getBoundingClientRect().top + scrollY]; }"""


def tab_walk(page):
    """The cards Tab goes through from the page's start (each once, in turn) and their tops."""
    page.focus('[data-id="data"]')
    walk = []
    for _ in range(120):
        page.keyboard.press("Tab")
        at = page.evaluate(WHERE)
        if at and (not walk or walk[-1][0] != at[0]):
            walk.append(at)
        if page.evaluate("() => document.activeElement === document.body"):
            break
    return walk


def test_tab_walks_the_cards_on_a_phone_in_the_order_they_are_seen(page, shots):
    """At 375 px the readout, the step's buttons and the drawing come first and the Optimizer card last; Tab went from
    the step's buttons to the Optimizer and Network cards at the bottom, then up to the drawing."""
    page.set_viewport_size({"width": 375, "height": 800})
    phone.idle(page)
    walk = tab_walk(page)
    tops = [top for _, top in walk]
    assert tops == sorted(tops), walk
    names = [name for name, _ in walk]
    assert any("graph-card" in n for n in names) and any("opt-card" in n for n in names), names
    page.set_viewport_size({"width": 1280, "height": 800})        # back in their columns: controls first, as seen
    phone.idle(page)
    expect(page.locator(".controls > .opt-card")).to_have_count(1)
    expect(page.locator(".explain > .derivation")).to_have_count(1)
    names = [name for name, _ in tab_walk(page)]
    opt, graph = (next(i for i, n in enumerate(names) if card in n) for card in ("opt-card", "graph-card"))
    assert opt < graph


def test_the_drawing_writes_the_input_values_on_a_phone_as_at_1280_px(page, shots):
    """The seed's i1 = 0.05 and i2 = 0.1 beside its inputs at 1280 px (in their cards) were missing at 375 px."""
    want = [fmt(v) for v in Session().X[0]]
    inputs = page.locator('[data-id="graph"] .unit.input .unit-name')
    assert inputs.all_text_contents() == [f"i{j + 1} = {v}" for j, v in enumerate(want)]
    page.set_viewport_size({"width": 375, "height": 800})
    phone.idle(page)
    expect(page.locator('[data-id="graph"] .unit-label')).to_have_count(2)
    assert page.locator('[data-id="graph"] .unit-label').all_text_contents() == want
    overlaps = page.evaluate("""() => { const svg = document.querySelector('[data-id=graph]');
        const box = e => e.getBoundingClientRect(), meet = (a, b) => a.left < b.right && b.left < a.right
          && a.top < b.bottom && b.top < a.bottom;
        const shapes = [...svg.querySelectorAll('circle, rect.shape')];
        return [...svg.querySelectorAll('.unit-label')].flatMap(t => shapes.filter(s => meet(box(t), box(s)))
          .map(s => t.textContent + ' over ' + (s.closest('[data-name]') || s).getAttribute('data-name'))); }""")
    assert overlaps == []                            # clear of every square and circle, the bias units' too
    angles = page.evaluate("""() => [...document.querySelectorAll('[data-id=graph] .edge[data-name^=b_h] .wire')]
        .map(l => Math.atan2(l.y1.baseVal.value - l.y2.baseVal.value, l.x2.baseVal.value - l.x1.baseVal.value))""")
    assert abs(angles[0] - angles[1]) * 180 / 3.141592653589793 >= 20     # the bias lines keep their fan (explorer_7)
    page.locator(".graph-card").screenshot(path=str(shots / "explore-inputs-375.png"))


def test_a_number_half_typed_is_not_set_when_the_phone_turns(page):
    """The cards move between the phone's order and their columns (the screen turned): Chrome fired change on the
    focused field moved, which set η = 0 from the "0.0" of 0.07 being typed; typing goes on in the field."""
    lr = page.locator('[data-id="opt-settings"] input')
    for width, typed, want in ((375, "0.07", 0.07), (1280, "0.3", 0.3)):
        lr.click()
        lr.fill(typed[:-1])
        before = fixtures.server_state(page)["optimizer"]["settings"]["lr"]
        page.set_viewport_size({"width": width, "height": 800})
        expect(page.locator(".layout > .opt-card")).to_have_count(1 if width == 375 else 0)
        phone.idle(page)
        assert fixtures.server_state(page)["optimizer"]["settings"]["lr"] == before
        assert page.evaluate("document.activeElement.dataset.setting") == "lr"
        page.keyboard.type(typed[-1])
        expect(lr).to_have_value(typed)
        page.keyboard.press("Enter")
        phone.idle(page)
        assert fixtures.server_state(page)["optimizer"]["settings"]["lr"] == want
