"""The explorer's HTTP API as an adversarial client meets it: a wrong method, an address it does not serve, a field
it does not know, a share code of the wrong type, many requests at once and a client gone before its body was sent
are each answered (a JSON refusal naming what was wrong, never a 500 nor a hung server). A share link that leaves
the step line out tells its sender so, with the reason.

Oracles: the routes the app declares (their methods), the session's own fields, the weights the test set, the share
code's payload, and a real uvicorn server on 127.0.0.1 answering after the abuse."""
import base64
import json
import socket
import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from starlette.testclient import TestClient

from chainrule.teach.explore import export, limits
from chainrule.teach.explore.server import Server, bind, create_app
from chainrule.teach.explore.session import Session

TOKEN = "explore66-token"
H = {"X-Token": TOKEN}


@pytest.fixture
def client():
    return TestClient(create_app(TOKEN), raise_server_exceptions=False)


def payload(code: str) -> dict:
    return json.loads(zlib.decompress(base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))))


@pytest.mark.parametrize("method, path, allowed", [
    ("GET", "/api/session", "POST"),
    ("PUT", "/api/session/SID/step", "POST"),
    ("GET", "/api/session/SID/train", "POST"),
    ("DELETE", "/api/session/SID/upload", "POST"),
    ("POST", "/api/session/SID/export/model.npz", "GET"),
])
def test_a_method_the_api_does_not_take_is_refused_in_json_naming_the_method_and_the_one_it_takes(
        client, method, path, allowed):
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.request(method, path.replace("SID", sid), headers=H)
    assert r.status_code == 405 and r.headers["content-type"] == "application/json"
    said = r.json()["error"]
    assert said.endswith(f"got {method}") and allowed in said.split(";")[0], said


@pytest.mark.parametrize("path", ["/api/nothing", "/api/session/SID/export/model.npz/more", "/api/"])
def test_an_address_the_api_does_not_serve_is_refused_in_json(client, path):
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.post(path.replace("SID", sid), headers=H, json={})
    assert r.status_code in (404, 405) and r.headers["content-type"] == "application/json"
    assert path.replace("SID", sid) in r.json()["error"]


@pytest.mark.parametrize("path, body, field", [
    ("/api/session", {"shar": "abc"}, "shar"),                  # a misspelt share: opened the seed without a word
    ("/api/session/SID/share", {"format": "short"}, "format"),  # share takes no fields
])
def test_a_field_the_api_does_not_know_is_refused_by_name_not_dropped(client, path, body, field):
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.post(path.replace("SID", sid), headers=H, json=body)
    assert r.status_code == 400, r.text
    assert f"got ['{field}']" in r.json()["error"]


@pytest.mark.parametrize("code, got", [(5, "int 5"), (["a"], "list ['a']"),      # "": test_notebook68_share
                                       ("x" * (limits.MAX_SHARE + 1), f"{limits.MAX_SHARE + 1:,} characters")])
def test_a_share_code_of_the_wrong_type_or_length_is_refused_saying_what_was_received(client, code, got):
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.post(f"/api/session/{sid}/load_share", headers=H, json={"code": code})
    assert r.status_code == 400
    assert r.json()["error"].endswith(f"; got {got}"), r.json()["error"]


def sender(*acts) -> tuple[TestClient, str, Session]:
    s = Session()
    for act in acts:
        s.act(act)
    c = TestClient(create_app(TOKEN, lambda: s))
    return c, c.post("/api/session", headers=H, json={}).json()["session"], s


def test_a_link_that_leaves_the_step_line_out_for_weights_past_a_million_tells_the_sender():
    c, sid, s = sender("step", "update")
    s.before = [w * 0 + 2e6 for w in s.before]
    s.before[0].flat[1] = -5.53e7
    a = c.post(f"/api/session/{sid}/share", headers=H, json={}).json()
    assert "taken" not in payload(a["code"]) and payload(a["code"])["phase"] == "forward"
    assert "leaves out the weights before the last steps" in a["note"]
    assert "about -55,300,000" in a["note"] and limits.between(limits.MAX_VALUE) in a["note"]
    assert "opens on Forward" in a["note"]


