"""One explorer session: the engine's state behind one browser tab (or one notebook widget).

Pure Python over chainrule's public API: the network is a `cr.Network`, every number shown comes
from `cr.explain(...).to_dict()` (forward values, chain-rule factors, gradients) or from the
network itself (`loss`, `gradients`, `predict`, `step`, the optimizers of `cr.optim`). The page
only draws what `state()` returns. Every action is atomic: if the engine rejects it, the session
is left as it was and the error goes back to the page.
"""
from __future__ import annotations

import time
from typing import Any

import numpy as np

import chainrule as cr
from chainrule.errors import TrainingDiverged, ValidationError
from chainrule.nn.divergence import divergence_cause

from . import edits, engine, export, limits, opening, shareopen, wording
from .changes import Changes, restore, snapshot
from .edits import OPT_DEFAULTS, OPTIMIZERS
from .engine import explain_all, make_optimizer
from .limits import check_architecture, integer
from .opening import DATA_ARCH, SEED_ARCH  # noqa: F401  (the architectures the session opens with)

MUTATING = ("forward", "backward", "update", "step", "train", "reset", "set_param", "set_value",
            "set_optimizer", "set_architecture", "load", "load_share", "upload_csv")
VIEWING = ("state", "select", "set_sample", "undo", "redo")
PHASES = ("forward", "backward")   # change what is shown, not the weights, inputs or settings: not undone
MAX_HISTORY = 1000       # points of the loss curve kept (and sent)
TRAIN_SECONDS = 3.0      # one request trains at most this long, then returns what it has done
EXPLAIN_BATCH = 8        # up to this many training samples, the derivation covers the whole batch


class Start:
    """What a session opens on (and `reset` returns to): the seed network, or the model and/or
    CSV table named on the command line (read once, at startup), or a network given to the notebook's
    Explorer (`notebook`). `pre`: the model file's CSV preprocessing, if it has one (its columns name
    the inputs; its statistics encode the table, or shape the sample drawn for a model opened without data).
    `classes`: the names of the outputs of a fitted classifier given to Explorer, one per output."""

    def __init__(self, net: Any = None, table: Any = None, target: str | None = None, name: str = "",
                 pre: Any = None, notebook: bool = False, rows: tuple | None = None, classes: list | None = None):
        if net is not None:
            limits.check_model(net, name, limits.NOTEBOOK_HINT if notebook else None)
        self.net, self.table, self.target, self.name, self.pre = net, table, target, name, pre
        # the notebook's X and y, checked once; else (a model without data) one sample drawn at random
        self.rows = None if rows is None else opening.notebook_rows(net, rows[0], rows[1], EXPLAIN_BATCH)
        self.notebook = notebook        # a network given to the notebook's Explorer, not read from a file
        self.classes = classes          # a fitted classifier's classes_ naming its outputs (as text), else None


