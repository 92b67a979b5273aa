"""The notebook widget without its kernel, in a real browser (Playwright, Debian's chromium): a notebook saved with
its output and opened again (the widget's module is in the saved file; its kernel is not running), or the kernel
restarted under a shown widget. The page's requests then went nowhere and it waited without a word, or said
"Could not reach the explorer's server", a server the notebook does not have. Now it says the kernel does not answer
and what to do. The widget's module needs nothing else: no request leaves the page, whatever it shows."""
import json

import test_explore_browser as fixtures
from playwright.sync_api import expect

from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser          # its fixture

# the widget rendered into #cell with a model of a saved notebook's page: `send` goes nowhere (mode "drop"), or throws
# as a closed comm does ("throw")
RENDER = """async ([code, mode]) => {
    const mod = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    const model = {
      on: () => {}, off: () => {},
      send() { if (mode === "throw") throw new Error("Cannot send: the comm is closed"); },
    };
    mod.default.render({ model, el: document.getElementById("cell") });
}"""

NO_KERNEL = ("the explorer's numbers come from this notebook's Python kernel, which does not answer (a notebook opened "
             "without its kernel running, saved or after a restart, shows the page without them): run the cell that "
             "makes the widget (Explorer(...)) again.")
BUSY = "it may be busy running a cell (the page goes on when it is done); if no cell is running, "


def saved_notebook(browser, mode):
    pg = browser.new_page()
    problems, requests = [], []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.on("request", lambda r: requests.append(r.url) if not r.url.startswith("blob:") else None)   # not the module
    pg.clock.install()
    pg.set_content("<div id=cell></div>")
    pg.add_style_tag(content=Explorer._css)
    pg.evaluate(RENDER, [Explorer._esm, mode])
    return pg, problems, requests


def test_a_saved_notebooks_widget_without_its_kernel_says_so_instead_of_waiting_without_a_word(browser):
    pg, problems, requests = saved_notebook(browser, "drop")
    error = pg.locator('[data-id="error"]')
    expect(error).to_be_hidden()                        # the kernel is given time to answer
    pg.clock.run_for(11_000)
    expect(error).to_be_visible()
    expect(pg.locator('[data-id="error-text"]')).to_have_text("No answer from the kernel in 10 s: " + BUSY + NO_KERNEL)
    assert requests == [] and problems == []            # nothing fetched: no server, no internet
    pg.close()


def test_a_widget_whose_kernel_is_gone_says_so_not_that_a_server_is_unreachable(browser):
    pg, problems, requests = saved_notebook(browser, "throw")
    expect(pg.locator('[data-id="error-text"]')).to_have_text(
        "No answer from the kernel (Cannot send: the comm is closed): " + NO_KERNEL)
    pg.click('[data-act="step"]')                      # a button pressed: said again, in the same words
    expect(pg.locator('[data-id="error-text"]')).to_have_text(
        "No answer from the kernel (Cannot send: the comm is closed): " + NO_KERNEL)
    assert "server" not in pg.inner_text('[data-id="error"]')
    assert requests == [] and problems == []
    pg.close()


# the widget's model with a kernel busy running another cell: its requests wait in window.queue until answered
BUSY_RENDER = """async (code) => {
    const mod = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    const listeners = new Set();
    window.queue = [];
    window.answer = (id, answer) => listeners.forEach(f => f({ id, answer }, []));
    const model = {
      on: (event, f) => { if (event === "msg:custom") listeners.add(f); }, off: () => {},
      send(content) { window.queue.push(JSON.stringify(content)); },
    };
    mod.default.render({ model, el: document.getElementById("cell") });
}"""


def test_a_kernel_busy_past_10_s_is_said_to_be_perhaps_busy_and_the_words_go_when_it_answers(browser):
    """A kernel running another cell (a long fit) answers the widget when it is done: the banner said only "run the
    cell that makes the widget again", which would throw the page's work away; and it must go once the answer comes."""
    w = Explorer()
    pg = browser.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    pg.clock.install()
    pg.set_content("<div id=cell></div>")
    pg.add_style_tag(content=Explorer._css)
    pg.evaluate(BUSY_RENDER, Explorer._esm)
    pg.click('[data-act="step"]')                               # a second request waits too
    pg.clock.run_for(11_000)
    error = pg.locator('[data-id="error"]')
    expect(error).to_be_visible()
    expect(pg.locator('[data-id="error-text"]')).to_contain_text("busy running a cell")
    queued = [json.loads(c) for c in pg.evaluate("window.queue")]
    assert [m["kind"] for m in queued] == ["open", "act"]
    for i, msg in enumerate(queued):                            # the kernel done with its cell: it answers
        pg.evaluate("([id, a]) => window.answer(id, a)", [msg["id"], w.handle(msg, [])[0]])
        if i == 0:                                              # one of two answered: still late, still said
            expect(pg.locator('[data-id="error-text"]')).to_contain_text("busy running a cell")
            expect(error).to_be_visible()
    expect(error).to_be_hidden()
    expect(pg.locator('[data-id="etotal"]')).to_have_text("0.291027774")     # the step taken, by the kernel
    assert w.session.steps == 1
    pg.close()
    assert problems == []
