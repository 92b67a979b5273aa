"""The explorer end to end, in a real browser: Playwright driving Debian's chromium (headless).

The server runs in a thread on 127.0.0.1 (a free port) and is stopped by the module's fixture.
Screenshots go to a temporary folder, or to $CHAINRULE_SCREENSHOTS (how docs/figures/explore-*.png
are made: CHAINRULE_SCREENSHOTS=docs/figures pytest tests/test_explore_browser.py).
"""
import base64
import contextlib
import json
import os
import re
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from playwright import sync_api
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.server import Server, bind, create_app
from chainrule.teach.explore.session import Session, Start

CHROMIUM = "/usr/bin/chromium"
TOKEN = "browser-test-token"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?")       # a number in a line of the panel
CSV = "x1,x2,kind\n" + "".join(f"{a:.3f},{b:.3f},{'red' if a * b > 0 else 'blue'}\n"
                               for a, b in np.random.default_rng(0).uniform(-1, 1, (60, 2)))


@pytest.fixture(scope="module")
def server():
    srv = Server(create_app(TOKEN), bind("127.0.0.1", 0)).start()
    yield f"http://127.0.0.1:{srv.port}"
    srv.stop()


@pytest.fixture(scope="module")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM} (`make test` installs it with apt-get)")
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True, args=ARGS,
                                                   viewport={"width": 1280, "height": 800}, accept_downloads=True)
        ctx.set_default_timeout(20_000)
        yield ctx
        ctx.close()


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("CHAINRULE_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def page(browser, server):
    pg = browser.new_page()
    problems = []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    # a refused request (HTTP 400) is logged by the browser itself; the page shows its message
    pg.on("console", lambda m: problems.append(f"console: {m.text}")
          if m.type == "error" and not m.text.startswith("Failed to load resource") else None)
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.goto(f"{server}/?token={TOKEN}")
    pg.wait_for_selector('[data-id="etotal"]:not(:empty)')
    yield pg
    pg.close()
    assert problems == []


def open_session(client, share=None, *, token):
    """A new page's session through the API (a share code opened, when given): its JSON."""
    r = client.post("/api/session", headers={"X-Token": token}, json={"share": share} if share else {})
    assert r.status_code == 200, r.text
    return r.json()


def session_act(client, sid, action, status=200, *, token, **body):
    """One action of session `sid` through the API, answered with `status`: its JSON."""
    r = client.post(f"/api/session/{sid}/{action}", headers={"X-Token": token}, json=body)
    assert r.status_code == status, r.text
    return r.json()


def etotal(page):
    return page.inner_text('[data-id="etotal"]')


def graph_text(page):
    return " | ".join(page.locator('[data-id="graph"] text').all_text_contents())


def derivation(page):
    return page.inner_text('[data-id="derivation"]')


def no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_opens_on_the_seed_network_with_its_figures(page, shots):
    assert etotal(page) == "0.298371109"
    text = graph_text(page)
    for shown in ("net 0.3775", "out 0.593269992", "out 0.596884378", "net 1.105905967", "out 0.75136507",
                  "out 0.772928465", "E_o1 = 0.274811083", "E_o2 = 0.023560026", "target 0.01", "target 0.99",
                  "i1 = 0.05", "i2 = 0.1", "b_h1 = 0.35", "b_h2 = 0.35", "b_o1 = 0.6", "b_o2 = 0.6"):
        assert shown in text, shown
    for k, w in enumerate([0.15, 0.2, 0.25, 0.3, 0.4, 0.45, 0.5, 0.55], start=1):
        assert f"w{k} = {w:g}" in text
    assert no_horizontal_overflow(page)
    assert page.inner_text('[data-id="seed-card"]').count("28 of 31") == 1
    page.screenshot(path=str(shots / "explore-seed.png"))


def test_click_w5_shows_its_chain_rule_with_the_numbers(page, shots):
    page.click('.labels [data-name="w5"]')
    page.wait_for_selector(".derivation .eq")
    text = derivation(page)
    assert "w5: the weight from h1 to o1" in text
    assert "= 0.74136507 · 0.186815602 · 0.593269992 = 0.082167041" in text
    assert "0.4 - 0.5 · 0.082167041 = 0.35891648" in text
    page.click('[data-act="backward"]')
    page.wait_for_selector('[data-phase="backward"].on')
    assert "0.082167041" in graph_text(page) and "δ 0.138498562" in graph_text(page)
    page.click('.unit[data-name="h1"]')
    expect(page.locator('[data-id="derivation"]')).to_contain_text("delta")
    text = derivation(page)
    assert "0.055399425 + (-0.019049118) = 0.036350306" in text
    page.click('.labels [data-name="w5"]')
    expect(page.locator('[data-id="derivation"]')).to_contain_text("w5: the weight")
    page.screenshot(path=str(shots / "explore-derivation.png"))


def test_step_shows_the_new_error_and_as_published_the_seeds(page, shots):
    page.click('[data-act="step"]')
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.291027774")
    assert "0.291027924" not in page.inner_text("body")
    page.check('[data-id="published"]')
    assert "as published: 0.291027924" in page.inner_text('[data-id="epublished"]')
    table = page.inner_text('[data-id="seed-card"] table')
    assert "0.291027774" in table and "0.0000351085" in table and "-0.019049119" in table
    page.click('[data-act="undo"]')
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.298371109")
    page.click('.labels [data-name="w1"]')
    page.wait_for_selector(".eq-published")
    assert "as published: -0.019049119" in derivation(page)
    page.screenshot(path=str(shots / "explore-published.png"), full_page=True)


def test_one_phase_at_a_time(page):
    page.click('[data-act="backward"]')
    page.wait_for_selector('[data-phase="backward"].on')
    page.click('[data-act="update"]')
    page.wait_for_selector('[data-phase="update"].on')
    assert "w5 = 0.35891648" in graph_text(page)
    assert etotal(page) == "0.298371109"                    # the old forward pass, greyed
    stale = fill_of(page, '.unit[data-name="o1"] .unit-value')
    assert fill_of(page, '.target[data-name="o1"] .target-error') == stale == "rgb(182, 188, 198)"   # E_o1 too
    page.click('[data-act="forward"]')
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.291027774")


def server_state(page):
    """The session's state as the server holds it (full precision), asked by the page itself."""
    return page.evaluate("""async () => {
        const sid = sessionStorage.getItem("chainrule-explore-session");
        const headers = { "X-Token": localStorage.getItem("chainrule-explore-token") };
        const r = await fetch(`/api/session/${sid}/state`, { method: "POST", headers, body: "{}" });
        return (await r.json()).state; }""")


def test_the_weight_editor_shows_the_pages_rounding_and_keeps_the_full_value(page):
    page.click('[data-act="step"]')
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.291027774")
    page.click('.labels [data-name="w5"]')
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    assert page.input_value(".editor input") == "0.35891648"          # as the label and the derivation show it
    w5 = next(p["value"] for p in server_state(page)["params"] if p["name"] == "w5")
    page.click(".editor button")                                      # Set, unchanged: the value is not cut
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    assert next(p["value"] for p in server_state(page)["params"] if p["name"] == "w5") == w5 != 0.35891648


def test_editing_a_weight_changes_every_number(page):
    page.click('.labels [data-name="w5"]')
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    page.fill(".editor input", "0.5")
    page.click(".editor button")
    net, X, Y, _ = cr.examples.seed_network()
    net.layers[1].W[0, 0] = 0.5
    expected = fmt(net.loss(X, Y))
    expect(page.locator('[data-id="etotal"]')).to_have_text(expected)
    out_o1 = fmt(float(net.forward(X)[0, 0]))
    assert f"out {out_o1}" in graph_text(page) and "w5 = 0.5" in graph_text(page)
    page.fill(".editor input", "1e300")
    page.click(".editor button")
    page.wait_for_selector('[data-id="error"]:not([hidden])')
    assert "w5 must be a finite number" in page.inner_text('[data-id="error"]')
    assert etotal(page) == expected                          # the server kept the network and serves on
    page.click('[data-act="step"]')
    page.wait_for_selector('[data-id="error"][hidden]', state="attached")
    page.click('.target[data-name="o2"]')
    page.fill(".editor input", "0.5")
    page.click(".editor button")
    net.step(X, Y, 0.5)
    Y[0, 1] = 0.5
    expect(page.locator('[data-id="etotal"]')).to_have_text(fmt(net.loss(X, Y)))
    assert "target 0.5" in graph_text(page)


def error_after(page, field, typed):
    """Type `typed` into `field` and leave it (a change): the error banner's text."""
    page.fill(field, typed)
    page.dispatch_event(field, "change")
    page.wait_for_selector('[data-id="error"]:not([hidden])')
    text = page.inner_text('[data-id="error"]')
    page.click('[data-id="error-close"]')
    return text


def test_a_blank_or_invalid_number_field_is_refused_never_read_as_0(page):
    lr = '[data-setting="lr"]'
    assert "learning rate) is empty" in error_after(page, lr, "")
    assert '"1e400" is not a finite number' in error_after(page, lr, "1e400")
    assert page.input_value(lr) == "0.5" and etotal(page) == "0.298371109"
    page.click('[data-act="step"]')                         # still the seed's rate: the seed's first step
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.291027774")
    page.fill('[data-id="train-steps"]', "")
    page.click('[data-id="train"]')
    page.wait_for_selector('[data-id="error"]:not([hidden])')
    assert "Steps to train is empty" in page.inner_text('[data-id="error"]')
    assert page.inner_text('[data-id="emeta"]').startswith("step 1 ")
    page.select_option('[data-id="opt"]', "adam")
    expect(page.locator('[data-setting="beta2"]')).to_have_value("0.999")
    assert "β₂ is empty" in error_after(page, '[data-setting="beta2"]', "")
    assert page.input_value('[data-setting="beta2"]') == "0.999"
    page.select_option('[data-id="data"]', "moons")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^moons"))
    first = etotal(page)
    assert "Noise is empty" in error_after(page, "[data-k=noise]", "")
    assert "Init seed is empty" in error_after(page, '[data-id="arch"] input.num', "")
    assert page.input_value("[data-k=noise]") == "0.1" and page.input_value('[data-id="arch"] input.num') == "0"
    assert etotal(page) == first


def test_the_unit_buttons_are_off_at_the_limits(page):
    fewer, more = '.layer-row [aria-label="fewer units"]', '.layer-row [aria-label="more units"]'
    page.click(fewer)
    expect(page.locator(".layer-row .units")).to_have_text("1")
    expect(page.locator(fewer)).to_be_disabled()
    for n in range(2, 17):
        page.click(more)
        expect(page.locator(".layer-row .units")).to_have_text(str(n))
    expect(page.locator(more)).to_be_disabled()
    expect(page.locator(fewer)).to_be_enabled()
    assert page.locator('[data-id="error"]').is_hidden()


def fill_of(page, selector):
    return page.eval_on_selector(selector, "e => getComputedStyle(e).fill")


def test_gradients_are_coloured_by_sign_and_fixed_biases_grey(page, shots):
    page.click('[data-act="backward"]')
    page.wait_for_selector('[data-phase="backward"].on')
    magenta, green, grey = "rgb(162, 28, 175)", "rgb(4, 120, 87)", "rgb(156, 163, 175)"
    assert fill_of(page, '.labels [data-name="w5"] text:last-child') == magenta        # dE/dw5 = 0.082167041
    assert fill_of(page, '.labels [data-name="w7"] text:last-child') == green          # dE/dw7 = -0.022602540
    assert "-0.02260254" in page.locator('.labels [data-name="w7"] text').all_text_contents()[-1]
    assert fill_of(page, '.unit[data-name="o1"] .unit-value.grad') == magenta          # δ_o1 = 0.138498562
    assert fill_of(page, '.unit[data-name="o2"] .unit-value.grad') == green            # δ_o2 = -0.038098236
    # the seed's biases are fixed: their gradients are shown, not coloured as moving the bias
    assert fill_of(page, '.labels [data-name="b_o1"] text') == grey
    assert page.get_attribute('.edge[data-name="b_o1"] .wire', "stroke") == "#9ca3af"
    assert "fixed (not trained" in page.inner_text('[data-id="legend"]')
    page.screenshot(path=str(shots / "explore-backward-colours.png"))


def test_the_loss_menu_shows_the_whole_name(page, shots):
    loss, name = page.locator('[data-id="arch"] select').nth(2), "binary_crossentropy"
    loss.select_option(name)
    expect(page.locator('[data-id="loss-name"]')).to_have_text(f"({name})")     # the server's answer drawn:
    expect(loss).to_have_value(name)                 # the menu measured is the new one, not the one replaced
    for width in (1280, 1000):          # the controls column: 276 and 240 pixels
        page.set_viewport_size({"width": width, "height": 800})
        room = loss.evaluate("""s => { const c = document.createElement("canvas").getContext("2d");
            c.font = getComputedStyle(s).font;
            return s.clientWidth - c.measureText(s.selectedOptions[0].text).width - 30; }""")
        assert room >= 0, (width, name, room)          # the text, its padding and the arrow fit
    page.screenshot(path=str(shots / "explore-loss-menu.png"))


LABEL_BOXES = """() => [...document.querySelectorAll('[data-id="graph"] .labels .wlabel rect')].map(r => {
    const b = r.getBoundingClientRect(); return [r.parentNode.dataset.name, b.left, b.top, b.right, b.bottom]; })"""
SHAPES = """() => [...document.querySelectorAll('[data-id="graph"] .unit .shape, [data-id="graph"] .bias-unit circle')]
    .map(r => { const b = r.getBoundingClientRect(); return ["node", b.left, b.top, b.right, b.bottom]; })"""


def intersecting(boxes, others=()):
    def meet(a, b):
        return min(a[3], b[3]) - max(a[1], b[1]) > 0.5 and min(a[4], b[4]) - max(a[2], b[2]) > 0.5
    pairs = [(a[0], b[0]) for i, a in enumerate(boxes) for b in boxes[i + 1:] if meet(a, b)]
    return pairs + [(a[0], "a neuron") for a in boxes for b in others if meet(a, b)]


@pytest.mark.parametrize("width", [700, 1024, 1280, 1366, 1920])
def test_labels_on_the_lines_never_overlap(page, shots, width):
    page.set_viewport_size({"width": width, "height": 900})
    for phase in ("forward", "backward", "update"):
        page.click(f'[data-act="{phase}"]')
        page.wait_for_selector(f'[data-phase="{phase}"].on')
        page.wait_for_function("w => document.querySelector('[data-id=graph]').getAttribute('width') == "
                               "document.querySelector('[data-id=graph-wrap]').clientWidth", arg=None)
        if phase == "backward":
            page.locator('[data-id="graph"]').screenshot(path=str(shots / f"explore-labels-{width}.png"))
        boxes = page.evaluate(LABEL_BOXES)
        if width > 1100 or (width > 1000 and phase == "forward"):    # w1..w8 and the 4 biases
            assert len(boxes) == 12, (width, phase)
        else:                                        # where some have no place, those left out alone (test_explorer_8)
            assert len(boxes) <= 12, (width, phase)
        assert intersecting(boxes, page.evaluate(SHAPES)) == [], (width, phase)


def test_train_a_data_set_with_its_decision_boundary(page, shots):
    page.select_option('[data-id="data"]', "spirals")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^spirals"))
    first = etotal(page)
    page.fill('[data-id="train-steps"]', "300")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 300 "))
    assert etotal(page) != first
    assert page.is_visible('[data-id="boundary"]')
    assert page.locator('[data-id="loss"] polyline').count() == 2
    assert page.locator('[data-id="norms"] .norm-row').count() == 3
    page.click('[data-id="play"]')                            # train until paused
    expect(page.locator('[data-id="emeta"]')).not_to_have_text(re.compile("^step 300 "))
    page.click('[data-id="play"]')
    expect(page.locator('[data-id="play"]')).to_have_text("▶")
    page.screenshot(path=str(shots / "explore-spirals.png"), full_page=True)


def test_upload_a_csv_file(page, tmp_path):
    good, bad = tmp_path / "points.csv", tmp_path / "ragged.csv"
    good.write_text(CSV)
    bad.write_text("a,b,c\n1,2,3\n4,5,6,7,8\n")
    with page.expect_file_chooser() as chooser:
        page.select_option('[data-id="data"]', "csv")
    chooser.value.set_files(str(good))
    page.wait_for_selector('[data-id="target"]')
    page.select_option('[data-id="target"]', "kind")
    page.click('[data-id="use-target"]')
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^points.csv"))
    assert "classification of 'kind'" in page.inner_text('[data-id="title"]')
    assert page.is_visible('[data-id="boundary"]')
    with page.expect_file_chooser() as chooser:
        page.select_option('[data-id="data"]', "seed")
        page.select_option('[data-id="data"]', "csv")
    chooser.value.set_files(str(bad))
    page.wait_for_selector('[data-id="error"]:not([hidden])')
    from chainrule.data.tabular import read_csv
    with pytest.raises(cr.errors.ValidationError) as exc:
        read_csv(str(bad))
    assert page.inner_text('[data-id="error-text"]') == str(exc.value).replace(str(bad), "ragged.csv")


def test_usable_at_phone_width(page, shots):
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector('[data-id="etotal"]:not(:empty)')
    assert no_horizontal_overflow(page)
    box = page.locator('[data-act="step"]').bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    page.screenshot(path=str(shots / "explore-phone.png"))
    page.click('[data-act="step"]')
    expect(page.locator('[data-id="etotal"]')).to_have_text("0.291027774")
    page.click('.unit[data-name="o1"]')
    page.wait_for_selector(".derivation .eq")
    assert no_horizontal_overflow(page)


def test_exports_and_share_link(page, browser):
    with page.expect_download() as dl:
        page.click('[data-id="export-menu"] summary')
        page.click('[data-export="svg"]')
    svg = Path(dl.value.path()).read_text()
    assert svg.startswith("<svg") and "w5 = 0.4" in svg and "E_o1 = 0.274811083" in svg
    with page.expect_download() as dl:
        page.click('[data-id="export-menu"] summary')
        page.click('[data-export="model.npz"]')
    net = cr.load(dl.value.path())
    np.testing.assert_array_equal(net.params, cr.examples.seed_network()[0].params)
    with page.expect_download() as dl:
        page.click('[data-id="export-menu"] summary')
        page.click('[data-export="png"]')
    assert Path(dl.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.click('.labels [data-name="w2"]')
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    page.fill(".editor input", "-0.3")
    page.click(".editor button")
    expect(page.locator('[data-id="etotal"]')).not_to_have_text("0.298371109")
    changed = etotal(page)
    page.click('[data-id="share"]')
    page.wait_for_selector('[data-id="info"]:not([hidden])')
    url = re.search(r"http://\S+#s=[\w-]+", page.inner_text('[data-id="info"]'))[0]
    assert TOKEN not in url and "token" not in url      # whoever gets the link must not get the server
    other = browser.new_page()
    other.goto(url)
    other.wait_for_selector('[data-id="etotal"]:not(:empty)')
    assert other.inner_text('[data-id="etotal"]') == changed and "w2 = -0.3" in graph_text(other)
    # a browser that never opened the printed URL has no token: the page says how to open the link
    # (loaded afresh: the link's URL in this tab is only a change of its #s= part, which opens in the page as it is)
    other.evaluate("localStorage.clear(); sessionStorage.clear()")
    other.goto("about:blank")
    other.goto(url)
    other.wait_for_selector('[data-id="error"]:not([hidden])')
    assert "token" in other.inner_text('[data-id="error"]') and "#s=" in other.inner_text('[data-id="error"]')
    other.close()


def test_without_the_token_the_page_says_so(browser, server):
    """A browser that never opened the printed URL: this profile's pages kept the token in localStorage (it timed
    out waiting for the error whenever a test before it had opened the page and none had cleared that)."""
    pg = browser.new_page()
    pg.goto(f"{server}/")
    pg.evaluate("localStorage.clear(); sessionStorage.clear()")
    pg.reload()
    pg.wait_for_selector('[data-id="error"]:not([hidden])')
    assert "token" in pg.inner_text('[data-id="error"]')
    pg.close()


WIDGET = """async (code) => {
    const mod = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    const listeners = [];
    const model = {
      on: (event, f) => { if (event === "msg:custom") listeners.push(f); },
      send(content, callbacks, buffers) {
        const b64 = (buffers || []).map(b => btoa(String.fromCharCode(...new Uint8Array(b))));
        window.kernel(JSON.stringify(content), b64).then(reply => {
          const r = JSON.parse(reply);
          const out = r.buffers.map(s => Uint8Array.from(atob(s), c => c.charCodeAt(0)).buffer);
          listeners.forEach(f => f({ id: content.id, answer: r.answer }, out));
        });
      },
    };
    mod.default.render({ model, el: document.getElementById("cell") });
}"""


def widget_page(browser, render=WIDGET):
    """The notebook widget on a new page, opened on the seed: (Explorer, page, the page's errors).

    `render` (JS taking the widget's module text) renders it into #cell with a stand-in for the anywidget model
    whose messages go to `window.kernel`: `Explorer.handle`, as the kernel does, buffers as base64."""
    from chainrule.teach.explore.widget import Explorer
    w = Explorer()
    pg = browser.new_page()
    problems = []
    pg.on("pageerror", lambda e: problems.append(str(e)))

    def kernel(content, buffers):
        answer, out = w.handle(json.loads(content), [base64.b64decode(b) for b in buffers])
        return json.dumps({"answer": answer, "buffers": [base64.b64encode(b).decode() for b in out]})
    pg.expose_function("kernel", kernel)
    pg.set_content("<div id=cell></div>")
    pg.add_style_tag(content=Explorer._css)
    pg.evaluate(render, Explorer._esm)
    expect(pg.locator('[data-id="etotal"]')).to_have_text("0.298371109")
    return w, pg, problems


def test_the_notebook_widget_runs_the_same_page_on_the_kernels_session(browser):
    """The anywidget module (the page's modules and widget.js in one) in the browser, its messages going to
    `Explorer.handle` as in the kernel."""
    w, pg, problems = widget_page(browser)
    pg.click('.labels [data-name="w5"]')
    expect(pg.locator('[data-id="derivation"]')).to_contain_text("0.74136507 · 0.186815602 · 0.593269992 = 0.082167041")
    pg.click('[data-act="step"]')
    expect(pg.locator('[data-id="etotal"]')).to_have_text("0.291027774")
    assert w.session.steps == 1 and fmt(w.session.net.loss(w.session.X, w.session.Y)) == "0.291027774"
    with pg.expect_download() as dl:
        pg.click('[data-id="export-menu"] summary')
        pg.click('[data-export="model.npz"]')
    np.testing.assert_array_equal(cr.load(dl.value.path()).params, w.session.net.params)
    pg.close()
    assert problems == []


def test_the_readout_says_how_e_total_is_made_from_the_outputs_errors(page, shots):
    how = page.locator('[data-id="ehow"]')
    expect(how).to_have_text("Etotal = Eo1 + Eo2: the sum of the outputs' errors")
    page.locator('[data-id="arch"] select').nth(2).select_option("mse")
    expect(how).to_have_text("Etotal = (Eo1 + Eo2) / n_outputs: the mean of the 2 outputs' errors")
    errors = [float(t.split("= ")[1]) for t in page.locator(".target-error").all_text_contents()]
    assert float(etotal(page)) == pytest.approx(sum(errors) / 2, abs=1e-8)      # the mean, as it says
    page.locator(".readout").screenshot(path=str(shots / "explore-readout-mse.png"))
    page.select_option('[data-id="data"]', "moons")
    expect(how).to_have_text("Etotal = sum_samples(Eo1) / n_samples: the output's error, "
                             "averaged over the 140 samples")


FOCUSED = "() => { const e = document.activeElement; return [e.tagName, e.getAttribute('data-name')]; }"


def test_the_drawing_works_from_the_keyboard_with_a_visible_focus(page, shots):
    page.keyboard.press("Tab")                                       # from the page's controls into the drawing
    page.focus('.edge[data-name="w5"]')
    assert page.evaluate(FOCUSED) == ["g", "w5"]
    ring = "e => getComputedStyle(e).stroke + ' ' + getComputedStyle(e).strokeOpacity"
    assert page.eval_on_selector('.edge[data-name="w5"] .hit', ring) == "rgb(37, 99, 235) 0.35"
    page.keyboard.press("Enter")
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w5: the weight from h1 to o1")
    assert page.evaluate(FOCUSED) == ["g", "w5"]                     # redrawn: the focus stays on w5
    page.locator('[data-id="graph"]').screenshot(path=str(shots / "explore-keyboard-focus-w5.png"))
    page.keyboard.press("Tab")
    page.keyboard.press(" ")                                         # Space acts as Enter
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w6")
    assert page.evaluate(FOCUSED) == ["g", "w6"]
    page.focus('.unit[data-name="h1"]')
    page.keyboard.press(" ")
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("h1: its forward pass")
    assert page.evaluate(FOCUSED) == ["g", "h1"]
    assert page.eval_on_selector('.unit[data-name="h1"] .shape', "e => getComputedStyle(e).strokeDasharray") \
        == "6px, 3px"
    page.locator('[data-id="graph"]').screenshot(path=str(shots / "explore-keyboard-focus.png"))
    page.focus('.target[data-name="o2"]')                            # targets: reachable and editable
    assert page.get_attribute('.target[data-name="o2"]', "tabindex") == "0"
    page.keyboard.press("Enter")
    expect(page.locator('[data-id="derivation"] h3')).to_have_text("Target of o2")
    page.keyboard.press("Escape")                                    # from its field (focused) back on the target
    assert page.evaluate(FOCUSED) == ["g", "o2"]
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(FOCUSED) == ["g", "o1"]
    page.keyboard.press(" ")
    expect(page.locator('[data-id="derivation"] h3')).to_have_text("Target of o1")


SEEN = """() => { window.seen = []; new MutationObserver(() => window.seen.push(
    document.querySelector('[data-id="info"]').textContent)).observe(document.querySelector('[data-id="info"]'),
    { childList: true, characterData: true, subtree: true }); }"""


def test_train_continues_to_the_steps_asked_for_and_can_be_stopped(page, monkeypatch, shots):
    from chainrule.teach.explore import session
    monkeypatch.setattr(session, "TRAIN_SECONDS", 0.005)     # a busy machine: each request does a part
    page.evaluate(SEEN)
    page.fill('[data-id="train-steps"]', "1000")
    page.click('[data-id="train"]')
    # a 4-digit count grouped as the 5-digit ones and docs/explore.md's "6,600 of 10,000" (Python's grouping)
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile(f"^step {1000:,} "), timeout=60_000)  # many parts
    expect(page.locator('[data-id="train"]')).to_have_text("Train")
    seen = page.evaluate("window.seen")
    assert any(re.fullmatch(r"Training: \d+ of 1,000 steps done… \(Stop ends the run here\)", t) for t in seen), seen
    assert page.locator('[data-id="info"]').is_hidden()
    assert page.locator('[data-id="loss"] polyline').count() >= 1
    page.click('[data-act="undo"]')                            # the whole run is one undo step
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 0 "))
    page.fill('[data-id="train-steps"]', "10000")                # the seed's 10,000, stopped partway
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="train"]')).to_have_text("Stop")
    expect(page.locator('[data-id="info"]')).to_contain_text("of 10,000 steps done")
    page.screenshot(path=str(shots / "explore-train-progress.png"))
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="info"]')).to_have_text(re.compile(r"^Stopped after [\d,]+ of 10,000 steps$"))
    written = re.search(r"after ([\d,]+)", page.inner_text('[data-id="info"]')).group(1)    # 12,345 whole, not 12
    stopped = int(written.replace(",", ""))
    assert 0 < stopped < 10000 and written == f"{stopped:,}"
    page.wait_for_timeout(300)
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile(f"^step {stopped:,} "))


