// Small pictures of what the server computed: the loss curves, the decision boundary of 2-D data,
// and the gradient norm of each layer. Only scaling to pixels happens here.

import { el, short } from "./graph.js";
import { count } from "./numbers.js";

const TRAIN = "#2563eb", TEST = "#ea580c";

// A loss with no place on the axis: infinity or NaN (a pass that overflowed); null is no test set.
const offScale = v => v !== null && v !== undefined && !Number.isFinite(v);

// Where the loss curves leave out a point they cannot draw (infinity, NaN), in words for the chart's key: "train
// loss inf at step 1" ("nan", "inf or nan"), the first such step of each curve and how many more; "" where every
// point is drawn.
export function offScaleWords(history) {
  return [["train", history.train], ["test", history.test]].map(([name, s]) => {
    const at = history.step.filter((st, i) => offScale(s[i])), bad = s.filter(offScale);
    if (!at.length) return "";
    const what = [...new Set(bad.map(short))].join(" or ");        // "inf", "nan": as the readout writes them
    return `${name} loss ${what} at step ${count(at[0])}` + (at.length > 1 ? ` (and ${count(at.length - 1)} later point${at.length > 2 ? "s" : ""})` : "");
  }).filter(Boolean).join("; ");
}

// Where the curve starts past step 0 (a share link's page: the link holds the network, not the losses before it),
// in words under the chart, so the empty start of the count is not read as a curve that was lost; "" from step 0.
export function startWords(history) {
  const s0 = history.step[0];
  if (!(s0 > 0)) return "";
  const n = count(s0);
  return `The curve starts at step ${n}: this page opened from a share link made after ${n} step${s0 === 1 ? "" : "s"}, ` +
    "which holds the network, not the losses before it.";
}

// Loss after each update, train and test; a log scale when the loss spans a decade or more (and no point is 0,
// which a log scale has no place for: a linear one draws it on its axis). A loss of infinity
// or NaN (a pass that overflowed) is an × at the top edge, in its curve's colour (`offScaleWords` names them).
export function drawLoss(svg, history) {
  const W = 360, H = 170, r = 10, t = 12, b = 26;
  svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
  svg.replaceChildren();
  const steps = history.step, series = [[history.train, TRAIN], [history.test, TEST]];
  const finite = series.flatMap(([s]) => s).filter(v => Number.isFinite(v));
  if (!finite.length && !series.some(([s]) => s.some(offScale))) return;
  const vals = finite.length ? finite : [1];       // none finite: a frame for the marks alone, no loss labels
  const most = Math.max(...vals);
  let lo = Math.min(...vals), hi = most;
  const log = lo > 0 && hi / lo >= 10;
  const f = log ? Math.log10 : (v => v);
  if (!log) { lo = 0; hi = hi * 1.05; }
  const [a, z] = [f(lo), f(hi) === f(lo) ? f(lo) + 1 : f(hi)];
  // the loss's labels left of the plot, which starts where the wider of them ends (0.001358 is wider
  // than 0.695): measured in the drawing, 46 units where it cannot be (a hidden card); the upper one at the
  // curve's highest loss, not at the padded top of a linear scale (1.05 times it: a loss no step had)
  const labels = finite.length ? [...new Set([lo, most])].map(v => [v, el("text", { class: "axis-label end" }, svg, short(v))]) : [];
  const widest = Math.max(0, ...labels.map(([, e]) => { try { return e.getComputedTextLength(); } catch (err) { return 0; } }));
  const l = Math.max(46, Math.ceil(widest) + 8);
  const s0 = steps[0], s1 = Math.max(steps[steps.length - 1], s0 + 1);
  const X = s => l + (W - l - r) * (s - s0) / (s1 - s0);
  const Y = v => t + (H - t - b) * (1 - (f(v) - a) / (z - a));
  svg.insertBefore(el("rect", { x: l, y: t, width: W - l - r, height: H - t - b, class: "plot-bg" }), svg.firstChild);
  for (const [v, e] of labels) { e.setAttribute("x", l - 4); e.setAttribute("y", Y(v) + 4); }
  el("text", { x: l, y: H - 8, class: "axis-label" }, svg, count(s0));
  // the right edge's step: the last point's, or with one point the axis's end (its step again read "0 ... step 0")
  el("text", { x: W - r, y: H - 8, class: "axis-label end" }, svg, `step ${count(s1)}`);
  if (log) el("text", { x: (l + W - r) / 2, y: H - 8, class: "axis-label middle" }, svg, "log scale");   // under the plot, not on the curve
  for (const [s, colour] of series) {
    steps.forEach((st, i) => {
      if (!offScale(s[i])) return;
      const x = X(st), d = 4;
      el("path", { d: `M${x - d},${t - d}L${x + d},${t + d}M${x - d},${t + d}L${x + d},${t - d}`, stroke: colour,
                   "stroke-width": 2, class: "off-scale", "data-step": st }, svg);
    });
    const pts = steps.map((st, i) => [st, s[i]]).filter(([, v]) => Number.isFinite(v));
    if (!pts.length) continue;
    if (pts.length === 1) {
      el("circle", { cx: X(pts[0][0]), cy: Y(pts[0][1]), r: 3, fill: colour }, svg);
      continue;
    }
    el("polyline", { points: pts.map(([st, v]) => `${X(st).toFixed(1)},${Y(v).toFixed(1)}`).join(" "),
                     fill: "none", stroke: colour, "stroke-width": 2, "stroke-dasharray": colour === TEST ? "5 3" : "" }, svg);
  }
}

