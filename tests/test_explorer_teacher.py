"""The explorer as a teacher uses it with their own networks: a model file opened without data starts
on a sample it can learn from, momentum from 1 on is refused as the page says, Train runs more than
10,000 steps in requests of bounded time, and a CSV file with a text class column trained by a
3-layer tanh/softmax network shows numbers that are PyTorch autograd's and torch.optim's.

Oracles: torch (autograd, torch.optim.Adam), NumPy's own standardizing and one-hot encoding of the
file, the model file written by `Network.save`. API tests use Starlette's TestClient; the browser
tests use test_explore_browser's fixtures (a server on 127.0.0.1, Debian's chromium)."""
import argparse
import re
import time

import numpy as np
import pytest
import test_explore_browser as fixtures
from conftest import csv_model
from playwright.sync_api import expect
from starlette.testclient import TestClient

import chainrule as cr
from chainrule.teach.explore import session as session_module
from chainrule.teach.explore.server import create_app
from chainrule.teach.explore.session import Session, Start

TOKEN = "teacher-token"
server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots   # this module's own


class Page:
    """One browser tab over the JSON API."""

    def __init__(self, make=Session):
        self.client = TestClient(create_app(TOKEN, make))
        r = self.client.post("/api/session", headers={"X-Token": TOKEN}, json={})
        assert r.status_code == 200, r.text
        self.sid, self.state = r.json()["session"], r.json()["state"]

    def act(self, action, status=200, **body):
        r = self.client.post(f"/api/session/{self.sid}/{action}", headers={"X-Token": TOKEN}, json=body)
        assert r.status_code == status, r.text
        if "state" in r.json():
            self.state = r.json()["state"]
        return r.json()

    def upload(self, data: bytes, name: str, target: str):
        r = self.client.post(f"/api/session/{self.sid}/upload?name={name}&target={target}",
                             headers={"X-Token": TOKEN}, content=data)
        assert r.status_code == 200, r.text
        self.state = r.json()["state"]
        return self.state


def sample_of(state):
    """The sample the page shows: inputs (1, n_in) and targets (1, n_out)."""
    X = np.array([u["value"] for u in state["layers"][0]["units"]]).T
    return X, np.array([t["value"] for t in state["targets"]]).T


# -- a model file opened without data ------------------------------------------------------------
def relu_model():
    """ReLU with zero biases: on an all-zero sample every gradient is 0."""
    return cr.Network([cr.Dense(3, 4, "relu", bias_init="zeros"), cr.Dense(4, 2, "softmax", bias_init="zeros")],
                      loss="categorical_crossentropy", seed=1)


def test_a_model_opened_without_data_starts_on_a_sample_it_can_learn_from():
    torch = pytest.importorskip("torch")
    net = relu_model()
    page = Page(lambda: Session(Start(net, name="m.npz")))
    X, Y = sample_of(page.state)
    assert X.shape == (1, 3) and np.all(np.abs(X) <= 1) and np.all(X != 0)
    assert np.array_equal(X, np.round(X, 2))                    # two decimals: easy to read and retype
    assert sorted(Y[0]) == [0.0, 1.0]                            # a class, one-hot
    Ws = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    h = torch.relu(torch.tensor(X) @ Ws[0])
    out = torch.softmax(h @ Ws[1], dim=1)
    (-(torch.tensor(Y) * torch.log(out)).sum()).backward()
    grads = {p["name"]: p["grad"] for p in page.state["params"]}
    assert any(g != 0 for g in grads.values())
    for p in page.state["params"]:
        if p["kind"] == "W":
            assert p["grad"] == pytest.approx(Ws[p["layer"]].grad.numpy()[tuple(p["index"])], rel=1e-12, abs=1e-15)
    said = page.state["sample_from"]
    assert "seed 0" in said and "uniform in [-1, 1]" in said and "Click an input or a target" in said
    again = Page(lambda: Session(Start(relu_model(), name="m.npz")))
    assert np.array_equal(sample_of(again.state)[0], X)          # the same file opens on the same sample
    s = page.act("set_value", what="input", sample=0, index=0, value=0.5)["state"]
    assert "edited" in s["sample_from"]


