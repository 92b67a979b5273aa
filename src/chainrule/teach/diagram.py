"""A network drawn: units in columns, edges with their weights (labelled, or coloured with heat maps below).

Part of `plot` (cr.plot.network_diagram): the figure and its saving are plot's.
"""
from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..callers import caller_level
from ..errors import ChainruleTypeError, ValidationError
from .escape import one_line
from .labels import clipped, place_labels, text_size
from .notation import bias_name, neuron_names, weight_name

LABELLED_EDGES = 9      # at most this many weights into one layer get a text label each; above, colour and a heat map


def _shown(n: int, max_units: int) -> list[int | None]:
    """The unit indices drawn for a level of n units: all, or the first and last few around a None (the ellipsis)."""
    if n <= max_units:
        return list(range(n))
    head = max_units // 2
    tail = max_units - head - 1
    return [*range(head), None, *range(n - tail, n)]


def _report_columns(report: Any, what: str) -> list[str] | None:
    """The columns of X ("inputs") or Y ("targets") a report names beside i1.. and o1.. (a DataFrame's, as `explain`
    reads them): the names a diagram drawn with that report gives its inputs and outputs unless told others."""
    units = [] if report is None else report.to_dict()[what]
    return [one_line(u["column"]) for u in units] if units and all("column" in u for u in units) else None


def _report_grads(net: Any, report: Any, labelled: bool) -> dict[str, float]:
    """{parameter name: gradient} of an `explain` report, after checking that the report describes
    the network drawn (its sizes, activations, loss and every weight and bias value): labels matched
    by name alone would show another network's gradients."""
    if report is None:
        return {}
    if not hasattr(report, "to_dict"):
        raise ChainruleTypeError(f"report must be what cr.explain returns; got {type(report).__name__}")
    d, dense = report.to_dict(), net.dense_layers
    drawn = [dense[0].n_in] + [layer.n_out for layer in dense]
    told = [len(d["layers"][0]["neurons"][0]["inputs"])] + [len(layer["neurons"]) for layer in d["layers"]]
    if told != drawn:
        raise ValidationError(f"report describes a network of {'-'.join(map(str, told))} units, the network drawn "
                              f"has {'-'.join(map(str, drawn))}: give the report of this network, "
                              "report=cr.explain(net, X, Y)")
    if d["loss"] != net.loss_function.name:
        raise ValidationError(f"report's gradients are of the loss {d['loss']}, the network's loss is "
                              f"{net.loss_function.name}: give the report of this network")
    for layer, told_layer in zip(dense, d["layers"]):
        if layer.activation.name != told_layer["activation"]:
            raise ValidationError(f"report's layer {told_layer['index']} is {told_layer['activation']}, the network's "
                                  f"is {layer.activation.name}: give the report of this network")
        for j, neuron in enumerate(told_layer["neurons"]):
            values = [*zip(neuron["weights"], neuron["weight_values"], layer.W[:, j]),
                      (neuron["bias"], neuron["bias_value"], layer.b[j])]
            for name, value, actual in values:
                if value != float(actual):
                    raise ValidationError(f"report does not match the network drawn: {name} is {value:.6g} in the "
                                          f"report, {float(actual):.6g} in the network (a report of another network, "
                                          "or of these weights before an update): give report=cr.explain(net, X, Y)")
    if not labelled:
        warnings.warn("network_diagram: the report's gradients are not drawn: the network is too large for labelled "
                      f"edges (more than {LABELLED_EDGES} weights into a layer, or a layer wider than max_units); "
                      "the report itself lists them", UserWarning, stacklevel=caller_level())
        return {}
    return {p["name"]: p["grad"] for p in d["parameters"]}


