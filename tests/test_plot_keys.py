"""What tells a figure's curves and regions apart: a gradient-norm plot of many layers keeps the figure for the
plot (a colour bar, not a key of each layer), and many classes get colours told apart."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from scipy.spatial.distance import pdist  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.teach import plot  # noqa: E402


@pytest.mark.parametrize("layers", [12, 40, 60])
def test_many_layers_gradient_norms_keep_the_figure_for_the_plot(tmp_path, monkeypatch, layers):
    """40 layers had a key of three columns beside the plot: half the figure's width; 60 layers came round to
    layer 40 drawn as layer 0. Each layer is its own colour on a bar labelled 'layer' (on the page), and a nan
    epoch's note is still in a legend."""
    from matplotlib.colors import to_rgba
    rng = np.random.default_rng(0)
    norms = {k: np.exp(-0.1 * k) * (1 + 0.1 * rng.random(6)) for k in range(layers)}
    norms[7][2] = np.nan
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms({f"grad_norm/{k}": list(v) for k, v in norms.items()},
                                                                tmp_path / "g.png"))
    ax = fig.axes[0]
    assert ax.get_position().width > 0.6
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["layer 7: not a number (nan/inf) at epoch 3"]
    bar = fig.axes[1]
    assert bar.get_ylabel() == "layer (0: the input side)" and bar.get_ylim() == (0, layers - 1)
    curves = [line for line in ax.get_lines() if line.get_marker() != "x"]
    assert len({tuple(np.round(to_rgba(line.get_color()), 3)) for line in curves}) == layers     # none alike
    for k, line in enumerate(curves):          # each curve the history's, in its depth's colour
        np.testing.assert_array_equal(line.get_ydata(), norms[k])
        np.testing.assert_allclose(line.get_color(), bar.collections[0].cmap(k / (layers - 1)))   # read off the bar
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    key, page = bar.get_window_extent(), fig.bbox
    assert page.x0 <= key.x0 and key.x1 <= page.x1 and page.y0 <= key.y0 and key.y1 <= page.y1, (key, page)


@pytest.mark.parametrize("n", [30, 45, 60])
def test_many_classes_have_colours_told_apart(tmp_path, monkeypatch, n):
    """Past 20 classes turbo's spread made neighbouring classes near-identical (0.086 apart in RGB for 30, closer
    than any two of tab20's colours): now classes k and k + 1 are as far apart as tab20's closest two, and none
    share a colour."""
    from matplotlib import colormaps
    tab20 = pdist(colormaps["tab20"](np.arange(20))[:, :3]).min()
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, n, "softmax")], loss="categorical_crossentropy", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, np.arange(200) % n,
                                                                     tmp_path / "b.png", resolution=20))
    colours = fig.axes[0].collections[0].cmap(np.arange(n))[:, :3]
    assert np.linalg.norm(np.diff(colours, axis=0), axis=1).min() >= tab20
    assert pdist(colours).min() > 0.05


def test_past_sixty_classes_a_warning_says_colours_are_alike_and_which_classes_the_bar_numbers(tmp_path, monkeypatch):
    """The warning said 'the colour bar names them', but the bar numbers only some of 70 classes: it says which."""
    X = np.random.default_rng(0).normal(size=(100, 2))
    net = cr.Network([cr.Dense(2, 70, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.warns(UserWarning, match="70 classes, more than the 60 colours told apart") as caught:
        fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, np.arange(100) % 70,
                                                                         tmp_path / "b.png", resolution=20))
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    bar = fig.axes[1]
    low, high = bar.get_ylim()
    numbers = [int(t.get_text()) for t in bar.get_yticklabels() if t.get_text() and low <= t.get_position()[1] <= high]
    step = numbers[1] - numbers[0]
    assert numbers == list(range(0, 70, step)) and step > 1           # some classes only
    said = str(next(w.message for w in caught if "70 classes" in str(w.message)))
    assert said.endswith(f"the colour bar numbers one class in {step} (0, {step}, {2 * step}, ...)"), said


def test_the_guides_deep_network_figures_count_its_layers_as_the_guide_does(tmp_path, monkeypatch):
    """The figures were titled '8 layers, sigmoid' under a guide saying 'Seven sigmoid layers under the softmax
    output (8 layers of weights'; their titles now count as the guide does, from the networks trained (one gradient
    norm per layer of weights), spell their activation as the guide's text under each does ('7 ReLU layers', not
    'relu'), and stay on the figure."""
    import re
    from pathlib import Path

    from chainrule.teach import figures
    drawn = []
    real_save = plot.save_figure
    monkeypatch.setattr(plot, "save_figure", lambda fig, path, dpi: drawn.append(fig) or real_save(fig, path, dpi))
    histories = {}
    real_networks = figures.deep_networks
    monkeypatch.setattr(figures, "deep_networks", lambda epochs: histories.update(real_networks(1)) or histories)
    figures.deep_figures(tmp_path)
    guide = " ".join((Path(__file__).parents[1] / "docs" / "guide.md").read_text().split())
    said = re.search(r"(\w+) sigmoid layers under the softmax output \((\d+) layers of weights", guide)
    assert said, "the guide's sentence on its deep sigmoid network"
    words = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
    hidden, weights = words.index(said[1].lower()) + 1, int(said[2])
    for fig, (act, history) in zip(drawn, histories.items()):
        assert sum(k.startswith("grad_norm/") for k in history.history) == weights == hidden + 1
        title = fig.axes[0].title
        alt = re.search(rf"!\[(\d+ \w+ layers) and a softmax output\]\(figures/gradients-deep-{act}.png\)", guide)
        assert alt and alt[1].lower() == f"{hidden} {act} layers", act      # the guide's words under this figure
        assert title.get_text().startswith(f"{alt[1]}, softmax output ({weights} layers of weights)")
        fig.draw(FigureCanvasAgg(fig).get_renderer())
        box = title.get_window_extent()
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)