def test_a_model_file_with_its_csv_preprocessing_opens_on_a_sample_of_its_columns(tmp_path):
    """`chainrule explore m.npz` of a model `chainrule train` wrote: the inputs are named by its
    columns, numeric ones standardized (N(0, 1): the training columns' scale), one category of each
    text column set (one-hot), and the outputs by its classes."""
    from chainrule.cli.explore import start
    path, _ = csv_model(tmp_path)
    first = start(argparse.Namespace(model=str(path), data=None, target=None))
    s = Session(first).state()
    assert s["names"]["inputs"] == ["size", "weight", "colour=blue", "colour=red"]
    assert s["names"]["classes"] == ["cat", "dog"]
    X, Y = sample_of(s)
    assert np.all(np.abs(X[0, :2]) < 4) and sorted(X[0, 2:]) == [0.0, 1.0]
    assert sorted(Y[0]) == [0.0, 1.0]
    said = s["sample_from"]
    assert "numeric columns standard normal" in said and "one category of each text column" in said


# -- momentum ------------------------------------------------------------------------------------
@pytest.mark.parametrize("momentum", [1.0, 1.5])
def test_momentum_from_1_on_is_refused_with_the_range(momentum):
    """torch.optim.SGD takes any momentum >= 0, but from 1 on its steps never die down (Keras documents
    [0, 1)); the page refuses it in the words of its other refused settings (β₁ must be in [0.0, 1.0)),
    and Nesterov with momentum 0 in the page's terms (not the engine's nesterov=True)."""
    page = Page()
    r = page.act("set_optimizer", 400, name="momentum", momentum=momentum)
    assert r["error"].startswith("momentum must be in [0.0, 1.0)") and r["error"].endswith(f"got {momentum!r}")
    assert "β₁ must be in [0.0, 1.0)" in page.act("set_optimizer", 400, name="adam", beta1=1.0)["error"]
    assert r["state"]["optimizer"]["name"] == "sgd"                # unchanged
    assert page.act("set_optimizer", name="momentum", momentum=0.95)["state"]["optimizer"]["settings"] == \
        {"lr": 0.5, "momentum": 0.95}
    said = page.act("set_optimizer", 400, name="nesterov", momentum=0)["error"]
    assert "Nesterov needs a momentum above 0" in said and "nesterov=True" not in said


# -- Train of many steps -------------------------------------------------------------------------
def test_train_takes_more_than_10000_steps_each_request_bounded_in_time(monkeypatch):
    """The cap of 10,000 steps per request was a stand-in for a time bound the request already has
    (TRAIN_SECONDS): a larger count is trained in requests of bounded time, the page asking again
    for the rest (as its Train button does); the count past which it refuses is said, with why."""
    monkeypatch.setattr(session_module, "TRAIN_SECONDS", 0.3)
    page = Page()
    asked, done = 25_000, 0
    requests = 0
    while done < asked:
        t0, before = time.monotonic(), done
        s = page.act("train", steps=asked - done)["state"]
        assert time.monotonic() - t0 < 3                   # the server answers: one update past the bound at most
        done, requests = s["steps"], requests + 1
        assert done > before
        if done < asked:
            assert s["message"].startswith(f"trained {done - before} of {asked - before} steps")
    assert done == asked and page.state["history"]["step"][-1] == asked
    truth, X, Y, lr = cr.examples.seed_network()
    for _ in range(asked):
        truth.step(X, Y, lr)
    assert page.state["E_total"] == truth.loss(X, Y)
    r = page.act("train", 400, steps=1_000_001)
    assert "at most 1,000,000 steps" in r["error"] and r["error"].endswith("; got 1,000,001")   # as Python groups


# -- a teacher's own network on their own CSV file -----------------------------------------------
KINDS = ["cat", "dog", "eel"]


def pets_csv():
    rng = np.random.default_rng(5)
    rows = rng.uniform(-1, 1, (50, 2))
    text = "x1,x2,colour,kind\n" + "".join(
        f"{a:.3f},{b:.3f},{'red' if b > 0 else 'blue'},{KINDS[int((a + 1) * 1.5) % 3]}\n" for a, b in rows)
    return text.encode()


def raw_rows(data: bytes):
    """The file's numbers as written, its colour and its class (one-hot: cat, dog, eel)."""
    lines = [ln.split(",") for ln in data.decode().splitlines()[1:]]
    return (np.array([[float(a), float(b)] for a, b, _, _ in lines]), np.array([c for _, _, c, _ in lines]),
            np.eye(3)[[KINDS.index(k) for _, _, _, k in lines]])


