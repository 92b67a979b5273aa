"""`Network.summary()`: Keras' table (layer, output shape, parameters; total, trainable and non-trainable), and
`chainrule info`'s narrower one (layer and parameters, fitted to the terminal's width)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .network import Network


class Summary(str):
    """`summary()`'s text: a str (print it, split it) that the Python prompt and Jupyter show as the
    table it is, where a plain str would show as one quoted line of '\\n's."""

    def __repr__(self) -> str:
        return str(self)


def summary_table(net: Network, columns: int = 0) -> Summary:
    """The table of `Network.summary`; the total says how many parameters are frozen. `columns` (a terminal's
    width; 0: any) narrows the table to fit: the count's column moves left to the longest layer, then each
    count goes whole on a line of its own under its layer, never broken inside "N parameters"."""
    lines = [f"Network(loss={net.loss_function.name!r}, dtype={net.dtype.name})"]
    index = len(str(len(net.layers) - 1))          # "   9: " above "  10: ": every count in one column
    rows = [(f"  {i:>{index}}: ", repr(layer), sum(int(np.prod(s)) for _, s in layer.param_shapes()))
            for i, layer in enumerate(net.layers)]
    width, digits = max([50] + [len(r) for _, r, _ in rows]), 8
    if columns and any(len(lead) + width + digits + 12 > columns for lead, _, _ in rows):
        width, digits = max([0] + [len(r) for _, r, _ in rows]), max([1] + [len(str(n)) for _, _, n in rows])
    below = columns and any(len(lead) + width + digits + 12 > columns for lead, _, _ in rows)   # one layout for all
    for lead, text, n in rows:
        if below:                                                       # " N parameters" under its layer
            lines += [f"{lead}{text}", f"{' ' * len(lead)}{n} parameters"]
        else:
            lines.append(f"{lead}{text:<{width}} {n:>{digits}} parameters")
    trainable = sum(len(range(*s.indices(net.n_params))) for s in net.trainable_slices())
    frozen = f" ({trainable} trainable, {net.n_params - trainable} frozen)" if trainable < net.n_params else ""
    lines.append(f"  total: {net.n_params} parameters{frozen}")
    return Summary("\n".join(lines))


def keras_table(net: Network) -> Summary:
    """The table of `Network.summary`, read as Keras' Model.summary: each layer's output shape (None: any number of
    rows) and parameter count, then the total split into trainable and non-trainable (frozen) parameters."""
    shape, rows = net.n_inputs, []
    for i, layer in enumerate(net.layers):
        shape = getattr(layer, "n_out", None) or shape      # a Dropout's output is its input's shape
        rows.append((f"{i}: {layer!r}", f"(None, {shape})",
                     f"{sum(int(np.prod(s)) for _, s in layer.param_shapes()):,}"))
    width = max([len("Layer")] + [len(r[0]) for r in rows])
    shapes = max([len("Output Shape")] + [len(r[1]) for r in rows])
    counts = max([len("Param #")] + [len(r[2]) for r in rows])
    line = "  " + "-" * (width + shapes + counts + 4)
    table = [f"Network(loss={net.loss_function.name!r}, dtype={net.dtype.name})", line,
             f"  {'Layer':<{width}}  {'Output Shape':<{shapes}}  {'Param #':>{counts}}", line]
    table += [f"  {name:<{width}}  {out:<{shapes}}  {n:>{counts}}" for name, out, n in rows]
    trainable = sum(len(range(*s.indices(net.n_params))) for s in net.trainable_slices())
    table += [line, f"  Total params: {net.n_params:,}", f"  Trainable params: {trainable:,}",
              f"  Non-trainable params: {net.n_params - trainable:,}"]
    return Summary("\n".join(table))
