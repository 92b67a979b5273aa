// The page's panels drawn from the server's state: the error readout, the optimizer's and the network's
// settings, the sample menu, the chain rule of what was clicked (with its editor) and the seed's figures.
// `ui`: the page's element lookup `$`, `call` (an action sent in turn), the number fields' `onNumber` and
// `numberIn`, whether "as published" is on, and the target being edited (`editing`).

import { count, grouped, inPageNotation } from "./numbers.js";
import { OPT_NAMES, SETTING_HINTS, SETTING_NAMES } from "./template.js";

// Names as the seed writes them: dE/dout_o1 -> ∂E/∂out with a subscript o1; every product with ·
// (the report's forward pass writes 0.4*0.593269992, its chain rule 0.74136507 * 0.186815602).
export function notation(text) {
  const esc = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return esc
    .replace(/\bd(E|out|net|w|b)(?=[_\w/ ]|$)/g, "∂$1")
    .replace(/\b(E|out|net|target|b)_([a-z0-9]+(?:_[0-9]+)?)/g, "$1<sub>$2</sub>")
    .replace(/\beta\b/g, "η").replace(/ ?\* ?/g, " · ").replace(/\^2(?!\d)/g, "²")            // not 10^23's
    .replace(POWERED, m => `<span class="nobr">${m}</span>`)       // one number: a line breaks around it, not inside
    .replace(OPERATOR, (_, before, op) => `<span class="nobr">${before} ${op}</span> `)
    .replace(/(^|[ (])-([(\p{L}∂])/gu, `$1<span class="nobr">-$2</span>`);      // a sign with its bracket or name
}
// A line breaks after an operator, never before it: "-(0.01 -" over "0.75136507)", where a break before the minus
// left "- 0.75136507)" at a line's start on a phone, read as a negative number. The space before it stays a plain
// space (as copied, read aloud) in a span that does not wrap, with the subscript or number before it: Chrome broke
// between such an element and the span. A minus sign stays with what it negates: "= -" over "(0.01" broke after it.
// The comparisons too ("1 if net_h1 >" over "0 else 0": a line starting "> 0" read as a new statement), as escaped.
const OPERATOR = /((?:<sub>[^<]*<\/sub>|<span class="nobr">[^<]*<\/span>)?) ([-+·=/×<>≤≥]|&[lg]t;) /g;
// a number with its power of ten (in its brackets where it has them): "(5.123456 x 10^-12)" wrapped between "x" and
// "10^-12" on a phone
const POWERED = /\(?-?\d[\d,]*(?:\.\d+)? x 10\^-?\d+\)?/g;

export function renderReadout(ui, s) {
  const { $, published } = ui;
  const stale = s.phase === "update";
  // as the drawing writes E_o1; where it needs two lines, its power of ten goes whole onto the second (it broke
  // as "6.729217 x" over "10^36")
  const [total, power] = (s.E_total === null ? "—" : grouped(s.E_shown.total)).split(/ (?=x 10\^)/);
  $("etotal").replaceChildren(total, ...(power ? [" ", Object.assign(document.createElement("span"),
    { className: "power", textContent: power })] : []));
  $("etotal").classList.toggle("stale", stale);
  $("loss-name").textContent = `(${s.loss})`;
  $("ehow").innerHTML = `${notation(s.E_how.line)}<span class="muted"></span>`;       // the report's total error line
  $("ehow").querySelector("span.muted").textContent = `: ${s.E_how.words}`;
  const meta = [`step ${count(s.steps)}`, `${s.n_train} training sample${s.n_train > 1 ? "s" : ""}`];
  if (s.E_test !== null) meta.push(`test ${grouped(s.E_shown.test)}`);
  if (stale) meta.unshift("before the update: press Forward");
  // each part on one line ("test 6.123456 x" broke over "10^-7" on a phone), the line broken between them
  $("emeta").replaceChildren(...meta.flatMap((m, i) => [i ? " · " : "", Object.assign(document.createElement("span"),
    { className: "nobr", textContent: m })]));
  const pub = s.seed && s.seed.published_E;
  $("epublished").hidden = !(published() && pub);
  if (published() && pub) {
    $("epublished").innerHTML = `<b>as published: ${pub.published}</b><span></span>`;
    // the correct figure to the seed's digits beside the seed's, where the readout's nine decimals write it otherwise
    const correct = pub.value !== s.E_shown.total ? `; correct to the same digits: ${pub.value}` : "";
    $("epublished").querySelector("span").textContent = `${correct} — ${pub.note}`;
  }
}

export function renderOptimizer(ui, s) {
  const { $, call, onNumber } = ui;
  const sel = $("opt");
  if (!sel.options.length) Object.keys(s.options.optimizers).forEach(k => sel.add(new Option(OPT_NAMES[k] || k, k)));
  sel.value = s.optimizer.name;
  const box = $("opt-settings");
  box.replaceChildren();
  for (const [k, v] of Object.entries(s.optimizer.settings)) {
    const lab = document.createElement("label");
    lab.className = "field";
    lab.innerHTML = `<span></span><input type="text" inputmode="decimal" class="num" data-setting="${k}">`;
    lab.querySelector("span").textContent = SETTING_NAMES[k] || k;
    const inp = lab.querySelector("input");
    inp.value = v;
    onNumber(inp, SETTING_NAMES[k] || k, v, (x, t) => call("set_optimizer", { [k]: x, typed: { [k]: t } }));
    if (SETTING_HINTS[k]) {         // the range the server takes, said under the field
      const hint = document.createElement("span");
      hint.className = "field-hint";
      [hint.textContent, hint.title] = SETTING_HINTS[k];
      lab.appendChild(hint);
    }
    box.appendChild(lab);
  }
  if (s.optimizer_from) {     // a model file's optimizer: taken (step count, moments) and what was set aside
    const from = document.createElement("div");
    from.className = "muted hint";
    from.dataset.id = "opt-from";
    from.textContent = s.optimizer_from;
    box.appendChild(from);
  }
}

function archField(label, options, value, onChange) {
  const lab = document.createElement("label");
  lab.className = "field";
  lab.innerHTML = "<span></span><select></select>";
  lab.querySelector("span").textContent = label;
  const sel = lab.querySelector("select");
  options.forEach(o => sel.add(new Option(o, o)));
  sel.value = value;
  sel.addEventListener("change", () => onChange(sel.value));
  return lab;
}

export function renderArch(ui, s) {
  const { $, call, onNumber } = ui;
  const box = $("arch"), a = s.arch;
  box.replaceChildren();
  const send = changes => {
    const next = { ...a, ...changes };
    const shape = JSON.stringify(next.hidden) !== JSON.stringify(a.hidden);
    if (next.init === "seed" && shape) next.init = "auto";
    call("set_architecture", next);
  };
  a.hidden.forEach((units, i) => {
    const row = document.createElement("div");
    row.className = "layer-row";
    // named for a screen reader: the row, which hidden layer its buttons change; its menu, that layer's activation
    // (the menu was read as a bare "combobox", the row's number "1" unsaid)
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", `hidden layer ${i + 1}`);
    row.innerHTML = `<span class="layer-name" title="hidden layer ${i + 1}">${i + 1}</span><button class="mini" data-d="-1" aria-label="fewer units">−</button>
      <span class="units">${units}</span><button class="mini" data-d="1" aria-label="more units">+</button><select
      aria-label="activation of hidden layer ${i + 1}"></select>
      <button class="mini ghost" data-remove aria-label="remove layer">×</button>`;
    const sel = row.querySelector("select");
    s.options.activations.forEach(o => sel.add(new Option(o, o)));
    sel.value = a.activations[i];
    sel.addEventListener("change", () => send({ activations: a.activations.map((x, j) => (j === i ? sel.value : x)) }));
    row.querySelectorAll("[data-d]").forEach(b => {
      const next = units + Number(b.dataset.d);
      b.disabled = next < 1 || next > s.options.max_units;      // as "+ hidden layer" at the most layers
      b.addEventListener("click", () => send({ hidden: a.hidden.map((x, j) => (j === i ? next : x)) }));
    });
    row.querySelector("[data-remove]").addEventListener("click", () =>
      send({ hidden: a.hidden.filter((_, j) => j !== i), activations: a.activations.filter((_, j) => j !== i) }));
    box.appendChild(row);
  });
  const add = document.createElement("button");
  add.className = "ghost small-button";
  add.textContent = "+ hidden layer";
  add.disabled = a.hidden.length >= s.options.max_hidden;
  add.addEventListener("click", () => send({ hidden: [...a.hidden, a.hidden[a.hidden.length - 1] || 2],
                                             activations: [...a.activations, a.activations[a.activations.length - 1] || "sigmoid"] }));
  box.appendChild(add);
  const grid = document.createElement("div");
  grid.className = "settings arch-settings";      // each menu as wide as its longest option, on a line of its own if need be
  grid.appendChild(archField("Output", s.options.activations, a.output_activation, v => send({ output_activation: v })));
  grid.appendChild(archField("Loss", s.options.losses, a.loss, v => send({ loss: v })));
  const inits = a.init === "seed" || s.mode === "seed" || s.mode === "custom" ? ["seed", ...s.options.inits] : s.options.inits;
  grid.appendChild(archField("Init", inits, a.init, v => send({ init: v })));
  const seedLab = document.createElement("label");
  seedLab.className = "field seed-field";
  seedLab.innerHTML = `<span>Init seed</span><input type="text" inputmode="decimal" class="num">`;
  const seedIn = seedLab.querySelector("input");
  seedIn.value = a.seed;
  seedIn.disabled = a.init === "seed";
  onNumber(seedIn, "Init seed", a.seed, (v, t) => send({ seed: v, typed: { seed: t } }));
  grid.appendChild(seedLab);
  box.appendChild(grid);
  const bias = document.createElement("label");
  bias.className = "toggle";
  bias.innerHTML = `<input type="checkbox"> biases learn`;
  bias.querySelector("input").checked = a.train_biases;
  bias.querySelector("input").addEventListener("change", e => send({ train_biases: e.target.checked }));
  box.appendChild(bias);
  // what the card cannot show of a model file's network (float32, Dropout, an alpha): kept on a change here
  if ((s.unshown || []).length) {
    const more = document.createElement("p");
    more.className = "muted small";
    more.dataset.id = "unshown";
    more.textContent = `Also in this network (kept when you change it here): ${s.unshown.join(", ")}.`;
    box.appendChild(more);
  }
}

export function renderSample(ui, s) {
  const { $ } = ui;
  const row = $("sample-row"), sel = $("sample");
  row.hidden = s.n_train <= 1;
  if (row.hidden) return;
  if (sel.options.length !== s.n_train) {
    sel.replaceChildren();
    for (let i = 0; i < s.n_train; i++) sel.add(new Option(String(i + 1), String(i)));
  }
  sel.value = String(s.explained.sample);
}

// A number's field: `shown` (the server's writing of `value`, as everywhere on the page) until edited. onSet gets
// { value } and, where edited, the text typed ({ value, typed: { value: "-0" } }) for a refusal to quote. Escape in
// it puts the focus back on `drawn` (the selector of the drawing's item it edits, found as redrawn), after `onEscape`
// (a target's editor closes): the drawing's dozens of items lay between it and the field for Tab to walk back.
function editor(ui, label, value, shown, onSet, drawn, onEscape = () => {}) {
  const form = document.createElement("form");
  form.className = "editor";
  form.innerHTML = `<label><span></span> = <input type="text" inputmode="decimal" class="num"></label><button class="primary">Set</button>`;
  form.querySelector("span").innerHTML = notation(label);
  const inp = form.querySelector("input");
  inp.setAttribute("aria-label", label);     // "b_h1", as the drawing's buttons: its label read "bh1 =" (a subscript)
  inp.value = shown;                  // rounded as everywhere on the page; unchanged, the full value is kept
  inp.title = grouped(String(value));   // every digit, its power of ten as the page writes it
  inp.addEventListener("keydown", e => {
    if (e.key !== "Escape") return;
    e.preventDefault();
    onEscape();
    const item = ui.$("graph").querySelector(drawn);
    if (item) item.focus();
  });
  form.addEventListener("submit", e => {
    e.preventDefault();
    const text = inp.value.trim(), v = text === shown ? value : ui.numberIn(inp, label.replace(/_/g, " "));
    if (v !== null) onSet(text === shown ? { value: v } : { value: v, typed: { value: text } });   // quoted if refused
  });
  return form;
}

export function renderDerivation(ui, s) {
  const { $, call, published } = ui, box = $("derivation");
  box.replaceChildren();
  if (ui.editing && !(s.editable && ui.editing.index < s.targets.length)) ui.editing = null;
  if (ui.editing && ui.editing.what === "target") {
    const t = s.targets[ui.editing.index], k = s.explained.whole_batch ? s.explained.sample : 0;
    box.innerHTML = `<h3>Target of ${t.name}</h3>`;
    box.appendChild(editor(ui, `target_${t.name}`, t.value[k], t.shown[k], v =>
      call("set_value", { what: "target", sample: k, index: ui.editing.index, ...v }),
      `.target[data-name="${CSS.escape(t.name)}"]`, () => { ui.editing = null; renderDerivation(ui, s); }));
    if (s.loss === "categorical_crossentropy") {
      const n = document.createElement("p");
      n.className = "muted small";
      n.textContent = "With categorical cross-entropy a sample's targets are class probabilities that sum to 1: "
        + "setting this one (0 to 1) rescales the other classes' targets to share the rest; 1 makes the row one-hot.";
      box.appendChild(n);
    }
    return;
  }
  const d = s.derivation;
  if (!d) {
    // Weights and biases named only where it is shown (legend.js: a drawing without the weights' labels, a phone's
    // or a large network's), not by the screen's size: said on a desktop where no such list was
    box.innerHTML = `<h3>The chain rule</h3><p class="muted">Click a weight (an edge or its label<span
      data-id="weights-hint">, or its name in Weights and biases, under the drawing</span>), a bias or a neuron: its
      derivative appears here with the numbers plugged in, as the seed writes it.</p>`;
    weightsHint(ui.$);
    return;
  }
  const head = document.createElement("div");
  head.className = "derivation-head";
  const h = document.createElement("h3");
  // the name of a column or class as written ("*big*", "E_total"), after the title read as notation
  const named = d.named || "";
  h.innerHTML = notation(named ? d.title.slice(0, -named.length) : d.title);
  h.append(named);
  head.appendChild(h);
  box.appendChild(head);
  const p = s.params.find(q => q.name === d.name);
  if (p) {
    head.appendChild(editor(ui, p.label, p.value, p.shown.value, v => call("set_param", { name: p.name, ...v }),
      `.edge[data-name="${CSS.escape(p.name)}"]`));
  } else if (d.editable && s.editable) {
    const unit = s.layers[0].units.findIndex(u => u.name === d.name);
    const k = s.explained.whole_batch ? s.explained.sample : 0;
    const input = s.layers[0].units[unit];
    head.appendChild(editor(ui, d.name, input.value[k], input.shown.value[k], v =>
      call("set_value", { what: "input", sample: k, index: unit, ...v }), `.unit[data-name="${CSS.escape(d.name)}"]`));
  }
  // which weights the numbers are of (after Step: the new ones, the step just taken said above them)
  for (const [id, text] of [["derivation-step", d.step], ["derivation-of", d.of]].filter(([, x]) => x)) {
    const n = Object.assign(document.createElement("p"), { className: `small ${id}`, innerHTML: notation(text) });
    n.dataset.id = id;
    box.appendChild(n);
  }
  const list = document.createElement("div");
  list.className = "eqs";
  for (const line of d.lines) {
    const row = document.createElement("div");
    row.className = "eq " + (line.kind || "");
    // its numbers and value as the cards write them (a power of ten, groups of three), not explain's e-notation
    const parts = [line.lhs, line.formula, inPageNotation(line.numbers)].filter(x => x);
    // each " =" kept on the line of what it follows (notation's rule): the name's with the name, the others' inside
    row.innerHTML = parts.map((x, i) => (i === 0 ? `<span class="nobr"><span class="lhs">${notation(x)}</span> =</span> `
      : `<span class="${["lhs", "formula", "nums"][i]}">${notation(`${x} = `)}</span>`)).join("") + `<b class="val"></b>`;        // each part ends " = "
    row.querySelector(".val").textContent = inPageNotation(line.value);
    if (line.when) row.insertAdjacentHTML("afterbegin", `<span class="eq-when">${line.when}</span>`);
    // a figure the seed prints otherwise: its own note and, "as published" off, that the seed differs
    const own = line.published ? [line.plain_note, published() ? "" : `the seed prints ${line.published} `
      + "(switch on \"as published\" for why)"].filter(x => x).join("; ") : line.note;
    if (own) {
      const n = document.createElement("div");
      n.className = "eq-note";
      n.innerHTML = notation(inPageNotation(own));
      row.appendChild(n);
    }
    if (line.published && published()) {
      const n = document.createElement("div");
      n.className = "eq-published";
      n.innerHTML = `<b></b> <span></span>`;
      n.querySelector("b").textContent = `as published: ${line.published}`;
      n.querySelector("span").innerHTML = `— ${notation(inPageNotation(line.note))}`;
      row.appendChild(n);
    }
    list.appendChild(row);
  }
  box.appendChild(list);
  if (d.note) {
    const n = document.createElement("p");
    n.className = "muted small";
    n.dataset.id = "derivation-note";       // one of the panel's small paragraphs: the step's and "of" above it
    // in the lines' notation (∂E/∂out with its subscript, ·, a power of ten); a refusal in the banner's words
    n.innerHTML = notation(d.lines.length ? inPageNotation(d.note) : d.note);
    box.appendChild(n);
  }
}

export function renderSeed(ui, s) {
  const { $, published } = ui;
  const card = $("seed-card");
  card.hidden = !s.seed;
  if (!s.seed) return;
  const figs = s.seed.figures, differ = figs.filter(f => !f.matches);
  card.innerHTML = `<h3>The seed's figures</h3><p class="small">Every figure the seed prints, computed by the engine:
    <b>${figs.length - differ.length} of ${figs.length}</b> match to the digits printed.</p>`;
  if (s.seed.readings) {            // where the seed's text disagrees with its own computations
    const ul = document.createElement("ul");
    ul.className = "small readings";
    s.seed.readings.forEach(r => { const li = document.createElement("li"); li.innerHTML = notation(r); ul.appendChild(li); });
    card.appendChild(ul);
  }
  if (!published()) {
    const p = document.createElement("p");
    p.className = "muted small";
    p.textContent = `${differ.length} differ from a correct computation: switch on "as published" to see them, with the reason.`;
    card.appendChild(p);
    return;
  }
  const table = document.createElement("table");
  table.className = "figures";
  table.innerHTML = "<thead><tr><th>figure</th><th>correct</th><th>as published</th></tr></thead><tbody></tbody>";
  for (const f of differ) {
    const tr = document.createElement("tr");
    tr.innerHTML = "<td></td><td></td><td></td>";
    tr.children[0].innerHTML = notation(f.key);
    tr.children[1].textContent = f.value;
    tr.children[2].textContent = f.seed;
    const why = document.createElement("tr");
    why.className = "why";
    why.innerHTML = `<td colspan="3"></td>`;
    why.firstChild.innerHTML = notation(f.note);
    table.tBodies[0].append(tr, why);
  }
  card.appendChild(table);
}

// The chain rule's hint names the weights' list (Weights and biases) only while that list is shown: it comes and goes
// with the drawing's width (app.js calls this again on a resize)
export function weightsHint($) {
  const hint = $("weights-hint");
  if (hint) hint.hidden = $("weights").hidden;
}