def found_rows(X, raw):
    """The file's rows that the page's inputs X (standardized x1, x2, then colour one-hot) encode,
    and each numeric column's mean and scale: an affine map z -> m + s z taken from two samples
    and two rows, kept where it sends every sample to a row of the file."""
    z = X[:, :2]
    for r1 in range(len(raw)):
        for r2 in range(len(raw)):
            if r1 == r2:
                continue
            s = (raw[r1] - raw[r2]) / (z[0] - z[1])
            m = raw[r1] - s * z[0]
            gap = np.abs((m + s * z)[:, None, :] - raw[None, :, :]).max(axis=2)
            rows = gap.argmin(axis=1)
            if np.all(gap[np.arange(len(z)), rows] < 1e-9):
                return rows, m, s
    raise AssertionError("the page's inputs are no affine map of the file's columns")


def torch_pass(torch, params, X, Y):
    """tanh, tanh, softmax; categorical cross-entropy per sample (summed over classes), mean over rows."""
    a = torch.tensor(X)
    nets, outs = [], []
    for k, (W, b) in enumerate(params):
        z = a @ W + b
        z.retain_grad()
        a = torch.softmax(z, dim=1) if k == len(params) - 1 else torch.tanh(z)
        nets.append(z)
        outs.append(a)
    loss = -(torch.tensor(Y) * torch.log(a)).sum(dim=1).mean()
    return loss, nets, outs


def teacher_page():
    page = Page()
    data = pets_csv()
    page.upload(data, "pets.csv", "kind")
    s = page.act("set_architecture", hidden=[5, 3], activations=["tanh", "tanh"], seed=7)["state"]
    assert s["arch"]["output_activation"] == "softmax" and s["loss"] == "categorical_crossentropy"
    return page, data


def page_params(torch, state, shapes):
    Ws = [np.zeros(shape) for shape in shapes]
    bs = [np.zeros(shape[1]) for shape in shapes]
    for p in state["params"]:
        (Ws if p["kind"] == "W" else bs)[p["layer"]][tuple(p["index"])] = p["value"]
    return [(torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)) for W, b in zip(Ws, bs)]


def assert_units_are(state, nets, outs=None):
    """Each unit's net (and out) of the followed sample and its δ = dE/dnet are torch's."""
    units = {u["name"]: u for layer in state["layers"][1:] for u in layer["units"]}
    for k, prefix in enumerate(["h1_", "h2_", "o"]):
        for j in range(nets[k].shape[1]):
            u = units[f"{prefix}{j + 1}"]
            assert u["net"][0] == pytest.approx(nets[k][0, j].item(), rel=1e-12, abs=1e-15), u["name"]
            if outs is not None:
                assert u["out"][0] == pytest.approx(outs[k][0, j].item(), rel=1e-12, abs=1e-15), u["name"]
            assert u["delta"][0] == pytest.approx(nets[k].grad[0, j].item(), rel=1e-9, abs=1e-15), u["name"]


def assert_gradients_are(state, params):
    """Every weight's and bias's batch gradient on the page is torch's."""
    for p in state["params"]:
        W, b = params[p["layer"]]
        assert p["grad"] == pytest.approx((W if p["kind"] == "W" else b).grad.numpy()[tuple(p["index"])],
                                          rel=1e-9, abs=1e-15), p["name"]


