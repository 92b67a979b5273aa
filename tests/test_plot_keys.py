"""What tells a figure's curves and regions apart: a gradient-norm plot of many layers keeps the figure for the
plot (a colour bar, not a key of each layer), and many classes get colours told apart."""
import numpy as np
import pytest

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from scipy.spatial.distance import pdist  # noqa: E402

import chainrule as cr  # noqa: E402
from chainrule.teach import plot  # noqa: E402


@pytest.mark.parametrize("layers", [12, 40])
def test_many_layers_gradient_norms_keep_the_figure_for_the_plot(tmp_path, monkeypatch, layers):
    """40 layers had a key of three columns beside the plot: half the figure's width."""
    rng = np.random.default_rng(0)
    norms = {k: np.exp(-0.1 * k) * (1 + 0.1 * rng.random(6)) for k in range(layers)}
    fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms({f"grad_norm/{k}": list(v) for k, v in norms.items()},
                                                                tmp_path / "g.png"))
    ax = fig.axes[0]
    assert ax.get_position().width > 0.6 and ax.get_legend() is None
    bar = fig.axes[1]
    assert bar.get_ylabel() == "layer" and bar.get_ylim() == (0, layers - 1)
    for k, line in enumerate(ax.get_lines()):          # each curve the history's, in its depth's colour
        np.testing.assert_array_equal(line.get_ydata(), norms[k])
        np.testing.assert_allclose(line.get_color(), bar.collections[0].cmap(k / (layers - 1)))   # read off the bar


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


def test_past_sixty_classes_a_warning_says_colours_are_alike(tmp_path):
    X = np.random.default_rng(0).normal(size=(100, 2))
    net = cr.Network([cr.Dense(2, 70, "softmax")], loss="categorical_crossentropy", seed=0)
    with pytest.warns(UserWarning, match="70 classes, more than the 60 colours told apart"):
        plot.decision_boundaries([net], X, np.arange(100) % 70, tmp_path / "b.png", resolution=20)
