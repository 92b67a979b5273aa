"""The explorer's e-notation written one way everywhere: a number of a finite pass from 10^10 and below 10^-6
in the chain rule's factors as in its values, its mantissa without trailing zeros (2e+10, not 2.000000e+10)."""
import re

import numpy as np
import pandas as pd
import test_explore_browser as fixtures
import torch
from playwright.sync_api import expect
from test_explorer_refused import threshold_net

import chainrule as cr
from chainrule.teach.explore import derive, view
from chainrule.teach.explore.session import Session, Start

browser, shots, server, page = fixtures.browser, fixtures.shots, fixtures.server, fixtures.page  # this module's own
PADDED = re.compile(r"\d\.\d*0e[+-]\d")          # 2.000000e+10, 1.500000e-07: zeros before the e


def big_small_net(alpha=0.0):
    """1-1-1 linear, float64: w1 = 2 x 10^10 (h1 = 2 x 10^10 for the input 1), w2 = 10^-7 (the output 2000)."""
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse", seed=1)
    net.weight_penalty = alpha
    net.dense_layers[0].W[:], net.dense_layers[0].b[:] = 2e10, 0.0
    net.dense_layers[1].W[:], net.dense_layers[1].b[:] = 1e-7, 0.0
    return net


def torch_pass(net, x, y):
    """PyTorch's float64 pass: h1's output and dE/dw2 (mean squared error)."""
    w1, w2 = (torch.tensor(lay.W, requires_grad=True) for lay in net.dense_layers)
    h = torch.tensor([[x]], dtype=torch.float64) @ w1.detach()
    E = ((h @ w2 - y) ** 2).mean()
    return h.item(), torch.autograd.grad(E, w2)[0].item()


def inputs_set(x, y=None):
    """A page's session whose every input is `x` (and target `y`), its pass computed afresh."""
    def session(start):
        s = Session(start)
        s.X[:] = x
        if y is not None:
            s.Y[:] = y
        s._fresh()
        return s
    return session


def test_a_factor_is_written_as_its_value_without_the_mantissas_trailing_zeros():
    """The chain rule of w2 wrote out_h1 = 2 x 10^10 as the value "2e+10" and, one line below, as the factor
    "2.000000e+10"; net_o1's sum wrote w2 "1.000000e-07". Each factor is now written as its value."""
    net = big_small_net()
    h, grad = torch_pass(net, 1.0, 0.5)
    assert (h, grad) == (2e10, 2 * (2000 - 0.5) * 2e10)
    d = cr.explain(net, np.array([[1.0]]), np.array([[0.5]])).to_dict()
    w2 = next(p for p in d["parameters"] if p["name"] == "w2")
    lines = derive.parameter_lines(d, w2) + derive.neuron_lines(d, "o1") + derive.neuron_lines(d, "h1")
    by_lhs = {line["lhs"]: line for line in lines}
    assert by_lhs["dnet_o1/dw2"]["value"] == "2e+10" and by_lhs["dE/dw2"]["value"] == "7.998e+13"   # torch's
    assert by_lhs["dE/dw2"]["numbers"].split(" * ")[-1] == by_lhs["dnet_o1/dw2"]["value"]
    assert by_lhs["net_o1"]["numbers"] == "1e-07*2e+10 + 0*1"
    padded = [(line["lhs"], text) for line in lines for text in (line["numbers"], line["value"], line.get("note", ""))
              if PADDED.search(text)]
    assert not padded, padded


def test_the_weight_penaltys_words_write_the_weight_as_its_value():
    """A weight penalty's words under a sample's derivation: "alpha * w1 / m = ... + 0.1 * 2.000000e+10 / 2" where
    the drawing and the chain rule write w1 2e+10."""
    table = pd.DataFrame({"a": np.linspace(-1, 1, 30), "y": np.linspace(0, 1, 30)})
    s = Session(Start(big_small_net(alpha=0.1), table=table, target="y", name="model.npz"))
    s.selected = "w1"
    state = view.state(s)
    w1 = next(p for p in state["params"] if p["name"] == "w1")
    assert not state["explained"]["whole_batch"] and w1["shown"]["value"] == "2e+10"
    note = state["derivation"]["note"]
    assert "* 2e+10 /" in note and not PADDED.search(note), note


