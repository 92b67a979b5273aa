"""`train --resume` of a run that has done all its epochs trains nothing (as Keras' fit with initial_epoch == epochs:
no epoch, an empty History) and said so only in passing ("training was already complete") before printing the
validation line as if it had trained. It now says there is nothing left to train and how to train more, exits 0,
and prints no validation line; the model is written as the checkpoint holds it."""
import numpy as np
import pytest
from conftest import cmd

import chainrule as cr


@pytest.mark.parametrize("epochs", ["3", "2"])
def test_a_finished_run_resumed_says_nothing_was_left(tmp_path, epochs):
    (tmp_path / "t.csv").write_text("a,b,y\n" + "".join(f"{i % 7},{i % 3},{'xy'[i % 2]}\n" for i in range(20)))
    first = cmd("train", "t.csv", "--target", "y", "--hidden", "3", "--epochs", "3", "--checkpoint-dir", "ck",
                "--out", "a.npz", cwd=tmp_path)
    assert first.returncode == 0 and "validation: " in first.stdout, first.stderr
    again = cmd("train", "t.csv", "--target", "y", "--hidden", "3", "--epochs", epochs, "--checkpoint-dir", "ck",
                "--out", "b.npz", "--resume", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "saved b.npz\n" and "epoch 1/" not in again.stderr, (again.stdout, again.stderr)
    assert (f"nothing left to train: the checkpoint in 'ck' has finished epoch 3 and --epochs is {epochs}; resume "
            "with a larger --epochs (e.g. --epochs 6) to train more") in again.stderr, again.stderr
    np.testing.assert_array_equal(cr.load(tmp_path / "a.npz").params, cr.load(tmp_path / "b.npz").params)
