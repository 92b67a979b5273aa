"""Share codes after the sender's view joined them: a code holding a phase past Forward, a sample past the first, the
panel's weight or the step line is version 4, which a chainrule reading versions 1 to 3 (it would ignore them and open
another view without a word) refuses as made by a newer chainrule; codes without them keep their older version. The
weights before the last steps are checked as the network's own weights are (within ±10^6), and a gradient or moment
of a float32 network is refused past what float32 holds rather than opened as infinity.

Oracles: the share code's own payload, this chainrule's reader with its known version set to 3 (the release before the
view was shared), the sender's session, and the page's refusal of a typed weight (Session.set_param)."""
import base64
import json
import zlib

import numpy as np
import pytest
from test_explorer_trained import opened

import chainrule as cr
from chainrule.errors import ValidationError
from chainrule.teach.explore import export
from chainrule.teach.explore.session import Session


def payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


def encoded(p: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(p).encode())).decode().rstrip("=")


def sender(*acts, sample=0, select=None) -> Session:
    s = Session()
    if sample:
        s.act("load", {"what": "dataset", "name": "moons", "n": 40})
        s.act("set_sample", {"sample": sample})
    if select:
        s.act("select", {"name": select})
    for act in acts:
        s.act(act)
    return s


@pytest.mark.parametrize("acts, sample, select", [
    (("backward",), 0, None),           # the phase
    ((), 9, None),                      # the followed sample
    ((), 0, "w5"),                      # the panel's weight
    (("step",), 0, None),               # the step line (the weights before the step, its gradient)
    (("update",), 0, None),             # after Update: the pass of the weights before it
])
def test_a_code_holding_the_senders_view_is_version_4_which_an_older_reader_refuses(monkeypatch, acts, sample, select):
    s = sender(*acts, sample=sample, select=select)
    code = s.share()
    assert payload(code)["v"] == 4
    copy = Session()
    copy.act("load_share", {"code": code})           # this chainrule opens it as the sender sees it
    assert (copy.phase, copy.sample, copy.selected) == (s.phase, s.sample, s.selected)
    monkeypatch.setattr(export, "VERSION", 3)       # the reader before the view was shared
    with pytest.raises(ValidationError, match=r"made by a newer chainrule \(share code version 4; this one reads "
                                              r"versions 1 to 3\): upgrade chainrule to open it"):
        Session().act("load_share", {"code": code})


def test_a_code_without_the_senders_view_keeps_the_version_an_older_chainrule_opens():
    """Forward, the first sample, no weight chosen, no steps: nothing an older reader would miss."""
    assert payload(Session().share())["v"] == 1
    s = sender("step", "forward")
    s._fresh()                          # the stepped weights, as a new start: no step line to share
    assert payload(s.share())["v"] == 1


def test_a_code_of_a_chainrule_newer_than_this_one_is_refused_saying_so():
    p = {**payload(sender("backward").share()), "v": 6}
    with pytest.raises(ValidationError, match=r"made by a newer chainrule \(share code version 6; this one reads "
                                              r"versions 1 to 5\): upgrade chainrule to open it"):
        Session().act("load_share", {"code": encoded(p)})


@pytest.mark.parametrize("value", [1e300, 2e6, -1000000.5])
def test_weights_before_the_last_steps_are_refused_where_a_weight_is(value):
    """A hand-made code with a weight before the step at 1e300 was opened (its step line writing that weight);
    it is refused as the network's own weights are, and as the page refuses such a weight typed in."""
    p = payload(sender("step").share())
    with pytest.raises(ValidationError) as typed:
        Session().act("set_param", {"name": "w1", "value": value})
    p["taken"]["before"][0] = value
    with pytest.raises(ValidationError) as caught:
        Session().act("load_share", {"code": encoded(p)})
    assert str(caught.value) == (f"share code: the weights before the last steps must be a finite number between "
                                 f"-1,000,000 and 1,000,000; got {value!r}")
    assert str(typed.value).endswith(f"between -1,000,000 and 1,000,000; got {value!r}")
    p["taken"]["before"][0] = 1e6                   # the largest the page takes opens
    Session().act("load_share", {"code": encoded(p)})


def float32_page(tmp_path) -> Session:
    rng = np.random.default_rng(0)
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="mse", seed=1, dtype="float32")
    net.fit(rng.normal(size=(6, 2)), rng.uniform(size=(6, 1)), epochs=2, batch_size=6, optimizer=cr.optim.Adam(0.05),
            verbose=0)
    net.save(tmp_path / "m.npz")
    s = opened(tmp_path / "m.npz")
    s.act("step")
    return s


@pytest.mark.parametrize("where", ["grads", "exp_avg"])
def test_a_float32_networks_gradient_or_moment_past_float32_is_refused_not_opened_as_infinity(tmp_path, where):
    p = payload(float32_page(tmp_path).share())
    assert p["net"]["dtype"] == "float32" and p["taken"]["grads"] is not None
    (p["taken"] if where == "grads" else p["opt_state"])[where][0] = 1e300
    with pytest.raises(ValidationError, match=r"between -3\.40282e\+38 and 3\.40282e\+38; got 1e\+300"):
        Session().act("load_share", {"code": encoded(p)})


def test_weights_before_the_steps_past_what_a_copy_takes_leave_the_step_line_out():
    """The sender's link then opens as one made after those steps (Forward), not refused by the copy."""
    s = sender("step")
    s.before = [w * 0 + 2e6 for w in s.before]
    p = payload(s.share())
    assert "taken" not in p and p["phase"] == "forward"
    copy = Session()
    copy.act("load_share", {"code": s.share()})
    np.testing.assert_array_equal(copy.net.params, s.net.params)


@pytest.mark.parametrize("part, words, bound", [
    ("params", "the network's weights", "1,000,000"),
    ("X", "X", "1,000,000"),
    ("Y", "Y", "1,000,000"),
    ("exp_avg", "the optimizer's exp_avg", "10^300"),
])
def test_a_share_codes_value_past_its_bound_is_refused_naming_the_share_code_and_its_part(part, words, bound):
    """A link's weight at 2e6 was refused as "parameter must be ...", a moment as "exp_avg must be ...": words of
    a field the reader never typed in. Each says it is the share code's, and which part of it, as the code's other
    refusals do ("share code: the weights before the last steps ...")."""
    s = sender()
    s.act("set_optimizer", {"name": "adam"})
    s.act("step")
    p = payload(s.share())
    assert p["data"] is None                # the seed's batch: its X and Y are in the code
    value = 1e301 if part == "exp_avg" else 2e6
    if part in ("X", "Y"):
        p[part][0][0] = value
    else:
        (p["opt_state"] if part == "exp_avg" else p)[part][0] = value
    with pytest.raises(ValidationError) as caught:
        Session().act("load_share", {"code": encoded(p)})
    assert str(caught.value) == (f"share code: {words} must be a finite number between -{bound} and {bound}; "
                                 f"got {value!r}")
