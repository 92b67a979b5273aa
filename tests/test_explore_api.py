"""The explorer's JSON API (Starlette's TestClient): every number it sends is the engine's.

Oracles: the seed's printed figures, `cr.explain` on a network the test builds itself, PyTorch
autograd and torch.optim, `chainrule.load` on the exported file, and the CSV reader of
`chainrule train`.
"""
import json
import re
import subprocess
import sys
import textwrap
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pytest
from conftest import as_in_a_terminal
from starlette.testclient import TestClient

import chainrule as cr
from chainrule.teach.explore import limits
from chainrule.teach.explore.engine import build
from chainrule.teach.explore.server import create_app

TOKEN = "test-token"


def at(value, printed):
    """`value` to the digits of `printed`, rounded half up as by hand (the seed's rounding)."""
    return str(Decimal(repr(float(value))).quantize(Decimal(printed), rounding=ROUND_HALF_UP))


class Page:
    """One browser tab: a session and its actions."""

    def __init__(self, client, share=None):
        self.client = client
        answer = client.post("/api/session", headers={"X-Token": TOKEN}, json={"share": share} if share else {})
        assert answer.status_code == 200, answer.text
        self.answer = answer.json()
        self.sid, self.state = self.answer["session"], self.answer["state"]

    def act(self, action, status=200, **body):
        r = self.client.post(f"/api/session/{self.sid}/{action}", headers={"X-Token": TOKEN}, json=body)
        assert r.status_code == status, r.text
        out = r.json()
        if "state" in out:
            self.state = out["state"]
        return out

    def param(self, name):
        return next(p for p in self.state["params"] if p["name"] == name)

    def unit(self, name):
        return next(u for layer in self.state["layers"] for u in layer["units"] if u["name"] == name)


@pytest.fixture
def client():
    return TestClient(create_app(TOKEN))


@pytest.fixture
def page(client):
    return Page(client)


def report_of(net, X, Y, lr=None):
    return cr.explain(net, X, Y, lr=lr).to_dict()


def assert_matches_report(state, d):
    """Every neuron, error and parameter in the page's state equals the explain report's."""
    units = {u["name"]: u for layer in state["layers"] for u in layer["units"]}
    for layer in d["layers"]:
        for nr in layer["neurons"]:
            assert units[nr["name"]]["net"] == nr["net"] and units[nr["name"]]["out"] == nr["out"]
    for u in d["inputs"]:
        assert units[u["name"]]["value"] == u["value"]
    for key in ("errors", "targets"):          # and each as the page writes it ("shown")
        assert [{k: v for k, v in t.items() if k != "shown"} for t in state[key]] == d[key]
    params = {p["name"]: p for p in state["params"]}
    assert set(params) == {p["name"] for p in d["parameters"]}
    for p in d["parameters"]:
        assert params[p["name"]]["value"] == p["value"]
        assert params[p["name"]]["grad"] == p["grad"]


# -- access ----------------------------------------------------------------------------------
def test_every_api_call_needs_the_token(client):
    assert client.post("/api/session").status_code == 403
    assert client.post("/api/session", headers={"X-Token": "wrong"}).status_code == 403
    p = Page(client)
    r = client.post(f"/api/session/{p.sid}/step", json={})
    assert r.status_code == 403 and "token" in r.json()["error"]
    assert client.get(f"/api/session/{p.sid}/export/model.npz").status_code == 403
    assert client.get(f"/api/session/{p.sid}/export/model.npz?token={TOKEN}").status_code == 200
    assert p.act("state")["state"]["steps"] == 0          # refused calls changed nothing


STATIC = Path(cr.__file__).parent / "teach" / "explore" / "static"
CONTENT_TYPES = {".js": "javascript", ".css": "text/css", ".html": "text/html"}
IMPORT = re.compile(r"^(?:import|export)\s*(?:\{[^}]*\}\s*from\s*)?[\"']\./([\w.-]+)[\"']", re.MULTILINE)


def test_the_page_and_its_static_files_are_served(client):
    r = client.get("/")
    assert r.status_code == 200 and "/static/app.js" in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    files = sorted(f for f in STATIC.iterdir() if f.is_file())
    assert {f.suffix for f in files} <= set(CONTENT_TYPES), [f.name for f in files]
    for f in files:
        r = client.get(f"/static/{f.name}")
        assert r.status_code == 200, f.name
        assert CONTENT_TYPES[f.suffix] in r.headers["content-type"], (f.name, r.headers["content-type"])
        assert r.content == f.read_bytes(), f.name


def imports(name):
    """The modules a static .js file imports or re-exports from, read from its text."""
    return IMPORT.findall((STATIC / name).read_text(encoding="utf-8"))


def test_the_notebook_bundle_has_every_module_the_page_imports_after_what_it_uses():
    """The notebook joins MODULES into one file: one left out (or put before a module it uses) breaks only there."""
    from chainrule.teach.explore.widget import MODULES
    page = re.findall(r'<script type="module" src="/static/([\w.-]+)"', (STATIC / "index.html").read_text())
    assert page == ["app.js"]
    needed, todo = set(), ["app.js", "widget.js"]
    while todo:
        name = todo.pop()
        if name not in needed:
            needed.add(name)
            todo += imports(name)
    assert needed <= {f.name for f in STATIC.glob("*.js")}
    assert sorted(needed - set(MODULES)) == []
    for name in MODULES:
        used = imports(name)
        assert all(MODULES.index(u) < MODULES.index(name) for u in used), (name, used)


def test_tabs_have_their_own_sessions(client):
    a, b = Page(client), Page(client)
    a.act("step")
    assert a.state["steps"] == 1 and b.act("state")["state"]["steps"] == 0
    r = client.post("/api/session/nope/state", headers={"X-Token": TOKEN}, json={})
    assert r.status_code == 404 and "reload" in r.json()["error"]


# -- the seed network --------------------------------------------------------------------------
def test_opens_on_the_seed_with_every_seed_value(page):
    s = page.state
    assert s["mode"] == "seed" and s["phase"] == "forward"
    assert at(s["E_total"], "0.298371109") == "0.298371109"
    assert at(page.unit("h1")["net"][0], "0.3775") == "0.3775"
    assert at(page.unit("h1")["out"][0], "0.593269992") == "0.593269992"
    assert at(page.unit("h2")["out"][0], "0.596884378") == "0.596884378"
    assert at(page.unit("o1")["net"][0], "1.105905967") == "1.105905967"
    assert at(page.unit("o1")["out"][0], "0.75136507") == "0.75136507"
    assert at(page.unit("o2")["out"][0], "0.772928465") == "0.772928465"
    errors = {e["name"]: e["value"][0] for e in s["errors"]}
    assert at(errors["E_o1"], "0.274811083") == "0.274811083" and at(errors["E_o2"], "0.023560026") == "0.023560026"
    net, X, Y, lr = cr.examples.seed_network()
    assert_matches_report(s, report_of(net, X, Y, lr))
    labels = {p["name"]: p["label"] for p in s["params"]}
    assert [labels[f"w{k}"] for k in range(1, 9)] == [f"w{k}" for k in range(1, 9)]
    assert all(labels[name] == name for name in ("b_h1", "b_h2", "b_o1", "b_o2"))
    assert not page.param("b_h1")["trainable"] and page.param("w1")["trainable"]


def test_click_w5_gives_the_seeds_derivation(page):
    d = page.act("select", name="w5")["state"]["derivation"]
    text = [f"{ln['lhs']} = {ln['formula']} = {ln['numbers']} = {ln['value']}" for ln in d["lines"]]
    assert "dE/dw5 = dE/dout_o1 * dout_o1/dnet_o1 * dnet_o1/dw5 = 0.74136507 * 0.186815602 * 0.593269992 " \
           "= 0.082167041" in text
    assert "w5+ = w5 - eta * dE/dw5 = 0.4 - 0.5 * 0.082167041 = 0.35891648" in text
    net, X, Y, lr = cr.examples.seed_network()
    p = cr.explain(net, X, Y, lr=lr).parameter("w5")
    raw = {ln["lhs"]: ln["raw"] for ln in d["lines"]}
    assert raw["dE/dout_o1"] == p["dE/dout"] and raw["dout_o1/dnet_o1"] == p["dout/dnet"]
    assert raw["dE/dw5"] == p["grad"] and raw["w5+"] == p["updated"]


