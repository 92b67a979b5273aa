"""The explorer's words and drawing for a learner, measured in a real browser (Playwright, Debian's
chromium): refused seeds named as the page names their fields, the red gradient-norm bars explained,
the vanishing-gradient note only where it applies, class names cut on a phone only where they do not
fit, and a model opened without data drawn with its sample's input values. The fixtures (a server on
127.0.0.1, stopped by the module, and the browser) are test_explore_browser's."""
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.session import Session

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own
LARGEST_SEED = np.iinfo(np.int32).max          # the seeds the page takes: 0 to 2**31 - 1


def idle(page):
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


@pytest.mark.parametrize("field, box, typed", [
    ("Init seed", ".net-card .seed-field input", "-1"),
    ("Seed", '[data-id="data-settings"] [data-k="seed"]', "-1"),
    ("Init seed", ".net-card .seed-field input", "1.5"),
    ("Seed", '[data-id="data-settings"] [data-k="seed"]', "1.5"),
])
def test_a_refused_seed_is_named_as_its_field_in_one_wording(page, field, box, typed):
    page.select_option('[data-id="data"]', "xor")           # both cards shown, Init "auto": its seed editable
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    before = page.input_value(box)
    page.fill(box, typed)
    page.press(box, "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]') == \
        f"{field} must be an integer from 0 to {LARGEST_SEED:,}; got {typed}"
    assert page.input_value(box) == before                    # nothing changed
    assert page.inner_text('[data-id="title"]').startswith("xor")


@pytest.mark.parametrize("field, key, typed, rule", [
    ("Points", "n", "2", "an integer from 4 to 2,000"),
    ("Points", "n", "10.5", "an integer from 4 to 2,000"),
    ("Noise", "noise", "1.5", "a number from 0 to 1"),
])
def test_the_data_cards_other_fields_are_named_as_the_page_names_them(page, field, key, typed, rule):
    page.select_option('[data-id="data"]', "xor")
    expect(page.locator('[data-id="title"]')).to_have_text(re.compile("^xor"))
    box = f'[data-id="data-settings"] [data-k="{key}"]'
    label = page.locator(f'[data-id="data-settings"] label:has([data-k="{key}"])').inner_text().strip()
    assert label == field                                      # the words on the page
    before = page.input_value(box)
    page.fill(box, typed)
    page.press(box, "Enter")
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]') == f"{field} must be {rule}; got {typed}"
    assert page.input_value(box) == before


NORMS = """() => [...document.querySelectorAll('[data-id="norms"] .norm-row')].map(r => ({
    layer: r.querySelector(".norm-name").textContent, weak: r.querySelector(".norm-bar").classList.contains("weak"),
    colour: getComputedStyle(r.querySelector(".norm-bar")).backgroundImage, title: r.title }))"""


def test_a_zero_gradient_is_not_called_vanishing(page):
    """Inputs of 0: dE/dW of the first layer is x^T delta = 0 exactly (NumPy, from the engine's own
    gradients): its bar is red, and its words say no error reaches it, not that it vanishes."""
    twin = Session()
    twin.X[:] = 0.0
    grads = twin.net.gradients(twin.X, twin.Y)
    assert float(np.linalg.norm(grads[0][0])) == 0.0 and float(np.linalg.norm(grads[1][0])) > 1e-4
    for unit in ("i1", "i2"):
        fixtures.set_in_editor(page, f'.unit[data-name="{unit}"]', "0")
    rows = page.evaluate(NORMS)
    assert [r["weak"] for r in rows] == [True, False]
    assert "zero gradient: no error reaches these weights" in rows[0]["title"]
    assert "vanishing" not in rows[0]["title"]
    text = page.locator('[data-id="norms-weak"]').inner_text()
    assert "‖∂E/∂W‖ = 0 (here: hidden 1)" in text and "vanishing" not in text


def test_a_red_gradient_norm_bar_says_what_it_means(page):
    """Four sigmoid layers on the seed's sample: the first layer's ||dE/dW|| is below 1e-4 (computed here
    with NumPy from the engine's gradients). Its red bar has a tooltip, and a note under the bars says in
    words what red means and names the layer; the other bars have no such words."""
    twin = Session()
    twin.act("set_architecture", {"hidden": [2] * 4, "activations": ["sigmoid"] * 4, "init": "auto"})
    norms = [float(np.linalg.norm(g[0])) for g in twin.net.gradients(twin.X, twin.Y)]
    weak = [k for k, n in enumerate(norms) if n < 1e-4]
    assert weak == [0]                        # the vanishing gradient is at the input end only
    note = page.locator('[data-id="norms-weak"]')
    expect(note).to_be_hidden()               # the seed network: no red bar, no note
    while page.locator(".layer-row").count() < 4:
        page.click("text=+ hidden layer")
        idle(page)
    rows = page.evaluate(NORMS)
    assert [r["weak"] for r in rows] == [k in weak for k in range(len(norms))]
    for r in rows:
        if r["weak"]:
            assert "vanishing gradient" in r["title"] and "1e-4" in r["title"], r
        else:
            assert "vanishing" not in r["title"], r
    expect(note).to_be_visible()
    text = note.inner_text()
    assert "red bar" in text and "vanishing gradient: this layer barely learns" in text and "hidden 1" in text
    assert "hidden 2" not in text
    swatch = note.locator("i").evaluate("i => getComputedStyle(i).backgroundImage")
    assert swatch == next(r["colour"] for r in rows if r["weak"])       # the note's swatch is the bar's red


