"""Figures with matplotlib (the `[plot]` extra), drawn without a display and saved to files.

Each function draws on a `matplotlib.figure.Figure` (no pyplot, no window), saves it as PNG or SVG
(by the path's extension) at exactly `size` inches x `dpi`, and returns the path.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import ValidationError


def _figure(size, dpi):
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("plots need matplotlib: pip install 'chainrule[plot]'") from None
    return Figure(figsize=size, dpi=dpi)


def _save(fig, path, dpi) -> Path:
    path = Path(path)
    if path.suffix.lower() not in (".png", ".svg"):
        raise ValidationError(f"path must end in .png or .svg; got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi)
    return path


def training_curves(history, path, size=(10, 4), dpi=100) -> Path:
    """Loss (and accuracy, when there is one) per epoch, training and validation."""
    h = history.history if hasattr(history, "history") else dict(history)
    if "loss" not in h:
        raise ValidationError(f"history has no 'loss'; it has {sorted(h)}")
    fig = _figure(size, dpi)
    metrics = ["loss"] + (["accuracy"] if "accuracy" in h else [])
    for k, metric in enumerate(metrics):
        ax = fig.add_subplot(1, len(metrics), k + 1)
        epochs = np.arange(1, len(h[metric]) + 1)
        ax.plot(epochs, h[metric], label="training")
        if f"val_{metric}" in h:
            ax.plot(epochs, h[f"val_{metric}"], label="validation")
        ax.set_xlabel("epoch")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend()
    fig.tight_layout()
    return _save(fig, path, dpi)


def decision_boundaries(nets, X, y, path, titles=None, size=None, dpi=100, resolution=200) -> Path:
    """The decision regions of 2-input classifiers side by side, with the data on top."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValidationError(f"X must have 2 features to draw a decision boundary; got shape {X.shape}")
    nets = list(nets)
    titles = titles or [f"{len(n.dense_layers)} layer(s)" for n in nets]
    fig = _figure(size or (4.5 * len(nets), 4), dpi)
    pad = 0.5
    xs = np.linspace(X[:, 0].min() - pad, X[:, 0].max() + pad, resolution)
    ys = np.linspace(X[:, 1].min() - pad, X[:, 1].max() + pad, resolution)
    gx, gy = np.meshgrid(xs, ys)
    grid = np.column_stack([gx.ravel(), gy.ravel()])
    for k, (net, title) in enumerate(zip(nets, titles)):
        ax = fig.add_subplot(1, len(nets), k + 1)
        out = net.predict(grid)
        z = out[:, 0] if out.shape[1] == 1 else out.argmax(axis=1)
        # a probability keeps its colour from plot to plot (0.5 is white); classes get one colour each
        levels = np.linspace(0, 1, 21) if out.shape[1] == 1 else np.arange(out.shape[1] + 1) - 0.5
        ax.contourf(gx, gy, z.reshape(gx.shape), levels=levels, cmap="RdBu_r", alpha=0.6)
        if out.shape[1] == 1 and np.ptp(z) < 1e-3:      # no boundary to draw: say so
            ax.text(0.5, 0.5, f"output {z.mean():.2f} everywhere:\nno boundary", transform=ax.transAxes,
                    ha="center", va="center", fontsize=11, bbox={"fc": "white", "ec": "0.5"})
        elif out.shape[1] == 1:
            ax.contour(gx, gy, z.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1.5)
        ax.scatter(X[:, 0], X[:, 1], c=y, cmap="RdBu_r", edgecolors="k", s=25)
        ax.set_title(title)
    fig.tight_layout()
    return _save(fig, path, dpi)


def gradient_norms(history, path, size=(7, 4), dpi=100, title=None) -> Path:
    """Per-layer gradient norms over epochs (from GradientDiagnostics), on a log scale."""
    h = history.history if hasattr(history, "history") else dict(history)
    keys = sorted((k for k in h if k.startswith("grad_norm/")), key=lambda k: int(k.split("/")[1]))
    if not keys:
        raise ValidationError("history has no 'grad_norm/<layer>' entries: train with GradientDiagnostics()")
    fig = _figure(size, dpi)
    ax = fig.add_subplot(1, 1, 1)
    for k in keys:
        ax.semilogy(np.arange(1, len(h[k]) + 1), h[k], marker="o", label=f"layer {k.split('/')[1]}")
    ax.set_xlabel("epoch")
    ax.set_ylabel("gradient norm ||dE/dW||")
    ax.set_title(title or "gradient norm per layer")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize="small", loc="center left", bbox_to_anchor=(1.01, 0.5))
    fig.tight_layout()
    return _save(fig, path, dpi)


def network_diagram(net, path, report=None, size=(8, 5), dpi=100, max_units=12) -> Path:
    """A small network: units in columns, each edge labelled with its weight (and, given an
    `explain` report, its gradient). Names as `explain` gives them (i1, h1, o1, w1..)."""
    from .explain import neuron_names, weight_name
    dense = net.dense_layers
    names = neuron_names(net)
    if max(len(level) for level in names) > max_units:
        raise ValidationError(f"network_diagram draws at most {max_units} units per layer; this network has "
                              f"{max(len(level) for level in names)}")
    grads = {}
    if report is not None:
        grads = {p["name"]: p["grad"] for p in report.to_dict()["parameters"]}
    fig = _figure(size, dpi)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_axis_off()
    ax.set_xlim(-0.5, len(names) - 0.5)
    ax.set_ylim(-0.5, max(len(level) for level in names) - 0.5)

    def pos(level, k):
        n = len(names[level])
        top = max(len(lv) for lv in names)
        return level, (top - 1) / 2 + (n - 1) / 2 - k

    for l, layer in enumerate(dense):
        for i in range(layer.n_in):
            for j in range(layer.n_out):
                (x0, y0), (x1, y1) = pos(l, i), pos(l + 1, j)
                ax.plot([x0, x1], [y0, y1], color="0.6", lw=1, zorder=1)
                name = weight_name(dense, l, i, j)
                label = f"{name}={layer.W[i, j]:.3g}" + (f"\ng={grads[name]:.2e}" if name in grads else "")
                t = 0.3 if (i + j) % 2 == 0 else 0.7
                ax.text(x0 + t * (x1 - x0), y0 + t * (y1 - y0), label, fontsize=7, ha="center", va="center",
                        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}, zorder=3)
    for level, units in enumerate(names):
        for k, unit in enumerate(units):
            x, y = pos(level, k)
            ax.scatter([x], [y], s=900, c="#cfe2f3" if level else "#d9ead3", edgecolors="k", zorder=4)
            ax.text(x, y, unit, ha="center", va="center", fontsize=10, zorder=5)
            if level:
                b = dense[level - 1].b[k]
                ax.text(x, y - 0.17, f"b={b:.3g}", ha="center", va="top", fontsize=7, zorder=5)
    return _save(fig, path, dpi)