// The palette, by name: a class named after one of its colours ("red", "Blue") is drawn in it, and the other classes
// take the colours left in this order (classes blue and red were drawn orange and blue, the first two here).
// Sixteen, the most classes the explorer draws (limits.MAX_UNITS: a file with more is refused), each its own colour:
// past eight they repeated (class 9 drawn as class 1); any two at least 28 apart in CIELAB (ΔE*ab), and each at least
// 3:1 against white (WCAG's contrast for a graphic: a test point is a ring of its colour on the page's white). Beyond
// sixteen, which the explorer never draws, they would repeat in this order.
const GREY = [107, 114, 128];
const PALETTE = { orange: [234, 88, 12], blue: [37, 99, 235], green: [5, 150, 105], purple: [192, 38, 211],
                  yellow: [196, 134, 4], cyan: [8, 145, 178], red: [225, 29, 72], lime: [101, 163, 13],
                  pink: [236, 72, 153], brown: [146, 64, 14], grey: GREY, black: [17, 24, 39], navy: [30, 27, 120],
                  teal: [20, 90, 80], lavender: [168, 120, 200], olive: [120, 113, 40] };
const NAMED = { ...PALETTE, magenta: PALETTE.purple, violet: PALETTE.purple, gray: GREY };

// The colour of each class in the picture (its points, and its region at full confidence), from its name; a colour
// two classes name ("Red" and "red", "grey" and "gray") is the first's, the other taking one left.
export function classColours(classes) {
  const taken = new Set();
  const named = (classes || []).map(c => {
    const name = String(c).trim().toLowerCase();
    const rgb = Object.hasOwn(NAMED, name) ? NAMED[name] : null;     // not "constructor", every object's own
    if (!rgb || taken.has(rgb)) return null;
    taken.add(rgb);
    return rgb;
  });
  const left = Object.values(PALETTE).filter(rgb => !taken.has(rgb));
  let k = 0;
  return named.map(rgb => rgb || left[k++ % left.length] || PALETTE.orange);
}
const rgbOf = (colours, k) => colours[k] || Object.values(PALETTE)[k % Object.keys(PALETTE).length];

// The key of the picture's colours: one swatch per class, named (a CSV file's classes, or class 0 and 1).
export function drawClassKey(div, classes) {
  div.replaceChildren();
  const colours = classColours(classes);
  (classes || []).forEach((name, k) => {
    const item = document.createElement("span");
    item.className = "class-item";
    item.innerHTML = `<i class="class-swatch"></i><span class="class-name"></span>`;
    item.querySelector("i").style.background = `rgb(${colours[k]})`;
    item.querySelector(".class-name").textContent = name;
    item.title = name;
    div.appendChild(item);
  });
}

// The class the network gives each grid cell (shade: its confidence), and the data points on top
// (test points drawn hollow).
export function drawBoundary(canvas, boundary, points, classes) {
  const colours = classColours(classes);
  const size = canvas.width, ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, size, size);
  const n = boundary.n, small = document.createElement("canvas");
  small.width = small.height = n;
  const sctx = small.getContext("2d"), img = sctx.createImageData(n, n);
  for (let i = 0; i < n * n; i++) {
    const rgb = rgbOf(colours, boundary.cls[i]), a = 0.12 + 0.5 * boundary.conf[i];
    img.data.set([255 + (rgb[0] - 255) * a, 255 + (rgb[1] - 255) * a, 255 + (rgb[2] - 255) * a, 255], 4 * i);
  }
  sctx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = "high";
  const step = size / (n - 1);                  // grid points lie on the picture's edges and between
  ctx.drawImage(small, -step / 2, -step / 2, n * step, n * step);
  const [x0, x1] = boundary.x, [y0, y1] = boundary.y;
  points.x.forEach(([x, y], i) => {
    const px = (x - x0) / (x1 - x0) * size, py = (1 - (y - y0) / (y1 - y0)) * size;
    const rgb = rgbOf(colours, points.cls[i]);
    ctx.beginPath();
    ctx.arc(px, py, 3.6, 0, 2 * Math.PI);
    if (points.test[i]) {
      ctx.fillStyle = "#fff"; ctx.fill();
      ctx.lineWidth = 1.6; ctx.strokeStyle = `rgb(${rgb})`; ctx.stroke();
    } else {
      ctx.fillStyle = `rgb(${rgb})`; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = "#fff"; ctx.stroke();
    }
  });
}

