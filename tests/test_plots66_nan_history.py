"""A diverged run's history drawn: the key of its nan/inf epochs (long lines) covered the curves it names, one curve's
nan marks hid under another's at the same epoch, and a loss that is nan at every epoch had y numbers of nothing."""
from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("matplotlib")
from chainrule.teach import plot  # noqa: E402

NAN, INF = float("nan"), float("inf")
DIVERGED = {"loss": [1.0, 0.5, NAN, NAN], "accuracy": [0.5, 0.6, 0.1, 0.1],
            "val_loss": [1.1, 0.6, NAN, INF], "val_accuracy": [0.5, 0.5, 0.1, 0.1]}


@pytest.fixture
def drawn(saved_figures):
    """The figures the plot functions save, drawn (their text and legends placed) as saved."""
    figures = saved_figures
    yield figures
    for fig in figures:
        fig.draw_without_rendering()


def points(ax) -> np.ndarray:
    """Every point drawn on `ax` (curves' points, 20 along each of their segments, and the nan/inf marks), in
    pixels."""
    drawn = []
    for line in ax.get_lines():
        xy = line.get_transform().transform(np.column_stack([line.get_xdata(), line.get_ydata()]))
        drawn.append(xy)
        if line.get_marker() != "x":
            drawn += [a + t * (b - a) for a, b in zip(xy, xy[1:]) for t in np.linspace(0, 1, 20)]
    xy = np.vstack(drawn)
    return xy[np.isfinite(xy).all(axis=1)]


def test_the_key_of_a_diverged_runs_loss_covers_none_of_its_points(tmp_path, drawn):
    plot.training_curves(DIVERGED, tmp_path / "c.png", title="diverged")
    fig = drawn[0]
    fig.draw_without_rendering()
    for ax in fig.axes:
        box = ax.get_legend().get_window_extent()
        inside = [(x, y) for x, y in points(ax) if box.x0 <= x <= box.x1 and box.y0 <= y <= box.y1]
        assert not inside, (ax.get_ylabel(), inside)


def test_each_curves_nan_marks_are_apart_at_the_same_epoch(tmp_path, drawn):
    plot.training_curves(DIVERGED, tmp_path / "c.png")
    loss = drawn[0].axes[0]
    marks = [line for line in loss.get_lines() if line.get_marker() == "x"]
    assert len(marks) == 2
    heights = [line.get_transform().transform([[3, line.get_ydata()[0]]])[0, 1] for line in marks]
    assert abs(heights[0] - heights[1]) > 5, heights       # pixels: one x would hide the other


def test_gradient_norms_nan_marks_are_apart_too(tmp_path, drawn):
    plot.gradient_norms({"grad_norm/0": [1.0, NAN, NAN], "grad_norm/1": [0.1, 0.0, NAN]}, tmp_path / "g.png")
    marks = [line for line in drawn[0].axes[0].get_lines() if line.get_marker() == "x"]
    assert len({float(line.get_ydata()[-1]) for line in marks}) == 2


def test_a_loss_nan_at_every_epoch_has_no_y_numbers(tmp_path, drawn):
    plot.training_curves({"loss": [NAN, NAN, INF], "accuracy": [0.1, 0.1, 0.1]}, tmp_path / "c.png")
    loss, accuracy = drawn[0].axes
    assert list(loss.get_yticks()) == []
    assert len(accuracy.get_yticks()) > 1          # a finite curve keeps its numbers
