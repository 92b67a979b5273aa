"""The explorer as a notebook widget, in a real browser (Playwright, Debian's chromium): the keys its fields act on
do not reach the notebook too (Shift+Enter in the steps field trained and ran the cell), and a removed widget leaves
no handler on the notebook's document or its model. The widget's module runs with a stand-in for the anywidget
model that hands each message to `Explorer.handle`, as the kernel does; the browser is test_explore_browser's."""
import test_explore_browser as fixtures
from playwright.sync_api import expect

browser = fixtures.browser          # its fixture

# document.addEventListener/removeEventListener and the model's on/off counted, then the widget rendered into #cell
RENDER = """async (code) => {
    window.held = new Map();
    for (const target of [document, window]) {
      const add = target.addEventListener.bind(target), remove = target.removeEventListener.bind(target);
      target.addEventListener = (type, f, o) => { window.held.set(f, type); add(type, f, o); };
      target.removeEventListener = (type, f, o) => { window.held.delete(f); remove(type, f, o); };
    }
    window.reached = [];                        // the keys that reach the notebook's document
    const MODIFIERS = ["Shift", "Control", "Alt", "Meta"];
    document.addEventListener("keydown", e => { if (!MODIFIERS.includes(e.key)) window.reached.push(e.key); });
    window.held.clear();
    const mod = await import(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
    const listeners = new Set();
    const model = {
      on: (event, f) => { if (event === "msg:custom") listeners.add(f); },
      off: (event, f) => { if (event === "msg:custom") listeners.delete(f); },
      send(content, callbacks, buffers) {
        const b64 = (buffers || []).map(b => btoa(String.fromCharCode(...new Uint8Array(b))));
        window.kernel(JSON.stringify(content), b64).then(reply => {
          const r = JSON.parse(reply);
          listeners.forEach(f => f({ id: content.id, answer: r.answer }, []));
        });
      },
    };
    window.modelListeners = listeners;
    window.cleanup = mod.default.render({ model, el: document.getElementById("cell") });
}"""


def test_shift_enter_in_the_steps_field_trains_and_does_not_run_the_notebooks_cell(browser):
    w, pg, problems = fixtures.widget_page(browser, RENDER)
    pg.fill('[data-id="train-steps"]', "3")
    pg.press('[data-id="train-steps"]', "Shift+Enter")
    expect(pg.locator('[data-id="train"]')).to_have_text("Train")
    expect(pg.locator('[data-id="etotal"]')).not_to_have_text("0.298371109")
    assert w.session.steps == 3
    pg.press('[data-id="train-steps"]', "Enter")
    expect(pg.locator('[data-id="etotal"]')).not_to_have_text("0.298371109")
    pg.wait_for_function("() => !document.querySelector('.cr-explore.busy')")
    assert w.session.steps == 6
    pg.click('[data-id="export-menu"] summary')                 # Escape closes the menu, not Jupyter's edit mode too
    pg.keyboard.press("Escape")
    expect(pg.locator('[data-id="export-menu"]')).not_to_have_attribute("open", "")
    pg.click('[data-act="step"]')
    pg.wait_for_function("() => !document.querySelector('.cr-explore.busy')")
    pg.focus('[data-act="reset"]')                              # Ctrl+Z undoes the step, not a notebook's cell too
    pg.keyboard.press("Control+z")
    pg.wait_for_function("() => !document.querySelector('.cr-explore.busy')")
    assert w.session.steps == 6
    assert pg.evaluate("window.reached") == []
    pg.close()
    assert problems == []


def test_a_removed_widget_leaves_no_handler_on_the_notebooks_document_or_model(browser):
    """anywidget calls the function render returns when the view goes: the Export menu's pointerdown listener on the
    document, and the model's message listener, were left behind by every widget a notebook ever showed."""
    _, pg, problems = fixtures.widget_page(browser, RENDER)
    assert pg.evaluate("[...window.held.values()]") == ["pointerdown"]      # what the widget hung on the document
    assert pg.evaluate("typeof window.cleanup") == "function"
    pg.evaluate("() => { window.cleanup(); document.getElementById('cell').remove(); }")
    assert pg.evaluate("[...window.held.values()]") == []
    assert pg.evaluate("window.modelListeners.size") == 0
    pg.mouse.click(5, 5)                                                     # the notebook goes on without errors
    pg.close()
    assert problems == []


def test_every_key_the_explorer_acts_on_stays_in_it_not_only_the_steps_fields(browser):
    """Shift+Enter in the learning rate or a weight's editor set the number and reached the notebook
    (running the cell), as Enter on an item of the drawing (selecting it) and its arrow keys (moving the focus) did."""
    w, pg, problems = fixtures.widget_page(browser, RENDER)

    def idle():
        pg.wait_for_function("() => !document.querySelector('.cr-explore.busy')")

    pg.fill('[data-id="opt-settings"] input', "0.25")
    pg.press('[data-id="opt-settings"] input', "Shift+Enter")
    idle()
    assert w.session.opt_settings["lr"] == 0.25
    item = pg.locator('[data-id="graph"] [tabindex="0"]').first
    item.focus()
    pg.keyboard.press("ArrowRight")                             # the focus on the drawing's next item
    assert pg.evaluate("document.activeElement.getAttribute('tabindex')") == "0"
    pg.keyboard.press("Enter")                                  # its derivation, with the editor of its value
    idle()
    editor = pg.locator('[data-id="derivation"] form.editor input')
    expect(editor).to_have_count(1)
    editor.fill("0.5")
    editor.press("Shift+Enter")
    idle()
    assert pg.evaluate("window.reached") == []
    pg.close()
    assert problems == []
