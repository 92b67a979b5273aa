"""A figure's colours are the explorer's: class k in the colour the explorer draws class k in, a weight's sign in
the colour the explorer's drawing gives it (the explorer's own files are the truth: charts.js, graph.js)."""
import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from chainrule.teach import plot  # noqa: E402

STATIC = Path(cr.__file__).parent / "teach" / "explore" / "static"


def explorer_classes() -> np.ndarray:
    """The explorer's class colours in its order (charts.js' PALETTE), as 0..1 RGB rows."""
    palette = re.search(r"const PALETTE = \{(.*?)\};", (STATIC / "charts.js").read_text(), re.S).group(1)
    grey = re.search(r"const GREY = \[([\d, ]+)\]", (STATIC / "charts.js").read_text()).group(1)
    rows = [m.group(2) or grey for m in re.finditer(r"(\w+): (?:\[([\d, ]+)\]|GREY)", palette)]
    return np.array([[int(v) for v in row.split(",")] for row in rows]) / 255


def explorer_signs() -> tuple[np.ndarray, np.ndarray]:
    """(negative, positive): the explorer's colours of a weight < 0 and > 0 (graph.js' NEG and POS)."""
    text = (STATIC / "graph.js").read_text()
    return tuple(np.array(to_rgb(re.search(rf'{name} = "(#[0-9a-f]{{6}})"', text).group(1))) for name in ("NEG", "POS"))


def regions_of(fig):
    return next(c for c in fig.axes[0].collections if hasattr(c, "levels"))


@pytest.mark.parametrize("classes", [3, 10, 16])
def test_each_class_has_the_explorers_colour_of_it(tmp_path, monkeypatch, classes):
    """tab10 drew class 0 blue and class 1 orange; the explorer draws class 0 orange and class 1 blue (and its
    sixteen in its own order): one class, two colours between the explorer and a figure of the same network."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, classes, "softmax")], loss="categorical_crossentropy")
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, np.arange(40) % classes,
                                                                     tmp_path / "b.png", resolution=20))
    drawn = regions_of(fig).cmap(np.arange(classes))[:, :3]
    np.testing.assert_allclose(drawn, explorer_classes()[:classes], atol=1 / 255)


def test_a_probability_of_class_1_runs_from_class_0s_colour_to_class_1s(tmp_path, monkeypatch):
    """A sigmoid output's map drew P(class 1) = 0 blue and 1 red: the explorer's class 0 is orange, its class 1 blue.
    Now 0 is class 0's colour, 1 class 1's, 0.5 white (no class)."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, (X[:, 0] > 0).astype(int),
                                                                     tmp_path / "b.png", resolution=20))
    cmap, norm = regions_of(fig).cmap, regions_of(fig).norm
    classes = explorer_classes()
    np.testing.assert_allclose(cmap(norm(0.0))[:3], classes[0], atol=1 / 255)
    np.testing.assert_allclose(cmap(norm(1.0))[:3], classes[1], atol=1 / 255)
    np.testing.assert_allclose(cmap(norm(0.5))[:3], [1, 1, 1], atol=0.02)


def test_a_weights_sign_has_the_explorers_colour(tmp_path, monkeypatch):
    """The explorer draws a weight > 0 blue and < 0 orange; the diagram drew > 0 red and < 0 blue (its key said so):
    blue meant the opposite sign in the two. The edges, the heat maps and the key now say the explorer's."""
    net = cr.Network([cr.Dense(3, 10, "relu"), cr.Dense(10, 2, "softmax")], loss="categorical_crossentropy", seed=0)
    fig = drawn_figure(monkeypatch, lambda: cr.plot.network_diagram(net, tmp_path / "n.png"))
    negative, positive = explorer_signs()
    W = net.dense_layers[0].W
    biggest, lowest = np.unravel_index(W.argmax(), W.shape), np.unravel_index(W.argmin(), W.shape)
    diagram = fig.axes[0]
    # the largest |w| of the network is drawn at the full colour of its sign
    w = W[biggest] if abs(W[biggest]) >= abs(W[lowest]) else W[lowest]
    assert abs(w) == max(abs(layer.W).max() for layer in net.dense_layers)
    sign = positive if w > 0 else negative
    drawn = [np.array(to_rgb(line.get_color())) for line in diagram.get_lines()]
    np.testing.assert_allclose(min(drawn, key=lambda c: np.linalg.norm(c - sign)), sign, atol=1 / 255)
    heat = [image for ax in fig.axes for image in ax.get_images()]
    assert len(heat) == 2
    for image in heat:
        low, high = image.get_clim()
        np.testing.assert_allclose(image.cmap(image.norm(high))[:3], positive, atol=1 / 255)
        np.testing.assert_allclose(image.cmap(image.norm(low))[:3], negative, atol=1 / 255)
    key = [t.get_text() for t in diagram.texts if t.get_text().startswith("edges:")]
    assert key == ["edges: weights, blue > 0, orange < 0, wider = larger |w|"]
