"""`chainrule evaluate`'s loss and accuracy of a classifier: the engine's (`Network.evaluate`'s, the loss from
the logits), computed a chunk of the file at a time and combined as the engine combines its chunks (by rows, or
by the weights' sums), so that memory holds one chunk's inputs, never the file's. Rows whose pass overflows the
model's dtype (the engine's loss is not the network's there) take predict's care: their loss from logits computed
in float64; where no layer can give them, they are refused naming the file's lines."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..nn.evaluation import careful_loss, measure
from ..nn.network import CHUNK
from ..nn.overflow import plain_pass_overflows

ENGINE_ROWS = CHUNK      # Network.evaluate's chunk: the loss is summed in the same pieces


class Metrics:
    """The loss and accuracy over a file's chunks (`add` each: its rows, inputs, class codes and weights); `result`
    once every chunk is in: the mean loss and fraction correct, weighted by the rows' weights when given
    (scikit-learn's weighted mean, `weight_reduction="mean_with_sample_weight"`)."""

    def __init__(self, net: Any, path: str) -> None:
        self.net, self.path = net, path
        self.loss, self.correct, self.total, self.rows = 0.0, 0.0, 0.0, 0
        self.overflowed, self.first_line = 0, 0        # rows whose pass overflows (the first's line)
        self.far_lines: tuple[int, ...] = ()          # a chunk whose loss is not finite, though no row overflows

    def add(self, chunk: Any, x: Any, y: np.ndarray, w: np.ndarray | None = None) -> None:
        """One chunk's rows (`chunk`, as read: their file lines), preprocessed inputs `x`, class codes `y` and
        weights `w` (None: unweighted)."""
        from ..data.lines import file_lines
        net, n = self.net, x.shape[0]
        self.rows += n
        size = float(n if w is None else np.add.reduce(w))
        if size == 0.0:                       # every weight 0: the chunk counts for nothing
            return
        Y, wrong = net.targets(y), list[int]()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = measure(net, x, Y, w, ENGINE_ROWS, mean=True, wrong=wrong)
        if wrong:                            # predict's careful outputs there: their loss from careful logits
            kept = np.ones(n, dtype=bool)
            kept[wrong] = False
            careful = careful_loss(net, x, np.asarray(wrong), Y, w)
            if careful is not None:
                part = float(kept.sum() if w is None else np.add.reduce(w[kept]))
                rest = measure(net, x[kept], Y[kept], None if w is None else w[kept], ENGINE_ROWS, mean=True) \
                    if part else {"loss": 0.0, "accuracy": 0.0}
                self.loss += rest["loss"] * part + careful[0]
                self.correct += rest["accuracy"] * part + careful[1]
                self.total += size
                return
        count, first = len(wrong), min(wrong, default=0)
        if not count and not math.isfinite(result["loss"]):     # the logits beyond the dtype, or the targets far
            count, first = plain_pass_overflows(net, x, ENGINE_ROWS)
            if not count:
                self.far_lines = self.far_lines or tuple(int(i) for i in file_lines(chunk, [0, n - 1]))
        if count:
            self.first_line = self.first_line or int(file_lines(chunk, [first])[0])
            self.overflowed += count
        if count or self.far_lines:
            return
        self.loss += result["loss"] * size
        self.correct += result["accuracy"] * size
        self.total += size

    def result(self) -> dict[str, float | None]:
        """{"loss", "accuracy"} of the file, or the error that says why its loss cannot be given."""
        net, dtype = self.net, self.net.dtype.name
        if self.overflowed:
            other = ", or train the model with --dtype float64" if net.dtype == np.float32 else ""
            raise ValidationError(f"no loss for {self.overflowed} of the {self.rows} rows of {self.path} (first: line "
                                  f"{self.first_line}): a layer's net input overflows {dtype} there and the loss "
                                  "reads the pass through it (predict computes those outputs again with care). Their "
                                  f"inputs are far outside the training range: check them{other}")
        if self.far_lines:
            raise ValidationError(f"the loss is not finite on lines {self.far_lines[0]} to {self.far_lines[1]} of "
                                  f"{self.path} though the "
                                  f"model's outputs are: they are too far from the targets for {dtype}; the inputs "
                                  "are far outside the range the model was trained on")
        return {"loss": self.loss / self.total, "accuracy": self.correct / self.total}
