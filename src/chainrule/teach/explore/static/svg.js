// SVG elements of the drawing: made, measured in their class's font, pressed and moved between with the keyboard.

const NS = "http://www.w3.org/2000/svg";

export function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

// The drawn width of a text of class `cls` in `svg` (its font as the style sheet sets it).
export function measurer(svg, cls) {
  const probe = el("text", { class: cls, visibility: "hidden" }, svg);
  const widths = new Map();
  const measure = s => {
    if (!widths.has(s)) { probe.textContent = s; widths.set(s, probe.getComputedTextLength()); }
    return widths.get(s);
  };
  return { measure, done: () => probe.remove() };
}

// Enter and Space act as a click on a role=button element of the drawing, as on a <button>.
export function onKey(g, act) {
  g.addEventListener("keydown", e => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); act(); }
  });
}

// The arrow keys move the focus from one line, neuron or target of the drawing to the next (Right, Down) or the one
// before (Left, Up), in Tab's order, Home and End to the first and the last: the drawing's dozens of items are one
// stop of Tab's walk through the page in practice, and no key scrolls the page under a focused item.
const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
const moving = new WeakSet();

export function arrowKeys(svg) {
  if (moving.has(svg)) return;              // the drawing is drawn again into the same svg: one listener
  moving.add(svg);
  svg.addEventListener("keydown", e => {
    const items = [...svg.querySelectorAll('[tabindex="0"]')];
    const at = items.indexOf(e.target);
    const key = e.key in MOVES || e.key === "Home" || e.key === "End";
    if (at < 0 || !key || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const to = e.key === "Home" ? 0 : e.key === "End" ? items.length - 1 : at + MOVES[e.key];
    items[Math.max(0, Math.min(items.length - 1, to))].focus();
  });
}
