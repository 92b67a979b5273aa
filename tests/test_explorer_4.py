"""The explorer's share links of model files (Dropout, float32), its words on ranges, the derivation
of a deep network's delta, the sample drawn for a model, and the page's menus and editor in chromium.

Oracles: the model file itself (`cr.load`: its layers and dtype), torch autograd (a deep network's
deltas), `Preprocessing.transform` (the drawn sample), the page's DOM as chromium shows it. API
tests use Starlette's TestClient; browser tests use test_explore_browser's fixtures (a server on
127.0.0.1, Debian's chromium)."""
import argparse
import functools
import re

import numpy as np
import pytest
import test_explore_browser as fixtures
from starlette.testclient import TestClient

import chainrule as cr
from chainrule.teach.explore import limits
from chainrule.teach.explore.server import create_app
from chainrule.teach.explore.session import Session

TOKEN = "explorer-4-token"
server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots  # this module's own


open_page = functools.partial(fixtures.open_session, token=TOKEN)
act = functools.partial(fixtures.session_act, token=TOKEN)


def started(path):
    from chainrule.cli.explore import start
    return start(argparse.Namespace(model=str(path), data=None, target=None))


def numbers(state):
    return ([(u["name"], u["value"]) for u in state["layers"][0]["units"]],
            [(p["name"], p["value"]) for p in state["params"]], state["E_total"])


@pytest.mark.parametrize("dtype, dropout", [("float64", 0.25), ("float32", 0.0), ("float32", 0.4)])
def test_a_share_link_of_a_model_keeps_its_dropout_and_dtype(tmp_path, dtype, dropout):
    """A model file with Dropout layers and/or float32 (and a leaky_relu's alpha), opened with `chainrule
    explore --model`, trained two steps and shared: the receiver's network is the file's, layer for layer
    (its config as `cr.load` reads it), in its dtype, with the same numbers."""
    layers = [cr.Dense(3, 4, "tanh"), cr.Dropout(dropout), cr.Dense(4, 3, {"name": "leaky_relu", "alpha": 0.2}),
              cr.Dense(3, 1, "sigmoid")]
    cr.Network(layers, loss="binary_crossentropy", dtype=dtype, seed=1).save(str(tmp_path / "m.npz"))
    truth = cr.load(str(tmp_path / "m.npz")).config()
    sender = TestClient(create_app(TOKEN, lambda: Session(started(tmp_path / "m.npz"))))
    a = open_page(sender)
    act(sender, a["session"], "step")
    shared = act(sender, a["session"], "step")["state"]
    code = act(sender, a["session"], "share")["code"]
    receiver, b = received(code)
    assert receiver.net.config() == truth
    assert receiver.net.params.dtype == np.dtype(dtype)
    assert numbers(b["state"]) == numbers(shared) and b["state"]["steps"] == 2


def received(code: str):
    """The session a share link's `code` opens on a new page, and that page (refused: the test fails)."""
    sessions = []

    def receiving():
        sessions.append(Session())
        return sessions[-1]
    page = open_page(TestClient(create_app(TOKEN, receiving)), share=code)
    assert "error" not in page, page.get("error")
    return sessions[0], page


def test_a_share_code_whose_layers_are_not_its_architecture_is_refused():
    import base64
    import json
    import zlib

    from chainrule.teach.explore.export import share_code
    from chainrule.teach.explore.shareopen import _payload
    s = Session()
    p = _payload(share_code(s))
    p["net"] = {"layers": [{"type": "Dense", "n_in": 2, "n_out": 9, "activation": "sigmoid"}], "dtype": "float64"}
    code = base64.urlsafe_b64encode(zlib.compress(json.dumps(p).encode())).decode()
    r = Session()
    with pytest.raises(cr.errors.ValidationError, match="Dense layers"):
        r.act("load_share", {"code": code})
    assert r.is_seed_start()


def test_share_refusals_write_their_ranges_as_a_person_reads_them():
    """Weights past 10^6 (a diverged run) and the field's own refusal say the same range, written out."""
    s = Session()
    s.act("set_architecture", {"hidden": [2], "activations": ["linear"], "output_activation": "linear",
                               "init": "auto"})
    s.act("set_optimizer", {"lr": 1000})
    s.act("step")
    s.act("step")
    assert np.max(np.abs(s.net.params)) > limits.MAX_VALUE
    with pytest.raises(cr.errors.ValidationError) as refused:
        s.share()
    with pytest.raises(cr.errors.ValidationError) as typed:
        s.act("set_param", {"name": "w1", "value": 2e6})
    said = f"between -{limits.MAX_VALUE:,.0f} and {limits.MAX_VALUE:,.0f}"     # 1,000,000
    assert said in str(refused.value) and said in str(typed.value)
    assert not re.search(r"\de\+", str(refused.value).split("magnitude")[0]), str(refused.value)


