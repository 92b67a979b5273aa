"""A model file opened in the explorer goes on with the optimizer it was trained with: its settings in
the page's fields, its step count and moments, so that Step equals the model's next `net.fit` step.
What the page has no field for is said on the page, never dropped silently.

Oracles: the engine (`cr.load` and one `net.fit` step of the loaded model), torch.optim from the same
state (Adam, SGD with momentum and Nesterov, Adagrad, RMSprop), torch's StepLR for a schedule's rate."""
import argparse
from copy import deepcopy

import numpy as np
import pytest
import test_explore_browser as fixtures
from conftest import cmd, csv_model
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.session import Session, Start

o = cr.optim
browser = fixtures.browser          # this module's own (Debian's chromium)
OFFERED = [("adam", {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-7},
            lambda: o.Adam(0.05, betas=(0.8, 0.99), eps=1e-7)),
           ("momentum", {"lr": 0.1, "momentum": 0.8}, lambda: o.SGD(0.1, momentum=0.8)),
           ("nesterov", {"lr": 0.1, "momentum": 0.7}, lambda: o.SGD(0.1, momentum=0.7, nesterov=True)),
           ("sgd", {"lr": 0.2}, lambda: o.SGD(0.2)),
           ("adagrad", {"lr": 0.1}, lambda: o.Adagrad(0.1)),
           ("rmsprop", {"lr": 0.01, "alpha": 0.9, "eps": 1e-6}, lambda: o.RMSprop(0.01, alpha=0.9, eps=1e-6))]


def saved(tmp_path, optimizer, include=True, name="m.npz"):
    """A small model trained 3 steps by `net.fit` with `optimizer`, saved with it (or without)."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 1))
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="mse", seed=1)
    if optimizer is not None:
        net.fit(X, Y, epochs=3, batch_size=6, optimizer=optimizer, verbose=0)
    net.save(tmp_path / name, include_optimizer=include)
    return tmp_path / name


def opened(path, data=None, target=None):
    from chainrule.cli.explore import start
    return Session(start(argparse.Namespace(model=str(path), data=data, target=target)))


def engine_step(path, X, Y):
    """The loaded model's next `net.fit` step on the batch (X, Y): its parameters."""
    m = cr.load(path)
    m.fit(X, Y, epochs=1, batch_size=len(X), shuffle=False, verbose=0)
    return m.params


def torch_step(torch, path, name, settings, X, Y):
    """torch.optim's next step from the loaded model's weights and optimizer state (per tensor)."""
    m = cr.load(path)
    tensors = {(id(layer), key): torch.tensor(m.params[a:b].reshape(getattr(layer, key).shape), requires_grad=True)
               for layer, key, a, b in m.segments}
    s, t = settings, m.optimizer.t
    make = {"adam": lambda p: torch.optim.Adam(p, s["lr"], betas=(s["beta1"], s["beta2"]), eps=s["eps"]),
            "momentum": lambda p: torch.optim.SGD(p, s["lr"], momentum=s["momentum"]),
            "nesterov": lambda p: torch.optim.SGD(p, s["lr"], momentum=s["momentum"], nesterov=True),
            "sgd": lambda p: torch.optim.SGD(p, s["lr"]),
            "adagrad": lambda p: torch.optim.Adagrad(p, s["lr"]),
            "rmsprop": lambda p: torch.optim.RMSprop(p, s["lr"], alpha=s["alpha"], eps=s["eps"])}[name]
    opt = make(list(tensors.values()))
    for layer, key, a, b in m.segments:
        p = tensors[(id(layer), key)]
        state = {k: torch.tensor(v[a:b].reshape(p.shape)) for k, v in m.optimizer.state.items()
                 if k != "momentum_buffer" or name in ("momentum", "nesterov")}
        opt.state[p] = {**state, **({"step": torch.tensor(float(t))} if name in ("adam", "adagrad", "rmsprop") else {})}
    W1, c1, W2, c2 = (tensors[(id(x[0]), x[1])] for x in m.segments)
    out = torch.sigmoid(torch.tanh(torch.tensor(X) @ W1 + c1) @ W2 + c2)
    ((out - torch.tensor(Y)) ** 2).mean().backward()
    opt.step()
    return np.concatenate([tensors[(id(layer), key)].detach().numpy().ravel() for layer, key, _, _ in m.segments])


