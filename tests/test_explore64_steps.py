"""After Train (many steps at once) the chain-rule panel says which steps were taken and where they moved the weight,
as it does after one Step; a share link brings that line and the chosen weight to the receiver's page; the norms card
says that its gradient is the chain rule's (every unit on, no weight penalty) where a step's differs; the Init menu
offers the library's torch_default and truncated_normal, drawn by the engine.

Oracles: torch (the seed's network trained by torch.optim.SGD), the engine's own Network built with the same
initializer and seed, net.train_batch (the gradient a step takes). Browser tests use test_explore_browser's fixtures
(a server on 127.0.0.1, Debian's chromium)."""
import base64
import json
import re
import zlib

import numpy as np
import pytest
import test_explore_browser as fixtures
import torch
from playwright.sync_api import expect

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore import limits
from chainrule.teach.explore.session import Session, Start

server, browser, page = fixtures.server, fixtures.browser, fixtures.page      # this module's own
STEP_LINE = '[data-id="derivation-step"]'


def torch_seed_w5(steps: int) -> float:
    """w5 after `steps` steps of plain gradient descent (lr 0.5) on the seed's network, by torch."""
    net, X, Y, _ = cr.examples.seed_network()
    W = [torch.tensor(d.W, requires_grad=True) for d in net.dense_layers]
    b = [torch.tensor(d.b) for d in net.dense_layers]        # the seed keeps its biases fixed
    opt = torch.optim.SGD(W, lr=0.5)
    for _ in range(steps):
        opt.zero_grad()
        out = torch.sigmoid(torch.sigmoid(torch.tensor(X) @ W[0] + b[0]) @ W[1] + b[1])
        (0.5 * ((torch.tensor(Y) - out) ** 2).sum(dim=1)).mean().backward()
        opt.step()
    return W[1][0, 0].item()


def said_numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\w.])-?\d+\.\d+", text)]


def test_after_train_the_panel_says_the_steps_taken_and_where_they_moved_the_weight(page):
    page.click('.labels [data-name="w5"]')
    page.wait_for_selector(".derivation .eq")
    page.fill('[data-id="train-steps"]', "5")
    page.click('[data-id="train"]')
    expect(page.locator(STEP_LINE)).to_contain_text("steps 1 to 5")
    line = page.inner_text(STEP_LINE)
    assert said_numbers(line)[0] == 0.4, line
    assert abs(said_numbers(line)[1] - torch_seed_w5(5)) < 1e-8, line
    assert "step 6's" in line, line            # the gradient and update below are the next step's
    page.click('[data-act="step"]')             # one Step after it: the step line of that step, numbered 6
    expect(page.locator(STEP_LINE)).to_contain_text("(step 6)")
    assert abs(said_numbers(page.inner_text(STEP_LINE))[1] - torch_seed_w5(6)) < 1e-8


def test_a_share_link_opens_with_the_senders_weight_and_step_line(page, server):
    page.click('.labels [data-name="w5"]')
    page.wait_for_selector(".derivation .eq")
    page.fill('[data-id="train-steps"]', "3")
    page.click('[data-id="train"]')
    expect(page.locator(STEP_LINE)).to_contain_text("steps 1 to 3")
    sent = page.inner_text('[data-id="derivation"]')
    page.click('[data-id="share"]')
    url = page.locator(".share-url").first
    expect(url).to_contain_text("#s=")
    link = url.inner_text().strip()
    other = page.context.new_page()
    try:
        other.goto(link.replace("#", f"?token={fixtures.TOKEN}#"))
        expect(other.locator(STEP_LINE)).to_contain_text("steps 1 to 3")
        assert other.inner_text('[data-id="derivation"]') == sent
    finally:
        other.close()


def test_a_shared_step_keeps_its_gradient_in_the_step_line():
    s = Session()
    s.act("select", {"name": "w2"})
    line = s.act("step")["derivation"]["step"]
    copy = Session()
    assert copy.act("load_share", {"code": s.share()})["derivation"]["step"] == line


def dropout_net(penalty: float = 0.0):
    net = cr.Network([cr.Dense(2, 4, "sigmoid"), cr.Dropout(0.5), cr.Dense(4, 2, "sigmoid")], loss="mse", seed=1)
    net.weight_penalty = penalty
    return net


def test_the_norms_card_says_its_gradient_is_not_the_steps_where_dropout_or_a_penalty_changes_it():
    for penalty in (0.0, 2.0):
        s = Session(Start(dropout_net(penalty), name="d.npz"))
        shown = s.state()
        card = np.array([n["norm"] for n in shown["grad_norms"]])
        with np.errstate(all="ignore"):
            s.net.train_batch(*s.net.check_data(s.X, s.Y))        # what a step takes
        took = np.array([np.sqrt((d.dW ** 2).sum()) for d in s.net.dense_layers])
        assert not np.allclose(card, took)          # the card's is not the step's ...
        assert "every unit on" in shown["norms_of"] and "differs" in shown["norms_of"], shown["norms_of"]
        assert ("weight penalty" in shown["norms_of"]) == bool(penalty)
    plain = Session().state()
    assert "every unit on" not in plain["norms_of"] and "differs" not in plain["norms_of"]


