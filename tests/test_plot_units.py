"""`chainrule plot` says what its numbers are in: a trained model's drawing that its inputs are the columns
standardised (and a regression's output its standardised target, in the curves' text), and a run trained with
--weight that its losses are weighted."""
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib")
pd = pytest.importorskip("pandas")
from conftest import cmd, drawn_figure  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

import chainrule as cr  # noqa: E402

EXAMPLES = Path(cr.__file__).parent / "data" / "examples"


def weighted_file(tmp_path, name):
    table = pd.read_csv(EXAMPLES / name)
    table["w"] = np.arange(len(table)) % 3 + 0.5
    path = tmp_path / name
    table.to_csv(path, index=False)
    return path, table


def test_a_regressions_diagram_says_its_inputs_and_output_are_standardised(tmp_path, monkeypatch):
    model, run, out = tmp_path / "m.npz", tmp_path / "run", tmp_path / "d.png"
    assert cmd("train", EXAMPLES / "diabetes.csv", "--target", "progression", "--hidden", "4", "--epochs", "1",
               "--val-split", "0", "--out", model, "--checkpoint-dir", run).returncode == 0
    scaler = StandardScaler().fit(pd.read_csv(EXAMPLES / "diabetes.csv")[["progression"]])
    said = f"('progression' - mean {scaler.mean_[0]:.6g}) / std {scaler.scale_[0]:.6g}"
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", model, "--out", out))
    note = fig.texts[0].get_text()
    assert "inputs: the numeric columns standardised, (column - mean) / std of the training rows" in note
    assert f"output: the standardised target {said}" in note
    curves = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", tmp_path / "c.png"))
    assert said in curves.axes[0].get_ylabel()          # one text, the loss axis's


def test_a_classifiers_diagram_says_its_inputs_are_standardised(tmp_path, monkeypatch):
    model = tmp_path / "m.npz"
    assert cmd("train", EXAMPLES / "iris.csv", "--target", "species", "--hidden", "2", "--epochs", "1",
               "--out", model).returncode == 0
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", model, "--out", tmp_path / "d.png"))
    assert [t.get_text() for t in fig.texts] == [
        "inputs: the numeric columns standardised, (column - mean) / std of the training rows"]


def test_a_weighted_runs_loss_axis_says_the_loss_is_weighted(tmp_path, monkeypatch):
    """The target standardised by the weighted mean and spread (StandardScaler's sample_weight), the rows weighed."""
    data, table = weighted_file(tmp_path, "diabetes.csv")
    run = tmp_path / "run"
    assert cmd("train", data, "--target", "progression", "--weight", "w", "--hidden", "4", "--epochs", "1",
               "--val-split", "0", "--out", tmp_path / "m.npz", "--checkpoint-dir", run).returncode == 0
    scaler = StandardScaler().fit(table[["progression"]], sample_weight=table["w"])
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", tmp_path / "c.png"))
    assert fig.axes[0].get_ylabel() == ("loss (mse) of the standardised target\n"
                                        f"('progression' - mean {scaler.mean_[0]:.6g}) / std {scaler.scale_[0]:.6g}\n"
                                        "rows weighted by 'w'")
    data, _ = weighted_file(tmp_path, "iris.csv")
    assert cmd("train", data, "--target", "species", "--weight", "w", "--hidden", "2", "--epochs", "1",
               "--out", tmp_path / "i.npz", "--checkpoint-dir", tmp_path / "irun").returncode == 0
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", tmp_path / "irun", "--out",
                                                tmp_path / "c.png"))
    assert fig.axes[0].get_ylabel() == "loss (categorical_crossentropy)\nrows weighted by 'w'"


