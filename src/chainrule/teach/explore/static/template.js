// The page's markup and the names it shows for optimizers and their settings.

export const TEMPLATE = `
<header class="top">
  <div class="brand"><span class="logo">∂</span><span>chainrule <b>explore</b></span></div>
  <label class="field data-field">Data
    <select data-id="data"></select>
  </label>
  <label class="toggle" data-id="published-box" title="Show the seed's printed figures where a correct computation differs">
    <input type="checkbox" data-id="published"> as published
  </label>
  <div class="top-actions"><button data-id="share" class="ghost" title="A link that holds this network">Share</button>
  <details class="menu" data-id="export-menu"><summary class="ghost">Export</summary>
    <div class="menu-list">
      <button data-export="model.npz">Model (.npz)</button>
      <button data-export="derivation.md">Derivation (Markdown)</button>
      <button data-export="svg">Drawing (SVG)</button>
      <button data-export="png">Drawing (PNG)</button>
    </div>
  </details></div>
</header>
<div class="banner error" data-id="error" role="alert" hidden><span data-id="error-text"></span><button class="close" data-id="error-close" aria-label="Close">×</button></div>
<div class="banner info" data-id="info" role="status" hidden></div>
<input type="file" accept=".csv,text/csv" data-id="file" hidden>
<main class="layout">
  <section class="controls">
    <div class="card readout">
      <div class="readout-label">E<sub>total</sub> <span class="muted" data-id="loss-name"></span></div>
      <div class="readout-value" data-id="etotal"></div>
      <div class="readout-how" data-id="ehow"></div>
      <div class="readout-published" data-id="epublished" hidden></div>
      <div class="readout-meta" data-id="emeta"></div>
    </div>
    <div class="card steps">
      <h3>One training step</h3>
      <div class="phase-buttons">
        <button data-act="forward" title="The forward pass: net and out of every neuron, and the error">Forward</button>
        <button data-act="backward" title="The backward pass: the gradient of every weight">Backward</button>
        <button data-act="update" title="w+ = w - η · dE/dw">Update</button>
      </div>
      <button data-act="step" class="primary wide" title="Forward, Backward and Update">Step</button>
      <div class="row">
        <button data-id="train">Train</button>
        <input type="text" inputmode="decimal" class="num" data-id="train-steps" value="100" aria-label="steps to train">
        <span class="muted">steps</span>
        <button data-id="play" class="play" title="Train until paused">▶</button>
      </div>
      <div class="row">
        <button data-act="undo" class="ghost" title="Ctrl+Z">Undo</button>
        <button data-act="redo" class="ghost" title="Ctrl+Shift+Z or Ctrl+Y">Redo</button>
        <button data-act="reset" class="ghost">Reset</button>
      </div>
    </div>
    <div class="card opt-card">
      <h3>Optimizer</h3>
      <label class="field">Method <select data-id="opt"></select></label>
      <div data-id="opt-settings" class="settings"></div>
    </div>
    <div class="card net-card">
      <h3>Network</h3>
      <div class="muted small">Hidden layers: units and activation</div><div data-id="arch"></div>
    </div>
    <div class="card data-card" data-id="data-card" hidden>
      <h3>Data</h3>
      <div data-id="data-settings"></div>
    </div>
  </section>
  <div class="card graph-card">
    <div class="graph-head">
      <div class="graph-title"><div class="title" data-id="title"></div>
        <div class="muted hint">Click a weight, a bias or a neuron to see its chain rule.</div>
        <div class="muted hint" data-id="sample-from" hidden></div></div>
      <div class="sample-row" data-id="sample-row" hidden>
        <label class="field">Sample <select data-id="sample"></select></label>
      </div>
      <div class="phases" data-id="phases" title="The pass the drawing shows now (Forward: net and out; Backward: the gradients; Update: the new weights). The buttons Forward, Backward, Update and Step run them.">
        <span data-phase="forward">Forward</span><span class="arrow">→</span>
        <span data-phase="backward">Backward</span><span class="arrow">→</span>
        <span data-phase="update">Update</span>
      </div>
    </div>
    <div class="graph-wrap" data-id="graph-wrap"><svg data-id="graph" class="graph" role="img" aria-label="the network"></svg></div>
    <div class="legend" data-id="legend"></div>
    <details class="weights" data-id="weights" hidden><summary></summary><table></table></details>
  </div>
  <section class="explain">
    <div class="card derivation" data-id="derivation"></div>
    <div class="card seed-card" data-id="seed-card" hidden></div>
  </section>
  <section class="charts">
    <div class="card chart boundary-card" data-id="boundary-card" hidden><h3>Decision boundary</h3>
      <canvas data-id="boundary" width="320" height="320"></canvas>
      <div class="class-key" data-id="class-key"></div>
      <p class="muted small">The network's class over the plane (shade: how sure). Dots: training points; rings: test points.
      Colours here are classes; in the drawing, blue and orange are a weight's sign.</p></div>
    <div class="card chart loss-card"><h3>Loss <span class="key"><span class="legend-item"><i class="k-train"></i>train</span>
      <span class="legend-item" data-id="key-test"><i class="k-test"></i>test</span>
      <span class="legend-item off-scale-key" data-id="key-off-scale" hidden></span></span></h3>
      <svg data-id="loss" class="loss"></svg>
      <p class="muted small" data-id="loss-from" hidden></p></div>
    <div class="card chart norms-card"><h3>Gradient norm per layer <span class="muted key">‖∂E/∂W‖</span></h3>
      <p class="muted small" data-id="norms-of"></p>
      <div data-id="norms" class="norms"></div>
      <p class="small norms-weak" data-id="norms-weak" hidden></p>
      <p class="muted small" data-id="norms-note" hidden>With sigmoid or tanh hidden layers, the norms shrink layer by layer
        towards the input in a deep network (vanishing gradients); ReLU keeps them.</p></div>
  </section>
</main>`;

export const OPT_NAMES = { sgd: "Gradient descent", momentum: "Momentum", nesterov: "Nesterov", adagrad: "AdaGrad",
                    rmsprop: "RMSprop", adam: "Adam" };
export const SETTING_NAMES = { lr: "η (learning rate)", momentum: "momentum", alpha: "α", eps: "ε", beta1: "β₁", beta2: "β₂" };
// what a setting's field says under it: [the range the server takes, why (on hover)]
export const SETTING_HINTS = {
  momentum: ["from 0 to below 1", "Each step adds momentum times the last one: from 1 on the steps never die down and training diverges"],
};
