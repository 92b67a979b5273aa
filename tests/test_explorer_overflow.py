"""The explorer's numbers past float32's squares and past finite: a layer's gradient norm computed in float64,
and one rule for infinity and NaN in every JSON the page reads ({"__float__": "Infinity"}, as a model file's
description and the share code write them).

Oracles: PyTorch autograd (the float32 network's dE/dW, its norm in float64), Python's json (allow_nan=False:
standard JSON only), Decimal's short form (test_explorer_8), the page's DOM in chromium (test_explore_browser's
fixtures: a server on 127.0.0.1, Debian's chromium)."""
import json
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_explorer_8
from playwright.sync_api import expect

import chainrule as cr
from chainrule.saving.npzcheck import as_float
from chainrule.teach.explore.server import create_app
from chainrule.teach.explore.session import Session

browser, shots, server, page = fixtures.browser, fixtures.shots, fixtures.server, fixtures.page  # this module's own

ROWS = """() => [...document.querySelectorAll('[data-id="norms"] .norm-row')].map(r => ({
    value: r.querySelector(".norm-value").textContent, weak: r.querySelector(".norm-bar").classList.contains("weak"),
    title: r.title }))"""


def big_float32_net():
    """2-3-3-2, linear, float32, every weight 1e6: outputs near 1e18, dE/dW near 1e19 and more (its squares past
    float32's 3.4e38), the loss itself finite."""
    net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 3, "linear"), cr.Dense(3, 2, "linear")], loss="mse",
                     seed=1, dtype="float32")
    for layer in net.dense_layers:
        layer.W[:] = 1e6
    return net


def autograd_norms(s):
    """||dE/dW|| of each layer: dE/dW by torch autograd in float32 (the network's dtype), its norm in float64."""
    import torch
    params = [torch.tensor(a, requires_grad=True) for lay in s.net.dense_layers for a in (lay.W, lay.b)]
    out = torch.tensor(s.X, dtype=torch.float32)
    for k in range(0, len(params), 2):
        out = out @ params[k] + params[k + 1]
    loss = ((out - torch.tensor(s.Y, dtype=torch.float32)) ** 2).mean(dim=1).mean()
    grads = torch.autograd.grad(loss, params[0::2])
    return [float(np.linalg.norm(g.numpy().astype(np.float64))) for g in grads]


def test_a_float32_layers_gradient_norm_past_its_squares_range_is_shown_not_blank_and_red(browser, shots):
    opened = []

    def session(start):
        opened.append(Session(start))
        return opened[-1]
    with fixtures.model_page(browser, big_float32_net(), session=session) as page:
        expect(page.locator('[data-id="norms"] .norm-row')).to_have_count(3)
        rows = page.evaluate(ROWS)
        truth = autograd_norms(opened[-1])
        assert all(n > 1.9e19 for n in truth), truth           # float32's squares overflow: the case
        for row, n in zip(rows, truth):
            assert row["value"] == test_explorer_8.short_form(n), (row, n)
            assert not row["weak"] and "vanishing" not in row["title"], row
        page.screenshot(path=str(shots / "explore-big-norms.png"))


def test_the_pages_state_writes_infinity_and_nan_as_the_share_code_does():
    """A state holding infinity, minus infinity and NaN is standard JSON with {"__float__": ...} for each, which
    the model file's reader (as_float) reads back as the floats; None stays None."""
    from starlette.testclient import TestClient

    class Odd(Session):
        def state(self):
            s = super().state()
            s["history"]["train"][0] = float("inf")
            s["params"][0]["grad"] = float("nan")
            s["grad_norms"][0]["norm"] = np.float32("-inf")
            return fixtures_clean(s)
    client = TestClient(create_app(fixtures.TOKEN, Odd))
    r = client.post("/api/session", headers={"X-Token": fixtures.TOKEN}, json={})
    assert r.status_code == 200, r.text
    s = json.loads(r.text, parse_constant=lambda c: pytest.fail(f"not standard JSON: {c}"))
    assert s["state"]["history"]["train"][0] == {"__float__": "Infinity"}
    assert s["state"]["params"][0]["grad"] == {"__float__": "NaN"}
    assert s["state"]["grad_norms"][0]["norm"] == {"__float__": "-Infinity"}
    assert s["state"]["E_test"] is None
    back = json.loads(r.text, object_hook=as_float)["state"]
    assert back["history"]["train"][0] == float("inf") and np.isnan(back["params"][0]["grad"])


def fixtures_clean(s):
    from chainrule.teach.explore.view import clean
    return clean(s)


