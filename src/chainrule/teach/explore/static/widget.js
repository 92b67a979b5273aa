// The explorer inside a Jupyter notebook (anywidget): the same page, its requests sent to the
// kernel's engine session as widget messages instead of HTTP. chainrule.teach.explore.widget
// joins the page's modules and this file into the widget's one module.

import { mount } from "./app.js";
import { save } from "./exports.js";

// Every number comes from the kernel: a notebook opened without it (saved with its output, or the kernel restarted)
// shows the page, whose requests then go nowhere or fail. Said, where the page waited without a word.
const NO_KERNEL = "the explorer's numbers come from this notebook's Python kernel, which does not answer (a notebook " +
  "opened without its kernel running, saved or after a restart, shows the page without them): run the cell that " +
  "makes the widget (Explorer(...)) again";
const WAIT_MS = 10000;          // a request unanswered this long: the kernel is busy or gone (said, not stopped)
// a kernel running another cell answers when it is done: run again then, the widget would lose the page's work
const BUSY = "it may be busy running a cell (the page goes on when it is done); if no cell is running, ";

// `silent(on)`: the page says the kernel does not answer (on), or no longer (an answer came after all)
function widgetTransport(model, silent) {
  let counter = 0;
  const pending = new Map(), late = new Set();
  const answered = (msg, buffers) => {
    const done = pending.get(msg.id);
    if (done) { pending.delete(msg.id); done({ ...msg.answer, buffers }); }
  };
  model.on("msg:custom", answered);
  const send = (kind, body = {}, buffers = []) => new Promise((resolve, reject) => {
    const id = ++counter;
    const timer = setTimeout(() => { if (pending.has(id)) { late.add(id); silent(true); } }, WAIT_MS);
    // the words go once no request is late: one answer of two does not say the kernel is back
    pending.set(id, answer => { clearTimeout(timer); late.delete(id); if (!late.size) silent(false); resolve(answer); });
    try {
      model.send({ id, kind, ...body }, undefined, buffers);
    } catch (e) {                       // no kernel to send to (a saved notebook's static widget)
      clearTimeout(timer); pending.delete(id); reject(e);
    }
  });
  return {
    noAnswer: e => `No answer from the kernel (${e.message}): ${NO_KERNEL}.`,
    open: () => send("open"),
    call: (action, body) => send("act", { action, body }),
    async upload(file, target) { return send("upload", { name: file.name, target }, [await file.arrayBuffer()]); },
    async saveExport(kind) {
      const a = await send("export", { what: kind });
      if (a.buffers && a.buffers.length) save(new Blob([a.buffers[0]]), `chainrule-${kind}`);
      return a;         // with the kernel's reason where it refused the export (the page shows a.error)
    },
    shareUrl: code => `Explorer(share="${code}") in a notebook, or #s=${code} after the URL of chainrule explore`,
    close: () => model.off("msg:custom", answered),
  };
}

export default {
  render({ model, el }) {
    const root = document.createElement("div");
    root.classList.add("in-notebook");
    el.appendChild(root);
    const said = `No answer from the kernel in ${WAIT_MS / 1000} s: ${BUSY}${NO_KERNEL}.`;
    const silent = on => {
      const text = root.querySelector('[data-id="error-text"]'), banner = root.querySelector('[data-id="error"]');
      if (on) { text.textContent = said; banner.hidden = false; } else if (text.textContent === said) banner.hidden = true;
    };
    const wire = widgetTransport(model, silent), page = mount(root, wire);
    // anywidget calls what render returns when the view goes (the cell cleared or run again): the page's handlers
    // on the notebook's document and on the model go with it
    return () => { page.dispose(); wire.close(); };
  },
};