def test_hidden_weight_sums_over_the_output_paths(page):
    d = page.act("select", name="w1")["state"]["derivation"]
    lines = {ln["lhs"]: ln for ln in d["lines"]}
    assert lines["dE_o1/dout_h1"]["value"] == "0.055399425"
    assert lines["dE/dout_h1"]["numbers"] == "0.055399425 + (-0.019049118)"
    assert lines["dE/dout_h1"]["value"] == "0.036350306"
    assert lines["dout_h1/dnet_h1"]["value"] == "0.241300709"
    assert lines["dE/dw1"]["value"] == "0.000438568" and lines["w1+"]["value"] == "0.149780716"
    # the seed prints -0.019049119 for this path: shown beside, with the reason
    assert lines["dE_o2/dout_h1"]["published"] == "-0.019049119"
    assert "rounded" in lines["dE_o2/dout_h1"]["note"]


def test_a_neuron_shows_its_forward_pass_and_delta(page):
    lines = {ln["lhs"]: ln for ln in page.act("select", name="o1")["state"]["derivation"]["lines"]}
    assert lines["net_o1"]["numbers"] == "0.4*0.593269992 + 0.45*0.596884378 + 0.6*1"
    assert lines["net_o1"]["value"] == "1.105905967" and lines["out_o1"]["value"] == "0.75136507"
    assert lines["dE/dnet_o1"]["value"] == "0.138498562"
    assert "b_o1*1" in lines["net_o1"]["formula"]          # one bias per neuron, as `chainrule explain` names it
    page.act("select", 400, name="w99")


def test_frozen_bias_says_so(page):
    lines = {ln["lhs"]: ln for ln in page.act("select", name="b_h1")["state"]["derivation"]["lines"]}
    assert "frozen" in lines["b_h1+"]["formula"]


def seed_gradients_numpy(W1, b1, W2, b2, x, t):
    """dE/dW and dE/db of the seed's 2-2-2 sigmoid network (E = 1/2 sum (t - out)^2), by hand."""
    h = 1 / (1 + np.exp(-(x @ W1 + b1)))
    o = 1 / (1 + np.exp(-(h @ W2 + b2)))
    d2 = (o - t) * o * (1 - o)
    d1 = (d2 @ W2.T) * h * (1 - h)
    return {"W1": np.outer(x, d1), "b1": d1, "W2": np.outer(h, d2), "b2": d2}


def test_each_bias_is_drawn_with_its_own_name_gradient_and_edit(page):
    s = page.act("backward")["state"]
    W1, b1 = np.array([[0.15, 0.25], [0.2, 0.3]]), np.array([0.35, 0.35])
    W2, b2 = np.array([[0.4, 0.5], [0.45, 0.55]]), np.array([0.6, 0.6])
    g = seed_gradients_numpy(W1, b1, W2, b2, np.array([0.05, 0.1]), np.array([0.01, 0.99]))
    truth = {"b_h1": g["b1"][0], "b_h2": g["b1"][1], "b_o1": g["b2"][0], "b_o2": g["b2"][1]}
    labels = {p["label"]: p for p in s["params"] if p["kind"] == "b"}
    assert set(labels) == set(truth)                    # one label per bias: no label for two values
    for label, p in labels.items():
        assert p["grad"] == pytest.approx(truth[label], rel=1e-12)       # the gradient of that bias alone
    assert at(truth["b_h1"], "0.008771355") == "0.008771355" and at(truth["b_h2"], "0.009954255") == "0.009954255"
    d = page.act("select", name="b_h1")["state"]["derivation"]
    grad = next(ln for ln in d["lines"] if ln.get("kind") == "gradient")
    assert grad["lhs"] == "dE/db_h1" and grad["value"] == "0.008771355"
    s = page.act("set_param", name="b_h1", value=0.4)["state"]
    values = {p["label"]: p["value"] for p in s["params"] if p["kind"] == "b"}
    assert values == {"b_h1": 0.4, "b_h2": 0.35, "b_o1": 0.6, "b_o2": 0.6}
    g = seed_gradients_numpy(W1, np.array([0.4, 0.35]), W2, b2, np.array([0.05, 0.1]), np.array([0.01, 0.99]))
    page.act("backward")
    assert page.param("b_h2")["grad"] == pytest.approx(g["b1"][1], rel=1e-12)


def test_step_gives_the_correct_error_and_the_published_one_beside_it(page):
    s = page.act("step")["state"]
    assert at(s["E_total"], "0.291027774") == "0.291027774" and s["steps"] == 1
    pub = s["seed"]["published_E"]
    assert pub["published"] == "0.291027924" and pub["value"] == "0.291027774" and "updated" in pub["note"]
    net, X, Y, lr = cr.examples.seed_network()
    net.step(X, Y, lr)
    assert s["E_total"] == net.loss(X, Y)
    assert_matches_report(s, report_of(net, X, Y, lr))
    differ = {f["key"]: f for f in s["seed"]["figures"] if not f["matches"]}
    assert set(differ) == {"dE_o2/dout_h1", "E_total after 1 update", "E_total after 10,000 updates"}
    assert differ["E_total after 10,000 updates"]["published"] == "0.0000351085"


def test_forward_backward_update_is_one_step_a_phase_at_a_time(client):
    a, b = Page(client), Page(client)
    assert a.act("backward")["state"]["phase"] == "backward"
    s = a.act("update")["state"]
    assert s["phase"] == "update" and s["seed"]["published_E"] is None
    assert s["params"][0]["before"] is not None
    w5 = next(p for p in s["params"] if p["name"] == "w5")
    assert at(w5["value"], "0.35891648") == "0.35891648" and w5["before"] == 0.4
    assert at(s["E_total"], "0.298371109") == "0.298371109"      # the forward pass waits for Forward
    s = a.act("forward")["state"]
    assert s["phase"] == "forward"
    assert s["E_total"] == b.act("step")["state"]["E_total"]


def test_undo_and_reset(page):
    page.act("step")
    page.act("step")
    assert page.act("undo")["state"]["steps"] == 1
    assert at(page.state["E_total"], "0.291027774") == "0.291027774"
    page.act("undo")
    assert page.state["steps"] == 0 and not page.state["can_undo"]
    page.act("undo", 400)
    page.act("step")
    assert page.act("reset")["state"]["steps"] == 0 and page.state["seed"]["pristine"]


def test_forward_and_backward_are_not_undo_steps(page):
    """Undo goes back one change of weights, inputs or settings; showing a pass changes none."""
    page.act("set_param", name="w5", value=2)
    for _ in range(20):         # more than the undo history holds
        page.act("backward")
        page.act("forward")
    assert page.act("undo")["state"]["phase"] == "forward" and page.param("w5")["value"] == 0.4
    assert not page.state["can_undo"]
    page.act("update")
    page.act("forward")
    page.act("undo")
    assert page.state["steps"] == 0 and page.state["phase"] == "forward" and not page.state["can_undo"]


def test_ten_thousand_updates_as_the_seed(page, monkeypatch):
    from chainrule.teach.explore import session
    monkeypatch.setattr(session, "TRAIN_SECONDS", 60.0)
    s = page.act("train", steps=10_000)["state"]
    assert s["steps"] == 10_000
    assert f"{s['E_total']:.10f}" == "0.0000351019"
    assert s["seed"]["published_E"]["published"] == "0.0000351085"
    assert len(s["history"]["step"]) > 50 and s["history"]["step"][-1] == 10_000
    assert page.act("undo")["state"]["steps"] == 0           # one Train is one undo


# -- edits ------------------------------------------------------------------------------------
def test_editing_a_weight_recomputes_through_the_engine(page):
    s = page.act("set_param", name="w5", value=0.5)["state"]
    net, X, Y, lr = cr.examples.seed_network()
    net.layers[1].W[0, 0] = 0.5
    assert_matches_report(s, report_of(net, X, Y, lr))
    assert s["E_total"] == net.loss(X, Y) and not s["seed"]["pristine"]
    assert s["seed"]["published_E"] is None
    page.act("set_param", 400, name="w5", value=float("1e300"))
    page.act("set_param", 400, name="w5", value="0.3")
    assert page.param("w5")["value"] == 0.5                  # rejected edits change nothing


def test_editing_inputs_targets_and_the_learning_rate(page):
    page.act("set_value", what="input", sample=0, index=1, value=0.7)
    page.act("set_value", what="target", sample=0, index=0, value=0.2)
    s = page.act("set_optimizer", lr=0.1)["state"]
    net, X, Y, _ = cr.examples.seed_network()
    X[0, 1], Y[0, 0] = 0.7, 0.2
    assert_matches_report(s, report_of(net, X, Y, 0.1))
    line = next(ln for ln in page.act("select", name="w6")["state"]["derivation"]["lines"] if ln["lhs"] == "w6+")
    assert line["numbers"].startswith("0.45 - 0.1 * ")
    page.act("set_value", 400, what="target", sample=3, index=0, value=0.2)


