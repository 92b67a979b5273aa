"""Figures with matplotlib (the `[plot]` extra), drawn without a display and saved to files.

Each function draws on a `matplotlib.figure.Figure` (no pyplot, no window), saves it as PNG or SVG
(by the path's extension) at exactly `size` inches x `dpi`, and returns the path.
"""
from __future__ import annotations

import warnings
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ChainruleTypeError, ValidationError, counted
from .colours import class_colours, layer_styles
from .labels import clipped, place_labels
from .notation import bias_name, neuron_names, weight_name


def _figure(size, dpi):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        from ..extras import missing
        raise ImportError(missing("matplotlib", "plots need")) from None
    return Figure(figsize=size, dpi=dpi)


def save_figure(fig: Any, path: str | PathLike, dpi: int) -> Path:
    """`fig` written to `path` (.png or .svg, by its extension) at `dpi`, atomically: a failure keeps the old file."""
    from ..nn.filenames import a_file_name
    from ..saving.files import atomic_write
    a_file_name(path)            # before Path, which drops a trailing '/' ('c.png/' wrote c.png) and reads '' as '.'
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValidationError(f"path must end in .png or .svg; got {str(path)!r}")
    # written beside it, renamed over it: a failure (full disk, Ctrl-C) keeps the previous figure; as net.save
    atomic_write(path, lambda f: fig.savefig(f, format=path.suffix[1:].lower(), dpi=dpi))
    return path


def _series(h: dict, key: str, epochs: int | None = None) -> np.ndarray:
    """A history's entry as one float per epoch (as many as `epochs`, when given), or a refusal naming it."""
    try:
        values = np.asarray(h[key], dtype=float)
    except (TypeError, ValueError):
        values = np.zeros((0, 0))
    if values.ndim != 1:
        raise ValidationError(f"history's {key!r} must hold one number per epoch; got {repr(h[key])[:60]}")
    if epochs is not None and len(values) != epochs:
        raise ValidationError(f"history's {key!r} has {counted(len(values), 'value')}, one per epoch, but the "
                              f"history has {epochs}: give one run's history")
    return values


def _validated(validation_freq: Any, n: int) -> np.ndarray:
    """The epochs (from 1) that fit validated after, by its validation_freq: every k epochs, or those listed."""
    from ..training.arguments import validation_frequency
    freq = validation_frequency(validation_freq)
    return np.array([e for e in range(1, n + 1) if (e % freq == 0 if isinstance(freq, int) else e in freq)], int)


def _per_epoch(ax, values: np.ndarray, label: str, at: np.ndarray | None = None) -> None:
    """One curve over epochs 1..n (or those `at`): whole epochs, markers where few (one epoch is a point, no line),
    each nan/inf epoch an x at the top, named in the legend (matplotlib leaves a gap: a curve that seems to stop)."""
    from matplotlib.ticker import MaxNLocator
    epochs = np.arange(1, len(values) + 1) if at is None else at
    line, = ax.plot(epochs, values, label=label, marker="o" if len(values) <= 30 else None, markersize=3)
    bad = ~np.isfinite(values)
    if bad.any():
        ax.plot(epochs[bad], np.full(bad.sum(), 0.97), "x", color=line.get_color(), transform=ax.get_xaxis_transform(),
                label=f"{label}: not a number (nan/inf) at epoch {', '.join(map(str, epochs[bad][:3]))}"
                      f"{', ...' if bad.sum() > 3 else ''}")
    ax.set_xlim(0.5, max(np.max(drawn.get_xdata(), initial=1) for drawn in ax.get_lines()) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1, steps=[1, 2, 5, 10]))
    ax.set_xlabel("epoch")


