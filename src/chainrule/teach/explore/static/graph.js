// The network drawn as SVG: neurons with their net/out values, weights as edges (thickness:
// |value|; colour: sign of the value, or of the gradient after a backward pass). Every number
// drawn is one the server sent, written as the server wrote it (each item's `shown`: the reports'
// rule, a float32 network's shortest decimals); this file only places them.

const NS = "http://www.w3.org/2000/svg";

// Short form for crowded places, one rule for every magnitude: 4 significant digits where that is a plain
// decimal from 10^-6 (0.0001235, 1235), 3 significant figures grouped in threes from 10,000 (-2,980,000), and
// 3 significant figures times a power of ten from 10^10 and below 10^-6 (1.23 x 10^10, -4.5 x 10^-7): the
// bounds of the reports' e-notation (numbers.fmt), the power written as the share refusal writes it
// (limits.roughly, same rounding: a half away from zero, of the exact value, as toPrecision rounds).
export function short(v) {
  if (v === null || v === undefined) return "";
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return "0";
  const four = Number(v.toPrecision(4));
  if (Math.abs(four) >= 1e-6 && Math.abs(four) < 1e4) return String(four);
  const three = Number(v.toPrecision(3));
  if (Math.abs(three) >= 1e4 && Math.abs(three) < 1e10) return three.toLocaleString("en-US", { maximumFractionDigits: 0 });
  return powered(three.toExponential(2));
}

// E-notation as the page writes it: 1.234568e+10 -> 1.234568 x 10^10, -2.50e-7 -> -2.5 x 10^-7 (a short
// form's trailing zeros dropped; the server's digits kept).
const powered = (t, trim = true) => t.replace(trim ? /\.?0*e\+?/i : /e\+?/i, " x 10^").replace(/\^(-?)0+(?=\d)/, "^$1");

// A number as the server wrote it, its whole part in groups of three from 10,000 (-2,980,000.5): as `short`
// and the share refusal write large numbers; its e-notation (from 10^10, below 10^-6) with the power of ten
// as `short` writes it (1.234568 x 10^10). Shorter numbers as they are.
export const grouped = t => (typeof t !== "string" ? t : /^-?\d{5,}(\.\d*)?$/.test(t)
  ? t.replace(/^(-?)(\d+)/, (_, sign, whole) => sign + whole.replace(/\B(?=(\d{3})+$)/g, ","))
  : /^-?\d(\.\d+)?e[+-]?\d+$/i.test(t) ? powered(t, false) : t);

// A card's number in its forms, longest first: as the server wrote it, grouped (-3,264,475.251256129), then
// with one decimal fewer each, rounded as written (-3,264,475.25125613, ..., -3,264,475); other numbers as they are.
function cardForms(t) {
  const m = typeof t === "string" && /^(-?)(\d{5,})\.(\d+)$/.exec(t);
  if (!m) return [grouped(t)];
  const [, sign, whole, frac] = m;
  return Array.from({ length: frac.length + 1 }, (_, k) => frac.length - k).map(d => {
    let digits = whole + frac.slice(0, d);
    if (d < frac.length && frac[d] >= "5") digits = String(BigInt(digits) + 1n).padStart(digits.length, "0");
    const cut = digits.length - d;
    return grouped(sign + digits.slice(0, cut) + (d ? `.${digits.slice(cut)}` : ""));
  });
}

// A card's line "prefix number", its number grouped as the drawing's labels write it, with as many decimals as
// fit in `room` px (`measure`: the line's font). The card is as wide as its numbers' ungrouped forms (or their
// whole parts grouped, where wider): the separators never widen it, and the labels between cards keep their room.
function cardLine(prefix, t, room, measure) {
  const forms = cardForms(t);
  return prefix + (forms.find(f => measure(prefix + f) <= room) ?? forms[forms.length - 1]);
}
const cardNeed = (prefix, t, measure) => Math.max(measure(prefix + t), measure(prefix + cardForms(t).at(-1)));

export function el(tag, attrs = {}, parent = null, text = null) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== null) e.textContent = text;
  if (parent) parent.appendChild(e);
  return e;
}

const POS = "#2563eb", NEG = "#ea580c", GPOS = "#c026d3", GNEG = "#059669", FIXED = "#9ca3af";

// The colour class of a gradient (or delta) as the legend says: > 0 magenta, < 0 green; a fixed
// (not trained) parameter's gradient grey, as it does not move the parameter.
export const signClass = (v, trainable = true) => (!trainable ? "fixed" : v > 0 ? "pos" : v < 0 ? "neg" : "zero");

