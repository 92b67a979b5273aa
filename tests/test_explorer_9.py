"""The explorer's panel on a network with MLP's weight penalty, sample mode and batch mode: one number called the
step's; and a CSV model's column values, raw, where the full number has no room.

Oracles: PyTorch autograd (each sample's cross-entropy and the whole batch's, with 0.5 * alpha * sum(W^2) / m),
a real step of the engine (net.step on a copy), the CSV file (its rows; scikit-learn's StandardScaler), Python's
Decimal for the short form (test_explorer_8), the page's DOM and geometry in chromium (test_explore_browser's
fixtures: a server on 127.0.0.1, Debian's chromium)."""
import argparse
import copy
import re
import warnings

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_explorer_6
import test_explorer_8
from sklearn.preprocessing import StandardScaler

import chainrule as cr
from chainrule.cli.explore import start
from chainrule.data.tabular import Preprocessing, read_csv
from chainrule.saving.npz import save
from chainrule.teach.explore.engine import tabular
from chainrule.teach.explore.session import Session, Start

browser, shots = fixtures.browser, fixtures.shots  # this module's own

NUMBER = r"-?\d+\.\d+"


def mlp_start(tmp_path, rows):
    """A network imported from an MLPClassifier with alpha = 0.5, opened on a CSV file of `rows` rows (4 in 5 to
    train: 30 rows give 24, one sample's chain rule at a time; 10 give 8, the whole batch's)."""
    from sklearn.neural_network import MLPClassifier
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (rows, 3))
    y = np.array(["a", "b", "c"])[np.arange(rows) % 3]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        mlp = MLPClassifier(hidden_layer_sizes=(3,), alpha=0.5, max_iter=5, random_state=0).fit(X, y)
    (tmp_path / "t.csv").write_text("x1,x2,x3,kind\n" + "".join(f"{a},{b},{c},{k}\n" for (a, b, c), k in zip(X, y)))
    return Start(cr.from_sklearn(mlp), tabular()[0](str(tmp_path / "t.csv")), "kind", "t.csv")


def autograd_w1(s, rows):
    """dE/dw1 + the penalty's, by torch autograd, E the mean cross-entropy of `rows` (indices) of the batch, the
    penalty's m the whole batch's rows: a sample's term alone, or the whole batch's (the mean of the terms)."""
    import torch
    params = [torch.tensor(a, requires_grad=True) for lay in s.net.dense_layers for a in (lay.W, lay.b)]
    x, t = torch.tensor(s.X[rows]), torch.tensor(s.Y[rows])
    out = torch.relu(x @ params[0] + params[1]) @ params[2] + params[3]
    loss = -(t * torch.log_softmax(out, dim=1)).sum(dim=1).mean()
    penalty = 0.5 * s.net.weight_penalty * ((params[0] ** 2).sum() + (params[2] ** 2).sum()) / len(s.X)
    return torch.autograd.grad(loss + penalty, params[0])[0][0, 0].item()


def stepped_w1(s, lr=0.5):
    """(w1 before - w1 after) / lr of a real step of SGD on the whole training batch (the engine's net.step)."""
    net = copy.deepcopy(s.net)
    before = float(net.dense_layers[0].W[0, 0])
    net.step(s.X, s.Y, lr)
    return (before - float(net.dense_layers[0].W[0, 0])) / lr


def panel_claims(page):
    """Every value the panel calls the update's or a training step's: a line whose note says so (its value), and
    each sentence of the note under the lines that does (its last number)."""
    claims = []
    for row in page.locator('[data-id="derivation"] .eq').all():
        note = row.locator(".eq-note").all_text_contents()
        if note and re.search(r"\b(step|update)", note[0]):
            claims.append(float(row.locator(".val").text_content()))
    for p in page.locator('[data-id="derivation"] > p').all_text_contents():
        for sentence in re.split(r"(?<=\d)\. |(?<=[a-z])\. ", p):
            if re.search(r"\b(step|update)", sentence) and re.search(NUMBER, sentence):
                claims.append(float(re.findall(NUMBER, sentence)[-1]))
    return claims


def open_w1(browser, start):
    holder = {}

    def session(_):
        holder["s"] = Session(start)
        return holder["s"]
    pages = fixtures.model_page(browser, None, session=session)
    page = pages.__enter__()
    holder["s"].act("set_optimizer", {"name": "sgd", "lr": 0.5})      # the update the lines write: SGD's
    holder["s"].act("select", {"name": "w1"})
    page.reload()
    page.wait_for_selector('[data-id="derivation"] .eq')
    return pages, page, holder["s"]


def test_a_samples_panel_calls_one_value_the_steps_with_mlps_alpha(browser, shots, tmp_path):
    """Sample 1 of 24: the penalty's line wrote dE/dw1 + alpha * w1 / m with m = 1 (0 + 0.5 * 0.1026 / 1 = 0.0513),
    "the gradient a training step takes", while the note under it gave the step's, -0.00729 (m = 24): two values
    called the step's. Now the line is this sample's term (m = 24, PyTorch's for sample 1 alone) and the one value
    called the step's is (w1 before - after) / lr of a real step, and PyTorch's of the whole batch."""
    pages, page, s = open_w1(browser, mlp_start(tmp_path, 30))
    try:
        assert s.state()["explained"]["whole_batch"] is False
        step = stepped_w1(s)
        assert step == pytest.approx(autograd_w1(s, slice(None)), rel=1e-9)
        claims = panel_claims(page)
        assert claims and all(v == pytest.approx(step, abs=5e-10) for v in claims), (claims, step)
        row = page.locator('[data-id="derivation"] .eq', has_text="alpha").first
        assert re.search(r"/ 24 = ", row.text_content()), row.text_content()
        term = float(row.locator(".val").text_content())
        assert term == pytest.approx(autograd_w1(s, slice(s.sample, s.sample + 1)), abs=5e-10)
        page.locator('[data-id="derivation"]').screenshot(path=str(shots / "explore-9-sample-penalty.png"))
    finally:
        pages.__exit__(None, None, None)


