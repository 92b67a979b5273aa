// The explorer page: buttons and fields that send actions to the engine session, and the
// drawing of the state it answers. No math happens here: every number comes from the server.
// `mount(root, transport)` builds the page inside `root`; the same code runs in a notebook
// widget with a transport over the widget's messages instead of fetch.

import { drawGraph } from "./graph.js";
import { drawLoss, drawBoundary, drawClassKey, drawNorms } from "./charts.js";
import { OPT_NAMES, SETTING_HINTS, SETTING_NAMES, TEMPLATE } from "./template.js";
import { exportDrawing } from "./download.js";

// Names as the seed writes them: dE/dout_o1 -> ∂E/∂out with a subscript o1; every product with ·
// (the report's forward pass writes 0.4*0.593269992, its chain rule 0.74136507 * 0.186815602).
export function notation(text) {
  const esc = String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return esc
    .replace(/\bd(E|out|net|w|b)(?=[_\w/ ]|$)/g, "∂$1")
    .replace(/\b(E|out|net|target|b)_([a-z0-9]+(?:_[0-9]+)?)/g, "$1<sub>$2</sub>")
    .replace(/\beta\b/g, "η").replace(/ ?\* ?/g, " · ").replace(/\^2/g, "²");
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
// actions that put another network or batch in place: an open editor of a target closes
const RELOADS = ["reset", "load", "set_architecture", "undo", "load_share"];

export function mount(root, transport) {
  root.classList.add("cr-explore");
  root.innerHTML = TEMPLATE;
  const $ = id => root.querySelector(`[data-id="${id}"]`);
  let state = null, playing = false, csvFile = null, editing = null, training = null;
  const published = () => $("published").checked;

  function showError(msg) {
    $("error-text").textContent = msg;
    $("error").hidden = !msg;
  }
  // `link` (a share URL, thousands of characters): in a box of its own that scrolls, so that on a
  // phone it does not push the page down by a screen
  function info(msg, link) {
    $("info").textContent = msg || "";
    if (link) {
      const box = document.createElement("span");
      box.className = "share-url";
      box.textContent = link;
      $("info").appendChild(box);
    }
    $("info").hidden = !msg;
  }
  $("error-close").addEventListener("click", () => showError(""));

  // The number typed in field `inp`, or null (the reason shown, quoting what was typed) when it is
  // blank or not a finite number: an empty field is never read as 0. `name` says which field.
  // Decimal writing only: Number() also reads 0x10 as 16 and 0b1 as 1, which nobody means in a weight.
  function numberIn(inp, name) {
    const text = inp.value.trim(), v = DECIMAL.test(text) ? Number(text) : NaN;
    if (text !== "" && Number.isFinite(v)) return v;
    showError(text !== "" ? `${name}: "${text}" is not a finite number; nothing was changed`
      : inp.validity && inp.validity.badInput ? `${name}: what was typed is not a number; nothing was changed`
        : `${name} is empty: type a number (nothing was changed)`);
    return null;
  }
  // On change of `inp`, send(value) with the number typed; a refused entry puts back `shown`.
  function onNumber(inp, name, shown, send) {
    inp.addEventListener("change", () => {
      const v = numberIn(inp, name);
      if (v === null) inp.value = shown; else send(v);
    });
  }

  // One request at a time, in the order asked: a click while the server works waits its turn (a Set
  // pressed meanwhile is never dropped, and answers never arrive out of order).
  let queue = Promise.resolve(null);
  const inTurn = job => (queue = queue.then(job));
  function call(action, body = {}) {
    if (training && action !== "train") training.stop = true;     // another action ends a Train run
    if (RELOADS.includes(action)) editing = null;     // a target's editor closes with the batch it edited
    return inTurn(() => ask(action, body));
  }
  async function ask(action, body) {
    root.classList.add("busy");
    try {
      const answer = await transport.call(action, body);
      if (answer.error) showError(answer.error); else showError("");
      if (answer.state) render(answer.state);
      return answer;
    } catch (e) {
      showError(`The server did not answer (${e.message}). Is \`chainrule explore\` still running?`);
      playing = false;
      return null;
    } finally {
      root.classList.remove("busy");
    }
  }

  // -- controls ------------------------------------------------------------------------------
  root.querySelectorAll("[data-act]").forEach(b => b.addEventListener("click", () => call(b.dataset.act)));
  // Train N: a request trains for at most a few seconds, so the page asks again for the rest until
  // the N steps are done, showing how far it is; meanwhile the button reads Stop and ends the run.
  $("train").addEventListener("click", async () => {
    if (training) { training.stop = true; return; }
    const steps = numberIn($("train-steps"), "Steps to train");
    if (steps === null) return;
    const run = training = { stop: false }, start = state.steps;
    let done = 0;
    $("train").textContent = "Stop";
    $("train").classList.add("stop");
    try {
      do {            // asked at least once: 0 or -5 steps gets the server's reason, not silence
        const a = await call("train", { steps: steps - done });
        if (!a || a.error || !a.state || a.state.steps < start + done) break;
        done = a.state.steps - start;
        if (done < steps && !run.stop) info(`Training: ${done} of ${steps} steps done… (Stop ends the run here)`);
      } while (done < steps && !run.stop);
      if (run.stop && done < steps) info(`Stopped after ${done} of ${steps} steps`);
    } finally {
      training = null;
      $("train").textContent = "Train";
      $("train").classList.remove("stop");
    }
  });
  $("play").addEventListener("click", async () => {
    if (training) training.stop = true;
    if (!playing && numberIn($("train-steps"), "Steps to train") === null) return;
    playing = !playing;
    $("play").textContent = playing ? "❚❚" : "▶";
    while (playing) {
      const a = await call("train", { steps: Math.max(1, Math.min(50, Number($("train-steps").value) || 10)) });
      if (!a || a.error) playing = false;
      await new Promise(r => setTimeout(r, 30));
    }
    $("play").textContent = "▶";
  });
  $("published").addEventListener("change", () => render(state));
  $("data").addEventListener("change", () => {
    const v = $("data").value;
    if (v === "now") return;                  // what is loaded already
    if (v === "csv") { $("file").value = ""; $("file").click(); render(state); return; }
    if (v === "seed" || v === "start") call("load", { what: v });
    else call("load", { what: "dataset", name: v });
  });
  $("file").addEventListener("change", async () => {
    csvFile = $("file").files[0];
    if (!csvFile) return;
    if (csvFile.size > state.options.max_upload) {
      showError(`${csvFile.name} is ${(csvFile.size / 2 ** 20).toFixed(1)} MiB; the explorer takes CSV files up to ${state.options.max_upload / 2 ** 20} MiB`);
      return;
    }
    const a = await upload(null);
    if (a && a.columns) chooseTarget(a.columns);
  });
  function upload(target) {
    return inTurn(async () => {
      root.classList.add("busy");
      try {
        editing = null;
        const a = await transport.upload(csvFile, target);
        if (a.error) showError(a.error); else showError("");
        if (a.state) render(a.state);
        return a;
      } catch (e) { showError(`The upload failed (${e.message})`); return null; } finally { root.classList.remove("busy"); }
    });
  }
  function chooseTarget(columns) {
    $("data-card").hidden = false;
    const box = $("data-settings");
    box.innerHTML = `<p class="small">Which column of <b></b> should the network predict?</p>
      <label class="field">Target <select data-id="target"></select></label><button data-id="use-target" class="primary">Train on it</button>`;
    box.querySelector("b").textContent = csvFile.name;
    const sel = box.querySelector("[data-id=target]");
    columns.forEach(c => sel.add(new Option(c, c)));
    sel.value = columns[columns.length - 1];
    box.querySelector("[data-id=use-target]").addEventListener("click", () => upload(sel.value));
    $("data-card").scrollIntoView({ block: "nearest" });     // far below on a phone: else the file seems ignored
    sel.focus({ preventScroll: true });
  }
  $("share").addEventListener("click", async () => {
    const a = await call("share");
    if (a && a.code) {
      const url = transport.shareUrl(a.code);
      const cols = state.mode === "model" && state.names ? ", the columns and statistics of its CSV file" : "";
      const what = `(this network, its data${cols} and optimizer; no token: it opens in this browser, or added to `
        + "the URL another `chainrule explore` prints)";
      info(`Share link ${what}:`, url);
      try { await navigator.clipboard.writeText(url); info(`Copied to the clipboard ${what}:`, url); } catch (e) { /* shown above */ }
    }
  });
  root.querySelectorAll("[data-export]").forEach(b => b.addEventListener("click", () => {
    $("export-menu").open = false;
    const kind = b.dataset.export;
    if (kind === "svg" || kind === "png") exportDrawing($("graph"), kind); else transport.download(kind);
  }));
  $("opt").addEventListener("change", () => call("set_optimizer", { name: $("opt").value }));
  $("sample").addEventListener("change", () => call("set_sample", { sample: Number($("sample").value) }));
  const select = name => { editing = null; call("select", { name }); };
  const onTarget = j => { if (state.editable) { editing = { what: "target", index: j }; renderDerivation(); } };

  // -- rendering -----------------------------------------------------------------------------
  function render(s) {
    if (!s) return;
    state = s;
    $("title").textContent = s.title;
    $("sample-from").textContent = s.sample_from || "";
    $("sample-from").hidden = !s.sample_from;
    root.querySelector(".layout").classList.toggle("data-mode", Boolean(s.boundary));
    renderData(s);
    renderReadout(s);
    root.querySelectorAll("[data-phase]").forEach(e => e.classList.toggle("on", e.dataset.phase === s.phase));
    root.querySelector('[data-act="undo"]').disabled = !s.can_undo;
    renderOptimizer(s);
    renderArch(s);
    renderSample(s);
    drawGraph($("graph"), s, { selected: s.selected, onSelect: select, onTarget });
    // each swatch in one box with its words: where the row wraps, they wrap together
    const item = (k, words) => `<span class="legend-item"><i class="${k}"></i>${words}</span>`;
    $("legend").innerHTML = s.phase === "forward"
      ? item("k-pos", "positive weight") + item("k-neg", "negative weight") + `<span class="muted">thickness: |w|</span>`
      : item("k-gpos", "∂E/∂w &gt; 0 (w goes down)") + item("k-gneg", "∂E/∂w &lt; 0 (w goes up)")
        + (s.params.some(p => !p.trainable) ? item("k-fixed", "fixed (not trained: does not move)") : "")
        + `<span class="muted">brightness: |∂E/∂w|; δ coloured by its sign</span>`;
    if (s.layers[0].units.some(u => u.shown.raw)) {      // a CSV file's numeric columns: what the inputs' values are
      $("legend").insertAdjacentHTML("beforeend", `<span class="muted" data-id="standardised">inputs: numeric `
        + "columns standardised, (raw − mean) / spread of the training rows</span>");
    }
    drawLoss($("loss"), s.history);
    $("key-test").hidden = s.E_test === null;         // no test data (the seed's network): no test curve to name
    $("boundary-card").hidden = !s.boundary;
    if (s.boundary) {
      drawBoundary($("boundary"), s.boundary, s.points);
      drawClassKey($("class-key"), s.names && s.names.classes);
    }
    drawNorms($("norms"), s.grad_norms, $("norms-weak"));
    // the note on deep sigmoid networks where it applies: a hidden layer whose activation saturates
    $("norms-note").hidden = !s.arch.activations.some(a => a === "sigmoid" || a === "tanh");
    renderDerivation();
    renderSeed(s);
    info(s.message);
  }

  function renderData(s) {
    const sel = $("data");
    if (!sel.options.length) {
      sel.add(new Option("The seed's 2-2-2 network", "seed"));
      if (s.start) sel.add(new Option(`Opened: ${s.start}`, "start"));
      s.options.datasets.forEach(d => sel.add(new Option(d === "xor" ? "XOR" : d[0].toUpperCase() + d.slice(1), d)));
      sel.add(new Option("Your CSV file…", "csv"));
    }
    let v = s.origin === "start" ? "start" : s.origin === "upload" ? "csv" : s.mode === "dataset" ? s.data.name : "seed";
    // what is loaded, when it is no longer the seed's network (its Init or layers changed, a shared
    // model): named by its title; "The seed's 2-2-2 network" stays in the menu to go back to it
    // so is a model file's network once the Network card drew new weights ("Opened: m.npz" goes back to it)
    let now = sel.querySelector('option[value="now"]');
    const redrawn = v === "start" && s.mode === "model" && s.title !== s.start;
    if ((v === "seed" && s.mode !== "seed") || redrawn) {
      if (!now) sel.insertBefore(now = new Option("", "now"), sel.options[0]);
      now.textContent = s.mode === "model" && !redrawn ? `Model: ${s.title}` : s.title;
      v = "now";
    } else if (now) now.remove();
    sel.value = v;
    $("published-box").hidden = s.mode !== "seed";
    const card = $("data-card");
    if (s.mode === "dataset") {
      card.hidden = false;
      const d = s.data, box = $("data-settings");
      box.innerHTML = `<div class="settings"><label class="field">Points <input type="text" inputmode="decimal" class="num" data-k="n"></label>
        <label class="field">Noise <input type="text" inputmode="decimal" class="num" data-k="noise"></label>
        <label class="field">Seed <input type="text" inputmode="decimal" class="num" data-k="seed"></label></div>`;
      const label = { n: "Points", noise: "Noise", seed: "Seed" };
      box.querySelectorAll("input").forEach(inp => {
        const k = inp.dataset.k;
        inp.value = d[k];
        onNumber(inp, label[k], d[k], v => call("load", { what: "dataset", name: d.name, n: d.n, noise: d.noise, seed: d.seed, [k]: v }));
      });
    } else if (!(s.mode === "csv" && !card.hidden && $("data-settings").querySelector("[data-id=target]"))) {
      card.hidden = true;
    } else if (s.names && s.names.target) {     // the file is loaded: the question becomes what it predicts
      const ask = $("data-settings").querySelector("p"), sel = $("data-settings").querySelector("[data-id=target]");
      ask.innerHTML = "The network predicts <b></b> of <b></b>. To predict another column, choose it:";
      ask.querySelectorAll("b")[0].textContent = s.names.target;
      ask.querySelectorAll("b")[1].textContent = csvFile ? csvFile.name : "the file";
      sel.value = s.names.target;
    }
  }

  function renderReadout(s) {
    const stale = s.phase === "update";
    $("etotal").textContent = s.E_total === null ? "—" : s.E_shown.total;
    $("etotal").classList.toggle("stale", stale);
    $("loss-name").textContent = `(${s.loss})`;
    $("ehow").innerHTML = `${notation(s.E_how.line)}<span class="muted"></span>`;       // the report's total error line
    $("ehow").querySelector("span").textContent = `: ${s.E_how.words}`;
    const meta = [`step ${s.steps}`, `${s.n_train} training sample${s.n_train > 1 ? "s" : ""}`];
    if (s.E_test !== null) meta.push(`test ${s.E_shown.test}`);
    if (stale) meta.unshift("before the update: press Forward");
    $("emeta").textContent = meta.join(" · ");
    const pub = s.seed && s.seed.published_E;
    $("epublished").hidden = !(published() && pub);
    if (published() && pub) {
      $("epublished").innerHTML = `<b>as published: ${pub.published}</b><span></span>`;
      $("epublished").querySelector("span").textContent = ` — ${pub.note}`;
    }
  }

  function renderOptimizer(s) {
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
      onNumber(inp, SETTING_NAMES[k] || k, v, x => call("set_optimizer", { [k]: x }));
      if (SETTING_HINTS[k]) {         // the range the server takes, said under the field
        const hint = document.createElement("span");
        hint.className = "field-hint";
        [hint.textContent, hint.title] = SETTING_HINTS[k];
        lab.appendChild(hint);
      }
      box.appendChild(lab);
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

  function renderArch(s) {
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
      row.innerHTML = `<span class="layer-name" title="hidden layer ${i + 1}">${i + 1}</span><button class="mini" data-d="-1" aria-label="fewer units">−</button>
        <span class="units">${units}</span><button class="mini" data-d="1" aria-label="more units">+</button><select></select>
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
    onNumber(seedIn, "Init seed", a.seed, v => send({ seed: v }));
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

  function renderSample(s) {
    const row = $("sample-row"), sel = $("sample");
    row.hidden = s.n_train <= 1;
    if (row.hidden) return;
    if (sel.options.length !== s.n_train) {
      sel.replaceChildren();
      for (let i = 0; i < s.n_train; i++) sel.add(new Option(String(i + 1), String(i)));
    }
    sel.value = String(s.explained.sample);
  }

  // A number's field: `shown` (the server's writing of `value`, as everywhere on the page) until edited.
  function editor(label, value, shown, onSet) {
    const form = document.createElement("form");
    form.className = "editor";
    form.innerHTML = `<label><span></span> = <input type="text" inputmode="decimal" class="num"></label><button class="primary">Set</button>`;
    form.querySelector("span").innerHTML = notation(label);
    const inp = form.querySelector("input");
    inp.value = shown;                  // rounded as everywhere on the page; unchanged, the full value is kept
    inp.title = String(value);
    form.addEventListener("submit", e => {
      e.preventDefault();
      const v = inp.value.trim() === shown ? value : numberIn(inp, label.replace(/_/g, " "));
      if (v !== null) onSet(v);
    });
    return form;
  }

  function renderDerivation() {
    const box = $("derivation"), s = state;
    box.replaceChildren();
    if (editing && !(s.editable && editing.index < s.targets.length)) editing = null;
    if (editing && editing.what === "target") {
      const t = s.targets[editing.index], k = s.explained.whole_batch ? s.explained.sample : 0;
      box.innerHTML = `<h3>Target of ${t.name}</h3>`;
      box.appendChild(editor(`target_${t.name}`, t.value[k], t.shown[k], v =>
        call("set_value", { what: "target", sample: k, index: editing.index, value: v })));
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
      box.innerHTML = `<h3>The chain rule</h3><p class="muted">Click a weight (an edge or its label), a bias or a neuron
        in the drawing: its derivative appears here with the numbers plugged in, as the seed writes it.</p>`;
      return;
    }
    const head = document.createElement("div");
    head.className = "derivation-head";
    const h = document.createElement("h3");
    h.innerHTML = notation(d.title);
    head.appendChild(h);
    box.appendChild(head);
    const p = s.params.find(q => q.name === d.name);
    if (p) {
      head.appendChild(editor(p.label, p.value, p.shown.value, v => call("set_param", { name: p.name, value: v })));
    } else if (d.editable && s.editable) {
      const unit = s.layers[0].units.findIndex(u => u.name === d.name);
      const k = s.explained.whole_batch ? s.explained.sample : 0;
      const input = s.layers[0].units[unit];
      head.appendChild(editor(d.name, input.value[k], input.shown.value[k], v =>
        call("set_value", { what: "input", sample: k, index: unit, value: v })));
    }
    const list = document.createElement("div");
    list.className = "eqs";
    for (const line of d.lines) {
      const row = document.createElement("div");
      row.className = "eq " + (line.kind || "");
      const parts = [line.lhs, line.formula, line.numbers].filter(x => x);
      row.innerHTML = parts.map((x, i) => `<span class="${["lhs", "formula", "nums"][i]}">${notation(x)}</span>`).join(" = ")
        + ` = <b class="val"></b>`;
      row.querySelector(".val").textContent = line.value;
      // a figure the seed prints otherwise: its own note and, "as published" off, that the seed differs
      const own = line.published ? [line.plain_note, published() ? "" : `the seed prints ${line.published} `
        + "(switch on \"as published\" for why)"].filter(x => x).join("; ") : line.note;
      if (own) {
        const n = document.createElement("div");
        n.className = "eq-note";
        n.innerHTML = notation(own);
        row.appendChild(n);
      }
      if (line.published && published()) {
        const n = document.createElement("div");
        n.className = "eq-published";
        n.innerHTML = `<b></b> <span></span>`;
        n.querySelector("b").textContent = `as published: ${line.published}`;
        n.querySelector("span").innerHTML = `— ${notation(line.note)}`;
        row.appendChild(n);
      }
      list.appendChild(row);
    }
    box.appendChild(list);
    if (d.note) {
      const n = document.createElement("p");
      n.className = "muted small";
      n.textContent = d.note;
      box.appendChild(n);
    }
  }

  function renderSeed(s) {
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

  let lastWidth = 0;
  new ResizeObserver(() => {
    const w = $("graph-wrap").clientWidth;
    if (state && w !== lastWidth) { lastWidth = w; drawGraph($("graph"), state, { selected: state.selected, onSelect: select, onTarget }); }
  }).observe($("graph-wrap"));

  // -- start ---------------------------------------------------------------------------------
  transport.open().then(a => {
    if (a.error) showError(a.error);
    render(a.state);
  }).catch(e => showError(`Could not reach the explorer's server: ${e.message}`));
  return { call, render: s => render(s) };
}

// The page's transport: fetch to this server, with the token of the URL it was opened with (kept
// in this browser's storage for this server, so a share link, which holds no token, opens here too).
export function pageTransport() {
  const TOKEN_KEY = "chainrule-explore-token";
  const given = new URLSearchParams(location.search).get("token");
  if (given) { try { localStorage.setItem(TOKEN_KEY, given); } catch (e) { /* storage off: the URL's token only */ } }
  let stored = null;
  try { stored = localStorage.getItem(TOKEN_KEY); } catch (e) { /* storage off */ }
  const token = given || stored || "";
  let sid = sessionStorage.getItem("chainrule-explore-session");
  const headers = { "X-Token": token, "Content-Type": "application/json" };
  const post = async (path, body) => (await fetch(path, { method: "POST", headers, body: JSON.stringify(body || {}) })).json();
  return {
    async open() {
      const share = location.hash.startsWith("#s=") ? location.hash.slice(3) : null;
      if (sid && !share) {
        const a = await post(`/api/session/${sid}/state`, {});
        if (a.state) return a;
      }
      const a = await post("/api/session", share ? { share } : {});
      if (a.error && share && !a.session) {
        a.error += ". A share link holds no token: add its #s=… part to the URL your `chainrule explore` printed.";
        return a;
      }
      sid = a.session;
      if (sid) sessionStorage.setItem("chainrule-explore-session", sid);
      if (share) history.replaceState(null, "", location.pathname + location.search);
      return a;
    },
    call: (action, body) => post(`/api/session/${sid}/${action}`, body),
    async upload(file, target) {
      const q = new URLSearchParams({ name: file.name });
      if (target) q.set("target", target);
      const r = await fetch(`/api/session/${sid}/upload?${q}`, { method: "POST", headers: { "X-Token": token }, body: file });
      return r.json();
    },
    download(kind) {
      const a = document.createElement("a");
      a.href = `/api/session/${sid}/export/${kind}?token=${encodeURIComponent(token)}`;
      a.download = `chainrule-${kind}`;
      document.body.appendChild(a);
      a.click();
      a.remove();
    },
    // the shared state only: never the token of location.search (whoever holds it drives this server)
    shareUrl: code => `${location.origin}${location.pathname}#s=${code}`,
  };
}

const page = typeof document !== "undefined" && document.getElementById("chainrule-explore");
if (page) mount(page, pageTransport());