// Where everything goes. Small networks on a wide screen get "cards" with each neuron's values
// and a label on every edge; larger ones (or a phone, or cards too wide to leave room for the lines
// between them) get plain circles and values on click. `measure`: the drawn width of a text of a class.
function layout(state, width, measure, cards = true, labels = true) {
  const most = Math.max(...state.layers.map(l => l.units.length));
  const rich = cards && most <= 3 && width >= 640;
  const compact = width < 640;
  const labelled = rich && state.params.length <= 24;
  const showGrad = state.phase !== "forward";
  const lines = rich ? 4 : 0;                 // net, out, and after a backward pass δ: same size in every phase
  const tight = rich && width < 800;          // slimmer cards and targets: room for the labels between columns
  // cards as wide as their widest line: "i1 = value", "net value" (a CSV file's values have 9 decimals and a sign)
  const inputs = rich ? state.layers[0].units.flatMap(u => [u.shown.value].flat().map(v => [`${u.name} = `, v])) : [];
  const values = rich ? state.layers.slice(1).flatMap(l => l.units.flatMap(u => [["net", "net"], ["out", "out"],
    ["δ", "delta"]].flatMap(([line, key]) => [u.shown[key] ?? []].flat().map(v => [`${line} `, v])))) : [];
  const need = (lines, m) => Math.max(0, ...lines.map(([prefix, v]) => cardNeed(prefix, v, m)));
  const node = rich ? { w: Math.max(tight ? 126 : 138, need(values, measure["unit-value"]) + 16), h: 14 + 15 * lines,
                        inW: Math.max(92, need(inputs, measure["unit-name"]) + 20) } : { w: 40, h: 40, inW: 40 };
  // a CSV file's column names left of the inputs, its classes (or target) beside the targets
  const named = unitNames(state, compact, rich, measure, width, labels);
  const targetW = Math.max(rich ? (tight ? 136 : 150) : compact ? 90 : 120, targetsWidth(state, named, rich, measure));
  // a phone's rows closer: its columns are 75-100 px apart, and the bias lines rise over that
  const spacing = rich ? Math.max(node.h + 62, 124) : most <= 2 && !compact ? 110 : most <= 4 ? 80 : most <= 8 ? 50 : 34;
  const dropout = state.layers.some(l => l.dropout);        // a phone's Dropout rate has a line under the heading
  const top = 46 + (compact && dropout ? 14 : 0), pad = (rich ? node.h / 2 : 22) + 6;
  const left = 12 + named.inW + node.inW / 2, right = width - targetW - node.w / 2 - 8;
  const cols = state.layers.length;
  const xs = state.layers.map((_, c) => left + (right - left) * c / Math.max(1, cols - 1));
  const between = (right - left) / Math.max(1, cols - 1) - Math.max(node.inW / 2 + node.w / 2, cols > 2 ? node.w : 0);
  if (rich && between < 48) return layout(state, width, measure, false, labels);
  const units = {};
  state.layers.forEach((layer, c) => {
    const n = layer.units.length;
    const y0 = top + pad + (most - n) * spacing / 2;
    const w = c === 0 ? node.inW : node.w;
    layer.units.forEach((u, j) => {
      units[u.name] = { x: xs[c], y: y0 + j * spacing, col: c, unit: u, w, index: j, last: c === cols - 1 };
    });
  });
  const biasY = top + pad + (most - 1) * spacing + pad + 22;
  const spots = compact ? biasSpots(state, units, xs, spacing) : [];      // a phone: where its lines rise least
  const bias = state.layers.slice(1).map((_, l) => (spots[l] ? { x: spots[l].x, y: spots[l].y, w: 22, aimed: true }
    : { x: xs[l] + (l === 0 ? node.inW : node.w) / 2 + 18, y: biasY, w: 22 }));
  const biases = Math.max(...state.layers.slice(1).map(l => l.units.length));     // bias labels stacked per layer
  const height = Math.max(...bias.map(b => b.y)) + (labelled ? Math.max(22, 11.5 * (biases - 1) + 12) : 22);
  return { xs, units, bias, height, right, most, rich, compact, labelled, node, targetW, named, dropout };
}

