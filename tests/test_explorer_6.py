"""The explorer on a CSV model's page: the inputs' standardised values beside the raw ones the words under the
title give, the column names kept on a phone, large weights written as the share refusal writes them, and
where Dropout sits.

Oracles: the CSV file (scikit-learn's StandardScaler fitted on its columns), the model file (`cr.load`: its
Dropout layers), the weight set here, the page's DOM and screenshots in chromium. Browser tests use
test_explore_browser's fixtures (a server on 127.0.0.1, Debian's chromium)."""
import argparse
import re

import numpy as np
import pandas as pd
import test_explore_browser as fixtures
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.saving.npz import save
from chainrule.teach.explore.session import Session

browser, shots = fixtures.browser, fixtures.shots  # this module's own
NUMERIC = ["a", "b", "height_cm"]
LABEL = re.compile(r"^(\w+) = (-?[\d.]+) \((-?[\d.]+) raw\)$")
WIDTH = ("() => document.querySelector('[data-id=graph]').getAttribute('width') == "
         "document.querySelector('[data-id=graph-wrap]').clientWidth")


def model_file(tmp_path):
    """A model as `chainrule train` writes it: a file of 3 numeric columns of very different scales and a
    text column (5 inputs), a Dropout 0.25 after the hidden layer."""
    rows = np.random.default_rng(4).normal(size=(40, 3))
    (tmp_path / "t.csv").write_text("a,b,height_cm,colour,kind\n" + "".join(
        f"{0.05 + 0.1 * a:.4f},{2000 + 900 * b:.1f},{170 + 10 * c:.1f},{'red' if a > 0 else 'blue'},"
        f"{'cat' if a * b > 0 else 'dog'}\n" for a, b, c in rows))
    pre = Preprocessing.fit(read_csv(str(tmp_path / "t.csv")), "kind")
    net = cr.Network([cr.Dense(5, 3, "tanh"), cr.Dropout(0.25), cr.Dense(3, 2, "softmax")],
                     loss="categorical_crossentropy", seed=2)
    save(net, str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    return tmp_path / "m.npz"


def opened(path):
    from chainrule.cli.explore import start
    return lambda _: Session(start(argparse.Namespace(model=str(path), data=None, target=None)))


def scaler(tmp_path):
    return StandardScaler().fit(pd.read_csv(tmp_path / "t.csv")[NUMERIC].to_numpy(float))


def labels(page):
    return page.locator('[data-id="graph"] .unit-label').all_text_contents()


def test_a_csv_models_inputs_show_the_raw_value_the_words_under_the_title_give(browser, tmp_path, shots):
    """Each numeric input's label writes its standardised value and the raw one, which is the row's number
    in the words under the title and standardises (StandardScaler of the file's column) to the value drawn;
    the legend says the inputs are standardised; an input edited to 1 is its column's mean plus one spread.
    Where the raw value does not fit beside the input, the input's title has it."""
    path = model_file(tmp_path)
    sc = scaler(tmp_path)
    with fixtures.model_page(browser, None, session=opened(path)) as page:
        said = page.inner_text('[data-id="info"]') + page.inner_text(".graph-card")
        found = [LABEL.match(t) for t in labels(page)[:3]]
        assert all(found), labels(page)
        for j, m in enumerate(found):
            name, value, raw = m.groups()
            assert name == NUMERIC[j] and f"{name}={raw}" in said, (name, raw)
            assert abs((float(raw) - sc.mean_[j]) / sc.scale_[j] - float(value)) < 1e-4, (name, value, raw)
        assert labels(page)[3:] == ["colour=blue = 1", "colour=red = 0"] or \
            labels(page)[3:] == ["colour=blue = 0", "colour=red = 1"]
        fixtures.expect(page.locator('[data-id="standardised"]')).to_contain_text("standardised")
        page.locator(".graph-card").screenshot(path=str(shots / "explore-6-raw-1280.png"))
        fixtures.set_in_editor(page, '.unit[data-name="i1"]', "1")
        name, value, raw = LABEL.match(labels(page)[0]).groups()
        assert value == "1" and abs(float(raw) - (sc.mean_[0] + sc.scale_[0])) <= 1e-5 * abs(float(raw)), raw
        page.set_viewport_size({"width": 1000, "height": 800})
        page.wait_for_function(WIDTH)
        for j, col in enumerate(NUMERIC):
            title = page.locator(f'.unit[data-name="i{j + 1}"] > title').text_content()
            raw = re.search(rf"^{col} = (-?[\d.]+) raw \(in the file\), standardised$", title, re.M).group(1)
            drawn = float(re.search(rf"^i{j + 1} = (-?[\d.]+)$", title, re.M).group(1))
            assert abs((float(raw) - sc.mean_[j]) / sc.scale_[j] - drawn) < 1e-4, title
        page.locator(".graph-card").screenshot(path=str(shots / "explore-6-raw-1000.png"))


def test_at_phone_width_a_csv_models_inputs_keep_their_column_names(browser, tmp_path, shots):
    """At 390 px the column names stay left of their inputs (whole, or cut with an ellipsis), inside the
    drawing; nothing is wider than the page (the title, a long path of pytest's, wraps)."""
    path = model_file(tmp_path)
    columns = [*NUMERIC, "colour=blue", "colour=red"]
    with fixtures.model_page(browser, None, session=opened(path)) as page:
        page.set_viewport_size({"width": 390, "height": 800})
        page.wait_for_function(WIDTH)
        shown = labels(page)
        assert len(shown) == 5, shown
        for text, column in zip(shown, columns):
            assert text.split(" = ")[0] == column or (text.endswith("…") and column.startswith(text[:-1])), text
        boxes = page.evaluate("""() => [...document.querySelectorAll('[data-id="graph"] .unit.input')].map(u =>
            [u.querySelector('.unit-label').getBoundingClientRect().left,
             u.querySelector('.unit-label').getBoundingClientRect().right,
             u.querySelector('.shape').getBoundingClientRect().left])""")
        left = page.locator('[data-id="graph"]').bounding_box()["x"]
        assert all(left <= a and b <= shape for a, b, shape in boxes), boxes
        assert fixtures.no_horizontal_overflow(page)       # the title (the model's long path) wraps too
        page.locator(".graph-card").screenshot(path=str(shots / "explore-6-phone.png"))


def test_a_large_weights_label_is_written_as_the_share_refusal_writes_it(browser, shots):
    """The seed's network with w5 = -2,980,000: its label has thousands separators, as the share refusal,
    never e-notation; the number is the weight set."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[0, 0] = -2.98e6
    with fixtures.model_page(browser, net) as page:
        text = fixtures.graph_text(page)
        assert not re.search(r"\de[+-]?\d", text), text
        label = page.locator('.labels [data-name="w5"]').text_content()
        number = re.fullmatch(r"w5 = (-?\d{1,3}(?:,\d{3})+(?:\.\d+)?)", label).group(1)
        assert float(number.replace(",", "")) == -2.98e6
        page.screenshot(path=str(shots / "explore-6-large-weight.png"))


def test_the_drawing_marks_where_dropout_sits(browser, tmp_path, shots):
    """The Dropout layer of the model file (`cr.load`: after the hidden layer, rate 0.25) is named under that
    column's heading, and nowhere else; its title says what it does in a training step."""
    path = model_file(tmp_path)
    drops = [(k, lay.rate) for k, lay in enumerate(cr.load(str(path)).layers) if isinstance(lay, cr.Dropout)]
    assert drops == [(1, 0.25)]
    with fixtures.model_page(browser, None, session=opened(path)) as page:
        subs = page.eval_on_selector_all('[data-id="graph"] .col-sub', "ts => ts.map(t => t.firstChild.textContent)")
        assert subs == ["tanh · dropout 0.25", "softmax"], subs
        title = page.locator('[data-id="graph"] .col-sub.dropout > title').text_content()
        assert "Dropout 0.25" in title and "probability 0.25" in title
        page.set_viewport_size({"width": 390, "height": 800})
        page.wait_for_function(WIDTH)
        rate = "t => t.firstChild.textContent + (t.querySelector('tspan') || t).textContent"   # or on a line of its own
        assert "0.25" in page.eval_on_selector('[data-id="graph"] .col-sub.dropout', rate)
        page.locator(".graph-card").screenshot(path=str(shots / "explore-6-dropout-390.png"))
