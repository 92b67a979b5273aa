// The explorer page: buttons and fields that send actions to the engine session, and the
// drawing of the state it answers. No math happens here: every number comes from the server.
// `mount(root, transport)` builds the page inside `root`; the same code runs in a notebook
// widget with a transport over the widget's messages instead of fetch.

import { drawGraph } from "./graph.js";
import { drawLoss, drawBoundary, drawClassKey, drawNorms, offScaleWords, startWords } from "./charts.js";
import { OPT_NAMES, TEMPLATE } from "./template.js";
import { renderLegend, renderWeights } from "./legend.js";
import { renderArch, renderDerivation, renderOptimizer, renderReadout, renderSample, renderSeed, weightsHint } from "./panels.js";
import { focusKey, followShownOrder, refocus, trackTyping } from "./focus.js";
import { listenToKeys } from "./keys.js";
import { pageTransport } from "./transport.js";
import { wireExports } from "./exports.js";
import { count, revive } from "./numbers.js";
import { readTyped } from "./reading.js";

// actions that put another network or batch in place: an open editor of a target closes
const RELOADS = ["reset", "load", "set_architecture", "undo", "redo", "load_share"];
// of those, the ones that put another network or data in place whose overflow is news (the banner opens on it):
// not Undo or Redo, which go back to a state seen before, as a typed weight does (an overflow there stays closed)
const NEWS = RELOADS.filter(a => a !== "undo" && a !== "redo");