def test_a_weighted_models_diagram_says_its_inputs_are_standardised_by_the_weighted_rows(tmp_path, monkeypatch):
    """train --weight standardises the columns by the rows' weighted means and spreads (StandardScaler's
    sample_weight, not its plain fit) and says so ('of the weighted training rows'): the diagram says it too."""
    data, table = weighted_file(tmp_path, "diabetes.csv")
    model = tmp_path / "m.npz"
    assert cmd("train", data, "--target", "progression", "--weight", "w", "--hidden", "2", "--epochs", "1",
               "--val-split", "0", "--out", model).returncode == 0
    from chainrule.cli.tabular import load_model
    _, pre, _ = load_model(model, need_preprocessing=False)
    columns = table[pre.numeric]
    weighted = StandardScaler().fit(columns, sample_weight=table["w"])
    np.testing.assert_allclose(pre.means, weighted.mean_, rtol=1e-12)            # the weighted rows' means
    assert np.abs(np.asarray(pre.means) - StandardScaler().fit(columns).mean_).max() > 1e-3
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "network", "--model", model, "--out", tmp_path / "d.png"))
    assert fig.texts[0].get_text().splitlines()[0] == (
        "inputs: the numeric columns standardised, (column - mean) / std of the weighted training rows")


def test_a_weighted_classifiers_accuracy_axis_says_the_accuracy_is_weighted(tmp_path, monkeypatch):
    """train --weight logs the weighted accuracy (scikit-learn's accuracy_score with sample_weight; --lr 0 keeps the
    epoch's network the saved one), not the fraction of rows right: its axis says so, as the loss axis does."""
    from sklearn.metrics import accuracy_score
    data, table = weighted_file(tmp_path, "iris.csv")
    model, run, predictions = tmp_path / "m.npz", tmp_path / "run", tmp_path / "p.csv"
    assert cmd("train", data, "--target", "species", "--weight", "w", "--hidden", "2", "--epochs", "1", "--lr", "0",
               "--val-split", "0", "--out", model, "--checkpoint-dir", run).returncode == 0
    assert cmd("predict", model, data, "--out", predictions).returncode == 0
    predicted = pd.read_csv(predictions)["prediction"]
    from chainrule.cli.plot import run_history
    logged = run_history(str(run))[0]["accuracy"][0]
    assert logged == pytest.approx(accuracy_score(table["species"], predicted, sample_weight=table["w"]), abs=1e-12)
    assert logged != pytest.approx(accuracy_score(table["species"], predicted), abs=1e-6)
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", tmp_path / "c.png"))
    assert [ax.get_ylabel() for ax in fig.axes] == ["loss (categorical_crossentropy)\nrows weighted by 'w'",
                                               "accuracy, rows weighted by 'w'"]


@pytest.mark.parametrize("given, said", [("setosa=5", "training rows weighted by class (setosa=5)"),
                                         ("balanced", "training rows weighted by class (balanced)")])
def test_a_class_weighted_runs_loss_and_accuracy_axes_say_they_are_weighted_by_class(tmp_path, monkeypatch, given,
                                                                                      said):
    """train --class-weight logs the training rows' loss and accuracy weighted by class (the accuracy is scikit-learn's
    accuracy_score with those weights; --lr 0 keeps the epoch's network the saved one), but its checkpoint did not
    record the weights: plot curves drew a plain 'loss', 'accuracy'."""
    from sklearn.metrics import accuracy_score
    from sklearn.utils.class_weight import compute_sample_weight
    data = EXAMPLES / "iris.csv"
    table = pd.read_csv(data)
    model, run, predictions = tmp_path / "m.npz", tmp_path / "run", tmp_path / "p.csv"
    assert cmd("train", data, "--target", "species", "--class-weight", given, "--hidden", "2", "--epochs", "1",
               "--lr", "0", "--val-split", "0", "--out", model, "--checkpoint-dir", run).returncode == 0
    assert cmd("predict", model, data, "--out", predictions).returncode == 0
    predicted = pd.read_csv(predictions)["prediction"]
    weights = (table["species"] == "setosa") * 4.0 + 1 if given != "balanced" else \
        compute_sample_weight("balanced", table["species"])
    from chainrule.cli.plot import run_history
    logged = run_history(str(run))[0]["accuracy"][0]
    assert logged == pytest.approx(accuracy_score(table["species"], predicted, sample_weight=weights), abs=1e-12)
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", tmp_path / "c.png"))
    assert [" ".join(ax.get_ylabel().split()) for ax in fig.axes] == [f"loss (categorical_crossentropy) {said}",
                                                                            f"accuracy, {said}"]
    for ax in fig.axes:                 # on the figure (a long name broken into lines)
        fig.draw(FigureCanvasAgg(fig).get_renderer())
        box = ax.yaxis.label.get_window_extent()
        assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, (box, fig.bbox)
