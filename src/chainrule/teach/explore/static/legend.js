// Under the drawing: its legend (what a colour, a dash and a thickness mean, the inputs' scaling), and on a
// phone, where the drawing has no room for the weights' labels, their numbers in a table that opens on a tap.

import { grouped } from "./numbers.js";

export function renderLegend($, s) {
  // each swatch in one box with its words: where the row wraps, they wrap together
  const item = (k, words) => `<span class="legend-item"><i class="${k}"></i>${words}</span>`;
  // a parameter not trained (the seed's biases) is drawn dashed in every phase: the legend says so in each
  const fixed = s.params.some(p => !p.trainable);
  // past steps (momentum, Adam) or a weight penalty move a weight too: not always the way its gradient points
  const pushed = s.gradient_moves !== null;
  // blue and orange are also the first two classes' colours (Decision boundary): here they are a weight's sign
  $("legend").innerHTML = s.phase === "forward"
    ? item("k-pos", "positive weight") + item("k-neg", "negative weight")
      + (fixed ? item("k-fixed", "dashed: fixed (not trained: does not move)") : "")
      + `<span class="muted">thickness: |w|; colour: the weight's sign, not a class</span>`
    : item("k-gpos", `∂E/∂w &gt; 0 (${pushed ? "pushes w down" : "w goes down"})`)
      + item("k-gneg", `∂E/∂w &lt; 0 (${pushed ? "pushes w up" : "w goes up"})`)
      + (fixed ? item("k-fixed", "fixed (not trained: does not move)") : "")
      + `<span class="muted">brightness: |∂E/∂w|; δ coloured by its sign</span>`
      + (pushed ? `<span class="muted" data-id="past-steps">${s.gradient_moves}: a weight may move the other way`
        + "</span>" : "");
  if (s.layers[0].units.some(u => u.shown.raw)) {      // a CSV file's numeric columns: what the inputs' values are
    $("legend").insertAdjacentHTML("beforeend", `<span class="muted" data-id="standardised">inputs: numeric `
      + "columns standardised, (raw − mean) / spread of the training rows</span>");
  }
  if (s.target_scale) {       // a regression target is standardised too: its value and the output's are not raw
    const t = s.target_scale, note = document.createElement("span");
    note.className = "muted";
    note.dataset.id = "target-scale";
    note.textContent = `target and output standardised too: ${t.name} = ${t.mean} + ${t.spread} × value`;
    $("legend").appendChild(note);
  }
}

// The weights' table: shown only where the drawing has no labels (a phone), closed until tapped so that it does not
// push the page down; its rows written only while it is open (a large network has thousands of weights). Each
// weight's value as the server wrote it, the value before the last Update beside it, and its gradient once known;
// beside its name the units it joins, as the drawing names them (w154: h2_3 → o1; a bias: 1 → o1, from the
// bias unit), so that it can be found there. A Train run redraws it after every request: the rows built once are
// kept and only their numbers rewritten (rebuilding up to 1,600 rows each time held the page up). A weight's name is
// a button (`onSelect`): on a phone the lines are too close to tap one, so its chain rule is opened from here, and
// the page goes down to it.
export function renderWeights($, s, onSelect) {
  const box = $("weights"), svg = $("graph");
  box.hidden = !s.params.length || Boolean(svg.querySelector(".wlabel"));
  box.querySelector("summary").textContent = `Weights and biases: ${s.params.length} numbers (each name opens its chain rule)`;
  box.ontoggle = () => renderWeights($, s, onSelect);
  const table = box.querySelector("table");
  if (box.hidden || !box.open) { table.replaceChildren(); delete table.dataset.shape; return; }
  // refused (the session ended, a stale row): the page stays where it was, the banner saying why
  const pick = async name => {
    const a = await onSelect(name);
    if (a && !a.error) $("derivation").scrollIntoView({ block: "start" });
  };
  table.onclick = e => { const b = e.target.closest("button[data-name]"); if (b) pick(b.dataset.name); };
  const before = s.params.some(p => p.before !== null), grad = s.phase !== "forward";
  const heads = ["", "joins", before ? "before" : null, "value", grad ? "∂E/∂w" : null].filter(h => h !== null);
  const cells = p => [before ? p.shown.before : undefined, p.shown.value, grad ? p.shown.grad : undefined]
    .filter(c => c !== undefined).map(text => grouped(text ?? ""));
  // the same columns and weights as the rows there (a step, a Train run): their numbers rewritten in place
  const shape = JSON.stringify([heads, s.params.map(p => [p.name, p.from, p.to])]);
  if (table.dataset.shape === shape) {
    [...table.tBodies[0].rows].forEach((row, i) => {
      row.classList.toggle("selected", s.params[i].name === s.selected);
      cells(s.params[i]).forEach((text, k) => {
        const td = row.cells[2 + k];
        if (td.textContent !== text) td.textContent = text;
      });
    });
    return;
  }
  table.dataset.shape = shape;
  table.innerHTML = `<thead><tr>${heads.map(h => `<th>${h}</th>`).join("")}</tr></thead><tbody></tbody>`;
  for (const p of s.params) {
    const row = document.createElement("tr");
    row.dataset.name = p.name;
    const name = document.createElement("th"), joins = document.createElement("td");
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.name = p.name;
    button.textContent = p.name;
    button.setAttribute("aria-label", `${p.name}: its chain rule`);
    name.appendChild(button);
    row.classList.toggle("selected", p.name === s.selected);
    joins.className = "joins";
    joins.textContent = `${p.from ?? "1"} → ${p.to}`;
    row.append(name, joins);
    for (const text of cells(p)) {
      const td = document.createElement("td");
      td.textContent = text;
      row.appendChild(td);
    }
    table.tBodies[0].appendChild(row);
  }
}