def test_a_link_that_leaves_the_step_line_out_for_its_length_tells_the_sender(monkeypatch):
    c, sid, s = sender("step")
    kept, s.before = s.before, None
    without = s.share()
    s.before = kept
    monkeypatch.setattr(limits, "MAX_SHARE", len(without))
    a = c.post(f"/api/session/{sid}/share", headers=H, json={}).json()
    assert "taken" not in payload(a["code"])
    assert "leaves out the weights before the last steps" in a["note"]
    assert f"{len(without):,} characters" in a["note"]
    assert "opens on Forward" not in a["note"]          # it was shared on Forward: it opens there as it was


def test_a_link_that_holds_the_step_line_has_no_note():
    c, sid, s = sender("step")
    a = c.post(f"/api/session/{sid}/share", headers=H, json={}).json()
    assert "taken" in payload(a["code"]) and a["note"] == ""


@pytest.fixture
def server():
    srv = Server(create_app(TOKEN), bind("127.0.0.1", 0)).start()
    yield srv
    srv.stop()


def test_many_requests_at_once_each_get_their_own_answer(server):
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(base_url=url, headers=H, timeout=20) as c:
        sid = c.post("/api/session", json={}).json()["session"]

        def train(k):
            return c.post(f"/api/session/{sid}/train", json={"steps": 1}).json()["state"]["steps"]

        def refused(k):
            return c.post(f"/api/session/{sid}/train", json={"steps": -k}).status_code
        with ThreadPoolExecutor(8) as pool:
            steps = list(pool.map(train, range(16)))
            codes = list(pool.map(refused, range(1, 17)))
        assert sorted(steps) == list(range(1, 17))     # one lock per session: each a step of its own, none lost
        assert codes == [400] * 16
        assert c.post(f"/api/session/{sid}/state", json={}).json()["state"]["steps"] == 16


@pytest.mark.parametrize("sent", [b"", b'{"steps": 1', b"x" * 1000])
def test_a_client_gone_before_its_body_was_sent_leaves_the_server_answering(server, sent):
    url = f"http://127.0.0.1:{server.port}"
    with httpx.Client(base_url=url, headers=H, timeout=10) as c:
        sid = c.post("/api/session", json={}).json()["session"]
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(f"POST /api/session/{sid}/train HTTP/1.1\r\nHost: x\r\nX-Token: {TOKEN}\r\n"
                         f"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n".encode() + sent)
        state = c.post(f"/api/session/{sid}/state", json={}).json()["state"]
        assert state["steps"] == 0          # the cut request trained nothing
        answer = c.post(f"/api/session/{sid}/step", json={})
        assert answer.status_code == 200 and answer.json()["state"]["steps"] == 1
        alone = Session()
        alone.act("step")
        assert answer.json()["state"]["params"] == alone.state()["params"]     # one step from the start, as alone


@pytest.mark.parametrize("action, body, missing", [
    ("select", {}, "name"),
    ("set_value", {"what": "input", "sample": 0, "index": 0}, "value"),
    ("set_param", {"value": 0.5}, "name"),
])
def test_a_field_the_action_needs_is_named_when_missing(client, action, body, missing):
    """It was "fields must be among [...]; got [...]", listing what was sent as if it were wrong."""
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.post(f"/api/session/{sid}/{action}", headers=H, json=body)
    assert r.status_code == 400
    assert r.json()["error"] == f"{action}: needs the field {missing!r}; got {sorted(body)}"
    assert r.json()["state"] == Session().state()      # the session unchanged: a fresh one's state


def test_the_notebooks_share_answer_carries_the_same_note_as_the_servers():
    from chainrule.teach.explore.widget import Explorer
    s = Session()
    s.act("step")
    s.before = [w * 0 + 2e6 for w in s.before]
    answer, _ = Explorer(session=s).handle({"kind": "act", "action": "share"}, [])
    assert (answer["code"], answer["note"]) == export.shared(s)
    assert "leaves out the weights before the last steps" in answer["note"]
