"""A share link opens the view its sender sees: the phase (after Forward, Backward or Update), the sample the chain-rule
panel follows, the selected weight and the step line, so the receiver's whole panel reads as the sender's; refused
in the share code's words where a field is wrong, and an older code without them still opens. The Init menu offers
the library's 'ones', drawn by the engine.

Oracles: the sender's own page (its panel's text, a real browser on 127.0.0.1), the engine's Network built with the
same initializer, the sender's session state. Browser tests use test_explore_browser's fixtures."""
import base64
import json
import zlib

import numpy as np
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore import limits
from chainrule.teach.explore.session import Session

server, browser, page, shots = fixtures.server, fixtures.browser, fixtures.page, fixtures.shots     # this module's own
PANEL = '[data-id="derivation"]'


def share_payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


def share_code(payload: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(payload).encode())).decode().rstrip("=")


def received(page, shots=None, name=""):
    """The sender's share link opened in a new page: that page (its panel drawn)."""
    page.click('[data-id="share"]')
    url = page.locator(".share-url").first
    expect(url).to_contain_text("#s=")
    other = page.context.new_page()
    other.set_viewport_size({"width": 1280, "height": 800})
    other.goto(url.inner_text().strip().replace("#", f"?token={fixtures.TOKEN}#"))
    other.wait_for_selector(f"{PANEL} .eq")
    if shots is not None:
        other.screenshot(path=str(shots / name), full_page=True)
    return other


@pytest.mark.parametrize("data, sample, weight, acts", [
    ("seed", None, "w5", ["step", "backward"]),          # the step line and the backward pass
    ("seed", None, "w5", ["step", "update"]),            # after Update: the pass of the weights before it
    ("moons", "6", "w1", ["step"]),                      # a data set's sample 7, the step line in Forward
    ("moons", "6", "w2", ["step", "update", "backward"]),
])
def test_a_share_link_opens_the_senders_whole_chain_rule_panel(page, shots, data, sample, weight, acts):
    if data != "seed":
        page.select_option('[data-id="data"]', data)
        expect(page.locator('[data-id="title"]')).to_contain_text(data)
        # by index: a text matches an option's label too ("6" is sample 6, value 5); answered in turn, before the click
        assert page.select_option('[data-id="sample"]', index=int(sample)) == [sample]
    page.locator(f'.edge[data-name="{weight}"]').dispatch_event("click")
    page.wait_for_selector(f"{PANEL} .eq")
    steps = 0
    for act in acts:
        page.click(f'[data-act="{act}"]')
        steps += act in ("step", "update")
        expect(page.locator('[data-id="emeta"]')).to_contain_text(f"step {steps} ")
        page.wait_for_selector(f'[data-phase="{"forward" if act == "step" else act}"].on')
    sent = page.inner_text(PANEL)
    other = received(page, shots, f"share-{data}-{'-'.join(acts)}.png")
    try:
        assert other.inner_text(PANEL) == sent
        if sample is not None:
            assert other.locator('[data-id="sample"]').input_value() == sample
    finally:
        other.close()


def sender(*acts, sample=0, data=False) -> Session:
    s = Session()
    if data:
        s.act("load", {"what": "dataset", "name": "moons", "n": 40})
        s.act("set_sample", {"sample": sample})
    s.act("select", {"name": "w2"})
    for act in acts:
        s.act(act)
    return s


@pytest.mark.parametrize("acts, data", [((), False), (("step",), True), (("step", "backward"), True),
                                        (("update",), False), (("step", "update"), True),
                                        (("update", "backward"), False)])
def test_a_shared_session_opens_at_the_senders_phase_sample_and_numbers(acts, data):
    s = sender(*acts, sample=9, data=data)
    copy = Session()
    got = copy.act("load_share", {"code": s.share()})
    want = s.state()
    for key in ("phase", "explained", "derivation", "E_total", "params", "layers", "steps"):
        assert got[key] == want[key], key


def test_an_older_share_code_without_phase_and_sample_opens_at_forward_on_the_first_sample():
    s = sender("step", "backward", sample=9, data=True)
    old = {k: v for k, v in share_payload(s.share()).items() if k not in ("phase", "sample")}
    copy = Session()
    shown = copy.act("load_share", {"code": share_code(old)})
    assert shown["phase"] == "forward" and shown["explained"]["sample"] == 0
    np.testing.assert_array_equal(copy.net.params, s.net.params)


