// Files the page saves: the drawing as SVG or PNG (made here from the page's own SVG), and any
// file the server sends; the Share button and the Export menu that ask for them.

// The drawing as a standalone SVG (the page's styles copied as SVG attributes) or a PNG of it.
const STYLE_PROPS = ["fill", "stroke", "stroke-width", "stroke-opacity", "stroke-dasharray", "opacity", "font-family",
                     "font-size", "font-weight", "text-anchor", "dominant-baseline", "fill-opacity"];
function standaloneSvg(svg) {
  const clone = svg.cloneNode(true);
  const src = svg.querySelectorAll("*"), dst = clone.querySelectorAll("*");
  src.forEach((e, i) => {
    const cs = getComputedStyle(e);
    for (const p of STYLE_PROPS) dst[i].setAttribute(p, cs.getPropertyValue(p));   // presentation attributes
  });
  clone.setAttribute("xmlns", "http://www.w3.org/2000/svg");
  const vb = svg.viewBox.baseVal;
  clone.setAttribute("width", vb.width);
  clone.setAttribute("height", vb.height);
  const bg = document.createElementNS("http://www.w3.org/2000/svg", "rect");
  bg.setAttribute("width", "100%"); bg.setAttribute("height", "100%"); bg.setAttribute("fill", "#fff");
  clone.insertBefore(bg, clone.firstChild);
  return new XMLSerializer().serializeToString(clone);
}

export function save(blob, name) {
  const a = document.createElement("a");
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

export function exportDrawing(svg, kind) {
  const text = standaloneSvg(svg);
  const blob = new Blob([text], { type: "image/svg+xml" });
  if (kind === "svg") { save(blob, "chainrule-network.svg"); return; }
  const img = new Image(), vb = svg.viewBox.baseVal;
  img.onload = () => {
    const c = document.createElement("canvas");
    c.width = vb.width * 2; c.height = vb.height * 2;
    const ctx = c.getContext("2d");
    ctx.scale(2, 2);
    ctx.drawImage(img, 0, 0);
    c.toBlob(b => save(b, "chainrule-network.png"), "image/png");
  };
  img.src = URL.createObjectURL(blob);
}

// Share (its link shown and copied) and the Export menu wired in the page `root`; `page`: what they use of the page
// (`$`, `call` and `inTurn` as app.js sends, `transport`, `info` and `showError` its lines, `noAnswer` its words
// for a server gone, `refusalWords` of a state, `state()` the state shown). Gives the handler the page lets go.
export function wireExports(root, page) {
  const { $, call, inTurn, transport, info, showError, noAnswer, refusalWords } = page;
  $("share").addEventListener("click", async () => {
    const a = await call("share");
    if (a && a.code) {
      const url = transport.shareUrl(a.code), s = page.state();
      const cols = s.mode === "model" && s.names && s.names.inputs ? ", the columns and statistics of its CSV file" : "";
      const what = `(this network, its data${cols} and optimizer; no token: it opens in this browser, or added to `
        + "the URL another `chainrule explore` prints)" + (a.note ? `. ${a.note}` : ":");   // the note: a sentence
      info(`Share link ${what}`, url);
      try { await navigator.clipboard.writeText(url); info(`Copied to the clipboard ${what}`, url); } catch (e) { /* shown above */ }
    }
  });
  // the Export menu closes as a menu does, on a click elsewhere or Escape (it stayed open over the drawing)
  const menu = $("export-menu");
  const closeMenu = e => { if (menu.open && !e.composedPath().includes(menu)) menu.open = false; };
  root.ownerDocument.addEventListener("pointerdown", closeMenu);
  menu.addEventListener("keydown", e => {
    if (e.key === "Escape" && menu.open) { e.preventDefault(); menu.open = false; menu.querySelector("summary").focus(); }
  });
  root.querySelectorAll("[data-export]").forEach(b => b.addEventListener("click", () => {
    const keyboard = b === root.getRootNode().activeElement;
    $("export-menu").open = false;          // its items hidden: the keyboard goes back to Export, not the page's start
    if (keyboard) $("export-menu").querySelector("summary").focus();
    const kind = b.dataset.export;
    if (kind === "svg" || kind === "png") { exportDrawing($("graph"), kind); return; }
    inTurn(async () => {        // after the actions asked before it; its refusal shown as theirs are
      try {
        const a = await transport.saveExport(kind);
        showError((a && a.error) || refusalWords(page.state()));    // no new state: the pass's refusal stays
      } catch (e) { showError(noAnswer(e)); }
    });
  }));
  return closeMenu;
}
