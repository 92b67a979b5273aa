"""Which colour each class and each layer is drawn in: told apart at a glance, however many there are."""
from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..callers import caller_level

# ten colours, each its own; past this a key of each layer took half the figure (40 layers: three columns of 14
# beside the plot), so one colour a depth, read off a colour bar
MANY_LAYERS = 10


DISTINCT_CLASSES = 60   # the explorer's 16 and 44 of tab20's, tab20b's and tab20c's 60; past this, colours come close

# The explorer's class colours in its order (charts.js' PALETTE: orange, blue, green, ...), so that class k is drawn
# in one colour in the explorer and in a figure; its 16 are as many classes as it draws (limits.MAX_UNITS).
EXPLORER_CLASSES = [(234, 88, 12), (37, 99, 235), (5, 150, 105), (192, 38, 211), (196, 134, 4), (8, 145, 178),
                    (225, 29, 72), (101, 163, 13), (236, 72, 153), (146, 64, 14), (107, 114, 128), (17, 24, 39),
                    (30, 27, 120), (20, 90, 80), (168, 120, 200), (120, 113, 40)]
# The explorer's signs (graph.js' NEG and POS), which are its first two classes' colours: a weight < 0 orange, > 0
# blue; a probability of class 1 from class 0's orange (0) through white (0.5) to class 1's blue (1)
NEGATIVE, POSITIVE = ("#" + "".join(f"{v:02x}" for v in rgb) for rgb in EXPLORER_CLASSES[:2])


def signed() -> Any:
    """The colour map of a signed value (weights: orange < 0, white 0, blue > 0), as the explorer draws a weight,
    and of a probability of class 1 (class 0's colour to class 1's): red/blue had the explorer's blue for < 0."""
    from matplotlib.colors import LinearSegmentedColormap
    return LinearSegmentedColormap.from_list("chainrule_signed", [NEGATIVE, "white", POSITIVE])


def numbered(n: int) -> int:
    """Of n classes the colour bar numbers one in this many: at most 20 numbers (more run together)."""
    return max(1, -(-n // 20))


def class_colours(n: int) -> Any:
    """Class k in the k-th colour: the explorer's 16 first (class 0 orange, 1 blue, ...: tab10 drew them blue and
    orange), in every figure however many classes (past 16, tab20's order had class 0 blue, class 1 orange); then,
    up to DISTINCT_CLASSES, each next the colour of tab20's, tab20b's and tab20c's farthest from those taken (their
    fixed order put two near-identical shades side by side); past DISTINCT_CLASSES turbo, stepped by the golden
    ratio so that classes k and k + 1 are far apart (some other two are close: a warning says so)."""
    from matplotlib import colormaps
    from matplotlib.colors import ListedColormap
    if n > DISTINCT_CLASSES:
        step = numbered(n)
        warnings.warn(f"{n} classes, more than the {DISTINCT_CLASSES} colours told apart: some classes' colours "
                      f"are alike, and the colour bar numbers one class in {step} (0, {step}, {2 * step}, ...)",
                      UserWarning, stacklevel=caller_level())
        return ListedColormap(colormaps["turbo"](np.arange(n) * 0.618034 % 1))
    taken = list(np.array(EXPLORER_CLASSES[:n]) / 255)
    pool = [np.array(colormaps[m](k)[:3]) for m in ("tab20", "tab20b", "tab20c") for k in range(20)]
    while len(taken) < n:
        apart = [np.linalg.norm(np.array(taken) - c, axis=1).min() for c in pool]
        taken.append(pool.pop(int(np.argmax(apart))))
    return ListedColormap(np.array(taken))


def layer_styles(ax: Any, layers: list[int]) -> Any:
    """Set `ax` to draw its curves, one a layer in `layers`' order, each apart from the others: up to MANY_LAYERS
    a colour each (key: a legend, one short column); past it (a key of each layer would crowd the plot out) a colour
    by depth, whose key is the colour bar returned (None up to MANY_LAYERS)."""
    from matplotlib import colormaps
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.rcsetup import cycler
    if len(layers) <= MANY_LAYERS:
        ax.set_prop_cycle(cycler(color=list(colormaps["tab10"](range(10)))))
        return None
    by_depth = ScalarMappable(Normalize(min(layers), max(layers)), "viridis")
    ax.set_prop_cycle(cycler(color=list(by_depth.to_rgba(np.array(layers)))))
    return by_depth