def test_architecture_editing_and_its_limits(page):
    r = page.act("set_architecture", 400, hidden=[10**9])
    assert "hidden layer 1 units must be an integer from 1 to 16; got 1000000000" in r["error"]
    assert r["state"]["mode"] == "seed"                        # the page still has its network
    assert "activation" in page.act("set_architecture", 400, hidden=[3], activations=["swish"])["error"]
    assert "hidden" in page.act("set_architecture", 400, hidden=[2] * 7, activations=["tanh"] * 7)["error"]
    assert "loss" in page.act("set_architecture", 400, loss="hinge")["error"]
    s = page.act("set_architecture", hidden=[3, 2], activations=["relu", "tanh"], init="he_normal", seed=3,
                 train_biases=True)["state"]
    assert s["mode"] == "custom" and [len(layer["units"]) for layer in s["layers"]] == [2, 3, 2, 2]
    net = cr.Network([cr.Dense(2, 3, "relu", weight_init="he_normal"), cr.Dense(3, 2, "tanh", weight_init="he_normal"),
                      cr.Dense(2, 2, "sigmoid", weight_init="he_normal")], loss="sse", seed=3)
    X, Y = np.array([[0.05, 0.10]]), np.array([[0.01, 0.99]])
    assert_matches_report(s, report_of(net, X, Y, 0.5))


def test_gradients_equal_pytorch_autograd_on_a_data_set(page):
    torch = pytest.importorskip("torch")
    s = page.act("load", what="dataset", name="moons", n=120, noise=0.1, seed=4)["state"]
    model = _exported(page)
    X = torch.tensor(_dataset_points(s, test=False), dtype=torch.float64)
    y = torch.tensor([[float(c)] for c, t in zip(s["points"]["cls"], s["points"]["test"]) if not t],
                     dtype=torch.float64)
    Ws = [torch.tensor(d.W, requires_grad=True) for d in model.dense_layers]
    bs = [torch.tensor(d.b, requires_grad=True) for d in model.dense_layers]
    a = X
    for W, b, d in zip(Ws, bs, model.dense_layers):
        a = {"tanh": torch.tanh, "sigmoid": torch.sigmoid}[d.activation.name](a @ W + b)
    loss = torch.nn.functional.binary_cross_entropy(a, y)
    loss.backward()
    assert s["E_total"] == pytest.approx(loss.item(), rel=1e-12)
    for p in s["params"]:
        g = (Ws if p["kind"] == "W" else bs)[p["layer"]].grad.numpy()[tuple(p["index"])]
        assert p["grad"] == pytest.approx(g, rel=1e-9, abs=1e-15)


def _dataset_points(s, test):
    return [x for x, t in zip(s["points"]["x"], s["points"]["test"]) if t == test]


def _exported(page):
    r = page.client.get(f"/api/session/{page.sid}/export/model.npz?token={TOKEN}")
    assert r.status_code == 200
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        path = f"{d}/m.npz"
        with open(path, "wb") as f:
            f.write(r.content)
        return cr.load(path)


@pytest.mark.parametrize("name,settings,make", [
    ("sgd", {"lr": 0.3}, lambda t, p: t.optim.SGD(p, lr=0.3)),
    ("momentum", {"lr": 0.3, "momentum": 0.8}, lambda t, p: t.optim.SGD(p, lr=0.3, momentum=0.8)),
    ("nesterov", {"lr": 0.3, "momentum": 0.8}, lambda t, p: t.optim.SGD(p, lr=0.3, momentum=0.8, nesterov=True)),
    ("adagrad", {"lr": 0.2}, lambda t, p: t.optim.Adagrad(p, lr=0.2)),
    ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-8},
     lambda t, p: t.optim.RMSprop(p, lr=0.01, alpha=0.9, eps=1e-8)),
    ("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8},
     lambda t, p: t.optim.Adam(p, lr=0.05, betas=(0.8, 0.99), eps=1e-8)),
])
def test_optimizers_step_as_torch_optim(page, name, settings, make):
    torch = pytest.importorskip("torch")
    page.act("set_architecture", train_biases=True)
    s = page.act("set_optimizer", name=name, **settings)["state"]
    assert s["optimizer"] == {"name": name, "settings": settings}
    net, X, Y, _ = cr.examples.seed_network()
    W = [torch.tensor(d.W.copy(), requires_grad=True) for d in net.dense_layers]
    b = [torch.tensor(d.b.copy(), requires_grad=True) for d in net.dense_layers]
    opt = make(torch, W + b)
    x, y = torch.tensor(X), torch.tensor(Y)
    for _ in range(3):
        opt.zero_grad()
        a = x
        for Wl, bl in zip(W, b):
            a = torch.sigmoid(a @ Wl + bl)
        (0.5 * ((y - a) ** 2).sum()).backward()
        opt.step()
        page.act("step")
    for p in page.state["params"]:
        ref = (W if p["kind"] == "W" else b)[p["layer"]].detach().numpy()[tuple(p["index"])]
        assert p["value"] == pytest.approx(ref, rel=1e-12, abs=1e-15), p["name"]
    assert "momentum" in page.act("set_optimizer", 400, name="adam", momentum=0.9)["error"]


# -- data sets ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["xor", "moons", "circles", "spirals", "blobs"])
def test_data_sets_with_a_decision_boundary_and_loss_curves(page, name):
    s = page.act("load", what="dataset", name=name, n=100, noise=0.05, seed=1)["state"]
    assert s["mode"] == "dataset" and s["n_train"] == 70 and s["n_test"] == 30
    assert set(s["points"]["cls"]) == {0, 1}
    s = page.act("train", steps=40)["state"]
    h = s["history"]
    assert h["step"][0] == 0 and h["step"][-1] == 40 and None not in h["test"]
    model = _exported(page)
    b = s["boundary"]
    xs, ys = np.linspace(*b["x"], b["n"]), np.linspace(b["y"][1], b["y"][0], b["n"])
    gx, gy = np.meshgrid(xs, ys)
    out = model.predict(np.c_[gx.ravel(), gy.ravel()])[:, 0]
    assert b["cls"] == (out >= 0.5).astype(int).tolist()
    train = np.array(_dataset_points(s, test=False))
    y = np.array([[c] for c, t in zip(s["points"]["cls"], s["points"]["test"]) if not t], float)
    assert h["train"][-1] == model.loss(train, y) == s["E_total"]


def test_gradient_norms_show_vanishing_gradients_in_deep_sigmoid_nets(page):
    deep = {"hidden": [8] * 6, "init": "glorot_uniform", "output_activation": "sigmoid"}
    page.act("load", what="dataset", name="circles")
    sig = page.act("set_architecture", activations=["sigmoid"] * 6, **deep)["state"]["grad_norms"]
    relu = page.act("set_architecture", activations=["relu"] * 6, **deep)["state"]["grad_norms"]
    assert [n["layer"] for n in sig] == [f"hidden {k}" for k in range(1, 7)] + ["output"]
    assert sig[0]["norm"] < 1e-3 * sig[-1]["norm"]            # vanishing towards the input
    assert relu[0]["norm"] > 1e-2 * relu[-1]["norm"]          # ReLU keeps them
    model = _exported(page)
    s = page.state
    X = np.array(_dataset_points(s, test=False))
    y = np.array([[c] for c, t in zip(s["points"]["cls"], s["points"]["test"]) if not t], float)
    grads = model.gradients(X, y)
    # clipping's global_norm sums the squares with a dot product: the same to the last bits or two, not its order
    assert [n["norm"] for n in relu] == pytest.approx([float(np.sqrt(np.sum(g[0] ** 2))) for g in grads], rel=1e-13)


def test_a_large_data_set_explains_one_sample(page):
    page.act("load", what="dataset", name="xor", n=200)
    s = page.act("set_sample", sample=5)["state"]
    assert s["explained"] == {"n": 1, "whole_batch": False, "sample": 5, "E": s["explained"]["E"]}
    d = page.act("select", name="w1")["state"]["derivation"]
    assert "Sample 6 of 140" in d["note"]
    assert d["batch_grad"] == page.param("w1")["grad"]
    page.act("load", 400, what="dataset", name="xor", n=10**9)
    page.act("load", 400, what="dataset", name="swirl")
    page.act("set_value", 400, what="input", sample=0, index=0, value=1.0)