@pytest.fixture
def torch64():
    """torch with float64 as its default dtype for one test, restored after it (a default left at float64
    changed what later tests' torch models were built in)."""
    torch = pytest.importorskip("torch")
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield torch
    torch.set_default_dtype(before)


@pytest.mark.parametrize("name,settings,make", OFFERED, ids=[c[0] for c in OFFERED])
def test_a_model_opens_with_its_optimizer_and_steps_as_fit_and_torch(tmp_path, name, settings, make, torch64):
    torch = torch64
    path = saved(tmp_path, make())
    s = opened(path)
    page = s.state()["optimizer"]
    assert (page["name"], page["settings"]) == (name, settings)
    said = s.state()["optimizer_from"]
    assert "after 3 steps" in said and said.endswith("Step and Train go on as its training would.")
    X, Y = s.X.copy(), s.Y.copy()
    s.act("step")
    np.testing.assert_allclose(s.net.params, engine_step(path, X, Y), rtol=0, atol=1e-12)
    np.testing.assert_allclose(s.net.params, torch_step(torch, path, name, settings, X, Y), rtol=0, atol=1e-12)


def test_reset_and_share_keep_the_models_optimizer_and_state(tmp_path):
    path = saved(tmp_path, o.Adam(0.05, betas=(0.8, 0.99)))
    s = opened(path)
    X, Y = s.X.copy(), s.Y.copy()
    s.act("train", {"steps": 5})
    s.act("set_optimizer", {"name": "momentum"})       # the model's optimizer replaced, then Reset brings it back
    s.act("reset")
    assert s.state()["optimizer"]["settings"] == {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-8}
    s.act("step")
    np.testing.assert_allclose(s.net.params, engine_step(path, X, Y), rtol=0, atol=1e-12)
    # a share code's page goes on from this state as the original does, and says where its optimizer came from
    copy = Session()
    copy.act("load_share", {"code": s.share()})
    assert copy.state()["optimizer_from"] == s.state()["optimizer_from"]
    s.act("step")
    copy.act("step")
    np.testing.assert_allclose(copy.net.params, s.net.params, rtol=0, atol=1e-12)


@pytest.mark.parametrize("model", [False, True], ids=["data set", "model file"])
def test_the_exported_model_holds_the_pages_optimizer_and_goes_on_as_the_page(tmp_path, model):
    """Model (.npz) after training on the page: `net.fit` on the file takes the page's next step (not
    a default Adam from step 0, nor the model file's optimizer as it was opened)."""
    from chainrule.teach.explore.export import model_bytes
    s = opened(saved(tmp_path, o.SGD(0.1, momentum=0.9))) if model else Session()
    if not model:
        s.act("load", {"what": "dataset", "n": 40})
    s.act("train", {"steps": 4})
    (tmp_path / "exported.npz").write_bytes(model_bytes(s))
    after = engine_step(tmp_path / "exported.npz", s.X, s.Y)
    s.act("step")
    np.testing.assert_allclose(after, s.net.params, rtol=0, atol=1e-12)


class Lion19(o.SGD):
    """An optimizer of the user's, registered to be saved: one the page does not offer."""


@pytest.mark.parametrize("make,said,kept", ids=["weight_decay", "amsgrad", "AdamW", "dampening", "clip_norm",
                                                "clip_value", "RMSprop", "Adagrad", "eps 0", "not offered"], argvalues=[
    (lambda: o.Adam(0.01, weight_decay=0.1), "Set aside (the page has no field for it): weight_decay 0.1.", True),
    (lambda: o.Adam(0.01, amsgrad=True), "Set aside (the page has no field for it): amsgrad.", True),
    (lambda: o.AdamW(0.01), "weight_decay 0.01 (decoupled, AdamW's)", True),
    (lambda: o.SGD(0.1, momentum=0.9, dampening=0.2), "dampening 0.2", True),
    (lambda: o.SGD(0.1, clip_norm=1.0), "clip_norm 1", True),
    (lambda: o.Adam(0.01, clip_value=0.5), "Set aside (the page has no field for it): clip_value 0.5.", True),
    (lambda: o.RMSprop(0.01, momentum=0.5, centered=True), "momentum 0.5, centered", True),
    (lambda: o.Adagrad(0.1, lr_decay=0.01), "lr_decay 0.01", True),
    (lambda: o.Adam(0.01, eps=0.0), "The model's ε 0 is not one the page's field takes: 1e-08 here.", True),
    (lambda: Lion19(0.1), "The model's optimizer Lion19 is not one the explorer offers: it opens with Gradient "
                          "descent (η 0.5) instead, from step 0.", False)])