def test_the_init_menu_offers_torch_default_and_truncated_normal_drawn_by_the_engine(page):
    options = page.locator('label.field:has(span:text-is("Init")) option').all_text_contents()
    assert "torch_default" in options and "truncated_normal" in options, options
    for init in ("torch_default", "truncated_normal"):
        s = Session()
        s.act("set_architecture", {"init": init, "hidden": [3], "activations": ["tanh"]})
        seed = s.arch["seed"]
        bias = "torch_default" if init == "torch_default" else "zeros"      # torch's nn.Linear draws both
        ref = cr.Network([cr.Dense(2, 3, "tanh", weight_init=init, bias_init=bias),
                          cr.Dense(3, 2, "sigmoid", weight_init=init, bias_init=bias)], loss=s.arch["loss"], seed=seed)
        for got, want in zip(s.net.get_weights(), ref.get_weights()):
            np.testing.assert_array_equal(got, want)


def share_payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


def share_code(payload: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).decode().rstrip("=")


def stepped(steps: int = 1) -> Session:
    s = Session()
    s.act("select", {"name": "w5"})
    for _ in range(steps):
        s.act("step")
    return s


def test_an_older_share_code_without_the_chosen_weight_and_step_line_still_opens():
    s = stepped()
    old = {k: v for k, v in share_payload(s.share()).items() if k not in ("taken", "selected")}
    copy = Session()
    copy.act("load_share", {"code": share_code(old)})
    for got, want in zip(copy.net.get_weights(), s.net.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert copy.steps == 1 and copy.selected is None and copy.before is None


def test_a_share_link_too_long_with_the_step_line_is_shared_without_it(monkeypatch):
    s = stepped()
    whole = s.share()
    taken, s.before = s.before, None
    without = s.share()                 # the same page, no step line to carry
    s.before = taken
    assert len(without) < len(whole)
    monkeypatch.setattr(limits, "MAX_SHARE", len(without))
    code = s.share()
    assert code == without
    copy = Session()
    shown = copy.act("load_share", {"code": code})
    assert copy.selected == "w5" and shown["derivation"]["step"] is None
    monkeypatch.setattr(limits, "MAX_SHARE", len(without) - 1)      # too long even without: refused, not cut
    with pytest.raises(ValidationError, match="share link would be"):
        s.share()


@pytest.mark.parametrize("field, value, said", [
    ("taken", [1, 2], "taken must hold from, before and grads; got a list"),
    ("taken", {"from": 0}, "taken must hold from, before and grads; got ['from']"),
    ("before", [0.5] * 11, "the weights before the last steps must be 12 values; got 11"),
    ("before", "0.5", "the weights before the last steps must be 12 values; got a str"),
    ("grads", {}, "the last step's gradient must be 12 values; got a dict"),
    ("selected", 5, "selected must name a weight, bias or neuron of this network; got 5"),
    ("selected", "w99", "selected must name a weight, bias or neuron of this network; got 'w99'"),
])
def test_a_share_codes_step_line_and_weight_are_refused_saying_what_was_received(field, value, said):
    p = share_payload(stepped().share())
    if field in ("before", "grads"):
        p["taken"][field] = value
    else:
        p[field] = value
    with pytest.raises(ValidationError) as caught:
        Session().act("load_share", {"code": share_code(p)})
    assert str(caught.value) == f"share code: {said}"


def test_a_shared_steps_gradient_is_refused_unless_it_is_the_last_steps():
    p = share_payload(stepped(2).share())
    assert p["taken"]["from"] == 1
    p["taken"]["from"] = 0          # a gradient of step 2 said to be of a run from step 0: its line would be wrong
    with pytest.raises(ValidationError, match="began from must be an integer from 1 to 1; got 0"):
        Session().act("load_share", {"code": share_code(p)})


def test_the_norms_card_never_calls_its_gradient_the_steps_where_it_says_a_steps_differs():
    s = Session(Start(dropout_net(), name="d.npz"))
    said = {"forward": s.state()["norms_of"]}
    s.act("backward")
    said["backward"] = s.state()["norms_of"]
    s.act("update")
    said["update"] = s.state()["norms_of"]
    for phase, words in said.items():
        assert "differs" in words, (phase, words)
        # the card draws the chain rule's gradient, not the one the step takes (nor the one the update took)
        assert "next step's gradient" not in words and "gradient the next step takes" not in words, (phase, words)
        assert "its gradient" not in words and "the gradient it took" not in words, (phase, words)
    assert said["forward"].endswith("The next step's own gradient differs.")
    assert said["update"].endswith("The gradient the update took differs.")
