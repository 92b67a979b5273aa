"""Figures with matplotlib (the `[plot]` extra), drawn without a display and saved to files: training curves,
decision boundaries, gradient norms, and (from `diagram`) a network with its weights.

Each function draws on a `matplotlib.figure.Figure` (no pyplot, no window), saves it as PNG or SVG
(by the path's extension) at exactly `size` inches x `dpi`, and returns the path.
"""
from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ValidationError, counted
from .colours import class_colours, layer_styles, numbered, signed
from .diagram import network_diagram  # noqa: F401  (cr.plot.network_diagram, as before the split)
from .notation import neuron_names


def _figure(size, dpi):
    try:
        import matplotlib  # noqa: F401 (the package alone: a dependency of it missing is its own error, below)
    except ModuleNotFoundError as exc:
        from ..extras import absent, missing
        if not absent(exc, "matplotlib"):
            raise
        raise ImportError(missing("matplotlib", "plots need")) from None
    from matplotlib.figure import Figure
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
        # each curve's marks a step below the one before's (at one epoch, one hid under the other), the steps
        # closer where many, so that the last stays inside the axes (a 17th 0.06 below was clipped away)
        marks = [drawn for drawn in ax.get_lines() if drawn.get_marker() == "x"]
        step = min(0.06, 0.92 / max(1, len(marks) - 1))
        for row, drawn in enumerate(marks):
            drawn.set_ydata(np.full(len(drawn.get_xdata()), 0.97 - step * row))
    ax.set_xlim(0.5, max(np.max(drawn.get_xdata(), initial=1) for drawn in ax.get_lines()) + 0.5)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1, steps=[1, 2, 5, 10]))
    ax.set_xlabel("epoch")


def _decades(ax) -> tuple[float, float] | None:
    """The log axis' range of the losses drawn on `ax` where their finite values are all > 0 and span a factor of 10
    or more, as the explorer's loss chart has (a linear one drew a diverged run's every epoch but its last at 0, and
    a long run's last thousand epochs flat under its first); None for a linear axis. Its margins are kept within
    1e-307..1e307 (matplotlib's own went past the largest float for a loss of 1e280, and failed), its range never
    short of a loss: a diverged run's last finite one can be 1.7e308."""
    curves = [line for line in ax.get_lines() if line.get_marker() != "x"]       # not the nan/inf marks
    values = np.concatenate([np.asarray(line.get_ydata(), float) for line in curves])
    values = values[np.isfinite(values)]
    with np.errstate(over="ignore"):        # 1 / 1e-320 is inf: a span of 10 and more, said without a warning
        if not values.size or values.min() <= 0 or values.max() / values.min() < 10:
            return None
    low, high = np.log10(values.min()), np.log10(values.max())
    pad = 0.05 * (high - low)
    return min(10 ** max(low - pad, -307.0), values.min()), max(10 ** min(high + pad, 307.0), values.max())


