"""The explorer on a phone, in a real browser (Playwright, Debian's chromium): the weights' table names the units a
weight joins and keeps its rows through a Train run, its numbers the engine's after each request; a comparison in a
chain-rule line never starts a visual line; sixteen classes get sixteen colours. The fixtures (a server on
127.0.0.1, stopped by the module, and the browser) are test_explore_browser's."""
import itertools
import re

import numpy as np
import test_explore_browser as fixtures
import test_explorer_phone_30 as phone
from conftest import cie_lab
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.session import Session

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # its fixtures
ROWS = "[...document.querySelectorAll('[data-id=weights] tbody tr')]"


def numbers(table, name):
    """The numbers of a weight's row (before, value, gradient), as the table writes them."""
    return table.locator(f'tr[data-name="{name}"] td:not(.joins)').all_inner_texts()


def open_table(page):
    page.set_viewport_size({"width": 375, "height": 800})
    expect(page.locator('[data-id="graph"] .wlabel')).to_have_count(0)        # no room for the labels
    table = page.locator('[data-id="weights"]')
    table.locator("summary").click()
    return table


def test_the_weights_table_names_the_units_each_weight_joins_as_the_drawing_does(page, shots):
    """w154 alone cannot be found in a drawing of 200 lines: each row says from which unit to which (a bias: from the
    bias unit, drawn as 1), by the names of the drawing's units, as the engine's parameters list them."""
    page.select_option('[data-id="data"]', "spirals")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^spirals"))
    phone.idle(page)
    table = open_table(page)
    session = Session()
    session.act("load", {"what": "dataset", "name": "spirals"})
    params = session.state()["params"]
    expect(table.locator("tbody tr")).to_have_count(len(params))
    drawn = set(page.locator('[data-id="graph"] .unit').evaluate_all("us => us.map(u => u.dataset.name)"))
    for p in params:
        joins = table.locator(f'tr[data-name="{p["name"]}"] .joins').inner_text()
        assert joins == f'{p["from"] or 1} → {p["to"]}', (p["name"], joins)
        assert {p["from"], p["to"]} - {None} <= drawn                  # names a learner finds on the drawing
    table.screenshot(path=str(shots / "explore-weights-joins-375.png"))


def test_a_train_run_rewrites_the_open_tables_numbers_in_place_and_right(page):
    """The seed's first step (w5 0.4 -> 0.35891648), then a Train run of 5 steps: the same rows (not rebuilt on every
    redraw), their numbers the engine's after the same step and run."""
    table = open_table(page)
    page.click('[data-act="step"]')
    phone.idle(page)
    assert numbers(table, "w5")[:2] == ["0.4", "0.35891648"]
    page.evaluate(f"() => {ROWS}.forEach(r => {{ r.kept = true; }})")
    page.fill('[data-id="train-steps"]', "5")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="train"]')).to_have_text("Train")
    phone.idle(page)
    session = Session()
    session.act("step")
    session.act("train", {"steps": 5})
    state = session.state()
    assert page.evaluate(f"() => {ROWS}.every(r => r.kept)")        # not one row rebuilt
    grad = state["phase"] != "forward"
    for p in state["params"]:
        cells = numbers(table, p["name"])
        want = [p["shown"]["before"], p["shown"]["value"]] + ([p["shown"]["grad"]] if grad else [])
        assert cells == want, p["name"]


def test_a_comparison_in_a_chain_rule_line_never_starts_a_line_on_a_phone(page):
    """A ReLU's derivative after a step, "1 if 0.377299449 > 0 else 0", broke before its '>' from 482 px wide: a
    line read "> 0 else 0 = 1"."""
    page.select_option('.layer-row select', "relu")
    for act in ("step", "forward"):           # net_h1 with its nine decimals
        phone.idle(page)
        page.click(f'[data-act="{act}"]')
    phone.idle(page)
    page.focus('.edge[data-name="w1"]')
    page.keyboard.press("Enter")
    expect(page.locator(".eq", has_text="if")).to_have_count(1)
    wrapped = 0
    for width, lines in phone.visual_lines_at(page, range(400, 520, 4)):     # it broke from 482 to 496 px
        wrapped += len(lines) > 1
        starts = [line for line in lines[1:] if re.match(r"[-+·=/×<>≤≥] ", line)]
        assert starts == [], (width, lines)
    assert wrapped > 20


def contrast_on_white(rgb):
    """WCAG 2's contrast ratio of an sRGB colour against white (3:1 the least for a graphic's parts)."""
    c = np.array(rgb) / 255
    c = np.where(c <= 0.03928, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return 1.05 / (c @ [0.2126, 0.7152, 0.0722] + 0.05)


def test_sixteen_classes_get_sixteen_colours_apart(page, tmp_path):
    """The explorer draws up to 16 classes (more are refused): past 8 the colours repeated, class 9 drawn as class 1.
    Each is seen on white too (a test point is a ring of its colour): khaki was 2.1:1, a faint ring."""
    rows = np.random.default_rng(5).uniform(-1, 1, (96, 2))
    (tmp_path / "many.csv").write_text("x1,x2,kind\n" + "".join(
        f"{a:.3f},{b:.3f},k{i % 16}\n" for i, (a, b) in enumerate(rows)))
    fixtures.upload_csv(page, tmp_path / "many.csv", "kind")
    swatches = page.locator('[data-id="class-key"] .class-swatch')
    expect(swatches).to_have_count(16)
    colours = swatches.evaluate_all("s => s.map(i => getComputedStyle(i).backgroundColor)")
    rgbs = [tuple(map(int, re.findall(r"\d+", c)[:3])) for c in colours]
    lab = cie_lab(np.array(rgbs) / 255)
    near = min(np.linalg.norm(a - b) for a, b in itertools.combinations(lab, 2))
    assert near >= 28, near                                             # as docs/explore.md says
    faint = {rgb: round(contrast_on_white(rgb), 2) for rgb in rgbs if contrast_on_white(rgb) < 3}
    assert faint == {}, faint


def test_before_is_the_weights_a_train_run_began_from_however_many_requests_it_took():
    """A Train run (or a play) longer than one request's seconds goes on in more requests: "before" was the weights
    of the last request's start, a number that hung on the server's speed. It is the weights the run began from
    (what Undo goes back to); a weight typed between two requests begins a change of its own."""
    start = [w.copy() for w in cr.examples.seed_network()[0].get_weights()]      # the seed's w1..w8, b1..b2
    s = Session()
    s.act("train", {"steps": 3})
    s.act("select", {"name": "w1"})                               # looked at between two requests: one run still
    s.act("train", {"steps": 2, "goes_on": True})
    params = s.state()["params"]
    assert [p["before"] for p in params] == [float(w[tuple(p["index"])]) for p in params
                                             for w in [start[2 * p["layer"] + (p["kind"] == "b")]]]
    s.act("set_param", {"name": "w1", "value": 0.1})
    s.act("train", {"steps": 2, "goes_on": True})
    assert next(p["before"] for p in s.state()["params"] if p["name"] == "w1") == 0.1
    s.act("undo")
    assert next(p["value"] for p in s.state()["params"] if p["name"] == "w1") == 0.1