def test_every_number_of_a_csv_files_3_layer_softmax_network_is_torchs():
    """Every number the page shows, forward and backward, for the samples it follows one at a time
    (inputs, net, out, targets, each output's error, every δ) and for the whole batch (E_total, the
    test error, every gradient, the selected weight's batch gradient, the gradient norms): torch
    autograd on the same weights and NumPy's encoding of the same file."""
    torch = pytest.importorskip("torch")
    page, data = teacher_page()
    raw, colour, kinds = raw_rows(data)
    s = page.state
    assert s["names"]["inputs"] == ["x1", "x2", "colour=blue", "colour=red"] and s["names"]["classes"] == KINDS
    params = page_params(torch, s, [(4, 5), (5, 3), (3, 3)])
    samples = []
    for k in range(s["n_train"]):
        s = page.act("set_sample", sample=k)["state"] if k else s
        X, Y = sample_of(s)
        samples.append((X, Y))
        if k % 13:
            continue                                     # every number of samples 1, 14, 27 and 40
        for W, b in params:
            W.grad = b.grad = None
        loss, nets, outs = torch_pass(torch, params, X, Y)
        loss.backward()
        assert_units_are(s, nets, outs)
        out = outs[-1].detach().numpy()[0]
        assert [e["value"][0] for e in s["errors"]] == pytest.approx(-Y[0] * np.log(out), rel=1e-12, abs=1e-15)
        assert s["explained"]["E"] == pytest.approx(loss.item(), rel=1e-12)
    X_train = np.vstack([x for x, _ in samples])
    train, mean, scale = found_rows(X_train, raw)
    assert len(set(train)) == 40
    # standardized by the training rows' own mean and (population) spread, as `chainrule train` and
    # scikit-learn's StandardScaler fit them: the test rows do not shape the inputs
    np.testing.assert_allclose(mean, raw[train].mean(axis=0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scale, raw[train].std(axis=0), rtol=1e-9)
    np.testing.assert_array_equal(X_train[:, 2:], np.c_[colour[train] == "blue", colour[train] == "red"])
    np.testing.assert_array_equal(np.vstack([y for _, y in samples]), kinds[train])
    X_all = np.c_[(raw - mean) / scale, colour == "blue", colour == "red"].astype(float)
    Y_all = kinds
    test = sorted(set(range(50)) - set(train))
    for W, b in params:
        W.grad = b.grad = None
    loss, _, _ = torch_pass(torch, params, X_all[train], Y_all[train])
    loss.backward()
    assert s["E_total"] == pytest.approx(loss.item(), rel=1e-12)
    assert s["E_test"] == pytest.approx(torch_pass(torch, params, X_all[test], Y_all[test])[0].item(), rel=1e-12)
    assert_gradients_are(s, params)
    assert [n["norm"] for n in s["grad_norms"]] == pytest.approx(
        [float(np.linalg.norm(W.grad.numpy())) for W, _ in params], rel=1e-12)
    d = page.act("select", name="w1")["state"]["derivation"]
    assert d["batch_grad"] == pytest.approx(params[0][0].grad[0, 0].item(), rel=1e-9)
    for W, b in params:                                  # its chain rule: the followed sample's error alone
        W.grad = b.grad = None
    torch_pass(torch, params, *sample_of(page.state))[0].backward()
    w1 = next(ln for ln in d["lines"] if ln["lhs"] == "dE/dw1")
    assert w1["raw"] == pytest.approx(params[0][0].grad[0, 0].item(), rel=1e-9)


def test_adam_steps_on_a_csv_files_3_layer_softmax_network_are_torch_optims():
    torch = pytest.importorskip("torch")
    page, _ = teacher_page()
    s = page.act("set_optimizer", name="adam", lr=0.05)["state"]
    samples = [sample_of(page.act("set_sample", sample=k)["state"]) for k in range(s["n_train"])]
    X, Y = np.vstack([x for x, _ in samples]), np.vstack([y for _, y in samples])      # the training batch
    params = page_params(torch, page.state, [(4, 5), (5, 3), (3, 3)])
    opt = torch.optim.Adam([t for pair in params for t in pair], lr=0.05)
    for _ in range(3):
        opt.zero_grad()
        torch_pass(torch, params, X, Y)[0].backward()
        opt.step()
        page.act("step")
    for p in page.state["params"]:
        W, b = params[p["layer"]]
        ref = (W if p["kind"] == "W" else b).detach().numpy()[tuple(p["index"])]
        assert p["value"] == pytest.approx(ref, rel=1e-9, abs=1e-12), p["name"]


def test_every_number_of_a_regression_on_a_csv_file_is_torchs():
    """A numeric target: leaky ReLU and ReLU hidden layers, a linear output, mse. The target is
    standardized by the training rows' mean and spread (as `chainrule train` does); the forward and
    backward numbers of a followed sample, E_total, the test error and every gradient are torch's."""
    torch = pytest.importorskip("torch")
    rows = np.random.default_rng(8).uniform(-1, 1, (30, 2))
    data = ("x1,x2,y\n" + "".join(f"{a:.3f},{b:.3f},{3 * a - b + 0.1 * a * b:.3f}\n" for a, b in rows)).encode()
    page = Page()
    page.upload(data, "reg.csv", "y")
    s = page.act("set_architecture", hidden=[4, 3], activations=["leaky_relu", "relu"], seed=11)["state"]
    assert s["arch"]["output_activation"] == "linear" and s["loss"] == "mse" and s["n_train"] == 24
    raw = np.array([[float(v) for v in ln.split(",")] for ln in data.decode().splitlines()[1:]])
    samples = [sample_of(page.act("set_sample", sample=k)["state"] if k else s) for k in range(24)]
    X, Y = np.vstack([x for x, _ in samples]), np.vstack([y for _, y in samples])
    train, mean, scale = found_rows(X, raw[:, :2])
    np.testing.assert_allclose(mean, raw[train, :2].mean(axis=0), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scale, raw[train, :2].std(axis=0), rtol=1e-9)
    y = raw[:, 2]
    np.testing.assert_allclose(Y[:, 0], (y[train] - y[train].mean()) / y[train].std(), rtol=1e-9, atol=1e-12)
    test = sorted(set(range(30)) - set(train))
    Xt = (raw[test, :2] - mean) / scale
    Yt = ((y[test] - y[train].mean()) / y[train].std()).reshape(-1, 1)
    params = page_params(torch, page.state, [(2, 4), (4, 3), (3, 1)])
    acts = [lambda z: torch.nn.functional.leaky_relu(z, 0.01), torch.relu, lambda z: z]

    def forward(X, Y):
        a, nets = torch.tensor(X), []
        for (W, b), act in zip(params, acts):
            z = a @ W + b
            z.retain_grad()
            nets.append(z)
            a = act(z)
        return ((a - torch.tensor(Y)) ** 2).mean(), nets

    loss, _ = forward(X, Y)
    loss.backward()
    state = page.state
    assert state["E_total"] == pytest.approx(loss.item(), rel=1e-12)
    assert state["E_test"] == pytest.approx(forward(Xt, Yt)[0].item(), rel=1e-9)
    assert_gradients_are(state, params)
    for W, b in params:
        W.grad = b.grad = None
    x, t = samples[-1]                                      # the sample the page follows now: the last
    loss, nets = forward(x, t)
    loss.backward()
    assert_units_are(state, nets)


# -- in the browser ------------------------------------------------------------------------------
def idle(page):
    expect(page.locator(".cr-explore.busy")).to_have_count(0)


def test_the_page_says_where_a_models_sample_came_from_and_how_to_change_it(browser, shots):
    net = relu_model()
    said = Session(Start(net, name="m.npz")).state()["sample_from"]
    with fixtures.model_page(browser, net, "m.npz") as pg:
        note = pg.locator('[data-id="sample-from"]')
        expect(note).to_be_visible()
        assert note.inner_text() == said
        box, graph = note.bounding_box(), pg.locator('[data-id="graph"]').bounding_box()
        assert box["y"] + box["height"] <= graph["y"] and box["width"] > 0       # above the drawing, in view
        pg.screenshot(path=str(shots / "explore-model-sample.png"))
        fixtures.set_in_editor(pg, '.unit[data-name="i1"]', "0.25")
        expect(note).to_contain_text("then edited")


def test_the_momentum_field_says_its_range_and_refuses_1_5_by_name(page, shots):
    page.select_option('[data-id="opt"]', "momentum")
    idle(page)
    field = page.locator('[data-setting="momentum"]')
    hint = page.locator('.opt-card .field-hint')
    expect(hint).to_have_text("from 0 to below 1")
    assert hint.bounding_box()["y"] > field.bounding_box()["y"]                # under the field
    field.fill("1.5")
    field.press("Enter")
    field.blur()
    expect(page.locator('[data-id="error"]')).to_be_visible()
    assert page.inner_text('[data-id="error-text"]').startswith("momentum must be in [0.0, 1.0)")
    expect(field).to_have_value("0.9")                     # the server's setting, unchanged
    page.screenshot(path=str(shots / "explore-momentum-refused.png"))


def test_train_of_20000_steps_runs_to_the_end_with_its_progress(page, monkeypatch):
    monkeypatch.setattr(session_module, "TRAIN_SECONDS", 0.2)      # several requests
    page.fill('[data-id="train-steps"]', "20000")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="info"]')).to_contain_text("of 20,000 steps done")
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 20,000 "), timeout=120_000)
    truth, X, Y, lr = cr.examples.seed_network()
    for _ in range(20_000):
        truth.step(X, Y, lr)
    from chainrule.teach.explore.derive import fmt
    assert page.inner_text('[data-id="etotal"]') == fmt(truth.loss(X, Y))