def _log_ticks(ax, low: float, high: float) -> None:
    """`ax`'s y range low..high; past 6 decades its ticks at most 7 powers of 10 within it: matplotlib's own placed
    one past 1e308 (a loss of 1e280; its stride of decades ends one past the range) and failed on it, as it does
    for any range reaching near 1e308."""
    from matplotlib.ticker import FixedLocator, NullLocator
    ax.set_ylim(low, high)      # before the scale: its autoscaling padded 1e308 past the largest float (a warning)
    ax.set_yscale("log")
    first, last = int(np.ceil(np.log10(low))), int(np.floor(np.log10(high)))
    if last - first <= 6 and high < 1e300:      # matplotlib's ticks: each decade, minor ticks between
        return
    step = max(1, -(-(last - first) // 6))
    ax.yaxis.set_major_locator(FixedLocator([10.0 ** k for k in range(first, last + 1, step)]))
    ax.yaxis.set_minor_locator(NullLocator())       # a tick not every decade: none between


def _wrapped(label: str, width: int = 46) -> str:
    """An axis name's lines broken at spaces to `width` characters: a longer line ran off a 4-inch figure. A number
    stays with the word after it ('4 epochs' was broken as '4' and 'epochs' on the next line)."""
    import re
    import textwrap
    lines = (re.sub(r"(?<=\d) (?=[^\W\d])", "\u00a0", line) for line in label.split("\n"))
    return "\n".join(textwrap.fill(line, width, break_long_words=False, break_on_hyphens=False)
                     for line in lines).replace("\u00a0", " ")


def _titled(text: str, fig: Any, points: float = 12.0) -> str:
    """`text` in lines that fit `fig`'s width at `points`, its letters' mean width measured in matplotlib's font (a
    guessed 0.55 of a point each let a title in capitals run off both edges, cut off); 0.85 of the width, as a
    panel's title is centred on its plot, off its share's centre by the colour bar."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path
    wide = text_to_path.get_text_width_height_descent(text, FontProperties(size=points), ismath=False)[0]
    letter = max(wide / max(len(text), 1), 0.3 * points)
    return _wrapped(text, max(20, int(0.85 * fig.get_figwidth() * 72 / letter)))


def _numbered_if_finite(ax) -> None:
    """No numbers on `ax`'s y axis where none of its curves has a finite value: they told of nothing."""
    from matplotlib.ticker import NullLocator
    lines = [line for line in ax.get_lines() if line.get_marker() != "x"]
    if not any(np.isfinite(np.asarray(line.get_ydata(), float)).any() for line in lines):
        ax.yaxis.set_major_locator(NullLocator())
        ax.yaxis.set_minor_locator(NullLocator())       # a log axis numbers its minor ticks too


def _legend(ax, handles: list | None = None) -> None:
    """The key of `ax`'s curves (or `handles`): where a nan/inf epoch's note is in it (a line's width), below the plot,
    as its long lines covered the curves inside."""
    lines = ax.get_lines()
    if any(line.get_marker() == "x" for line in lines):
        from matplotlib.transforms import ScaledTranslation

        # half an inch down: past the ticks and the 'epoch' under them
        below = ax.transAxes + ScaledTranslation(0, -0.5, ax.figure.dpi_scale_trans)
        ax.legend(handles=handles or lines, loc="upper center", bbox_to_anchor=(0.5, 0), bbox_transform=below,
                  fontsize="small")
    else:
        ax.legend(handles=handles or lines)


def training_curves(history: Any, path: str | PathLike, size: tuple[float, float] = (10, 4),
                    dpi: int = 100, title: str | None = None, validation_freq: Any = 1,
                    loss_label: str = "loss", accuracy_label: str = "accuracy") -> Path:
    """Loss (and accuracy, when there is one) per epoch, training and validation; `title` above them;
    `validation_freq` as fit was given it: the val_ values are drawn at the epochs validated; `loss_label` the
    loss axis's name, which says what the loss is of where that is not the data's own units (a regression
    trained on its standardised target, as `chainrule train` does), `accuracy_label` the accuracy axis's (weighted
    rows'). The loss on a log scale where it spans a factor of 10 or more (and none is 0 or below), as the
    explorer's."""
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
                                      f"{validation_freq!r} over {counted(n, 'epoch')} validates {len(at)}: give the "
                                      "validation_freq fit was given (or the history of one run)")
            _per_epoch(ax, val, "validation", at)
        label = loss_label if metric == "loss" else accuracy_label
        if metric == "loss" and (span := _decades(ax)) is not None:
            _log_ticks(ax, *span)
            first, newline, rest = label.partition("\n")      # said on its first line, by the loss's name
            # whole, on a line of its own where the first has no room ('(log' and 'scale)' were broken apart)
            said = " (log scale)" if len(f"{first} (log scale)") <= 46 else "\n(log scale)"
            label = f"{first}{said}{newline}{rest}"
        ax.set_ylabel(_wrapped(label), parse_math=False)
        ax.grid(alpha=0.3)
        _numbered_if_finite(ax)
        _legend(ax)
    # as written: '$x$' is no formula, nor 'cost $5' half of one
    heading = fig.suptitle(_titled(title, fig), parse_math=False) if title else None
    fig.tight_layout()
    if heading is not None:
        _title_on_canvas(heading)
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
    from .explain import network_argument
    for k, net in enumerate(nets):
        network_argument(net, "decision_boundaries", "chainrule.plot.decision_boundaries([{net}], X, y, path)",
                         f"nets[{k}]")
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
        # a probability keeps its colour from plot to plot (0.5 is white); classes get one colour each; both the
        # explorer's colours of class 0 and 1 (orange, blue)
        levels = np.linspace(0, 1, 21) if out.shape[1] == 1 else np.arange(out.shape[1] + 1) - 0.5
        cmap = signed() if out.shape[1] == 1 else class_colours(out.shape[1])
        filled = ax.contourf(gx, gy, z.reshape(gx.shape), levels=levels, cmap=cmap, alpha=0.6)
        regions.append((ax, filled, out.shape[1]))
        if out.shape[1] == 1 and np.ptp(z) < 1e-3:      # no boundary to draw: say so
            ax.text(0.5, 0.5, f"output {z.mean():.2f} everywhere:\nno boundary", transform=ax.transAxes,
                    ha="center", va="center", fontsize=11, bbox={"fc": "white", "ec": "0.5"})
        elif out.shape[1] == 1:
            ax.contour(gx, gy, z.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1.5)
        # each point in its class's colour, the colour of that class's region (not spread over the classes in y)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap=filled.cmap, norm=filled.norm, edgecolors="k", s=25)
        ax.set_title(_titled(title, fig, 12.0 * len(nets)), parse_math=False)        # a panel's share of the width
        first, second = neuron_names(net)[0]        # the axes are the network's two inputs, named by notation
        ax.set(xlabel=f"input {first}", ylabel=f"input {second}")
        ax.locator_params(axis="x", nbins=5)       # six ticks of -0.50 run together in a 4.5-inch panel
    for ax, filled, n in regions:          # what the colours say: the probability of class 1, or the class
        bar = fig.colorbar(filled, ax=ax, fraction=0.06, pad=0.03,
                           ticks=[0, 0.5, 1] if n == 1 else range(0, n, numbered(n)))      # at most 20 numbers
        bar.set_label("network output: P(class 1)" if n == 1 else "predicted class", fontsize=9)
    fig.tight_layout()
    for k, (ax, _, _) in enumerate(regions):      # each title within its panel's share, clear of its neighbours'
        _title_on_canvas(ax.title, (k / len(regions), (k + 1) / len(regions)))
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
    ends = {keys[0]: " (input side)", keys[-1]: " (output side)"} if len(keys) > 1 else {}
    for k, values in norms.items():        # which end is which: layer 0's small norm is the vanishing gradient
        _per_epoch(ax, values, f"layer {k.split('/')[1]}{ends.get(k, '')}")
    positive = every[np.isfinite(every) & (every > 0)]
    # log(0) is no point: a zero norm (a dead layer) drawn at the bottom; so too when none is > 0 (all nan/inf),
    # where a log axis has no range (matplotlib's warning about a non-positive ylim)
    zero = bool((every == 0).any()) or not positive.size
    ax.set_yscale("symlog", linthresh=positive.min() if positive.size else 1.0) if zero else ax.set_yscale("log")
    ax.set_ylim(bottom=0 if zero else None, top=None if positive.size else 1)
    ax.set_ylabel("gradient norm ||dE/dW||" + (" (log; 0 at the bottom)" if zero else ""))
    ax.set_title(_titled(title or "gradient norm per layer", fig), parse_math=False)
    ax.grid(alpha=0.3, which="both")
    if by_depth is not None:           # the layers by the colour bar; a nan/inf epoch's note in the legend
        fig.colorbar(by_depth, ax=ax, label=f"layer ({keys[0].split('/')[1]}: the input side)")
    keyed = [line for line in ax.get_lines() if by_depth is None or line.get_marker() == "x"]
    if by_depth is None and keyed:
        ax.legend(handles=keyed, fontsize="small", ncols=-(-len(keyed) // 14), loc="center left",
                  bbox_to_anchor=(1.01, 0.5))
    elif keyed:     # a nan/inf note of each of 20 layers covered the plot: three, then the others' count
        from matplotlib.lines import Line2D
        more = Line2D([], [], marker="x", linestyle="none", color="grey",
                      label=f"{len(keyed) - 3} more layers: not a number (nan/inf), in their depth's colour")
        _legend(ax, keyed if len(keyed) <= 4 else [*keyed[:3], more])
    _numbered_if_finite(ax)
    fig.tight_layout()
    _title_on_canvas(ax.title)
    return save_figure(fig, path, dpi)


def _title_on_canvas(title: Any, share: tuple[float, float] = (0.0, 1.0)) -> None:
    """`title` (a panel's or the figure's, drawn) kept within its `share` of the figure's width (fractions; a panel's
    share beside others'): centred on it where, centred on a plot pushed left by the key beside it, it ran off the
    left edge, and in smaller letters where a word too long to break (a path) ran off both."""
    fig = title.figure
    fig.draw_without_rendering()
    left, right = share[0] * fig.bbox.width, share[1] * fig.bbox.width
    box = title.get_window_extent()
    for _ in range(5):          # letters' widths are not quite in proportion to their size: until it fits
        if box.width <= right - left:
            break
        title.set_fontsize(title.get_fontsize() * (right - left) / box.width * 0.98)
        fig.draw_without_rendering()
        box = title.get_window_extent()
    if box.x0 < left or box.x1 > right:
        title.set_x(title.get_transform().inverted().transform(((left + right) / 2, 0))[0])
