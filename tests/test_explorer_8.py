"""The explorer's drawing: one rule for writing a number in every magnitude (the labels' short form, the labels'
and cards' full form, the share refusal), labels left out one by one where they find no room, readable bias
lines on a phone, and the sample mode's batch gradient of a network with a weight penalty.

Oracles: Python's Decimal (the exact value of each float, rounded to the figures written), NumPy's forward pass
of the weights set here, scikit-learn's MLPClassifier (its alpha), the page's DOM and geometry in chromium.
Browser tests use test_explore_browser's fixtures (a server on 127.0.0.1, Debian's chromium)."""
import re
from decimal import ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_explorer_7

import chainrule as cr
from chainrule.teach import numbers
from chainrule.teach.explore import limits

browser, shots, server, page = fixtures.browser, fixtures.shots, fixtures.server, fixtures.page  # this module's own


def powered(r, digits=None):
    """A Decimal `r` written as mantissa x 10^power: its significant digits (padded to `digits`, else with the
    trailing zeros dropped), the power of ten without leading zeros."""
    sign, ds, exp = r.as_tuple()
    mantissa = "".join(map(str, ds))
    power = exp + len(mantissa) - 1
    mantissa = mantissa.ljust(digits, "0") if digits else mantissa.rstrip("0") or "0"
    return ("-" if sign else "") + mantissa[0] + (f".{mantissa[1:]}" if mantissa[1:] else "") + f" x 10^{power}"


def short_form(v):
    """The drawing's short form of v from its exact value, a half rounded away from zero: 4 significant digits
    where that is a decimal from 10^-6 below 10,000; else 3 figures, grouped in threes below 10^10, else
    times a power of ten."""
    if v == 0:
        return "0"
    four = Context(prec=4, rounding=ROUND_HALF_UP).plus(Decimal(v))
    if Decimal("1e-6") <= abs(four) < 10 ** 4:
        return f"{four.normalize():f}"
    three = Context(prec=3, rounding=ROUND_HALF_UP).plus(Decimal(v))
    if 10 ** 4 <= abs(three) < 10 ** 10:
        return f"{int(three):,}"
    return powered(three)


def full_form(v):
    """A label's and card's whole number: nine decimals at most (correctly rounded, half to even; the seed's rule
    drops their trailing zeros) grouped in threes from 10,000, or from 10^10 and below 10^-6 seven significant
    figures, their trailing zeros dropped too, times a power of ten."""
    if 1e-6 <= abs(v) < 1e10:
        q = Decimal(v).quantize(Decimal("1e-9"), ROUND_HALF_EVEN)
        s = f"{q:,f}" if abs(q) >= 10 ** 4 else f"{q:f}"
        return s.rstrip("0").rstrip(".") if "." in s else s
    return powered(Context(prec=7, rounding=ROUND_HALF_EVEN).plus(Decimal(v)))


TIES = [1234.5, -1234.5, 9999.5, 12_350.0, -12_450.0, 9_995_000_000.0, 1.235e10, 2.0 ** -10, -(2.0 ** -20),
        0.0009765625, 1e-6, 1e10, -1e10, 9_999_999_999.0, 99_995.0, 1e15, 0.5, 0.125, 3.0]
rng = np.random.default_rng(11)
MAGNITUDES = [*TIES, *(rng.choice([-1, 1], 200) * 10.0 ** rng.uniform(-12, 15, 200))]


def test_the_short_form_writes_every_magnitude_by_one_rule(page):
    """graph.js `short` (a crowded label) from 10^-12 to 10^15, negatives and exact halves, against Decimal:
    it wrote 1.23e-4 below 10^-3 and 2.98 x 10^20 past 10^15, two writings of a power of ten."""
    shown = page.evaluate("async vs => { const g = await import('/static/graph.js'); return vs.map(g.short); }",
                          MAGNITUDES)
    assert shown == [short_form(v) for v in MAGNITUDES]
    assert not any("e" in s for s in shown)


def test_a_labels_and_cards_whole_number_writes_a_power_of_ten_as_the_short_form_does(page):
    """The server writes 10^10 and more and below 10^-6 in e-notation (1.234568e+10): the page's labels and
    cards wrote it so beside grouped digits (7,087,354,832.81); now 1.234568 x 10^10, its digits Decimal's."""
    written = [numbers.fmt(v) for v in MAGNITUDES]
    shown = page.evaluate("async ts => { const g = await import('/static/graph.js'); return ts.map(g.grouped); }",
                          written)
    assert shown == [full_form(v) for v in MAGNITUDES]


def test_the_share_refusal_writes_a_large_number_as_the_short_form():
    """limits.roughly (Share's refusal) and the short form agree from 10,000 up: grouped below 10^10, a power of
    ten from there (it kept the digits to 10^15: 12,300,000,000 beside a label's 1.23 x 10^10)."""
    large = [v for v in MAGNITUDES if abs(v) >= 1e4]
    assert [limits.roughly(v) for v in large] == [f"about {short_form(v)}" for v in large]


def labels(page):
    return dict(re.match(r"(\S+) = (.*)", t).groups() for t in
                page.locator('[data-id="graph"] .labels .wlabel').all_text_contents())


