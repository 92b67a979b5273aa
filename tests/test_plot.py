"""Each plot function writes a non-empty image of the asked size, without a display."""
import numpy as np
import pytest

import chainrule as cr

pytest.importorskip("matplotlib")
from conftest import drawn_figure  # noqa: E402
from matplotlib.image import imread

from chainrule.teach import plot  # noqa: E402


def size_of(path):
    img = imread(path)
    return img.shape[1], img.shape[0]


@pytest.fixture
def history():
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(60, 2)), rng.integers(0, 2, 60)
    net = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1, "sigmoid")], loss="binary_crossentropy", seed=0)
    return net.fit(X, y, epochs=3, validation_split=0.2, callbacks=[cr.GradientDiagnostics(warn=False)], verbose=0)


def test_no_display_and_no_pyplot(tmp_path, monkeypatch):
    import subprocess
    import sys
    monkeypatch.delenv("DISPLAY", raising=False)
    code = ("import sys, chainrule.teach.plot as p; p.training_curves({'loss': [1.0, 0.5]}, sys.argv[1]); "
            "assert 'matplotlib.pyplot' not in sys.modules")
    subprocess.run([sys.executable, "-c", code, str(tmp_path / "c.png")], check=True)
    assert (tmp_path / "c.png").stat().st_size > 0


def test_training_curves(tmp_path, history):
    path = plot.training_curves(history, tmp_path / "c.png", size=(6, 3), dpi=50)
    assert path.stat().st_size > 1000 and size_of(path) == (300, 150)


def test_training_curves_take_a_title_as_gradient_norms_do(tmp_path, history, monkeypatch):
    """The guide's digits figure was the one figure without a title (gradient_norms took one)."""
    fig = drawn_figure(monkeypatch, lambda: plot.training_curves(history, tmp_path / "c.png", title="digits"))
    assert fig._suptitle is not None and fig._suptitle.get_text() == "digits"
    assert drawn_figure(monkeypatch, lambda: plot.training_curves(history, tmp_path / "d.png"))._suptitle is None


def test_gradient_norms(tmp_path, history):
    path = plot.gradient_norms(history, tmp_path / "g.png", size=(5, 4), dpi=40)
    assert size_of(path) == (200, 160)
    with pytest.raises(cr.errors.ValidationError, match="GradientDiagnostics"):
        plot.gradient_norms({"loss": [1.0]}, tmp_path / "x.png")


def test_decision_boundaries(tmp_path):
    X, y = cr.examples.xor()
    nets = [cr.Network([cr.Dense(2, 1, "sigmoid")], seed=0),
            cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 2, "softmax")], loss="categorical_crossentropy", seed=0)]
    path = plot.decision_boundaries(nets, X, y, tmp_path / "b.png", size=(8, 4), dpi=50, resolution=30)
    assert size_of(path) == (400, 200)
    with pytest.raises(cr.errors.ValidationError, match="2 features"):
        plot.decision_boundaries(nets, np.zeros((3, 3)), [0, 1, 0], tmp_path / "x.png")


def test_network_diagram_png_and_svg(tmp_path):
    net, X, Y, lr = cr.examples.seed_network()
    path = plot.network_diagram(net, tmp_path / "n.png", report=cr.explain(net, X, Y), size=(8, 5), dpi=60)
    assert size_of(path) == (480, 300)
    svg = plot.network_diagram(net, tmp_path / "n.svg").read_text()
    assert "<svg" in svg
    with pytest.raises(cr.errors.ValidationError, match=r"\.png or \.svg"):
        plot.network_diagram(net, tmp_path / "n.jpg")
    with pytest.raises(cr.errors.ValidationError, match="input_names must have 2 names"):
        plot.network_diagram(net, tmp_path / "n.png", input_names=["a"])


