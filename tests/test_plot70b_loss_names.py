"""`plot curves` of a two-class run names its loss on the axis (binary cross-entropy, not the three-class one), as a
regression's axis names its mse: a plain 'loss' left a learner guessing which loss was drawn."""
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("matplotlib")
from conftest import cmd, drawn_figure  # noqa: E402

import chainrule as cr  # noqa: E402

EXAMPLES = Path(cr.__file__).parent / "data" / "examples"


def test_a_two_class_runs_loss_axis_names_its_loss(tmp_path, monkeypatch):
    table = pd.read_csv(EXAMPLES / "iris.csv")
    data, run, model = tmp_path / "two.csv", tmp_path / "run", tmp_path / "m.npz"
    table[table["species"] != "setosa"].to_csv(data, index=False)
    assert cmd("train", data, "--target", "species", "--hidden", "2", "--epochs", "2", "--out", model,
               "--checkpoint-dir", run, "--quiet").returncode == 0
    from chainrule.cli.tabular import load_model
    name = load_model(model)[0].loss_function.name
    assert "crossentropy" in name
    fig = drawn_figure(monkeypatch, lambda: cmd("plot", "curves", "--history", run, "--out", tmp_path / "c.png"))
    assert fig.axes[0].get_ylabel() == f"loss ({name})"


def test_the_guides_training_curves_name_their_loss(tmp_path, saved_figures):
    """The guide's digits figure (`plot demo`) drew a plain 'loss' too: its axis names the loss its network has."""
    from chainrule.teach.figures import digits_curves
    digits_curves(tmp_path / "d.png", epochs=2)
    assert saved_figures[0].axes[0].get_ylabel().split(" (log scale)")[0] == "loss (categorical_crossentropy)"
