"""The explorer as a teacher reads it: large numbers in the neuron cards grouped in threes as the weight
labels are, without widening the cards; one rule (3 significant figures) for the labels' short form and the
share refusal; bias lines a phone draws readably; an output heading's activation whole beside a Dropout mark.

Oracles: NumPy's forward pass of the weights set here, Python's Decimal (3 significant figures of the exact
value), the page's DOM and geometry in chromium. Browser tests use test_explore_browser's fixtures (a server
on 127.0.0.1, Debian's chromium)."""
import re
from decimal import ROUND_HALF_UP, Context, Decimal

import numpy as np
import test_explore_browser as fixtures
import test_explorer_6

import chainrule as cr
from chainrule.teach.explore import limits
from chainrule.teach.explore.session import Session

browser, shots, server, page = fixtures.browser, fixtures.shots, fixtures.server, fixtures.page  # this module's own
GROUPED = re.compile(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?")


def recording(holder):
    """A session factory that keeps the session, so a test reads the sample the page draws."""
    def start(begin):
        holder["session"] = Session(begin)
        return holder["session"]
    return start


def output_net(net, X):
    """The output layer's net input for the rows X, with NumPy alone (the seed's sigmoid hidden layer)."""
    hidden, out = net.layers
    return 1 / (1 + np.exp(-(X @ hidden.W + hidden.b))) @ out.W + out.b


def test_a_cards_large_net_is_grouped_in_threes_without_widening_the_card(browser, shots):
    """o1's net input of about -3.26 million (w5 = -2,980,000, w6 and b_o1 = -990,000) is written in its card
    grouped in threes, as the weight labels are, its number NumPy's net input to the decimals written; every
    card line lies inside its card, and the weights' labels are all still drawn between the cards."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[:, 0] = [-2.98e6, -9.9e5]
    net.layers[1].b[0] = -9.9e5
    holder = {}
    with fixtures.model_page(browser, net, session=recording(holder)) as page:
        X = holder["session"].X[:1]
        want = output_net(net, X)[0, 0]
        line = page.locator('.unit[data-name="o1"] .unit-value').first.text_content()
        number = re.fullmatch(r"net (\S+)", line).group(1)
        assert GROUPED.fullmatch(number), line
        decimals = len(number.partition(".")[2])
        assert decimals >= 2, line
        assert abs(float(number.replace(",", "")) - want) <= 0.5 * 10 ** -decimals + 1e-6, (line, want)
        inside = page.evaluate("""() => [...document.querySelectorAll('[data-id="graph"] .unit')].every(u => {
            const card = u.querySelector('.shape').getBBox();
            return [...u.querySelectorAll('text')].every(t => { const b = t.getBBox();
              return b.x >= card.x && b.x + b.width <= card.x + card.width; }); })""")
        assert inside
        drawn = page.locator('[data-id="graph"] .labels .wlabel').count()
        assert drawn == len(holder["session"].state()["params"]), drawn
        page.locator(".graph-card").screenshot(path=str(shots / "explore-7-large-net.png"))


def three_figures(v):
    """v to 3 significant figures of its exact value, a half away from zero (Decimal's context), written as a
    person reads it: grouped in threes below 10^10 (-2,980,000), else 2.98 x 10^20."""
    r = Context(prec=3, rounding=ROUND_HALF_UP).plus(Decimal(v))
    if abs(r) < 10 ** 10:
        return f"{int(r):,}"
    sign, digits, exp = r.normalize().as_tuple()
    mantissa = "".join(map(str, digits))
    power = exp + len(digits) - 1
    return ("-" if sign else "") + mantissa[0] + (f".{mantissa[1:]}" if mantissa[1:] else "") + f" x 10^{power}"


LARGE = [12_345.0, 12_350.0, 12_450.0, -2_981_234.56789, 2_985_000.0, -55_312_345.0, 999_500.0, 9.995e14,
         2.95e20, -3e20, 2.5e20, 1.05e21, 1e300, *np.random.default_rng(7).uniform(-9e6, 9e6, 40).round(3),
         *(10.0 ** np.random.default_rng(8).uniform(4, 40, 20))]


def test_the_short_labels_and_the_share_refusal_round_a_large_number_by_one_rule(page):
    """The drawing's short form (graph.js `short`, the labels' fallback) and the share refusal
    (limits.roughly) write every number from 10,000 as 3 significant figures of its exact value (Decimal),
    exact halves (12,450; 2,985,000) away from zero in both."""
    shown = page.evaluate("async vs => { const graph = await import('/static/graph.js'); return vs.map(graph.short); }",
                          LARGE)
    assert shown == [three_figures(v) for v in LARGE]
    assert [limits.roughly(v) for v in LARGE] == [f"about {three_figures(v)}" for v in LARGE]


def test_a_weights_short_label_writes_it_as_the_share_refusal_does(browser, shots):
    """w5 = -2,981,234.56789 has no room for its 9 decimals between the cards: its label is the short form,
    -2,980,000, and Share refuses naming w5 and the same number; both Decimal's 3 figures of the weight."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[0, 0] = -2_981_234.56789
    with fixtures.model_page(browser, net) as page:
        label = page.locator('.labels [data-name="w5"]').text_content()
        assert label == f"w5 = {three_figures(-2_981_234.56789)}", label
        page.click('[data-id="share"]')
        fixtures.expect(page.locator("body")).to_contain_text("in this network w5 is about")
        said = re.search(r"in this network w5 is about (\S+):", page.inner_text("body")).group(1)
        assert said == label.removeprefix("w5 = "), (said, label)
        page.screenshot(path=str(shots / "explore-7-short-label.png"))


BIAS_LINES = """() => { const svg = document.querySelector('[data-id="graph"]');
  const units = [...svg.querySelectorAll('.unit')].map(u => { const b = u.querySelector('.shape').getBBox();
    const reach = u.querySelector('.shape').tagName === 'circle' ? b.width / 2 : Math.SQRT2 * b.width / 2;
    return { name: u.dataset.name, x: b.x + b.width / 2, y: b.y + b.height / 2, r: b.width / 2, reach }; });
  return [...svg.querySelectorAll('.edge')].filter(e => e.dataset.name.startsWith('b_')).map(e => {
    const l = e.querySelector('.wire'), [x1, y1, x2, y2] = ['x1', 'y1', 'x2', 'y2'].map(k => +l.getAttribute(k));
    return { name: e.dataset.name, x1, y1, x2, y2, units }; }); }"""


def crossed(line):
    """The units whose shape (a 40 px circle, or a square to its corners) a bias line passes within 2 px of, but
    for the unit it ends at: the distance from each shape's centre to the segment, with NumPy."""
    a, b = np.array([line["x1"], line["y1"]]), np.array([line["x2"], line["y2"]])
    hit = []
    for u in line["units"]:
        c = np.array([u["x"], u["y"]])
        t = np.clip(np.dot(c - a, b - a) / np.dot(b - a, b - a), 0, 1)
        if np.linalg.norm(a + t * (b - a) - c) < u["reach"] + 2 and np.linalg.norm(b - c) > u["r"] + 1:
            hit.append(u["name"])
    return hit


def test_on_a_phone_the_bias_lines_fan_out_rather_than_stand_up(page, shots):
    """At 390 px the seed's bias lines were almost vertical (77 degrees), the two of a bias unit one thick
    stroke near it: each now rises at most 65 degrees, the two of a bias unit at least 20 degrees apart, and
    none runs through a neuron on its way (the angles from the lines' ends, with NumPy)."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_function("() => document.querySelector('[data-id=graph]').getAttribute('width') < 390")
    lines = page.evaluate(BIAS_LINES)
    assert len(lines) == 4
    angle = {ln["name"]: np.degrees(np.arctan2(ln["y1"] - ln["y2"], ln["x2"] - ln["x1"])) for ln in lines}
    assert all(0 <= a <= 65 for a in angle.values()), angle
    assert abs(angle["b_h1"] - angle["b_h2"]) >= 20 and abs(angle["b_o1"] - angle["b_o2"]) >= 20, angle
    assert [crossed(ln) for ln in lines] == [[]] * 4
    page.locator(".graph-card").screenshot(path=str(shots / "explore-7-bias-390.png"))


BOXES = "ts => ts.map(t => { const b = t.getBBox(); return { x: b.x, width: b.width }; })"
SHOWN = "ts => ts.map(t => [...t.childNodes].filter(n => n.nodeName !== 'title').map(n => n.textContent).join(' '))"


def test_on_a_phone_a_dropout_mark_leaves_the_output_activation_whole(browser, tmp_path, shots):
    """The model of test_explorer_6 (tanh, Dropout 0.25, softmax; `cr.load` says so) at 390 and 320 px: the
    Dropout mark is shortened to fit (or put on a line under the activation), the output column keeps
    "softmax" whole (it was cut to "soft" with it), and the activations' texts stay apart (their boxes)."""
    path = test_explorer_6.model_file(tmp_path)
    layers = cr.load(str(path)).layers
    assert [lay.rate if isinstance(lay, cr.Dropout) else lay.config()["activation"]["name"] for lay in layers] \
        == ["tanh", 0.25, "softmax"]
    with fixtures.model_page(browser, None, session=test_explorer_6.opened(path)) as page:
        for width in (390, 320):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_function(f"() => document.querySelector('[data-id=graph]').getAttribute('width') < {width}")
            subs = page.eval_on_selector_all('[data-id="graph"] .col-sub', SHOWN)
            assert subs[1] == "softmax" and "tanh" in subs[0] and "0.25" in subs[0], (width, subs)
            boxes = page.eval_on_selector_all('[data-id="graph"] .col-sub', BOXES)
            assert boxes[0]["x"] + boxes[0]["width"] + 4 <= boxes[1]["x"], (width, boxes)
            page.locator(".graph-card").screenshot(path=str(shots / f"explore-7-dropout-{width}.png"))