def test_the_activation_menus_show_the_whole_name(page, shots):
    page.select_option('[data-id="data"]', "moons")                   # two hidden layers of 4
    expect(page.locator('[data-id="arch"] .layer-row')).to_have_count(2)
    for width in (1280, 1000, 390):          # the controls column: 276 and 240 pixels, and a phone
        page.set_viewport_size({"width": width, "height": 800})
        menus = page.locator('[data-id="arch"] .layer-row select').all()
        for sel in menus + [page.locator('[data-id="arch"] .settings select').first]:     # and the output's
            room = sel.evaluate("""s => { const c = document.createElement("canvas").getContext("2d");
                c.font = getComputedStyle(s).font;
                return s.clientWidth - Math.max(...[...s.options].map(o => c.measureText(o.text).width)) - 30; }""")
            assert room >= 0, (width, sel.input_value(), room)       # leaky_relu, its padding and the arrow fit
        rows = page.locator('[data-id="arch"] .layer-row').all()
        for row in rows:                                               # nothing of a row leaves the card
            assert row.evaluate("r => r.scrollWidth <= r.clientWidth"), width
        page.locator(".net-card").screenshot(path=str(shots / f"explore-activation-menus-{width}.png"))


def test_an_engine_error_names_what_the_page_offers(page, shots):
    # the loss first, its answer drawn (a second menu chosen before the redraw was the replaced one, on a
    # loaded machine), then the output activation that does not fit it
    page.locator('[data-id="arch"] select').nth(2).select_option("binary_crossentropy")
    expect(page.locator('[data-id="loss-name"]')).to_have_text("(binary_crossentropy)")
    page.locator('[data-id="arch"] .settings select').first.select_option("linear")        # the output
    banner = page.locator('[data-id="error-text"]')
    expect(banner).to_contain_text("Choose sigmoid as the Output activation (Network), or another Loss",
                                   timeout=20_000)
    assert "takes_logits" not in banner.inner_text()
    page.screenshot(path=str(shots / "explore-error-in-page-terms.png"))