def test_plot_command(tmp_path):
    import subprocess
    import sys
    r = subprocess.run([sys.executable, "-m", "chainrule.cli", "plot", "boundary", "--data", "xor", "--out",
                        str(tmp_path / "xor.png")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert size_of(tmp_path / "xor.png") == (1060, 400)          # two 5.3-inch panels, each with its colour bar


def test_guide_code_runs_and_draws(tmp_path, monkeypatch, capsys):
    import re
    from pathlib import Path
    pytest.importorskip("sklearn")
    guide = (Path(__file__).parents[1] / "docs" / "guide.md").read_text()
    monkeypatch.chdir(tmp_path)
    import shlex

    from chainrule.cli import main
    ns = {}
    for not_run, kind, block in re.findall(r"(<!--\s*not run:[^>]*-->\n)?```(python|sh)\n(.*?)```", guide,
                                           re.DOTALL):
        if not_run:                       # a block the page marks as not run here (data not installed)
            continue
        if kind == "python":
            exec(block, ns)
        else:                             # the chainrule commands a later Python block reads the files of
            for line in block.splitlines():
                if line.startswith("chainrule "):
                    assert main(shlex.split(line)[1:]) == 0, line
    out = capsys.readouterr().out
    assert "0.082167041" in out and "sigmoid accuracy 0.10" in out and "relu accuracy 0.9" in out
    for name in ("boundary.png", "digits-training.png", "gradients-sigmoid.png", "gradients-relu.png"):
        assert (tmp_path / name).stat().st_size > 1000
    for figure in re.findall(r"\]\((figures/[^)]+)\)", guide):
        assert (Path(__file__).parents[1] / "docs" / figure).exists(), figure


def drawn_texts(monkeypatch, draw):
    """The texts of the diagram's axes that `draw()` saves."""
    return [t.get_text() for t in drawn_figure(monkeypatch, draw).axes[0].texts]


def test_a_report_of_another_network_is_refused(tmp_path):
    small = cr.Network([cr.Dense(2, 2, "sigmoid"), cr.Dense(2, 2, "sigmoid")], seed=0)
    other = cr.Network([cr.Dense(3, 4, "relu"), cr.Dense(4, 3, "tanh"), cr.Dense(3, 2, "sigmoid")], seed=0)
    report = cr.explain(other, np.ones((1, 3)), np.zeros((1, 2)))
    with pytest.raises(cr.errors.ValidationError, match="report describes a network of 3-4-3-2 units, the network "
                                                        "drawn has 2-2-2"):
        plot.network_diagram(small, tmp_path / "m.png", report=report)
    net, X, Y, lr = cr.examples.seed_network()                 # same shapes and names, other values
    report = cr.explain(net, X, Y, lr=lr)
    net.step(X, Y, lr)
    with pytest.raises(cr.errors.ValidationError, match=r"w1 is 0\.15 in the report, 0\.149781 in the network"):
        plot.network_diagram(net, tmp_path / "m.png", report=report)
    twin = cr.Network([cr.Dense(2, 2, "tanh"), cr.Dense(2, 2, "sigmoid")])
    twin.params[...] = cr.examples.seed_network()[0].params
    with pytest.raises(cr.errors.ValidationError, match="report's layer 0 is sigmoid, the network's is tanh"):
        plot.network_diagram(twin, tmp_path / "m.png", report=cr.explain(cr.examples.seed_network()[0], X, Y))
    with pytest.raises(cr.errors.ChainruleTypeError, match="report must be what cr.explain returns; got dict"):
        plot.network_diagram(net, tmp_path / "m.png", report={})
    assert not (tmp_path / "m.png").exists()


def test_the_gradients_drawn_are_the_networks(tmp_path, monkeypatch):
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y)
    texts = drawn_texts(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "m.png", report=report))
    (dW0, db0), (dW1, db1) = net.gradients(X, Y)
    assert f"w5=0.4\ng={dW1[0, 0]:.2e}" in texts and f"w2=0.2\ng={dW0[1, 0]:.2e}" in texts


def test_a_report_too_large_to_label_is_said(tmp_path):
    wide = cr.Network([cr.Dense(4, 4, "relu"), cr.Dense(4, 1)], seed=0)
    report = cr.explain(wide, np.ones((1, 4)), np.zeros((1, 1)))
    with pytest.warns(UserWarning, match="the report's gradients are not drawn: the network is too large"):
        plot.network_diagram(wide, tmp_path / "m.png", report=report)