def derivation_head(page):
    return page.locator('[data-id="derivation"] h3')


def test_reset_closes_the_target_editor(page):
    """The target editor belongs to the batch it edits: Reset (and a new network) put another one in place,
    and the panel goes back to its invitation to click."""
    page.click('.target[data-name="o2"]')
    fixtures.expect(derivation_head(page)).to_have_text("Target of o2")
    page.fill('[data-id="derivation"] input', "0.5")
    page.click('[data-id="derivation"] button.primary')
    fixtures.expect(page.locator('.target[data-name="o2"]')).to_contain_text("0.5")
    fixtures.expect(derivation_head(page)).to_have_text("Target of o2")          # open while one edits
    page.click('[data-act="reset"]')
    fixtures.expect(page.locator('.target[data-name="o2"]')).to_contain_text("0.99")
    fixtures.expect(derivation_head(page)).to_have_text("The chain rule")
    assert page.locator('[data-id="derivation"] form.editor').count() == 0
    page.click('.target[data-name="o1"]')
    fixtures.expect(derivation_head(page)).to_have_text("Target of o1")
    page.select_option('[data-id="data"]', "xor")                   # another data set: no editable targets
    fixtures.expect(page.locator('[data-id="title"]')).to_contain_text("xor")
    fixtures.expect(derivation_head(page)).to_have_text("The chain rule")


def selected_option(page, select):
    return page.eval_on_selector(select, "s => s.options[s.selectedIndex].textContent")