def test_a_teachers_csv_network_at_1280x800(page, tmp_path, shots):
    """The teacher's network on their CSV file, drawn at 1280x800: every unit's label inside the
    drawing, none overlapping, no page wider than the window; the screenshots for a person to look at."""
    (tmp_path / "pets.csv").write_bytes(pets_csv())
    fixtures.upload_csv(page, tmp_path / "pets.csv", "kind")
    idle(page)
    page.click("text=+ hidden layer")
    idle(page)
    page.locator(".net-card .seed-field input").fill("7")
    page.locator(".net-card .seed-field input").press("Enter")
    idle(page)
    page.click('[data-act="backward"]')
    idle(page)
    page.screenshot(path=str(shots / "explore-teacher-backward.png"))
    page.locator('.edge[data-name="w1"]').focus()          # a network this size draws no labels on its lines
    page.keyboard.press("Enter")
    idle(page)
    expect(page.locator('[data-id="derivation"] h3')).to_contain_text("w1")
    page.screenshot(path=str(shots / "explore-teacher-w1.png"), full_page=True)
    assert fixtures.intersecting(page.evaluate(fixtures.SHAPES)) == []
    assert fixtures.no_horizontal_overflow(page)


def test_a_model_with_its_csv_preprocessing_reads_the_file_with_its_own_statistics(tmp_path):
    """`chainrule explore --model m.npz --data t.csv --target kind`: the model's weights were trained
    on inputs standardized by its training file's statistics; the file is encoded with those (as
    `chainrule evaluate` does), not with statistics fitted again on it."""
    from chainrule.cli.explore import start
    from chainrule.data.tabular import Preprocessing, read_csv
    from chainrule.saving.npz import save
    rng = np.random.default_rng(6)
    (tmp_path / "train.csv").write_text("size,kind\n" + "".join(f"{v:.3f},{'cat' if v > 5 else 'dog'}\n"
                                                                 for v in rng.normal(5, 2, 30)))
    (tmp_path / "t.csv").write_text("size,kind\n" + "".join(f"{v:.3f},{'cat' if v > 9 else 'dog'}\n"
                                                             for v in rng.normal(9, 1, 20)))
    pre = Preprocessing.fit(read_csv(str(tmp_path / "train.csv")), "kind")
    net = cr.Network([cr.Dense(1, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=2)
    save(net, str(tmp_path / "m.npz"), extra={"tabular": pre.to_json()})
    first = start(argparse.Namespace(model=str(tmp_path / "m.npz"), data=str(tmp_path / "t.csv"), target="kind"))
    s = Session(first)
    sizes = np.loadtxt(tmp_path / "t.csv", delimiter=",", skiprows=1, usecols=0)
    train_sizes = np.loadtxt(tmp_path / "train.csv", delimiter=",", skiprows=1, usecols=0)
    expected = (sizes - train_sizes.mean()) / train_sizes.std()         # the training file's mean and spread
    shown = np.concatenate([s.X[:, 0], s.Xt[:, 0]])
    np.testing.assert_allclose(np.sort(shown), np.sort(expected), rtol=1e-12)
    with pytest.raises(cr.errors.ValidationError, match="trained to predict column 'kind'; the target given is 'size'"):
        start(argparse.Namespace(model=str(tmp_path / "m.npz"), data=str(tmp_path / "t.csv"), target="size"))


LOSS_BOXES = """() => { const svg = document.querySelector('[data-id="loss"]');
    const box = e => { const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; };
    return { svg: box(svg), plot: box(svg.querySelector(".plot-bg")),
             texts: [...svg.querySelectorAll("text")].map(e => [e.textContent, ...box(e)]) }; }"""


def test_the_loss_charts_labels_are_whole_and_off_the_curve(page, shots):
    """After 300 Adam steps on circles the loss spans three decades (a log scale): its smallest value
    (0.001358: wider than 0.695) is written whole inside the chart, and no label (the steps, the
    values, "log scale") lies on the plot where the curves are drawn."""
    page.select_option('[data-id="data"]', "circles")
    idle(page)
    page.fill('[data-id="train-steps"]', "300")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 300 "), timeout=60_000)
    seen = page.evaluate(LOSS_BOXES)
    texts = {t[0]: t[1:] for t in seen["texts"]}
    assert "log scale" in texts and len(texts) == 5, texts
    for name, (left, top, right, bottom) in texts.items():
        assert seen["svg"][0] <= left and right <= seen["svg"][2], name          # whole, inside the chart
        plot = seen["plot"]
        overlap = min(right, plot[2]) - max(left, plot[0]) > 0.5 and min(bottom, plot[3]) - max(top, plot[1]) > 0.5
        assert not overlap, (name, plot)
    page.locator(".loss-card").screenshot(path=str(shots / "explore-loss-log-scale.png"))


def test_once_a_csv_file_is_loaded_its_card_says_what_the_network_predicts(page, tmp_path):
    """The card asked "Which column should the network predict?" before the file was loaded; after,
    it says which it predicts (and offers another), instead of asking the question again."""
    (tmp_path / "pets.csv").write_bytes(pets_csv())
    fixtures.upload_csv(page, tmp_path / "pets.csv", "kind")
    idle(page)
    card = page.locator('[data-id="data-settings"] p')
    expect(card).to_have_text("The network predicts kind of pets.csv. To predict another column, choose it:")
    assert page.locator('[data-id="target"]').input_value() == "kind"


def test_undo_after_two_train_runs_goes_back_one_run_each_in_however_many_requests(page, monkeypatch):
    """Train 2,000 (several requests: the page asks again for the rest), then Train 50: Undo went back past both,
    to step 0, every request of a train after a train being merged into one change. A run, in however many
    requests, is one change: Undo goes back to step 2,000 (the seed network's weights after 2,000 of its steps),
    then to step 0."""
    monkeypatch.setattr(session_module, "TRAIN_SECONDS", 0.02)      # several requests
    from chainrule.teach.explore.derive import fmt
    truth, X, Y, lr = cr.examples.seed_network()
    start = fmt(truth.loss(X, Y))
    for _ in range(2000):
        truth.step(X, Y, lr)
    page.fill('[data-id="train-steps"]', "2000")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 2,000 "), timeout=60_000)
    expect(page.locator('[data-id="train"]')).to_have_text("Train")
    page.fill('[data-id="train-steps"]', "50")
    page.click('[data-id="train"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 2,050 "))
    expect(page.locator('[data-id="train"]')).to_have_text("Train")
    page.click('[data-act="undo"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 2,000 "))
    assert page.inner_text('[data-id="etotal"]') == fmt(truth.loss(X, Y))
    page.click('[data-act="undo"]')
    expect(page.locator('[data-id="emeta"]')).to_have_text(re.compile("^step 0 "))
    assert page.inner_text('[data-id="etotal"]') == start


def test_a_play_is_one_change_for_undo_whatever_is_looked_at_while_it_runs():
    """▶ play sends train after train (the first a run of its own, the rest going on): a weight clicked, a sample
    chosen or Forward pressed while it played (none of them a change of the weights) split it, Undo going back only
    to that click. Undo goes back to the start of the play (the seed network's weights after the 5 steps before
    it), and a weight typed during it is a change of its own."""
    truth, X, Y, lr = cr.examples.seed_network()
    for _ in range(5):
        truth.step(X, Y, lr)
    s = Session()
    s.act("train", {"steps": 5})
    s.act("train", {"steps": 3})                                   # the play's first request
    for looked in (("select", {"name": "w1"}), ("forward", {}), ("state", {})):
        s.act(*looked)
        s.act("train", {"steps": 3, "goes_on": True})
    s.act("undo")
    assert s.steps == 5 and s.net.loss(X, Y) == truth.loss(X, Y)
    s.act("train", {"steps": 3})
    s.act("set_param", {"name": "w1", "value": 0.1})
    s.act("train", {"steps": 3, "goes_on": True})                  # the play goes on after the weight typed
    s.act("undo")
    assert s.steps == 8 and s.net.dense_layers[0].W[0, 0] == 0.1
