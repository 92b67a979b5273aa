// Where everything of the drawing goes: the columns and their neurons (cards or circles), the bias units (on a
// phone where their lines rise least), the headings, the column names and classes beside the neurons, measured.

import { cardNeed, grouped, short } from "./numbers.js";

export const MIN_GAP = 58;          // between the centres of two columns of circles (40 px wide)

// Where everything goes. Small networks on a wide screen get "cards" with each neuron's values
// and a label on every edge; larger ones (or a phone, or cards too wide to leave room for the lines
// between them) get plain circles and values on click. `measure`: the drawn width of a text of a class.
// Cards whose powers of ten in full leave the lines no room are narrowed first, a digit (7 px) at a time to
// at most `cap` px, down to their mantissas' three figures (cardNeed's `slim`; graph.js writes in each card as
// many digits as fit): one long number in the outputs once took every card with it.
export function layout(state, width, measure, cards = true, labels = true, cap = Infinity) {
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
  const need = (lines, m, slim = false) => Math.max(0, ...lines.map(([prefix, v]) => cardNeed(prefix, v, m, slim)));
  const least = rich ? Math.max(tight ? 126 : 138, need(values, measure["unit-value"], true) + 16) : 40;
  const node = rich ? { w: Math.max(least, Math.min(cap, need(values, measure["unit-value"]) + 16)), h: 14 + 15 * lines,
                        inW: Math.max(92, need(inputs, measure["unit-name"]) + 20) } : { w: 40, h: 40, inW: 40 };
  // a CSV file's column names left of the inputs, its classes (or target) beside the targets
  const named = unitNames(state, compact, rich, measure, width, labels);
  const targetW = Math.max(rich ? (tight ? 136 : 150) : compact ? 90 : 120, targetsWidth(state, named, rich, compact, measure));
  // a phone's rows closer: its columns are 75-100 px apart, and the bias lines rise over that; never under the
  // circles' 40 px and a gap (9 to 16 units were 34 px apart: each circle over its neighbours)
  const spacing = rich ? Math.max(node.h + 62, 124) : most <= 2 && !compact ? 110 : most <= 4 ? 80 : most <= 8 ? 50 : 44;
  // a phone's inputs without column names: their values under the squares, where the rows leave room (beside them
  // they took the width the bias lines fan out in), each in full where it fits the drawing's left edge, else short
  // (0.7865), else left out (on hover): a 12-character value centred under the square began left of the drawing
  const room = 2 * (12 + node.inW / 2) - 4;        // wider, it ran over the lines leaving the square (names beside it)
  const fit = (s, i) => [s, named.inShort[i]].find(f => measure["unit-label"](f) <= room) ?? "";
  // (a CSV file's inputs too, where their names beside them leave the values out: iris's four columns on a phone)
  const under = compact && named.written && !named.valued && spacing >= 70 ? named.written.map(fit) : null;
  const dropout = state.layers.some(l => l.dropout);        // a phone's Dropout rate has a line under the heading
  const top = 46 + (compact && dropout ? 14 : 0), pad = (rich ? node.h / 2 : 22) + 6;
  const left = 12 + named.inW + node.inW / 2, right = width - targetW - node.w / 2 - 8;
  const cols = state.layers.length;
  const xs = state.layers.map((_, c) => left + (right - left) * c / Math.max(1, cols - 1));
  const between = (right - left) / Math.max(1, cols - 1) - Math.max(node.inW / 2 + node.w / 2, cols > 2 ? node.w : 0);
  if (rich && between < 48) return layout(state, width, measure, node.w > least, labels, node.w - 7);
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
  return { xs, units, bias, height, right, most, rich, compact, labelled, node, targetW, named, dropout, under };
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
export function aimed(t, x, y) {
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

// Each column's heading and activation, in the longest of their forms that leave every two
// neighbours at least 6 px apart at the columns' centres `xs` ("hidden layer 2", "hidden 2", "h2";
// "sigmoid", "σ"): a deep network on a phone gets the short forms, their whole names on hover.
const SHORT_ACTIVATION = { sigmoid: "σ", leaky_relu: "leaky", softmax: "soft", linear: "lin", relu: "relu", tanh: "tanh" };
export function columnHeads(state, xs, measure, twoLines) {
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
  const names = state.names_shown || {}, inputs = names.inputs || null, outputs = names.outputs || null;
  const room = compact ? Math.min(90, width * 0.2) : Math.min(180, Math.max(90, width * 0.17));
  const label = measure["unit-label"], measureTarget = measure["target-value"];
  const k = state.explained.whole_batch ? state.explained.sample : 0, at = v => [v].flat()[Math.min(k, [v].flat().length - 1)];
  // circles show the followed sample's value after a column's name ("size = 0.42"), and a numeric column's
  // value as the file writes it ("size = 0.42 (12.1 raw)": the words under the title write the row so): each
  // column in the longest of its forms that fits, the raw value in the short form where the file's has no room
  // ("income = -0.5752 (-512,000,000 raw)"), left out only where that does not fit either, so that no column's
  // value reads as raw for want of room beside another's; else the name, cut where it does not fit (the rest in
  // the unit's title and the panel). Cards hold the value: beside them the name and the raw value.
  const units = state.layers[0].units;
  const values = !rich ? units.map(u => at(u.shown.value)) : null;
  const written = values && values.map(grouped);         // its e-notation a power of ten, as the cards write it
  const raws = units.map(u => (u.shown.raw === null || u.shown.raw === undefined ? null : at(u.shown.raw)));
  const fits = raws.some(r => r !== null) && !compact ? Math.min(240, Math.max(90, width * 0.24)) : room;
  const forms = (s, i) => {      // longest first: the raw value shortened before the standardised one
    const v = values ? [...new Set([` = ${written[i]}`, ` = ${short(Number(values[i]))}`])] : [""];
    const r = raws[i] === null ? [] : [...new Set([raws[i], short(Number(raws[i]))])];
    return [...v.flatMap(x => r.map(y => `${s}${x} (${y} raw)`)), `${s}${v[0]}`];
  };
  const inFull = inputs ? inputs.map((s, i) => forms(s, i).find(f => label(f) <= fits) || s) : written;
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
  // a class named by a number is said as a class ("class 1.0: 0"), its name never read as the target's value ("1.0: 0")
  const said = s => (names.classes && s.trim() !== "" && Number.isFinite(Number(s)) ? `class ${s}` : s);
  // a binary classifier's one output: the probability of the class it names, "P(yes)", not "yes" (which class?)
  const scored = s => (names.scores ? `P(${said(s)})` : said(s));
  const outLabels = outputs ? outputs.map(s => fitted(scored(s), outRoom, measureTarget)) : null;
  const inShort = values && values.map(v => short(Number(v)));
  // whether the labels beside the inputs hold their values: a column's name with its value, whole
  const valued = Boolean(inLabels) && inLabels.every((s, i) => s === inFull[i] && (!inputs || s !== inputs[i]));
  return { inputs, outputs, classes: names.classes, scores: names.scores, target: names.target, inFull, inShort,
           inLabels, outLabels, inW, raws, written, valued };
}

// The width the targets' column needs for each output's label and its widest value ("label: value",
// as drawn; 0 where the outputs have no names), and for its error's line ("E_o1 = 2.9241 x 10^36"). The font is
// monospace: the longest value is the widest.
function targetsWidth(state, named, rich, compact, measure) {
  const errors = state.errors.flatMap(e => (rich ? [e.shown].flat().map(grouped) : [e.value].flat().map(short))
    .flatMap(v => errorLines(`${compact ? "E" : e.name} = ${v}`, compact)));
  const error = measure["target-error"](longest(errors)) + 6;
  if (!named.outLabels) return error;
  const values = state.targets.flatMap(t => (rich ? [t.shown].flat().map(grouped) : [t.value].flat().map(short)).flat());
  return Math.max(error, ...named.outLabels.map(s => measure["target-value"](`${s}: ${longest(values)}`) + 10));
}

// A target's error line as drawn: on a phone a power of ten on a line of its own ("E = 2.92" over "x 10^36"), so
// that the targets' column leaves the columns their room (the drawing was wider than the phone, the power cut off).
export const errorLines = (text, compact) => (compact && text.includes(" x 10^") ? text.split(/ (?=x 10\^)/) : [text]);

const longest = texts => texts.reduce((a, b) => (b.length > a.length ? b : a), "");