def test_a_huge_weight_leaves_only_its_own_label_out(browser, shots):
    """w5 = 1.2345678 x 10^10 has no room between the cards even in its short form: only its label is left out
    (it took every label with it), the other 11 drawn in their short form, each Decimal's of the weight, and
    o1's card writes its net input grouped as NumPy computes it."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[0, 0] = 1.2345678e10
    holder = {}
    with fixtures.model_page(browser, net, session=test_explorer_7.recording(holder)) as page:
        drawn = labels(page)
        names = {p["name"]: p for p in holder["session"].state()["params"]}
        assert set(drawn) == set(names) - {"w5"}, drawn
        for name, text in drawn.items():
            assert text == short_form(names[name]["value"]), (name, text)
        want = test_explorer_7.output_net(net, holder["session"].X[:1])[0, 0]
        line = page.locator('.unit[data-name="o1"] .unit-value').first.text_content()
        number = re.fullmatch(r"net (\S+)", line).group(1)
        assert test_explorer_7.GROUPED.fullmatch(number) and abs(float(number.replace(",", "")) - want) < 1e-3, line
        page.locator(".graph-card").screenshot(path=str(shots / "explore-8-huge-weight.png"))


def test_a_diverged_weight_is_written_with_a_power_of_ten_in_its_label_and_card(browser, shots):
    """w5 = -5.5 x 10^12 (a diverged network): its label (the short form: the server's seven figures have no room
    between the cards) and o1's card (the seven figures) write a power of ten as x 10^12 (they wrote
    -5.500000e+12), as Decimal writes the weight and NumPy's net input of o1; every label is drawn."""
    net = cr.examples.seed_network()[0]
    net.layers[1].W[0, 0] = -5.5e12
    holder = {}
    with fixtures.model_page(browser, net, session=test_explorer_7.recording(holder)) as page:
        drawn = labels(page)
        assert len(drawn) == 12 and drawn["w5"] == "-5.5 x 10^12" == short_form(-5.5e12), drawn
        want = test_explorer_7.output_net(net, holder["session"].X[:1])[0, 0]
        line = page.locator('.unit[data-name="o1"] .unit-value').first.text_content()
        assert line == f"net {full_form(want)}", (line, want)
        assert not re.search(r"\de[+-]", fixtures.graph_text(page))
        page.locator(".graph-card").screenshot(path=str(shots / "explore-8-diverged.png"))


def test_a_samples_note_gives_the_batch_gradient_the_update_takes_with_mlps_alpha(tmp_path):
    """A network imported from an MLPClassifier with alpha = 0.5, opened with 30 rows (24 to train: one sample's
    chain rule at a time): the note's whole-batch gradient of w1, "used for the update", left out alpha * w1 / m,
    which net.step adds. Now it gives both, each PyTorch autograd's (the mean cross-entropy, then with the
    penalty 0.5 * alpha * sum(W^2) / m), and a step of SGD moves w1 by lr times the second."""
    import warnings

    import torch
    from sklearn.neural_network import MLPClassifier

    from chainrule.teach.explore.engine import tabular
    from chainrule.teach.explore.session import Session, Start
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 3))
    y = np.array(["a", "b", "c"])[np.arange(30) % 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(3,), alpha=0.5, max_iter=5, random_state=0).fit(X, y)
    (tmp_path / "t.csv").write_text("x1,x2,x3,kind\n" + "".join(f"{a},{b},{c},{k}\n" for (a, b, c), k in zip(X, y)))
    s = Session(Start(cr.from_sklearn(mlp), tabular()[0](str(tmp_path / "t.csv")), "kind", "t.csv"))
    assert s.state()["explained"]["whole_batch"] is False
    d = s.act("select", {"name": "w1"})["derivation"]
    params = [torch.tensor(a, requires_grad=True) for lay in s.net.dense_layers for a in (lay.W, lay.b)]
    x, t = torch.tensor(s.X), torch.tensor(s.Y)
    out = torch.relu(x @ params[0] + params[1]) @ params[2] + params[3]
    loss = -(t * torch.log_softmax(out, dim=1)).sum(dim=1).mean()
    plain = torch.autograd.grad(loss, params[0], retain_graph=True)[0][0, 0].item()
    penalty = 0.5 * mlp.alpha * ((params[0] ** 2).sum() + (params[2] ** 2).sum()) / len(s.X)
    penalized = torch.autograd.grad(loss + penalty, params[0])[0][0, 0].item()
    batch = d["note"].split("whole batch")[1].split("Each value is the engine's")[0]     # not the last-digit note
    said = [float(v) for v in re.findall(r"(?<![\w.])-?\d+\.\d+", batch)]
    assert said[0] == pytest.approx(plain, abs=5e-10) and said[-1] == pytest.approx(penalized, abs=5e-10), d["note"]
    assert d["batch_grad"] == pytest.approx(penalized, rel=1e-9)
    w1 = s.net.dense_layers[0].W[0, 0]
    s.act("set_optimizer", {"name": "sgd", "lr": 0.5})
    s.act("update")
    assert s.net.dense_layers[0].W[0, 0] == pytest.approx(w1 - 0.5 * penalized, rel=1e-12, abs=1e-15)