class Infinite(Session):
    """The engine's state, the first layer's gradient norm and the loss of step 0 made infinite and NaN: what the
    page draws of numbers past finite, whichever gives them."""

    def state(self):
        s = super().state()
        s["grad_norms"][0]["norm"] = float("inf")
        s["history"]["train"][0] = float("nan")
        return fixtures_clean(s)


def test_the_page_reads_infinity_back_and_writes_it_as_the_reports_do(browser, shots):
    with fixtures.model_page(browser, None, session=lambda _: Infinite()) as page:
        expect(page.locator('[data-id="norms"] .norm-row')).to_have_count(2)
        rows = page.evaluate(ROWS)
        assert rows[0]["value"] == "inf" and not rows[0]["weak"], rows[0]    # derive.fmt writes inf so
        assert rows[1]["value"] == test_explorer_8.short_form(Session().state()["grad_norms"][1]["norm"])
        page.click('[data-act="step"]')
        expect(page.locator('[data-id="loss"] polyline, [data-id="loss"] circle')).to_have_count(1)
        points = page.locator('[data-id="loss"] polyline, [data-id="loss"] circle').first.evaluate(
            "e => e.getAttribute('points') || e.getAttribute('cy')")
        assert "NaN" not in points and "Infinity" not in points, points


def powered(text):
    """The page's e-notation: 2.9241e+36 -> 2.9241 x 10^36 (numbers.js `grouped`, as the cards write theirs)."""
    mantissa, power = text.split("e")
    return f"{mantissa} x 10^{int(power)}"


def torch_errors(s):
    """E_o of each output and E_total (mse: their mean) of the float32 network, by torch in float32."""
    import torch
    out = torch.tensor([torch_outputs(s)], dtype=torch.float32)
    e = (out - torch.tensor(s.Y, dtype=torch.float32)) ** 2
    return [float(v) for v in e[0]], float(e.mean())


def test_a_cards_power_of_ten_is_cut_to_the_digits_its_room_holds_as_decimal_rounds(page):
    """A card narrowed for the lines between the cards writes a power of ten's mantissa with as many decimals as fit,
    each form Decimal's rounding of the server's text (half up, as the card's decimals round), down to three
    figures, and 9.996 x 10^18 rounded up to 1.00 x 10^19 (it had the whole number only, wider than its room)."""
    rng = np.random.default_rng(5)
    written = [f"{v:.7e}" for v in rng.choice([-1, 1], 40) * 10.0 ** rng.uniform(10, 38, 40)] + ["9.996e+18"]
    cases = []
    for t in written:
        mantissa, power = t.split("e")
        for digits in range(len(mantissa.split(".")[1]), 1, -1):
            m = Decimal(mantissa).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
            p = int(power) + (abs(m) >= 10)
            m = m.scaleb(-1).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP) if abs(m) >= 10 else m
            cases.append((t, f"net {m} x 10^{p}"))
    shown = page.evaluate("""async cs => { const n = await import('/static/numbers.js');
        return cs.map(([t, want]) => n.cardLine("net ", t, want.length, s => s.length)); }""", cases)
    assert shown == [want for _, want in cases]
    assert "net 1.00 x 10^19" in shown


def torch_outputs(s):
    """The outputs of the float32 network for its sample, by torch in float32."""
    import torch
    out = torch.tensor(s.X, dtype=torch.float32)
    for lay in s.net.dense_layers:
        out = out @ torch.tensor(lay.W) + torch.tensor(lay.b)
    return [float(v) for v in out[0]]