def test_what_the_page_cannot_follow_is_said(tmp_path, make, said, kept):
    registered = o.register_optimizer(Lion19) if "lion19" not in o.OPTIMIZERS else None
    try:
        s = opened(saved(tmp_path, make()))
    finally:
        if registered is not None:
            del o.OPTIMIZERS["lion19"]
    assert said in s.state()["optimizer_from"]
    assert (s.opt.t == 3) is kept
    s.act("set_optimizer", {"lr": 0.02})        # a new optimizer: from step 0, and where the model's was taken, says so
    assert s.state()["optimizer_from"] is None and ("from step 0" in s.state()["message"]) is kept
    s.act("undo")                               # and Undo brings the model's back
    assert said in s.state()["optimizer_from"] and (s.opt.t == 3) is kept


def test_a_schedule_is_not_followed_and_the_rate_of_its_last_step_stays(tmp_path):
    torch = pytest.importorskip("torch")
    s = opened(saved(tmp_path, o.Adam(o.StepLR(0.1, step_size=1, gamma=0.5))))
    t_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1)
    sched = torch.optim.lr_scheduler.StepLR(t_opt, step_size=1, gamma=0.5)
    for _ in range(2):              # the third epoch's rate: stepped after the first two
        t_opt.step()
        sched.step()
    rate = sched.get_last_lr()[0]
    assert s.opt_settings["lr"] == pytest.approx(rate, rel=1e-15)
    assert f"The model's schedule (StepLR) is not followed here: the rate stays {rate:g}" in s.optimizer_from


def test_a_model_without_optimizer_says_which_default_it_took(tmp_path):
    s = opened(saved(tmp_path, o.Adam(0.05), include=False))
    assert s.opt_name == "sgd" and s.opt.t == 0
    assert s.state()["optimizer_from"] == ("The model file holds no optimizer: the explorer opens it with "
                                              "Gradient descent (η 0.5), its default here.")
    path, _ = csv_model(tmp_path)      # saved by `save` without an optimizer, with its CSV file
    s = opened(path, data=str(path.parent / "t.csv"), target="kind")
    assert s.state()["optimizer_from"] == ("The model file holds no optimizer: the explorer opens it with Adam "
                                              "(η 0.01, β₁ 0.9, β₂ 0.999, ε 1e-08), its default here.")


def test_a_model_chainrule_train_wrote_goes_on_with_its_data(tmp_path):
    """`chainrule explore --model m.npz --data CSV`: the CSV rows trained on with the model's SGD momentum."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    (tmp_path / "t.csv").write_text("a,b,y\n" + "".join(f"{x:.3f},{z:.3f},{'yes' if x + z > 0 else 'no'}\n"
                                                        for x, z in zip(a, b)))
    model = tmp_path / "m.npz"
    r = cmd("train", tmp_path / "t.csv", "--target", "y", "--epochs", "2", "--optimizer", "sgd", "--momentum", "0.9",
            "--lr", "0.05", "--hidden", "3", "--out", model, "--quiet")
    assert r.returncode == 0, r.stderr
    s = opened(model, data=str(tmp_path / "t.csv"), target="y")
    assert s.state()["optimizer"]["name"] == "momentum" and s.state()["optimizer"]["settings"] == {
        "lr": 0.05, "momentum": 0.9}
    X, Y = s.X.copy(), s.Y.copy()
    s.act("step")
    np.testing.assert_allclose(s.net.params, engine_step(model, X, Y), rtol=0, atol=1e-12)


def test_data_without_the_models_columns_is_refused_naming_the_file(tmp_path):
    """`--data` of another CSV file than the model's: the refusal says which file lacks which columns."""
    from chainrule.errors import ValidationError
    path, _ = csv_model(tmp_path)
    (tmp_path / "other.csv").write_text("height,mass,kind\n" + "1,2,cat\n3,4,dog\n" * 10)
    with pytest.raises(ValidationError, match=r"^.*other\.csv: columns \['size', 'weight', 'colour'\] are missing"):
        opened(path, data=str(tmp_path / "other.csv"), target="kind")