// On a phone the columns are close: a bias unit beside its column drew lines that stood almost upright. There
// each bias unit goes where its lines pass the fewest other neurons (6 px clear; an input's square by its
// corners), and of those where its steepest line is least steep: a grid of spots below the two columns' lowest
// neuron, in the gap between them; its lines aimed at their neurons' centres. null where the gap has no spot.
function biasSpots(state, units, xs, spacing) {
  const all = Object.values(units);
  const room = u => (u.col === 0 ? 20 * Math.SQRT2 : 20);
  const apart = (u, x1, y1, x2, y2) => {          // the distance from u's centre to the segment
    const dx = x2 - x1, dy = y2 - y1, t = Math.max(0, Math.min(1, ((u.x - x1) * dx + (u.y - y1) * dy) / (dx * dx + dy * dy)));
    return Math.hypot(x1 + t * dx - u.x, y1 + t * dy - u.y);
  };
  return state.layers.slice(1).map((layer, l) => {
    const targets = layer.units.map(u => units[u.name]), near = all.filter(u => u.col === l || u.col === l + 1);
    const lowest = Math.max(...near.map(u => u.y));
    let best = null;
    for (let x = xs[l] - 20; x <= xs[l + 1] - 40; x += 3) {
      for (let y = lowest + 36; y <= lowest + 36 + Math.max(spacing, 50); y += 3) {
        if (near.some(u => Math.hypot(u.x - x, u.y - y) < room(u) + 11 + 8)) continue;
        const ends = targets.map(t => aimed(t, x, y));
        const hits = ends.reduce((n, [x2, y2], i) => n + near.filter(u => u !== targets[i]
          && apart(u, x, y, x2, y2) < room(u) + 6).length, 0);
        const steep = Math.max(...ends.map(([x2, y2]) => Math.atan2(y - y2, Math.abs(x2 - x))));
        if (!best || hits < best.hits || (hits === best.hits && steep < best.steep - 1e-9)) best = { x, y, steep, hits };
      }
    }
    return best;
  });
}

// Where a line from (x, y) meets the circle of unit t, aimed at its centre.
function aimed(t, x, y) {
  const d = Math.max(1, Math.hypot(x - t.x, y - t.y));
  return [t.x + 20 * (x - t.x) / d, t.y + 20 * (y - t.y) / d];
}

// `name` whole where its drawn width (`measure`) fits in `room` pixels, else its longest start that
// fits with an ellipsis (at least one character).
function fitted(name, room, measure) {
  if (measure(name) <= room) return name;
  let lo = 1, hi = name.length - 1;           // the longest start that fits lies in [lo, hi]
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(name.slice(0, mid) + "…") <= room) lo = mid; else hi = mid - 1;
  }
  return name.slice(0, lo) + "…";
}

// The drawn width of a text of class `cls` in `svg` (its font as the style sheet sets it).
function measurer(svg, cls) {
  const probe = el("text", { class: cls, visibility: "hidden" }, svg);
  const widths = new Map();
  const measure = s => {
    if (!widths.has(s)) { probe.textContent = s; widths.set(s, probe.getComputedTextLength()); }
    return widths.get(s);
  };
  return { measure, done: () => probe.remove() };
}

// Each column's heading and activation, in the longest of their forms that leave every two
// neighbours at least 6 px apart at the columns' centres `xs` ("hidden layer 2", "hidden 2", "h2";
// "sigmoid", "σ"): a deep network on a phone gets the short forms, their whole names on hover.
const SHORT_ACTIVATION = { sigmoid: "σ", leaky_relu: "leaky", softmax: "soft", linear: "lin", relu: "relu", tanh: "tanh" };
function columnHeads(state, xs, measure, twoLines) {
  const last = state.layers.length - 1;
  const forms = state.layers.map((_, c) => (c === 0 ? ["inputs"] : c === last ? ["output"]
    : [`hidden layer ${c}`, `hidden ${c}`, `h${c}`]));
  // a Dropout layer after a column (its outputs dropped at random in a training step): its rate after the
  // activation, written shorter before the activation's name is
  // activation, written shorter before the activation's name is; on a phone (`twoLines`: the drawing has the room)
  // the rate under the activation rather than the activation's name cut
  const acts = state.layers.map(l => {
    const a = l.activation || "", short = SHORT_ACTIVATION[a] || a;
    if (!l.dropout) return a === short ? [[a]] : [[a], [short]];
    const r = l.dropout;
    return [[`${a} · dropout ${r}`], [`${a} drop ${r}`], [`${a} ⊘ ${r}`],
            ...(twoLines ? [[a, `⊘ ${r}`]] : []), [short, `⊘ ${r}`]].map(t => (twoLines ? t : [t.join(" ")]));
  });
  const fit = (texts, m) => texts.every((t, c) => c === 0 || (m(texts[c - 1]) + m(t)) / 2 + 6 <= xs[c] - xs[c - 1]);
  const pick = (options, m) => {
    for (let k = 0; k < 3; k++) {
      const texts = options.map(o => o[Math.min(k, o.length - 1)]);
      if (fit(texts, m)) return texts;
    }
    return options.map(o => o[o.length - 1]);
  };
  return { names: pick(forms, measure["col-head"]), whole: forms.map(f => f[0]),
           subs: pickEach(acts, measure["col-sub"], xs) };
}