export function mount(root, wire) {
  // the answers with their infinities and NaNs read back from {"__float__": ...} (numbers.js `revive`)
  const transport = { ...wire, open: async () => revive(await wire.open()),
                      call: async (action, body) => revive(await wire.call(action, body)),
                      upload: async (file, target) => revive(await wire.upload(file, target)) };
  root.classList.add("cr-explore");
  root.innerHTML = TEMPLATE;
  const $ = id => root.querySelector(`[data-id="${id}"]`);
  let state = null, playing = false, plays = 0, csvFile = null, training = null;
  const published = () => $("published").checked;
  // what the panels (panels.js) use of the page; `editing`: the target whose editor is open
  const ui = { $, call, numberIn, onNumber, published, editing: null };

  // a notebook's widget says it in the kernel's words (`wire.noAnswer`)
  const noAnswer = e => (wire.noAnswer ? wire.noAnswer(e)
    : `The server did not answer (${e.message}). Is \`chainrule explore\` still running?`);
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
  // The banner closed on a pass's refusal (explain's, of a pass that overflows): not shown there again while the
  // pass keeps overflowing, whatever its numbers (how many samples, inf or nan), but said in the info line
  // (`infoWords`); a pass explain writes out, or another network or data loaded, opens it again on the next refusal.
  let refusalClosed = false;
  $("error-close").addEventListener("click", () => {
    if (state && state.refused && $("error-text").textContent === state.refused) {
      refusalClosed = true;
      info(infoWords(state));
    }
    showError("");
  });
  const refusalWords = s => (s && s.refused && !refusalClosed ? s.refused : "");
  const infoWords = s => [s.message, s.refused && refusalClosed
    ? `Still: ${s.refused[0].toLowerCase()}${s.refused.slice(1)}` : ""].filter(Boolean).join(" ");
  trackTyping(root);          // a field being typed in keeps its text when an answer redraws it (focus.js)

  // The number typed in field `inp`, or null (the reason shown, quoting what was typed: reading.js) when it is
  // blank or not a finite number. `name` says which field; `grouped`: a count, which may be written "10,000".
  function numberIn(inp, name, grouped = false) {
    const read = readTyped(inp.value, name, grouped, Boolean(inp.validity && inp.validity.badInput));
    if ("value" in read) return read.value;
    showError(read.refused);
    return null;
  }
  // On change of `inp`, send(value, text) with the number typed and its text (a refusal quotes the text: "-0" and
  // "1e-400" reach the server as 0, "2e6" as 2000000); a refused entry puts back `shown`.
  // Not while an answer redraws the card: Chrome fires change on a focused field it removes, which sent a number
  // half typed ("0.0" of 0.07) and ended a Train run; `refocus` puts the text in the new field, typing goes on there.
  // Chrome fires no change for the text put there by script: until a key edits it, Enter and leaving the field send it.
  function onNumber(inp, name, shown, send) {
    const set = () => {
      if (redrawing) return;
      delete inp.dataset.restored; delete inp.dataset.typed;       // set: a redraw shows the server's number
      const v = numberIn(inp, name);
      if (v === null) inp.value = shown; else send(v, inp.value.trim());
    };
    inp.addEventListener("change", set);
    inp.addEventListener("keydown", e => { if (e.key === "Enter" && "restored" in inp.dataset) set(); });
    inp.addEventListener("blur", () => { if ("restored" in inp.dataset) set(); });
  }

  // One request at a time, in the order asked: a click while the server works waits its turn (a Set
  // pressed meanwhile is never dropped, and answers never arrive out of order).
  let queue = Promise.resolve(null);
  const inTurn = job => (queue = queue.then(job));
  function call(action, body = {}) {
    if (training && action !== "train") training.stop = true;     // another action ends a Train run
    // another network or batch in place ends ▶, which trained on the new one; Undo and Redo among them: playing on
    // from the state gone back to would be a new change, clearing Redo at once
    if (RELOADS.includes(action)) { ui.editing = null; playing = false; }   // a target's editor closes with its batch
    // an Undo or Redo asked while others wait: sent only where, at its turn, there is still something to undo (held
    // Ctrl+Z queued more than the changes there were, the extra ones answering "nothing to undo")
    const moot = () => (action === "undo" && state && !state.can_undo) || (action === "redo" && state && !state.can_redo);
    return inTurn(() => (moot() ? null : ask(action, body)));
  }
  // Another network or data loaded (not refused): a refusal of its pass is news, the banner opens on it
  const loaded = (reloads, answer) => { if (reloads && !answer.error) refusalClosed = false; };
  async function ask(action, body) {
    root.classList.add("busy");
    try {
      const answer = await transport.call(action, body);
      loaded(NEWS.includes(action), answer);
      if (answer.error) showError(answer.error); else showError("");
      if (answer.state) render(answer.state);
      return answer;
    } catch (e) {
      showError(noAnswer(e));
      playing = false;
      return null;
    } finally {
      root.classList.remove("busy");
    }
  }

  // -- controls ------------------------------------------------------------------------------
  root.querySelectorAll("[data-act]").forEach(b => b.addEventListener("click", () => call(b.dataset.act)));
  const keysGo = listenToKeys(root, call);           // Ctrl+Z, Ctrl+Y and the notebook's keys kept (keys.js)
  // Train N: a request trains for at most a few seconds, so the page asks again for the rest until
  // the N steps are done, showing how far it is; meanwhile the button reads Stop and ends the run.
  $("train").addEventListener("click", async () => {
    if (training) { training.stop = true; return; }
    const steps = numberIn($("train-steps"), "Steps to train", true);
    if (steps === null) return;
    const run = training = { stop: false }, start = state.steps;
    const typed = { steps: $("train-steps").value.trim() };      // quoted by a refusal of the first request
    let done = 0, a = null;
    $("train").textContent = "Stop";
    $("train").classList.add("stop");
    try {
      do {            // asked at least once: 0 or -5 steps gets the server's reason, not silence
        a = await call("train", done ? { steps: steps - done, goes_on: true } : { steps, typed });   // one Undo
        if (!a || !a.state || a.state.steps < start + done) break;
        done = a.state.steps - start;           // a refusal's state too: a diverged step says the steps before it
        if (a.error) break;
        if (done < steps && !run.stop) info(`Training: ${count(done)} of ${count(steps)} steps done… (Stop ends the run here)`);
      } while (done < steps && !run.stop);
      // stopped, no answer (the server gone) or refused (the session ended, a diverged step): the banner says why,
      // where "Training: … done…" said it went on
      // (a first request refused, 2.5 steps, took none: its refusal alone says why, not "Stopped after 0 of 2.5")
      if ((run.stop || !a || (a.error && done > 0)) && done < steps) info(`Stopped after ${count(done)} of ${count(steps)} steps`);
    } finally {
      training = null;
      $("train").textContent = "Train";
      $("train").classList.remove("stop");
    }
  });
  // Enter in the steps field trains, as the button beside it does (not while a run goes on: Stop ends that one)
  $("train-steps").addEventListener("keydown", e => {
    if (e.key === "Enter") { e.preventDefault(); if (!training) $("train").click(); }
  });
  // ▶ and ❚❚ named in words for a screen reader and on hover: the pause mark alone read as "light vertical bars"
  const playMark = on => {
    Object.assign($("play"), { textContent: on ? "❚❚" : "▶", title: on ? "Pause training" : "Train until paused" });
    $("play").setAttribute("aria-label", $("play").title);
  };
  playMark(false);
  $("play").addEventListener("click", async () => {
    if (training) training.stop = true;
    if (!playing && numberIn($("train-steps"), "Steps to train", true) === null) return;
    playing = !playing;
    const mine = ++plays;            // a ▶ pressed again before the last play saw its pause: that one ends
    playMark(playing);
    for (let first = true; playing && plays === mine; first = false) {         // the whole play one change for Undo
      const a = await call("train", { steps: Math.max(1, Math.min(50, Number($("train-steps").value.replace(/,/g, "")) || 10)),
                                      goes_on: !first });
      if (!a || a.error) playing = false;
      await new Promise(r => setTimeout(r, 30));
    }
    if (plays === mine) playMark(false);
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
    if (a && a.columns) chooseTarget(a.columns, a.columns_shown);
  });
  function upload(target) {
    return inTurn(async () => {
      root.classList.add("busy");
      try {
        ui.editing = null;
        if (target !== null) playing = false;          // another network in place: ▶ stops
        const a = await transport.upload(csvFile, target);
        loaded(target !== null, a);                 // without a target: its columns listed, nothing loaded
        if (a.error) showError(a.error); else showError("");
        if (a.state) render(a.state);
        return a;
      } catch (e) { showError(`The upload failed (${e.message})`); return null; } finally { root.classList.remove("busy"); }
    });
  }
  function chooseTarget(columns, shown) {     // each column shown as the reports write it, its raw name sent back
    $("data-card").hidden = false;
    const box = $("data-settings");
    box.innerHTML = `<p class="small">Which column of <b></b> should the network predict?</p>
      <label class="field">Target <select data-id="target"></select></label><button data-id="use-target" class="primary">Train on it</button>`;
    box.querySelector("b").textContent = csvFile.name;
    const sel = box.querySelector("[data-id=target]");
    columns.forEach((c, k) => sel.add(new Option(shown[k], c)));
    sel.value = columns[columns.length - 1];
    box.querySelector("[data-id=use-target]").addEventListener("click", () => upload(sel.value));
    $("data-card").scrollIntoView({ block: "nearest" });     // far below on a phone: else the file seems ignored
    sel.focus({ preventScroll: true });
  }
  // Share and the Export menu (exports.js): `page` what they use of this one
  const closeMenu = wireExports(root, { $, call, inTurn, transport, info, showError, noAnswer, refusalWords,
                                        state: () => state });
  $("opt").addEventListener("change", () => call("set_optimizer", { name: $("opt").value }));
  $("sample").addEventListener("change", () => call("set_sample", { sample: Number($("sample").value) }));
  const select = name => { ui.editing = null; return call("select", { name }); };
  // a target's one action is its editing: the focus goes to its field (it stayed in the drawing, the field far off)
  const onTarget = j => {
    if (!state.editable) return;
    ui.editing = { what: "target", index: j };
    renderDerivation(ui, state);
    $("derivation").querySelector("input").focus();
  };

  // -- rendering -----------------------------------------------------------------------------
  // `quietly`: the cards redrawn or moved (a phone's order), no change of a focused field taken as set (onNumber)
  let redrawing = false;
  const quietly = job => { redrawing = true; try { job(); } finally { redrawing = false; } };
  function render(s) { if (s) quietly(() => draw(s)); }
  function draw(s) {
    const focused = focusKey(root);       // a card's field or button, focused again once its card is redrawn
    state = s;
    $("title").textContent = s.title;
    if (root.id === "chainrule-explore") document.title = `${s.title} · chainrule explore`;   // the page's tab, not a notebook's
    $("sample-from").textContent = s.sample_from || "";
    $("sample-from").hidden = !s.sample_from;
    root.querySelector(".layout").classList.toggle("data-mode", Boolean(s.boundary));
    renderData(s);
    renderReadout(ui, s);
    root.querySelectorAll("[data-phase]").forEach(e => e.classList.toggle("on", e.dataset.phase === s.phase));
    root.querySelector('[data-act="undo"]').disabled = !s.can_undo;
    root.querySelector('[data-act="redo"]').disabled = !s.can_redo;
    renderOptimizer(ui, s);
    renderArch(ui, s);
    renderSample(ui, s);
    drawGraph($("graph"), s, { selected: s.selected, onSelect: select, onTarget });
    renderLegend($, s);
    renderWeights($, s, select);
    root.querySelector('[data-act="update"]').title = s.optimizer.name === "sgd" ? "w+ = w - η · dE/dw"
      : `${OPT_NAMES[s.optimizer.name]}'s update of every weight, from its gradient and the optimizer's state`;
    drawLoss($("loss"), s.history);
    $("loss-from").textContent = startWords(s.history);       // a share link's page: no points before its step
    $("loss-from").hidden = !$("loss-from").textContent;
    const off = offScaleWords(s.history);        // the points the curve cannot draw, marked × and said here
    $("key-off-scale").textContent = off && `× ${off}`;
    $("key-off-scale").hidden = !off;
    $("key-test").hidden = s.E_test === null;         // no test data (the seed's network): no test curve to name
    $("boundary-card").hidden = !s.boundary;
    if (s.boundary) {
      drawBoundary($("boundary"), s.boundary, s.points, s.names_shown && s.names_shown.classes);
      drawClassKey($("class-key"), s.names_shown && s.names_shown.classes);
    }
    drawNorms($("norms"), s.grad_norms, $("norms-weak"), s.step_scaled);
    $("norms-of").textContent = s.norms_of;         // which weights' gradient, in this phase
    // the note on deep sigmoid networks where it applies: a hidden layer whose activation saturates
    $("norms-note").hidden = !s.arch.activations.some(a => a === "sigmoid" || a === "tanh");
    renderDerivation(ui, state);
    renderSeed(ui, s);
    if (!s.refused) refusalClosed = false;          // a pass explain writes out: a later refusal is news again
    info(infoWords(s));
    // a pass that overflows, which explain refuses: its words, where no refused action's are shown and the banner
    // was not closed on them
    if (refusalWords(s) && $("error").hidden) showError(refusalWords(s));
    refocus(root, focused);
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
        onNumber(inp, label[k], d[k], (v, t) => call("load", { what: "dataset", name: d.name, n: d.n, noise: d.noise, seed: d.seed, [k]: v,
                                                                typed: { [k]: t } }));
      });
    } else if (!(s.mode === "csv" && !card.hidden && $("data-settings").querySelector("[data-id=target]"))) {
      card.hidden = true;
    } else if (s.names && s.names.target) {     // the file is loaded: the question becomes what it predicts
      const ask = $("data-settings").querySelector("p"), sel = $("data-settings").querySelector("[data-id=target]");
      ask.innerHTML = "The network predicts <b></b> of <b></b>. To predict another column, choose it:";
      ask.querySelectorAll("b")[0].textContent = s.names_shown.target;     // as the reports write it
      ask.querySelectorAll("b")[1].textContent = csvFile ? csvFile.name : "the file";
      sel.value = s.names.target;
    }
  }

  let lastWidth = 0;
  const resized = new ResizeObserver(() => {
    const w = $("graph-wrap").clientWidth;
    if (state && w !== lastWidth) { lastWidth = w; drawGraph($("graph"), state, { selected: state.selected, onSelect: select, onTarget });
      renderWeights($, state, select); weightsHint($); }
  });
  resized.observe($("graph-wrap"));
  const ordered = followShownOrder(root, quietly);          // Tab's order the cards' on a phone (focus.js)

  // -- start ---------------------------------------------------------------------------------
  transport.open().then(a => {
    if (a.error) showError(a.error);
    render(a.state);
  }).catch(e => showError(wire.noAnswer ? wire.noAnswer(e) : `Could not reach the explorer's server: ${e.message}`));
  // `dispose`: what the page hung outside `root` let go (a notebook's widget removed: no handler of a dead page left)
  const dispose = () => {                               // ▶ and Train stop asking too
    root.ownerDocument.removeEventListener("pointerdown", closeMenu); keysGo();
    resized.disconnect(); ordered.disconnect(); playing = false; if (training) training.stop = true;
  };
  return { call, render: s => render(s), dispose };
}

const page = typeof document !== "undefined" && document.getElementById("chainrule-explore");
if (page) {
  const app = mount(page, pageTransport());
  // A share link pasted into this tab's address bar changes only the URL's #s= part: the browser does not load the
  // page again, so the link's network never opened. It opens here, as one change of this tab (Undo goes back).
  window.addEventListener("hashchange", () => {
    if (!location.hash.startsWith("#s=")) return;
    const code = location.hash.slice(3);
    // accepted: the link leaves the address bar (a reload shows this tab's session); refused, it stays there to be
    // fixed or reloaded
    app.call("load_share", { code }).then(a => {
      if (a && !a.error && location.hash === `#s=${code}`) history.replaceState(null, "", location.pathname + location.search);
    });
  });
}