def test_a_model_whose_loss_the_page_lacks_is_refused_naming_it(tmp_path):
    from chainrule.errors import ValidationError
    from chainrule.nn.losses import LOSSES, MSE, register_loss

    class HalfMSE19(MSE):
        name = "half_mse19"
    register_loss(HalfMSE19)
    try:
        net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "linear")], loss="half_mse19", seed=0)
        with pytest.raises(ValidationError, match="the explorer knows the losses sse, mse, binary_crossentropy, "
                                                  "categorical_crossentropy; h.npz was trained with 'half_mse19'"):
            Session(Start(net, name="h.npz"))
    finally:
        del LOSSES["half_mse19"]


def test_the_page_shows_the_models_optimizer_in_its_fields_and_words(tmp_path, browser):
    """The Optimizer card of `chainrule explore --model m.npz` (a model trained with Adam): the method and
    the fields show its settings, the line under them what was taken; read in one evaluate."""
    path = saved(tmp_path, o.Adam(0.05, betas=(0.8, 0.99)))
    first = opened(path).start
    with fixtures.model_page(browser, cr.load(path), "m.npz", session=lambda _: Session(first)) as pg:
        expect(pg.locator(".cr-explore.busy")).to_have_count(0)
        shown = pg.evaluate("""() => ({method: document.querySelector('[data-id="opt"]').value,
            fields: [...document.querySelectorAll('[data-setting]')].map(i => [i.dataset.setting, i.value]),
            from: document.querySelector('[data-id="opt-from"]').textContent})""")
    assert shown["method"] == "adam"
    assert shown["fields"] == [["lr", "0.05"], ["beta1", "0.8"], ["beta2", "0.99"], ["eps", "1e-8"]]
    assert shown["from"] == ("The optimizer is the model's: Adam after 3 steps, with its first and second moments: "
                             "Step and Train go on as its training would.")


def test_the_words_under_the_optimizer_take_the_cards_width(tmp_path, browser):
    """The line under the Optimizer card's fields spans the card (both columns of its fields), not one
    column of them: a model trained with plain SGD (one field) and with AdamW and a schedule (long words)."""
    for name, make in (("sgd.npz", lambda: o.SGD(0.2)),
                       ("adamw.npz", lambda: o.AdamW(o.StepLR(0.01, step_size=1, gamma=0.5), clip_norm=1.0))):
        path = saved(tmp_path, make(), name=name)
        first = opened(path).start
        with fixtures.model_page(browser, cr.load(path), name, session=lambda _, f=first: Session(f)) as pg:
            expect(pg.locator(".cr-explore.busy")).to_have_count(0)
            box = pg.evaluate("""() => {
                const width = e => e.getBoundingClientRect().width;
                return {words: width(document.querySelector('[data-id="opt-from"]')),
                        card: width(document.querySelector('[data-id="opt-settings"]'))}; }""")
        assert box["words"] == pytest.approx(box["card"], abs=1), box


def test_a_share_code_of_a_model_whose_momentum_buffer_has_not_started_opens(tmp_path):
    """SGD's momentum turned on after the model's last step (`opt.momentum = 0.9` between fits): the file holds
    no buffer yet, as `cr.load` takes it. The page's share code opens, and its first step is the model's next
    `net.fit` step (the buffer started as torch starts it: the gradient itself)."""
    rng = np.random.default_rng(3)
    X, Y = rng.normal(size=(6, 3)), rng.uniform(size=(6, 1))
    net = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="mse", seed=1)
    opt = o.SGD(0.1)
    net.fit(X, Y, epochs=3, batch_size=6, optimizer=opt, verbose=0)
    opt.momentum = 0.9
    net.save(tmp_path / "m.npz")
    s = opened(tmp_path / "m.npz")
    copy = Session()
    copy.act("load_share", {"code": s.share()})
    assert (copy.opt_name, copy.opt.t) == ("momentum", 3)
    copy.act("step")
    np.testing.assert_allclose(copy.net.params, engine_step(tmp_path / "m.npz", s.X, s.Y), rtol=0, atol=1e-12)


