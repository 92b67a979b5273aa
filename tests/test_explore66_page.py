"""In a real browser (Debian's chromium, the server on 127.0.0.1 stopped by the fixture): a share link that leaves the
step line out says so beside the link, reached with the keyboard as with the mouse; a link that holds it says
nothing more. Oracles: the session's own share code (the engine's) and the weights the test set."""
import os
import tempfile

import pytest
from playwright import sync_api
from playwright.sync_api import expect

from chainrule.teach.explore import export
from chainrule.teach.explore.server import Server, bind, create_app
from chainrule.teach.explore.session import Session

CHROMIUM = "/usr/bin/chromium"
TOKEN = "explore66-page-token"


@pytest.fixture(scope="module")
def served():
    opened: list[Session] = []

    def make() -> Session:
        opened.append(Session())
        return opened[-1]
    srv = Server(create_app(TOKEN, make), bind("127.0.0.1", 0)).start()
    yield f"http://127.0.0.1:{srv.port}", opened
    srv.stop()


@pytest.fixture
def page(served):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM} (`make test` installs it with apt-get)")
    url, opened = served
    with sync_api.sync_playwright() as p, tempfile.TemporaryDirectory() as profile:
        ctx = p.chromium.launch_persistent_context(profile, executable_path=CHROMIUM, headless=True,
                                                   args=["--no-sandbox", "--disable-gpu"],
                                                   viewport={"width": 1280, "height": 800})
        ctx.set_default_timeout(20_000)
        pg = ctx.new_page()
        problems: list[str] = []
        pg.on("pageerror", lambda e: problems.append(str(e)))
        pg.goto(f"{url}/?token={TOKEN}")
        pg.wait_for_selector('[data-id="etotal"]:not(:empty)')
        yield pg, opened[-1]
        ctx.close()
        assert problems == []


def share_by_keyboard(pg) -> str:
    pg.locator('[data-id="share"]').focus()
    pg.keyboard.press("Enter")
    info = pg.locator('[data-id="info"]')
    expect(info).to_contain_text("#s=")
    return info.inner_text()


def test_the_page_says_beside_the_link_that_it_leaves_the_step_line_out(page):
    pg, s = page
    pg.click('[data-act="step"]')
    expect(pg.locator('[data-id="etotal"]')).not_to_have_text("0.298371109")
    s.before = [w * 0 + 3e6 for w in s.before]        # a run that came back from weights past what a link holds
    said = share_by_keyboard(pg)
    assert ("The link leaves out the weights before the last steps, as one of them is about 3,000,000") in said
    assert "lacks the line \"The step just taken ... moved ... from ... to ...\"" in said
    assert export.share_code(s) in said                 # the link shown is the engine's code


def test_a_link_with_its_step_line_says_nothing_more(page):
    pg, s = page
    pg.click('[data-act="step"]')
    expect(pg.locator('[data-id="etotal"]')).not_to_have_text("0.298371109")
    said = share_by_keyboard(pg)
    assert "leaves out" not in said and export.share_code(s) in said