def training_curves(history: Any, path: str | PathLike, size: tuple[float, float] = (10, 4),
                    dpi: int = 100, title: str | None = None, validation_freq: Any = 1,
                    loss_label: str = "loss", accuracy_label: str = "accuracy") -> Path:
    """Loss (and accuracy, when there is one) per epoch, training and validation; `title` above them;
    `validation_freq` as fit was given it: the val_ values are drawn at the epochs validated; `loss_label` the
    loss axis's name, which says what the loss is of where that is not the data's own units (a regression
    trained on its standardised target, as `chainrule train` does), `accuracy_label` the accuracy axis's (weighted
    rows')."""
    h = history.history if hasattr(history, "history") else dict(history)
    if "loss" not in h:
        raise ValidationError(f"history has no 'loss'; it has {sorted(h)}")
    n = len(_series(h, "loss"))           # a number or None is refused in words, not by len()
    if n == 0:
        raise ValidationError("history's 'loss' is empty: no epoch to draw (train for at least one epoch)")
    at = _validated(validation_freq, n)
    fig = _figure(size, dpi)
    metrics = ["loss"] + (["accuracy"] if "accuracy" in h else [])
    for k, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), k + 1)
        _per_epoch(ax, _series(h, metric, n), "training")
        if f"val_{metric}" in h:
            if len(val := _series(h, f"val_{metric}")) != len(at):
                raise ValidationError(f"history's 'val_{metric}' has {counted(len(val), 'value')}; validation_freq="
                                      f"{validation_freq!r} over {n} epochs validates {len(at)}: give the "
                                      "validation_freq fit was given (or the history of one run)")
            _per_epoch(ax, val, "validation", at)
        ax.set_ylabel(loss_label if metric == "loss" else accuracy_label, parse_math=False)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title, parse_math=False)          # as written: '$x$' is no formula, nor 'cost $5' half of one
    fig.tight_layout()
    return save_figure(fig, path, dpi)