# -- CSV files ---------------------------------------------------------------------------------
CSV = b"x1,x2,kind\n" + b"".join(f"{a:.3f},{b:.3f},{'red' if a * b > 0 else 'blue'}\n".encode()
                                 for a, b in np.random.default_rng(0).uniform(-1, 1, (60, 2)))


def upload(page, data, name="points.csv", target=None, status=200):
    q = f"?name={name}" + (f"&target={target}" if target else "")
    r = page.client.post(f"/api/session/{page.sid}/upload{q}", headers={"X-Token": TOKEN}, content=data)
    assert r.status_code == status, r.text
    out = r.json()
    page.state = out.get("state", page.state)
    return out


def test_csv_upload_uses_the_preprocessing_of_chainrule_train(page, tmp_path):
    assert upload(page, CSV)["columns"] == ["x1", "x2", "kind"]
    assert page.state["mode"] == "seed"                      # nothing loaded before the target is chosen
    s = upload(page, CSV, target="kind")["state"]
    assert s["mode"] == "csv" and s["n_train"] == 48 and s["n_test"] == 12 and s["boundary"] is not None
    from chainrule.data.tabular import Preprocessing, read_csv
    (tmp_path / "points.csv").write_bytes(CSV)
    df = read_csv(tmp_path / "points.csv")
    order = np.random.default_rng(0).permutation(len(df))
    pre = Preprocessing.fit(df, "kind", train=np.isin(np.arange(len(df)), order[12:]))     # as chainrule train: the
    X, y = pre.transform(df), pre.encode_target(df)                                       # training rows' statistics
    xs = np.array(_dataset_points(s, test=False))
    np.testing.assert_array_equal(xs, X[order[12:]])
    assert [c for c, t in zip(s["points"]["cls"], s["points"]["test"]) if not t] == y[order[12:]].tolist()
    # the exported model carries the preprocessing: `chainrule predict` can use it
    r = page.client.get(f"/api/session/{page.sid}/export/model.npz?token={TOKEN}")
    (tmp_path / "m.npz").write_bytes(r.content)
    _, extra = cr.load(tmp_path / "m.npz", with_extra=True)
    assert Preprocessing.from_json(extra["tabular"]).classes == ["blue", "red"]


def test_bad_csv_files_get_the_clis_errors(page, tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    bad = {"ragged.csv": b"a,b,c\n1,2,3\n4,5,6,7,8\n", "empty.csv": b"", "header.csv": b"a,b\n"}
    for name, data in bad.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(cr.errors.ValidationError) as exc:
            read_csv(str(tmp_path / name))
        expected = str(exc.value).replace(str(tmp_path / name), name)
        assert upload(page, data, name, target="c", status=400)["error"] == expected
    (tmp_path / "points.csv").write_bytes(CSV)
    with pytest.raises(cr.errors.ValidationError) as exc:
        Preprocessing.fit(read_csv(tmp_path / "points.csv"), "colour")
    expected = str(exc.value).replace(str(tmp_path / "points.csv"), "points.csv")   # the page names the upload
    assert upload(page, CSV, target="colour", status=400)["error"] == expected
    assert page.state["mode"] == "seed"
    big = b"a,b\n" + b"1,2\n" * (limits.MAX_UPLOAD // 4 + 1)
    assert "limit" in upload(page, big, target="b", status=413)["error"]


# -- export and share --------------------------------------------------------------------------
def test_exports_are_the_engines(page):
    page.act("step")
    model = _exported(page)
    net, X, Y, lr = cr.examples.seed_network()
    net.step(X, Y, lr)
    np.testing.assert_array_equal(model.params, net.params)
    r = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}")
    assert r.status_code == 200 and "attachment" in r.headers["content-disposition"]
    assert r.text.endswith(cr.explain(net, X, Y, lr=lr).markdown())
    assert page.client.get(f"/api/session/{page.sid}/export/secret.txt?token={TOKEN}").status_code == 404


def test_the_derivation_export_after_update_is_the_one_shown(page):
    net, X, Y, lr = cr.examples.seed_network()
    shown = cr.explain(net, X, Y, lr=lr)
    s = page.act("update")["state"]
    assert s["phase"] == "update" and next(p for p in s["params"] if p["name"] == "w5")["value"] != 0.4
    md = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}").text
    assert md.endswith(shown.markdown()) and "before update 1" in md      # the page's numbers: not re-run
    assert page.act("forward")["state"]["phase"] == "forward"
    net.step(X, Y, lr)
    md = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}").text
    assert md.endswith(cr.explain(net, X, Y, lr=lr).markdown()) and "before update" not in md


def test_share_refuses_up_front_what_loading_would_refuse(page):
    page.act("set_architecture", hidden=[2], activations=["linear"], output_activation="linear", init="auto")
    page.act("set_optimizer", lr=1000)
    page.act("step")
    page.act("step")                              # a diverging run: weights past 1e6
    big = max(abs(p["value"]) for p in page.state["params"])
    assert big > limits.MAX_VALUE
    error = page.act("share", status=400)["error"]
    assert "between -1,000,000 and 1,000,000" in error and "export the model" in error
    written = float(re.search(r" is about (-?[\d,]+):", error)[1].replace(",", ""))    # 55,300,000: 3 figures
    assert abs(abs(written) - big) <= 0.005 * big
    page.act("undo")
    code = page.act("share")["code"]             # within the bounds: shared, and it opens
    assert Page(page.client, share=code).answer.get("error") is None


def test_the_derivation_export_divides_the_errors_as_the_loss_does(page):
    from matplotlib.mathtext import MathTextParser
    s = page.act("load", what="dataset", name="xor", n=8)["state"]
    assert s["n_train"] == 6 and s["explained"]["whole_batch"]
    md = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}").text
    line = next(x for x in md.splitlines() if x.startswith("$$E_{total}")).strip("$")
    MathTextParser("path").parse(f"${line}$")
    assert line.startswith("E_{total} = \\frac{\\sum_{samples} (E_{o1})}{n_{samples}} = ")   # one output: no n_outputs
    E_o1 = sum(next(e["value"] for e in s["errors"] if e["name"] == "E_o1"))
    X = np.array(_dataset_points(s, test=False))
    y = np.array([[c] for c, t in zip(s["points"]["cls"], s["points"]["test"]) if not t], float)
    out = _exported(page).predict(X)
    truth = -np.mean(y * np.log(out) + (1 - y) * np.log(1 - out))     # binary cross-entropy, NumPy's
    assert float(line.rsplit(" = ", 1)[1]) == pytest.approx(truth, abs=1e-9)
    assert E_o1 / (6 * 1) == pytest.approx(truth, rel=1e-12)


def test_share_code_round_trip(client):
    a = Page(client)
    a.act("set_architecture", hidden=[3], activations=["tanh"], init="glorot_uniform", seed=2)
    a.act("set_param", name="w4", value=-0.75)
    a.act("set_optimizer", name="momentum", lr=0.2)
    a.act("step")
    code = a.act("share")["code"]
    assert re.fullmatch(r"[A-Za-z0-9_-]+", code) and len(code) < 2000
    b = Page(client, share=code)
    assert "error" not in b.answer
    assert [p["value"] for p in b.state["params"]] == [p["value"] for p in a.state["params"]]
    assert b.state["optimizer"] == a.state["optimizer"] and b.state["arch"] == a.state["arch"]
    assert b.state["E_total"] == a.state["E_total"]
    seed = Page(client, share=Page(client).act("share")["code"])
    assert seed.state["seed"]["pristine"]
    broken = Page(client, share=code[:-12] + "AAAAAAAAAAAA")
    assert "could not be opened" in broken.answer["error"] and broken.state["mode"] == "seed"
    data = Page(client)
    data.act("load", what="dataset", name="circles", n=50)
    c = Page(client, share=data.act("share")["code"])
    assert c.state["data"] == data.state["data"] and c.state["E_total"] == data.state["E_total"]


# -- robustness --------------------------------------------------------------------------------
def test_errors_are_answered_and_the_server_keeps_serving(client, page, monkeypatch):
    from chainrule.teach.explore import session

    def broken(self):
        raise RuntimeError("boom")
    monkeypatch.setattr(session.Session, "step", broken)
    r = page.act("step", 500)
    assert r["error"] == "internal error (RuntimeError: boom)" and r["state"]["steps"] == 0
    monkeypatch.undo()
    assert page.act("step")["state"]["steps"] == 1
    bad = client.post(f"/api/session/{page.sid}/step", headers={"X-Token": TOKEN}, content=b"{not json")
    assert bad.status_code == 400 and "JSON" in bad.json()["error"]
    assert "unknown action" in page.act("rm_rf", 400)["error"]
    assert "fields" in page.act("step", 400, path="/etc/passwd")["error"]
    assert client.post(f"/api/session/{page.sid}/state", headers={"X-Token": TOKEN},
                       content=b"{" + b" " * limits.MAX_BODY + b"}").status_code == 413


