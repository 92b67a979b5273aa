"""`chainrule evaluate`'s loss and accuracy of a classifier: the engine's (`Network.evaluate`'s, the loss from
the logits), computed a chunk of the file at a time and combined as the engine combines its chunks (by rows, or
by the weights' sums), so that memory holds one chunk's inputs, never the file's. Rows whose pass overflows the
model's dtype take the engine's care (nn/careful.py: their loss from logits computed in float64, as Network.evaluate
computes it); where it cannot give them, they are refused naming the file's lines. The target column read
alike, a chunk at a time (Targets); the confusion matrix's lines, headed by the class names; the metrics' line
of train and evaluate, an error metric past float64's range said in words (`beyond`); and the metrics of a model
on rows read a range at a time (`metrics`, `predict_rows`, `evaluate_rows`), which train, evaluate and the
weighted metrics share."""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..errors import ValidationError
from ..nn.evaluation import measure
from ..nn.network import CHUNK

ENGINE_ROWS = CHUNK      # Network.evaluate's chunk: the loss is summed in the same pieces


class Metrics:
    """The loss and accuracy over a file's chunks (`add` each: its rows, inputs, class codes and weights); `result`
    once every chunk is in: the mean loss and fraction correct, weighted by the rows' weights when given
    (scikit-learn's weighted mean, `weight_reduction="mean_with_sample_weight"`)."""

    def __init__(self, net: Any, path: str) -> None:
        self.net, self.path = net, path
        self.loss, self.correct, self.total, self.rows = 0.0, 0.0, 0.0, 0
        self.overflowed, self.first_line = 0, 0        # rows whose loss no careful pass gives (the first's line)
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
        Y, failed = net.targets(y), list[int]()
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            result = measure(net, x, Y, w, ENGINE_ROWS, mean=True, failed=failed)
        if failed:                            # rows no careful pass gives (predict gives their outputs)
            self.first_line = self.first_line or int(file_lines(chunk, failed[:1])[0])
            self.overflowed += len(failed)
            return
        if not math.isfinite(result["loss"]):     # the targets far from the outputs
            self.far_lines = self.far_lines or tuple(int(i) for i in file_lines(chunk, [0, n - 1]))
        if self.far_lines:
            return
        self.loss += result["loss"] * size
        self.correct += result["accuracy"] * size
        self.total += size

    def result(self) -> dict[str, float | None]:
        """{"loss", "accuracy"} of the file, or the error that says why its loss cannot be given."""
        net, dtype = self.net, self.net.dtype.name
        if self.overflowed:
            other = ", or train the model with --dtype float64" if net.dtype == np.float32 else \
                " (the model computes in float64 already, train's --dtype float64: the widest there is)"
            raise ValidationError(f"no loss for {self.overflowed} of the {self.rows} rows of {self.path} (first: line "
                                  f"{self.first_line}): the model's outputs there are finite (predict computes them "
                                  f"again with care), but its output layer's net input, which the loss reads, is "
                                  f"beyond float64 even computed again in float64. Their inputs are far outside the "
                                  f"training range: check them{other}")
        if self.far_lines:
            raise ValidationError(f"the loss is not finite on lines {self.far_lines[0]} to {self.far_lines[1]} of "
                                  f"{self.path} though the "
                                  f"model's outputs are: they are too far from the targets for {dtype}; the inputs "
                                  "are far outside the range the model was trained on")
        return {"loss": self.loss / self.total, "accuracy": self.correct / self.total}


