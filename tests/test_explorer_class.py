"""The explorer as a teacher uses it in front of a class: what a click does when the server cannot do it, and the
loss curve beside the readout after an edit. Oracles: a real server stopped under the page, its real limit on
sessions, and the engine's loss of the edited network (`Network.loss`, not the page's)."""
import json
import urllib.request

import test_explore_browser as fixtures
from playwright.sync_api import expect

from chainrule.teach.explore.server import MAX_SESSIONS, Server, bind, create_app

server, browser, page = fixtures.server, fixtures.browser, fixtures.page       # the same fixtures, this module's own
TOKEN = fixtures.TOKEN


def _export(pg, kind):
    pg.click('[data-id="export-menu"] summary')
    pg.click(f'[data-export="{kind}"]')


def test_an_export_the_server_cannot_answer_says_why(browser):
    """Export (model, Markdown) was a link: a refusal or a stopped server downloaded nothing and said nothing."""
    srv = Server(create_app(TOKEN), bind("127.0.0.1", 0)).start()
    url, stopped = f"http://127.0.0.1:{srv.port}", False
    pg = browser.new_page()
    try:
        pg.goto(f"{url}/?token={TOKEN}")
        pg.wait_for_selector('[data-id="etotal"]:not(:empty)')
        for _ in range(MAX_SESSIONS):       # newer pages push this page's session out, as a restart ends it
            ask = urllib.request.Request(f"{url}/api/session", data=b"{}", method="POST",
                                         headers={"X-Token": TOKEN, "Content-Type": "application/json"})
            assert "session" in json.loads(urllib.request.urlopen(ask).read())
        _export(pg, "model.npz")
        expect(pg.locator('[data-id="error-text"]')).to_contain_text("this page's session has ended")
        pg.click('[data-id="error-close"]')
        srv.stop()
        stopped = True
        _export(pg, "derivation.md")
        expect(pg.locator('[data-id="error-text"]')).to_contain_text("The server did not answer")
    finally:
        pg.close()
        if not stopped:
            srv.stop()


def test_exports_still_download(page):
    with page.expect_download() as dl:
        _export(page, "derivation.md")
    assert dl.value.suggested_filename == "chainrule-derivation.md"
    assert "0.298371109" in open(dl.value.path(), encoding="utf-8").read()
    expect(page.locator('[data-id="error"]')).to_be_hidden()