def test_the_data_menu_names_what_is_loaded(page):
    """Once its Init (or its layers) changed, the network is no longer the seed's: the Data menu says what
    the title says, and still offers the seed's network to go back to it."""
    assert selected_option(page, '[data-id="data"]') == "The seed's 2-2-2 network"
    page.locator('[data-id="arch"] select').nth(3).select_option("he_normal")          # Init
    fixtures.expect(page.locator('[data-id="title"]')).to_have_text("Your network on the seed's sample")
    assert selected_option(page, '[data-id="data"]') == page.inner_text('[data-id="title"]')
    page.select_option('[data-id="data"]', "seed")
    fixtures.expect(page.locator('[data-id="title"]')).to_have_text("The seed's 2-2-2 network")
    assert selected_option(page, '[data-id="data"]') == "The seed's 2-2-2 network"
    assert page.locator('[data-id="data"] option[value="now"]').count() == 0
    assert fixtures.etotal(page) == "0.298371109"


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_sample_drawn_for_a_model_is_a_row_of_its_columns_encoded_by_its_preprocessing(tmp_path, dtype):
    """A model `chainrule train` wrote, opened without data: the sample is a row of its file's columns
    (named in the words under the title), encoded by the model's own Preprocessing.transform, as
    `chainrule predict` encodes a file's rows; the row's numbers standardize to two decimals."""
    from conftest import csv_model

    from chainrule.saving.npz import save
    from chainrule.teach.explore import opening
    path, pre = csv_model(tmp_path)
    net = cr.load(str(path))
    if dtype == "float32":
        net = cr.Network([cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy",
                         dtype="float32", seed=2)
        save(net, str(path), extra={"tabular": pre.to_json()})
    for seed in range(6):
        row = opening.raw_sample(pre, np.random.default_rng(seed))
        assert list(row.columns) == ["size", "weight", "colour"] and row["colour"][0] in ("blue", "red")
        X, _, how = opening.model_sample(net, pre, seed)
        encoded = pre.transform(row, dtype=net.dtype, sparse=False)
        assert X.dtype == np.dtype(dtype) and np.array_equal(X, encoded)
        assert np.allclose(X[0, :2], np.round(X[0, :2], 2), atol=1e-6)
        assert f"colour={row['colour'][0]}" in how and f"size={row['size'][0]:.6g}" in how
    state = Session(started(path)).state()
    assert [u["value"][0] for u in state["layers"][0]["units"]] == X0(path, pre)


def X0(path, pre):
    from chainrule.teach.explore import opening
    net = cr.load(str(path))
    return pre.transform(opening.raw_sample(pre, np.random.default_rng(0)), dtype=net.dtype, sparse=False)[0].tolist()


def torch_deltas(net, X, Y):
    """dE/dnet of every unit of every layer, by torch autograd on the same weights (written out here:
    net = a @ W + b, out = f(net); E the seeds' sse, averaged over the samples)."""
    torch = pytest.importorskip("torch")
    fns = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda z: z,
           "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01)}
    a, nets = torch.tensor(X), []
    for d in net.dense_layers:
        z = a @ torch.tensor(d.W, requires_grad=True) + torch.tensor(d.b)
        z.retain_grad()
        nets.append(z)
        a = fns[d.activation.name](z)
    E = 0.5 * ((torch.tensor(Y) - a) ** 2).sum(dim=1).mean()
    E.backward()
    return [z.grad.numpy() for z in nets]


def unit(name):
    """A unit's index in its layer: h2_3 -> 2, o1 -> 0."""
    return int(re.findall(r"\d+", name)[-1]) - 1


@pytest.mark.parametrize("acts, n", [(["sigmoid", "tanh", "relu"], 1), (["tanh", "sigmoid", "leaky_relu"], 1),
                                     (["tanh", "tanh", "sigmoid"], 3)])
def test_a_deep_networks_hidden_delta_is_derived_from_the_layer_above(acts, n):
    """dE/dw1 of a network with three hidden layers reads dE/dnet of layer 2's units: explain and the
    explorer's panel both write how each comes from layer 3 (the sum of delta * w over its units, times
    the activation's derivative), with numbers that are torch autograd's and that multiply out to it."""
    from chainrule.teach.explore.derive import parameter_lines
    rng = np.random.default_rng(7)
    net = cr.Network([cr.Dense(2, 3, acts[0]), cr.Dense(3, 3, acts[1]), cr.Dense(3, 2, acts[2]),
                      cr.Dense(2, 2, "sigmoid")], loss="sse", seed=5)
    X, Y = rng.uniform(-1, 1, (n, 2)), rng.uniform(0, 1, (n, 2))
    deltas = torch_deltas(net, X, Y)
    report = cr.explain(net, X, Y, lr=0.5)
    d, text = report.to_dict(), report.text()
    names = [[f"h{l + 1}_{j + 1}" for j in range(3)] for l in range(3)]
    for layer in (0, 1):         # paths via hidden layers 2 and 3: their deltas from the layer above them
        for p in (q for q in d["parameters"] if q["layer"] == layer):
            for q in p["paths"]:
                k = unit(q["via"])
                src = q["delta"]
                assert np.allclose(src["dE/dnet"], deltas[layer + 1][:, k], rtol=1e-10, atol=1e-15)
                for t in src["terms"]:
                    m = unit(t["via"])
                    assert np.allclose(t["dE/dnet"], deltas[layer + 2][:, m], rtol=1e-10, atol=1e-15)
                    assert t["w"] == net.dense_layers[layer + 2].W[k, m]
        for v in names[layer + 1][:2 if layer == 1 else 3]:
            line = next(x for x in text.splitlines() if x.strip().startswith(f"dE/dnet_{v} = ("))
            assert text.count(line) == 1                            # once, where the layer's paths first use it
    w1 = report.parameter("w1")
    lines = {x["lhs"]: x for x in parameter_lines(d, w1)}
    for q in w1["paths"]:
        v, k = q["via"], unit(q["via"])
        line = lines[f"dE/dnet_{v}"]
        assert line["formula"] == "(" + " + ".join(f"dE/dnet_{t['via']} * {t['weight']}" for t in q["delta"]["terms"]) \
            + f") * dout_{v}/dnet_{v}"
        assert np.allclose(line["raw"], deltas[1][:, k], rtol=1e-10, atol=1e-15)
        if n == 1:           # the numbers written multiply out to the delta (to the digits they are written with)
            assert re.fullmatch(r"[-+*() .0-9e]+", line["numbers"])
            assert abs(eval(line["numbers"]) - deltas[1][0, k]) < 1e-8
            assert f"dE/dnet_{v} = {line['formula']}" in text


def test_on_a_phone_the_share_link_stays_in_a_small_box(page, shots):
    """A share link of a trained data set is thousands of characters: on a 390 px phone it used to fill the
    screen and push the page down; it sits in a box of a few lines that scrolls, and the whole link is in it."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option('[data-id="data"]', "moons")
    fixtures.expect(page.locator('[data-id="title"]')).to_contain_text("moons")
    page.click('[data-act="step"]')
    fixtures.expect(page.locator('[data-id="emeta"]')).to_contain_text("step 1")
    page.click('[data-id="share"]')
    page.wait_for_selector('[data-id="info"]:not([hidden])')
    box = page.locator('[data-id="info"] .share-url')
    link = box.inner_text()
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/#s=[\w-]+", link) and len(link) > 1000
    assert page.eval_on_selector('[data-id="info"]', "e => e.getBoundingClientRect().height") < 200
    assert box.evaluate("e => e.scrollHeight > e.clientHeight")           # the rest of it scrolls in the box
    assert fixtures.no_horizontal_overflow(page)
    page.screenshot(path=str(shots / "explore-4-share-phone.png"))
