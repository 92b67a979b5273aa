"""`chainrule plot` as a user runs it: any model drawn (wide layers elided, weights as heat maps,
columns and classes as labels), the guide's figures on one page, each file what was asked."""
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pytest.importorskip("pandas")
from conftest import cli, cmd, drawn_figure  # noqa: E402

import chainrule as cr  # noqa: E402

EXAMPLES = Path(cr.__file__).parent / "data" / "examples"



def svg_texts(path) -> list[str]:
    """The text drawn in an SVG written by matplotlib (svg.fonttype 'none' keeps text as text)."""
    import matplotlib
    matplotlib.rcParams["svg.fonttype"] = "none"
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()).strip() for t in root.iter("{http://www.w3.org/2000/svg}text")]


def png_size(path):
    from matplotlib.image import imread
    h, w = imread(path).shape[:2]
    return w, h


def test_trained_model_labelled_with_columns_and_classes(tmp_path):
    model = tmp_path / "iris.npz"
    assert cli("train", EXAMPLES / "iris.csv", "--target", "species", "--hidden", "16", "--epochs", "2",
               "--out", model, "--quiet").returncode == 0
    r = cli("plot", "network", "--model", model, "--out", tmp_path / "iris.png")
    assert r.returncode == 0 and (tmp_path / "iris.png").stat().st_size > 10_000, r.stderr
    from chainrule.data.tabular import Preprocessing
    from chainrule.teach import plot
    net, extra = cr.load(model, with_extra=True)
    pre = Preprocessing.from_json(extra["tabular"])
    import matplotlib
    with matplotlib.rc_context({"svg.fonttype": "none"}):
        path = plot.network_diagram(net, tmp_path / "iris.svg", input_names=pre.numeric, output_names=pre.classes)
        texts = svg_texts(path)
    for label in ["sepal_length", "petal_width", "setosa", "virginica", "i1", "h1", "h16", "o3", "5 more",
                  "layer 0: W (4 x 16)", "layer 1: W (16 x 3)"]:
        assert label in texts, label
    assert "h7" not in texts and "h11" not in texts            # the middle units are the ellipsis