def test_command_line_serves_the_named_files_with_a_token(tmp_path):
    """`chainrule explore --no-browser --port 0 --data F --target C`: prints a URL with a token,
    serves the CSV file it was given, and stops on SIGINT."""
    (tmp_path / "points.csv").write_bytes(CSV)
    script = textwrap.dedent(f"""
        import argparse, sys
        from chainrule.cli import explore
        parser = argparse.ArgumentParser()
        explore.register(parser.add_subparsers())
        args = parser.parse_args(["explore", "--no-browser", "--port", "0", "--data", {str(tmp_path / 'points.csv')!r},
                                  "--target", "kind"])
        sys.exit(args.func(args))
    """)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=as_in_a_terminal)
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/\?token=([\w-]+)", line)
        assert m, line + proc.stderr.read() if proc.poll() is not None else line
        import httpx
        base = f"http://127.0.0.1:{m[1]}"
        assert httpx.post(f"{base}/api/session", timeout=10).status_code == 403
        r = httpx.post(f"{base}/api/session", headers={"X-Token": m[2]}, timeout=10)
        assert r.json()["state"]["mode"] == "csv" and "points.csv" in r.json()["state"]["title"]
    finally:
        proc.send_signal(2)
        proc.wait(timeout=20)
    assert proc.returncode == 0
    missing = subprocess.run([sys.executable, "-c", script.replace("points.csv", "nothere.csv")],
                             capture_output=True, text=True, timeout=60, check=False)
    assert missing.returncode != 0 and "does not exist" in missing.stderr


def test_answers_are_plain_json_even_when_numbers_overflow(page):
    s = page.act("set_param", name="w5", value=1e6)["state"]
    json.dumps(s, allow_nan=False)
    assert page.unit("o1")["out"] == [1.0]


def test_a_model_from_the_command_line_opens_with_its_own_architecture(tmp_path):
    from chainrule.teach.explore.session import Session, Start
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=5)
    net.save(tmp_path / "m.npz")
    start = Start(cr.load(tmp_path / "m.npz"), name="m.npz")
    page = Page(TestClient(create_app(TOKEN, lambda: Session(start))))
    s = page.state
    assert s["mode"] == "model" and s["origin"] == "start" and s["start"] == "m.npz"
    assert [len(layer["units"]) for layer in s["layers"]] == [3, 4, 2]
    X = np.array([u["value"] for u in s["layers"][0]["units"]]).T          # the sample drawn for it
    Y = np.array([t["value"] for t in s["targets"]]).T
    assert_matches_report(s, report_of(net, X, Y, 0.5))
    page.act("step")
    assert page.act("load", what="seed")["state"]["mode"] == "seed"
    assert page.act("load", what="start")["state"]["mode"] == "model"
    np.testing.assert_array_equal([p["value"] for p in page.state["params"]],
                                  [p["value"] for p in s["params"]])      # the file's weights again


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_a_step_stops_where_fit_would_and_says_why():
    """The explorer's updates other than plain SGD count divergence as `fit` does (the engine's
    test): a gradient too large for its squares stops them too, named as such."""
    from chainrule.errors import TrainingDiverged
    from chainrule.teach.explore.session import Session
    s = Session()
    s.set_architecture(activations=["linear"], output_activation="linear", loss="mse")
    s.set_optimizer("adam", lr=0.01)
    s.X = np.full_like(s.X, 1e100)          # past the editor's limit: gradients of 1e199, finite
    before = s.net.params.copy()
    with pytest.raises(TrainingDiverged, match=r"the gradient became too large: its squares overflow float64 ") as exc:
        s.step()
    np.testing.assert_array_equal(s.net.params, before)
    # the session is rolled back: the message says nothing changed and what to do (as for plain gradient descent)
    assert str(exc.value).endswith("; nothing was changed: lower the learning rate (Optimizer, η), then train again")
    assert "Undo" not in str(exc.value)


def report_numbers(text, what):
    """{neuron: the number the report's text writes last on its `what` line} (what: net or out)."""
    return dict(re.findall(rf"^\s*{what}_(\w+) = .* = (\S+)$", text, flags=re.M))


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_the_page_is_sent_every_number_as_the_report_writes_it(dtype):
    """The page writes no number itself: the server sends each one written by the reports' rule
    (`numbers.fmt`, trailing zeros dropped; a float32 network's shortest float32 decimals), the
    digits of `cr.explain`'s text: 0.15, not float32's nine decimals 0.150000006."""
    from chainrule.teach.numbers import fmt, single_precision
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], loss="sse", dtype=dtype, seed=3)
    net.set_weights([np.full((2, 3), 0.15), np.full(3, 0.35), np.full((3, 2), 0.4), np.full(2, 0.6)])
    page = _model_page(net)
    s = page.act("backward")["state"]
    text = cr.explain(net, np.array([[0.7, 0.0]]), np.array([[1.0, 0.0]]), lr=0.5).text()
    with single_precision(dtype == "float32"):
        def written(v):
            return [fmt(x) for x in v] if isinstance(v, list) else fmt(v)
        for p in s["params"]:
            assert p["shown"] == {k: None if p[k] is None else written(p[k]) for k in ("value", "grad", "before")}
            assert f"{p['name']} - lr * dE/d{p['name']} = {p['shown']['value']} - 0.5" in text    # the report's
        units = {u["name"]: u for layer in s["layers"] for u in layer["units"]}
        for what in ("net", "out"):
            assert len(report_numbers(text, what)) == 5
            for name, number in report_numbers(text, what).items():
                assert units[name]["shown"][what] == [written(units[name][what])[0]]
                assert Decimal(units[name]["shown"][what][0]) == Decimal(number)      # the report's number
                if dtype == "float32":                                                # and its very digits
                    assert units[name]["shown"][what] == [number]
        for key in ("targets", "errors"):
            assert [t["shown"] for t in s[key]] == [written(t["value"]) for t in s[key]]
        assert s["E_shown"] == {"total": fmt(s["E_total"]), "test": None}
    if dtype == "float32":
        assert page.param("w1")["shown"]["value"] == "0.15" != fmt(page.param("w1")["value"])


def test_softmax_targets_are_edited_as_class_probabilities(page):
    s = page.act("set_architecture", output_activation="softmax", loss="categorical_crossentropy", init="auto",
                 outputs=3)["state"]
    rows = [[t["value"][0] for t in s["targets"]]]
    assert sum(rows[-1]) == pytest.approx(1)
    for index, value, expected in [(0, 1.0, [1, 0, 0]), (2, 0.3, [0.7, 0, 0.3]), (1, 0.5, [0.35, 0.5, 0.15])]:
        s = page.act("set_value", what="target", sample=0, index=index, value=value)["state"]
        assert [t["value"][0] for t in s["targets"]] == pytest.approx(expected, abs=1e-15)
    net = _exported(page)
    X, Y = np.array([[u["value"][0] for u in s["layers"][0]["units"]]]), np.array([[0.35, 0.5, 0.15]])
    p = net.predict(X)
    assert s["E_total"] == pytest.approx(-np.sum(Y * np.log(p)), rel=1e-12)      # the loss of the edited row
    r = page.act("set_value", 400, what="target", sample=0, index=1, value=1.5)
    assert "class probability from 0 to 1" in r["error"]
    assert [t["value"][0] for t in page.state["targets"]] == pytest.approx([0.35, 0.5, 0.15])


@pytest.mark.parametrize("name,settings", [("nesterov", {"lr": 0.3, "momentum": 0.8}), ("momentum", {"lr": 0.2}),
                                           ("adam", {"lr": 0.05}), ("rmsprop", {"lr": 0.01}), ("adagrad", {"lr": 0.1})])
def test_a_shared_session_continues_with_the_optimizers_state(client, name, settings):
    a = Page(client)
    a.act("set_architecture", train_biases=True)
    a.act("set_optimizer", name=name, **settings)
    for _ in range(3):
        a.act("step")
    b = Page(client, share=a.act("share")["code"])
    assert "error" not in b.answer and b.state["steps"] == 3
    for _ in range(2):
        a.act("step")
        b.act("step")
    assert b.state["E_total"] == a.state["E_total"] and b.state["steps"] == 5
    assert [p["value"] for p in b.state["params"]] == [p["value"] for p in a.state["params"]]