// Each column's text among its `options` (longest first): where two neighbours run into each other (less
// than 6 px apart), the wider of the two that has a shorter form takes it, the others stay whole (a Dropout
// mark beside the output once cut its softmax to "soft").
function pickEach(options, m, xs) {
  const level = options.map(() => 0), text = c => options[c][level[c]];
  const wide = lines => Math.max(...lines.map(m));              // a form of one or two lines
  const clash = c => (wide(text(c - 1)) + wide(text(c))) / 2 + 6 > xs[c] - xs[c - 1];
  for (let c = 1; c < options.length; c++) {
    while (clash(c)) {
      const can = [c - 1, c].filter(j => level[j] < options[j].length - 1);
      if (!can.length) break;
      const j = can.reduce((a, b) => (wide(text(b)) > wide(text(a)) ? b : a));
      level[j] += 1;
    }
  }
  return options.map((_, c) => text(c));
}

// What the inputs and outputs stand for (state.names: a CSV file's columns and classes), measured in
// their fonts and cut only where a name does not fit the room they get: beside the inputs (on a phone,
// where the columns of circles keep their room: `labels`), before the targets. Circles without column
// names (a model opened without data, the user's network) get the sample's input values there instead,
// as cards show them.
function unitNames(state, compact, rich, measure, width, labels = true) {
  const names = state.names || {}, inputs = names.inputs || null, outputs = names.outputs || null;
  const room = compact ? Math.min(90, width * 0.2) : Math.min(180, Math.max(90, width * 0.17));
  const label = measure["unit-label"], measureTarget = measure["target-value"];
  const k = state.explained.whole_batch ? state.explained.sample : 0, at = v => [v].flat()[Math.min(k, [v].flat().length - 1)];
  // circles show the followed sample's value after a column's name ("size = 0.42"), and a numeric column's
  // value as the file writes it ("size = 0.42 (12.1 raw)": the words under the title write the row so), in
  // the most that fits the room for every input alike; else the names, cut where they do not fit (the rest in
  // the unit's title and the panel). Cards hold the value: beside them the name and the raw value.
  const units = state.layers[0].units;
  const values = !rich ? units.map(u => at(u.shown.value)) : null;
  const raws = units.map(u => (u.shown.raw === null || u.shown.raw === undefined ? null : at(u.shown.raw)));
  const value = i => (values ? ` = ${values[i]}` : "");
  const levels = [[(s, i) => `${s}${value(i)}${raws[i] === null ? "" : ` (${raws[i]} raw)`}`,
                   compact ? room : Math.min(240, Math.max(90, width * 0.24))], [(s, i) => `${s}${value(i)}`, room]];
  const level = inputs && levels.slice(raws.some(r => r !== null) ? 0 : 1).find(([form, most]) => inputs.every((s, i) => label(form(s, i)) <= most));
  const inFull = inputs ? inputs.map((s, i) => (level ? level[0](s, i) : s)) : values;
  const fits = level ? level[1] : room;
  const inLabels = inFull && labels && (inputs || !compact) ? inFull.map(s => fitted(s, fits, label)) : null;
  const inW = inLabels ? Math.max(...inLabels.map(label)) + 10 : 0;
  // the targets' font is larger than the inputs': more room, up to a 40-character class on a wide screen; on a
  // phone what the columns of circles leave (MIN_GAP apart), less the widest ": value"
  let outRoom = Math.min(320, Math.max(100, width * 0.2));
  if (compact && outputs) {
    const shown = state.targets.flatMap(t => [t.value].flat().map(short));
    const columns = 12 + inW + 20 + (state.layers.length - 1) * MIN_GAP + 20 + 8;
    outRoom = Math.max(measureTarget("abcd…"), Math.min(320, width - columns - 10 - measureTarget(`: ${longest(shown)}`)));
  }
  const outLabels = outputs ? outputs.map(s => fitted(s, outRoom, measureTarget)) : null;
  return { inputs, outputs, classes: names.classes, target: names.target, inFull, inLabels, outLabels, inW, raws };
}

// The width the targets' column needs for each output's label and its widest value ("label: value",
// as drawn), 0 where the outputs have no names. The font is monospace: the longest value is the widest.
function targetsWidth(state, named, rich, measure) {
  if (!named.outLabels) return 0;
  const values = state.targets.flatMap(t => (rich ? [t.shown] : [t.value].flat().map(short)).flat());
  return Math.max(...named.outLabels.map(s => measure["target-value"](`${s}: ${longest(values)}`))) + 10;
}