MIXED = "size,x1,colour,x2,kind\n" + "".join(
    f"{'SML'[i % 3]},{a:.3f},{('red', 'blue')[i % 2]},{b:.3f},{('cat', 'dog', 'fish')[i % 3]}\n"
    for i, (a, b) in enumerate(np.random.default_rng(1).normal(size=(40, 2))))


def upload_csv(page, path, target):
    with page.expect_file_chooser() as chooser:
        page.select_option('[data-id="data"]', "seed")
        page.select_option('[data-id="data"]', "csv")
    chooser.value.set_files(str(path))
    page.select_option('[data-id="target"]', target)
    page.click('[data-id="use-target"]')
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile(f"^{path.name}"))


def test_a_csv_files_columns_and_classes_are_named_in_the_drawing(page, tmp_path, shots):
    (tmp_path / "mixed.csv").write_text(MIXED)
    upload_csv(page, tmp_path / "mixed.csv", "kind")
    columns = ["x1", "x2", "size=L", "size=M", "size=S", "colour=blue", "colour=red"]     # transform's order
    graph = page.locator('[data-id="graph"]')
    expect(graph.locator(".unit.input")).to_have_count(7)
    titles = [graph.locator(f'.unit[data-name="i{k + 1}"] > title').text_content() for k in range(7)]
    assert [t.split("\n")[0] for t in titles] == [f"i{k + 1} (column {c})" for k, c in enumerate(columns)]
    units = server_state(page)["layers"][0]["units"]
    shown = [u["shown"]["value"][0] for u in units]
    raws = [f" ({u['shown']['raw'][0]} raw)" if u["shown"].get("raw") else "" for u in units]   # numeric columns
    # beside the inputs: each column with the followed sample's value (and a numeric one's raw value)
    assert graph.locator(".unit-label").all_text_contents() == [f"{c} = {v}{r}" for c, v, r in
                                                                zip(columns, shown, raws)]
    for k, cls in enumerate(["cat", "dog", "fish"]):                           # the outputs and their targets
        o = f"o{k + 1}"
        title = graph.locator(f'.unit[data-name="{o}"] > title').text_content()
        assert title.startswith(f"{o} (class {cls} of kind)")
        target = graph.locator(".target").nth(k)
        assert target.locator(".target-value").text_content().startswith(f"{cls}: ")
        assert target.locator("title").text_content().startswith(f"target of {o} (class {cls} of kind): ")
    edges = """s => [...document.querySelectorAll(`[data-id="graph"] ${s}`)].map(e => {
        const b = e.getBoundingClientRect(); return [b.left, b.right]; })"""
    labels, shapes = page.evaluate(edges, ".unit-label"), page.evaluate(edges, ".unit.input .shape")
    left = page.locator('[data-id="graph"]').bounding_box()["x"]
    assert all(lab[0] >= left and lab[1] <= shape[0] for lab, shape in zip(labels, shapes))   # left of its input
    assert no_horizontal_overflow(page)
    page.locator(".graph-card").screenshot(path=str(shots / "explore-csv-names.png"))
    for width in (1000, 390):              # narrower: the labels still fit; on a phone too (test_explorer_6)
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function("() => document.querySelector('[data-id=graph]').getAttribute('width') == "
                               "document.querySelector('[data-id=graph-wrap]').clientWidth")
        labels, shapes = page.evaluate(edges, ".unit-label"), page.evaluate(edges, ".unit.input .shape")
        left = page.locator('[data-id="graph"]').bounding_box()["x"]
        assert len(labels) == 7, width
        assert all(lab[0] >= left and lab[1] <= shape[0] for lab, shape in zip(labels, shapes)), width
        values = graph.locator(".target .target-value").all_text_contents()
        assert [v.split(":")[0] for v in values] == ["cat", "dog", "fish"], width
        right = page.evaluate("""() => Math.max(...[...document.querySelectorAll('[data-id="graph"] .target text')]
            .map(e => e.getBoundingClientRect().right)) - document.querySelector('[data-id="graph"]')
            .getBoundingClientRect().right""")
        assert right <= 0 and no_horizontal_overflow(page), width              # the targets stay in the drawing
        page.locator(".graph-card").screenshot(path=str(shots / f"explore-csv-names-{width}.png"))