@pytest.mark.parametrize("field, value, said", [
    ("phase", "sideways", "phase must be one of forward, backward, update; got 'sideways'"),
    ("phase", 2, "phase must be one of forward, backward, update; got 2"),
    ("sample", 28, "sample must be an integer from 0 to 27; got 28"),
    ("sample", "3", "sample must be an integer from 0 to 27; got '3'"),
    ("sample", -1, "sample must be an integer from 0 to 27; got -1"),
])
def test_a_share_codes_phase_and_sample_are_refused_saying_what_was_received(field, value, said):
    p = share_payload(sender("step", data=True).share())
    p[field] = value
    with pytest.raises(ValidationError) as caught:
        Session().act("load_share", {"code": share_code(p)})
    assert str(caught.value) == f"share code: {said}"


def test_a_shared_update_phase_needs_the_weights_before_that_update():
    p = share_payload(sender("step", "update").share())
    assert p["phase"] == "update" and p["taken"]["grads"] is None and p["taken"]["from"] == 1
    for taken, got in ((None, "none"), ({**p["taken"], "from": 0}, "steps 1 to 2")):
        bad = {**p, "taken": taken}
        with pytest.raises(ValidationError) as caught:
            Session().act("load_share", {"code": share_code(bad)})
        assert str(caught.value) == ("share code: phase update must come with the weights before that one update "
                                     f"(taken, from step 1, without a gradient); got {got}")


def test_the_init_menu_offers_ones_drawn_by_the_engine(page):
    options = page.locator('label.field:has(span:text-is("Init")) option').all_text_contents()
    assert "ones" in options, options
    s = Session()
    s.act("set_architecture", {"init": "ones", "hidden": [3], "activations": ["tanh"]})
    ref = cr.Network([cr.Dense(2, 3, "tanh", weight_init="ones", bias_init="zeros"),
                      cr.Dense(3, 2, "sigmoid", weight_init="ones", bias_init="zeros")], loss=s.arch["loss"],
                     seed=s.arch["seed"])
    for got, want in zip(s.net.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(got, want)


def test_a_shared_update_of_another_optimizer_opens_on_the_value_it_made():
    s = Session()
    s.act("set_optimizer", {"name": "adam", "lr": 0.1})
    s.act("select", {"name": "w5"})
    s.act("step")
    s.act("update")
    got = Session().act("load_share", {"code": s.share()})
    assert got["phase"] == "update" and got["derivation"] == s.state()["derivation"]
    w5 = next(p for p in got["params"] if p["name"] == "w5")["shown"]["value"]       # the updated weight now
    assert f"made w5 {w5};" in got["derivation"]["note"]


def test_an_update_too_long_to_share_with_its_weights_before_opens_on_forward(monkeypatch):
    s = sender("step", "update")
    kept, s.before = s.before, None
    s.phase = "forward"
    without = s.share()             # the same network on Forward, no weights before to carry
    s.before, s.phase = kept, "update"
    monkeypatch.setattr(limits, "MAX_SHARE", len(without))
    copy = Session()
    shown = copy.act("load_share", {"code": s.share()})
    assert shown["phase"] == "forward" and copy.before is None
    np.testing.assert_array_equal(copy.net.params, s.net.params)


def test_another_sample_after_update_shows_the_pass_of_the_weights_updated_and_shares_as_seen():
    """After Update the panel shows the pass of the weights before it; choosing another sample there keeps those
    weights (it showed the updated ones' pass beside the update's step line), and a share link opens on it."""
    s, before = sender("step", sample=9, data=True), sender("step", sample=9, data=True)
    s.act("update")
    got = s.act("set_sample", {"sample": 5})
    want = before.act("set_sample", {"sample": 5})        # the same weights, not updated, on Forward
    assert got["phase"] == "update" and got["explained"] == want["explained"]
    numbers = [[{k: v for k, v in line.items() if k != "when"} for line in d["derivation"]["lines"]]
               for d in (got, want)]        # the same numbers; "when" names the phase's weights in words
    assert numbers[0] == numbers[1]
    assert s.net.params.tolist() != before.net.params.tolist()      # the network holds the updated weights
    copy = Session().act("load_share", {"code": s.share()})
    for key in ("phase", "explained", "derivation", "E_total", "params", "layers", "steps"):
        assert copy[key] == got[key], key