def test_a_share_code_with_a_broken_optimizer_state_is_refused(client):
    import base64
    import zlib
    a = Page(client)
    a.act("set_optimizer", name="adam", lr=0.05)
    a.act("step")
    code = a.act("share")["code"]
    payload = json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))
    for broken in ({"t": 1}, {**payload["opt_state"], "exp_avg": [1.0]}, {**payload["opt_state"], "t": -1}):
        bad = {**payload, "opt_state": broken}
        text = base64.urlsafe_b64encode(zlib.compress(json.dumps(bad).encode())).decode().rstrip("=")
        c = Page(client, share=text)
        assert "share code" in c.answer["error"] and c.state["mode"] == "seed" and c.state["steps"] == 0
    del payload["opt_state"], payload["steps"]                # a code written before the state was kept
    old = base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).decode().rstrip("=")
    assert "error" not in Page(client, share=old).answer


def test_the_loss_curve_sent_stays_small_however_long_it_trains(page, monkeypatch):
    """Every point kept is the loss at its step (a NumPy forward pass of the weights at that step)."""
    from chainrule.teach.explore import session
    monkeypatch.setattr(session, "MAX_HISTORY", 60, raising=False)
    truth = {0: page.state["E_total"]}
    page.act("set_optimizer", lr=0.5)
    for _ in range(200):
        s = page.act("train", steps=3)["state"]
        W1, b1, W2, b2 = _exported(page).get_weights() if s["steps"] % 60 == 0 else (None,) * 4
        if W1 is not None:
            h = 1 / (1 + np.exp(-(np.array([[0.05, 0.1]]) @ W1 + b1)))
            o = 1 / (1 + np.exp(-(h @ W2 + b2)))
            truth[s["steps"]] = float(0.5 * np.sum((np.array([[0.01, 0.99]]) - o) ** 2))
    h = s["history"]
    assert len(h["step"]) <= 60 and h["step"][0] == 0 and h["step"][-1] == 600 == s["steps"]
    assert h["step"] == sorted(set(h["step"])) and h["step"][-10:] == list(range(591, 601))
    shown = dict(zip(h["step"], h["train"]))
    assert sum(k in shown for k in truth) >= 2
    for k, v in truth.items():
        if k in shown:
            assert shown[k] == pytest.approx(v, rel=1e-12)
    assert len(json.dumps(s)) < 20_000


def test_a_model_too_wide_to_draw_is_refused_in_the_models_terms(tmp_path):
    """`chainrule train`'s default --hidden 64 gives a model the explorer cannot draw: the error says
    what the explorer draws, what the model has, and what to do (exit 2, before any server starts)."""
    csv = tmp_path / "iris.csv"
    csv.write_bytes((Path(cr.__file__).parent / "data" / "examples" / "iris.csv").read_bytes())
    model = tmp_path / "iris.npz"
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "train", str(csv), "--target", "species", "--epochs",
                        "1", "--out", str(model), "--quiet"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert cr.load(model).dense_layers[0].n_out == 64
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "explore", "--model", str(model), "--no-browser",
                        "--port", "0"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "serving" not in r.stdout
    assert (f"the explorer draws at most 16 units per layer; {model} has 64 in its hidden layer 1; train a smaller "
            f"one to explore it (chainrule train ... --hidden 8)") in r.stderr


def test_malformed_requests_are_refused_by_name(client, page):
    r = page.act("select", 400, name=["w5"])
    assert "select: ['w5'] is not a weight, bias or neuron" in r["error"]
    assert "optimizer must be one of" in page.act("set_optimizer", 400, name=["adam"])["error"]
    huge = client.post(f"/api/session/{page.sid}/set_param", headers={"X-Token": TOKEN},
                       content=b'{"name": "w5", "value": ' + b"9" * 5000 + b"}")
    assert huge.status_code == 400
    assert "w5 must be a finite number between -1,000,000 and 1,000,000; got 999999999999...999999 (5,000 digits)" \
        in huge.json()["error"]             # as sent, shortened: not "inf"
    steps = client.post(f"/api/session/{page.sid}/train", headers={"X-Token": TOKEN},
                        content=b'{"steps": ' + b"9" * 5000 + b"}")
    assert steps.status_code == 400
    assert steps.json()["error"].endswith("steps must be an integer from 1 to 1,000,000; got 999999999999...999999 "
                                          "(5,000 digits)")
    deep = client.post(f"/api/session/{page.sid}/select", headers={"X-Token": TOKEN},
                       content=b'{"name": ' + b"[" * 100_000 + b"]" * 100_000 + b"}")
    assert deep.status_code == 400 and "nested too deeply" in deep.json()["error"]
    r = page.act("set_optimizer", 400, name="adam", eps=0)
    assert "ε must be a positive number" in r["error"] and page.state["optimizer"]["name"] == "sgd"
    assert page.act("state")["state"]["steps"] == 0 and page.param("w5")["value"] == 0.4


def test_listing_a_csv_files_columns_is_not_an_undo_step(page):
    assert upload(page, CSV)["columns"] == ["x1", "x2", "kind"]
    assert not page.state["can_undo"]
    upload(page, CSV, target="kind")
    assert page.state["can_undo"] and page.act("undo")["state"]["mode"] == "seed"


def test_the_readout_says_how_e_total_is_made_from_the_outputs_errors(page):
    how = page.state["E_how"]                    # the seed: E_total = E_o1 + E_o2
    assert how["line"] == "E_total = E_o1 + E_o2" and "sum" in how["words"]
    page.act("set_architecture", loss="mse")     # the mean over the outputs, as the report writes it
    errors = [e["value"][0] for e in page.state["errors"]]
    assert page.state["E_total"] == pytest.approx(sum(errors) / 2)
    assert page.state["E_how"]["line"] == "E_total = (E_o1 + E_o2) / n_outputs"
    assert page.state["E_how"]["words"] == "the mean of the 2 outputs' errors"
    _, X, Y, _ = cr.examples.seed_network()                  # the report's own line, word for word
    report = str(cr.explain(build(2, 2, page.state["arch"]), X, Y))
    assert "E_total = (E_o1 + E_o2) / n_outputs = " in report
    page.act("load", what="dataset", name="moons")          # binary cross-entropy over 140 samples
    assert page.state["E_how"] == {"line": "E_total = sum_samples(E_o1) / n_samples",
                                   "words": "the output's error, averaged over the 140 samples"}


def test_engine_errors_name_what_the_page_offers_not_command_line_options(page, tmp_path):
    from chainrule.data.tabular import Preprocessing, read_csv
    latin = "a,b,c\n1,1,café\n2,2,thé\n".encode("latin-1")
    (tmp_path / "latin.csv").write_bytes(latin)
    with pytest.raises(cr.errors.ValidationError, match="encoding='latin-1'"):     # the library's message is kept
        read_csv(str(tmp_path / "latin.csv"))
    error = upload(page, latin, "latin.csv", status=400)["error"]
    assert error == ("CSV file 'latin.csv' is not UTF-8 text: byte 0xe9 on line 2 cannot be decoded; "
                     "save it as UTF-8 text and upload it again (the explorer reads UTF-8 files)")
    empty = b"a,b,c\n,1,x\n,2,y\n,3,x\n"
    (tmp_path / "empty.csv").write_bytes(empty)
    with pytest.raises(cr.errors.ValidationError, match=re.escape("df.drop(columns=['a'])")):
        Preprocessing.fit(read_csv(str(tmp_path / "empty.csv")), "c")
    assert upload(page, empty, "empty.csv", target="c", status=400)["error"] == \
        "column 'a' has no values at all; remove it from the file and upload it again"
    error = page.act("set_architecture", status=400, loss="binary_crossentropy", output_activation="linear")["error"]
    assert error.endswith("outside (0, 1). Choose sigmoid as the Output activation (Network), or another Loss")
    page.act("set_architecture", activations=["linear"], output_activation="linear")
    page.act("set_optimizer", lr=100)
    before = page.state["E_total"]
    error = page.act("train", status=400, steps=500)["error"]
    assert error.startswith("the gradient became too large") and error.endswith(
        "; nothing was changed: lower the learning rate (Optimizer, η), then train again")
    assert page.state["steps"] == 0 and page.state["E_total"] == before