def correctly_rounded(written, value):
    """`written` ("-2.5941 x 10^18", three figures at least) is `value` rounded to its digits (half away from zero,
    as written)."""
    mantissa, power = written.split(" x 10^")
    digits = len(mantissa.split(".")[1])
    want = Decimal(repr(value)).scaleb(-int(power)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    return digits >= 2 and Decimal(mantissa) == want


def power_on_one_line(element):
    """The characters from " x 10^" to the end of `element`'s text all on one line: a number that needs two lines
    breaks before its power of ten, not inside it ("6.729217 x" over "10^36")."""
    tops = element.evaluate("""e => { const tops = [], walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
        for (let n; (n = walk.nextNode());) for (let i = 0; i < n.length; i++) {
            const r = document.createRange(); r.setStart(n, i); r.setEnd(n, i + 1);
            tops.push([n.data[i], Math.round(r.getBoundingClientRect().top)]); }
        return tops; }""")
    text = "".join(c for c, _ in tops)
    return len({top for _, top in tops[text.index("x 10^"):]}) == 1


# every target's text inside what the drawing's scrolling box shows (its client width: the drawing itself may be
# wider, the rest scrolled out of sight)
INSIDE = """() => { const wrap = document.querySelector('.graph-wrap'), box = wrap.getBoundingClientRect();
    const right = box.left + wrap.clientLeft + wrap.clientWidth;
    return [...document.querySelectorAll('[data-id="graph"] .target text')].map(t => {
        const r = t.getBoundingClientRect();
        return { text: t.textContent, right: r.right, inside: r.left >= box.left - 1 && r.right <= right + 1 };
    }); }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_the_total_error_and_each_outputs_error_write_a_power_of_ten_as_the_cards_do(browser, shots, width):
    """Weights 2^20 and inputs 0.25 and -0.5: every product and sum exact in float32, so the outputs (-9 x 2^58),
    their errors and the digits the page writes are the same on every BLAS kernel (with 1e6 and the drawn inputs
    a kernel that fuses multiply-adds changed the last digits, and with them the page's layout)."""
    opened = []
    net = big_float32_net()
    for layer in net.dense_layers:
        layer.W[:] = 2.0 ** 20

    def session(start):
        opened.append(Session(start))
        opened[-1].X[:] = [0.25, -0.5]
        opened[-1]._fresh()
        return opened[-1]
    with fixtures.model_page(browser, net, session=session) as page:
        page.set_viewport_size({"width": width, "height": 800})
        errors, total = torch_errors(opened[-1])
        assert opened[-1].net.predict(opened[-1].X).tolist() == [[-9 * 2.0 ** 58] * 2]
        shown = page.inner_text('[data-id="etotal"]')
        assert "e+" not in shown and shown.startswith(powered(f"{total:.4e}")[:4]), shown
        assert float(shown.replace(" x 10^", "e")) == pytest.approx(total, rel=1e-6)
        cards = fixtures.graph_text(page)
        assert width < 800 or " x 10^18" in cards                    # the cards' outputs, near 1e18 (a phone's: none)
        if width >= 800:              # narrowed cards (the outputs in full left the lines no room): digits that fit
            for k, out in enumerate(torch_outputs(opened[-1]), start=1):
                line = page.locator(f'.unit[data-name="o{k}"] .unit-value').first.text_content()
                assert correctly_rounded(line.removeprefix("net "), out), (line, out)
        assert power_on_one_line(page.locator('[data-id="etotal"]')), shown
        for k, e in enumerate(errors, start=1):
            line = page.locator(f'.target[data-name="o{k}"] .target-error').evaluate(    # a phone's: on two lines
                "e => [...e.childNodes].map(n => n.textContent).join(' ')")
            assert "e+" not in line, line
            value = line.split(" = ")[1]
            if width < 640:                                          # a phone's short form (test_explorer_8)
                assert value == test_explorer_8.short_form(e), line
            else:
                assert float(value.replace(" x 10^", "e")) == pytest.approx(e, rel=1e-6), line
        inside = page.evaluate(INSIDE)
        page.screenshot(path=str(shots / f"explore-big-errors-{width}.png"))
        page.locator(".graph-wrap").screenshot(path=str(shots / f"explore-big-errors-{width}-drawing.png"))
        assert all(t["inside"] for t in inside) and fixtures.no_horizontal_overflow(page), inside


def saturated_sigmoid_net():
    """2-2-1, sigmoid, float64, the first layer's net -400 for every input: sigmoid'(-400) = 1.9e-174, its dE/dW
    near 1e-175, whose squares (1e-350) vanish in float64."""
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 1, "sigmoid")], loss="mse", seed=1)
    first = net.dense_layers[0]
    first.W[:] = 0.0
    first.b[:] = -400.0
    return net


def scaled_torch_norm(g):
    """torch's norm of g divided by its largest entry, times that entry: the norm where g's squares vanish."""
    import torch
    t = torch.as_tensor(np.asarray(g, dtype=np.float64))
    top = t.abs().max()
    return float(top * torch.linalg.vector_norm(t / top))


def test_a_saturated_sigmoids_tiny_gradient_norm_is_not_zero(browser, shots):
    import torch
    opened = []

    def session(start):
        opened.append(Session(start))
        return opened[-1]
    with fixtures.model_page(browser, saturated_sigmoid_net(), session=session) as page:
        expect(page.locator('[data-id="norms"] .norm-row')).to_have_count(2)
        s = opened[-1]
        params = [torch.tensor(a, requires_grad=True) for lay in s.net.dense_layers for a in (lay.W, lay.b)]
        out = torch.sigmoid(torch.sigmoid(torch.tensor(s.X) @ params[0] + params[1]) @ params[2] + params[3])
        g = torch.autograd.grad(((out - torch.tensor(s.Y)) ** 2).mean(dim=1).mean(), params[0])[0]
        truth = scaled_torch_norm(g)
        assert 0 < truth < 1e-160 and float(torch.linalg.vector_norm(g)) == 0.0, truth   # torch's plain norm: 0
        assert s.state()["grad_norms"][0]["norm"] == pytest.approx(truth, rel=1e-12, abs=0)
        row = page.evaluate(ROWS)[0]
        assert row["value"] == test_explorer_8.short_form(truth), row
        assert "zero" not in row["title"], row


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_clippings_norm_of_gradients_whose_squares_vanish_is_their_scaled_norm(dtype):
    from chainrule.training.clipping import global_norm
    tiny = 1e-25 if dtype == "float32" else 1e-170
    grads = np.array([3.0, -4.0, 1.0, 2.0], dtype=dtype) * np.array(tiny, dtype=dtype)
    truth = scaled_torch_norm(grads)                    # the four entries' norm: 1e-25 or 1e-170 times sqrt(30)
    assert global_norm(grads, [slice(0, 2), slice(2, 4)]) == pytest.approx(truth, rel=1e-6, abs=0)


