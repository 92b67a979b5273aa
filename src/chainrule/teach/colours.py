"""Which colour each class and each layer is drawn in: told apart at a glance, however many there are."""
from __future__ import annotations

from typing import Any

import numpy as np

MANY_LAYERS = 40        # ten colours, each solid, dashed, dotted, dash-dotted; past this, one colour a depth


def class_colours(n: int) -> Any:
    """Class k in the k-th colour: tab10, tab20's strong hues then its light ones (a hue's two kept apart), past 20
    the turbo map's spread (a diverging map's middle classes were near-white shades of one another)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap
    tab = colormaps["tab10"](np.arange(n)) if n <= 10 else colormaps["tab20"](np.r_[0:20:2, 1:20:2][:n])
    return ListedColormap(tab) if n <= 20 else colormaps["turbo"].resampled(n)


def layer_styles(ax: Any, layers: list[int]) -> Any:
    """Set `ax` to draw its curves, one a layer in `layers`' order, each apart from the others: up to MANY_LAYERS
    a colour and line style each (key: a legend); past it (styles would repeat, a key of each layer crowd the plot
    out) a colour by depth, whose key is the colour bar returned (None below MANY_LAYERS)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.rcsetup import cycler
    if len(layers) <= MANY_LAYERS:
        ax.set_prop_cycle(cycler(linestyle=["-", "--", ":", "-."]) * cycler(color=list(colormaps["tab10"](range(10)))))
        return None
    by_depth = ScalarMappable(Normalize(min(layers), max(layers)), "viridis")
    ax.set_prop_cycle(cycler(color=list(by_depth.to_rgba(np.array(layers)))))
    return by_depth