def test_a_csv_files_columns_and_classes_name_the_inputs_and_outputs(page, tmp_path):
    """The inputs are named in the order `Preprocessing.transform` writes its columns (numeric
    columns, then each text column's categories as column=value), the outputs by the classes (or
    the regression target); each name is checked against the column of the transformed table."""
    from chainrule.data.tabular import Preprocessing, read_csv
    rng = np.random.default_rng(1)
    lines = ["size,x1,colour,x2,kind,price"] + [
        f"{'SML'[i % 3]},{rng.normal():.3f},{('red', 'blue')[i % 2]},{rng.normal():.3f},"
        f"{('cat', 'dog', 'fish')[i % 3]},{rng.normal() * 10 + 50:.2f}" for i in range(40)]
    data = ("\n".join(lines) + "\n").encode()
    (tmp_path / "mixed.csv").write_bytes(data)
    df = read_csv(tmp_path / "mixed.csv")
    s = upload(page, "\n".join(",".join(line.split(",")[:5]) for line in lines).encode() + b"\n", "mixed.csv",
               target="kind")["state"]
    names = s["names"]
    assert names["inputs"] == ["x1", "x2", "size=L", "size=M", "size=S", "colour=blue", "colour=red"]
    table = df.drop(columns="price")
    X = Preprocessing.fit(table, "kind").transform(table, sparse=False)
    assert X.shape[1] == len(names["inputs"]) == len(s["layers"][0]["units"])
    for j, name in enumerate(names["inputs"]):          # each name is the column transform writes there
        column, _, value = name.partition("=")
        if value:
            np.testing.assert_array_equal(X[:, j], (table[column].astype(str) == value).astype(float))
        else:
            assert np.corrcoef(X[:, j], table[column])[0, 1] == pytest.approx(1)
    assert names["outputs"] == names["classes"] == ["cat", "dog", "fish"] and names["target"] == "kind"
    assert len(s["layers"][-1]["units"]) == 3
    assert page.act("select", name="i3")["state"]["derivation"]["title"] == "i3: an input, column size=L"
    s = upload(page, data, "mixed.csv", target="price")["state"]               # regression: the target's name
    assert names_of(s) == (["x1", "x2", "size=L", "size=M", "size=S", "colour=blue", "colour=red", "kind=cat",
                            "kind=dog", "kind=fish"], ["price"], None)
    page.act("load", what="dataset", name="moons")
    assert page.state["names"]["classes"] == ["class 0", "class 1"]
    page.act("load", what="seed")
    assert page.state["names"] is None


def names_of(s):
    return s["names"]["inputs"], s["names"]["outputs"], s["names"]["classes"]


def test_the_derivation_export_of_a_csv_file_names_its_units(page):
    upload(page, CSV, target="kind")
    md = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}").text
    assert "Inputs (column, or column=category): i1 = `x1`, i2 = `x2`." in md
    assert "Outputs: o1 = class `blue`, o2 = class `red`." in md
    plain = b"x1,colour,size\n" + b"".join(f"{a:.3f},{'red' if a > 0 else 'blue'},{a * 2 + 1:.3f}\n".encode()
                                           for a in np.random.default_rng(1).uniform(-1, 1, 40))
    upload(page, plain, target="size")
    md = page.client.get(f"/api/session/{page.sid}/export/derivation.md?token={TOKEN}").text
    assert "i1 = `x1`, i2 = `colour=blue`, i3 = `colour=red`." in md and "Outputs: o1 = `size`." in md


def _deep_softmax():
    """tanh -> sigmoid -> softmax with mse (not fused: the softmax's Jacobian), its report and torch's gradients."""
    torch = pytest.importorskip("torch")
    net = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 3, "softmax")], loss="mse",
                     seed=1)
    X, Y = np.array([[0.3, -0.2]]), np.array([[1.0, 0.0, 0.0]])
    Ws = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    h1 = torch.tanh(torch.tensor(X) @ Ws[0] + torch.tensor(net.dense_layers[0].b))
    h1.retain_grad()
    h2 = torch.sigmoid(h1 @ Ws[1] + torch.tensor(net.dense_layers[1].b))
    z = h2 @ Ws[2] + torch.tensor(net.dense_layers[2].b)
    z.retain_grad()
    out = torch.softmax(z, dim=1)
    out.retain_grad()
    ((out - torch.tensor(Y)) ** 2).mean().backward()
    return net, X, Y, {"h1": h1, "z": z, "out": out, "W": Ws}


def test_the_derivation_of_a_deep_network_writes_hidden_paths_as_the_report_does():
    """No error E_h2_1 exists: a path from h1 to h2 is dE/dnet_h2 * w, as `explain` writes it, and its
    numbers are torch autograd's."""
    from chainrule.teach.explore import derive
    net, X, Y, t = _deep_softmax()
    d, text = report_of(net, X, Y, 0.5), cr.explain(net, X, Y, lr=0.5).text()
    lines = {ln["lhs"]: ln for ln in derive.parameter_lines(d, next(p for p in d["parameters"] if p["name"] == "w1"))}
    assert not any(lhs.startswith("dE_h2") for lhs in lines)
    path = lines["dE/dnet_h2_1 * dnet_h2_1/dout_h1_1"]
    assert path["formula"] == "dE/dnet_h2_1 * w5" and f"{path['lhs']} = {path['formula']} = " in text
    total = lines["dE/dout_h1_1"]
    assert total["formula"] == "dE/dnet_h2_1 * w5 + dE/dnet_h2_2 * w7"
    assert f"dE/dout_h1_1 = {total['formula']} = " in text
    assert total["raw"][0] == pytest.approx(t["h1"].grad[0, 0].item(), rel=1e-12)
    assert lines["dE/dw1"]["raw"] == pytest.approx(t["W"][0].grad[0, 0].item(), rel=1e-12)


def test_the_derivation_of_a_softmax_writes_its_exponentials_as_the_report_does():
    from chainrule.teach.explore import derive
    net, X, Y, t = _deep_softmax()
    d, text = report_of(net, X, Y, 0.5), cr.explain(net, X, Y, lr=0.5).text()
    lines = {ln["lhs"]: ln for ln in derive.neuron_lines(d, "o1")}
    out = lines["out_o1"]
    assert out["formula"] == "exp(net_o1) / (exp(net_o1) + exp(net_o2) + exp(net_o3))"
    assert f"out_o1 = {out['formula']} = {out['numbers']} = " in text and out["numbers"].startswith("exp(")
    assert out["raw"][0] == pytest.approx(t["out"][0, 0].item(), rel=1e-12)


def test_the_derivation_of_a_softmax_not_fused_writes_its_jacobian_as_the_report_does():
    from chainrule.teach.explore import derive
    net, X, Y, t = _deep_softmax()
    d, text = report_of(net, X, Y, 0.5), cr.explain(net, X, Y, lr=0.5).text()
    lines = {ln["lhs"]: ln for ln in derive.neuron_lines(d, "o1")}
    s = lines["sum_j dE/dout_j * out_j"]
    assert f"{s['lhs']} = {s['formula']} = {s['numbers']} = " in text
    dout = t["out"].grad[0]
    assert s["raw"][0] == pytest.approx((dout * t["out"][0]).sum().item(), rel=1e-12)
    delta = lines["dE/dnet_o1"]
    assert delta["formula"] == "out_o1 * (dE/dout_o1 - sum_j dE/dout_j * out_j)"
    assert f"dE/dnet_o1 = {delta['formula']} = {delta['numbers']} = " in text
    assert delta["raw"][0] == pytest.approx(t["z"].grad[0, 0].item(), rel=1e-12)


def _model_page(net):
    from chainrule.teach.explore.session import Session, Start
    page = Page(TestClient(create_app(TOKEN, lambda: Session(Start(net, name="m.npz")))))
    for index in range(net.n_inputs):           # the sample [0.7, 0, ...] with targets [1, 0, ...]
        page.act("set_value", what="input", sample=0, index=index, value=0.7 if index == 0 else 0.0)
    for index in reversed(range(net.n_outputs)):    # o1 last: a softmax's row is then one-hot
        page.act("set_value", what="target", sample=0, index=index, value=1.0 if index == 0 else 0.0)
    return page


def test_the_derivation_of_a_model_with_dropout_says_it_is_not_applied_as_the_report_does():
    from chainrule.teach.notation import dropout_note
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dropout(0.25), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=3)
    d = _model_page(net).act("select", name="w1")["state"]["derivation"]
    text = cr.explain(net, np.array([[0.7, 0.0]]), np.array([[1.0]]), lr=0.5).text()
    assert dropout_note(0.25, 0, 2) in d["note"] and dropout_note(0.25, 0, 2) in text


