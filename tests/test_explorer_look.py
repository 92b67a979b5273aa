"""What a learner sees in the explorer, measured in a real browser (Playwright, Debian's chromium):
keys that stay beside what they name, headings that do not run into each other at a phone's width,
and controls that say why they did nothing. The fixtures (a server on 127.0.0.1, stopped by the
module, and the browser) are test_explore_browser's."""
import re

import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore.session import Session

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own

# Each swatch of the drawing's legend and of the loss chart's key, with the first line box of the
# text that follows it: where the row wraps, a swatch must stay on the line of its own words.
SWATCHES = """sel => [...document.querySelectorAll(sel)].filter(i => i.offsetParent).map(i => {
    let t = i.nextSibling;
    while (t && t.nodeType === Node.TEXT_NODE && !t.textContent.trim()) t = t.nextSibling;
    const r = document.createRange();
    r.selectNodeContents(t);
    const s = i.getBoundingClientRect(), w = r.getClientRects()[0];
    return { words: t.textContent.trim(), swatch: [s.left, s.top, s.bottom], text: [w.left, w.top, w.bottom] };
})"""


def idle(page):
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


@pytest.mark.parametrize("width", [390, 700, 1280])
def test_each_legend_swatch_stays_on_the_line_of_its_words(page, width):
    page.set_viewport_size({"width": width, "height": 844})
    page.click('[data-act="backward"]')              # the longest legend: both signs and the fixed biases
    page.wait_for_selector('[data-phase="backward"].on')
    items = page.evaluate(SWATCHES, '[data-id="legend"] i')
    assert len(items) == 3
    for it in items:
        (s_left, s_top, s_bottom), (t_left, t_top, t_bottom) = it["swatch"], it["text"]
        middle = (s_top + s_bottom) / 2
        assert t_top <= middle <= t_bottom, it              # on the same line as its words
        assert 0 <= t_left - s_left <= 40, it                # and just before them, not a gap's width away


def test_the_loss_key_names_a_test_curve_only_where_there_is_one(page):
    key = page.locator(".loss-card h3 .key")
    expect(key).to_contain_text("train")
    assert "test" not in key.inner_text()                  # the seed network has no test data: no test curve
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    expect(key).to_contain_text("test")
    assert page.locator('[data-id="loss"] polyline, [data-id="loss"] circle').count() == 2


COLUMN_HEADS = """() => [...document.querySelectorAll('[data-id="graph"] .col-head, [data-id="graph"] .col-sub')]
    .map(t => { const b = t.getBoundingClientRect(); return [t.textContent, b.left, b.top, b.right, b.bottom]; })"""


@pytest.mark.parametrize("hidden", [2, 3, 4])
def test_the_column_headings_do_not_run_into_each_other_at_phone_width(page, hidden):
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option('[data-id="data"]', "xor")          # two hidden layers of 4
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    while page.locator(".layer-row").count() < hidden:
        page.click("text=+ hidden layer")
        idle(page)
    while page.locator(".layer-row").count() > hidden:
        page.locator(".layer-row [data-remove]").last.click()
        idle(page)
    heads = page.evaluate(COLUMN_HEADS)
    assert len([h for h in heads if h[0].startswith(("hidden", "h"))]) >= hidden
    clashes = [(a[0], b[0]) for i, a in enumerate(heads) for b in heads[i + 1:]
               if min(a[3], b[3]) - max(a[1], b[1]) > -4 and min(a[4], b[4]) - max(a[2], b[2]) > 0]
    assert clashes == []                                     # at least 4 px apart on a line
    svg = page.locator('[data-id="graph"]').bounding_box()
    for h in heads:                                          # inside the drawing (which may scroll sideways)
        assert h[1] >= svg["x"] and h[3] <= svg["x"] + svg["width"], h


@pytest.mark.parametrize("typed", ["0", "-5"])
def test_train_with_no_steps_says_why_nothing_happened(page, typed):
    with pytest.raises(ValidationError) as refused:          # the engine session's own refusal
        Session().act("train", {"steps": int(typed)})
    page.fill('[data-id="train-steps"]', typed)
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]') == str(refused.value)
    assert page.inner_text('[data-id="emeta"]').startswith("step 0 ")
    expect(page.locator('[data-id="train"]')).to_have_text("Train")