def test_a_regression_network_has_no_decision_boundary(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    reg = cr.Network([cr.Dense(2, 4, "tanh"), cr.Dense(4, 1)], seed=0)
    reg.fit(X, X.sum(axis=1), epochs=2, verbose=0)
    with pytest.raises(cr.errors.ValidationError, match=r"draws classifiers; nets\[0\] has a linear output \(loss "
                                                        r"sse\): not a probability"):
        plot.decision_boundaries([reg], X, X.sum(axis=1), tmp_path / "r.png")
    with pytest.raises(cr.errors.ValidationError, match="nets is empty"):
        plot.decision_boundaries([], X, X.sum(axis=1), tmp_path / "r.png")
    with pytest.raises(cr.errors.ValidationError, match=r"y must have one value per row of X \(40\); got 3"):
        plot.decision_boundaries([reg], X, [0, 1, 0], tmp_path / "r.png")
    assert not (tmp_path / "r.png").exists()


def test_an_empty_history_is_refused(tmp_path):
    with pytest.raises(cr.errors.ValidationError, match="history's 'loss' is empty: no epoch to draw"):
        plot.training_curves({"loss": []}, tmp_path / "c.png")
    with pytest.raises(cr.errors.ValidationError, match="history's 'grad_norm/0' is empty"):
        plot.gradient_norms({"loss": [], "grad_norm/0": []}, tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


def test_a_missing_folder_is_refused_as_net_save_refuses_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="its folder .*missing' does not exist"):
        plot.training_curves({"loss": [1.0, 0.5]}, tmp_path / "missing" / "c.png")
    with pytest.raises(FileNotFoundError, match="its folder .*missing' does not exist"):
        cr.examples.seed_network()[0].save(tmp_path / "missing" / "m.npz")
    assert not (tmp_path / "missing").exists()


def crossings(fig):
    """For each weight label of a labelled diagram: (label, is its centre on an edge, the other edges
    crossing its box, the labels overlapping it), read from the drawn figure (Agg's text extents)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    lines = [ax.transData.transform(np.column_stack(line.get_data())) for line in ax.lines]
    labels = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text().startswith("w")]
    found = []
    for text, box in labels:
        centre = np.array([(box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2])
        on, crossed = [], []
        for k, (p, q) in enumerate(lines):
            t = np.clip(np.dot(centre - p, q - p) / np.dot(q - p, q - p), 0, 1)
            d = np.linalg.norm(p + t * (q - p) - centre)                 # from the segment
            pts = p + np.linspace(0, 1, 400)[:, None] * (q - p)
            inside = (pts[:, 0] > box.x0) & (pts[:, 0] < box.x1) & (pts[:, 1] > box.y0) & (pts[:, 1] < box.y1)
            (on if d < 1.0 else crossed if inside.any() else []).append(k)
        overlapping = [t for t, other in labels if t != text and box.overlaps(other)]
        found.append((text.split("\n")[0], len(on) == 1, crossed, overlapping))
    return found


@pytest.mark.parametrize("widths", [(2, 3, 1), (2, 2, 2), (1, 2, 1), (3, 3, 3, 2)])
def test_each_weight_label_sits_on_its_own_edge_clear_of_the_others(tmp_path, monkeypatch, widths):
    layers = [cr.Dense(a, b, "tanh") for a, b in zip(widths, widths[1:])]
    net = cr.Network(layers, seed=0)
    X, Y = np.ones((2, widths[0])), np.zeros((2, widths[-1]))
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", report=cr.explain(net, X, Y)))
    found = crossings(fig)
    assert len(found) == sum(a * b for a, b in zip(widths, widths[1:]))
    for name, on_its_edge, crossed, overlapping in found:
        assert on_its_edge and not crossed and not overlapping, (name, crossed, overlapping)


def test_the_biases_gradients_are_drawn(tmp_path, monkeypatch):
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y)
    texts = drawn_texts(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "m.png", report=report))
    (_, db0), (_, db1) = net.gradients(X, Y)
    # each named as the report names it (as the weights are: w1=0.15), b_h1 the bias of h1
    names = [n["bias"] for layer in report.to_dict()["layers"] for n in layer["neurons"]]
    assert names == ["b_h1", "b_h2", "b_o1", "b_o2"]
    for name, b, g in zip(names, [0.35, 0.35, 0.6, 0.6], [db0[0], db0[1], db1[0], db1[1]]):
        assert f"{name}={b} (fixed)\ng={g:.2e}" in texts           # the seed's biases do not learn
    net.dense_layers[0].unfreeze("b")
    assert "b_h1=0.35" in drawn_texts(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "m.png"))


def test_a_decision_boundarys_axes_are_named_and_their_numbers_apart(tmp_path, monkeypatch):
    X, y = cr.examples.xor()
    nets = [cr.Network([cr.Dense(2, 1, "sigmoid")], seed=0),
            cr.Network([cr.Dense(2, 3, "tanh"), cr.Dense(3, 1, "sigmoid")], loss="binary_crossentropy", seed=0)]
    fig = drawn_figure(monkeypatch, lambda: plot.decision_boundaries(nets, X, y, tmp_path / "b.png", resolution=30))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    renderer = FigureCanvasAgg(fig).get_renderer()
    fig.draw(renderer)
    for ax in fig.axes[:2]:
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("input i1", "input i2")     # the inputs, as explain names them
        boxes = [t.get_window_extent(renderer) for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        gaps = [b.x0 - a.x1 for a, b in zip(boxes, boxes[1:])]          # -0.50-0.25 ran together: a gap of 0
        assert min(gaps) >= 3, ([t.get_text() for t in ax.get_xticklabels()], gaps)


def test_the_gradient_labels_say_what_g_is(tmp_path, monkeypatch):
    net, X, Y, lr = cr.examples.seed_network()
    report = cr.explain(net, X, Y)
    texts = drawn_texts(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "m.png", report=report))
    assert any(t.startswith("g = dE/dw, dE/db") for t in texts)
    assert not any(t.startswith("g = ") for t in drawn_texts(monkeypatch, lambda: plot.network_diagram(
        net, tmp_path / "m.png")))                 # no gradients drawn: no key