@pytest.mark.parametrize("shared", [False, True], ids=["model file", "share link"])
def test_a_new_optimizer_names_what_brings_the_models_back_and_it_does(tmp_path, shared):
    """A new optimizer on a model's page says what brings the model's back (Undo, Reset): each one named
    does. On a share link's page Reset opens what its server opened (here the seed), not the model."""
    s = opened(saved(tmp_path, o.Adam(0.05)))
    if shared:
        s, code = Session(), s.share()
        s.act("load_share", {"code": code})
    said = s.state()["optimizer_from"]
    s.act("set_optimizer", {"lr": 0.02})
    named = [a for a in ("Undo", "Reset") if a in s.state()["message"]]
    assert named
    for action in named:
        page = deepcopy(s)
        page.act(action.lower())
        assert (page.opt.t, page.state()["optimizer_from"]) == (3, said), action


@pytest.mark.parametrize("make,include", [(lambda: o.Adam(0.05), False), (lambda: Lion19(0.1), True)],
                         ids=["saved without optimizer", "not offered"])
def test_a_new_optimizer_claims_no_model_state_the_page_never_took(tmp_path, make, include):
    """A model saved without its optimizer (as `chainrule sweep` saves its best), or with one the page does not
    offer: the page opened with its default, from step 0. A new optimizer then says nothing of the model's
    step count and moments (there were none on the page to set aside)."""
    registered = o.register_optimizer(Lion19) if "lion19" not in o.OPTIMIZERS else None
    try:
        path = saved(tmp_path, make(), include=include)
        s = opened(path)
    finally:
        if registered is not None:
            del o.OPTIMIZERS["lion19"]
    assert s.opt.t == 0
    s.act("set_optimizer", {"lr": 0.02})
    assert "step count" not in s.state()["message"] and s.state()["optimizer_from"] is None


def test_the_words_say_the_step_count_the_optimizer_is_at(tmp_path):
    """"Adam after 3 steps" was written when the file was opened and said so after Train 100 too, while the
    optimizer was at step 103. The count is the engine's: the file's (cr.load) and the page's steps since; Undo,
    Reset, a share link's page and the exported model say theirs."""
    from chainrule.teach.explore.export import model_bytes
    path = saved(tmp_path, o.Adam(0.05))
    first = cr.load(path).optimizer.t
    s = opened(path)
    s.act("train", {"steps": 100})
    said = s.state()["optimizer_from"]
    assert said.startswith(f"The optimizer is the model's: Adam after {first + 100} steps ({first} in the model "
                           "file, 100 on this page), with its first and second moments") and s.opt.t == first + 100
    copy = Session()
    copy.act("load_share", {"code": s.share()})
    assert copy.state()["optimizer_from"] == said and copy.state()["steps"] == 100
    (tmp_path / "exported.npz").write_bytes(model_bytes(s))
    assert f"Adam after {cr.load(tmp_path / 'exported.npz').optimizer.t} steps," in opened(
        tmp_path / "exported.npz").state()["optimizer_from"]
    s.act("step")
    assert f"after {first + 101} steps ({first} in the model file, 101 on this page)" in s.state()["optimizer_from"]
    for action in ("undo", "reset"):
        s.act(action)
        counted = f"after {first + s.steps} steps" + (f" ({first} in the model file, {s.steps} on this page)"
                                                       if s.steps else ",")
        assert counted in s.state()["optimizer_from"], action


def test_the_derivation_export_names_the_optimizer_with_its_settings(tmp_path):
    """The exported derivation of a page trained with Adam said "optimizer adam" (its key) and no rate: the report
    taken to class could not be trained again from it. It names it as the Method menu does, with the model's
    settings (those of the file, cr.load's)."""
    from chainrule.teach.explore.export import markdown
    path = saved(tmp_path, o.Adam(0.05, betas=(0.8, 0.99)))
    opt = cr.load(path).optimizer
    s = opened(path)
    head = markdown(s).splitlines()[2]
    assert head.endswith(f", optimizer Adam (η {opt.lr:g}, β₁ {opt.betas[0]:g}, β₂ {opt.betas[1]:g}, ε {opt.eps:g}).")