def test_the_derivation_of_a_float32_model_writes_float32s_shortest_decimals_as_the_report_does():
    """float32's shortest round-trip decimals (the report's), not nine decimals of noise."""
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="sse", dtype="float32", seed=3)
    d = _model_page(net).act("select", name="w1")["state"]["derivation"]
    text = cr.explain(net, np.array([[0.7, 0.0]]), np.array([[1.0]]), lr=0.5).text()
    shortest = np.format_float_positional(net.dense_layers[0].W[0, 0], unique=True, trim="-")
    update = next(ln for ln in d["lines"] if ln["lhs"] == "w1+")
    assert update["numbers"].startswith(f"{shortest} - 0.5 * ") and f"w1 - lr * dE/dw1 = {shortest} - 0.5" in text
    for ln in d["lines"]:
        raw = ln["raw"][0] if isinstance(ln["raw"], list) else ln["raw"]
        assert ln["value"] == np.format_float_positional(np.float32(raw), unique=True, trim="-")


NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]\d+)?")


def test_the_derivation_of_a_softmax_writes_its_numbers_as_its_other_lines_do():
    """The softmax lines are the report's text (exp(0), not exp(0.000000000)): the panel writes their numbers as
    every other number it shows (`numbers.fmt`, trailing zeros dropped), the report's numbers."""
    from chainrule.teach.numbers import fmt
    net = cr.Network([cr.Dense(2, 2, "relu"), cr.Dense(2, 2, "softmax")], loss="mse", seed=3)
    net.set_weights([np.zeros((2, 2)), np.zeros(2), np.zeros((2, 2)), np.zeros(2)])    # out 0.5, net 0
    d = _model_page(net).act("select", name="o1")["state"]["derivation"]
    text = cr.explain(net, np.array([[0.7, 0.0]]), np.array([[1.0, 0.0]])).text()
    checked = 0
    for ln in d["lines"]:
        shown = " = ".join(x for x in (ln["lhs"], ln["formula"], ln["numbers"], ln["value"]) if x)
        report = next(t.strip().split("   (")[0] for t in text.splitlines() if t.strip().startswith(ln["lhs"] + " = "))
        ours, theirs = NUMBER.findall(shown), NUMBER.findall(report)
        assert [Decimal(x) for x in ours] == [Decimal(x) for x in theirs], (shown, report)
        assert ours == [fmt(float(x)) for x in ours], shown                 # no 0.500000000
        assert "0.000000000" not in report and "0.500000000" not in report, report        # the report's rule too
        checked += "exp(0)" in report or "0.5 * 0.5" in report
    assert checked >= 2          # the exponentials' line and the Jacobian's


def test_update_trains_with_dropout_for_every_optimizer_and_says_so():
    """Update is a training step, as net.step (and fit) take it: dropout zeroes units at random, for
    momentum as for plain gradient descent; the page says so, in its terms."""
    import copy

    from chainrule.teach.explore.wording import dropout_update
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dropout(0.5), cr.Dense(3, 1, "sigmoid")], loss="sse", seed=3)
    net.layers[1].rng = np.random.default_rng(7)
    truth = copy.deepcopy(net)                          # the same random masks: net.step's update, dropout on
    truth.step(np.array([[0.7, 0.0]]), np.array([[1.0]]), 0.5)
    page = _model_page(net)
    page.act("set_optimizer", name="momentum")          # its first step is plain gradient descent's
    s = page.act("update")["state"]
    dense = truth.dense_layers
    for p in s["params"]:
        expected = (dense[p["layer"]].W, dense[p["layer"]].b)[p["kind"] == "b"][tuple(p["index"])]
        assert p["value"] == pytest.approx(float(expected), rel=1e-12), p["name"]
    no_dropout = report_of(net, np.array([[0.7, 0.0]]), np.array([[1.0]]), 0.5)["parameters"]
    assert any(q["updated"] != pytest.approx(p["value"], rel=1e-9) for q, p in zip(no_dropout, s["params"]))
    assert s["message"] == dropout_update({"dropout": [{"rate": 0.5}]}) != ""
    assert "Update, Step and Train are training steps" in s["message"]
    d = page.act("select", name="w1")["state"]["derivation"]
    assert f"{dropout_update({'dropout': [{'rate': 0.5}]}, told=True)}." in d["note"]


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_a_float32_derivation_says_why_its_numbers_done_exactly_give_another_digit(dtype):
    """The report said float32's rounding under a line whose numbers done by hand give another last digit; the
    panel showed net_h1 = 0.3*0.7 + 0.5*0 + 0.2*1 = 0.41000003 (0.41 by hand) without a word."""
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="sse", dtype=dtype, seed=3)
    net.dense_layers[0].W[:, 0], net.dense_layers[0].b[0] = [0.3, 0.5], 0.2
    d = _model_page(net).act("select", name="h1")["state"]["derivation"]
    line = next(ln for ln in d["lines"] if ln["lhs"] == "net_h1")
    torch = pytest.importorskip("torch")
    dt = getattr(torch, dtype)
    z = torch.tensor(0.3, dtype=dt) * torch.tensor(0.7, dtype=dt) + torch.tensor(0.2, dtype=dt)
    assert line["numbers"] == "0.3*0.7 + 0.5*0 + 0.2*1" and float(line["value"]) == pytest.approx(z.item(), abs=1e-7)
    assert dtype == "float64" or np.float32(line["value"]) == z.item()        # float32's very value
    exact = Decimal("0.3") * Decimal("0.7") + Decimal("0.2")
    assert (Decimal(line["value"]) != exact) == (dtype == "float32"), line
    said = "This network computes in float32" in d["note"]
    words = f"net_h1's 0.3*0.7 + 0.5*0 + 0.2*1 gives {exact}, not {line['value']}"
    assert said == (dtype == "float32") and (not said or words in d["note"])


def test_the_seed_s_w1_derivation_says_its_rounded_numbers_give_another_last_digit(page):
    """The report says under dE/dout_h1 that 0.055399425 + (-0.019049118) is 0.036350307 by hand, not the engine's
    0.036350306; the panel showed that line without a word (float32's note alone was said there)."""
    d = page.act("select", name="w1")["state"]["derivation"]
    line = next(ln for ln in d["lines"] if ln["lhs"] == "dE/dout_h1")
    assert line["numbers"] == "0.055399425 + (-0.019049118)"
    exact = Decimal("0.055399425") + Decimal("-0.019049118")        # by hand, exactly: 0.036350307
    assert Decimal(line["value"]) != exact, line
    assert f"dE/dout_h1's {line['numbers']} gives {exact}, not {line['value']}" in d["note"], d["note"]
    assert "unrounded numbers" in d["note"] and "computes in float32" not in d["note"]
    shown = " ".join((Path(__file__).parents[1] / "docs" / "explore.md").read_text().split())
    assert f'"{d["note"]}"' in shown            # the page's words, as docs/explore.md quotes them


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_a_neurons_out_line_is_the_reports_with_its_number_substituted(page, activation):
    """The page wrote out_h1 = tanh(net_h1) with no numbers (the sigmoid alone had them, as 1/(1+e^(-...))), while
    the report substitutes each closed form: the page now writes the report's line, and done by hand from its
    number it gives PyTorch's activation of the unit's net."""
    torch = pytest.importorskip("torch")
    f = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu, "linear": lambda x: x,
         "leaky_relu": lambda x: torch.nn.functional.leaky_relu(x, 0.01)}[activation]
    page.act("set_architecture", hidden=[3], activations=[activation], init="glorot_uniform", seed=5)
    page.act("set_value", what="input", sample=0, index=1, value=-0.9)
    for unit in ("h1", "h2", "h3"):
        lines = {ln["lhs"]: ln for ln in page.act("select", name=unit)["state"]["derivation"]["lines"]}
        net, out = float(lines[f"net_{unit}"]["raw"][0]), lines[f"out_{unit}"]
        want = float(f(torch.tensor(net, dtype=torch.float64)))
        assert float(out["raw"][0]) == pytest.approx(want, abs=1e-12)
        if activation == "linear":                                  # out = net: nothing to substitute
            assert (out["formula"], out["numbers"]) == (f"net_{unit}", "")
            continue
        by_hand = re.sub(r"e\^-(\(?[-\d.e]+\)?)", r"exp(-\1)", out["numbers"])
        assert float(eval(by_hand, {"exp": np.exp, "tanh": np.tanh, "max": max})) == pytest.approx(want, abs=1e-8)
        assert out["formula"] in (f"1/(1+e^-net_{unit})", f"tanh(net_{unit})", f"max(0, net_{unit})",
                                  f"max(net_{unit}, 0.01*net_{unit})")
