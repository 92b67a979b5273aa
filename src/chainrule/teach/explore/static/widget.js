// The explorer inside a Jupyter notebook (anywidget): the same page, its requests sent to the
// kernel's engine session as widget messages instead of HTTP. chainrule.teach.explore.widget
// joins the page's modules and this file into the widget's one module.

import { mount } from "./app.js";
import { save } from "./exports.js";

function widgetTransport(model) {
  let counter = 0;
  const pending = new Map();
  const answered = (msg, buffers) => {
    const done = pending.get(msg.id);
    if (done) { pending.delete(msg.id); done({ ...msg.answer, buffers }); }
  };
  model.on("msg:custom", answered);
  const send = (kind, body = {}, buffers = []) => new Promise(resolve => {
    const id = ++counter;
    pending.set(id, resolve);
    model.send({ id, kind, ...body }, undefined, buffers);
  });
  return {
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
    const wire = widgetTransport(model), page = mount(root, wire);
    // anywidget calls what render returns when the view goes (the cell cleared or run again): the page's handlers
    // on the notebook's document and on the model go with it
    return () => { page.dispose(); wire.close(); };
  },
};
