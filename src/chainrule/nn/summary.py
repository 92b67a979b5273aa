"""`Network.summary()`: Keras' table (layer, output shape, parameters; total, trainable and non-trainable), and
`chainrule info`'s narrower one (layer and parameters, fitted to the terminal's width)."""
from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .network import Network


class Summary(str):
    """`summary()`'s text: a str (print it, split it) that the Python prompt and Jupyter show as the
    table it is, where a plain str would show as one quoted line of '\\n's."""

    def __repr__(self) -> str:
        return str(self)


def heading(net: Network) -> str:
    """Both tables' first line: the network's loss and dtype."""
    return f"Network(loss={net.loss_function.name!r}, dtype={net.dtype.name})"


def layer_counts(net: Network) -> list[tuple[str, str, int]]:
    """Each layer's (index, as "  9: " above " 10: ": the layers in one column; repr; parameter count)."""
    index = len(str(len(net.layers) - 1))
    return [(f"  {i:>{index}}: ", repr(layer), sum(int(np.prod(s)) for _, s in layer.param_shapes()))
            for i, layer in enumerate(net.layers)]


def trainable_count(net: Network) -> int:
    """How many parameters training moves (the others frozen: trainable=False)."""
    return sum(len(range(*s.indices(net.n_params))) for s in net.trainable_slices())


def summary_table(net: Network, columns: int = 0) -> Summary:
    """`chainrule info`'s table of the layers; the total says how many parameters are frozen. `columns` (a terminal's
    width; 0: any) narrows the table to fit: the count's column moves left to the longest layer, then each
    count goes whole on a line of its own under its layer, never broken inside "N parameters"."""
    lines, rows = [heading(net)], layer_counts(net)
    width, digits = max([50] + [len(r) for _, r, _ in rows]), 8
    if columns and any(len(lead) + width + digits + 12 > columns for lead, _, _ in rows):
        width, digits = max([0] + [len(r) for _, r, _ in rows]), max([1] + [len(str(n)) for _, _, n in rows])
    below = columns and any(len(lead) + width + digits + 12 > columns for lead, _, _ in rows)   # one layout for all
    for lead, text, n in rows:
        if below:                                                       # " N parameters" under its layer
            lines += [f"{lead}{text}", f"{' ' * len(lead)}{n} parameters"]
        else:
            lines.append(f"{lead}{text:<{width}} {n:>{digits}} parameters")
    trainable = trainable_count(net)
    frozen = f" ({trainable} trainable, {net.n_params - trainable} frozen)" if trainable < net.n_params else ""
    lines.append(f"  total: {net.n_params} parameters{frozen}")
    return Summary("\n".join(lines))


#: the width Keras' summary table keeps to (its layer names wrap inside their column), here a terminal's 80
KERAS_WIDTH = 80


def keras_table(net: Network) -> Summary:
    """The table of `Network.summary`, read as Keras' Model.summary: each layer's output shape (None: any number of
    rows) and parameter count, then the total split into trainable and non-trainable (frozen) parameters. At most
    KERAS_WIDTH columns: a longer layer wraps inside its column, as Keras' names do."""
    shape, rows = net.n_inputs, []
    for (index, text, n), layer in zip(layer_counts(net), net.layers):
        shape = getattr(layer, "n_out", None) or shape      # a Dropout's output is its input's shape
        rows.append((index[2:], text, f"(None, {shape})", f"{n:,}"))
    shapes = max([len("Output Shape")] + [len(r[2]) for r in rows])
    counts = max([len("Param #")] + [len(r[3]) for r in rows])
    lead = len(rows[0][0]) if rows else 0
    room = max(20, KERAS_WIDTH - 2 - lead - shapes - counts - 4)      # the layer's text, past its index
    width = lead + min(room, max([0] + [len(r[1]) for r in rows]))
    width = max(width, len("Layer"))
    line = "  " + "-" * (width + shapes + counts + 4)
    table = [heading(net), line, f"  {'Layer':<{width}}  {'Output Shape':<{shapes}}  {'Param #':>{counts}}", line]
    for number, text, out, count in rows:
        parts = textwrap.wrap(text, width - lead, break_on_hyphens=False) or [""]
        table.append(f"  {number + parts[0]:<{width}}  {out:<{shapes}}  {count:>{counts}}")
        table += [f"  {' ' * lead + part:<{width}}".rstrip() for part in parts[1:]]
    trainable = trainable_count(net)
    table += [line, f"  Total params: {net.n_params:,}", f"  Trainable params: {trainable:,}",
              f"  Non-trainable params: {net.n_params - trainable:,}"]
    return Summary("\n".join(table))