def network_diagram(net: Any, path: str | PathLike, report: Any = None, size: tuple[float, float] | None = None,
                    dpi: int = 100, max_units: int = 12, input_names: list[str] | None = None,
                    output_names: list[str] | None = None, note: str | None = None) -> Path:
    """Any network: units in columns. A small one has each edge labelled with its weight, away from crossings,
    and each neuron with its bias (and, given an `explain` report of this network, their gradients: a report
    of another network or of other weights is refused), names as `explain` gives them (i1, h1, o1, w1..).
    A larger one has edges coloured by weight, a layer wider than `max_units` drawn as its first and last
    units around an ellipsis, and every weight matrix as a heat map below (finite weights only).
    `input_names`, `output_names`: labels of the inputs (column names) and outputs (classes), by default the report's
    X and Y columns where they were a DataFrame's, as `explain` names them; `note`: a line at the
    top left, drawn as written (what the inputs' and outputs' values are: standardised columns)."""
    from .explain import network_argument
    from .plot import _figure, save_figure  # looked up when drawn: plot imports this module
    network_argument(net, "network_diagram", "chainrule.plot.network_diagram({net}, path)")
    dense = net.dense_layers
    names = neuron_names(net)
    widths = [len(level) for level in names]
    for what, given, n in (("input_names", input_names, widths[0]), ("output_names", output_names, widths[-1])):
        if given is not None and len(given) != n:
            raise ValidationError(f"{what} must have {n} names (one per unit); got {len(given)}")
    shown = [_shown(n, max_units) for n in widths]
    labelled = all(layer.n_in * layer.n_out <= LABELLED_EDGES for layer in dense) and max(widths) <= max_units
    heat = not labelled
    for l, layer in enumerate(dense if heat else []):    # colours and widths scale by the largest |w|: finite
        for i, j in np.argwhere(~np.isfinite(layer.W))[:1]:
            raise ValidationError(f"layer {l}'s W holds {layer.W[i, j]} (input {i + 1}, neuron {j + 1}): colours and "
                                  "widths need finite weights (a diverged network? train it again with a lower rate)")
    grads = _report_grads(net, report, labelled)
    input_names = _report_columns(report, "inputs") if input_names is None else input_names
    output_names = _report_columns(report, "targets") if output_names is None else output_names
    tall = max(len(s) for s in shown)
    named = input_names is not None or output_names is not None
    # labelled: 8 x 5 inches for three levels, wider and taller for more (each label needs its room)
    fig = _figure(size or ((max(8.0, 2.6 * len(names) + 2.5), 7.8) if heat else
                           (max(8.0, 3.4 * len(names) - 2.2), 5.0 if tall <= 2 else 6.0)), dpi)
    ax = fig.add_axes((0.12, 0.36, 0.76, 0.62) if heat else (0.12, 0.0, 0.76, 1.0) if named else (0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(-0.7, tall - 0.3)

    def pos(level: int, k: int) -> tuple[float, float]:
        """x, y of the k-th drawn slot of a level (slots centred on the tallest column)."""
        n = len(shown[level])
        return level, (tall - 1) / 2 + (n - 1) / 2 - k

    wmax = max(float(np.abs(layer.W).max()) for layer in dense) or 1.0
    alpha = 0.8 if max(len(a) * len(b) for a, b in zip(shown, shown[1:])) <= 64 else 0.45
    from .colours import signed
    cmap = signed()        # the explorer's: a weight > 0 blue, < 0 orange (red/blue said the opposite of its blue)
    edges: list[tuple[tuple[float, float], tuple[float, float], str]] = []      # labelled: (from, to, label)
    fixed: list[tuple[float, float, str]] = []                                   # the bias labels: (x, top, text)
    for l, layer in enumerate(dense):
        for a, i in enumerate(shown[l]):
            for b, j in enumerate(shown[l + 1]):
                if i is None or j is None:
                    continue
                (x0, y0), (x1, y1) = pos(l, a), pos(l + 1, b)
                w = float(layer.W[i, j])
                if labelled:
                    ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
                    name = weight_name(dense, l, i, j)
                    frozen = "" if layer.trainable_params["W"] else " (fixed)"
                    edges.append(((x0, y0), (x1, y1),
                                  f"{name}={w:.3g}{frozen}" + (f"\ng={grads[name]:.2e}" if name in grads else "")))
                else:
                    ax.plot([x0, x1], [y0, y1], color=cmap(0.5 + 0.5 * w / wmax), lw=0.3 + 1.7 * abs(w) / wmax,
                            alpha=alpha, zorder=1)
    radius = 900 if tall <= 6 else max(150, 900 * 6 / tall)
    _, _, aw, _ = ax.get_position().bounds
    beside = (np.sqrt(radius) / 2 + 4) / 72 / (aw * fig.get_size_inches()[0] / len(names))   # the names clear the node
    # a name beside the first or last units fits between its node and the figure's edge (18 letters ran off a 5 x 4)
    room = ((1 - aw) / 2 + aw / len(names) * (0.5 - beside)) * fig.get_size_inches()[0] * 72 - 6     # points
    fit = max(4, min(18, int((room - 3) / (0.6 * 8))))                  # letters, as labels.text_size measures them
    for level, units in enumerate(names):
        for k, unit in enumerate(shown[level]):
            x, y = pos(level, k)
            if unit is None:
                ax.text(x, y, "\u22ee", ha="center", va="center", fontsize=16, zorder=5)
                ax.text(x + 0.1, y, f"{widths[level] - len(shown[level]) + 1} more", ha="left", va="center",
                        fontsize=7, color="0.3", zorder=5,
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.9})
                continue
            ax.scatter([x], [y], s=radius, c="#cfe2f3" if level else "#d9ead3", edgecolors="k", zorder=4)
            ax.text(x, y, units[unit], ha="center", va="center", fontsize=10 if radius >= 600 else 7, zorder=5)
            if level and labelled:
                bias = dense[level - 1].b[unit]
                name = bias_name(units[unit])       # as the report names it, as the weights are
                fixed_b = "" if dense[level - 1].trainable_params["b"] else " (fixed)"     # frozen: not learnt
                text = f"{name}={bias:.3g}{fixed_b}" + (f"\ng={grads[name]:.2e}" if name in grads else "")
                ax.text(x, y - 0.17, text, ha="center", va="top", fontsize=7, zorder=5)
                fixed.append((x, y - 0.17, text))
            if level == 0 and input_names is not None:
                ax.text(x - beside, y, clipped(input_names[unit], fit), ha="right", va="center", fontsize=8, zorder=5,
                        parse_math=False)          # a column's name as written: 'a$b$' is no formula
            if level == len(names) - 1 and output_names is not None:
                ax.text(x + beside, y, clipped(output_names[unit], fit), ha="left", va="center", fontsize=8, zorder=5,
                        parse_math=False)
    if labelled:
        place_labels(fig, ax, edges, fixed, [pos(level, k) for level in range(len(names))
                                             for k in range(len(shown[level]))], np.sqrt(radius) / 2 / 72)
    if grads:          # what the second number of each label is
        ax.text(len(names) - 0.5, tall - 0.35, "g = dE/dw, dE/db: the gradient of this pass (explain)",
                ha="right", va="top", fontsize=8, color="0.3")
    if note:
        fig.text(0.01, 0.99, note, ha="left", va="top", fontsize=8, color="0.3", parse_math=False)
    if heat:
        ax.text(len(names) - 0.5, tall - 0.35, "edges: weights, blue > 0, orange < 0, wider = larger |w|",
                ha="right", va="top", fontsize=8, color="0.3")
        _weight_heat_maps(fig, dense, cmap, input_names, output_names, names)
    return save_figure(fig, path, dpi)


NAMED_TICKS = 12        # a heat map names each of up to this many rows and columns; past it, some (the axis says so)
ROW_HEIGHT = 1.2 / 72   # inches a row's name takes per point of its font, one above the next


def _weight_heat_maps(fig, dense, cmap, input_names, output_names, names) -> None:
    """Each layer's weight matrix W (inputs down, neurons across), one colour scale per layer, its rows and columns
    named as the diagram above names the units (i1, h1, o1; a column's or class's name beside its unit's). Columns
    whose names do not fit side by side stand upright (matplotlib's own ticks named every other of 12 classes, and
    ran their names into each other), the maps raised to keep them on the figure; rows each named only where their
    names fit one above the other in the map's height (a map raised for 12 upright classes ran 12 rows' together)."""
    from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator
    n = len(dense)
    width_in, height_in = fig.get_size_inches()
    across = (0.9 / n - 0.09) * width_in * 0.9           # a map's width, less its colour bar (inches)
    labels = [(_beside(names[l], input_names if l == 0 else None),
               _beside(names[l + 1], output_names if l == n - 1 else None)) for l in range(n)]
    size = [7 if columns is names[l + 1] else 6 for l, (_, columns) in enumerate(labels)]     # as drawn below
    upright = [any(text_size(u, pt)[0] > across / len(columns) for u in columns[:NAMED_TICKS])
               for (_, columns), pt in zip(labels, size)]
    tallest = max([text_size(u, pt)[0] for (_, columns), up, pt in zip(labels, upright, size) if up
                   for u in columns] or [0])
    bottom = max(0.05, (tallest + 0.35) / height_in)     # room for upright names and 'to neuron' under them
    down = (0.29 - bottom) * height_in                    # a map's height (inches)
    each = [(len(rows) <= NAMED_TICKS and len(rows) * ROW_HEIGHT * (7 if rows is names[l] else 6) <= down,
             len(columns) <= NAMED_TICKS) for l, (rows, columns) in enumerate(labels)]
    maps = []
    for l, layer in enumerate(dense):
        ax = fig.add_axes((0.1 + l * 0.9 / n, bottom, 0.9 / n - 0.09, 0.29 - bottom))
        lim = float(np.abs(layer.W).max()) or 1.0
        # unit k at k (from 1): the ticks fall on units, each named by the diagram's name of it
        im = ax.imshow(layer.W, cmap=cmap, vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest",
                       extent=(0.5, layer.n_out + 0.5, layer.n_in + 0.5, 0.5))
        rows, columns = labels[l]
        for axis, units, named in ((ax.yaxis, rows, each[l][0]), (ax.xaxis, columns, each[l][1])):
            # up to NAMED_TICKS each named (as the diagram names its units); more: whole units, some named
            axis.set_major_locator(FixedLocator(range(1, len(units) + 1)) if named
                                   else MaxNLocator(nbins="auto", integer=True, min_n_ticks=1))
            axis.set_major_formatter(FuncFormatter(lambda k, _, units=units: units[int(k) - 1]
                                                   if k == int(k) and 1 <= k <= len(units) else ""))
        if upright[l]:
            ax.tick_params(axis="x", labelrotation=90)
        ax.set_title(f"layer {l}: W ({layer.n_in} x {layer.n_out})", fontsize=9)
        some = "" if each[l][1] else f" ({len(columns)}: some named)"
        ax.set_xlabel("to neuron" + some, fontsize=8)
        some = "" if each[l][0] else f" ({len(rows)}: some named)"
        ax.set_ylabel(("from input" if l == 0 else "from neuron") + some, fontsize=8)
        for axis, units, plain in ((ax.yaxis, rows, names[l]), (ax.xaxis, columns, names[l + 1])):
            axis.set_tick_params(labelsize=7 if units is plain else 6)          # a name beside: smaller
        bar = fig.colorbar(im, ax=ax, fraction=0.08, pad=0.02)
        bar.ax.tick_params(labelsize=6)
        maps.append((ax, bar.ax))
    _kept_on_figure(fig, maps)


def _kept_on_figure(fig, maps) -> None:
    """The heat maps moved in from the figure's left and bottom edges, and an axis name longer than its map made
    smaller, until every name and number is on the figure: their room above was estimated from the letters, and a
    smaller `size` (6 x 5 inches) cut off 'from input', the rows' names and 'to neuron' at the edges."""
    pad = 2.0                                             # pixels between a name and the edge
    for _ in range(3):                                    # measured, moved, measured again: until none is cut
        moved = False                                     # each map measured alone: no draw of the whole figure
        for ax, bar in maps:
            label = ax.yaxis.label
            room = ax.get_window_extent().height
            if label.get_window_extent().height > room > 0:
                label.set_fontsize(max(4.0, label.get_fontsize() * room / label.get_window_extent().height * 0.95))
                moved = True
            box = ax.get_tightbbox()
            left, low = max(0.0, pad - box.x0), max(0.0, pad - min(box.y0, bar.get_tightbbox().y0))
            if left or low:
                x, y, w, h = ax.get_position().bounds
                dx, dy = left / fig.bbox.width, min(low / fig.bbox.height, h * 0.5)
                ax.set_position((x + dx, y + dy, max(w - dx, w * 0.3), h - dy))
                bx, by, bw, bh = bar.get_position().bounds
                bar.set_position((bx, by + dy, bw, bh - dy))
                moved = True
        if not moved:
            return


def _beside(units: list[str], given: list[str] | None) -> list[str]:
    """Units' names, each with its column's or class's name beside it where given ('$' as written: ticks parse math),
    on one line: a second ('(standardised)' of a regression's target, said beside its unit above) ran off the page."""
    if given is None:
        return units
    first_lines = [str(s).partition("\n")[0] for s in given]
    return [f"{u} {clipped(s, 12)}".replace("$", r"\$") for u, s in zip(units, first_lines)]