class Session:
    """The state of one explorer page; `act(action, body)` runs one request, `state()` answers."""

    data: dict | None      # the generated data set's description (name, n, noise, seed)
    pre: Any               # the CSV file's Preprocessing

    def __init__(self, start: Start | None = None):
        self.start = start or Start()
        self.changes = Changes()        # Undo and Redo
        self.selected: str | None = None
        self.message = ""
        self.reset()

    # -- the request entry point ----------------------------------------------------------------
    def act(self, action: str, body: dict | None = None) -> dict:
        """Run `action` with the fields of `body`; returns the new state. Raises ValidationError
        (or another chainrule error) with the session unchanged when the action is rejected."""
        body = body or {}
        if action not in MUTATING[:-1] + VIEWING:
            raise ValidationError(f"unknown action {action!r}; expected one of {', '.join(MUTATING[:-1] + VIEWING)}")
        if not isinstance(body, dict):
            raise ValidationError(f"the request body must be a JSON object; got {type(body).__name__}")
        body = dict(body)
        typed = limits.typed_texts(body.pop("typed", None), body)
        fn = getattr(self, action)
        limits.fields_of(action, fn, body)
        try:
            self.run(action, fn, **body)
        except ValidationError as exc:
            limits.quote_typed(exc, body, typed)
            raise
        return self.state()

    def run(self, action: str, fn, *args, **kwargs) -> Any:
        snap = snapshot(self)
        self.message = ""
        try:
            result = fn(*args, **kwargs)
        except BaseException:
            restore(self, snap)
            raise
        changed = not (action == "upload_csv" and result is not None)      # columns listed: nothing loaded
        if action in MUTATING and action not in PHASES and changed:
            self.changes.record(snap, action, kwargs.get("goes_on", False))
        return result

    # -- loading (opening.py) ------------------------------------------------------------------
    def reset(self) -> None:
        """Back to what the session opened on."""
        opening.reset(self)

    def load(self, what: str, name: str = "moons", n: int = 200, noise: float = 0.1, seed: int = 0) -> None:
        """Open the seed network, a generated data set, or (what="start") what the session opened on."""
        opening.load(self, what, name, n, noise, seed)

    def upload_csv(self, data: bytes, filename: str, target: str | None) -> list[str] | None:
        """A CSV file sent by the page (without a target: its columns, and nothing loaded)."""
        return opening.upload_csv(self, data, filename, target)

    def _set_problem(self, mode, title, net, X, Y, Xt, Yt, arch, opt) -> None:
        check_architecture(arch, X.shape[1], Y.shape[1])
        self.mode, self.title, self.net, self.arch = mode, title, net, arch
        self.X, self.Y = X, net.targets(Y)
        self.Xt, self.Yt = Xt, (None if Yt is None else net.targets(Yt))
        self.data = None
        self.pre = None
        self.classes: list | None = None     # a fitted classifier's classes_ naming the outputs (reset)
        self.sample_from: str | None = None     # where a drawn sample came from (a model opened without data)
        self.weights_from: str | None = None    # a model file's name while the weights are its (Network: new ones)
        self.optimizer_from: str | None = None  # a model file's optimizer, taken or set aside (`trained`), in words
        self.pristine, self.sample, self.selected = False, 0, None
        self.opt_name, self.opt_settings = opt[0], {**{k: OPT_DEFAULTS[k] for k in OPTIMIZERS[opt[0]]}, **opt[1]}
        self.opt = make_optimizer(self.opt_name, self.opt_settings)
        self._fresh()

    def _fresh(self) -> None:
        """A new starting point: history from step 0, the forward pass shown."""
        self.steps, self.phase, self.before = 0, "forward", None
        self.step_grads: Any = None     # after Step, the gradient it took (of the weights before it)
        self.run_from = 0               # the step count `before` was taken at (a Train run's first step is one more)
        self.history: dict[str, list] = {"step": [], "train": [], "test": []}
        self._compute()
        self._record()

    # -- the engine's passes --------------------------------------------------------------------
    def _explain_batch(self) -> tuple[np.ndarray, np.ndarray, bool]:
        if len(self.X) <= EXPLAIN_BATCH:
            return self.X, self.Y, True
        k = self.sample
        return self.X[k:k + 1], self.Y[k:k + 1], False

    def _compute(self) -> None:
        """Explain the current weights (the derivation) and evaluate them on the whole batch."""
        Xe, Ye, whole = self._explain_batch()
        lr = self.opt_settings["lr"] if (whole and self.opt_name == "sgd") else None
        self.report = explain_all(self.net, Xe, Ye, lr)
        # a sample's chain rule: the banner speaks of that sample where it overflows, and says the panel's is finite
        E, grads, refused = engine.pass_numbers(self.net, self.X, self.Y, None if whole else self.sample,
                                                 bool(self.report.get("refused")))
        said = (self.report.get("refused"), refused)        # the batch's chain rule: its own refusal first
        self.batch = {"E": E, "E_test": None if self.Xt is None else engine.pass_loss(self.net, self.Xt, self.Yt),
                      "grads": grads, "refused": (said[0] or said[1]) if whole else (said[1] or said[0])}
        if self.selected is not None and self.selected not in self._names():
            self.selected = None

    def _compute_shown(self) -> None:
        """`_compute` of the weights the phase shows: after Update those before it (the network holds the new ones)."""
        now = self.net.get_weights()
        self.net.set_weights(self.before if self.phase == "update" else now)
        self._compute()
        self.net.set_weights(now)

    def _record(self) -> None:
        """One point of the loss curve (at most MAX_HISTORY kept: `engine.thinned`)."""
        h = self.history
        h["step"].append(self.steps)
        h["train"].append(engine.pass_loss(self.net, self.X, self.Y))
        h["test"].append(None if self.Xt is None else engine.pass_loss(self.net, self.Xt, self.Yt))
        self.history = engine.thinned(h, MAX_HISTORY)

    def _update_once(self) -> None:
        net = self.net
        if self.opt_name == "sgd":
            net.step(self.X, self.Y, self.opt_settings["lr"])     # w+ = w - lr * dE/dw, the seed's update
            self.opt.t += 1         # counted as fit counts it (an export or share code keeps it)
        else:
            try:        # dropout on and MLP's weight penalty added, as in net.step and fit (and fit's test of a step)
                with np.errstate(all="ignore"):
                    net.train_batch(*net.check_data(self.X, self.Y))
            except TrainingDiverged as exc:     # run() undoes it
                cause = divergence_cause(net.grads, exc.loss)     # type: ignore[attr-defined]
                raise TrainingDiverged(f"{cause}{wording.NOTHING_CHANGED}") from None
            self.opt.step(net.params, net.grads, net.trainable_slices())
        self.steps += 1
        self.message = self.message or wording.dropout_update(self.report)

    def forward(self) -> None:
        """The forward pass of the current weights (net and out of every neuron, the error)."""
        if self.phase == "forward":
            self.message = wording.SHOWN_ALREADY["forward"]
        self._compute()
        self.phase = "forward"

    def backward(self) -> None:
        """The backward pass: the gradient of every weight (shown on the drawing)."""
        if self.phase == "update":
            self._compute()
        if self.phase == "backward":
            self.message = wording.SHOWN_ALREADY["backward"]
        self.phase = "backward"

    def update(self) -> None:
        """Apply the optimizer's update to the weights; their forward pass waits for Forward."""
        if self.phase == "update":
            self._compute()
        self.before, self.step_grads = self.net.get_weights(), None     # the panel's gradient is the update's
        self.run_from = self.steps
        self._update_once()
        self._record()
        self.phase = "update"

    def step(self) -> None:
        """Forward, backward and update in one, then the forward pass of the new weights."""
        if self.phase == "update":
            self._compute()
        self.before, self.run_from = self.net.get_weights(), self.steps
        self._update_once()
        # the gradient this step took (of the weights before it: dropout's pass, MLP's penalty added, as the update's)
        self.step_grads = [(layer.dW.copy(), layer.db.copy()) for layer in self.net.dense_layers]
        self._record()
        self._compute()
        self.phase = "forward"

    def train(self, steps: int = 100, goes_on: bool = False) -> None:
        """`steps` updates (at most limits.MAX_STEPS). A request trains for at most TRAIN_SECONDS (the
        clock read after every update), then answers with what it has done: the page asks again for
        the rest, showing how far it is, and the server answers other requests in between. `goes_on`:
        the rest of the run the last train began (one change for Undo), not a run of its own."""
        if not isinstance(goes_on, bool):
            raise ValidationError(f"goes_on must be true or false; got {goes_on!r}")
        if isinstance(steps, int) and not isinstance(steps, bool) and steps > limits.MAX_STEPS:
            raise ValidationError(f"steps: Train runs at most {limits.MAX_STEPS:,} steps at a time (a request trains "
                                  f"for {TRAIN_SECONDS:g} s and the page asks again for the rest; more would run for "
                                  f"hours: train again to go on); got {steps:,}")
        steps = integer(steps, "steps", 1, limits.MAX_STEPS)     # grouped, as its refusal above writes it
        if not (goes_on and self.changes.last == "train"):      # "before": the weights the run began from, as Undo's
            self.before, self.run_from = self.net.get_weights(), self.steps
        self.step_grads = None          # many steps: no one gradient to name
        end, done = time.monotonic() + TRAIN_SECONDS, 0
        chunk = max(1, steps // 100)            # a point of the loss curve every chunk
        while done < steps:
            self._update_once()
            done += 1
            recorded = done % chunk == 0 or done == steps
            if recorded:
                self._record()
            if done < steps and time.monotonic() > end:
                if not recorded:
                    self._record()
                self.message = f"trained {done} of {steps} steps (a request runs at most {TRAIN_SECONDS:g} s)"
                break
        self._compute()
        self.phase = "forward"

    def undo(self) -> None:
        """Back to the state before the last change."""
        self.changes.undo(self)

    def redo(self) -> None:
        """The change the last Undo went back from, again (until a new change)."""
        self.changes.redo(self)

    # -- edits ----------------------------------------------------------------------------------
    def _names(self) -> set[str]:
        d = self.report
        return ({p["name"] for p in d["parameters"]} | {u["name"] for u in d["inputs"]}
                | {nr["name"] for layer in d["layers"] for nr in layer["neurons"]})

    def select(self, name: str | None) -> None:
        """Show the derivation of a weight, bias or neuron (None: none)."""
        if name is not None and (not isinstance(name, str) or name not in self._names()):
            raise ValidationError(f"select: {name!r} is not a weight, bias or neuron of this network")
        self.selected = name

    def set_sample(self, sample: int) -> None:
        """Which training sample the derivation follows (for more than EXPLAIN_BATCH samples)."""
        self.sample = integer(sample, "sample", 0, len(self.X) - 1)
        self._compute_shown()       # after Update still the pass of the weights it updated, for this sample

    def set_param(self, name: str, value: float) -> None:
        """Set one weight or bias by its name (w5, b_h1)."""
        edits.set_param(self, name, value)

    def set_value(self, what: str, sample: int, index: int, value: float) -> None:
        """Set one input or target of the (small, editable) batch (`edits.set_value`)."""
        edits.set_value(self, what, sample, index, value)

    def set_optimizer(self, name: str | None = None, **settings: float) -> None:
        """Choose the optimizer (sgd, momentum, nesterov, adagrad, rmsprop, adam) and its settings."""
        edits.set_optimizer(self, name, **settings)

    def set_architecture(self, **arch: Any) -> None:
        """Rebuild the network: hidden (units per layer), activations, output_activation, loss,
        init, seed, train_biases, and for the editable batch inputs/outputs (how many)."""
        edits.set_architecture(self, **arch)

    def is_seed_start(self) -> bool:
        """Whether this is exactly the seed's network, sample, rate and step 0."""
        net, X, Y, lr = cr.examples.seed_network()
        return (self.mode == "seed" and self.steps == 0 and self.arch == SEED_ARCH and self.opt_name == "sgd"
                and self.opt_settings == {"lr": lr} and np.array_equal(self.net.params, net.params)
                and np.array_equal(self.X, X) and np.array_equal(self.Y, Y))

    def load_share(self, code: str) -> None:
        """The state a share code holds (see `export.share_code`)."""
        shareopen.load_share(self, code)

    def share(self) -> str:
        return export.share_code(self)

    # -- the answer -----------------------------------------------------------------------------
    def state(self) -> dict:
        from .view import state
        return state(self)
