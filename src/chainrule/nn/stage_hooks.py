"""Keras' callbacks of evaluate and predict (and of fit's validation): their on_test_* and on_predict_* hooks, called
in Keras' order with Keras' logs, each batch computed between its hooks, and Keras' stop flags read after each."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ValidationError
from . import evaluation


class StageHooks:
    """evaluate's and predict's callbacks (and fit's validation's), as Keras calls them: chainrule's Callback has
    fit's hooks only, so the on_test_* (on_predict_*) ones each callback defines are called, in Keras' order and
    with Keras' logs: each batch computed between its batch_begin and batch_end, and Keras' stop flag,
    `stop_evaluating` (`stop_predicting`) set on the network by a hook, read after each batch: the rows after it
    are not computed, and the results are those of the rows before, as Keras' evaluate and predict return them."""

    def __init__(self, net: Any, callbacks: Sequence[Any] | None, stage: str, verbose: Any = None):
        """`verbose`: evaluate's or predict's own, told to the callbacks in Keras' params (fit's validation: None,
        its callbacks keep fit's)."""
        from ..training.fitting import checked_callbacks
        self.net, self.stage, self.verbose = net, stage, verbose
        self.flag = "stop_evaluating" if stage == "test" else "stop_predicting"
        self.callbacks = checked_callbacks(callbacks, 0)    # Callback instances, in a list, else a TypeError
        for cb in self.callbacks:
            cb.set_network(net)
        self.begins, self.ends = self.hooks("batch_begin"), self.hooks("batch_end")

    def hooks(self, name: str) -> list[Callable[..., Any]]:
        return [getattr(cb, f"on_{self.stage}_{name}") for cb in self.callbacks
                if hasattr(cb, f"on_{self.stage}_{name}")]

    def __bool__(self) -> bool:
        """Whether any callback defines one of the stage's hooks (else the pass is run whole, as without them)."""
        return any(self.hooks(name) for name in ("begin", "batch_begin", "batch_end", "end"))

    @property
    def batched(self) -> bool:
        return bool(self.begins or self.ends)

    def begin(self) -> None:
        setattr(self.net, self.flag, False)         # as Keras: each pass starts unstopped
        for hook in self.hooks("begin"):
            hook({})

    def batch_begin(self, i: int) -> None:
        for hook in self.begins:
            hook(i, logs={})

    def batch_end(self, i: int, logs: dict) -> bool:
        """The batch's end hooks; whether a hook asked to stop (Keras' flag, read after each batch)."""
        for hook in self.ends:
            hook(i, logs=dict(logs))
        return bool(getattr(self.net, self.flag, False))

    def end(self, logs: dict) -> dict:
        for hook in self.hooks("end"):
            hook(dict(logs))
        return logs

    def run(self, n: int, batch_size: int | None, batch: Callable[[int, int], dict],
            results: Callable[[int], dict], whole: Callable[[], Any] | None = None) -> dict:
        """begin({}); per batch (Keras' batch_size default, 32) batch_begin(i, logs={}), `batch(start, stop)` (the
        batch's work, giving its logs), batch_end(i, logs); end(results(rows done)), which is returned. Without
        batch hooks no batch is computed alone: `results(n)`, or of the first batch where a begin hook stopped.
        `whole`: the pass over all n rows, run where a batch's rows are refused, so that the error counts and names
        them as rows of X (as without callbacks), not of the batch."""
        size = evaluation.KERAS_BATCH if batch_size is None else int(batch_size)
        if self.verbose is not None:                # Keras' evaluate and predict: their own params
            for cb in self.callbacks:
                cb.set_params({"verbose": self.verbose, "epochs": 1, "steps": -(-n // size)})
        self.begin()
        done = min(size, n) if getattr(self.net, self.flag, False) else n
        if self.batched:
            for i, start in enumerate(range(0, n, size)):
                self.batch_begin(i)
                done = min(start + size, n)
                try:
                    logs = batch(start, done)
                except ValidationError:
                    if whole is not None:
                        whole()                 # raises the refusal of X's rows, named in X
                    raise
                if self.batch_end(i, logs):
                    break
        return self.end(results(done))