SWATCHES = """() => [...document.querySelectorAll('[data-id="class-key"] .class-item')].map(e =>
    [e.innerText.trim(), getComputedStyle(e.querySelector('.class-swatch')).backgroundColor])"""
# where the canvas has each colour exactly (a point's fill: the regions are mixed with white), by quadrant
QUADRANTS = """colours => { const c = document.querySelector('[data-id="boundary"]'), n = c.width;
    const d = c.getContext("2d").getImageData(0, 0, n, n).data;
    return colours.map(rgb => { const q = [0, 0, 0, 0];
      for (let i = 0; i < n * n; i++) if (d[4 * i] === rgb[0] && d[4 * i + 1] === rgb[1] && d[4 * i + 2] === rgb[2])
        q[(i % n < n / 2 ? 0 : 1) + (i < n * n / 2 ? 0 : 2)] += 1;
      return q; }); }"""


def test_the_decision_boundary_has_a_key_of_its_classes(page, tmp_path, shots):
    (tmp_path / "points.csv").write_text(CSV)            # red: x1 * x2 > 0, the top right and bottom left
    upload_csv(page, tmp_path / "points.csv", "kind")
    expect(page.locator('[data-id="class-key"] .class-item')).to_have_count(2)
    key = page.evaluate(SWATCHES)
    # a class named after a colour drawn in it (blue was drawn orange, red blue): the palette's blue and red
    assert [name for name, _ in key] == ["blue", "red"]
    (br, bg, bb), (rr, rg, rb) = [[int(v) for v in re.findall(r"\d+", rgb)] for _, rgb in key]
    assert bb > 1.5 * max(br, bg) and rr > 1.5 * max(rg, rb), key
    colours = [[int(v) for v in re.findall(r"\d+", rgb)] for _, rgb in key]
    (tl, tr, bl, br), (rtl, rtr, rbl, rbr) = page.evaluate(QUADRANTS, colours)
    assert tl + br > 5 * (tr + bl) and rtr + rbl > 5 * (rtl + rbr)        # each name's colour is its points'
    page.locator(".boundary-card").screenshot(path=str(shots / "explore-class-key.png"))
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    assert page.evaluate(SWATCHES) == [["class 0", "rgb(234, 88, 12)"], ["class 1", "rgb(37, 99, 235)"]]


