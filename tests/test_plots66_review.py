"""What the diverged-history and long-title mends left: a gradient-norm plot of many layers, all diverged, had its
nan marks stepped below the axes (gone from the figure past the 16th layer) and its key over the curves and off the
page's edge; a gradient-norm plot nan at every epoch had y numbers of nothing; a title in capitals (wider than the
0.55-of-a-point letter guessed) still ran off both edges."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from test_plots66_nan_history import points  # noqa: E402

from chainrule.teach import plot  # noqa: E402

NAN = float("nan")
LAYERS = {f"grad_norm/{k}": [1.0 / (k + 1), 0.5 / (k + 1), NAN, NAN] for k in range(20)}   # all diverged at epoch 3
CAPITALS = ("A RATHER LONG TITLE FOR A RUN ON THE MNIST DATA SET WITH 64-64-10 RELU AND SOFTMAX, ADAM AT 1E-3, "
            "BATCH 32, THIRTY EPOCHS, FLOAT32, SEED 0, THE WHOLE TRAINING SET")


@pytest.mark.parametrize("layers", [3, 12, 20, 40])
def test_every_layers_nan_marks_are_inside_the_axes_and_apart(tmp_path, monkeypatch, layers):
    history = dict(list(LAYERS.items())[:min(layers, 20)])
    history.update({f"grad_norm/{k}": [1.0, 0.5, 0.25, NAN] for k in range(20, layers)})
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history, tmp_path / "g.png"))
    heights = [float(line.get_ydata()[0]) for line in fig.axes[0].get_lines() if line.get_marker() == "x"]
    assert len(heights) == layers
    assert all(0 < h < 1 for h in heights), heights           # axes' fraction: outside it, clipped away
    assert len(set(np.round(heights, 6))) == layers            # one x would hide another


def test_many_diverged_layers_key_covers_no_point_and_stays_on_the_page(tmp_path, monkeypatch):
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(LAYERS, tmp_path / "g.png"))
    fig.draw_without_rendering()
    ax = fig.axes[0]
    box = ax.get_legend().get_window_extent()
    page = fig.bbox
    assert page.x0 <= box.x0 and box.x1 <= page.x1 and page.y0 <= box.y0 and box.y1 <= page.y1, (box, page)
    inside = [(x, y) for x, y in points(ax) if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1]
    assert not inside
    assert ax.get_position().height > 0.3                     # the plot keeps the figure


def test_gradient_norms_nan_at_every_epoch_have_no_y_numbers(tmp_path, monkeypatch):
    history = {"grad_norm/0": [NAN, float("inf")], "grad_norm/1": [NAN, NAN]}
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history, tmp_path / "g.png"))
    fig.draw_without_rendering()
    said = [t.get_text() for t in fig.axes[0].get_yticklabels(minor=False) + fig.axes[0].get_yticklabels(minor=True)]
    assert not [t for t in said if t], said


@pytest.mark.parametrize("draw", ["gradient_norms", "training_curves", "decision_boundaries"])
def test_a_long_title_in_capitals_fits(tmp_path, monkeypatch, draw):
    import chainrule as cr
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    run = {"gradient_norms": lambda: plot.gradient_norms({"grad_norm/0": [1.0, 0.5]}, tmp_path / "g.png",
                                                         title=CAPITALS),
           "training_curves": lambda: plot.training_curves({"loss": [1.0, 0.5]}, tmp_path / "c.png", title=CAPITALS,
                                                           size=(6, 4)),
           "decision_boundaries": lambda: plot.decision_boundaries([net, net], X, y, tmp_path / "b.png",
                                                                   titles=[CAPITALS, CAPITALS])}[draw]
    fig = drawn_figure(monkeypatch, run)
    fig.draw_without_rendering()
    said = [t for t in [fig._suptitle, *(ax.title for ax in fig.axes)] if t is not None and t.get_text()]
    assert said
    for title in said:
        box = title.get_window_extent()
        assert 0 <= box.x0 and box.x1 <= fig.bbox.x1, (title.get_text(), box.x0, box.x1, fig.bbox.x1)
        assert " ".join(title.get_text().split()) == " ".join(CAPITALS.split())      # all of it, broken at spaces


def cielab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0..1) in CIE L*a*b* (D65), by the standards' formulas: distances there are as an eye sees them, which
    RGB's (the measure class_colours spreads its picks by) are not."""
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = linear @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]).T
    t = xyz / [0.95047, 1.0, 1.08883]
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.column_stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])])


@pytest.mark.parametrize("classes", [17, 30, 40, 60])
def test_class_colours_are_apart_as_an_eye_sees_them(classes):
    """Two classes' colours at least 5 apart in CIE76 delta E (about twice a just-noticeable difference, 2.3):
    tab20b's and tab20c's fixed order had two at 3.6 from 30 classes on."""
    from scipy.spatial.distance import pdist

    from chainrule.teach.colours import class_colours
    colours = class_colours(classes)(np.arange(classes))[:, :3]
    assert pdist(cielab(colours)).min() >= 5
