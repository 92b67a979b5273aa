"""Past 16 classes a decision boundary's colours were tab20's: class 0 blue and class 1 orange, the other way round
from the explorer and from the guide's 'class 0 orange, class 1 blue', and two of its shades side by side near-alike.
The explorer's 16 come first at any number of classes, and every class's colour stays apart from the others."""
from __future__ import annotations

import numpy as np
import pytest

import chainrule as cr

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from test_plot_colours import explorer_classes, regions_of  # noqa: E402

from chainrule.teach import plot  # noqa: E402


@pytest.mark.parametrize("classes", [17, 20, 40, 60])
def test_the_explorers_sixteen_first_and_every_class_apart(tmp_path, monkeypatch, classes):
    X = np.random.default_rng(0).normal(size=(classes * 2, 2))
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, classes, "softmax")], loss="categorical_crossentropy")
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, np.arange(len(X)) % classes,
                                                                     tmp_path / "b.png", resolution=20))
    drawn = regions_of(fig).cmap(np.arange(classes))[:, :3]
    np.testing.assert_allclose(drawn[:16], explorer_classes(), atol=1 / 255)
    apart = np.linalg.norm(drawn[:, None] - drawn[None], axis=2)[np.triu_indices(classes, 1)]
    assert apart.min() > 0.1, apart.min()        # RGB distance: tab20's shades were 0.065 apart at 40 classes
