"""The iris network's heat maps: every label's text, as matplotlib's renderer measures it, lies on the figure."""
import pytest

import chainrule as cr
from chainrule.teach import plot

pytest.importorskip("matplotlib")

IRIS_COLUMNS = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
IRIS_CLASSES = ["setosa", "versicolor", "virginica"]


def _drawn(saved_figures, tmp_path, **kw):
    """The figure network_diagram wrote, kept to be measured."""
    net = cr.Network([cr.Dense(4, 8, "relu"), cr.Dense(8, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    plot.network_diagram(net, tmp_path / "iris.png", input_names=IRIS_COLUMNS, output_names=IRIS_CLASSES, **kw)
    return saved_figures[-1]


def _cut(fig) -> list[str]:
    """The texts drawn past an edge of the figure (matplotlib's own measure of each, once drawn)."""
    fig.draw_without_rendering()
    width, height = fig.bbox.width, fig.bbox.height
    drawn = fig.get_tightbbox()          # every artist drawn (ticks out of view are not), in inches
    cut = []
    if drawn.x0 < 0 or drawn.y0 < 0 or drawn.x1 > width / fig.dpi or drawn.y1 > height / fig.dpi:
        for text in fig.findobj(lambda o: hasattr(o, "get_window_extent") and isinstance(getattr(o, "_text", 0), str)):
            box = text.get_window_extent()
            if text.get_visible() and text.get_text() and (box.x0 < 0 or box.y0 < 0 or box.x1 > width or
                                                           box.y1 > height):
                cut.append(f"{text.get_text()!r} at {[round(v) for v in box.extents]} in {width:.0f} x {height:.0f}")
        cut = cut or [f"the drawing's extent {drawn.extents} in {width / fig.dpi} x {height / fig.dpi} inches"]
    return cut


@pytest.mark.parametrize("size", [None, (8, 6), (6, 5), (5, 4), (12, 4)])
def test_iris_heat_map_labels_lie_inside_the_figure(saved_figures, tmp_path, size):
    fig = _drawn(saved_figures, tmp_path, size=size,
                 note="inputs: the numeric columns standardised, (column - mean) / std of the training rows")
    assert _cut(fig) == []


def test_iris_heat_map_rows_keep_their_names(saved_figures, tmp_path):
    fig = _drawn(saved_figures, tmp_path)
    fig.draw_without_rendering()
    rows = [t.get_text() for ax in fig.axes for t in ax.get_yticklabels()]
    assert [f"i{k} {name}" for k, name in enumerate(IRIS_COLUMNS, 1)] == [r for r in rows if r.startswith("i")]


@pytest.mark.parametrize("size", [None, (6, 5), (5, 4)])
@pytest.mark.parametrize("inputs, outputs", [
    (["a_very_long_column_name_here", "another_long_column_name", "c"], ["class_with_a_long_name", "b", "c", "d"]),
    (["MedInc", "HouseAge", "AveRooms", "AveBedrms", "Population", "AveOccup", "Latitude", "Longitude"],
     ["MedHouseVal (standardised)"])])
def test_long_column_and_class_names_beside_the_diagram_lie_inside_the_figure(saved_figures, tmp_path, size, inputs,
                                                                               outputs):
    """The names beside the diagram's first and last units, as the heat maps' (a 5 x 4 figure cut them at its edges)."""
    last = "softmax" if len(outputs) > 1 else "linear"
    net = cr.Network([cr.Dense(len(inputs), 8, "relu"), cr.Dense(8, len(outputs), last)],
                     loss="categorical_crossentropy" if len(outputs) > 1 else "mse", seed=0)
    plot.network_diagram(net, tmp_path / "n.png", input_names=inputs, output_names=outputs, size=size)
    assert _cut(saved_figures[-1]) == []
    shown = [t.get_text() for t in saved_figures[-1].axes[0].texts]
    assert any(t.startswith(inputs[0][:4]) for t in shown) and any(t.startswith(outputs[0][:4]) for t in shown)


@pytest.mark.parametrize("size", [None, (6, 5)])
def test_keeping_the_heat_maps_on_the_figure_draws_the_figure_once_the_save(monkeypatch, saved_figures, tmp_path,
                                                                           size):
    """The maps are measured alone: a draw of the whole figure (its diagram's every edge) per move doubled the time."""
    from matplotlib.figure import Figure
    draws = []
    real = Figure.draw

    def counted(self, renderer):
        draws.append(self)
        return real(self, renderer)

    monkeypatch.setattr(Figure, "draw", counted)
    fig = _drawn(saved_figures, tmp_path, size=size)
    assert draws == [fig]
