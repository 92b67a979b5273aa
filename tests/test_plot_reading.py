"""The plots read right: whole epochs, nan/inf and zero values shown, points coloured as their
class, names as written, refusals in words, and a failed save that keeps the previous figure."""
import errno
import warnings

import numpy as np
import pytest

import chainrule as cr

pytest.importorskip("matplotlib")
from conftest import cie_lab, drawn_figure  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from chainrule.teach import plot  # noqa: E402


def shown_names(fig, ax, axis="x"):
    """{position: text} of the tick labels drawn inside the axes' range."""
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    low, high = sorted(ax.get_xlim() if axis == "x" else ax.get_ylim())
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    at = [(t.get_position()[0 if axis == "x" else 1], t.get_text()) for t in labels]
    return {p: text for p, text in at if text and low <= p <= high}


def shown_ticks(fig, ax, axis="x"):
    """The tick labels drawn inside the axes' range, as numbers."""
    return [float(text.replace("\u2212", "-")) for text in shown_names(fig, ax, axis).values()]


def test_a_failed_save_keeps_the_previous_figure(tmp_path, monkeypatch):
    path = tmp_path / "curves.png"
    plot.training_curves({"loss": [1.0, 0.5]}, path)
    before = path.read_bytes()
    real = Figure.savefig

    def disk_full(self, target, **kw):          # the new figure written, then the disk is full
        real(self, target, **kw)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Figure, "savefig", disk_full)
    with pytest.raises(OSError, match="No space left"):
        plot.training_curves({"loss": [3.0, 2.0, 1.0]}, path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["curves.png"]       # no temporary file left beside it


def test_column_names_are_drawn_as_written(tmp_path, monkeypatch):
    # a '$..$' in a column's name was read as a formula: a broken one raised matplotlib's parse error
    # half way through writing the SVG, which lost the file that was there
    net = cr.examples.seed_network()[0]
    path = tmp_path / "n.svg"
    path.write_text("<svg>previous</svg>")
    names = [r"cost $\frac$", "a$b$"]
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, path, input_names=names,
                                                                 output_names=["$x$", "y"]))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert all(name in texts for name in [*names, "$x$"])
    assert path.read_text().startswith("<?xml")


@pytest.mark.parametrize("epochs", [1, 3, 20])
def test_the_epoch_axis_counts_whole_epochs_and_one_epoch_is_seen(tmp_path, monkeypatch, epochs):
    loss = list(np.linspace(1.0, 0.5, epochs))
    history = {"loss": loss, "val_loss": loss, "accuracy": [0.5] * epochs,
               "grad_norm/0": loss, "grad_norm/1": loss}
    for draw in (plot.training_curves, plot.gradient_norms):
        fig = drawn_figure(monkeypatch, lambda draw=draw: draw(history, tmp_path / "h.png"))
        for ax in fig.axes:
            ticks = shown_ticks(fig, ax)
            assert ticks and all(t == int(t) and 1 <= t <= epochs for t in ticks), ticks     # no 0.96, 2.5
            assert ax.get_xlim()[0] < 1 and ax.get_xlim()[1] > epochs
            for line in ax.get_lines():      # a single epoch is one point: without a marker nothing is drawn
                assert epochs > 1 or line.get_marker() not in (None, "None", "", " ")


def test_nan_and_inf_epochs_are_marked_not_left_out(tmp_path, monkeypatch):
    history = {"loss": [1.0, 0.5, float("nan"), float("inf")], "accuracy": [0.5, 0.6, 0.7, 0.7]}
    fig = drawn_figure(monkeypatch, lambda: plot.training_curves(history, tmp_path / "c.png"))
    loss_ax = fig.axes[0]
    legend = [t.get_text() for t in loss_ax.get_legend().get_texts()]
    assert any("nan/inf" in t and "epoch 3, 4" in t for t in legend), legend
    assert loss_ax.get_xlim()[1] > 4                  # the loss axis runs to the last epoch, as accuracy's


@pytest.mark.parametrize("norms", [[[0.0, 0.0, 1e-3], [1.0, 0.5, 0.1]], [[0.0, 0.0], [0.0, 0.0]]])
def test_a_zero_gradient_norm_is_drawn_on_the_plot(tmp_path, monkeypatch, norms):
    history = {f"grad_norm/{k}": v for k, v in enumerate(norms)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # "Data has no positive values, and therefore cannot be log-scaled"
        fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history, tmp_path / "g.png"))
    ax = fig.axes[0]
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    box = ax.get_window_extent()
    for line in ax.get_lines():
        points = ax.transData.transform(np.column_stack(line.get_data()))
        assert np.isfinite(points).all()
        assert ((points[:, 1] >= box.y0 - 1) & (points[:, 1] <= box.y1 + 1)).all(), line.get_label()


