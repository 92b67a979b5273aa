"""The explorer's HTTP API on a real server: a share (or a share code) sent as a number too long or too large for a
float is refused naming its JSON kind, float, quoted as sent, never by the server's own class for such numbers.

Oracles: the JSON text the test sends and the seed session's own state."""
import pytest
from conftest import explorer_client

from chainrule.teach.explore.session import Session

TOKEN = "rev-explore67-token"
JSON = {"X-Token": TOKEN, "Content-Type": "application/json"}
LONG = "1" + "0" * 300                    # 301 digits: read as a float


@pytest.fixture
def api():
    with explorer_client(TOKEN, JSON) as c:
        yield c


@pytest.mark.parametrize("sent, got", [("1e400", "float 1e400"), ("-2.5E+999", "float -2.5E+999"),
                                       (LONG, "float 100000000000...000000 (301 digits)"), ("1.5", "float 1.5")])
def test_a_share_sent_as_a_number_past_a_float_is_named_float_as_sent(api, sent, got):
    r = api.post("/api/session", content='{"share": ' + sent + "}")
    assert r.status_code == 400, r.text
    assert r.json()["error"] == f"share must be text (the part of a share link after #s=); got {got}"


@pytest.mark.parametrize("sent, got", [("1e400", "float 1e400"), (LONG, "float 100000000000...000000 (301 digits)"),
                                       ("true", "bool True")])
def test_a_share_code_sent_as_a_number_past_a_float_is_named_float_as_sent(api, sent, got):
    sid = api.post("/api/session", content="{}").json()["session"]
    r = api.post(f"/api/session/{sid}/load_share", content='{"code": ' + sent + "}")
    assert r.status_code == 400, r.text
    assert r.json()["error"] == f"a share code is a text of 1 to 32,000 characters; got {got}"
    assert r.json()["state"] == Session().state()      # nothing changed
