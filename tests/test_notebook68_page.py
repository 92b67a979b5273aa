"""The notebook widget as a teacher's notebook shows it, in a real browser (Playwright, Debian's chromium): two
explorers in one notebook (one document: nothing of one page may reach into the other), a network of the teacher's
with 30 inputs in a notebook cell's width. Each widget's module runs with a stand-in for its anywidget model whose
messages go to its own `Explorer.handle`, as each widget's kernel side does; the browser is test_explore_browser's."""
import base64
import json

import numpy as np
import test_explore_browser as fixtures
from playwright.sync_api import expect

import chainrule as cr
from chainrule.teach.explore.derive import fmt
from chainrule.teach.explore.widget import Explorer

browser = fixtures.browser          # its fixture

# the widget `name` rendered into the cell #`name`, its messages to window[`kernel_${name}`]
RENDER = """async ([code, name]) => {
    const mod = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    const listeners = new Set();
    const model = {
      on: (event, f) => { if (event === "msg:custom") listeners.add(f); },
      off: (event, f) => { if (event === "msg:custom") listeners.delete(f); },
      send(content, callbacks, buffers) {
        const b64 = (buffers || []).map(b => btoa(String.fromCharCode(...new Uint8Array(b))));
        window[`kernel_${name}`](JSON.stringify(content), b64).then(reply => {
          const r = JSON.parse(reply);
          listeners.forEach(f => f({ id: content.id, answer: r.answer }, []));
        });
      },
    };
    mod.default.render({ model, el: document.getElementById(name) });
}"""


def notebook(browser, widgets, width=900):
    """A page of notebook cells (`width` pixels, a notebook's output area), one widget rendered in each."""
    pg = browser.new_page()
    problems: list[str] = []
    pg.on("pageerror", lambda e: problems.append(str(e)))
    for name, w in widgets.items():
        def kernel(content, buffers, w=w):
            answer, out = w.handle(json.loads(content), [base64.b64decode(b) for b in buffers])
            return json.dumps({"answer": answer, "buffers": [base64.b64encode(b).decode() for b in out]})
        pg.expose_function(f"kernel_{name}", kernel)
    pg.set_content(f"<div style='width:{width}px'>" + "".join(f"<div id={n}></div>" for n in widgets) + "</div>")
    pg.add_style_tag(content=Explorer._css)
    for name in widgets:
        pg.evaluate(RENDER, [Explorer._esm, name])
    return pg, problems


def test_two_explorers_in_one_notebook_each_drive_their_own_network(browser):
    mine = cr.Network([cr.Dense(3, 4, "tanh"), cr.Dense(4, 2, "softmax")], loss="categorical_crossentropy", seed=3)
    seed, other = Explorer(), Explorer(mine)
    pg, problems = notebook(browser, {"a": seed, "b": other})
    a, b = pg.locator("#a"), pg.locator("#b")
    expect(a.locator('[data-id="etotal"]')).to_have_text("0.298371109")
    s = other.session
    expect(b.locator('[data-id="etotal"]')).to_have_text(fmt(s.net.loss(s.X, s.Y)))
    b.locator('[data-act="step"]').click()
    expect(b.locator('[data-id="etotal"]')).to_have_text(fmt(s.net.loss(s.X, s.Y)))
    assert s.steps == 1 and seed.session.steps == 0
    expect(a.locator('[data-id="etotal"]')).to_have_text("0.298371109")       # the other page untouched
    a.locator('.edges [data-name="w5"]').dispatch_event("click")      # its edge (a cell's width shows no labels)
    expect(a.locator('[data-id="derivation"]')).to_contain_text("0.74136507 · 0.186815602 · 0.593269992 = 0.082167041")
    assert seed.session.selected == "w5" and s.selected is None
    expect(b.locator('[data-id="derivation"]')).not_to_contain_text("0.082167041")
    ids = pg.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert sorted(ids) == ["a", "b"], ids                   # no element id of one page that the other repeats
    pg.close()
    assert problems == []


def test_a_30_input_network_of_the_teachers_fits_a_notebook_cell(browser):
    wide = cr.Network([cr.Dense(30, 8, "relu"), cr.Dense(8, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    w = Explorer(wide)
    pg, problems = notebook(browser, {"cell": w})
    s = w.session
    expect(pg.locator('[data-id="etotal"]')).to_have_text(fmt(s.net.loss(s.X, s.Y)))
    np.testing.assert_array_equal(s.net.params, wide.params)
    overflow = pg.evaluate("""() => [...document.querySelectorAll('#cell *')].filter(e => {
        const r = e.getBoundingClientRect(); return r.width > 0 && r.right > 900.5; }).map(e => e.tagName + '.' +
        e.getAttribute('class') + '[' + (e.dataset.id || '') + ']').slice(0, 8)""")
    assert overflow == []                   # nothing past the cell's right edge
    pg.close()
    assert problems == []