class NanWeight(Session):
    """The seed's state with w1 NaN and w5's gradient infinite, shown after a backward pass: what the drawing makes
    of a weight and a gradient past finite (the engine gives them on a diverged network)."""

    def state(self):
        s = super().state()
        s["phase"] = "backward"
        for p in s["params"]:
            p["value"] = float("nan") if p["name"] == "w1" else p["value"]
            p["grad"] = float("inf") if p["name"] == "w5" else p["grad"]
        return fixtures_clean(s)


WIRES = """() => Object.fromEntries([...document.querySelectorAll('[data-id="graph"] .edge')].map(g => [
    g.dataset.name, ['stroke-width', 'stroke-opacity'].map(a => g.querySelector('.wire').getAttribute(a))]))"""


def test_a_nan_weight_and_an_infinite_gradient_leave_the_other_lines_scaled(browser, shots):
    """Widths scale by the largest finite |weight| and strengths by the largest finite |gradient| (as the charts'
    scales do): 1.2 + 6 |w| / max and 0.2 + 0.8 |g| / max of the seed's own numbers, the infinite one at full
    strength."""
    twin = Session().state()
    with fixtures.model_page(browser, None, session=lambda _: NanWeight()) as page:
        page.click('[data-act="backward"]')
        wires = page.evaluate(WIRES)
        page.screenshot(path=str(shots / "explore-nan-weight.png"))
    finite = [p for p in twin["params"] if p["name"] != "w1"]
    top_w = max(abs(p["value"]) for p in finite)
    top_g = max(abs(p["grad"]) for p in finite if p["name"] != "w5")
    for p in finite:
        width, opacity = (float(v) for v in wires[p["name"]])
        assert width == pytest.approx(1.2 + 6 * abs(p["value"]) / top_w, rel=1e-9), p["name"]
        strength = 1.0 if p["name"] == "w5" else abs(p["grad"]) / top_g
        assert opacity == pytest.approx(0.2 + 0.8 * strength, abs=6e-4), p["name"]
    assert float(wires["w1"][0]) == 1.2                        # NaN: the thinnest line, not a width of NaN


class WideNorms(Session):
    """The seed's state with the gradient norms a diverging and a vanishing layer give: the widest short forms."""

    def state(self):
        s = super().state()
        s["grad_norms"][0]["norm"], s["grad_norms"][1]["norm"] = 9.48e30, 5.002e-6
        return fixtures_clean(s)


NORM_LINES = """() => [...document.querySelectorAll('[data-id="norms"] .norm-row')].map(row => {
    const v = row.querySelector('.norm-value'), range = document.createRange(), card = row.closest('.card');
    range.selectNodeContents(v);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
    const inner = card.getBoundingClientRect().right - parseFloat(getComputedStyle(card).paddingRight);
    return { text: v.textContent, lines, right: range.getBoundingClientRect().right, inner,
             bar: row.querySelector('.norm-track').getBoundingClientRect().width }; })"""


@pytest.mark.parametrize("width", [1280, 390])
def test_large_and_small_gradient_norms_stay_on_one_line_inside_their_card(browser, shots, width):
    with fixtures.model_page(browser, None, session=lambda _: WideNorms()) as page:
        page.set_viewport_size({"width": width, "height": 800})
        expect(page.locator('[data-id="norms"] .norm-row')).to_have_count(2)
        page.wait_for_timeout(100)
        rows = page.evaluate(NORM_LINES)
        page.locator(".norms-card").screenshot(path=str(shots / f"explore-wide-norms-{width}.png"))
    assert [r["text"] for r in rows] == [test_explorer_8.short_form(9.48e30), test_explorer_8.short_form(5.002e-6)]
    for r in rows:
        assert r["lines"] == 1 and r["right"] <= r["inner"] + 0.5 and r["bar"] >= 40, r