def test_gradient_norms_that_are_all_nan_are_marked_without_a_warning(tmp_path, monkeypatch):
    history = {"grad_norm/0": [np.nan, np.inf], "grad_norm/1": [np.nan, np.nan]}      # diverged from the first epoch
    with warnings.catch_warnings():
        warnings.simplefilter("error")              # "Attempt to set non-positive ylim on a log-scaled axis"
        fig = drawn_figure(monkeypatch, lambda: plot.gradient_norms(history, tmp_path / "g.png"))
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert [t for t in legend if "nan/inf" in t] == ["layer 0 (input side): not a number (nan/inf) at epoch 1, 2",
                                                     "layer 1 (output side): not a number (nan/inf) at epoch 1, 2"]


def test_each_point_has_its_class_colour(tmp_path, monkeypatch):
    from sklearn.datasets import make_blobs
    X, y = make_blobs(90, centers=3, random_state=0)
    net = cr.Network([cr.Dense(2, 6, "tanh"), cr.Dense(6, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    net.fit(X, y, epochs=30, verbose=0)
    keep = y > 0                                    # classes 1 and 2 only: the points' colours must not shift
    for labels in (y[keep], np.eye(3)[y[keep]]):    # class numbers, or one-hot rows as fit takes them
        fig = drawn_figure(monkeypatch, lambda labels=labels: plot.decision_boundaries(
            [net], X[keep], labels, tmp_path / "b.png", resolution=20))
        ax = fig.axes[0]
        regions = next(c for c in ax.collections if hasattr(c, "levels")).get_facecolors()[:, :3]   # class 0, 1, 2
        points = next(c for c in ax.collections if c.get_offsets().shape[0] == keep.sum())
        fig.draw(FigureCanvasAgg(fig).get_renderer())
        nearest = [np.linalg.norm(regions - face[:3], axis=1).argmin() for face in points.get_facecolors()]
        assert nearest == list(y[keep])     # the colour closest to each point's is its class's region's
        # and is that colour itself (not a darker shade of it: the ends of the colour map)
        np.testing.assert_allclose(points.get_facecolors()[:, :3], regions[y[keep]], atol=0.01)


@pytest.mark.parametrize("widths, columns, classes", [
    ([4, 8, 5, 3], ["sepal length", "sepal width", "petal length", "pw"], ["setosa", "versicolor", "$x$"]),
    ([30, 5, 1], None, None)])
def test_heat_maps_name_their_rows_and_columns_as_the_diagram_names_the_units(tmp_path, monkeypatch, widths,
                                                                               columns, classes):
    """The heat maps numbered their rows and columns 1..8 ('input', 'neuron') under a diagram naming the same
    units h1..h8, o1..o3: each tick now is a whole unit, named as the diagram names it (and the column beside it),
    also for a single unit (not 0.6, 0.8, ...)."""
    from chainrule.teach.notation import neuron_names
    layers = [cr.Dense(a, b, "relu") for a, b in zip(widths[:-2], widths[1:-1])]
    net = cr.Network([*layers, cr.Dense(widths[-2], widths[-1], "sigmoid")], loss="binary_crossentropy", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", input_names=columns,
                                                                 output_names=classes))
    drawn = {t.get_text() for t in fig.axes[0].texts}           # the diagram's unit names
    names = neuron_names(net)
    heat = [ax for ax in fig.axes if ax.get_title().startswith("layer")]
    assert len(heat) == len(widths) - 1
    for l, ax in enumerate(heat):
        for axis, level in (("y", l), ("x", l + 1)):
            ticks = shown_names(fig, ax, axis)
            assert ticks, (l, axis)
            for at, text in ticks.items():
                assert at == int(at) and 1 <= at <= widths[level], (l, axis, at)
                unit = names[level][int(at) - 1]
                assert text.split(" ", 1)[0] == unit, (l, axis, at, text)
                assert unit in drawn or widths[level] > 12      # the diagram draws it (a wide level: some)
                if level == 0 and columns:                      # the column beside its input, as above
                    assert text == f"{unit} {columns[int(at) - 1]}"
                if level == len(widths) - 1 and classes:        # the class beside its output ('\$': a '$' drawn)
                    assert text.replace("\\$", "$") == f"{unit} {classes[int(at) - 1]}"


@pytest.mark.parametrize("history, message", [
    ({"loss": [1.0, 0.5, 0.2], "val_loss": [1.0, 0.5]}, "'val_loss' has 2 values; validation_freq=1 over 3 epochs "
                                                        "validates 3: give the validation_freq fit was given"),
    ({"loss": ["a", "b"]}, "'loss' must hold one number per epoch; got \\['a', 'b'\\]"),
    ({"loss": [[1.0, 2.0], [3.0, 4.0]]}, "'loss' must hold one number per epoch"),
    ({"loss": 0.5}, "'loss' must hold one number per epoch; got 0.5"),          # one number, not a list of them
    ({"loss": None}, "'loss' must hold one number per epoch; got None"),
    ({"loss": [1.0, 0.5], "accuracy": [0.5]}, "'accuracy' has 1 value, one per epoch, but the history has 2"),
])
def test_a_history_that_is_no_curve_is_refused(tmp_path, history, message):
    with pytest.raises(cr.errors.ValidationError, match=message):
        plot.training_curves(history, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


@pytest.mark.parametrize("history, message", [
    ({"grad_norm/x": [1.0]}, "'grad_norm/x' is not 'grad_norm/<layer number>'"),
    ({"grad_norm/0": [1.0, -1.0]}, "gradient norms must be >= 0"),
    ({"grad_norm/0": [1.0, 2.0], "grad_norm/1": [1.0]}, "'grad_norm/1' has 1 value, one per epoch"),
    ({"grad_norm/0": 0.5}, "'grad_norm/0' must hold one number per epoch; got 0.5"),
    ({"grad_norm/0": None}, "'grad_norm/0' must hold one number per epoch; got None"),
    ({"grad_norm/\u00b2": [1.0]}, "'grad_norm/\u00b2' is not 'grad_norm/<layer number>'"),      # a digit to isdigit
])
def test_gradient_norms_that_are_no_curve_are_refused(tmp_path, history, message):
    with pytest.raises(cr.errors.ValidationError, match=message):
        plot.gradient_norms(history, tmp_path / "g.png")


def test_decision_boundaries_refuse_what_they_cannot_draw(tmp_path):
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    with pytest.raises(cr.errors.ValidationError, match=r"titles must have one title per network \(2\); got 1"):
        plot.decision_boundaries([net, net], X, y, tmp_path / "b.png", titles=["only one"])
    with pytest.raises(cr.errors.ValidationError, match="y must hold the class numbers .* such as 'no'"):
        plot.decision_boundaries([net], X, np.array(["no", "yes", "yes", "no"]), tmp_path / "b.png")
    # a class the network has no output for, or no class at all, would be drawn in another class's colour
    for y_bad, got in [([0, 1, 2, 1], "2"), ([-1, 1, 1, -1], "-1"), ([0, 0.5, 1, 1], "0.5"),
                       ([0, np.nan, 1, 0], "nan")]:
        with pytest.raises(cr.errors.ValidationError, match=f"numbers 0 to 1 of nets\\[0\\]'s outputs; got {got}:"):
            plot.decision_boundaries([net], X, np.array(y_bad), tmp_path / "b.png")
    with pytest.raises(cr.errors.ValidationError, match=r"one class number per row of X .*got shape \(4, 1, 1\)"):
        plot.decision_boundaries([net], X, np.zeros((4, 1, 1)), tmp_path / "b.png")
    assert not (tmp_path / "b.png").exists()


def test_the_colours_of_a_decision_boundary_are_keyed(tmp_path, monkeypatch):
    X, y = cr.examples.xor()
    nets = [cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0),
            cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 3, "softmax")], loss="categorical_crossentropy", seed=0)]
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries(nets, X, y, tmp_path / "b.png", resolution=20))
    fig.draw(FigureCanvasAgg(fig).get_renderer())
    panels, bars = fig.axes[:2], fig.axes[2:]
    assert [ax.get_title() for ax in panels] == ["2-1 network, sigmoid output", "2-3-3 network, softmax output"]
    assert [ax.get_xlabel() for ax in panels] == ["input i1", "input i1"]
    assert [bar.get_ylabel() for bar in bars] == ["network output: P(class 1)", "predicted class"]
    assert shown_ticks(fig, bars[0], "y") == [0, 0.5, 1] and shown_ticks(fig, bars[1], "y") == [0, 1, 2]
    for panel, bar in zip(panels, bars):               # each key beside its own panel, clear of it
        assert bar.get_window_extent().x0 > panel.get_window_extent().x1


