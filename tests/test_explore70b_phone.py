"""The explorer on a phone (375 px) and a tablet (768 px), in a real browser (Playwright, Debian's chromium): a CSV
file's inputs (iris's four columns) showed no values beside or under them; a weight could not be picked where the
drawing has no room for the weights' labels (the lines too close to tap one), so its chain rule could not be read;
the controls were too small for a finger. The fixtures (a server on 127.0.0.1, stopped by the module, and the
browser) are test_explore_browser's."""
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from playwright.sync_api import expect
from sklearn.datasets import load_iris

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


@pytest.fixture
def iris(tmp_path):
    X, y = load_iris(return_X_y=True)
    kinds = np.array(["setosa", "versicolor", "virginica"])[y]
    path = tmp_path / "iris.csv"
    path.write_text("sepal_length,sepal_width,petal_length,petal_width,species\n"
                    + "".join(f"{a},{b},{c},{d},{k}\n" for (a, b, c, d), k in zip(X, kinds)))
    return path


@pytest.mark.parametrize("width", [375, 768])
def test_iris_inputs_show_the_samples_values_on_a_phone_and_a_tablet(page, iris, width, shots):
    """At 375 px neither the columns' names nor the values were drawn; at 768 px only the names: the four values (the
    followed sample's, standardised) were nowhere on the drawing. Each now under its square, at the server's value."""
    page.set_viewport_size({"width": width, "height": 800})
    fixtures.upload_csv(page, iris, "species")
    phone.idle(page)
    state = fixtures.server_state(page)
    k = state["explained"]["sample"] if state["explained"]["whole_batch"] else 0
    want = [np.atleast_1d(u["value"])[min(k, np.size(u["value"]) - 1)] for u in state["layers"][0]["units"]]
    under = page.locator('[data-id="graph"] .unit.input .unit-label.under').all_text_contents()
    assert len(under) == 4, under
    assert [float(NUMBER.fullmatch(t)[0]) for t in under] == pytest.approx(want, rel=1e-3)
    overlaps = page.evaluate("""() => { const svg = document.querySelector('[data-id=graph]');
        const box = e => e.getBoundingClientRect(), meet = (a, b) => a.left < b.right && b.left < a.right
          && a.top < b.bottom && b.top < a.bottom;
        const shapes = [...svg.querySelectorAll('circle, rect.shape, .unit-label:not(.under)')];
        return [...svg.querySelectorAll('.unit-label.under')].flatMap(t => shapes.filter(s => meet(box(t), box(s)))
          .map(s => t.textContent + ' over ' + (s.closest('[data-name]') || s).getAttribute('data-name'))); }""")
    assert overlaps == []
    page.locator(".graph-card").screenshot(path=str(shots / f"explore70b-iris-{width}.png"))


def test_a_weight_is_picked_on_a_phone_and_its_chain_rule_is_the_desktops(page, shots):
    """The seed's w5 at 1280 px (its label clicked) and at 375 px, where no label is drawn: tapped in the weights'
    table, the same chain-rule card opens, scrolled into view."""
    page.click('.labels [data-name="w5"]')
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w5: the weight from h1 to o1")
    desktop = page.inner_text('[data-id="derivation"]')
    page.click('.labels [data-name="w1"]')
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w1")
    page.set_viewport_size({"width": 375, "height": 800})
    phone.idle(page)
    expect(page.locator('[data-id="graph"] .wlabel')).to_have_count(0)
    table = page.locator('[data-id="weights"]')
    page.click('[data-act="reset"]')                 # nothing picked: the card says where a weight is picked here
    expect(page.locator('[data-id="derivation"]')).to_contain_text("its name in Weights and biases, under the drawing")
    table.locator("summary").click()
    table.locator('tbody button[data-name="w5"]').click()
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w5: the weight from h1 to o1")
    assert page.inner_text('[data-id="derivation"]') == desktop
    assert fixtures.server_state(page)["selected"] == "w5"
    expect(table.locator("tbody tr.selected")).to_have_attribute("data-name", "w5")
    top = page.evaluate("() => document.querySelector('[data-id=derivation]').getBoundingClientRect().top")
    assert -1 <= top < 800                          # the card in view, not a screen's length below the table
    page.screenshot(path=str(shots / "explore70b-picked-375.png"))


@pytest.mark.parametrize("width", [375, 768])
def test_every_control_on_a_touch_screen_is_a_fingers_size(page, width):
    """On a touch screen (a phone, a tablet) buttons, fields, menus and the table's summary at least 44 px tall (and
    buttons as wide): Step's neighbours, the layer's − and +, the Sample menu were 23 to 34 px."""
    touch = {"enabled": True, "maxTouchPoints": 5}
    page.context.new_cdp_session(page).send("Emulation.setTouchEmulationEnabled", touch)
    assert page.evaluate("() => matchMedia('(pointer: coarse)').matches")
    page.set_viewport_size({"width": width, "height": 800})
    phone.idle(page)
    page.locator('[data-id="weights"] summary').click()
    small = page.evaluate("""() => [...document.querySelectorAll('button, select, input, summary')]
        .filter(e => e.getClientRects().length && !['checkbox', 'radio', 'file'].includes(e.type)
                     && !e.closest('.menu-list'))
        .map(e => [e.dataset.id || e.dataset.act || e.dataset.name || e.textContent.trim().slice(0, 20),
                   e.getBoundingClientRect()])
        .filter(([, r]) => r.height < 44 || r.width < 44)
        .map(([n, r]) => `${n}: ${Math.round(r.width)}x${Math.round(r.height)}`)""")
    assert small == []