class Targets:
    """The target column of a file read in chunks: its codes (or standardised values), with the
    errors `Preprocessing.encode_target` raises on the whole file (its missing values' first lines
    and count, its first class unseen in training), raised after every chunk's inputs are checked,
    as on the whole file."""

    def __init__(self, pre) -> None:
        self.pre = pre
        self.values: list = []
        self.gaps: list[int] = []
        self.n_gaps = 0
        self.read: dict = {}    # how the file was read, for the advice that leaves its unlabelled rows out
        self.error: ValidationError | None = None
        self.unseen: list = []                # classes the model has no output for, their first lines and count
        self.unseen_lines: list[int] = []
        self.n_unseen = 0
        self.not_numeric: Any = None          # a regression's first cell that is not a number, and their count
        self.n_not_numeric = 0

    def add(self, chunk) -> Any:
        """Take the chunk's targets; returns their codes, or None once the column has an error."""
        gaps = chunk[self.pre.target].isna().to_numpy()
        if gaps.any():
            from ..data.lines import file_lines
            self.gaps = (self.gaps + file_lines(chunk, np.flatnonzero(gaps)[:5]).tolist())[:5]
            self.n_gaps += int(gaps.sum())
            self.read = chunk.attrs.get("csv", {})
        elif not self.n_gaps and self.error is None:
            from ..data.tabular import UnseenClasses
            from ..data.targets import NotNumericTarget
            try:
                codes = self.pre.encode_target(chunk)
                if not self.n_unseen and self.not_numeric is None:
                    self.values.append(codes)
                    return codes
            except NotNumericTarget as exc:   # the first chunk's cell, counted over every chunk
                self.not_numeric = self.not_numeric or exc
                self.n_not_numeric += exc.count
            except UnseenClasses as exc:      # counted over every chunk, as the missing targets are
                from ..data.lines import file_lines
                self.unseen += [c for c in exc.unknown if c not in self.unseen]
                self.unseen_lines = (self.unseen_lines + file_lines(chunk, exc.rows[:5]).tolist())[:5]
                self.n_unseen += exc.rows.size
            except ValidationError as exc:
                self.error = exc
        return None

    def array(self):
        if self.n_gaps:
            from ..data.lines import on_lines
            from ..data.refusals import missing_target, read_as
            raise missing_target(self.pre.target, self.n_gaps, on_lines(self.gaps[:5], self.n_gaps),
                                 **{**read_as(self.read), "given": self.pre.na_values})
        if self.error is not None:
            raise self.error
        if self.not_numeric is not None:
            from ..data.targets import not_numeric_message
            e = self.not_numeric
            raise ValidationError(not_numeric_message(e.name, e.where, e.cell, self.n_not_numeric, e.hint))
        if self.n_unseen:
            from ..data.lines import on_lines
            from ..data.targets import unseen_classes_message
            raise ValidationError(unseen_classes_message(self.pre.target, self.unseen,
                                                         on_lines(self.unseen_lines, self.n_unseen), self.n_unseen,
                                                         self.pre.classes))
        return np.concatenate(self.values)


def confusion_labels(classes) -> list[str]:
    """The class names heading the confusion matrix, each cut to 20 characters ('...' where cut) so that the
    table fits a terminal: cut at the end; where two would then read alike ('Iris, measured in 1936: setosa' and
    ': virginica'), at the start ('...n 1936: virginica'); where those too read alike, whole."""
    names = [str(c) for c in classes]
    for cut in (lambda n: n[:17] + "...", lambda n: "..." + n[-17:]):
        labels = [n if len(n) <= 20 else cut(n) for n in names]
        if len(set(labels)) == len(labels):
            return labels
    return names


def confusion_lines(labels: list[str], cm: np.ndarray, width: int) -> list[str]:
    """The confusion matrix, its columns headed by the class names; where that is wider than the terminal
    (`width`, 0 for a pipe), headed by the classes' numbers, each row named by its number and name, so the
    counts stay in columns (a table broken at its spaces would not read)."""
    cell = max(8, *(len(n) for n in labels)) + 1
    lines = [" " * cell + "".join(f"{n:>{cell}}" for n in labels)]
    lines += [f"{n:>{cell}}" + "".join(f"{v:>{cell}}" for v in row) for n, row in zip(labels, cm)]
    if not width or len(lines[0]) <= width:
        return lines
    named = [f"{i} {n}" for i, n in enumerate(labels, 1)]
    lead = max(len(n) for n in named) + 1
    cell = max(len(str(len(labels))), len(str(int(cm.max(initial=0))))) + 1
    return ([" " * lead + "".join(f"{i:>{cell}}" for i in range(1, len(labels) + 1))] +
            [f"{n:<{lead}}" + "".join(f"{v:>{cell}}" for v in row) for n, row in zip(named, cm)])