@pytest.mark.parametrize("bad", [np.inf, np.nan])
def test_a_weight_that_is_no_number_is_named_not_drawn_as_no_colour(tmp_path, bad):
    net = cr.Network([cr.Dense(2, 20, "tanh"), cr.Dense(20, 1, "sigmoid")], seed=0)
    net.dense_layers[1].W[4, 0] = bad          # every other edge's colour and width scale by the largest |w|
    with pytest.raises(cr.errors.ValidationError, match=f"layer 1's W holds {bad} \\(input 5, neuron 1\\)"):
        plot.network_diagram(net, tmp_path / "n.png")
    assert not (tmp_path / "n.png").exists()


@pytest.mark.parametrize("freq, validated", [(2, [2, 4, 6]), ([1, 2, 5], [1, 2, 5])])
def test_a_history_validated_every_few_epochs_is_drawn_at_those_epochs(tmp_path, monkeypatch, freq, validated):
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    history = net.fit(X, y, epochs=6, validation_data=(X, y), validation_freq=freq, verbose=0)
    fig = drawn_figure(monkeypatch, lambda: plot.training_curves(history, tmp_path / "c.png", validation_freq=freq))
    for ax, metric in zip(fig.axes, ["loss", "accuracy"]):
        lines = {line.get_label(): line for line in ax.get_lines()}
        assert list(lines["training"].get_xdata()) == [1, 2, 3, 4, 5, 6]
        assert list(lines["validation"].get_xdata()) == validated
        assert list(lines["validation"].get_ydata()) == history.history[f"val_{metric}"]