def test_ten_four_three_has_no_overlapping_labels(tmp_path, monkeypatch):
    """The 10-4-3 drawing: every unit and label drawn, no two text boxes overlapping."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from chainrule.teach import plot
    net = cr.Network([cr.Dense(10, 4, "relu"), cr.Dense(4, 3, "softmax")], loss="categorical_crossentropy", seed=0)
    names = [f"measurement_{k}" for k in range(10)]
    fig = drawn_figure(monkeypatch, lambda: plot.network_diagram(net, tmp_path / "n.png", input_names=names,
                                                                 output_names=["a", "b", "c"]))
    renderer = FigureCanvasAgg(fig).get_renderer()
    ax = fig.axes[0]
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in ax.texts if t.get_text().strip()]
    assert {"i1", "i10", "h4", "o3", "measurement_9", "c"} <= {t for t, _ in boxes}
    for k, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[k + 1:]:
            assert not box_a.overlaps(box_b), (a, b)
    assert len(fig.axes) == 5          # the diagram, two heat maps and their colour bars


def test_plot_demo_to_one_file(tmp_path):
    r = cmd("plot", "demo", "--out", tmp_path / "demo.png")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "demo.png").is_file() and png_size(tmp_path / "demo.png") == (1600, 2000)
    r = cmd("plot", "network", "--model", EXAMPLES / "seed.npz", "--out", tmp_path / "seed.svg")
    assert r.returncode == 0 and (tmp_path / "seed.svg").read_text().startswith("<?xml")
    assert np.isfinite(cr.load(EXAMPLES / "seed.npz").params).all()


@pytest.mark.parametrize("args,message", [
    (["network", "--data", "moons"], "--data is for `plot boundary`"),
    (["boundary", "--model", "MODEL"], "--model is for `plot network`"),
    (["demo", "--data", "xor"], "--data is for `plot boundary`"),
    (["demo", "--model", "MODEL"], "--model is for `plot network`"),
])
def test_options_of_another_figure_are_refused(tmp_path, args, message):
    cr.examples.seed_network()[0].save(tmp_path / "m.npz")
    out = tmp_path / "figure.png"
    r = cmd("plot", *[tmp_path / "m.npz" if a == "MODEL" else a for a in args], "--out", out)
    assert r.returncode == 2 and message in r.stderr and not out.exists(), r.stderr


@pytest.mark.parametrize("kind", ["network", "boundary", "demo"])
def test_a_missing_folder_is_refused_as_train_refuses_it(tmp_path, kind):
    out = tmp_path / "missing" / "figure.png"
    r = cmd("plot", kind, "--out", out)
    assert r.returncode == 2 and f"cannot write '{out}': the folder '{out.parent}' does not exist" in r.stderr
    assert not out.parent.exists()
    r = cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--out", tmp_path / "missing" / "m.npz")
    assert r.returncode == 2 and "the folder" in r.stderr and "does not exist" in r.stderr


def test_plot_demo_refuses_a_file_for_its_folder(tmp_path):
    (tmp_path / "file").write_text("x")
    r = cmd("plot", "demo", "--out", tmp_path / "file")
    assert r.returncode == 2 and "is not a folder" in r.stderr and (tmp_path / "file").read_text() == "x"


def test_plot_curves_draws_every_epoch_of_a_resumed_run(tmp_path, monkeypatch):
    import json
    run, out = tmp_path / "run", tmp_path / "c.png"
    train = ["train", EXAMPLES / "iris.csv", "--target", "species", "--hidden", "4", "--out", tmp_path / "m.npz",
             "--checkpoint-dir", run, "--quiet"]
    assert cmd(*train, "--epochs", "2").returncode == 0
    assert cmd(*train, "--epochs", "4", "--resume").returncode == 0
    logged = [json.loads(line)["logs"] for line in (run / "history.jsonl").read_text().splitlines()]
    for given in (run, run / "history.jsonl"):
        fig = drawn_figure(monkeypatch, lambda given=given: cmd("plot", "curves", "--history", given, "--out", out))
        assert out.is_file() and "4 epochs" in fig.texts[0].get_text()      # wrapped, never between 4 and epochs
        for ax, metric in zip(fig.axes, ["loss", "accuracy"]):
            drawn = {line.get_label(): list(line.get_ydata()) for line in ax.get_lines()}
            assert drawn == {"training": [e[metric] for e in logged],
                             "validation": [e[f"val_{metric}"] for e in logged]}


@pytest.mark.parametrize("args,message", [
    (["curves"], "plot curves needs --history DIR"),
    (["network", "--history", "RUN"], "--history is for `plot curves`"),
    (["curves", "--history", "RUN"], "holds no epoch"),
    (["curves", "--history", "RUN/m.csv"], "is not a folder: give the --checkpoint-dir of a run"),
    (["curves", "--history", "RUN/history.jsonl"], "history.jsonl' does not exist"),     # not 'give its history.jsonl'
    (["curves", "--history", "RUN/nope"], "nope' does not exist"),
])
def test_plot_curves_refuses_what_is_no_history(tmp_path, args, message):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "m.csv").write_text("a\n1\n")
    out = tmp_path / "figure.png"
    r = cmd("plot", *[a.replace("RUN", str(tmp_path / "run")) for a in args], "--out", out)
    assert r.returncode == 2 and message in r.stderr and not out.exists(), r.stderr


def test_plot_demo_on_one_page_keeps_the_previous_file_when_writing_fails(tmp_path, monkeypatch):
    import errno

    from matplotlib.figure import Figure
    from matplotlib.image import imsave

    import chainrule.teach.figures as figures

    def two_figures(folder):
        paths = [Path(folder) / "a.png", Path(folder) / "b.png"]
        for p in paths:
            imsave(p, np.zeros((8, 8)))
        return paths

    real = Figure.savefig

    def disk_full(self, target, **kw):          # the page written, then the disk is full
        real(self, target, **kw)
        raise OSError(errno.ENOSPC, "No space left on device")

    out = tmp_path / "demo.png"
    out.write_bytes(b"\x89PNG\r\n\x1a\nprevious")      # an earlier figure (a file of other content is kept anyway)
    monkeypatch.setattr(figures, "all_figures", two_figures)
    monkeypatch.setattr(Figure, "savefig", disk_full)
    r = cmd("plot", "demo", "--out", out)
    assert r.returncode != 0 and "the previous file, if any, is unchanged" in r.stderr, r.stderr
    assert out.read_bytes() == b"\x89PNG\r\n\x1a\nprevious" and \
        sorted(p.name for p in tmp_path.iterdir()) == ["demo.png"]


def test_plot_curves_of_one_epoch_says_one_epoch(tmp_path, monkeypatch):
    """One epoch is one point, and the title says '1 epoch'. A classifier's loss axis names its loss, as a
    regression's names its mse: a plain 'loss' left a learner guessing which (cross-entropy? binary?)."""
    run, out = tmp_path / "run", tmp_path / "c.png"
    assert cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--hidden", "4", "--epochs", "1", "--out",
               tmp_path / "m.npz", "--checkpoint-dir", run, "--quiet").returncode == 0
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", out))
    assert fig.texts[0].get_text() == f"{run}: 1 epoch"
    from chainrule.cli.tabular import load_model
    assert fig.axes[0].get_ylabel() == f"loss ({load_model(tmp_path / 'm.npz')[0].loss_function.name})"
    assert fig.axes[0].get_ylabel() == "loss (categorical_crossentropy)"        # iris: three classes
    assert all(len(line.get_xdata()) == 1 and line.get_marker() == "o" for line in fig.axes[0].get_lines())


def test_a_regressions_loss_axis_and_output_say_they_are_of_the_standardised_target(tmp_path, monkeypatch):
    """train's regression learns (target - mean) / std: its losses are not in the file's units, and the axis says so,
    with the mean and standard deviation of the training rows (every row: --val-split 0), as StandardScaler has them,
    in the digits train printed them (the axis had 151.5 beside train's 'mean 151.513')."""
    import pandas as pd
    from sklearn.preprocessing import StandardScaler
    run, out = tmp_path / "run", tmp_path / "c.png"
    r = cmd("train", EXAMPLES / "diabetes.csv", "--target", "progression", "--hidden", "4", "--epochs", "2",
            "--val-split", "0", "--out", tmp_path / "m.npz", "--checkpoint-dir", run)
    assert r.returncode == 0, r.stderr
    scaler = StandardScaler().fit(pd.read_csv(EXAMPLES / "diabetes.csv")[["progression"]])
    said = f"('progression' - mean {scaler.mean_[0]:.6g}) / std {scaler.scale_[0]:.6g}"
    assert f"losses of the standardised target: {said}, of the training rows" in r.stderr.splitlines()
    for given in (run, run / "history.jsonl"):
        fig = drawn_figure(monkeypatch, lambda given=given: cmd("plot", "curves", "--history", given, "--out", out))
        assert fig.axes[0].get_ylabel() == f"loss (mse) of the standardised target\n{said}"
    (run / "checkpoint.npz").unlink()           # nothing says what the losses are of: the plain name, still drawn
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", out))
    assert fig.axes[0].get_ylabel() == "loss"
    # its drawing's output is that standardised target too, not the column in the file's units
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", tmp_path / "m.npz", "--out", out))
    assert "progression\n(standardised)" in [t.get_text() for t in fig.axes[0].texts]
