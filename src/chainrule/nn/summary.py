"""`Network.summary()`: one line per layer with its parameter count, and the total."""
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


def summary_table(net: Network) -> Summary:
    """The table of `Network.summary`; the total says how many parameters are frozen."""
    lines = [f"Network(loss={net.loss_function.name!r}, dtype={net.dtype.name})"]
    width = max([50] + [len(repr(layer)) for layer in net.layers])
    for i, layer in enumerate(net.layers):
        n = sum(int(np.prod(s)) for _, s in layer.param_shapes())
        lines.append(f"  {i}: {layer!r:<{width}} {n:>8} parameters")
    trainable = sum(len(range(*s.indices(net.n_params))) for s in net.trainable_slices())
    frozen = f" ({trainable} trainable, {net.n_params - trainable} frozen)" if trainable < net.n_params else ""
    lines.append(f"  total: {net.n_params} parameters{frozen}")
    return Summary("\n".join(lines))
