"""A long title ran off both edges of the figure, cut off (gradient_norms at its 7 inches; training_curves' and
decision_boundaries' past their widths): it is broken into lines that fit."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
import chainrule as cr  # noqa: E402
from chainrule.teach import plot  # noqa: E402

TITLE = ("a rather long title for a run on the digits data set, 64-64-10 ReLU/softmax, Adam at 1e-3, batch 32, "
         "thirty epochs, float32, seed 0, the whole training set")


def titles(fig):
    """Every title of `fig` (its own and its panels') with text."""
    found = [fig._suptitle] if fig._suptitle is not None else []
    return [t for t in found + [ax.title for ax in fig.axes] if t.get_text()]


def inside(fig) -> None:
    fig.draw_without_rendering()
    width = fig.get_figwidth() * fig.dpi
    said = titles(fig)
    assert said
    for title in said:
        box = title.get_window_extent()
        assert box.x0 >= 0 and box.x1 <= width, (title.get_text(), box.x0, box.x1, width)
        assert " ".join(title.get_text().split()) in " ".join(TITLE.split())       # all of it, broken at spaces


def test_gradient_norms_long_title_fits(tmp_path, saved_figures):
    history = {f"grad_norm/{k}": [1.0, 0.5, 0.25] for k in range(3)}
    plot.gradient_norms(history, tmp_path / "g.png", title=TITLE)
    inside(saved_figures[0])


def test_training_curves_long_title_fits(tmp_path, saved_figures):
    plot.training_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]}, tmp_path / "c.png", title=TITLE + ", " + TITLE,
                         size=(6, 4))
    fig = saved_figures[0]
    fig.draw_without_rendering()
    box = fig._suptitle.get_window_extent()
    assert box.x0 >= 0 and box.x1 <= fig.get_figwidth() * fig.dpi


def test_decision_boundaries_long_titles_fit(tmp_path, saved_figures):
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    plot.decision_boundaries([net, net], X, y, tmp_path / "b.png", titles=[TITLE, TITLE])
    fig = saved_figures[0]
    inside(fig)
    panels = [t.get_window_extent() for t in titles(fig)]
    assert panels[0].x1 <= panels[1].x0          # the two panels' titles do not run into each other
    assert np.isfinite([p.x0 for p in panels]).all()


@pytest.mark.parametrize("cut", range(30, 60, 3))
def test_a_number_stays_with_its_word_and_a_name_with_hyphens_stays_whole(tmp_path, saved_figures, cut):
    """A title wrapped where it is full broke '/run/history.jsonl: 4 epochs' as '4' and 'epochs' on the next line (a
    reader sees a stray 4), and 'popen-gw0' or '64-64-10' at a hyphen; each cut of the width is tried."""
    name = "x" * cut + "/test-plot-64-64-10/run/history.jsonl"
    plot.training_curves({"loss": [1.0, 0.5, 0.4, 0.3]}, tmp_path / "c.png", title=f"{name}: 4 epochs", size=(4, 3))
    text = saved_figures[0]._suptitle.get_text()
    assert "4 epochs" in text and any(line.startswith(name) for line in text.split("\n"))
