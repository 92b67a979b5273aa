"""An empty share link (`#s=` with nothing after it, a new session's `share: ""`, `Explorer(share="")`) opened the
seed network without a word, as if no link had been given: the teacher who pasted half a link saw the seed and took it
for the shared network. Each now says the share code is empty, as any other broken link is said (the page: the seed
with the reason; the notebook: the constructor refuses, as it refuses a damaged code)."""
import pytest
import test_explore_browser as fixtures
from playwright.sync_api import expect
from starlette.testclient import TestClient

from chainrule.errors import ValidationError
from chainrule.teach.explore.server import Server, bind, create_app
from chainrule.teach.explore.widget import Explorer

TOKEN = "notebook68-token"
browser = fixtures.browser          # its fixture


def test_the_notebook_widget_refuses_an_empty_share_code_as_it_refuses_a_damaged_one():
    with pytest.raises(ValidationError, match="damaged"):
        Explorer(share="abc")
    with pytest.raises(ValidationError, match=r"the share code is empty.*#s=.*copy the whole link"):
        Explorer(share="")
    assert Explorer(share=None).session.is_seed_start()          # no share given: the seed, as before


def test_a_new_session_with_an_empty_share_says_so_beside_the_seed():
    with TestClient(create_app(TOKEN)) as client:
        a = client.post("/api/session", headers={"X-Token": TOKEN}, json={"share": ""}).json()
        assert "the shared link could not be opened: the share code is empty" in a["error"]
        assert a["session"] and a["state"]["mode"] == "seed"
        b = client.post("/api/session", headers={"X-Token": TOKEN}, json={}).json()
        assert "error" not in b and b["state"]["mode"] == "seed"
        r = client.post(f"/api/session/{b['session']}/load_share", headers={"X-Token": TOKEN}, json={"code": ""})
        assert r.status_code == 400 and r.json()["error"] == ("the share code is empty (a share link holds it after "
                                                              "#s=): copy the whole link")


def test_the_page_opened_on_an_empty_share_link_says_it_is_empty_and_keeps_it_in_the_address(browser):
    """Kept there, as every refused link is, to be fixed (test_explore69b_page)."""
    srv = Server(create_app(TOKEN), bind("127.0.0.1", 0)).start()
    try:
        base = f"http://127.0.0.1:{srv.port}/?token={TOKEN}"
        pg = browser.new_page()
        pg.goto(base)                                    # a session of this tab: a step taken in it
        expect(pg.locator('[data-id="etotal"]')).to_have_text("0.298371109")
        pg.click('[data-act="step"]')
        expect(pg.locator('[data-id="etotal"]')).to_have_text("0.291027774")
        pg.goto(base + "#s=")
        pg.reload()
        expect(pg.locator('[data-id="error-text"]')).to_contain_text("the share code is empty")
        expect(pg.locator('[data-id="etotal"]')).to_have_text("0.291027774")     # this tab's session, never a new seed
        assert pg.url.endswith("#s=")
        pg.close()
    finally:
        srv.stop()