def test_a_deep_network_on_a_phone_keeps_its_neurons_apart(page):
    """Six hidden layers do not fit 390 px: the drawing keeps its columns apart and scrolls sideways
    in its card (the page itself does not), rather than drawing the neurons over each other."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    while page.locator(".layer-row").count() < 6:
        page.click("text=+ hidden layer")
        idle(page)
    assert page.locator('[data-id="graph"] .unit').count() == 2 + 6 * 4 + 1
    assert fixtures.intersecting(page.evaluate(fixtures.SHAPES)) == []
    assert fixtures.no_horizontal_overflow(page)
    wrap = page.locator('[data-id="graph-wrap"]')
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth")
    wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; }")
    page.click('.unit[data-name="o1"]')                       # the output, scrolled to, answers a click
    expect(page.locator('[data-id="derivation"]')).to_contain_text("o1")


@pytest.mark.parametrize("method, field, page_name, typed, refusal", [
    ("sgd", "lr", "η (learning rate)", "-1", lambda: cr.optim.SGD(-1.0)),
    ("adam", "beta1", "β₁", "1", lambda: cr.optim.Adam(0.01, betas=(1, 0.999))),     # the number sent: 1
    ("adam", "beta2", "β₂", "-0.1", lambda: cr.optim.Adam(0.01, betas=(0.9, -0.1))),
    ("rmsprop", "alpha", "α", "2", lambda: cr.optim.RMSprop(0.01, alpha=2)),
])
def test_an_optimizer_setting_refused_is_named_as_the_page_names_it(page, method, field, page_name, typed, refusal):
    """The engine's reason, with the setting named as its field is (η, β₁: not lr, betas[0])."""
    with pytest.raises(ValidationError) as engine:
        refusal()
    said = str(engine.value)
    engine_name = said.split(" must ")[0]
    assert engine_name in ("lr", "betas[0]", "betas[1]", "alpha")
    page.select_option('[data-id="opt"]', method)
    idle(page)
    box = f'[data-setting="{field}"]'
    before = page.input_value(box)
    page.fill(box, typed)
    page.press(box, "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    if field == "lr":       # one range for the field, its 1e6 cap and the engine's >= 0 (not the engine's "inf")
        assert page.inner_text('[data-id="error-text"]').startswith(f"{page_name} must be a number from 0 up to "
                                                                     "1,000,000")
    else:
        assert page.inner_text('[data-id="error-text"]') == page_name + said[len(engine_name):]
    assert page.input_value(box) == before


@pytest.mark.parametrize("width", [320, 390, 1280])
def test_the_export_menu_opens_inside_the_window(page, width):
    """On a phone the header wraps; the Export menu, right-aligned to its button, once opened past
    the window's left edge ("l (.npz)", "ation (Markdown)")."""
    page.set_viewport_size({"width": width, "height": 844})
    page.click('[data-id="export-menu"] summary')
    items = page.locator(".menu-list button")
    expect(items.first).to_be_visible()
    assert items.count() == 4
    for k in range(4):
        box = items.nth(k).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width, (items.nth(k).inner_text(), box)
    assert fixtures.no_horizontal_overflow(page)


def test_a_forward_pass_is_multiplied_with_the_dot_of_every_other_line(page):
    """The report writes net_o2's numbers 0.5*0.593269992 + ...; the page writes every product
    with ·, as on the chain-rule lines, never a programmer's *."""
    lines = {ln["lhs"]: ln for ln in Session().act("select", {"name": "o2"})["derivation"]["lines"]}
    numbers = lines["net_o2"]["numbers"]
    assert "*" in numbers
    page.click('.unit[data-name="o2"]')
    first = page.locator(".derivation .eq").first
    expect(first).to_contain_text(numbers.replace("*", " · "))
    assert "*" not in page.inner_text('[data-id="derivation"]')


def test_the_as_published_notes_write_derivatives_as_the_lines_do(page):
    page.check('[data-id="published"]')
    page.click('.labels [data-name="w1"]')
    note = page.locator(".eq-published")
    expect(note).to_contain_text("as published: -0.019049119")
    table = page.locator('[data-id="seed-card"] table')
    for text in (note.inner_text(), table.inner_text()):
        assert "dE_o2/dnet_o2" not in text and "∂Eo2/∂neto2" in text      # ∂E with o2 as a subscript


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 800)])
def test_after_choosing_a_csv_file_its_target_question_is_in_view(page, tmp_path, width, height):
    """The question "which column should the network predict?" appears in the Data card, far
    below on a phone: it is scrolled into view and its menu focused, or the file seems ignored."""
    page.set_viewport_size({"width": width, "height": height})
    path = tmp_path / "points.csv"
    path.write_text(fixtures.CSV)
    with page.expect_file_chooser() as chooser:
        page.select_option('[data-id="data"]', "csv")
    chooser.value.set_files(str(path))
    page.wait_for_selector('[data-id="target"]')
    expect(page.locator('[data-id="target"]')).to_be_focused()
    for what in ('[data-id="target"]', '[data-id="use-target"]'):
        box = page.locator(what).bounding_box()
        assert 0 <= box["y"] and box["y"] + box["height"] <= height, (what, box)