ROOM = """s => { const c = document.createElement("canvas").getContext("2d"); c.font = getComputedStyle(s).font;
    return s.clientWidth - Math.max(...[...s.options].map(o => c.measureText(o.text).width)) - 30; }"""
# every menu's options and room, read in one call: a locator's evaluate finds its element first and calls on it
# next, so a card drawn again between the two measured a detached menu (0 wide, no font: -75 on a loaded machine)
MENUS = f"""() => [...document.querySelectorAll('[data-id=arch] .settings select')]
    .map(s => [[...s.options].map(o => o.text), ({ROOM})(s)])"""


def test_the_loss_and_init_menus_show_every_option_whole(page, shots):
    for mode in ("seed", "moons"):                        # Init has 'seed' with the seed network
        with page.expect_response(lambda r: r.url.endswith("/load")):     # the page shows the seed already:
            page.select_option('[data-id="data"]', mode)                 # its title matches before the answer
        expect(page.locator(".busy")).to_have_count(0)                    # the answer drawn
        expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^The seed" if mode == "seed" else "^moons"))
        for width in (1280, 1000, 390):          # the controls column: 276 and 240 pixels, and a phone
            page.set_viewport_size({"width": width, "height": 800})
            try:                                 # the card laid out again for the new width (a loaded machine: later)
                page.wait_for_function(f"[...document.querySelectorAll('[data-id=arch] .settings select')]"
                                       f".every(s => ({ROOM})(s) >= 0)", timeout=10_000)
            except sync_api.TimeoutError:
                pass                             # the assertion below names the select and its room
            menus = page.evaluate(MENUS)                                                # Output, Loss, Init
            assert len(menus) == 3 and all(room >= 0 for _, room in menus), (mode, width, menus)
            grid = page.locator('[data-id="arch"] .settings')
            assert grid.evaluate("g => g.scrollWidth <= g.clientWidth"), width      # nothing leaves the card
            page.locator(".net-card").screenshot(path=str(shots / f"explore-arch-menus-{mode}-{width}.png"))


