"""The gradient-norm figure says which end of the network its layers are: the vanishing-gradient story (layer 0's
norm the smallest under sigmoids) reads only if "layer 0" is known to be the layer nearest the inputs."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402

from chainrule.teach import plot  # noqa: E402


def history(n_layers):
    rng = np.random.default_rng(0)
    return {f"grad_norm/{l}": list(10.0 ** (l - n_layers) * (1 + rng.random(4))) for l in range(n_layers)}


def test_the_legend_names_the_inputs_end_and_the_output_end(tmp_path, monkeypatch):
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history(4), tmp_path / "g.png"))
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["layer 0 (input side)", "layer 1", "layer 2", "layer 3 (output side)"]
    fig.canvas.draw()                      # the longer key still inside the canvas
    box = fig.axes[0].get_legend().get_window_extent()
    assert -1e-6 <= box.x0 and box.x1 <= fig.bbox.width + 1e-6


def test_the_colour_bar_of_many_layers_names_the_ends(tmp_path, monkeypatch):
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history(12), tmp_path / "g.png"))
    bar = fig.axes[1]
    assert bar.get_ylabel() == "layer (0: the input side)"
    fig.canvas.draw()
    box = bar.yaxis.label.get_window_extent()
    assert 0 <= box.x0 and box.x1 <= fig.bbox.width and 0 <= box.y0 and box.y1 <= fig.bbox.height


def test_a_title_too_long_for_the_plot_beside_its_key_stays_on_the_canvas(tmp_path, monkeypatch):
    # one word of 70 letters (nothing to wrap at), centred on a plot the key pushes left, ran off the left edge
    title = "x" * 70
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history(8), tmp_path / "g.png", title=title))
    fig.canvas.draw()
    assert fig.axes[0].title.get_text() == title
    box = fig.axes[0].title.get_window_extent()
    assert -1e-6 <= box.x0 and box.x1 <= fig.bbox.width + 1e-6