def beyond(result: dict, k: str) -> str | None:
    """Why metric `k` of `result` is inf, in words (None when it is finite or no error metric): squared errors
    past 1.8e308 (errors past 1.3e154 in the target's units) make only the mse inf; errors themselves past it
    (a target spread over float64's whole range) the rmse, and the mae where their mean passes it too."""
    if k not in ("mse", "rmse", "mae") or result.get(k) != float("inf"):
        return None
    if k == "mse" and result.get("rmse") != float("inf"):
        return "beyond float64's range (the squared errors overflow; rmse, its square root, is finite)"
    return ("beyond float64's range (the errors themselves pass its limit, 1.8e+308)" if k != "mae" else
            "beyond float64's range (the mean of the absolute errors passes its limit, 1.8e+308)")


def format_metrics(result: dict, sep: str = ", ") -> str:
    shown = []
    for k, v in result.items():
        shown.append(f"{k} undefined (the target is constant)" if v is None else
                     f"{k} {beyond(result, k) or format(v, '.4g')}")
    return sep.join(shown)


def metrics(net, pre, X, y) -> dict[str, float | None]:
    """Classification: loss (cross-entropy) and accuracy. Regression: MSE, RMSE and MAE in the
    target's own units (the network learns a standardised target) and R2 (None for a constant target)."""
    if pre.task == "classification":
        return evaluate_rows(net, X, y)
    return regression_metrics(pre, predict_rows(net, X), y)


def part(X, a: int, b: int):
    """Rows a..b of X: an array, a CSR matrix, or rows read from disk (`training.streaming.LazyRows`)."""
    from ..nn.sparse import rows
    return X.read(slice(a, b)) if hasattr(X, "read") else rows(X, a, b)


def predict_rows(net, X, rows_per_call: int = 65536):
    """`net.predict(X)` a range of rows at a time (X may be rows read from disk), NaN or infinite
    outputs included: the metrics computed from them say so (a model saved before them stays usable)."""
    import numpy as np

    from ..nn.predict import predict
    if not hasattr(X, "read"):
        return predict(net, X, finite=False)
    return np.concatenate([predict(net, part(X, a, a + rows_per_call), finite=False)
                           for a in range(0, X.shape[0], rows_per_call)])


def evaluate_rows(net, X, y, w=None, rows_per_call: int = 65536) -> dict[str, float | None]:
    """`net.evaluate(X, y, sample_weight=w)` a range of rows at a time: the one-hot targets of one
    range at a time (`--stream` keeps the class codes only), means weighted by rows or weights."""
    import numpy as np
    n = X.shape[0]
    total = float(n if w is None else np.add.reduce(w))
    result: dict[str, float | None] = {}
    for a in range(0, n, rows_per_call):
        b = min(n, a + rows_per_call)
        if w is not None and not np.add.reduce(w[a:b]) > 0:
            continue                     # rows that weigh nothing add nothing
        found = net.evaluate(part(X, a, b), y[a:b], sample_weight=None if w is None else w[a:b],
                             weight_reduction="mean_with_sample_weight")      # the weighted mean: train's
        share = float((b - a) if w is None else np.add.reduce(w[a:b])) / total
        for k, v in found.items():
            result[k] = result.get(k, 0.0) + v * share
    return dict(sorted(result.items(), key=lambda item: item[0] != "loss"))     # the command's: the loss first


def regression_metrics(pre, outputs, y) -> dict[str, float | None]:
    """`metrics` of a regression from the network's outputs and the standardised targets `y`: computed
    in the standardised units and scaled back (a target near 1e300 overflowed the squares: NaN r2);
    inf only beyond the dtype's range (the mse's squares; rmse and mae too for a target spread over all of it)."""
    import numpy as np
    result: dict[str, float | None] = {}
    if pre.task == "regression":
        from .weights import regression
        return regression(pre, outputs, y, np.ones(len(y)))
    return result