@contextlib.contextmanager
def model_page(browser, net, name="model.npz", session=Session):
    """A page of its own server, opened on `net` (as `chainrule explore model.npz`)."""
    srv = Server(create_app(TOKEN, lambda: session(Start(net, name=name))), bind("127.0.0.1", 0)).start()
    pg, problems = browser.new_page(), []
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    try:
        pg.set_viewport_size({"width": 1280, "height": 800})
        pg.goto(f"http://127.0.0.1:{srv.port}/?token={TOKEN}")
        pg.wait_for_selector('[data-id="etotal"]:not(:empty)')
        yield pg
    finally:
        pg.close()
        srv.stop()
    assert problems == []


def set_in_editor(page, selector, value):
    """Click `selector` (an input unit or a target) and set it to `value` with the panel's editor.

    The click asks the server for the unit's derivation; the page is busy until the answer draws the
    unit's editor, and a Set pressed meanwhile would fill the previous editor and be dropped."""
    page.click(selector)
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    page.fill(".editor input", value)
    page.click(".editor button")
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


class SlowToSelect(Session):
    """A server that takes its time to answer a click on a weight (as a big network's would)."""

    def select(self, name):
        time.sleep(0.5)
        super().select(name)


def test_a_click_while_the_server_works_waits_its_turn(browser):
    """Step or Set pressed while the server still answers the previous click is done after it, in
    order; it is not dropped (the page once ignored every click while a request was in flight)."""
    net = cr.examples.seed_network()[0]
    with model_page(browser, net, session=SlowToSelect) as page:
        page.click('.labels [data-name="w5"]')
        page.click('[data-act="step"]')                                  # while w5's derivation is on its way
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        state = server_state(page)
        assert state["steps"] == 1 and state["derivation"]["name"] == "w5"
        w5 = next(p["value"] for p in state["params"] if p["name"] == "w5")
        page.click('.labels [data-name="w1"]')
        page.fill(".editor input", "0.5")                     # still w5's editor: w1's is on its way
        page.click(".editor button")
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        state = server_state(page)
        assert w5 != 0.5 and next(p["value"] for p in state["params"] if p["name"] == "w5") == 0.5
        assert state["derivation"]["name"] == "w1" and "w5 = 0.5" in graph_text(page)


def report_line_values(text, lhs):
    """{unit: the value `cr.explain`'s text writes last on its `lhs`_unit line} (lhs: net, out, E)."""
    return dict(re.findall(rf"^\s*{lhs}_(\w+) = .* = (\S+?)(?:   \(.*)?$", text, flags=re.M))


