// The weights' and biases' labels: their boxes, and where each goes on its line (or beside its bias unit) without
// covering a neuron or another label.

import { grouped, short } from "./numbers.js";
import { el } from "./svg.js";
import { aimed } from "./layout.js";

export function labelBox(parent, x, y, lines, cls, selected) {
  const g = el("g", { class: "wlabel" + (selected ? " selected" : ""), transform: `translate(${x},${y})` }, parent);
  const w = labelWidth(lines), h = labelHeight(lines);
  el("rect", { x: -w / 2, y: -h / 2, width: w, height: h, rx: 5, class: "wlabel-bg" }, g);
  lines.forEach((s, i) => el("text", { x: 0, y: -h / 2 + 15 + 15 * i, class: cls }, g, s));
  return g;
}

const labelWidth = lines => Math.max(...lines.map(s => s.length)) * 7.1 + 10;
const labelHeight = lines => 6 + 15 * lines.length;

// Where labels may go: boxes (x1, y1, x2, y2) already taken by neurons, bias units and labels.
function obstacles(L) {
  const taken = Object.values(L.units).map(u => {
    const h = u.col === 0 ? 40 : L.node.h;
    return { x1: u.x - u.w / 2 - 3, y1: u.y - h / 2 - 3, x2: u.x + u.w / 2 + 3, y2: u.y + h / 2 + 3 };
  });
  L.bias.forEach(b => taken.push({ x1: b.x - 12, y1: b.y - 12, x2: b.x + 12, y2: b.y + 12 }));
  return taken;
}
const overlap = (a, b) => Math.max(0, Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1))
  * Math.max(0, Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1));

// The centre of a w x h label on the line (x1, y1)-(x2, y2): the point nearest the source end where
// it overlaps nothing in `taken`, else where it overlaps least (`hit`: by how much); its box is added
// to `taken` (where it overlaps nothing, or `always`). Lines that converge on one neuron get their labels
// staggered along them.
function placeOnLine(taken, x1, y1, x2, y2, w, h, always = true) {
  const len = Math.max(1, Math.hypot(x2 - x1, y2 - y1)), end = (w / 2 + 8) / len;
  const ts = [];
  for (let i = 0; i <= 40; i++) ts.push(end + (1 - 2 * end) * i / 40);
  if (end >= 0.5) ts.splice(0, ts.length, 0.5);
  let best = null;
  for (const t of ts) {
    const x = x1 + (x2 - x1) * t, y = y1 + (y2 - y1) * t;
    const box = { x1: x - w / 2 - 2, y1: y - h / 2 - 2, x2: x + w / 2 + 2, y2: y + h / 2 + 2 };
    const hit = taken.reduce((sum, b) => sum + overlap(box, b), 0);
    if (!best || hit < best.hit) best = { x, y, box, hit };
    if (hit === 0) break;
  }
  if (always || best.hit === 0) taken.push(best.box);
  return best;
}

// An edge's ends: from the right side of its source (or the bias unit) to the left side of its target.
export function ends(L, p) {
  const to = L.units[p.to], from = p.from ? L.units[p.from] : L.bias[p.layer];
  if (from.aimed) return [from.x, from.y, ...aimed(to, from.x, from.y)];      // a phone's bias line (biasSpots)
  return [from.x + (p.from ? from.w / 2 : 0), from.y, to.x - to.w / 2, to.y];
}

// The labels of the edges and biases, placed: in the page's 9 decimals where every one finds a place
// that overlaps no other label and no neuron, else in the short form (`short`); a label that even so finds
// no free place is left out, the others drawn (its value is on hover and click, as on a phone).
export function placeLabels(state, L, grad) {
  // level lines first: their labels can only move sideways; slanted ones then find room above or below
  const slope = p => { const [x1, y1, x2, y2] = ends(L, p); return Math.abs(y2 - y1) / Math.max(1, x2 - x1); };
  const edges = state.params.filter(q => q.from).map(p => [slope(p), p]).sort((a, b) => a[0] - b[0]).map(e => e[1]);
  const forms = [(p, key) => grouped(p.shown[key]), (p, key) => short(p[key])];
  for (const [k, f] of forms.entries()) {
    const last = k === forms.length - 1, taken = obstacles(L), placed = [];
    let clash = false;
    L.bias.forEach((b, l) => {      // one line per neuron's bias, stacked beside the layer's bias unit
      const shown = state.params.filter(p => !p.from && p.layer === l);
      shown.forEach((p, i) => {
        const lines = [grad ? `∂E/∂${p.label} = ${f(p, "grad")}` : `${p.label} = ${f(p, "value")}`];
        const w = labelWidth(lines), x = b.x + 18 + w / 2, y = b.y + 23 * i - 11.5 * (shown.length - 1);
        const box = { x1: x - w / 2 - 2, y1: y - 11.5, x2: x + w / 2 + 2, y2: y + 11.5 };
        const hit = taken.some(t => overlap(box, t) > 0);
        clash = clash || hit;
        if (hit && last) return;
        taken.push(box);
        placed.push({ p, lines, x, y });
      });
    });
    for (const p of edges) {
      const lines = grad ? [`∂E/∂${p.label} =`, f(p, "grad")] : [`${p.label} = ${f(p, "value")}`];
      const spot = placeOnLine(taken, ...ends(L, p), labelWidth(lines), labelHeight(lines), !last);
      clash = clash || spot.hit > 0;
      if (spot.hit === 0 || !last) placed.push({ p, lines, x: spot.x, y: spot.y });
    }
    if (!clash || last) return placed;
  }
  return [];
}
