"""A network whose pass overflows its dtype, which `explain` refuses, opens in the explorer all the same: the drawing,
its weights editable, explain's refusal in the page's banner, the pass's own numbers (infinity where it overflowed,
never another dtype's); a weight lowered brings the chain rule back. So does a network a Step or a typed weight
takes past its range.

Oracles: explain's own refusal (cr.explain raised on the same network and sample), PyTorch's pass in the network's
dtype, the page's DOM in chromium (test_explore_browser's fixtures: a server on 127.0.0.1, Debian's chromium)."""
import contextlib

import numpy as np
import pytest
import test_explore_browser as fixtures
import test_explorer_8
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.session import Session, Start

browser, shots = fixtures.browser, fixtures.shots  # this module's own


def chain(dtype, weight):
    """1-1-1-1-1-1, linear (four hidden layers of one unit), every weight `weight`."""
    net = cr.Network([cr.Dense(1, 1, "linear") for _ in range(5)], loss="mse", seed=1, dtype=dtype)
    for layer in net.dense_layers:
        layer.W[:] = weight
    return net


def torch_pass(net, X, Y):
    """Every layer's net input and the loss, by PyTorch in the network's dtype."""
    import torch
    out, nets = torch.tensor(np.asarray(X, net.dtype)), []
    for layer in net.dense_layers:
        out = out @ torch.tensor(layer.W) + torch.tensor(layer.b)
        nets.append(float(out[0, 0]))
    return nets, float(((out - torch.tensor(np.asarray(Y, net.dtype))) ** 2).mean())


def refusal(net, X, Y):
    with pytest.raises(cr.errors.ValidationError) as caught:
        cr.explain(net, X, Y)
    return str(caught.value)


def page_words(said, first=True):
    """explain's refusal `said` as the page says it: its body after the page's own words, not after the command
    line's prefix "explain:"."""
    assert said.startswith("explain: "), said
    return ("The" if first else "the") + " chain rule cannot be written out: " + said.removeprefix("explain: ")


def shown_refusal(net, X, Y):
    return page_words(refusal(net, X, Y))


@contextlib.contextmanager
def opened(browser, net):
    sessions = []

    def session(start):
        sessions.append(Session(start))
        return sessions[-1]
    with fixtures.model_page(browser, net, session=session) as page:
        yield page, sessions[-1]


def banner(page):
    return page.locator('[data-id="error-text"]')


def shown_nets(page):
    state = fixtures.server_state(page)
    return [float(u["net"][0]) if not isinstance(u["net"][0], dict) else float(u["net"][0]["__float__"])
            for layer in state["layers"][1:] for u in layer["units"]]


@pytest.mark.parametrize("dtype, weight", [("float32", 1e6), ("float64", 1e200)])
def test_a_network_whose_pass_overflows_opens_says_explains_refusal_and_shows_its_own_numbers(browser, shots,
                                                                                               dtype, weight):
    net = chain(dtype, weight)
    with opened(browser, net) as (page, s):
        said = refusal(net, s.X, s.Y)
        assert "nothing finite to show" in said
        expect(banner(page)).to_have_text(page_words(said))
        expect(page.locator('.edge[data-name="w1"]')).to_have_count(1)    # the drawing
        nets, E = torch_pass(net, s.X, s.Y)
        assert not np.isfinite(E)
        assert shown_nets(page) == nets                   # the pass's own numbers, in its dtype
        expect(page.locator('[data-id="etotal"]')).to_contain_text("inf")
        page.screenshot(path=str(shots / f"explore-refused-{dtype}.png"))


def set_weight(page, name, text):
    page.focus(f'.edge[data-name="{name}"]')           # a level line: no height to click, the keyboard selects it
    page.keyboard.press("Enter")
    expect(page.locator(".cr-explore.busy")).to_have_count(0)
    page.fill(".editor input", text)
    page.click(".editor button")
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


def test_a_weight_lowered_brings_the_numbers_and_the_chain_rule(browser, shots):
    with opened(browser, chain("float32", 1e6)) as (page, s):
        expect(banner(page)).to_contain_text("nothing finite to show")
        page.focus('.edge[data-name="w2"]')
        page.keyboard.press("Enter")            # its panel: what it is, its editor, the refusal for a chain rule
        expect(page.locator('[data-id="derivation"]')).to_contain_text("w2: the weight from h1_1 to h2_1")
        expect(page.locator('[data-id="derivation"]')).to_contain_text("nothing finite to show")
        expect(page.locator(".editor input")).to_have_value("1000000")
        set_weight(page, "w1", "1e-20")
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        net = chain("float32", 1e6)
        net.dense_layers[0].W[:] = 1e-20
        nets, E = torch_pass(net, s.X, s.Y)
        assert np.isfinite(E) and shown_nets(page) == nets
        assert page.inner_text('[data-id="etotal"]').replace(",", "") == fixtures.fmt(net.loss(s.X, s.Y))
        expect(page.locator('[data-id="derivation"] .eq')).not_to_have_count(0)       # the chain rule is back
        page.screenshot(path=str(shots / "explore-refused-lowered.png"))