def test_an_inputs_label_writes_its_e_notation_as_a_power_of_ten(browser):
    """A CSV file's input of 1e-7 (standardised): the drawing's label beside its unit read "a = 1e-07 (...
    raw)", the server's e-notation, where every other label, card and the readout write "1 x 10^-7"."""
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})

    def session(_):
        net = threshold_net()
        net.dense_layers[0].b[:] = -150.0          # every training row's pass finite
        s = Session(Start(net, table=table, target="y", name="model.npz"))
        s.X[s.sample] = 1e-7                       # the drawn sample's input, standardised
        s._fresh()
        return s
    with fixtures.model_page(browser, None, session=session) as page:
        label = page.locator('.unit[data-name="i1"] .unit-label')
        expect(label).to_contain_text("a = 1 x 10^-7 (")


def test_an_unnamed_inputs_value_beside_its_unit_is_a_power_of_ten(browser):
    """A model's input (no column names) of -2.5 x 10^-8, beside its unit: "-2.5e-08" where the readout and the
    cards write a power of ten."""
    net = cr.Network([cr.Dense(1, 1, "linear") for _ in range(5)], loss="mse", seed=1)

    session = inputs_set(-2.5e-8)
    with fixtures.model_page(browser, net, session=session) as page:
        expect(page.locator('.unit[data-name="i1"] .unit-label')).to_have_text("-2.5 x 10^-8")