@pytest.mark.parametrize("activations, applies", [
    (["sigmoid"], True), (["relu"], False), (["tanh"], True), (["relu", "leaky_relu"], False),
    (["relu", "sigmoid"], True),
])
def test_the_vanishing_gradient_note_shows_only_for_sigmoid_or_tanh_hidden_layers(page, activations, applies):
    note = page.locator('.norms-card p:has-text("vanishing gradients")')
    expect(note).to_be_visible()                                 # the seed network: sigmoid
    assert "vanishing gradients" in note.inner_text()
    while page.locator(".layer-row").count() < len(activations):
        page.click("text=+ hidden layer")
        idle(page)
    for k, act in enumerate(activations):
        page.locator(".layer-row select").nth(k).select_option(act)
        idle(page)
    assert [page.locator(".layer-row select").nth(k).input_value() for k in range(len(activations))] == activations
    if applies:
        expect(note).to_be_visible()
    else:
        expect(note).to_be_hidden()


CLASSES = ["Iris-setosa", "Iris-versicolor", "a_forty_character_class_name_goes_here_x"]


def test_on_a_phone_a_class_name_is_cut_only_where_it_does_not_fit(page, tmp_path):
    """At 390x844 a class's name is measured: whole where "name: value" fits in the drawing (Iris-setosa,
    Iris-versicolor), cut with an ellipsis only where the whole would run past the drawing's right edge."""
    page.set_viewport_size({"width": 390, "height": 844})
    rows = np.random.default_rng(3).uniform(-1, 1, (45, 2))
    (tmp_path / "classes.csv").write_text("x1,x2,kind\n" + "".join(
        f"{a:.3f},{b:.3f},{CLASSES[i % 3]}\n" for i, (a, b) in enumerate(rows)))
    fixtures.upload_csv(page, tmp_path / "classes.csv", "kind")
    expect(page.locator('[data-id="graph"] .target-value')).to_have_count(3)
    seen = page.evaluate(fixtures.TARGETS)
    box = page.locator('.unit[data-name="i1"] .shape').bounding_box()
    seen["first_column"] = box["x"] + box["width"] / 2
    labels = {t["full"]: t["text"].rsplit(": ", 1)[0] for t in seen["targets"]}
    for t in seen["targets"]:
        label = t["text"].rsplit(": ", 1)[0]
        fits = t["box"][0] + t["whole"] <= seen["right"]           # the whole "name: value" from where it starts
        # cut only where the whole would not fit even with the columns of circles at their least, 58 px apart
        # (test_a_deep_network_on_a_phone_keeps_its_neurons_apart), the targets 8 px right of the outputs
        leftmost = seen["first_column"] + 2 * 58 + 20 + 8
        assert label == t["full"] if fits else leftmost + t["whole"] > seen["right"], t
        assert t["box"][2] <= seen["right"], t                     # what is drawn stays in the drawing
    assert labels["Iris-setosa"] == "Iris-setosa" and labels["Iris-versicolor"] == "Iris-versicolor"
    assert labels[CLASSES[2]].endswith("…") and CLASSES[2].startswith(labels[CLASSES[2]][:-1])
    assert fixtures.intersecting([["target", *t["box"]] for t in seen["targets"]], seen["others"]) == []
    assert fixtures.no_horizontal_overflow(page)


INPUT_VALUES = """() => [...document.querySelectorAll('[data-id="graph"] .unit.input')].map(u => {
    const t = u.querySelector(".unit-label"), s = u.querySelector(".shape").getBoundingClientRect();
    return { name: u.dataset.name, text: t ? t.textContent : null, right: t ? t.getBoundingClientRect().right : null,
             input: s.left }; })"""


def test_a_model_opened_without_data_shows_its_samples_input_values(browser):
    """`chainrule explore --model m.npz` with 8 units a layer: circles, as with a CSV file. Its sample's
    inputs (drawn at random until edited) are drawn beside the inputs, as the cards of a smaller network draw them;
    an input set in the panel shows its new value there."""
    net = cr.Network([cr.Dense(3, 8, "relu"), cr.Dense(8, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    start = Session(fixtures.Start(net, name="m.npz"))
    values = [u["shown"]["value"][0] for u in start.state()["layers"][0]["units"]]
    with fixtures.model_page(browser, net, "m.npz") as pg:
        expect(pg.locator('[data-id="graph"] .unit.input')).to_have_count(3)
        assert pg.locator('[data-id="graph"] .unit:not(.input) rect.shape').count() == 0     # circles
        seen = pg.evaluate(INPUT_VALUES)
        assert [s["text"] for s in seen] == values and "0" not in values
        assert all(s["right"] <= s["input"] for s in seen)              # left of its input
        fixtures.set_in_editor(pg, '.unit[data-name="i2"]', "0.25")
        expect(pg.locator('.unit[data-name="i2"] .unit-label')).to_have_text("0.25")
        assert [s["text"] for s in pg.evaluate(INPUT_VALUES)] == [values[0], "0.25", values[2]]