@pytest.mark.parametrize("title", [r"cost $\frac$", "a $x$ b"])
def test_titles_are_drawn_as_written(tmp_path, title):
    """A title (or the loss axis's name) is text, not a formula: '$x$' stays '$x$' (not an italic x) and a broken
    '$..$' draws, as column names do (matplotlib's math parser raised half way through writing the file)."""
    import xml.etree.ElementTree as ET

    import matplotlib
    X, y = cr.examples.xor()
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    drawings = [lambda path: plot.training_curves({"loss": [1.0, 0.5]}, path, title=title),
                lambda path: plot.gradient_norms({"grad_norm/0": [1.0, 0.5]}, path, title=title),
                lambda path: plot.decision_boundaries([net], X, y, path, titles=[title], resolution=10),
                lambda path: plot.training_curves({"loss": [1.0, 0.5]}, path, loss_label=title)]
    for k, draw in enumerate(drawings):
        with matplotlib.rc_context({"svg.fonttype": "none"}):        # text kept as text in the SVG
            path = draw(tmp_path / f"{k}.svg")
        texts = ["".join(t.itertext()).strip() for t in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}text")]
        assert title in texts, (k, texts)


@pytest.mark.parametrize("classes", [10, 20, 30])
def test_many_classes_keep_colours_apart_and_a_readable_key(tmp_path, monkeypatch, classes):
    """digits' 10 classes (or 20) each in a colour told apart at a glance (delta E >= 10 as drawn, over white):
    a diverging map gave the middle classes near-white shades of one another; the key's numbers do not overlap."""
    X = np.random.default_rng(0).normal(size=(40, 2))
    net = cr.Network([cr.Dense(2, 8, "tanh"), cr.Dense(8, classes, "softmax")], loss="categorical_crossentropy")
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries([net], X, np.arange(40) % classes,
                                                                     tmp_path / "b.png", resolution=20))
    ax, bar = fig.axes
    regions = next(c for c in ax.collections if hasattr(c, "levels")).get_facecolors()
    assert len(regions) == classes
    if classes <= 20:
        drawn = regions[:, 3:] * regions[:, :3] + (1 - regions[:, 3:])        # its alpha over the white figure
        lab = cie_lab(drawn)
        apart = np.linalg.norm(lab[:, None] - lab[None], axis=2) + np.eye(classes) * 1e3
        assert apart.min() >= 10, np.unravel_index(apart.argmin(), apart.shape)
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    low, high = bar.get_ylim()
    shown = [t for t in bar.get_yticklabels() if t.get_text() and low <= t.get_position()[1] <= high]
    assert int(shown[0].get_text()) == 0 and int(shown[-1].get_text()) >= classes - 3
    boxes = [t.get_window_extent(renderer) for t in shown]
    assert all(b.y0 >= a.y1 for a, b in zip(boxes, boxes[1:])), [t.get_text() for t in shown]


