"""Counts in messages agree with their nouns where the count can be 1 (a network of one output or one
input is common: a regression, the seed's sizes reduced): '1 output', 'the one sample', never '1 outputs'."""
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.errors import ValidationError

sys.path.insert(0, str(Path(__file__).parent))
from conftest import cli  # noqa: E402


def test_plural_and_counted_follow_the_count():
    from chainrule.errors import counted, plural
    assert [counted(n, "input") for n in (0, 1, 2)] == ["0 inputs", "1 input", "2 inputs"]
    assert plural(1, "class", "classes") == "class" and plural(3, "class", "classes") == "classes"


@pytest.mark.parametrize("layers, words", [
    (lambda: [cr.Dense(2, 1), cr.Dense(3, 1)], "layer 1 expects 3 inputs but the layer before it gives 1 output"),
    (lambda: [cr.Dense(2, 3), cr.Dense(1, 1)], "layer 1 expects 1 input but the layer before it gives 3 outputs"),
])
def test_layers_that_disagree_are_counted_in_the_right_number(layers, words):
    with pytest.raises(ValidationError) as caught:
        cr.Network(layers())
    assert str(caught.value).endswith(words)


def test_one_zero_weight_is_the_one_sample():
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", seed=0)
    with pytest.raises(ValidationError, match=r"sample_weight is zero for the one sample: at least one weight"):
        net.fit(np.ones((1, 2)), np.ones((1, 1)), sample_weight=np.zeros(1), verbose=0)


def test_one_row_that_overflows_is_the_one_row():
    net = cr.Network([cr.Dense(2, 1, "linear")], loss="mse", dtype="float32", seed=0)
    net.layers[0].W[...] = 1.0
    with pytest.raises(ValidationError, match=r"NaN or infinite for the one row of X: its weights are damaged"):
        net.predict(np.full((1, 2), 3e38, dtype=np.float32))


def test_explain_targets_for_a_network_of_one_output(tmp_path, capsys):
    from chainrule.cli import main
    net = cr.Network([cr.Dense(2, 1, "sigmoid")], loss="sse", seed=0)
    net.save(tmp_path / "one.npz")
    code = main(["explain", str(tmp_path / "one.npz"), "--inputs", "0.1,0.2", "--targets", "0.5,0.5"])
    err = capsys.readouterr().err
    assert code == 2 and "the network has 1 output" in err and "1 outputs" not in err


def test_demo_counts_one_epoch():
    """`chainrule demo --epochs 1` announced '1 epochs'."""
    r = cli("demo", "--epochs", "1", "--no-example")
    assert r.returncode == 0, r.stderr
    assert "batch 32, 1 epoch, float32." in r.stdout


def test_a_checkpoints_history_of_one_epoch_is_one_epoch(tmp_path):
    """A checkpoint folder whose history holds one epoch where the checkpoint needs two said '1 epochs'."""
    from chainrule.errors import ModelFileError
    from chainrule.saving.checkpoint import HISTORY, read_history
    (tmp_path / HISTORY).write_text('{"loss": 0.5}\n')
    with pytest.raises(ModelFileError, match="holds 1 epoch of history; the checkpoint needs 2"):
        read_history(tmp_path, 2)