// Below this norm of dE/dW a layer's bar is red: its weights barely move (a vanishing gradient).
export const WEAK_NORM = 1e-4;
export const WEAK_WORDS = "vanishing gradient: this layer barely learns";
export const SMALL_WORDS = "small gradient";
// A norm of exactly 0 is no vanishing: nothing reaches the layer from these samples (inputs of 0, units off).
export const ZERO_WORDS = "zero gradient: no error reaches these weights from these samples (inputs of 0, or units " +
  "that are off)";

// A norm of infinity or NaN: the layer's gradient overflowed; its bar is drawn full, a length no number gives.
export const OVERFLOW_WORDS = "the gradient overflowed (numbers past the largest the network's dtype holds): a full " +
  "bar, with no length to read";

// One bar per layer: the norm of dE/dW on a log scale (1e-8 .. 10), so vanishing gradients show; a red
// bar says in its tooltip what it means, and `note` (an element under the bars) says it in words. `scaled`: the
// server's words where the optimizer divides each step by the gradients' size (AdaGrad, RMSprop, Adam), whose
// weights move as far under a small gradient; null where the step is η times the gradient.
export function drawNorms(div, norms, note, scaled = null) {
  div.replaceChildren();
  const lo = -8, hi = 1;
  for (const n of norms) {
    const row = document.createElement("div");
    row.className = "norm-row";
    const pos = n.norm > 0 ? (Math.log10(n.norm) - lo) / (hi - lo) : 0;
    const pct = Math.max(0.5, Math.min(100, 100 * pos));
    const weak = n.norm < WEAK_NORM;
    row.innerHTML = `<span class="norm-name"></span><span class="norm-track"><span class="norm-bar${weak ? " weak" : ""}">` +
      `</span></span><span class="norm-value"></span>`;
    row.querySelector(".norm-bar").style.width = `${pct}%`;
    row.querySelector(".norm-name").textContent = n.layer;
    row.querySelector(".norm-value").textContent = short(n.norm);
    row.title = `${n.layer}: ‖∂E/∂W‖ = ${short(n.norm)}` + (!Number.isFinite(n.norm) ? ` (${OVERFLOW_WORDS})`
      : n.norm === 0 ? ` (red: ${ZERO_WORDS})` : weak ? ` (red: below 1e-4, ${scaled ? SMALL_WORDS : WEAK_WORDS})` : "");
    div.appendChild(row);
  }
  if (!note) return;
  const weak = norms.filter(n => n.norm > 0 && n.norm < WEAK_NORM).map(n => n.layer);
  const zero = norms.filter(n => n.norm === 0).map(n => n.layer);
  const overflowed = norms.filter(n => !Number.isFinite(n.norm)), over = overflowed.map(n => n.layer);
  note.hidden = !weak.length && !zero.length && !over.length;
  note.innerHTML = (weak.length || zero.length ? `<span class="legend-item"><i class="k-weak"></i>red bar</span> `
    : "") + "<span></span>";
  const said = [];
  if (weak.length) said.push(`‖∂E/∂W‖ below 1e-4 (here: ${weak.join(", ")}), a ` + (scaled ?
    `${SMALL_WORDS}; gradient descent would hardly move its weights, but ${scaled}` :
    `${WEAK_WORDS}; its weights hardly move at each update`));
  if (zero.length) said.push(`‖∂E/∂W‖ = 0 (here: ${zero.join(", ")}), a ${ZERO_WORDS}`);
  const what = [...new Set(overflowed.map(n => short(n.norm)))].join(" or ");          // "inf", "nan"
  if (over.length) said.push(`‖∂E/∂W‖ = ${what} (here: ${over.join(", ")}): ${OVERFLOW_WORDS}`);
  note.lastChild.textContent = said.join(". ") + ".";
}
