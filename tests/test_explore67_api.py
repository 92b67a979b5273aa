"""The explorer's HTTP API on a real server: a new session's share of the wrong type is refused by name (it opened the
seed network with an error, as a broken link does, or silently where the value was 0 or an empty list); a number too
long or too large for a float is quoted back as sent, not as "inf"; the note of a link that leaves the chain rule's
step line out is one sentence.

Oracles: the JSON text the test sends, the seed session's own state, and the share code's payload."""
import base64
import json
import zlib

import httpx
import pytest
from conftest import explorer_client

from chainrule.teach.explore import export, limits
from chainrule.teach.explore.session import Session

TOKEN = "explore67-token"
H = {"X-Token": TOKEN}
JSON = {**H, "Content-Type": "application/json"}


@pytest.fixture
def api():
    with explorer_client(TOKEN, H) as c:
        yield c


@pytest.mark.parametrize("share, got", [(5, "int 5"), (0, "int 0"), ([], "list []"), (None, "None"),
                                        ({"v": 1}, "dict {'v': 1}")])
def test_a_new_sessions_share_of_the_wrong_type_is_refused_naming_the_field_and_what_was_received(api, share, got):
    r = api.post("/api/session", json={"share": share})
    assert r.status_code == 400, r.text
    assert "session" not in r.json()                    # no tab opened on the seed network
    said = r.json()["error"]
    assert said.startswith("share must be text") and said.endswith(f"; got {got}"), said


def test_a_broken_share_link_still_opens_the_seed_network_saying_why(api):
    a = api.post("/api/session", json={"share": "not-a-code"}).json()
    assert a["session"] and a["error"].startswith("the shared link could not be opened")
    assert a["state"]["params"] == Session().state()["params"]


BIG = "1" + "0" * 300                     # 301 digits: read as a float, 1e300
HUGE = "-98765" + "4" * 400               # past a float's range: -inf


@pytest.mark.parametrize("action, fields, sent", [
    ("train", '"steps": ' + BIG, BIG),
    ("train", '"steps": ' + HUGE, HUGE),
    ("train", '"steps": 1e400', "1e400"),
    ("set_param", '"name": "w1", "value": ' + HUGE, HUGE),
    ("set_param", '"name": "w1", "value": -2.5E+999', "-2.5E+999"),
    ("set_optimizer", '"name": "sgd", "lr": ' + BIG, BIG),
    ("set_sample", '"sample": ' + BIG, BIG),
])
def test_a_number_too_long_or_too_large_is_quoted_back_as_sent_shortened(api, action, fields, sent):
    sid = api.post("/api/session", json={}).json()["session"]
    r = api.post(f"/api/session/{sid}/{action}", headers=JSON, content="{" + fields + "}")
    assert r.status_code == 400, r.text
    said = r.json()["error"]
    assert "inf" not in said.split("; got ")[-1], said
    quoted = said.split("; got ")[-1]
    if len(sent) <= 24:
        assert quoted == sent
    else:
        digits = sum(ch.isdigit() for ch in sent)
        assert quoted == f"{sent[:12]}...{sent[-6:]} ({digits:,} digits)", said
        assert len(quoted) < 50
    assert r.json()["state"] == Session().state()      # nothing changed


def payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


@pytest.mark.parametrize("phase", ["update", "forward"])
def test_the_note_of_a_link_without_the_step_line_is_one_sentence(api, phase):
    s = Session()
    s.act("step")
    if phase == "update":
        s.act("update")
    s.before = [w * 0 + 3e6 for w in s.before]
    code, note = export.shared(s)
    assert "taken" not in payload(code)
    assert ":" not in note, note                        # it joined three clauses with colons
    assert note[0].isupper() and note.endswith(".") and note.count("; ") == 0, note
    assert "about 3,000,000" in note and limits.between(limits.MAX_VALUE) in note
    assert ("opens on Forward" in note) == (phase == "update")


def test_a_cross_site_text_plain_request_without_the_token_changes_nothing(api):
    """Why a text/plain body is still read as JSON: the "simple" request another web page may send without asking
    carries no token, and is refused before its body is read."""
    sid = api.post("/api/session", json={}).json()["session"]
    r = httpx.post(str(api.base_url.join(f"/api/session/{sid}/train")), content='{"steps": 5}',
                   headers={"Content-Type": "text/plain", "Origin": "http://elsewhere.example"}, timeout=20)
    assert r.status_code == 403 and "token" in r.json()["error"]
    assert api.post(f"/api/session/{sid}/state", json={}).json()["state"]["steps"] == 0