def test_a_heat_map_names_each_of_up_to_twelve_rows(tmp_path, monkeypatch):
    """Ten named inputs (diabetes' columns): the heat map named every other row (i2 sex, i4 bp, ...), where the
    diagram above names all ten; each row now carries its unit's and its column's name."""
    columns = ["age", "sex", "bmi", "bp", "tc", "ldl", "hdl", "tch", "ltg", "glu"]
    net = cr.Network([cr.Dense(10, 6, "relu"), cr.Dense(6, 1, "linear")], loss="mse", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", input_names=columns))
    first = next(ax for ax in fig.axes if ax.get_title().startswith("layer 0"))
    assert sorted(shown_names(fig, first, "y").items()) == [(k + 1.0, f"i{k + 1} {c}") for k, c in enumerate(columns)]


def test_a_two_line_output_name_keeps_the_heat_maps_axis_names_on_the_figure(tmp_path, monkeypatch):
    """plot network names a regression's output 'target\\n(standardised)': under the heat map its two lines pushed
    'to neuron' off the bottom of the figure. The tick says the first line (the diagram above says both)."""
    net = cr.Network([cr.Dense(3, 10, "relu"), cr.Dense(10, 1, "linear")], loss="mse", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png",
                                                                 output_names=["progression\n(standardised)"]))
    last = next(ax for ax in fig.axes if ax.get_title().startswith("layer 1"))
    assert list(shown_names(fig, last).values()) == ["o1 progression"]
    box = last.xaxis.label.get_window_extent()
    assert fig.bbox.y0 <= box.y0, (box, fig.bbox)


@pytest.mark.parametrize("classes, hidden", [(12, 6), (12, 12)])
def test_a_heat_map_names_each_of_up_to_twelve_columns_apart_and_on_the_figure(tmp_path, monkeypatch, classes,
                                                                                 hidden):
    """Twelve long class names: matplotlib's ticks named every other column ('o2 class-num', 'o4 ...') and ran
    them into each other. Each column now carries its unit's and class's name, no two overlapping, all on the page."""
    names = [f"class-number-{k}-long" for k in range(classes)]
    net = cr.Network([cr.Dense(4, hidden, "relu"), cr.Dense(hidden, classes, "softmax")],
                     loss="categorical_crossentropy", seed=0)
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", output_names=names))
    last = next(ax for ax in fig.axes if ax.get_title().startswith("layer 1"))
    shown = shown_names(fig, last)
    assert sorted(shown.items()) == [(k + 1.0, f"o{k + 1} {n[:9]}...") for k, n in enumerate(names)]
    renderer = FigureCanvasAgg(fig).get_renderer()
    for ax in (ax for ax in fig.axes if ax.get_title().startswith("layer")):
        ticks = [t for t in ax.get_xticklabels() if t.get_text()]
        boxes = sorted((t.get_window_extent(renderer) for t in ticks), key=lambda b: b.x0)
        assert all(a.x1 <= b.x0 for a, b in zip(boxes, boxes[1:])), [t.get_text() for t in ticks]
        for box in [*boxes, ax.xaxis.label.get_window_extent(renderer)]:
            assert fig.bbox.y0 <= box.y0 and box.x1 <= fig.bbox.x1, (box, fig.bbox)
        # the rows too: a map raised for upright names ran 12 rows' names into each other; fewer named, it says so
        rows = [t for t in ax.get_yticklabels() if t.get_text() and 0.5 <= t.get_position()[1] <= hidden + 0.5]
        boxes = sorted((t.get_window_extent(renderer) for t in rows), key=lambda b: b.y0)
        assert all(a.y1 <= b.y0 for a, b in zip(boxes, boxes[1:])), [t.get_text() for t in rows]
        count = ax.get_images()[0].get_array().shape[0]
        assert len(rows) == count or f"({count}: some named)" in ax.yaxis.label.get_text(), ax.yaxis.label.get_text()