def test_a_whole_batchs_panel_keeps_the_penalised_gradient_the_step_takes(browser, tmp_path):
    """8 rows to train, the whole batch explained: the penalty's line is the step's gradient (m = 8), the update
    line takes it, each what a real step takes and PyTorch's of the batch."""
    pages, page, s = open_w1(browser, mlp_start(tmp_path, 10))
    try:
        assert s.state()["explained"]["whole_batch"] is True and len(s.X) == 8
        step = stepped_w1(s)
        assert step == pytest.approx(autograd_w1(s, slice(None)), rel=1e-9)
        claims = panel_claims(page)
        assert claims and all(v == pytest.approx(step, abs=5e-10) for v in claims), (claims, step)
        update = page.locator('[data-id="derivation"] .eq.update .val').text_content()
        w1 = float(s.net.dense_layers[0].W[0, 0])
        assert float(update) == pytest.approx(w1 - 0.5 * step, abs=5e-10)
    finally:
        pages.__exit__(None, None, None)


def near(written, v):
    """Whether a raw value as drawn is the file's `v`: six figures (`cell`; the page's 9 decimals of the
    standardised value, made raw again, may move the last), or the short form's 3 (1.23 x 10^-8)."""
    m = re.fullmatch(r"(-?[\d.,]+)(?: x 10\^(-?\d+))?", written)
    got = float(m[1].replace(",", "")) * 10.0 ** int(m[2] or 0)
    return abs(got - v) <= (5e-3 if m[2] or "," in written else 2e-5) * abs(v)


def test_a_csv_models_raw_values_stay_beside_their_columns_in_short_form_where_the_full_one_has_no_room(
        browser, tmp_path, shots):
    """A CSV model (test_explorer_6's: the file's preprocessing stored) of income ~ 10^9 and tiny ~ 10^-8:
    "tiny = 1.197743076 (0.0000000849154 raw)" had no room, and every column's raw value went ("income =
    -0.575180262" read as raw income). Now each column keeps its raw value, in the short form (test_explorer_8's,
    from Decimal) where the file's six figures have no room, the standardised value shortened next: all three
    from one row of the file, each standardising (scikit-learn's StandardScaler) to the value drawn. On a phone
    nothing but the names fits: none is drawn with a value and without its raw one, each unit's title has both."""
    rng = np.random.default_rng(5)
    rows = [(rng.uniform(-9e8, 9e8), rng.uniform(1e-8, 9e-8), rng.uniform(-1, 1)) for _ in range(40)]
    (tmp_path / "t.csv").write_text("income,tiny,x,kind\n" + "".join(
        f"{a!r},{b!r},{c!r},{'red' if c > 0 else 'blue'}\n" for a, b, c in rows))
    pre = Preprocessing.fit(read_csv(str(tmp_path / "t.csv")), "kind")
    save(cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=2),
         str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    sc = StandardScaler().fit(np.array(rows))
    args = argparse.Namespace(model=str(tmp_path / "m.npz"), data=str(tmp_path / "t.csv"), target="kind")
    with fixtures.model_page(browser, None, session=lambda _: Session(start(args))) as page:
        for width in (1280, 390):
            page.set_viewport_size({"width": width, "height": 800})
            page.wait_for_function(test_explorer_6.WIDTH)
            labels = page.evaluate(fixtures.LABELS)["labels"]
            assert [lab["full"] for lab in labels] == ["income", "tiny", "x"]
            titles = page.locator('[data-id="graph"] .unit.input > title').all_text_contents()
            for lab, title in zip(labels, titles):
                assert lab["right"] <= lab["input"], (width, lab)       # left of its input, clear of it
                assert re.search(rf"\n{lab['full']} = \S+ raw \(in the file\)", title), title
                assert " = " not in lab["text"] or " raw)" in lab["text"], (width, lab)     # no value without its raw
            assert fixtures.no_horizontal_overflow(page), width
            page.locator(".graph-card").screenshot(path=str(shots / f"explore-9-raw-{width}.png"))
            if width == 1280:         # room for each column's raw value: the same row of the file in all three
                raw = [re.fullmatch(r"\S+ = (\S+) \((.+) raw\)", lab["text"]) for lab in labels]
                assert all(raw), [lab["text"] for lab in labels]
                written = [m[2] for m in raw]
                row = [r for r in rows if all(near(w, v) for w, v in zip(written, r))]
                assert len(row) == 1, written
                assert "x 10^-8" in written[1], written         # the file's 0.0000000849154 had no room: short form
                assert written[1] == test_explorer_8.short_form(row[0][1]), written
                standardised = sc.transform(np.array(row))[0]
                for m, want in zip(raw, standardised):
                    assert float(m[1]) == pytest.approx(want, abs=1e-3), (m[0], want)
