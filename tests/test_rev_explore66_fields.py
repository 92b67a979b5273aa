"""An API action that takes no fields, sent one, says so in those words: it said "fields must be among []", a list
of nothing to choose from. Oracle: the actions' own signatures (no parameters) and the field the test sent."""
import pytest
from starlette.testclient import TestClient

from chainrule.teach.explore.server import create_app
from chainrule.teach.explore.session import Session

TOKEN = "rev-explore66-token"
H = {"X-Token": TOKEN}


@pytest.mark.parametrize("action, body", [("share", {"format": "short"}), ("step", {"steps": 5}),
                                          ("forward", {"sample": 1}), ("reset", {"seed": 0, "what": "all"})])
def test_an_action_that_takes_no_fields_says_so_naming_what_was_sent(action, body):
    client = TestClient(create_app(TOKEN), raise_server_exceptions=False)
    sid = client.post("/api/session", headers=H, json={}).json()["session"]
    r = client.post(f"/api/session/{sid}/{action}", headers=H, json=body)
    assert r.status_code == 400
    assert r.json()["error"] == f"{action} takes no fields; got {sorted(body)}"


def test_an_action_with_fields_still_lists_them_when_sent_an_unknown_one():
    s = Session()
    with pytest.raises(Exception) as refused:
        s.act("train", {"step": 5})
    assert str(refused.value) == "train: fields must be among ['steps', 'goes_on']; got ['step']"
