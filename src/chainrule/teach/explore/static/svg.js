// SVG elements of the drawing: made, measured in their class's font, and pressed with the keyboard.

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