def test_the_dashed_lines_of_fixed_parameters_are_named_in_every_phase(page):
    """The seed's biases are not trained (the engine's trainable slices leave them out): their lines are drawn
    dashed in the forward phase too, where the legend named only the weights' signs."""
    net = cr.examples.seed_network()[0]
    fixed = net.n_params - sum(s.stop - s.start for s in net.trainable_slices())
    for phase in ("forward", "backward"):
        page.click(f'[data-act="{phase}"]')
        page.wait_for_selector(f'[data-phase="{phase}"].on')
        idle(page)
        dashed, legend = page.evaluate("""() => [document.querySelectorAll('[data-id="graph"] .edge.frozen').length,
            document.querySelector('[data-id="legend"]').textContent]""")
        assert dashed == fixed == 4 and "fixed (not trained: does not move)" in legend, phase


def momentum_moves_against_a_gradient(steps=5):
    """torch.optim's SGD with momentum 0.9 on the seed network (η 0.5, biases fixed): whether its `steps`-th
    update moves a weight the way its gradient points (up where ∂E/∂w > 0), as a velocity of past steps can."""
    torch = pytest.importorskip("torch")
    W1 = torch.tensor([[.15, .2], [.25, .3]], dtype=torch.float64, requires_grad=True)
    W2 = torch.tensor([[.4, .45], [.5, .55]], dtype=torch.float64, requires_grad=True)
    x, t = torch.tensor([.05, .1], dtype=torch.float64), torch.tensor([.01, .99], dtype=torch.float64)
    opt = torch.optim.SGD([W1, W2], lr=0.5, momentum=0.9)
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * ((torch.sigmoid(W2 @ torch.sigmoid(W1 @ x + .35) + .6) - t) ** 2).sum()).backward()
        g, before = torch.cat([W1.grad.ravel(), W2.grad.ravel()]), torch.cat([W1.ravel(), W2.ravel()]).detach()
        opt.step()
    moved = torch.cat([W1.ravel(), W2.ravel()]).detach() - before
    return bool((g * moved > 0).any())


def test_the_gradients_legend_says_which_way_a_weight_goes_only_where_it_does(page):
    """After Backward the legend said "∂E/∂w > 0 (w goes down)" whatever the optimizer; with momentum (or
    Adam) a weight's step adds its past ones and may go the other way, as torch's 5th momentum step of the
    seed does: there the legend says the gradient pushes, and the Update button's title is not SGD's rule."""
    assert momentum_moves_against_a_gradient()
    read = """() => [document.querySelector('[data-id="legend"]').textContent,
                     document.querySelector('[data-act="update"]').title]"""
    page.click('[data-act="backward"]')
    idle(page)
    legend, title = page.evaluate(read)
    assert "(w goes down)" in legend and "(w goes up)" in legend and title == "w+ = w - η · dE/dw"
    page.select_option('[data-id="opt"]', "momentum")
    idle(page)
    page.click('[data-act="backward"]')
    page.wait_for_selector('[data-phase="backward"].on')
    idle(page)
    legend, title = page.evaluate(read)
    assert "goes" not in legend and "(pushes w down)" in legend and "(pushes w up)" in legend, legend
    assert "Momentum adds its past steps: a weight may move the other way" in legend and "η" not in title, title


def test_a_standardised_regression_target_says_how_it_reads_in_the_files_units(page, tmp_path):
    """A CSV file's regression target is standardised like its numeric inputs: the drawing's "weight: 0.3614" was
    a pet of 5.5 kg, and the legend named the inputs alone. It names the target and output too, with the mean
    and spread that give the file's value: each training target read back so is one of the file's weights."""
    import numpy as np
    import pandas as pd
    rows = "".join(f"{20 + i % 7},{3.5 + (i * 37 % 11) / 3:.2f},{'cat' if i % 3 else 'dog'}\n" for i in range(40))
    (tmp_path / "pets.csv").write_text("age,weight,kind\n" + rows)
    s = Session()
    s.upload_csv((tmp_path / "pets.csv").read_bytes(), "pets.csv", "weight")
    t = s.state()["target_scale"]
    assert t["name"] == "weight"
    raw = float(t["mean"]) + float(t["spread"]) * s.Y.ravel()
    file = pd.read_csv(tmp_path / "pets.csv")["weight"].to_numpy()
    assert all(np.isclose(file, r, rtol=0, atol=1e-6).any() for r in raw)
    page.set_input_files('[data-id="file"]', str(tmp_path / "pets.csv"))
    idle(page)
    page.select_option('[data-id="target"]', "weight")
    page.click('[data-id="use-target"]')
    expect(page.locator('[data-id="title"]')).to_contain_text("regression of 'weight'")
    idle(page)
    expect(page.locator('[data-id="target-scale"]')).to_have_text(
        f"target and output standardised too: weight = {t['mean']} + {t['spread']} × value")