def test_a_float32_network_shows_the_reports_digits_and_says_update_drops_units(browser, shots):
    """A float32 network's numbers are float32's shortest decimals, as `cr.explain` writes them (0.15,
    not 0.150000006), in the drawing, the readout and the editor; with Dropout, Update says that it
    is a training step, which drops units (the report's remark on its update, in the page's terms)."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dropout(0.25), cr.Dense(2, 2, "sigmoid")], loss="sse",
                     dtype="float32", seed=3)
    net.set_weights([np.array([[0.15, 0.25], [0.2, 0.3]]), np.array([0.35, 0.35]),
                     np.array([[0.4, 0.5], [0.45, 0.55]]), np.array([0.6, 0.6])])       # the seed's, in float32
    text = cr.explain(net, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]]), lr=0.5).text()
    with model_page(browser, net) as page:
        for selector, value in (('.unit[data-name="i1"]', "0.05"), ('.unit[data-name="i2"]', "0.1"),
                                ('.target[data-name="o1"]', "0.01"), ('.target[data-name="o2"]', "0.99")):
            set_in_editor(page, selector, value)
        drawn = graph_text(page)
        for what in ("net", "out"):
            values = report_line_values(text, what)
            assert len(values) == 4
            for unit, value in values.items():
                assert page.locator(f'.unit[data-name="{unit}"] .unit-value', has_text=f"{what} ").first \
                    .text_content() == f"{what} {value}", (unit, what)
        errors = report_line_values(text, "E")
        assert f"E_o1 = {errors['o1']}" in drawn and f"E_o2 = {errors['o2']}" in drawn
        assert etotal(page) == report_line_values(text, "E")["total"]
        for k, w in enumerate(["0.15", "0.2", "0.25", "0.3", "0.4", "0.45", "0.5", "0.55"], start=1):
            assert f"w{k} = {w}" in drawn and f"w{k} - lr * dE/dw{k} = {w} - 0.5" in text
        assert "0.150000006" not in drawn
        page.click('.labels [data-name="w1"]')
        expect(page.locator(".editor input")).to_have_value("0.15")          # the panel answers the click
        page.screenshot(path=str(shots / "explore-float32.png"))
        page.click('[data-act="update"]')
        page.wait_for_selector('[data-phase="update"].on')
        from chainrule.teach.explore.wording import dropout_update
        said = page.inner_text('[data-id="info"]')
        assert "Update, Step and Train are training steps" in said and "Dropout" in said
        assert said == dropout_update(cr.explain(net, np.array([[0.05, 0.1]]), np.array([[0.01, 0.99]])).to_dict())
        assert dropout_update({"dropout": [0]}, told=True) in derivation(page)
        page.screenshot(path=str(shots / "explore-dropout-update.png"), full_page=True)


def test_the_panel_writes_a_softmaxs_numbers_as_its_others(browser, shots):
    """The softmax lines show the report's numbers as every other number of the panel: trailing zeros dropped
    (exp(0), 0.5; not exp(0.000000000), 0.500000000), as explain now writes them too."""
    from chainrule.teach.numbers import fmt
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 2, "softmax")], loss="mse", seed=3)
    net.set_weights([np.zeros((2, 2)), np.zeros(2), np.zeros((2, 2)), np.zeros(2)])     # out 0.5, net 0
    with model_page(browser, net) as page:
        s = server_state(page)                                     # the sample drawn for the model
        X = np.array([u["value"] for u in s["layers"][0]["units"]]).T
        text = cr.explain(net, X, np.array([t["value"] for t in s["targets"]]).T).text()
        page.click('.unit[data-name="o1"]')
        page.wait_for_selector(".derivation .eq")
        rows = page.locator(".derivation .eq").all()
        checked = 0
        for row in rows:
            shown = " = ".join(row.locator(":scope > span, :scope > b").all_text_contents())
            lhs = row.locator(".lhs").text_content().replace("∂", "d").replace("·", "*").replace("_", "")
            report = next((t.strip() for t in text.splitlines() if t.strip().replace("_", "").startswith(lhs + " = ")),
                          None)
            if report is None:
                continue
            ours, theirs = NUMBER.findall(shown), NUMBER.findall(report.split("   (")[0])
            assert [Decimal(x) for x in ours] == [Decimal(x) for x in theirs], (shown, report)
            assert ours == [fmt(float(x)) for x in ours], shown
            checked += "exp(" in report                 # the softmax's own line (out_o1 = exp(net_o1) / ...) compared
        assert checked >= 1, checked
        assert not re.search(r"\d\.\d{9}", derivation(page))
        page.screenshot(path=str(shots / "explore-softmax-panel.png"), full_page=True)


LONG = ["petal_length_in_millimetres", "x", "a_really_long_column_name_that_goes_on_and_on"]
# each input's label: its text, its drawn width, its box's left and right, the left of its input, the whole
# column name's width in the label's font, and the label's own tooltip
LABELS = """() => { const svg = document.querySelector('[data-id="graph"]');
    const probe = document.createElementNS("http://www.w3.org/2000/svg", "text");
    probe.setAttribute("class", "unit-label"); svg.appendChild(probe);
    const out = [...svg.querySelectorAll(".unit.input")].map(u => {
      const t = u.querySelector(".unit-label:not(.under)"), b = t.getBoundingClientRect(); // beside
      const title = u.querySelector(".unit-label-box > title"), head = u.querySelector(":scope > title").textContent;
      probe.textContent = head.split("\\n")[0].replace(/^i\\d+ \\(column (.*)\\)$/, "$1");
      return { text: t.textContent, width: t.getComputedTextLength(), left: b.left, right: b.right,
               input: u.querySelector(".shape").getBoundingClientRect().left, whole: probe.getComputedTextLength(),
               full: probe.textContent, tooltip: title ? title.textContent : null }; });
    probe.remove(); return { labels: out, left: svg.getBoundingClientRect().left }; }"""


def test_a_csv_files_input_labels_are_cut_only_where_they_do_not_fit(page, tmp_path, shots):
    """A column's name is measured in the label's font: shown whole where it fits (27 characters),
    cut with an ellipsis only where it is wider than the room the labels get, the whole name on hover."""
    rows = np.random.default_rng(2).uniform(-1, 1, (40, 3))
    (tmp_path / "long.csv").write_text(",".join(LONG) + ",kind\n" + "".join(
        f"{a:.3f},{b:.3f},{c:.3f},{'red' if a * b > 0 else 'blue'}\n" for a, b, c in rows))
    upload_csv(page, tmp_path / "long.csv", "kind")
    expect(page.locator('[data-id="graph"] .unit-label')).to_have_count(3)
    for width in (1280, 1000):
        page.set_viewport_size({"width": width, "height": 800})
        page.wait_for_function("() => document.querySelector('[data-id=graph]').getAttribute('width') == "
                               "document.querySelector('[data-id=graph-wrap]').clientWidth")
        seen = page.evaluate(LABELS)
        labels, room = seen["labels"], max(lab["width"] for lab in seen["labels"])
        assert [lab["full"] for lab in labels] == LONG
        for lab in labels:
            assert seen["left"] <= lab["left"] and lab["right"] <= lab["input"], (width, lab)   # left of its input
            if lab["text"].split(" = ")[0] == lab["full"]:       # whole (with the sample's value where it fits)
                assert lab["tooltip"] is None
            else:                   # cut: wider than every label drawn, its start kept, the whole name on hover
                assert lab["text"].endswith("…") and lab["full"].startswith(lab["text"][:-1]), lab
                assert lab["whole"] > room and lab["tooltip"] == lab["full"], (width, lab)
        texts = [lab["text"].split(" = ")[0] for lab in labels]
        assert texts[1] == "x" and texts[2] != LONG[2], width
        if width == 1280:           # more than 20 characters, and it fits: whole
            assert texts[0] == LONG[0]
        page.locator(".graph-card").screenshot(path=str(shots / f"explore-csv-long-names-{width}.png"))


CLASSES = ["Iris-setosa", "Iris-versicolor", "a_forty_character_class_name_goes_here_x"]
# each target's label: its text and drawn width, its box, the whole "class: value" measured in the label's font,
# the class its title names, the right of its target's area; and the boxes of every other text and neuron drawn
TARGETS = """() => { const svg = document.querySelector('[data-id="graph"]'), box = e => {
      const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    const probe = document.createElementNS("http://www.w3.org/2000/svg", "text");
    probe.setAttribute("class", "target-value"); svg.appendChild(probe);
    const out = [...svg.querySelectorAll(".target")].map(g => {
      const t = g.querySelector(".target-value"), title = g.querySelector("title").textContent;
      const full = title.match(/^target of \\w+ \\(class (.*) of kind\\): /)[1];
      probe.textContent = full + ": " + t.textContent.split(": ").pop();
      return { text: t.textContent, width: t.getComputedTextLength(), box: box(t), full,
               whole: probe.getComputedTextLength(), area: box(g.querySelector(".hit-area"))[2] }; });
    probe.remove();
    const others = [...svg.querySelectorAll("text:not(.target-value), .unit .shape, .bias-unit circle")]
      .map(e => [e.textContent || "a neuron", ...box(e)]);
    return { targets: out, others, right: svg.getBoundingClientRect().right }; }"""


def test_a_csv_files_class_names_before_the_targets_are_cut_only_where_they_do_not_fit(page, tmp_path, shots):
    """A class's name is measured in the target's font: whole where it fits ("Iris-versicolor", and even
    40 characters on a wide screen), cut with an ellipsis only where it is wider than the room the targets
    get (on a phone, what the columns of circles leave); the whole name in the target's title, the value after
    it, nothing overlapped."""
    rows = np.random.default_rng(3).uniform(-1, 1, (45, 2))
    (tmp_path / "classes.csv").write_text("x1,x2,kind\n" + "".join(
        f"{a:.3f},{b:.3f},{CLASSES[i % 3]}\n" for i, (a, b) in enumerate(rows)))
    upload_csv(page, tmp_path / "classes.csv", "kind")
    expect(page.locator('[data-id="graph"] .target-value')).to_have_count(3)
    for width in (1920, 1280, 1000, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function("() => document.querySelector('[data-id=graph]').getAttribute('width') == "
                               "document.querySelector('[data-id=graph-wrap]').clientWidth")
        seen = page.evaluate(TARGETS)
        targets, room = seen["targets"], max(t["width"] for t in seen["targets"])
        assert sorted(t["full"] for t in targets) == sorted(CLASSES), width          # whole in the titles
        for t in targets:
            label = t["text"].rsplit(": ", 1)[0]
            assert t["box"][2] <= t["area"] <= seen["right"], (width, t)      # the value fits in the targets' column
            if label != t["full"]:      # cut: wider (with its value) than every label drawn, its start kept
                assert label.endswith("…") and t["full"].startswith(label[:-1]), (width, t)
                assert t["whole"] > room, (width, t)
        assert intersecting([["target", *t["box"]] for t in targets], seen["others"]) == [], width
        labels = {t["full"]: t["text"].rsplit(": ", 1)[0] for t in targets}
        if width == 1920:           # room for all, 40 characters too
            assert labels == {c: c for c in CLASSES}
        elif width == 1000:         # 15 characters fit, 40 do not
            assert labels["Iris-versicolor"] == "Iris-versicolor" and labels[CLASSES[2]].endswith("…")
        elif width == 390:          # a phone: what fits beside the circles (test_explorer_polish), the rest on hover
            assert labels["Iris-setosa"] == "Iris-setosa" and labels[CLASSES[2]].endswith("…")
        assert no_horizontal_overflow(page), width
        page.locator(".graph-card").screenshot(path=str(shots / f"explore-csv-long-classes-{width}.png"))


def test_a_csv_files_input_cards_hold_their_values(page, tmp_path, shots):
    """With cards (3 units or fewer a layer), an input's card is as wide as its "i1 = value" in 9 decimals (a
    CSV file's standardised values), which stays inside it, clear of the column's name left of it; where cards
    that wide leave no room for the lines between the columns, circles (the values on click)."""
    (tmp_path / "points.csv").write_text(CSV)
    upload_csv(page, tmp_path / "points.csv", "kind")
    page.click('.layer-row [aria-label="fewer units"]')
    expect(page.locator(".layer-row .units")).to_have_text("3")
    boxes = """() => [...document.querySelectorAll('[data-id="graph"] .unit.input')].map(u => [
        ".unit-name", ".shape", ".unit-label"].map(s => { const b = u.querySelector(s).getBoundingClientRect();
        return [b.left, b.top, b.right, b.bottom]; }))"""
    # the horizontal room between the neurons of the inputs, the hidden layer and the outputs
    gaps = """() => { const edge = (c, side) => [...document.querySelectorAll(`[data-id="graph"] .unit[data-name^=${c}]
        .shape`)].map(e => e.getBoundingClientRect()[side]);
      return [["i", "h"], ["h", "o"]].map(([a, b]) =>
        Math.min(...edge(b, "left")) - Math.max(...edge(a, "right"))); }"""
    for width in (1920, 1280, 1000, 700):
        page.set_viewport_size({"width": width, "height": 900})
        page.wait_for_function("() => document.querySelector('[data-id=graph]').getAttribute('width') == "
                               "document.querySelector('[data-id=graph-wrap]').clientWidth")
        cards = page.locator('[data-id="graph"] .unit:not(.input) rect.shape').count()
        assert cards == (5 if width >= 1280 else 0), width           # cards where there is room, else circles
        for text, card, label in page.evaluate(boxes):
            assert card[0] < text[0] and text[2] < card[2], (width, text, card)      # the value inside its card
            assert label[2] <= card[0], (width, label, card)                          # the column's name left of it
        assert min(page.evaluate(gaps)) >= 40, width                                  # room for the lines
        page.locator(".graph-card").screenshot(path=str(shots / f"explore-csv-input-cards-{width}.png"))