def test_a_tooltip_keeps_every_digit_and_writes_its_power_of_ten_as_the_label_beside_it(browser):
    """1-1-1 linear, float64, the input 0.5, w1 = 5.4 x 10^199, w2 = 10^-190: every number finite (PyTorch's).
    The line's label read "5.4 x 10^199" and its tooltip "w1 = 5.4e+199", the server's e-notation; the tooltips
    of lines, neurons and targets (and the line's name read aloud, its editor's field's tooltip) now write the
    label's power of ten, with the same seven figures."""
    from test_explorer_refused import seven_figures
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse", seed=1)
    net.dense_layers[0].W[:], net.dense_layers[0].b[:] = 5.4e199, 0.0
    net.dense_layers[1].W[:], net.dense_layers[1].b[:] = 1e-190, 0.0
    w1, w2 = (torch.tensor(lay.W, requires_grad=True) for lay in net.dense_layers)
    h = torch.tensor([[0.5]], dtype=torch.float64) @ w1
    out = h @ w2

    session = inputs_set(0.5, 0.0)
    with fixtures.model_page(browser, net, session=session) as page:
        page.click('[data-act="backward"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        E = (out ** 2).mean()                      # mse, the target 0
        g1, g2 = torch.autograd.grad(E, [w1, w2])

        def title(selector):
            return page.locator(f'[data-id="graph"] {selector} > title').text_content()
        assert title('.edge[data-name="w1"]') == f"w1 = 5.4 x 10^199\n∂E/∂w1 = {seven_figures(g1.item())}"
        assert title('.edge[data-name="w2"]') == f"w2 = 1 x 10^-190\n∂E/∂w2 = {seven_figures(g2.item())}"
        assert title('.unit[data-name="h1"]').split("\n")[1:3] == [f"net {seven_figures(h.item())}",
                                                                   f"out {seven_figures(h.item())}"]
        assert title(".target").endswith(f"\nE_o1 = {seven_figures(E.item())}")
        assert page.get_attribute('.edge[data-name="w1"]', "aria-label") == "w1 = 5.4 x 10^199"
        page.focus('.edge[data-name="w1"]')
        page.keyboard.press("Enter")                # its editor: the field's tooltip the full value, so written
        expect(page.locator(".editor input")).to_have_attribute("title", "5.4 x 10^199")
        every = page.locator('[data-id="graph"] title').all_text_contents()
        assert not [t for t in every if re.search(r"\de[+-]?\d", t)], every


def test_the_chain_rule_panel_writes_its_numbers_as_the_cards_do_in_brackets_where_a_power_needs_them(browser, shots):
    """1-1-1 linear, float64, w1 = 2 x 10^10, w2 = 10^-7, the input 0.25 and target 0: the panel wrote explain's
    e-notation ("dE/dw2 = ... = 5.4e+12", "1e-07 - 0.5 * 5.4e+12") where the cards and labels write "x 10^". It
    writes the page's notation, with brackets where the power would run into the next operator or follow a
    division, and large numbers in groups of three, as the cards do (the values PyTorch's)."""
    net = big_small_net()
    w1, w2 = (torch.tensor(lay.W, requires_grad=True) for lay in net.dense_layers)
    h = torch.tensor([[0.25]], dtype=torch.float64) @ w1
    E = ((h @ w2) ** 2).mean()
    g2 = torch.autograd.grad(E, w2)[0].item()
    assert (h.item(), g2) == (5e9, 2 * 500 * 5e9)            # 5 x 10^12

    session = inputs_set(0.25, 0.0)
    with fixtures.model_page(browser, net, session=session) as page:
        page.click('.labels [data-name="w2"]')
        expect(page.locator('[data-id="derivation"]')).to_contain_text("w2: the weight")
        text = fixtures.derivation(page)
        page.locator('[data-id="derivation"]').screenshot(path=str(shots / "explore-panel-powers.png"))
        assert not re.search(r"\de[+-]?\d", text), text
        assert "= 1000 · 1 · 5,000,000,000 = 5 x 10^12" in text, text      # torch's dE/dw2
        assert "= (1 x 10^-7) - 0.5 · 5 x 10^12 = -2.5 x 10^12" in text, text
        page.click('.unit[data-name="o1"]')
        expect(page.locator('[data-id="derivation"]')).to_contain_text("o1: its forward pass")
        assert "= (1 x 10^-7) · 5,000,000,000 + 0 · 1 = 500" in fixtures.derivation(page)
        cards = " | ".join(page.locator('[data-id="graph"] text').all_text_contents())
        assert "5,000,000,000" in cards, cards          # the card's writing of out_h1, as the panel's


def test_the_panels_note_writes_its_sums_and_names_as_the_lines_above_it(page):
    """The seed's w1: the note under the panel's lines wrote "dE/dout_h1's 0.055399425 + (-0.019049118) gives
    0.036350307" and "0.5 * x" (explain's writing) under lines that write ∂E/∂out_h1 and "0.5 · x". It writes the
    lines' notation; its sum of the two rounded terms is the one Decimal gives."""
    from decimal import Decimal
    page.focus('.edge[data-name="w1"]')
    page.keyboard.press("Enter")
    expect(page.locator('[data-id="derivation"]')).to_contain_text("w1: the weight")
    note = page.locator('[data-id="derivation-note"]').inner_text()
    rounded = Decimal("0.055399425") + Decimal("-0.019049118")
    assert f"∂E/∂outh1's 0.055399425 + (-0.019049118) gives {rounded}" in note, note
    text = fixtures.derivation(page)
    assert "dE/d" not in text and "*" not in text, text


def test_a_power_before_the_notes_words_in_brackets_is_not_bracketed_itself(browser):
    """A 2-2-2 sigmoid network with weights near 10^-8: b_h1's note ended "gives 3.729852 x 10^-10, not
    (3.729853 x 10^-10) (and 1 more line below)", the bracket rule for a product written without a sign
    ("7.5 x 10^-10(1 - ...)") taking the words' bracket for one. The card now writes the output deltas its paths
    read first, so the targets 0 and 1 make a path's product the first line whose rounded numbers give another
    last digit: its figure, PyTorch's dE/dnet_o1 times w5, is written as the one before it, unbracketed."""
    X = np.array([[-7.434992493538084e-09, -9.217253762584195e-09]])
    W = [np.array([[-1.2459109472530651e-08, -7.322673547034516e-09],
                   [-5.442589828573099e-09, -3.1630015636915456e-09]]),
         np.array([[-1.2853466294403426e-09, 1.366463470549686e-08],
                   [-6.651946734866135e-09, 3.515100700930197e-09]])]
    b = [np.array([4.116305363741329e-09, 1.0425133694426777e-08]),
         np.array([9.034701816518086e-09, 9.401229776087456e-10])]
    net = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], loss="mse", seed=1)
    for lay, w, c in zip(net.dense_layers, W, b):
        lay.W[:], lay.b[:] = w, c

    session = inputs_set(X, [[0.0, 1.0]])
    with fixtures.model_page(browser, net, session=session) as page:
        Y = torch.tensor(session(Start(net)).Y)
        z = (torch.sigmoid(torch.tensor(X) @ torch.tensor(W[0]) + torch.tensor(b[0])) @ torch.tensor(W[1])
             + torch.tensor(b[1])).requires_grad_()
        delta = torch.autograd.grad(((torch.sigmoid(z) - Y) ** 2).mean(), z)[0][0, 0].item()
        mantissa, power = f"{delta * W[1][0, 0]:.6e}".split("e")
        page.focus('.edge[data-name="b_h1"]')
        page.keyboard.press("Enter")
        expect(page.locator('[data-id="derivation"]')).to_contain_text("the bias from the bias unit to h1")
        note = page.locator('[data-id="derivation-note"]').inner_text()
        figure = re.escape(f"not {mantissa} x 10^{int(power)} (and ")
        assert re.search(rf"outh1's .*, {figure}\d+ more lines below\)\.", note), note