def decision_boundaries(nets: Any, X: np.ndarray, y: np.ndarray, path: str | PathLike, titles: Any = None,
                        size: tuple[float, float] | None = None, dpi: int = 100, resolution: int = 200) -> Path:
    """The decision regions of 2-input classifiers (a sigmoid or softmax output) side by side, with
    the data on top; a regression network, whose output is no probability, is refused."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValidationError(f"X must have 2 features to draw a decision boundary; got shape {X.shape}")
    if len(y) != len(X):
        raise ValidationError(f"y must have one value per row of X ({len(X)}); got {len(y)}")
    if y.ndim == 2:             # one-hot rows (as fit takes them) or one column: the class numbers
        y = y.argmax(axis=1) if y.shape[1] > 1 else y[:, 0]
    if y.ndim != 1:
        raise ValidationError(f"y must be one class number per row of X (or one-hot rows); got shape {y.shape}")
    if y.dtype.kind not in "biuf":
        raise ValidationError(f"y must hold the class numbers 0, 1, ... of the network's outputs; got labels such "
                              f"as {str(y.flat[0])!r}: encode them as fit was given them (sklearn's LabelEncoder)")
    y = y.astype(float)
    nets = list(nets)
    if not nets:
        raise ValidationError("nets is empty: give the networks to draw, decision_boundaries([net], X, y, path)")
    if titles is not None and len(titles) != len(nets):
        raise ValidationError(f"titles must have one title per network ({len(nets)}); got {len(titles)}")
    from ..nn.network import Network
    for k, net in enumerate(nets):
        if not isinstance(net, Network):
            raise ChainruleTypeError(f"nets[{k}] must be a chainrule Network; got {type(net).__name__}")
        act = net.dense_layers[-1].activation.name
        if act not in ("sigmoid", "softmax"):
            raise ValidationError(f"decision_boundaries draws classifiers; nets[{k}] has a {act} output (loss "
                                  f"{net.loss_function.name}): not a probability, so there is no class boundary to "
                                  "draw. Give a network with a sigmoid or softmax output")
        classes = max(net.dense_layers[-1].n_out, 2)       # a sigmoid's one output: classes 0 and 1
        for bad in y[(y != np.round(y)) | (y < 0) | (y >= classes) | np.isnan(y)][:1]:
            raise ValidationError(f"y must hold the class numbers 0 to {classes - 1} of nets[{k}]'s outputs; got "
                                  f"{bad:g}: a point of no class would be drawn in another class's colour")
    titles = titles or ["-".join(str(w) for w in [n.dense_layers[0].n_in, *(d.n_out for d in n.dense_layers)])
                        + f" network, {n.dense_layers[-1].activation.name} output" for n in nets]      # 2-8-1
    fig = _figure(size or (5.3 * len(nets), 4), dpi)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    regions = []        # (panel, its filled contours, the network's outputs): a colour bar each
    for k, (net, title) in enumerate(zip(nets, titles)):
        ax = fig.add_subplot(1, len(nets), k + 1)
        out = net.predict(grid)
        z = out[:, 0] if out.shape[1] == 1 else out.argmax(axis=1)
        # a probability keeps its colour from plot to plot (0.5 is white); classes get one colour each
        levels = np.linspace(0, 1, 21) if out.shape[1] == 1 else np.arange(out.shape[1] + 1) - 0.5
        cmap = "RdBu_r" if out.shape[1] == 1 else class_colours(out.shape[1])
        filled = ax.contourf(gx, gy, z.reshape(gx.shape), levels=levels, cmap=cmap, alpha=0.6)
        regions.append((ax, filled, out.shape[1]))
        if out.shape[1] == 1 and np.ptp(z) < 1e-3:      # no boundary to draw: say so
            ax.text(0.5, 0.5, f"output {z.mean():.2f} everywhere:\nno boundary", transform=ax.transAxes,
                    ha="center", va="center", fontsize=11, bbox={"fc": "white", "ec": "0.5"})
        elif out.shape[1] == 1:
            ax.contour(gx, gy, z.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1.5)
        # each point in its class's colour, the colour of that class's region (not spread over the classes in y)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=filled.cmap, norm=filled.norm, edgecolors="k", s=25)
        ax.set_title(title, parse_math=False)
        first, second = neuron_names(net)[0]        # the axes are the network's two inputs, named by notation
        ax.set(xlabel=f"input {first}", ylabel=f"input {second}")
        ax.locator_params(axis="x", nbins=5)       # six ticks of -0.50 run together in a 4.5-inch panel
    for ax, filled, n in regions:          # what the colours say: the probability of class 1, or the class
        every = max(1, -(-n // 20))        # at most 20 class numbers on the key: more run together
        bar = fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.03, ticks=[0, 0.5, 1] if n == 1 else range(0, n, every))
        bar.set_label("network output: P(class 1)" if n == 1 else "predicted class", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, dpi)


def gradient_norms(history: Any, path: str | PathLike, size: tuple[float, float] = (7, 4), dpi: int = 100,
                   title: str | None = None) -> Path:
    """Per-layer gradient norms over epochs (from GradientDiagnostics), on a log scale; past 10 layers (a key of
    each would crowd the plot out) each in a colour of its depth, read off a colour bar."""
    h = history.history if hasattr(history, "history") else dict(history)
    keys = [k for k in h if k.startswith("grad_norm/")]
    for k in (k for k in keys if not (k[len("grad_norm/"):].isascii() and k[len("grad_norm/"):].isdigit())):
        raise ValidationError(f"history's {k!r} is not 'grad_norm/<layer number>' (GradientDiagnostics': grad_norm/0)")
    keys.sort(key=lambda k: int(k.split("/")[1]))
    if not keys:
        raise ValidationError("history has no 'grad_norm/<layer>' entries: train with GradientDiagnostics()")
    norms = {k: _series(h, k, len(_series(h, keys[0]))) for k in keys}
    if not len(norms[keys[0]]):
        raise ValidationError(f"history's {keys[0]!r} is empty: no epoch to draw (train for at least one epoch)")
    every = np.concatenate(list(norms.values()))
    if (every < 0).any():
        raise ValidationError(f"history's gradient norms must be >= 0 (a norm); got {every[every < 0][0]:.6g}")
    fig = _figure(size, dpi)
    ax = fig.add_subplot(1, 1, 1)
    by_depth = layer_styles(ax, [int(k.split("/")[1]) for k in keys])
    for k, values in norms.items():
        _per_epoch(ax, values, f"layer {k.split('/')[1]}")
    positive = every[np.isfinite(every) & (every > 0)]
    # log(0) is no point: a zero norm (a dead layer) drawn at the bottom; so too when none is > 0 (all nan/inf),
    # where a log axis has no range (matplotlib's warning about a non-positive ylim)
    zero = bool((every == 0).any()) or not positive.size
    ax.set_yscale("symlog", linthresh=positive.min() if positive.size else 1.0) if zero else ax.set_yscale("log")
    ax.set_ylim(bottom=0 if zero else None, top=None if positive.size else 1)
    ax.set_ylabel("gradient norm ||dE/dW||" + (" (log; 0 at the bottom)" if zero else ""))
    ax.set_title(title or "gradient norm per layer", parse_math=False)
    ax.grid(alpha=0.3, which="both")
    if by_depth is not None:           # the layers by the colour bar; a nan/inf epoch's note in the legend
        fig.colorbar(by_depth, ax=ax, label="layer")
    keyed = [line for line in ax.get_lines() if by_depth is None or line.get_marker() == "x"]
    if keyed:
        ax.legend(handles=keyed, fontsize="small", ncols=-(-len(keyed) // 14),
                  **({"loc": "center left", "bbox_to_anchor": (1.01, 0.5)} if by_depth is None else {}))
    fig.tight_layout()
    return save_figure(fig, path, dpi)


LABELLED_EDGES = 9      # at most this many weights into one layer get a text label each; above, colour and a heat map


def _shown(n: int, max_units: int) -> list[int | None]:
    """The unit indices drawn for a level of n units: all, or the first and last few around a None (the ellipsis)."""
    if n <= max_units:
        return list(range(n))
    head = max_units // 2
    tail = max_units - head - 1
    return [*range(head), None, *range(n - tail, n)]


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
                      "the report itself lists them", UserWarning, stacklevel=3)
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
    `input_names`, `output_names`: labels of the inputs (column names) and outputs (classes); `note`: a line at the
    top left, drawn as written (what the inputs' and outputs' values are: standardised columns)."""
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
    from matplotlib import colormaps
    cmap = colormaps["RdBu_r"]
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
                ax.text(x - beside, y, clipped(input_names[unit]), ha="right", va="center", fontsize=8, zorder=5,
                        parse_math=False)          # a column's name as written: 'a$b$' is no formula
            if level == len(names) - 1 and output_names is not None:
                ax.text(x + beside, y, clipped(output_names[unit]), ha="left", va="center", fontsize=8, zorder=5,
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
        ax.text(len(names) - 0.5, tall - 0.35, "edges: weights, red > 0, blue < 0, wider = larger |w|",
                ha="right", va="top", fontsize=8, color="0.3")
        _weight_heat_maps(fig, dense, cmap, input_names)
    return save_figure(fig, path, dpi)


def _weight_heat_maps(fig, dense, cmap, input_names) -> None:
    """Each layer's weight matrix W (inputs down, neurons across), one colour scale per layer."""
    from matplotlib.ticker import MaxNLocator
    n = len(dense)
    for l, layer in enumerate(dense):
        ax = fig.add_axes((0.1 + l * 0.9 / n, 0.05, 0.9 / n - 0.09, 0.24))
        lim = float(np.abs(layer.W).max()) or 1.0
        # numbered from 1, as the units above (i1, h1, o1)
        im = ax.imshow(layer.W, cmap=cmap, vmin=-lim, vmax=lim, aspect="auto", interpolation="nearest",
                       extent=(0.5, layer.n_out + 0.5, layer.n_in + 0.5, 0.5))
        for axis in (ax.xaxis, ax.yaxis):      # whole unit numbers, also for one neuron (not 0.6, 0.8, ...)
            axis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
        ax.set_title(f"layer {l}: W ({layer.n_in} x {layer.n_out})", fontsize=9)
        ax.set_xlabel("neuron", fontsize=8)
        ax.set_ylabel("input", fontsize=8)
        ax.tick_params(labelsize=7)
        if l == 0 and input_names is not None and layer.n_in <= 12:
            ax.set_yticks(range(1, layer.n_in + 1), [clipped(s, 12) for s in input_names], fontsize=6,
                          parse_math=False)
        fig.colorbar(im, ax=ax, fraction=0.08, pad=0.02).ax.tick_params(labelsize=6)
