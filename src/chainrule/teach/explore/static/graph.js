// The network drawn as SVG: neurons with their net/out values, weights as edges (thickness:
// |value|; colour: sign of the value, or of the gradient after a backward pass). Every number
// drawn is one the server sent, written as the server wrote it (each item's `shown`: the reports'
// rule, a float32 network's shortest decimals); this file only places them.
// Where things go: layout.js; the labels: labels.js; how a number is written: numbers.js.

import { cardLine, grouped, short } from "./numbers.js";
import { arrowKeys, el, measurer, onKey } from "./svg.js";
import { columnHeads, errorLines, layout, MIN_GAP } from "./layout.js";
import { ends, labelBox, placeLabels } from "./labels.js";

export { el } from "./svg.js";
export { grouped, short } from "./numbers.js";

const POS = "#2563eb", NEG = "#ea580c", GPOS = "#c026d3", GNEG = "#059669", FIXED = "#9ca3af";

// The colour class of a gradient (or delta) as the legend says: > 0 magenta, < 0 green; a fixed
// (not trained) parameter's gradient grey, as it does not move the parameter.
export const signClass = (v, trainable = true) => (!trainable ? "fixed" : v > 0 ? "pos" : v < 0 ? "neg" : "zero");

// Draw `state` into `svg`, as wide as its container (or as the columns need). opts: selected, onSelect(name), onTarget(j).
export function drawGraph(svg, state, opts) {
  arrowKeys(svg);                      // the arrow keys move between its lines, neurons and targets
  let width = Math.max(300, Math.round(svg.parentElement.clientWidth || 900));
  const fonts = ["unit-label", "target-value", "target-error", "unit-name", "unit-value", "col-head", "col-sub"].map(cls => [cls, measurer(svg, cls)]);
  const measure = Object.fromEntries(fonts.map(([cls, m]) => [cls, m.measure]));
  const gapOf = M => (M.xs.length > 1 ? M.xs[1] - M.xs[0] : Infinity);
  let L = layout(state, width, measure);
  if (L.compact && L.named.inLabels) {      // a phone: the column names where they leave the columns and classes room
    const bare = layout(state, width, measure, true, false);
    const cut = M => (M.named.outLabels || []).filter(s => s.endsWith("…")).length;
    if (gapOf(L) < MIN_GAP || cut(L) > cut(bare)) L = bare;               // else the names in the titles
  }
  const gap = gapOf(L);
  if (!L.rich && gap < MIN_GAP) {      // a deep network on a phone: wider than the card, which scrolls sideways
    width += Math.ceil((MIN_GAP - gap) * (L.xs.length - 1));
    L = layout(state, width, measure, true, false);
  }
  const heads = columnHeads(state, L.xs, measure, L.compact && L.dropout);
  const k = state.explained.whole_batch ? state.explained.sample : 0;
  const at = v => (Array.isArray(v) ? v[Math.min(k, v.length - 1)] : v);
  const cards = Object.fromEntries(Object.entries(L.units).map(([name, u]) => {
    const shown = u.unit.shown;
    if (u.col === 0) return [name, [cardLine(`${name} = `, at(shown.value), u.w - 20, measure["unit-name"])]];
    const line = (prefix, t) => cardLine(prefix, t, u.w - 16, measure["unit-value"]);
    return [name, [line("net ", at(shown.net)), line("out ", at(shown.out))]
      .concat(state.phase !== "forward" && u.unit.delta ? [line("δ ", at(shown.delta))] : [])];
  }));
  fonts.forEach(([, m]) => m.done());
  // the element focused in the drawing (a line, a neuron, a target) is focused again once redrawn
  const active = svg.getRootNode().activeElement;
  const refocus = active && active !== svg && svg.contains(active)
    ? `.${active.classList[0]}[data-name="${CSS.escape(active.getAttribute("data-name") || "")}"]` : null;
  svg.setAttribute("viewBox", `0 0 ${width} ${L.height}`);
  svg.setAttribute("width", width);
  svg.setAttribute("height", L.height);
  svg.replaceChildren();
  const phase = state.phase, showGrad = phase !== "forward";
  const num = (v, shown) => (L.rich ? grouped(shown) : short(v));     // as the cards write theirs
  // the thickest line and the strongest colour for the largest finite weight and gradient (as the charts scale
  // theirs): a NaN weight made every width NaN, an infinite gradient every other line's strength 0
  const finiteMax = (vs, least) => Math.max(least, ...vs.filter(Number.isFinite).map(Math.abs));
  const maxW = finiteMax(state.params.map(p => p.value), 1e-12), maxG = finiteMax(state.params.map(p => p.grad), 1e-300);
  const share = (v, top) => (Number.isNaN(v) ? 0 : Math.min(1, Math.abs(v) / top));   // infinite: the full share
  const gEdges = el("g", { class: "edges" }, svg), gNodes = el("g", { class: "nodes" }, svg);
  const gLabels = el("g", { class: "labels" }, svg);

  state.layers.forEach((layer, c) => {
    const head = el("text", { x: L.xs[c], y: 20, class: "col-head" }, svg, heads.names[c]);
    if (heads.names[c] !== heads.whole[c]) el("title", {}, head, heads.whole[c]);
    if (!heads.subs[c][0]) return;
    const [line, under] = heads.subs[c];
    const sub = el("text", { x: L.xs[c], y: 37, class: "col-sub" + (layer.dropout ? " dropout" : "") }, svg, line);
    if (under) el("tspan", { x: L.xs[c], dy: 14 }, sub, under);      // a phone: the Dropout rate on a line of its own
    const whole = [layer.activation, layer.dropout ? `then Dropout ${layer.dropout}: a training step (Update, Step, `
      + `Train) zeroes each of these outputs with probability ${layer.dropout}` : ""].filter(Boolean).join(", ");
    if (heads.subs[c].join(" ") !== whole) el("title", {}, sub, whole);
  });
  el("text", { x: width - L.targetW / 2 - 4, y: 20, class: "col-head" }, svg, "targets");

  // in the order of the forward pass (the report lists the output layer's first, as backpropagation reaches them):
  // Tab goes w1, w2, b_h1, ... from the inputs, as a class reads the drawing
  for (const p of [...state.params].sort((a, b) => a.layer - b.layer)) {
    const strength = showGrad ? share(p.grad, maxG) : 1;
    const colour = showGrad ? (!p.trainable ? FIXED : p.grad >= 0 ? GPOS : GNEG) : (p.value >= 0 ? POS : NEG);
    const selected = p.name === opts.selected;
    const g = el("g", { class: "edge" + (selected ? " selected" : "") + (p.trainable ? "" : " frozen"),
                        "data-name": p.name, tabindex: "0", role: "button", "aria-label": `${p.label} = ${grouped(p.shown.value)}` }, gEdges);
    const [x1, y1, x2, y2] = ends(L, p);
    el("line", { x1, y1, x2, y2, class: "wire", stroke: colour, "stroke-width": 1.2 + 6 * share(p.value, maxW),
                 "stroke-opacity": (0.2 + 0.8 * strength).toFixed(3) }, g);
    el("line", { x1, y1, x2, y2, class: "hit" }, g);
    el("title", {}, g, `${p.label} = ${grouped(p.shown.value)}` + (p.trainable ? "" : " (fixed: not trained)")
                       + (showGrad ? `\n∂E/∂${p.label} = ${grouped(p.shown.grad)}` : "")
                       + (p.before !== null && p.before !== p.value ? `\nbefore the update: ${grouped(p.shown.before)}` : ""));
    const pick = () => opts.onSelect(p.name);
    g.addEventListener("click", pick);
    onKey(g, pick);
  }
  const grad = phase === "backward";
  for (const { p, lines, x, y } of L.labelled ? placeLabels(state, L, grad) : []) {
    const lab = labelBox(gLabels, x, y, lines, grad ? `wlabel-grad ${signClass(p.grad, p.trainable)}` : "wlabel-value",
                         p.name === opts.selected);
    lab.setAttribute("data-name", p.name);
    lab.addEventListener("click", () => opts.onSelect(p.name));
  }

  L.bias.forEach(b => {
    const g = el("g", { class: "bias-unit" }, gNodes);
    el("circle", { cx: b.x, cy: b.y, r: 11 }, g);
    el("text", { x: b.x, y: b.y + 4 }, g, "1");
    el("title", {}, g, "the bias unit: its output is always 1");
  });

  for (const [name, u] of Object.entries(L.units)) {
    const input = u.col === 0;
    const g = el("g", { class: "unit" + (input ? " input" : "") + (name === opts.selected ? " selected" : "")
                        + (phase === "update" ? " stale" : ""), "data-name": name, tabindex: "0", role: "button" }, gNodes);
    const shown = u.unit.shown;
    const full = input ? [`${name} = ${grouped(at(shown.value))}`]       // the title: every digit the server wrote
      : [`net ${grouped(at(shown.net))}`, `out ${grouped(at(shown.out))}`]
        .concat(showGrad && u.unit.delta ? [`δ ${grouped(at(shown.delta))}`] : []);
    const info = L.rich ? cards[name] : full;
    if (L.rich) {
      const h = input ? 40 : L.node.h;
      el("rect", { x: u.x - u.w / 2, y: u.y - h / 2, width: u.w, height: h, rx: 10, class: "shape" }, g);
      if (input) {
        el("text", { x: u.x, y: u.y + 5, class: "unit-name" }, g, info[0]);
      } else {
        el("text", { x: u.x - u.w / 2 + 10, y: u.y - h / 2 + 18, class: "unit-name start" }, g, name);
        info.forEach((s, i) => el("text", { x: u.x - u.w / 2 + 10, y: u.y - h / 2 + 33 + 15 * i,
                                            class: "unit-value" + (i === 2 ? ` grad ${signClass(at(u.unit.delta))}` : "") }, g, s));
      }
    } else {
      if (input) el("rect", { x: u.x - 20, y: u.y - 20, width: 40, height: 40, rx: 9, class: "shape" }, g);
      else el("circle", { cx: u.x, cy: u.y, r: 20, class: "shape" }, g);
      el("text", { x: u.x, y: u.y + 4.5, class: "unit-name" + (name.length > 3 ? " long" : "") }, g, name);
    }
    const raw = input && L.named.inputs ? L.named.raws[u.index] : null;      // a numeric column: the file's value
    el("title", {}, g, `${name}${stands(L.named, u)}\n${full.join("\n")}`
                       + (raw === null ? "" : `\n${L.named.inputs[u.index]} = ${grouped(raw)} raw (in the file), standardised`));
    if (input && L.under) el("text", { x: u.x, y: u.y + 33, class: "unit-label under" }, g, L.under[u.index]);
    if (input && L.named.inLabels) {
      const full = L.named.inFull[u.index], label = L.named.inLabels[u.index];
      const box = el("g", { class: "unit-label-box" }, g);
      if (label !== full) el("title", {}, box, full);          // cut: the whole name on hover
      el("text", { x: u.x - u.w / 2 - 6, y: u.y + 4, class: "unit-label" }, box, label);
    }
    const pick = () => opts.onSelect(name);
    g.addEventListener("click", pick);
    onKey(g, pick);
  }

  const last = state.layers[state.layers.length - 1];
  last.units.forEach((u, j) => {
    const p = L.units[u.name], tgt = state.targets[j], err = state.errors[j];
    const editable = Boolean(opts.onTarget && state.editable);
    const g = el("g", { class: "target" + (phase === "update" ? " stale" : "") + (editable ? " editable" : ""),
                        "data-name": tgt.name, ...(editable ? { role: "button", tabindex: "0" } : {}) }, svg);
    const x = width - L.targetW;
    el("line", { x1: p.x + p.w / 2 + 2, y1: p.y, x2: x - 6, y2: p.y, class: "to-target" }, g);
    el("rect", { x: x - 4, y: p.y - 17, width: L.targetW, height: 36, class: "hit-area" }, g);
    const label = L.named.outLabels ? `${L.named.outLabels[j]}:` : L.compact ? "t" : "target";
    el("text", { x, y: p.y - 3, class: "target-value" }, g, `${label} ${num(at(tgt.value), at(tgt.shown))}`);
    const [error, power] = errorLines(`${L.compact ? "E" : err.name} = ${num(at(err.value), at(err.shown))}`, L.compact);
    const errorText = el("text", { x, y: p.y + 13, class: "target-error" }, g, error);
    if (power) el("tspan", { x, dy: 13 }, errorText, power);
    el("title", {}, g, `target of ${u.name}${stands(L.named, p)}: ${grouped(at(tgt.shown))}\n`
                       + `${err.name} = ${grouped(at(err.shown))}`);
    if (editable) {
      g.addEventListener("click", () => opts.onTarget(j));
      onKey(g, () => opts.onTarget(j));
    }
  });
  const again = refocus && svg.querySelector(refocus);
  if (again) again.focus();
}

// What a drawn unit stands for, for its title: " (column x1)", " (class red of kind)", a classifier's " (class red)"
// (each name as the reports write it: a class named 's' with its quotes reads "'s'", not ''s''), " (the target
// price, standardised)" (a regression's output and target are the standardised column), or "".
function stands(named, u) {
  if (u.col === 0 && named.inputs) return ` (column ${named.inputs[u.index]})`;
  if (u.last && named.outputs) {
    const p = named.scores ? "the probability of " : "";       // a binary classifier's one output
    return named.classes ? ` (${p}class ${named.outputs[u.index]}${named.target ? ` of ${named.target}` : ""})`
      : ` (the target ${named.outputs[u.index]}, standardised)`;
  }
  return "";
}
