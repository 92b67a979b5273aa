"""Where the weight labels of a small network diagram go: each on its own edge, clear of crossings,
nodes, bias labels and each other (a label on a crossing of two edges does not say which it names)."""
from __future__ import annotations

from typing import Any

import numpy as np

Point = tuple[float, float]


def clipped(text: str, limit: int = 18) -> str:
    """A name cut to `limit` characters a line, its end as '...': a long column name would cover the diagram."""
    return "\n".join(line if len(line) <= limit else line[:limit - 3] + "..." for line in str(text).split("\n"))


def text_size(text: str, fontsize: float = 7) -> np.ndarray:
    """(width, height) in inches of a text box, estimated from its characters (no renderer needed)."""
    lines = text.split("\n")
    return np.array([max(map(len, lines)) * 0.6 * fontsize + 3, len(lines) * 1.25 * fontsize + 3]) / 72


def label_cost(c, size, others, boxes, centres, node_radius) -> tuple[bool, float]:
    """(does a label box at c clash with a node, a bias label or a label placed before, how bad: the points
    of other edges inside it + 1000 x the clashes), in inches."""
    half = size / 2 + 0.05
    crossed = sum(int(np.all(np.abs(pts - c) < half, axis=1).sum()) for pts in others)
    clash = sum(float(np.prod(np.maximum((size + s2) / 2 - np.abs(c - c2), 0))) for c2, s2 in boxes)
    near = np.maximum(np.abs(centres - c) - size / 2, 0)
    clash += float(np.sum(np.hypot(*near.T) < node_radius))
    return clash > 0, crossed + 1000 * clash


def place_labels(fig: Any, ax: Any, edges: list[tuple[Point, Point, str]], fixed: list[tuple[float, float, str]],
                 nodes: list[Point], node_radius: float) -> None:
    """Write each edge's label on its own edge, where its box is crossed by the fewest other edges and overlaps
    no node, bias label or label placed before: a label on a crossing of two edges does not say which it names."""
    span = np.array([np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim())])
    scale = np.array(ax.get_position().size) * fig.get_size_inches() / span      # inches per data unit
    segments = [(np.array(p) * scale, np.array(q) * scale) for p, q, _ in edges]
    ts = np.linspace(0.0, 1.0, 41)
    samples = [p + ts[:, None] * (q - p) for p, q in segments]
    boxes = [(np.array([x, top]) * scale - [0, text_size(t)[1] / 2], text_size(t)) for x, top, t in fixed]
    centres = np.array(nodes) * scale
    for k, ((p, q), (_, _, label)) in enumerate(zip(segments, edges)):
        size = text_size(label)
        others = [pts for m, pts in enumerate(samples) if m != k]
        t = min(np.linspace(0.2, 0.8, 25),
                key=lambda t: (*label_cost(p + t * (q - p), size, others, boxes, centres, node_radius), abs(t - 0.35)))
        c = p + t * (q - p)
        boxes.append((c, size))
        ax.text(*(c / scale), label, fontsize=7, ha="center", va="center",
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8}, zorder=3)