const longest = texts => texts.reduce((a, b) => (b.length > a.length ? b : a), "");

function labelBox(parent, x, y, lines, cls, selected) {
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
function ends(L, p) {
  const to = L.units[p.to], from = p.from ? L.units[p.from] : L.bias[p.layer];
  if (from.aimed) return [from.x, from.y, ...aimed(to, from.x, from.y)];      // a phone's bias line (biasSpots)
  return [from.x + (p.from ? from.w / 2 : 0), from.y, to.x - to.w / 2, to.y];
}

// The labels of the edges and biases, placed: in the page's 9 decimals where every one finds a place
// that overlaps no other label and no neuron, else in the short form (`short`); a label that even so finds
// no free place is left out, the others drawn (its value is on hover and click, as on a phone).
function placeLabels(state, L, grad) {
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

const MIN_GAP = 58;          // between the centres of two columns of circles (40 px wide)

// Draw `state` into `svg`, as wide as its container (or as the columns need). opts: selected, onSelect(name), onTarget(j).
export function drawGraph(svg, state, opts) {
  let width = Math.max(300, Math.round(svg.parentElement.clientWidth || 900));
  const fonts = ["unit-label", "target-value", "unit-name", "unit-value", "col-head", "col-sub"].map(cls => [cls, measurer(svg, cls)]);
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
  const num = (v, shown) => (L.rich ? shown : short(v));
  const maxW = Math.max(1e-12, ...state.params.map(p => Math.abs(p.value)));
  const maxG = Math.max(1e-300, ...state.params.map(p => Math.abs(p.grad)));
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

  for (const p of state.params) {
    const strength = showGrad ? Math.abs(p.grad) / maxG : 1;
    const colour = showGrad ? (!p.trainable ? FIXED : p.grad >= 0 ? GPOS : GNEG) : (p.value >= 0 ? POS : NEG);
    const selected = p.name === opts.selected;
    const g = el("g", { class: "edge" + (selected ? " selected" : "") + (p.trainable ? "" : " frozen"),
                        "data-name": p.name, tabindex: "0", role: "button", "aria-label": `${p.label} = ${p.shown.value}` }, gEdges);
    const [x1, y1, x2, y2] = ends(L, p);
    el("line", { x1, y1, x2, y2, class: "wire", stroke: colour, "stroke-width": 1.2 + 6 * Math.abs(p.value) / maxW,
                 "stroke-opacity": (0.2 + 0.8 * strength).toFixed(3) }, g);
    el("line", { x1, y1, x2, y2, class: "hit" }, g);
    el("title", {}, g, `${p.label} = ${p.shown.value}` + (p.trainable ? "" : " (fixed: not trained)")
                       + (showGrad ? `\n∂E/∂${p.label} = ${p.shown.grad}` : "")
                       + (p.before !== null && p.before !== p.value ? `\nbefore the update: ${p.shown.before}` : ""));
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
    const full = input ? [`${name} = ${at(shown.value)}`]       // the title: every digit the server wrote
      : [`net ${at(shown.net)}`, `out ${at(shown.out)}`].concat(showGrad && u.unit.delta ? [`δ ${at(shown.delta)}`] : []);
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
                       + (raw === null ? "" : `\n${L.named.inputs[u.index]} = ${raw} raw (in the file), standardised`));
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
    el("text", { x, y: p.y + 13, class: "target-error" }, g,
       `${L.compact ? "E" : err.name} = ${num(at(err.value), at(err.shown))}`);
    el("title", {}, g, `target of ${u.name}${stands(L.named, p)}: ${at(tgt.shown)}\n${err.name} = ${at(err.shown)}`);
    if (editable) {
      g.addEventListener("click", () => opts.onTarget(j));
      onKey(g, () => opts.onTarget(j));
    }
  });
  const again = refocus && svg.querySelector(refocus);
  if (again) again.focus();
}

// What a drawn unit stands for, for its title: " (column x1)", " (class 'red' of kind)", " (the target
// price, standardised)" (a regression's output and target are the standardised column), or "".
function stands(named, u) {
  if (u.col === 0 && named.inputs) return ` (column ${named.inputs[u.index]})`;
  if (u.last && named.outputs) {
    return named.classes ? ` (class '${named.outputs[u.index]}' of ${named.target})`
      : ` (the target ${named.outputs[u.index]}, standardised)`;
  }
  return "";
}

// Enter and Space act as a click on a role=button element of the drawing, as on a <button>.
function onKey(g, act) {
  g.addEventListener("keydown", e => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); act(); }
  });
}