def test_a_typed_weight_or_a_step_that_overflows_shows_the_network_and_the_refusal(browser, shots):
    with opened(browser, chain("float32", 3000.0)) as (page, s):
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        set_weight(page, "w3", "1e6")                    # typed: the pass overflows
        net = chain("float32", 3000.0)
        net.dense_layers[2].W[:] = 1e6
        expect(banner(page)).to_have_text(shown_refusal(net, s.X, s.Y))
        assert next(p["value"] for p in fixtures.server_state(page)["params"] if p["name"] == "w3") == 1e6   # kept
        assert shown_nets(page) == torch_pass(net, s.X, s.Y)[0]
        set_weight(page, "w3", "3000")                   # back in range: the numbers come back
        expect(page.locator('[data-id="error"]')).to_be_hidden()
    with opened(browser, chain("float32", 30.0)) as (page, s):       # a Step whose new weights overflow the pass
        net = chain("float32", 30.0)
        before = fixtures.server_state(page)
        page.click('[data-act="step"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        net.step(s.X, s.Y, before["optimizer"]["settings"]["lr"])
        expect(banner(page)).to_have_text(shown_refusal(net, s.X, s.Y))
        assert fixtures.server_state(page)["steps"] == 1 and shown_nets(page) == torch_pass(net, s.X, s.Y)[0]
        page.screenshot(path=str(shots / "explore-refused-step.png"))


def test_an_overflowed_pass_shows_each_outputs_error_term_as_explain_writes_it():
    """Two outputs, the first past float32's range, the second finite: the page's E_o2 is the loss's own term,
    (target - out)^2 for mse (PyTorch's MSELoss without reduction), which the readout's line "E_total = (E_o1 + E_o2)
    / n_outputs" then averages, as explain's report writes every E_o; it read half that."""
    import torch

    from chainrule.teach.explore import view
    net = cr.Network([cr.Dense(1, 2, "linear"), cr.Dense(2, 2, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:] = [[1e20, 0.5]]
    net.dense_layers[1].W[:] = [[1e20, 0.0], [0.0, 0.5]]
    s = Session(Start(net, name="model.npz"))
    state = view.state(s)
    assert "nothing finite to show" in state["refused"]
    out = torch.tensor(s.X, dtype=torch.float32)
    for layer in net.dense_layers:
        out = out @ torch.tensor(layer.W) + torch.tensor(layer.b)
    terms = torch.nn.MSELoss(reduction="none")(out, torch.tensor(s.Y, dtype=torch.float32))[0]
    assert state["E_how"]["line"] == "E_total = (E_o1 + E_o2) / n_outputs"
    e1, e2 = (e["value"][0] for e in state["errors"])
    assert not np.isfinite(float(e1["__float__"] if isinstance(e1, dict) else e1)) and not np.isfinite(float(terms[0]))
    assert e2 == pytest.approx(float(terms[1]), rel=1e-6)


def test_a_saved_export_leaves_the_refusal_of_a_pass_that_still_overflows_in_the_banner(browser):
    """Export, Model (.npz) of a network whose pass overflows: the saved export answered without an error, which
    cleared the banner, and explain's refusal was gone while its network was unchanged."""
    net = chain("float32", 1e6)
    with opened(browser, net) as (page, s):
        said = shown_refusal(net, s.X, s.Y)
        expect(banner(page)).to_have_text(said)
        page.click('[data-id="export-menu"] summary')
        with page.expect_download():
            page.click('[data-export="model.npz"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        expect(banner(page)).to_have_text(said)
        expect(page.locator('[data-id="error"]')).to_be_visible()


def test_a_batch_that_overflows_where_the_explained_sample_does_not_says_so_in_the_pages_terms():
    """A CSV file's 16 samples, the explained one (sample 1) finite, 7 others past float32: the banner read the
    engine's "7 of the 16 rows of X (first: row 2) ... Layer 1 (Dense(1, 1, ...)) ... or use dtype='float64'",
    words for the Python API (0-based rows and layers, a dtype the page cannot set). It says which training sample
    (counted from 1, as the page counts them) and explain's own refusal of that sample's pass."""
    import pandas as pd
    import torch

    from chainrule.teach.explore import view
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})
    net = cr.Network([cr.Dense(1, 1, "relu"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = -1e30, 1e30
    s = Session(Start(net, table=table, target="y", name="model.npz"))
    hidden = torch.relu(torch.tensor(s.X, dtype=torch.float32) @ torch.tensor(net.dense_layers[0].W)
                        + torch.tensor(net.dense_layers[0].b))
    out = hidden @ torch.tensor(net.dense_layers[1].W) + torch.tensor(net.dense_layers[1].b)
    bad = [k for k in range(len(s.X)) if not torch.isfinite(out[k]).all()]
    assert s.sample not in bad and bad
    state = view.state(s)
    first = bad[0]
    assert state["refused"] == (f"{len(bad)} of the {len(s.X)} training samples overflow; sample {first + 1}: "
                                + page_words(refusal(net, s.X[first:first + 1], s.Y[first:first + 1]), first=False)
                                + f" (the chain-rule panel follows sample {s.sample + 1}, whose pass is finite)")


def test_a_csv_files_refusal_speaks_of_the_sample_the_chain_rule_panel_follows():
    """A CSV file's 16 samples, 7 past float32 (PyTorch's pass), the panel following one that overflows: the banner
    said explain's refusal of that sample alone (no count, no sample named), and with the panel on a finite sample
    it named the first that overflows, with nothing on the panel's. It names the panel's sample where that one
    overflows, with the count, and says the panel's is finite where it is not."""
    import pandas as pd
    import torch

    from chainrule.teach.explore import view
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})
    net = cr.Network([cr.Dense(1, 1, "relu"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = -1e30, 1e30
    s = Session(Start(net, table=table, target="y", name="model.npz"))
    hidden = torch.relu(torch.tensor(s.X, dtype=torch.float32) @ torch.tensor(net.dense_layers[0].W))
    out = hidden @ torch.tensor(net.dense_layers[1].W)
    bad = [k for k in range(len(s.X)) if not torch.isfinite(out[k]).all()]
    assert 1 < len(bad) < len(s.X)
    k = bad[-1]                                 # not the first that overflows
    s.act("set_sample", {"sample": k})
    state = view.state(s)
    assert state["explained"]["sample"] == k and state["derivation"] is None
    words = page_words(refusal(net, s.X[k:k + 1], s.Y[k:k + 1]), first=False)
    assert state["refused"] == (f"{len(bad)} of the {len(s.X)} training samples overflow; sample {k + 1} "
                                f"(the one the chain-rule panel follows): {words}")
    s.act("select", {"name": "w1"})
    assert view.state(s)["derivation"]["note"] == words[0].upper() + words[1:]      # the panel's: the same sample
    fine = next(j for j in range(len(s.X)) if j not in bad)
    s.act("set_sample", {"sample": fine})
    assert view.state(s)["refused"].endswith(f" (the chain-rule panel follows sample {fine + 1}, whose pass is finite)")


def test_a_csv_files_refusal_counts_no_fewer_samples_than_overflow():
    """Float32, every unit finite but the squared error past 3.4 x 10^38 for 9 of the 16 samples (PyTorch's pass),
    the panel following one of them: the banner said "1 of the 16 training samples overflow", counting the
    units that overflow and the panel's sample alone. It counts the samples whose loss overflows too, and those whose
    gradient alone does (explain refuses each of them)."""
    import pandas as pd
    import torch

    from chainrule.teach.explore import view
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = 3e19, 1.0
    net.dense_layers[0].b[:] = net.dense_layers[1].b[:] = 0.0
    s = Session(Start(net, table=table, target="y", name="model.npz"))
    hidden = torch.tensor(s.X, dtype=torch.float32) @ torch.tensor(net.dense_layers[0].W)
    errors = ((hidden @ torch.tensor(net.dense_layers[1].W) - torch.tensor(s.Y)) ** 2).mean(axis=1)
    bad = [k for k in range(len(s.X)) if not torch.isfinite(errors[k])]
    assert torch.isfinite(hidden).all() and len(bad) == 9
    for k in set(range(len(s.X))) - set(bad):      # and 2 whose loss is finite, their gradient alone past float32
        W1, W2 = (torch.tensor(d.W, requires_grad=True) for d in net.dense_layers)
        out = torch.tensor(s.X[k:k + 1], dtype=torch.float32) @ W1 @ W2
        ((out - torch.tensor(s.Y[k:k + 1])) ** 2).mean().backward()
        if not (torch.isfinite(W1.grad).all() and torch.isfinite(W2.grad).all()):
            bad.append(k)
    assert len(bad) == 11
    k = max(bad)
    s.act("set_sample", {"sample": k})
    said = view.state(s)["refused"]
    words = page_words(refusal(net, s.X[k:k + 1], s.Y[k:k + 1]), first=False)
    assert said == f"11 of the 16 training samples overflow; sample {k + 1} (the one the chain-rule panel follows): " \
        f"{words}", said


def test_the_refused_pass_is_drawn_from_explains_own_structure():
    """The page's data of a pass that explain refuses is explain's to_dict structure (one writing of it, not a copy
    by hand that had lost the layers' weights, alpha and index): on a pass explain does write out (leaky_relu's
    alpha, a Dropout, three layers), every unit, target, error term and dropout is explain's, each parameter the
    same entry with its delta, E_total the engine's loss."""
    from chainrule.teach.explore import engine
    net = cr.Network([cr.Dense(2, 3, cr.nn.activations.LeakyReLU(0.2)), cr.Dropout(0.25), cr.Dense(3, 2, "tanh"),
                      cr.Dense(2, 2, "sigmoid")], loss="mse", seed=3)
    X, Y = np.array([[0.3, -0.7]]), np.array([[0.1, 0.9]])
    said = engine.overflowed_report(net, X, Y, "refused")
    d = cr.explain(net, X, Y).to_dict()
    for key in ("loss", "dtype", "n_samples", "inputs", "targets", "layers", "errors", "dropout"):
        assert said[key] == d[key], key
    assert said["layers"][0]["alpha"] == 0.2 and said["dropout"] == [{"rate": 0.25, "after": 0}]
    assert [{k: p[k] for k in ("name", "layer", "kind", "index", "from", "to", "trainable", "dE/dnet")}
            for p in d["parameters"]] == said["parameters"]
    assert said["E_total"] == net.loss(X, Y) and said["refused"] == "refused"


def off_scale_word(E):
    return "inf" if E == np.inf else "nan" if np.isnan(E) else None      # as the page writes them


def test_a_step_whose_loss_overflows_is_marked_on_the_loss_chart(browser, shots):
    """The loss curve left out a point of infinity or NaN without a word: after a Step that overflows it showed step 0
    alone. The point is an x at the top edge, at its step, in the train curve's colour, and the chart's key says the
    loss was inf (PyTorch's loss of the stepped network, in float32) at step 1."""
    with opened(browser, chain("float32", 30.0)) as (page, s):
        net = chain("float32", 30.0)
        lr = fixtures.server_state(page)["optimizer"]["settings"]["lr"]
        expect(page.locator('[data-id="key-off-scale"]')).to_be_hidden()
        page.click('[data-act="step"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        net.step(s.X, s.Y, lr)
        word = off_scale_word(torch_pass(net, s.X, s.Y)[1])
        assert word
        marks = page.locator('[data-id="loss"] .off-scale')
        expect(marks).to_have_count(1)
        assert marks.get_attribute("data-step") == "1" and marks.get_attribute("stroke") == "#2563eb"
        box, mark = page.locator('[data-id="loss"] .plot-bg').bounding_box(), marks.bounding_box()
        assert abs(mark["y"] + mark["height"] / 2 - box["y"]) < 2 and mark["x"] > box["x"] + box["width"] / 2
        expect(page.locator('[data-id="loss"] circle')).to_have_count(1)            # step 0, finite, still drawn
        expect(page.locator('[data-id="key-off-scale"]')).to_have_text(f"× train loss {word} at step 1")
        page.locator(".loss-card").screenshot(path=str(shots / "explore-loss-inf.png"))


def test_a_network_opened_with_a_loss_that_overflows_marks_step_0(browser):
    """No finite point at all (the network opened overflowed): the chart was empty; step 0 is marked and said."""
    net = chain("float64", 1e200)
    with opened(browser, net) as (page, s):
        word = off_scale_word(torch_pass(net, s.X, s.Y)[1])
        assert word
        marks = page.locator('[data-id="loss"] .off-scale')
        expect(marks).to_have_count(1)
        assert marks.get_attribute("data-step") == "0"
        expect(page.locator('[data-id="key-off-scale"]')).to_have_text(f"× train loss {word} at step 0")


def test_closing_the_refusal_keeps_it_closed_and_said_in_the_info_line_while_the_pass_overflows(browser, shots):
    """The banner's x closed explain's refusal, and the next redraw (a unit clicked) opened it again. Closed, it
    stays closed while the same refusal holds, and the info line says it; a pass explain writes out clears it, and
    an overflow after that opens the banner again."""
    net = chain("float32", 1e6)
    with opened(browser, net) as (page, s):
        said = shown_refusal(net, s.X, s.Y)
        expect(banner(page)).to_have_text(said)
        page.click('[data-id="error-close"]')
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_have_text(f"Still: t{said[1:]}")
        page.focus('.edge[data-name="w2"]')
        page.keyboard.press("Enter")                      # a redraw: the unit's panel
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        expect(page.locator('[data-id="derivation"]')).to_contain_text("w2: the weight from h1_1 to h2_1")
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_have_text(f"Still: t{said[1:]}")
        page.screenshot(path=str(shots / "explore-refused-closed.png"))
        set_weight(page, "w1", "1e-20")                  # the pass finite: nothing refused, nothing said
        expect(page.locator('[data-id="info"]')).to_be_hidden()
        set_weight(page, "w1", "1e6")                    # overflowing again: the banner opens
        expect(banner(page)).to_have_text(said)
        expect(page.locator('[data-id="info"]')).to_be_hidden()



def test_a_loss_of_zero_is_drawn_on_the_charts_axis(browser):
    """A network whose output is its target exactly (weight 0, bias the target): the loss is 0 (PyTorch's MSELoss),
    and the chart, which drew only losses above 0, was empty. Its point sits on the axis, labelled 0."""
    import torch
    net = cr.Network([cr.Dense(1, 1, "linear")], loss="mse", seed=1)
    first = Session(Start(net, name="model.npz"))          # the page's sample (drawn with seed 0)
    X, target = first.X, first.Y
    net.dense_layers[0].W[:], net.dense_layers[0].b[:] = 0.0, target[0]
    out = torch.tensor(X) @ torch.tensor(net.dense_layers[0].W) + torch.tensor(net.dense_layers[0].b)
    assert float(torch.nn.MSELoss()(out, torch.tensor(target))) == 0
    with opened(browser, net) as (page, s):
        assert (s.Y == target).all()
        points = page.locator('[data-id="loss"] circle')
        expect(points).to_have_count(1)
        box, point = page.locator('[data-id="loss"] .plot-bg').bounding_box(), points.bounding_box()
        assert abs(point["y"] + point["height"] / 2 - (box["y"] + box["height"])) < 2      # on the axis
        expect(page.locator('[data-id="loss"] .axis-label.end').first).to_have_text("0")


def test_a_loss_of_nan_is_said_in_the_charts_key_as_the_readout_writes_it(browser):
    """inf - inf in the output's sum (a hidden unit +inf, one -inf): PyTorch's loss is NaN. The chart's key wrote it
    "NaN" where the readout and the reports write "nan" (and "inf", as the key does); it says "nan" as they do."""
    import torch
    net = cr.Network([cr.Dense(1, 2, "linear"), cr.Dense(2, 2, "linear"), cr.Dense(2, 1, "linear")], loss="mse",
                     seed=1)
    for layer, W in zip(net.dense_layers, ([[1e200, -1e200]], [[1e200, 0], [0, 1e200]], [[1], [1]])):
        layer.W[:], layer.b[:] = W, 0
    with opened(browser, net) as (page, s):
        out = torch.tensor(s.X)
        for layer in net.dense_layers:
            out = out @ torch.tensor(layer.W)
        assert torch.isnan(torch.nn.MSELoss()(out, torch.tensor(s.Y)))
        expect(page.locator('[data-id="etotal"]')).to_contain_text("nan")
        expect(page.locator('[data-id="loss"] .off-scale')).to_have_count(1)
        expect(page.locator('[data-id="key-off-scale"]')).to_have_text("× train loss nan at step 0")


def test_a_loss_that_overflowed_stays_on_the_curve_when_the_older_points_are_thinned(monkeypatch):
    """The curve keeps at most MAX_HISTORY points, thinning the older half to every other one: a Step whose loss was
    inf (PyTorch's pass of the stepped network) fell out of it once the teacher lowered the weights and trained on,
    its × and the key's words gone. A thinned pair keeps the point that overflowed."""
    from chainrule.teach.explore import session
    monkeypatch.setattr(session, "MAX_HISTORY", 20)
    s = Session(Start(chain("float32", 30.0), name="model.npz"))
    s.act("step")
    E = torch_pass(s.net, s.X, s.Y)[1]
    assert E == np.inf
    for p in s.report["parameters"]:                  # lowered: finite again, and training on
        s.act("set_param", {"name": p["name"], "value": 0.5 if p["kind"] == "W" else 0.0})
    for _ in range(8):
        s.act("train", {"steps": 5})
    h = s.history
    assert len(h["step"]) <= 20 and h["step"][0] == 0 and h["step"][-1] == 41
    assert [(st, E) for st, v in zip(h["step"], h["train"]) if not np.isfinite(v)] == [(1, E)]


def decoded(state):
    """The page's state as the page reads it: {"__float__": "Infinity"} back as the float."""
    import json

    from chainrule.saving.npzcheck import as_float
    return json.loads(json.dumps(state), object_hook=as_float)


def same_float(a, b):
    return (np.isnan(a) and np.isnan(b)) or a == b


def test_a_refused_passs_unit_values_are_pytorchs_in_the_networks_dtype_inf_and_nan_included():
    """2-3-2, float32, tanh outputs, the sample (2, -1): h1's net input past float32 (each product alone overflows:
    inf on every BLAS kernel), h2 = 1.5, h3 = 10^30; o1 reads h1 (inf, tanh 1), o2 reads it with weight 0 (inf x 0:
    NaN). Every unit's net and out on the page is PyTorch's float32 pass of the same weights, inf and NaN where
    PyTorch gives them (explain refuses the pass)."""
    import torch

    from chainrule.teach.explore import view
    net = cr.Network([cr.Dense(2, 3, "linear"), cr.Dense(3, 2, "tanh")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:] = [[3e38, 1.0, 1e30], [-3e38, 0.5, 1e30]]
    net.dense_layers[1].W[:] = [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]
    for layer in net.dense_layers:
        layer.b[:] = 0.0
    s = Session(Start(net, name="model.npz"))
    s.X[:] = [2.0, -1.0]
    s._fresh()
    state = decoded(view.state(s))
    assert "nothing finite to show" in state["refused"]
    out, truth = torch.tensor(s.X, dtype=torch.float32), []
    for layer, act in zip(net.dense_layers, (lambda t: t, torch.tanh)):
        z = out @ torch.tensor(layer.W) + torch.tensor(layer.b)
        out = act(z)
        truth += list(zip(z[0].tolist(), out[0].tolist()))
    shown = [(u["net"][0], u["out"][0]) for layer in state["layers"][1:] for u in layer["units"]]
    assert len(shown) == len(truth) == 5
    for (net_in, value), (t_net, t_out) in zip(shown, truth):
        assert same_float(net_in, t_net) and same_float(value, t_out), (shown, truth)
    assert {str(t) for pair in truth for t in pair} >= {"inf", "nan", "1.0", "1.5"}      # the cases, all there


def seven_figures(v):
    """`v` to seven significant figures (half to even), its trailing zeros dropped: 2.7 x 10^199."""
    from decimal import ROUND_HALF_EVEN, Context, Decimal
    return test_explorer_8.powered(Context(prec=7, rounding=ROUND_HALF_EVEN).plus(Decimal(v)))


def test_a_refused_passs_large_unit_values_drop_their_trailing_zeros(browser, shots):
    """1-2-1, float64, the input 0.5 and w1 = 5.4 x 10^199: h1's net input 2.7 x 10^199 (PyTorch's, finite), the
    output's past float64. The card wrote it "2.700000 x 10^199", zeros no other number of the page has; it writes
    the same seven figures without them, as the page writes 0.15 (not 0.150000000)."""
    import torch
    net = cr.Network([cr.Dense(1, 2, "linear"), cr.Dense(2, 1, "linear")], loss="mse", seed=1)
    net.dense_layers[0].W[:], net.dense_layers[0].b[:] = [[5.4e199, 1.5e10]], 0.0
    net.dense_layers[1].W[:] = [[1e200], [1.0]]

    def session(start):
        s = Session(start)
        s.X[:] = [0.5]
        s._fresh()
        return s
    with fixtures.model_page(browser, net, session=session) as page:
        h = (torch.tensor([[0.5]], dtype=torch.float64) @ torch.tensor(net.dense_layers[0].W))[0].tolist()
        assert h == [2.7e199, 7.5e9]
        expect(banner(page)).to_contain_text("nothing finite to show")
        lines = page.locator('.unit[data-name="h1"] .unit-value').all_text_contents()
        assert lines[:2] == [f"net {seven_figures(h[0])}", f"out {seven_figures(h[0])}"], lines
        assert lines[0] == "net 2.7 x 10^199"
        page.locator(".graph-card").screenshot(path=str(shots / "explore-refused-large-units.png"))


def threshold_net():
    """1-1-1-1 float32: h1 = relu(100 a + b), b = -140 (h1 above 0 where a > 1.4), the output 10^38 h1: past
    float32 where h1 > 3.4; a row below the bound is 0 all through, and its gradient finite. A bias typed from
    -10^6 to 10^6 moves the bound."""
    net = cr.Network([cr.Dense(1, 1, "relu"), cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse",
                     seed=1, dtype="float32")
    for layer, W in zip(net.dense_layers, (100.0, 1e19, 1e19)):
        layer.W[:], layer.b[:] = W, 0.0
    net.dense_layers[0].b[:] = -140.0
    return net


def torch_threshold_out(net, X):
    """`threshold_net`'s outputs for X, by PyTorch in float32."""
    import torch
    out = torch.tensor(X, dtype=torch.float32)
    for k, layer in enumerate(net.dense_layers):
        out = out @ torch.tensor(layer.W) + torch.tensor(layer.b)
        out = torch.relu(out) if k == 0 else out
    return out


def torch_overflowing_rows(net, X, Y):
    """The rows of X whose pass alone PyTorch (float32) takes past finite: its outputs, or the dE/dout of a layer
    (a ReLU unit that is off passes on 0 of it, but explain writes it out)."""
    import torch
    rows = []
    for k in range(len(X)):
        out, outs = torch.tensor(X[k:k + 1], dtype=torch.float32), []
        for j, layer in enumerate(net.dense_layers):
            out = out @ torch.tensor(layer.W, requires_grad=True) + torch.tensor(layer.b)
            out = torch.relu(out) if j == 0 else out
            out.retain_grad()
            outs.append(out)
        ((out - torch.tensor(Y[k:k + 1], dtype=torch.float32)) ** 2).mean().backward()
        if not all(torch.isfinite(o).all() and torch.isfinite(o.grad).all() for o in outs):
            rows.append(k)
    return rows


def test_a_closed_refusal_stays_closed_when_only_the_count_of_overflowing_samples_changes(browser, shots):
    """A CSV file's 16 training samples, the explained one finite, one overflowing, then three (b_h1_1 typed -100; the
    count PyTorch's): the closed banner opened again, the refusal's words having changed with the count. It stays
    closed while the pass keeps overflowing, the info line saying the refusal of now; a new network's refusal
    (Reset) is news and opens it."""
    import pandas as pd
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})
    net, sessions = threshold_net(), []

    def session(_):
        sessions.append(Session(Start(threshold_net(), table=table, target="y", name="model.npz")))
        return sessions[-1]
    with fixtures.model_page(browser, net, session=session) as page:
        s = sessions[-1]
        before = torch_overflowing_rows(net, s.X, s.Y)
        assert len(before) >= 1 and s.sample not in before
        expect(banner(page)).to_contain_text(f"{len(before)} of the 16 training samples overflow")
        page.click('[data-id="error-close"]')
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        set_weight(page, "b_h1_1", "-100")
        net.dense_layers[0].b[:] = -100.0
        after = torch_overflowing_rows(net, s.X, s.Y)
        assert len(after) > len(before) and s.sample not in after
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_contain_text(f"Still: {len(after)} of the 16 training samples")
        page.screenshot(path=str(shots / "explore-refused-count-closed.png"))
        page.click('[data-act="reset"]')                  # the file's network again: its refusal is news
        expect(banner(page)).to_contain_text(f"{len(before)} of the 16 training samples overflow")
        expect(page.locator('[data-id="info"]')).to_be_hidden()


def test_an_infinite_gradient_norm_says_what_its_full_bar_means(browser, shots):
    """The float64 chain with weights 10^200: PyTorch's ||dE/dW|| of every layer is inf. Each bar was drawn full
    reading "inf", no word of why; its title and the note under the bars say the gradient overflowed and that the
    full bar has no length to read (no red "vanishing" words)."""
    import torch
    net = chain("float64", 1e200)
    with opened(browser, net) as (page, s):
        params = [torch.tensor(a, requires_grad=True) for lay in net.dense_layers for a in (lay.W, lay.b)]
        out = torch.tensor(s.X)
        for k in range(0, len(params), 2):
            out = out @ params[k] + params[k + 1]
        grads = torch.autograd.grad(((out - torch.tensor(s.Y)) ** 2).mean(), params[0::2])
        truth = [float(torch.linalg.vector_norm(g)) for g in grads]
        assert truth == [np.inf] * 5
        rows = page.locator('[data-id="norms"] .norm-row')
        expect(rows).to_have_count(5)
        for k in range(5):
            row = rows.nth(k)
            assert row.locator(".norm-value").text_content() == "inf"
            assert "gradient overflowed" in row.get_attribute("title") and "vanishing" not in row.get_attribute("title")
        note = page.locator('[data-id="norms-weak"]')
        expect(note).to_be_visible()
        expect(note).to_contain_text("‖∂E/∂W‖ = inf (here: hidden 1, hidden 2, hidden 3, hidden 4, output): the "
                                     "gradient overflowed")
        expect(note.locator(".k-weak")).to_have_count(0)            # no bar is red
        page.locator(".norms-card").screenshot(path=str(shots / "explore-refused-norms.png"))


def torch_mse(net, X, Y):
    """PyTorch's mean squared error of `threshold_net`'s float32 pass."""
    import torch
    return float(torch.nn.MSELoss()(torch_threshold_out(net, X), torch.tensor(Y, dtype=torch.float32)))


def test_a_test_loss_that_overflows_is_marked_in_the_test_curves_colour(browser, shots):
    """A CSV file's rows, the bound at a = 1.5 (b_h1_1 = -150): every training row below it, a test row above
    (PyTorch: the training loss finite, the test loss inf). The test curve's x sits at the top edge at step 0, and
    after a Step at steps 0 and 1, in the test curve's colour, the training loss drawn; the key says it of the test
    loss."""
    import pandas as pd
    table = pd.DataFrame({"a": np.linspace(-1, 1, 20), "y": np.linspace(0, 1, 20)})
    sessions = []

    def session(_):
        net = threshold_net()
        net.dense_layers[0].b[:] = -150.0
        sessions.append(Session(Start(net, table=table, target="y", name="model.npz")))
        return sessions[-1]
    with fixtures.model_page(browser, None, session=session) as page:
        s = sessions[-1]
        assert np.isfinite(torch_mse(s.net, s.X, s.Y)) and torch_mse(s.net, s.Xt, s.Yt) == np.inf
        marks = page.locator('[data-id="loss"] .off-scale')
        expect(marks).to_have_count(1)
        assert marks.get_attribute("data-step") == "0" and marks.get_attribute("stroke") == "#ea580c"
        expect(page.locator('[data-id="loss"] circle')).to_have_count(1)          # the training loss at step 0
        expect(page.locator('[data-id="key-off-scale"]')).to_have_text("× test loss inf at step 0")
        page.click('[data-act="step"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        assert np.isfinite(torch_mse(s.net, s.X, s.Y)) and torch_mse(s.net, s.Xt, s.Yt) == np.inf
        expect(marks).to_have_count(2)
        assert [marks.nth(k).get_attribute("data-step") for k in range(2)] == ["0", "1"]
        assert {marks.nth(k).get_attribute("stroke") for k in range(2)} == {"#ea580c"}
        box = page.locator('[data-id="loss"] .plot-bg').bounding_box()
        for k in range(2):
            mark = marks.nth(k).bounding_box()
            assert abs(mark["y"] + mark["height"] / 2 - box["y"]) < 2, (mark, box)
        expect(page.locator('[data-id="loss"] polyline[stroke="#2563eb"]')).to_have_count(1)
        expect(page.locator('[data-id="key-off-scale"]')).to_have_text("× test loss inf at step 0 (and 1 later point)")
        page.locator(".loss-card").screenshot(path=str(shots / "explore-test-loss-inf.png"))


def test_a_csv_file_chosen_but_not_loaded_leaves_a_closed_refusal_closed(browser, tmp_path):
    """The banner closed on the pass's refusal, then a CSV file chosen in the Data menu: its columns listed, nothing
    loaded (the same network, its pass overflowing as PyTorch's does), and the banner opened again; so did a file
    the server refused, once its own error was closed. Both leave the network as it was: the refusal stays closed,
    said in the info line."""
    net = chain("float32", 1e6)
    (tmp_path / "t.csv").write_text("a,y\n" + "".join(f"{k / 10},{k % 2}\n" for k in range(20)))
    (tmp_path / "empty.csv").write_text("")
    with opened(browser, net) as (page, s):
        said = shown_refusal(net, s.X, s.Y)
        assert not np.isfinite(torch_pass(net, s.X, s.Y)[1])
        page.click('[data-id="error-close"]')
        page.set_input_files('[data-id="file"]', str(tmp_path / "t.csv"))
        expect(page.locator('[data-id="use-target"]')).to_be_visible()          # its columns: nothing loaded yet
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_have_text(f"Still: t{said[1:]}")
        page.set_input_files('[data-id="file"]', str(tmp_path / "empty.csv"))
        expect(banner(page)).to_contain_text("CSV file 'empty.csv' is empty")     # the file's own error
        page.click('[data-id="error-close"]')
        page.focus('.edge[data-name="w2"]')
        page.keyboard.press("Enter")                      # a redraw: the unit's panel
        expect(page.locator('[data-id="derivation"]')).to_contain_text("w2: the weight from h1_1 to h2_1")
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_have_text(f"Still: t{said[1:]}")


def test_undo_to_a_pass_that_still_overflows_leaves_a_closed_refusal_closed(browser):
    """The banner closed on the pass's refusal, w1 typed 9 x 10^5 (still past float32, as PyTorch's pass is), then Undo
    back to w1 = 10^6, whose pass overflows too: Undo opened the banner again, where every other change to an
    overflowing pass leaves it closed. It stays closed, said in the info line; Undo to a pass explain writes out
    clears it, and the next overflow opens it."""
    net = chain("float32", 1e6)
    with opened(browser, net) as (page, s):
        said = shown_refusal(net, s.X, s.Y)
        page.click('[data-id="error-close"]')
        set_weight(page, "w1", "9e5")
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        page.click('[data-act="undo"]')
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        assert s.net.dense_layers[0].W[0, 0] == 1e6 and not np.isfinite(torch_pass(net, s.X, s.Y)[1])
        expect(page.locator('[data-id="error"]')).to_be_hidden()
        expect(page.locator('[data-id="info"]')).to_have_text(f"Still: t{said[1:]}")
        set_weight(page, "w1", "1e-20")                  # finite
        set_weight(page, "w1", "8e5")
        page.click('[data-act="undo"]')                  # back to the finite pass: nothing refused
        expect(page.locator(".cr-explore.busy")).to_have_count(0)
        expect(page.locator('[data-id="info"]')).to_be_hidden()
        set_weight(page, "w1", "8e5")                    # overflowing again: news, the banner opens
        expect(page.locator('[data-id="error"]')).to_be_visible()
        expect(banner(page)).to_contain_text("The chain rule cannot be written out")


def test_the_count_of_samples_that_overflow_takes_in_those_whose_loss_alone_does():
    """Float32, one sample's units overflow and another's squared error alone (PyTorch's pass): the banner said
    "1 of the 3 training samples overflow" and named the first whose units do, counting by the units alone."""
    import torch

    from chainrule.teach.explore import engine
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = 3e19, 1.0
    net.dense_layers[0].b[:] = net.dense_layers[1].b[:] = 0.0
    X, Y = np.array([[0.1], [0.9], [1e20]]), net.targets(np.zeros((3, 1)))       # float32, as the session's
    hidden = torch.tensor(X, dtype=torch.float32) @ torch.tensor(net.dense_layers[0].W)
    errors = (hidden @ torch.tensor(net.dense_layers[1].W) - torch.tensor(Y, dtype=torch.float32)) ** 2
    bad = [k for k in range(3) if not (torch.isfinite(hidden[k]).all() and torch.isfinite(errors[k]).all())]
    assert len(bad) == 2 and 0 not in bad
    said = engine.pass_numbers(net, X, Y, followed=0)[2]
    words = refusal(net, X[bad[0]:bad[0] + 1], Y[bad[0]:bad[0] + 1])        # the page words it (wording.py)
    assert said == (f"{len(bad)} of the 3 training samples overflow; sample {bad[0] + 1}: {words}"
                    " (the chain-rule panel follows sample 1, whose pass is finite)"), said


def test_the_count_of_samples_that_overflow_takes_in_those_whose_gradient_alone_does():
    """Float32, every unit and loss finite, one sample's gradient alone past 3.4 x 10^38 (PyTorch's autograd of
    that sample's pass), the panel on a finite sample: the banner said the engine's words for the Python API (no
    count, no sample, "scale the inputs"), counting by the units and loss alone. It counts that sample and names it."""
    import torch

    from chainrule.teach.explore import engine
    net = cr.Network([cr.Dense(1, 1, "linear"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = 1e30, 1e-20
    net.dense_layers[0].b[:] = net.dense_layers[1].b[:] = 0.0
    X, Y = np.array([[1e-10], [1e-10], [1.0]]), net.targets(np.zeros((3, 1)))
    bad = []
    for k in range(3):
        W1, W2 = (torch.tensor(d.W, requires_grad=True) for d in net.dense_layers)
        out = torch.tensor(X[k:k + 1], dtype=torch.float32) @ W1 @ W2
        error = ((out - torch.tensor(Y[k:k + 1], dtype=torch.float32)) ** 2).mean()
        assert torch.isfinite(out).all() and torch.isfinite(error)                # units and loss finite
        error.backward()
        if not (torch.isfinite(W1.grad).all() and torch.isfinite(W2.grad).all()):
            bad.append(k)
    assert bad == [2]
    said = engine.pass_numbers(net, X, Y, followed=0)[2]
    assert said == (f"1 of the 3 training samples overflow; sample 3: {refusal(net, X[2:3], Y[2:3])}"
                    " (the chain-rule panel follows sample 1, whose pass is finite)"), said


def test_the_count_of_samples_that_overflow_takes_in_those_whose_de_dout_alone_does():
    """Float32, a ReLU unit off for every sample (its gradient 0), the layer above's weight 10^30: sample 1's
    dE/dout of that unit alone (2 * 2 x 10^8 * 10^30, PyTorch's autograd) passes 3.4 x 10^38, where the batch's, a
    third of it, does not. explain refuses it, as it does sample 3 whose loss overflows: the banner counted 1."""
    import torch

    from chainrule.teach.explore import engine
    net = cr.Network([cr.Dense(1, 1, "relu"), cr.Dense(1, 1, "linear")], loss="mse", seed=1, dtype="float32")
    net.dense_layers[0].W[:], net.dense_layers[1].W[:] = -1.0, 1e30
    net.dense_layers[0].b[:] = net.dense_layers[1].b[:] = 0.0
    X, Y = np.ones((3, 1)), np.array([[-2e8], [0.0], [1e20]])
    bad = []
    for k in range(3):
        W1, W2 = (torch.tensor(d.W, requires_grad=True) for d in net.dense_layers)
        hidden = torch.relu(torch.tensor(X[k:k + 1], dtype=torch.float32) @ W1)
        hidden.retain_grad()
        error = ((hidden @ W2 - torch.tensor(Y[k:k + 1], dtype=torch.float32)) ** 2).mean()
        error.backward()
        if not (torch.isfinite(error) and torch.isfinite(hidden.grad).all()):
            bad.append(k)
    assert bad == [0, 2]
    said = engine.pass_numbers(net, X, Y, followed=1)[2]
    assert said == (f"2 of the 3 training samples overflow; sample 1: {refusal(net, X[0:1], Y[0:1])}"
                    " (the chain-rule panel follows sample 2, whose pass is finite)"), said
