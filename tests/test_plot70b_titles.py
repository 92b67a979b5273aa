"""Every figure's title on the canvas, read from matplotlib's renderer: a title holding a word too long to break (a
run's path, as `plot curves` titles its figure) ran off the edges beside a key or colour bar, cut off; two panels'
titles each stay within their panel's share of the width, clear of each other."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.teach import plot  # noqa: E402

PATH = "/home/learner/experiments/digits-relu-adam-batch32-seed0/checkpoints/history.jsonl"


def boundaries(tmp_path, titles, classes=1):
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, classes, "sigmoid" if classes == 1 else "softmax")],
                     loss="binary_crossentropy" if classes == 1 else "categorical_crossentropy", seed=0)
    return plot.decision_boundaries([net] * len(titles), X, y, tmp_path / "b.png", titles=titles)


DRAWN = {
    "gradient norms, key beside": lambda tmp_path, title: plot.gradient_norms(
        {f"grad_norm/{k}": [1.0, 0.5, 0.25] for k in range(3)}, tmp_path / "g.png", title=title),
    "gradient norms, colour bar beside": lambda tmp_path, title: plot.gradient_norms(
        {f"grad_norm/{k}": [1.0, 0.5, np.nan] for k in range(12)}, tmp_path / "g.png", title=title),
    "training curves, key": lambda tmp_path, title: plot.training_curves(
        {"loss": [1.0, 0.5], "val_loss": [1.1, 0.6], "accuracy": [0.5, 0.7]}, tmp_path / "c.png", title=title,
        size=(5, 3)),
    "decision boundary, colour bar beside": lambda tmp_path, title: boundaries(tmp_path, [title]),
    "decision boundaries of classes, colour bars beside": lambda tmp_path, title: boundaries(tmp_path, [title] * 2, 3),
}


def titles(fig):
    found = [fig._suptitle] if fig._suptitle is not None else []
    return [t for t in found + [ax.title for ax in fig.axes] if t.get_text()]


@pytest.mark.parametrize("title", [PATH, f"{PATH}: 30 epochs"])
@pytest.mark.parametrize("kind", DRAWN)
def test_a_title_too_long_to_break_stays_on_the_canvas(tmp_path, saved_figures, kind, title):
    DRAWN[kind](tmp_path, title)
    fig = saved_figures[0]
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    said = titles(fig)
    assert said
    shares = len(said)
    for k, text in enumerate(sorted(said, key=lambda t: t.get_window_extent(renderer).x0)):
        box = text.get_window_extent(renderer)
        share = fig.bbox.width / shares
        assert k * share - 0.5 <= box.x0 and box.x1 <= (k + 1) * share + 0.5, (kind, box, fig.bbox)
        assert 0 <= box.y0 and box.y1 <= fig.bbox.height
        assert "".join(text.get_text().split()) == "".join(title.split())      # all of it
        assert text.get_fontsize() >= 6         # smaller letters, still readable at 100 dpi
